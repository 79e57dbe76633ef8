//! The reporting regime's forms: the fields a request asks for, as an office types them,
//! and the answers of a submission, checked and kept as text.

use crate::Lang;

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// A whole number, added up when the submissions are compiled.
    Number,
    /// Text.
    Text,
}

/// What dangbo fills in from its own figures, for the organization answering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefill {
    /// Nothing.
    None,
    /// The people placed in its subtree at the end of the period.
    People,
    /// The cells (chi bộ) in its subtree at the end of the period.
    Cells,
}

/// One field of a report's form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Its key in the answers: `f1`, `f2`…
    pub key: String,
    /// Its label.
    pub label: String,
    /// What it holds.
    pub kind: FieldKind,
    /// What dangbo fills in.
    pub prefill: Prefill,
}

fn kind_of(s: &str) -> Option<FieldKind> {
    match crate::name::fold(s.trim()).as_str() {
        "" | "so" | "number" => Some(FieldKind::Number),
        "chu" | "van ban" | "text" => Some(FieldKind::Text),
        _ => None,
    }
}

fn prefill_of(s: &str) -> Option<Prefill> {
    match crate::name::fold(s.trim()).as_str() {
        "" | "khong" | "none" => Some(Prefill::None),
        "dang vien" | "people" => Some(Prefill::People),
        "chi bo" | "cells" => Some(Prefill::Cells),
        _ => None,
    }
}

/// Parses the fields as an office types them, one per line: `label | số or chữ | tự điền`
/// (`đảng viên`, `chi bộ` or nothing): "Số đảng viên | số | đảng viên". Errors name the
/// line, in Vietnamese.
pub fn parse_fields(text: &str) -> Result<Vec<Field>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
        let parts: Vec<&str> = line.split('|').collect();
        let label = parts[0].trim();
        if label.is_empty() || label.chars().count() > 200 {
            return Err(format!("Dòng {}: nhập tên mục (không quá 200 ký tự)", i + 1));
        }
        let kind = kind_of(parts.get(1).copied().unwrap_or(""))
            .ok_or_else(|| format!("Dòng {}: loại phải là «số» hoặc «chữ»", i + 1))?;
        let prefill = prefill_of(parts.get(2).copied().unwrap_or(""))
            .ok_or_else(|| format!("Dòng {}: tự điền phải là «đảng viên», «chi bộ» hoặc để trống", i + 1))?;
        if prefill != Prefill::None && kind != FieldKind::Number {
            return Err(format!("Dòng {}: chỉ mục kiểu số mới tự điền được", i + 1));
        }
        out.push(Field {
            key: format!("f{}", i + 1),
            label: label.to_string(),
            kind,
            prefill,
        });
    }
    if out.is_empty() || out.len() > 50 {
        return Err("Nhập từ 1 đến 50 mục, mỗi dòng một mục".into());
    }
    Ok(out)
}

/// The fields as stored: `key|label|kind|prefill` lines.
pub fn fields_text(fields: &[Field]) -> String {
    fields
        .iter()
        .map(|f| {
            format!(
                "{}|{}|{}|{}\n",
                f.key,
                f.label,
                if f.kind == FieldKind::Number { "number" } else { "text" },
                match f.prefill {
                    Prefill::None => "",
                    Prefill::People => "people",
                    Prefill::Cells => "cells",
                }
            )
        })
        .collect()
}

/// The fields from their stored form.
pub fn stored_fields(text: &str) -> Vec<Field> {
    text.lines()
        .filter_map(|l| {
            let p: Vec<&str> = l.split('|').collect();
            (p.len() == 4).then(|| Field {
                key: p[0].to_string(),
                label: p[1].to_string(),
                kind: if p[2] == "text" {
                    FieldKind::Text
                } else {
                    FieldKind::Number
                },
                prefill: match p[3] {
                    "people" => Prefill::People,
                    "cells" => Prefill::Cells,
                    _ => Prefill::None,
                },
            })
        })
        .collect()
}

