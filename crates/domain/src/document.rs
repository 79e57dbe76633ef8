//! Document numbers (số, ký hiệu văn bản): the kinds of document and their abbreviations,
//! and the parsing of numbers as the party writes them (`116-NQ/TU`, `08-ĐA/TU`) and as
//! the state writes them (`135/2020/NĐ-CP`, `202/2025/QH15`, `1672/NQ-UBTVQH15`).

use crate::lang::Invalid;
use crate::org::text_enum;
use unicode_normalization::UnicodeNormalization;

text_enum! {
    /// The kind of an issued document, written as an abbreviation in its number.
    DocKind {
        /// Nghị quyết (NQ).
        Resolution = "resolution", "Nghị quyết", "Resolution", [];
        /// Đề án (ĐA).
        Project = "project", "Đề án", "Project", [];
        /// Quyết định or quy định (QĐ): the number writes both the same way.
        Decision = "decision", "Quyết định, quy định", "Decision or regulation",
            ["quyet dinh", "quy dinh", "decision", "regulation"];
        /// Chỉ thị (CT).
        Directive = "directive", "Chỉ thị", "Directive", [];
        /// Kết luận (KL).
        Conclusion = "conclusion", "Kết luận", "Conclusion", [];
        /// Kế hoạch (KH).
        Plan = "plan", "Kế hoạch", "Plan", [];
        /// Hướng dẫn (HD).
        Guideline = "guideline", "Hướng dẫn", "Guideline", [];
        /// Chương trình (CTr).
        Programme = "programme", "Chương trình", "Programme", ["program"];
        /// Thông báo (TB).
        Notice = "notice", "Thông báo", "Notice", [];
        /// Báo cáo (BC).
        Report = "report", "Báo cáo", "Report", [];
        /// Tờ trình (TTr).
        Submission = "submission", "Tờ trình", "Submission", [];
        /// Biên bản (BB).
        Minutes = "minutes", "Biên bản", "Minutes", [];
        /// Nghị định (NĐ), a government decree.
        Decree = "decree", "Nghị định", "Decree", [];
        /// Thông tư (TT), a ministry's circular.
        Circular = "circular", "Thông tư", "Circular", [];
        /// Luật (L).
        Law = "law", "Luật", "Law", [];
    }
}

impl DocKind {
    /// The abbreviation written in document numbers: `NQ`, `ĐA` (with the letter Đ), `CTr`.
    pub fn abbrev(self) -> &'static str {
        use DocKind::*;
        match self {
            Resolution => "NQ",
            Project => "ĐA",
            Decision => "QĐ",
            Directive => "CT",
            Conclusion => "KL",
            Plan => "KH",
            Guideline => "HD",
            Programme => "CTr",
            Notice => "TB",
            Report => "BC",
            Submission => "TTr",
            Minutes => "BB",
            Decree => "NĐ",
            Circular => "TT",
            Law => "L",
        }
    }

    /// The kind an abbreviation stands for, ignoring case (`ctr` is `CTr`, `đa` is `ĐA`).
    /// The letters D and Đ are different letters: `DA` is not `ĐA`.
    pub fn from_abbrev(s: &str) -> Option<DocKind> {
        let wanted = s.to_uppercase();
        DocKind::ALL
            .iter()
            .copied()
            .find(|k| k.abbrev().to_uppercase() == wanted)
    }

    /// The kind meant by an abbreviation typed with D for Đ, or Đ for D: `DA` → `ĐA`,
    /// `ND` → `NĐ`, `HĐ` → `HD`. `None` when no such swap gives a known kind.
    pub fn d_bar_hint(s: &str) -> Option<DocKind> {
        let chars: Vec<char> = s.to_uppercase().chars().collect();
        let swap = |c: char| match c {
            'D' => 'Đ',
            'Đ' => 'D',
            c => c,
        };
        let all: String = chars.iter().copied().map(swap).collect();
        let single = (0..chars.len()).filter(|&i| matches!(chars[i], 'D' | 'Đ')).map(|i| {
            let mut v = chars.clone();
            v[i] = swap(v[i]);
            v.into_iter().collect::<String>()
        });
        std::iter::once(all)
            .chain(single)
            .find_map(|t| DocKind::from_abbrev(&t))
    }
}

