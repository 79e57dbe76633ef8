//! Vietnamese personal names: parsing into family, middle and given names, the sort key
//! that orders lists the Vietnamese way, and the folded search key that ignores diacritics.
//!
//! Ordering: by given name, then family name, then middle name, each compared with the
//! ICU4X collator for `vi` (Đ after D; ă, â, ê, ô, ơ, ư as letters; tones in order). The
//! key is the concatenation of the three ICU sort keys, each closed by a zero byte, so a
//! plain byte comparison (`ORDER BY sort_key` on a BLOB/bytea column) gives exactly the
//! collator's order on SQLite and PostgreSQL alike, with no collation installed in either
//! database. ICU may change sort keys between versions: [`SORT_KEY_VERSION`] is stored
//! with the data so that keys are recomputed when it changes.

use crate::lang::Invalid;
use icu_collator::{Collator, CollatorBorrowed, options::CollatorOptions};
use std::sync::OnceLock;
use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};

/// Identifies the sort-key algorithm; stored keys made by another version are recomputed.
pub const SORT_KEY_VERSION: &str = "icu_collator-2.4-vi-given-family-middle";

/// A person's full name, split the Vietnamese way: family name first, given name last.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonName {
    full: String,
}

impl PersonName {
    /// Parses a typed name: trims, collapses spaces, normalizes to NFC and capitalizes each
    /// word. It needs at least two words made of letters, `'` or `-`.
    pub fn parse(input: &str) -> Result<PersonName, Invalid> {
        let nfc: String = input.nfc().collect();
        let words: Vec<String> = nfc.split_whitespace().map(capitalize).collect();
        let full = words.join(" ");
        if words.is_empty() {
            return Err(Invalid::Missing);
        }
        let letters_ok = words.iter().all(|w| {
            w.chars().all(|c| c.is_alphabetic() || c == '\'' || c == '-') && w.chars().any(char::is_alphabetic)
        });
        if full.chars().count() > 100 {
            return Err(Invalid::inconsistent(
                format!("Họ và tên dài {} ký tự, quá 100 ký tự cho phép", full.chars().count()),
                format!(
                    "The name is {} characters long, more than the 100 allowed",
                    full.chars().count()
                ),
            ));
        }
        if words.len() < 2 || !letters_ok {
            return Err(Invalid::Name(input.trim().to_string()));
        }
        Ok(PersonName { full })
    }

    /// The whole name, as it is written: `Nguyễn Quốc Đoàn`.
    pub fn full(&self) -> &str {
        &self.full
    }

    /// The family name (họ): `Nguyễn`.
    pub fn family(&self) -> &str {
        self.full.split(' ').next().unwrap_or_default()
    }

    /// The given name (tên): `Đoàn`.
    pub fn given(&self) -> &str {
        self.full.rsplit(' ').next().unwrap_or_default()
    }

    /// The middle name (tên đệm), possibly empty: `Quốc`.
    pub fn middle(&self) -> &str {
        let family = self.family().len();
        let given = self.given().len();
        if family + given + 1 >= self.full.len() {
            ""
        } else {
            &self.full[family + 1..self.full.len() - given - 1]
        }
    }

    /// The byte key that sorts names the Vietnamese way (see the module documentation).
    pub fn sort_key(&self) -> Vec<u8> {
        let collator = collator();
        let mut key = Vec::with_capacity(64);
        for part in [self.given(), self.family(), self.middle()] {
            let Ok(()) = collator.write_sort_key_to(part, &mut key);
            key.push(0);
        }
        key
    }

    /// The diacritic-free, lower-case search key of the whole name: `nguyen quoc doan`.
    pub fn search_key(&self) -> String {
        fold(&self.full)
    }
}

impl std::fmt::Display for PersonName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.full)
    }
}