/// The fields for the request form, as an office types them.
pub fn typed_fields(fields: &[Field]) -> String {
    fields
        .iter()
        .map(|f| {
            format!(
                "{} | {} | {}\n",
                f.label,
                if f.kind == FieldKind::Number { "số" } else { "chữ" },
                match f.prefill {
                    Prefill::None => "",
                    Prefill::People => "đảng viên",
                    Prefill::Cells => "chi bộ",
                }
            )
        })
        .collect()
}

/// Checks the typed answers against the fields: numbers are whole and not negative, text
/// at most 5,000 characters; a field left empty stays empty. Returns them in the order
/// of the fields.
pub fn check_answers(
    fields: &[Field],
    typed: &[(String, String)],
    lang: Lang,
) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for f in fields {
        let v = typed
            .iter()
            .find(|(k, _)| *k == f.key)
            .map_or("", |(_, v)| v.as_str())
            .trim()
            .to_string();
        match f.kind {
            FieldKind::Number if !v.is_empty() => {
                let plain: String = v.chars().filter(|c| *c != '.' && *c != ' ').collect();
                let n: u64 = plain.parse().map_err(|_| match lang {
                    Lang::Vi => format!("{}: «{v}» phải là số nguyên không âm", f.label),
                    Lang::En => format!("{}: «{v}» must be a whole number", f.label),
                })?;
                out.push((f.key.clone(), n.to_string()));
            }
            FieldKind::Text if v.chars().count() > 5_000 => {
                return Err(match lang {
                    Lang::Vi => format!("{}: dài quá 5.000 ký tự", f.label),
                    Lang::En => format!("{}: longer than 5,000 characters", f.label),
                });
            }
            _ => out.push((f.key.clone(), v)),
        }
    }
    Ok(out)
}

/// Answers as stored: `key=value` lines, with line breaks and backslashes escaped.
pub fn answers_text(answers: &[(String, String)]) -> String {
    answers
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}\n",
                v.replace('\\', "\\\\").replace('\n', "\\n").replace('\r', "")
            )
        })
        .collect()
}

/// Answers from their stored form.
pub fn stored_answers(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| {
            let mut out = String::new();
            let mut chars = v.chars();
            while let Some(c) = chars.next() {
                match (c, c == '\\') {
                    (_, true) => match chars.next() {
                        Some('n') => out.push('\n'),
                        Some(o) => out.push(o),
                        None => {}
                    },
                    _ => out.push(c),
                }
            }
            (k.to_string(), out)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn fields_as_typed() {
        let f =
            parse_fields("Số đảng viên | số | đảng viên\nSố chi bộ | so | chi bo\nKết quả nổi bật | chữ\n").unwrap();
        assert_eq!(f.len(), 3);
        assert_eq!((f[0].kind, f[0].prefill), (FieldKind::Number, Prefill::People));
        assert_eq!(f[1].prefill, Prefill::Cells);
        assert_eq!(f[2].kind, FieldKind::Text);
        assert_eq!(stored_fields(&fields_text(&f)), f);
        assert_eq!(parse_fields(&typed_fields(&f)).unwrap(), f);
        assert!(parse_fields("").is_err());
        assert!(
            parse_fields("Ghi chú | chữ | đảng viên")
                .unwrap_err()
                .contains("Dòng 1")
        );
        assert!(parse_fields("A | ngày").unwrap_err().contains("loại"));
    }

    #[test]
    fn answers_are_checked() {
        let f = parse_fields("Số đảng viên | số\nGhi chú | chữ").unwrap();
        let typed = vec![
            ("f1".to_string(), "1.234".to_string()),
            ("f2".into(), "Dòng 1\nDòng 2".into()),
        ];
        let a = check_answers(&f, &typed, Lang::Vi).unwrap();
        assert_eq!(a[0].1, "1234");
        assert_eq!(stored_answers(&answers_text(&a)), a);
        let bad = vec![("f1".to_string(), "-3".to_string())];
        assert!(check_answers(&f, &bad, Lang::Vi).unwrap_err().contains("Số đảng viên"));
    }

    proptest! {
        #[test]
        fn any_text_survives_storage(v in "\\PC*") {
            let a = vec![("f1".to_string(), v.replace('\r', ""))];
            prop_assert_eq!(stored_answers(&answers_text(&a)), a);
        }
    }
}
