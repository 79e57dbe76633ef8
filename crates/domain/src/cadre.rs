//! Cadres and collective bodies: the executive and standing committees and the inspection
//! committee of an organization for a term, and the positions cadres hold over time.

use crate::lang::Invalid;
use crate::org::text_enum;
use unicode_normalization::UnicodeNormalization;

text_enum! {
    /// A collective body of an organization.
    BodyKind {
        /// Ban Chấp hành (BCH).
        Executive = "executive", "Ban Chấp hành", "Executive committee", ["BCH"];
        /// Ban Thường vụ (BTV).
        Standing = "standing", "Ban Thường vụ", "Standing committee", ["BTV"];
        /// Ủy ban Kiểm tra (UBKT).
        Inspection = "inspection", "Ủy ban Kiểm tra", "Inspection committee", ["UBKT"];
    }
}

text_enum! {
    /// How a cadre came to a position.
    PositionSource {
        /// Bầu: elected by a congress or a committee.
        Election = "election", "Bầu cử", "Election", ["bau"];
        /// Chỉ định: designated by the superior committee.
        Designation = "designation", "Chỉ định", "Designation", [];
        /// Bổ nhiệm: appointed.
        Appointment = "appointment", "Bổ nhiệm", "Appointment", [];
        /// Luân chuyển: rotated in from another post.
        Rotation = "rotation", "Luân chuyển", "Rotation", [];
    }
}

/// A term of office (nhiệm kỳ, khóa): the 14th term, 2020–2025.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Term {
    /// The ordinal of the term (khóa): 14 for khóa XIV.
    pub ordinal: u16,
    /// The year it starts.
    pub from_year: i16,
    /// The year it ends.
    pub to_year: i16,
}

impl Term {
    /// A term, checked: ordinal 1 to 100 and a span of 1 to 10 years.
    pub fn new(ordinal: u16, from_year: i16, to_year: i16) -> Result<Term, Invalid> {
        if !(1..=100).contains(&ordinal) || to_year <= from_year || to_year - from_year > 10 {
            return Err(Invalid::inconsistent(
                format!("Nhiệm kỳ khóa {ordinal} ({from_year}–{to_year}) không hợp lệ"),
                format!("Term {ordinal} ({from_year}–{to_year}) is not valid"),
            ));
        }
        Ok(Term {
            ordinal,
            from_year,
            to_year,
        })
    }

    /// `khóa XIV, nhiệm kỳ 2020–2025`.
    pub fn label_vi(&self) -> String {
        format!(
            "khóa {}, nhiệm kỳ {}–{}",
            roman(self.ordinal),
            self.from_year,
            self.to_year
        )
    }
}

/// Writes a term number in Roman numerals, as the party does: 14 → `XIV`.
pub fn roman(mut n: u16) -> String {
    const TABLE: &[(u16, &str)] = &[
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for &(value, numeral) in TABLE {
        while n >= value {
            out.push_str(numeral);
            n -= value;
        }
    }
    out
}

/// The title of a position: `Bí thư`, `Phó Bí thư Thường trực`, `Trưởng Ban Tổ chức`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Title(String);

impl Title {
    /// Parses a title: NFC, spaces collapsed, 1 to 150 characters.
    pub fn parse(s: &str) -> Result<Title, Invalid> {
        let nfc: String = s.nfc().collect();
        let t = nfc.split_whitespace().collect::<Vec<_>>().join(" ");
        if t.is_empty() {
            return Err(Invalid::Missing);
        }
        if t.chars().count() > 150 || t.chars().any(char::is_control) {
            return Err(Invalid::inconsistent(
                format!("Chức vụ «{t}» quá dài"),
                format!("Title «{t}» is too long"),
            ));
        }
        Ok(Title(t))
    }

    /// The title as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn romans() {
        assert_eq!(roman(14), "XIV");
        assert_eq!(roman(17), "XVII");
        assert_eq!(roman(13), "XIII");
        assert_eq!(roman(23), "XXIII");
        assert_eq!(
            Term::new(14, 2020, 2025).unwrap().label_vi(),
            "khóa XIV, nhiệm kỳ 2020–2025"
        );
        assert!(Term::new(14, 2025, 2020).is_err());
    }

    #[test]
    fn bodies_parse_from_abbreviations() {
        assert_eq!(BodyKind::parse_text("BTV"), Some(BodyKind::Standing));
        assert_eq!(BodyKind::parse_text("ban chap hanh"), Some(BodyKind::Executive));
        assert_eq!(
            PositionSource::parse_text("luân chuyển"),
            Some(PositionSource::Rotation)
        );
    }
}

/// The database id of a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BodyId(pub i64);