/// The word with a capital at its start and after each `-`, small letters elsewhere. A
/// letter whose other case is several letters (`ß`, `ᾞ`) stays as it is, so that a name
/// capitalized once reads the same when capitalized again (the fuzzer found `ᾞ` → `ἮΙ`
/// → `Ἦι`).
fn capitalize(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut start = true;
    for c in word.chars() {
        let mapped: Vec<char> = if start {
            c.to_uppercase().collect()
        } else {
            c.to_lowercase().collect()
        };
        match mapped.as_slice() {
            [one] => out.push(*one),
            _ => out.push(c),
        }
        start = c == '-';
    }
    out.nfc().collect()
}

fn collator() -> &'static CollatorBorrowed<'static> {
    static COLLATOR: OnceLock<CollatorBorrowed<'static>> = OnceLock::new();
    COLLATOR.get_or_init(|| {
        let locale = icu_locale_core::locale!("vi");
        #[allow(clippy::expect_used)]
        Collator::try_new((&locale).into(), CollatorOptions::default())
            .expect("the vi collation data is compiled into icu_collator")
    })
}

/// Compares two strings with the Vietnamese collator (for sorting in memory).
pub fn compare(a: &str, b: &str) -> std::cmp::Ordering {
    collator().compare(a, b)
}

/// Folds text for diacritic-free search: decomposes, drops the marks, maps đ to d,
/// lower-cases, and turns every run of other characters into one space.
/// `Nguyễn Quốc Đoàn` becomes `nguyen quoc doan`.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            c => c,
        };
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.extend(c.to_lowercase());
        } else {
            space = true;
        }
    }
    out
}