/// Who numbers a document, which decides how its number is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumberSystem {
    /// The party: `116-NQ/TU` (number-kind/issuer), no year.
    Party,
    /// The state: `135/2020/NĐ-CP` (number/year/kind-issuer), or `1672/NQ-UBTVQH15` without
    /// the year.
    State,
}

/// The first year a document number may carry.
pub const FIRST_YEAR: u16 = 1945;
/// The last year a document number may carry.
pub const LAST_YEAR: u16 = 2100;

/// A document's number and symbol (số, ký hiệu): `116-NQ/TU` is resolution number 116 of
/// the provincial committee (Tỉnh ủy).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DocumentNumber {
    /// The number as written, leading zeros kept: `03`, `08`, `116`.
    pub number: String,
    /// The year, written in state numbers (`135/2020/NĐ-CP`); `None` in party numbers.
    pub year: Option<u16>,
    /// The kind of document.
    pub kind: DocKind,
    /// The issuing organ's symbol: `TU`, `TW`, `ĐU`, `BTCTW`, `CP`, `QH15`.
    pub issuer: String,
    /// Whether the number is written the party's way or the state's.
    pub system: NumberSystem,
}

impl DocumentNumber {
    /// Parses a document number as typed. Spaces around `-` and `/` are allowed
    /// (`45- NQ/TW`), lower case is raised (`đa` → `ĐA`). Accepted forms:
    ///
    /// - party: `116-NQ/TU`, `08-ĐA/TU`, `31-HD/BTCTW`;
    /// - state with a year: `135/2020/NĐ-CP`; a number with no kind written, such as
    ///   `202/2025/QH15`, is taken as a law when the issuer is the National Assembly
    ///   (`QH…`) and rejected otherwise (the number alone does not tell a law from a
    ///   resolution of the Assembly; the document's title does);
    /// - state without a year: `1672/NQ-UBTVQH15`.
    ///
    /// The number has 1 to 5 digits and is not zero; the year lies in
    /// [`FIRST_YEAR`]..=[`LAST_YEAR`].
    pub fn parse(s: &str) -> Result<DocumentNumber, Invalid> {
        let raw = s.trim();
        if raw.is_empty() {
            return Err(Invalid::Missing);
        }
        let bad = || Invalid::DocumentNumber(raw.to_string());
        let text = normalize(raw);
        let parts: Vec<&str> = text.split('/').map(str::trim).collect();
        let (number, year, kind, issuer, system) = match parts.as_slice() {
            [head, issuer] if head.contains('-') => {
                let (number, kind) = head.split_once('-').ok_or_else(bad)?;
                (number.trim(), None, Some(kind.trim()), *issuer, NumberSystem::Party)
            }
            [number, tail] => {
                let (kind, issuer) = tail.split_once('-').ok_or_else(bad)?;
                (*number, None, Some(kind.trim()), issuer.trim(), NumberSystem::State)
            }
            [number, year, tail] => {
                let (kind, issuer) = match tail.split_once('-') {
                    Some((kind, issuer)) => (Some(kind.trim()), issuer.trim()),
                    None => (None, *tail),
                };
                (*number, Some(*year), kind, issuer, NumberSystem::State)
            }
            _ => return Err(bad()),
        };
        if !is_number(number) {
            return Err(bad());
        }
        let year = match year {
            None => None,
            Some(y) if y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()) => {
                let y: u16 = y.parse().map_err(|_| bad())?;
                if !(FIRST_YEAR..=LAST_YEAR).contains(&y) {
                    return Err(Invalid::DocumentYear {
                        number: raw.to_string(),
                        year: y,
                    });
                }
                Some(y)
            }
            Some(_) => return Err(bad()),
        };
        if !is_issuer(issuer) {
            return Err(bad());
        }
        let kind = match kind {
            Some(k) => DocKind::from_abbrev(k).ok_or_else(|| Invalid::DocumentKind {
                number: raw.to_string(),
                kind: k.to_string(),
                suggestion: DocKind::d_bar_hint(k),
            })?,
            None if bare_law_issuer(issuer) => DocKind::Law,
            None => return Err(bad()),
        };
        Ok(DocumentNumber {
            number: number.to_string(),
            year,
            kind,
            issuer: issuer.to_string(),
            system,
        })
    }
}