/// Text in Unicode's composed form (NFC): `Nguyễn` as one letter per character, the form
/// fonts draw and searches match.
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// The text with its first letter in lower case, for a title quoted inside a sentence:
/// "Về tiếp tục…" → "về tiếp tục…".
pub fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_again_changes_nothing() {
        // The first was found by the fuzzer (fuzz/corpus/dates_names).
        for s in [
            " bbbb ᾞ",
            "ßa ßb",
            "ŉa Ǆb",
            "nguyễn văn an",
            "lò văn pọm",
            "o'neil mary-jane",
        ] {
            let n = PersonName::parse(s).unwrap();
            assert_eq!(PersonName::parse(n.full()).unwrap(), n, "{s}");
        }
        assert_eq!(PersonName::parse("lò văn pọm").unwrap().full(), "Lò Văn Pọm");
        assert_eq!(
            PersonName::parse("o'neil mary-jane").unwrap().full(),
            "O'neil Mary-Jane"
        );
    }
    use proptest::prelude::*;

    #[test]
    fn splits_family_middle_given() {
        let n = PersonName::parse("  nguyễn   quốc đoàn ").unwrap();
        assert_eq!(n.full(), "Nguyễn Quốc Đoàn");
        assert_eq!((n.family(), n.middle(), n.given()), ("Nguyễn", "Quốc", "Đoàn"));
        let n = PersonName::parse("VŨ THỊ PHƯƠNG NGA").unwrap();
        assert_eq!((n.family(), n.middle(), n.given()), ("Vũ", "Thị Phương", "Nga"));
        let n = PersonName::parse("Hoàng Chính").unwrap();
        assert_eq!((n.family(), n.middle(), n.given()), ("Hoàng", "", "Chính"));
    }

    #[test]
    fn stores_nfc() {
        let decomposed: String = "Nguyễn Quốc Đoàn".nfd().collect();
        assert_ne!(decomposed, "Nguyễn Quốc Đoàn");
        assert_eq!(PersonName::parse(&decomposed).unwrap().full(), "Nguyễn Quốc Đoàn");
    }

    #[test]
    fn rejects_what_is_not_a_name() {
        for bad in ["Khánh", "Nguyễn 123", "Lê <script>", "Trần ."] {
            assert!(PersonName::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(PersonName::parse(""), Err(Invalid::Missing));
    }

    #[test]
    fn folds_diacritics_and_d_bar() {
        assert_eq!(fold("Nguyễn Quốc Đoàn"), "nguyen quoc doan");
        assert_eq!(fold("  Nguyen  Quoc-Doan "), "nguyen quoc doan");
        assert_eq!(fold("Lương Thị Ưng"), "luong thi ung");
        assert_eq!(fold("H'Mông"), "h mong");
    }

    fn sorted(names: &[&str]) -> Vec<String> {
        let mut v: Vec<PersonName> = names.iter().map(|n| PersonName::parse(n).unwrap()).collect();
        v.sort_by_key(PersonName::sort_key);
        v.into_iter().map(|n| n.full().to_string()).collect()
    }

    #[test]
    fn sorts_by_given_then_family_then_middle() {
        assert_eq!(
            sorted(&["Nguyễn Văn Bình", "Trần An", "Lê Thị An", "Hoàng Đức An"]),
            ["Hoàng Đức An", "Lê Thị An", "Trần An", "Nguyễn Văn Bình"]
        );
        assert_eq!(
            sorted(&["Lê Văn Hùng", "Lê Thị Hùng", "Lê Anh Hùng"]),
            ["Lê Anh Hùng", "Lê Thị Hùng", "Lê Văn Hùng"]
        );
    }

    #[test]
    fn vietnamese_letters_sort_as_letters() {
        // Đ comes after D, whatever follows; ă and â come after a; ư after u; ơ after ô after o.
        assert_eq!(sorted(&["Lê Đạt", "Lê Dũng"]), ["Lê Dũng", "Lê Đạt"]);
        assert_eq!(sorted(&["Lê Dương", "Lê Đa"]), ["Lê Dương", "Lê Đa"]);
        assert_eq!(
            sorted(&["Lê Ân", "Lê Ăn", "Lê An", "Lê Bá"]),
            ["Lê An", "Lê Ăn", "Lê Ân", "Lê Bá"]
        );
        assert_eq!(sorted(&["Lê Ưng", "Lê Uy", "Lê Vân"]), ["Lê Uy", "Lê Ưng", "Lê Vân"]);
        assert_eq!(sorted(&["Lê Ơn", "Lê Ôn", "Lê On"]), ["Lê On", "Lê Ôn", "Lê Ơn"]);
    }

    #[test]
    fn a_shorter_given_name_sorts_first() {
        assert_eq!(sorted(&["Vi Anh", "Trần An"]), ["Trần An", "Vi Anh"]);
    }

    fn word() -> impl Strategy<Value = String> {
        proptest::sample::select(vec![
            "An",
            "Ân",
            "Ăn",
            "Anh",
            "Bình",
            "Dũng",
            "Đạt",
            "Đoàn",
            "Nguyễn",
            "Lê",
            "Lương",
            "Nông",
            "Thị",
            "Văn",
            "Ưng",
            "Uy",
            "Hà",
            "Hạ",
            "Hả",
            "Hã",
            "Há",
            "Hà-Giang",
        ])
        .prop_map(str::to_string)
    }

    proptest! {
        #[test]
        fn key_order_matches_the_collator_part_by_part(
            a in proptest::collection::vec(word(), 2..5),
            b in proptest::collection::vec(word(), 2..5),
        ) {
            let (a, b) = (PersonName::parse(&a.join(" ")).unwrap(), PersonName::parse(&b.join(" ")).unwrap());
            let by_parts = compare(a.given(), b.given())
                .then_with(|| compare(a.family(), b.family()))
                .then_with(|| compare(a.middle(), b.middle()));
            prop_assert_eq!(a.sort_key().cmp(&b.sort_key()), by_parts);
        }

        #[test]
        fn folding_is_idempotent_and_ascii_for_vietnamese(s in "[a-zA-ZàáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĐ ]{0,40}") {
            let f = fold(&s);
            prop_assert_eq!(fold(&f), f.clone());
            prop_assert!(f.is_ascii());
        }

        #[test]
        fn parsing_is_idempotent(words in proptest::collection::vec(word(), 2..5)) {
            let n = PersonName::parse(&words.join(" ")).unwrap();
            prop_assert_eq!(PersonName::parse(n.full()).unwrap(), n);
        }
    }
}