impl DocumentNumber {
    /// Whether the number leaves the kind unsaid, as the National Assembly's do: a law and
    /// a resolution are both numbered `202/2025/QH15`, so the kind must be given apart.
    pub fn kind_unsaid(&self) -> bool {
        self.system == NumberSystem::State
            && self.year.is_some()
            && bare_law_issuer(&self.issuer)
            && matches!(self.kind, DocKind::Law | DocKind::Resolution)
    }
}

impl std::str::FromStr for DocumentNumber {
    type Err = Invalid;

    fn from_str(s: &str) -> Result<DocumentNumber, Invalid> {
        DocumentNumber::parse(s)
    }
}

impl std::fmt::Display for DocumentNumber {
    /// The canonical form: `116-NQ/TU`, `135/2020/NĐ-CP`, `202/2025/QH15`,
    /// `1672/NQ-UBTVQH15`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (n, k, i) = (&self.number, self.kind.abbrev(), &self.issuer);
        match (self.system, self.year) {
            (NumberSystem::Party, _) => write!(f, "{n}-{k}/{i}"),
            (NumberSystem::State, Some(y)) if self.kind_unsaid() => {
                write!(f, "{n}/{y}/{i}")
            }
            (NumberSystem::State, Some(y)) => write!(f, "{n}/{y}/{k}-{i}"),
            (NumberSystem::State, None) => write!(f, "{n}/{k}-{i}"),
        }
    }
}

/// NFC, upper case, and the look-alikes people paste in place of Đ and `-`: the Icelandic
/// Ð (left by old Vietnamese encodings) and the typographic dashes.
fn normalize(s: &str) -> String {
    s.nfc()
        .flat_map(char::to_uppercase)
        .map(|c| match c {
            'Ð' => 'Đ',
            '\u{2010}'..='\u{2013}' | '\u{2212}' => '-',
            c => c,
        })
        .collect()
}

/// Whether a state number may leave the kind off for a law of this issuer: the National
/// Assembly (`QH15`), with no hyphen that would read as a kind.
fn bare_law_issuer(issuer: &str) -> bool {
    issuer.starts_with("QH") && !issuer.contains('-')
}

/// 1 to 5 ASCII digits, not all zeros.
fn is_number(s: &str) -> bool {
    (1..=5).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) && s.bytes().any(|b| b != b'0')
}

/// An issuer's symbol: starts with a letter (A–Z or Đ), then letters, digits and single
/// inner hyphens; at most 30 characters.
fn is_issuer(s: &str) -> bool {
    let letter = |c: char| c.is_ascii_uppercase() || c == 'Đ';
    s.chars().count() <= 30
        && s.chars().next().is_some_and(letter)
        && !s.ends_with('-')
        && !s.contains("--")
        && s.chars().all(|c| letter(c) || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;
    use proptest::prelude::*;

    fn party(number: &str, kind: DocKind, issuer: &str) -> DocumentNumber {
        DocumentNumber {
            number: number.into(),
            year: None,
            kind,
            issuer: issuer.into(),
            system: NumberSystem::Party,
        }
    }

    fn state(number: &str, year: Option<u16>, kind: DocKind, issuer: &str) -> DocumentNumber {
        DocumentNumber {
            number: number.into(),
            year,
            kind,
            issuer: issuer.into(),
            system: NumberSystem::State,
        }
    }

    #[test]
    fn a_national_assembly_resolution_keeps_its_number() {
        let mut n = DocumentNumber::parse("202/2025/QH15").unwrap();
        assert!(n.kind_unsaid());
        assert_eq!(n.kind, DocKind::Law);
        n.kind = DocKind::Resolution;
        assert_eq!(n.to_string(), "202/2025/QH15");
        assert!(!DocumentNumber::parse("1672/NQ-UBTVQH15").unwrap().kind_unsaid());
        assert!(!DocumentNumber::parse("116-NQ/TU").unwrap().kind_unsaid());
    }

    #[test]
    fn abbreviations() {
        assert_eq!(DocKind::Project.abbrev(), "\u{110}A");
        assert_eq!(DocKind::from_abbrev("ĐA"), Some(DocKind::Project));
        assert_eq!(DocKind::from_abbrev("đa"), Some(DocKind::Project));
        assert_eq!(DocKind::from_abbrev("DA"), None);
        assert_eq!(DocKind::from_abbrev("ctr"), Some(DocKind::Programme));
        assert_eq!(DocKind::from_abbrev("TTr"), Some(DocKind::Submission));
        assert_eq!(DocKind::from_abbrev("QĐ"), Some(DocKind::Decision));
        assert_eq!(DocKind::from_abbrev("XX"), None);
        assert_eq!(DocKind::d_bar_hint("DA"), Some(DocKind::Project));
        assert_eq!(DocKind::d_bar_hint("nd"), Some(DocKind::Decree));
        assert_eq!(DocKind::d_bar_hint("HĐ"), Some(DocKind::Guideline));
        assert_eq!(DocKind::d_bar_hint("XX"), None);
        for k in DocKind::ALL {
            assert_eq!(DocKind::from_abbrev(k.abbrev()), Some(*k));
            assert_eq!(DocKind::from_code(k.code()), Some(*k));
        }
        assert_eq!(DocKind::Decision.label(Lang::Vi), "Quyết định, quy định");
        assert_eq!(DocKind::parse_text("quy định"), Some(DocKind::Decision));
    }

    #[test]
    fn party_numbers_from_the_seeds() {
        use DocKind::*;
        let cases = [
            ("116-NQ/TU", party("116", Resolution, "TU")),
            ("08-ĐA/TU", party("08", Project, "TU")),
            ("43-NQ/TW", party("43", Resolution, "TW")),
            ("31-HD/BTCTW", party("31", Guideline, "BTCTW")),
            ("03-HD/BTGDVTW", party("03", Guideline, "BTGDVTW")),
            ("12-BC/ĐU", party("12", Report, "ĐU")),
            ("50-QĐ/TW", party("50", Decision, "TW")),
            ("377-QĐ/TW", party("377", Decision, "TW")),
            ("35-CT/TW", party("35", Directive, "TW")),
        ];
        for (text, want) in cases {
            let got = DocumentNumber::parse(text).unwrap();
            assert_eq!(got, want, "{text}");
            assert_eq!(got.to_string(), text);
        }
    }

    #[test]
    fn tolerates_spaces_case_and_look_alikes() {
        let want = party("45", DocKind::Resolution, "TW");
        assert_eq!(DocumentNumber::parse("45- NQ/TW").unwrap(), want);
        assert_eq!(DocumentNumber::parse(" 45 - NQ / TW ").unwrap(), want);
        assert_eq!(DocumentNumber::parse("45-nq/tw").unwrap(), want);
        assert_eq!(DocumentNumber::parse("45–NQ/TW").unwrap(), want);
        assert_eq!(
            DocumentNumber::parse("08-đa/tu").unwrap(),
            party("08", DocKind::Project, "TU")
        );
        assert_eq!(
            DocumentNumber::parse("12-BC/ÐU").unwrap(),
            party("12", DocKind::Report, "ĐU")
        );
        assert_eq!(
            DocumentNumber::parse("135/2020/nđ-cp").unwrap(),
            state("135", Some(2020), DocKind::Decree, "CP")
        );
        assert_eq!(DocumentNumber::parse("05-CTr/TU").unwrap().to_string(), "05-CTr/TU");
        assert_eq!("116-NQ/TU".parse::<DocumentNumber>().unwrap().number, "116");
    }

    #[test]
    fn state_numbers() {
        let cases = [
            ("202/2025/QH15", state("202", Some(2025), DocKind::Law, "QH15")),
            ("135/2020/NĐ-CP", state("135", Some(2020), DocKind::Decree, "CP")),
            ("1672/NQ-UBTVQH15", state("1672", None, DocKind::Resolution, "UBTVQH15")),
        ];
        for (text, want) in cases {
            let got = DocumentNumber::parse(text).unwrap();
            assert_eq!(got, want, "{text}");
            assert_eq!(got.to_string(), text);
        }
        // The kind may be written out; the canonical form leaves it off.
        assert_eq!(
            DocumentNumber::parse("202/2025/L-QH15").unwrap().to_string(),
            "202/2025/QH15"
        );
    }

    #[test]
    fn rejections() {
        for bad in [
            "NQ/TU",
            "116-NQ",
            "abc",
            "0-NQ/TU",
            "00-NQ/TU",
            "123456-NQ/TU",
            "116-NQ/",
            "116-NQ/T U",
            "116-NQ/TU-",
            "116-NQ/1TU",
            "116-NQ/TU/X/Y",
            "135/2020/CP",
            "135/20/NĐ-CP",
            "1 16-NQ/TU",
        ] {
            assert!(
                matches!(DocumentNumber::parse(bad), Err(Invalid::DocumentNumber(_))),
                "{bad}: {:?}",
                DocumentNumber::parse(bad)
            );
        }
        assert_eq!(DocumentNumber::parse(""), Err(Invalid::Missing));
        assert_eq!(DocumentNumber::parse("   "), Err(Invalid::Missing));
        assert_eq!(
            DocumentNumber::parse("116-XX/TU"),
            Err(Invalid::DocumentKind {
                number: "116-XX/TU".into(),
                kind: "XX".into(),
                suggestion: None
            })
        );
        assert_eq!(
            DocumentNumber::parse("135/1800/NĐ-CP"),
            Err(Invalid::DocumentYear {
                number: "135/1800/NĐ-CP".into(),
                year: 1800
            })
        );
        assert!(matches!(
            DocumentNumber::parse("135/2101/NĐ-CP"),
            Err(Invalid::DocumentYear { year: 2101, .. })
        ));
        assert!(DocumentNumber::parse("1/1945/NĐ-CP").is_ok());
        assert!(DocumentNumber::parse("1/2100/NĐ-CP").is_ok());
    }

    #[test]
    fn d_for_đ_gets_a_hint() {
        let err = DocumentNumber::parse("08-DA/TU").unwrap_err();
        assert_eq!(
            err,
            Invalid::DocumentKind {
                number: "08-DA/TU".into(),
                kind: "DA".into(),
                suggestion: Some(DocKind::Project)
            }
        );
        assert_eq!(err.code(), "document_kind");
        assert_eq!(
            err.message(Lang::Vi),
            "«08-DA/TU»: ký hiệu «DA» không phải loại văn bản; bạn có muốn viết «ĐA» (đề án)? \
             Dạng đúng: số-loại/cơ quan ban hành, ví dụ 116-NQ/TU, 08-ĐA/TU, hoặc 135/2020/NĐ-CP; \
             số có từ 1 đến 5 chữ số."
        );
        assert!(err.message(Lang::En).contains("did you mean «ĐA» (project)?"));
        let err = DocumentNumber::parse("135/2020/ND-CP").unwrap_err();
        assert!(matches!(
            err,
            Invalid::DocumentKind {
                suggestion: Some(DocKind::Decree),
                ..
            }
        ));
        let err = DocumentNumber::parse("116-XX/TU").unwrap_err();
        assert!(err.message(Lang::Vi).contains("NQ, ĐA, QĐ"));
        assert!(err.message(Lang::En).contains("Expected form"));
        let err = DocumentNumber::parse("abc").unwrap_err();
        assert!(err.message(Lang::Vi).contains("Dạng đúng"));
        assert!(
            DocumentNumber::parse("135/1800/NĐ-CP")
                .unwrap_err()
                .message(Lang::En)
                .contains("1945")
        );
    }

    fn kind() -> impl Strategy<Value = DocKind> {
        proptest::sample::select(DocKind::ALL)
    }

    fn any_number() -> impl Strategy<Value = DocumentNumber> {
        let number = "[0-9]{1,5}".prop_filter("not zero", |n| n.bytes().any(|b| b != b'0'));
        let issuer = "[A-ZĐ][A-ZĐ0-9]{0,7}(-[A-ZĐ0-9]{1,4})?";
        let year = proptest::option::of(FIRST_YEAR..=LAST_YEAR);
        (number, year, kind(), issuer, any::<bool>()).prop_map(|(number, year, kind, issuer, is_party)| {
            let system = if is_party {
                NumberSystem::Party
            } else {
                NumberSystem::State
            };
            let year = if is_party { None } else { year };
            DocumentNumber {
                number,
                year,
                kind,
                issuer,
                system,
            }
        })
    }

    proptest! {
        #[test]
        fn parse_of_display_is_identity(d in any_number()) {
            prop_assert_eq!(DocumentNumber::parse(&d.to_string()), Ok(d));
        }

        #[test]
        fn parse_never_panics(s in any::<String>()) {
            let _ = DocumentNumber::parse(&s);
        }

        #[test]
        fn parse_never_panics_on_near_misses(s in "[0-9a-zA-ZđĐÐ /–-]{0,24}") {
            if let Ok(d) = DocumentNumber::parse(&s) {
                prop_assert_eq!(DocumentNumber::parse(&d.to_string()), Ok(d));
            }
        }
    }
}
