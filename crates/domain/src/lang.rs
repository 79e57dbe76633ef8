//! The two interface languages and the validation error every parser in the domain returns.
//!
//! Messages are written for the people who typed the value: Vietnamese first, English on
//! request. Each variant also has a stable code so callers can match on it.

/// The language a message is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Tiếng Việt, the default.
    #[default]
    Vi,
    /// English.
    En,
}

impl Lang {
    /// Parses `vi` or `en` (any case); anything else is `None`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "vi" | "vi-vn" => Some(Lang::Vi),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }

    /// Picks the text for this language.
    pub fn pick<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }
}

/// Why a value was rejected. Each variant knows how to say so in both languages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    /// A required value is missing.
    #[error("missing")]
    Missing,
    /// A date that is not `dd/mm/yyyy` (or is not a real day).
    #[error("bad date {0:?}")]
    Date(String),
    /// A date written correctly that is not a day of the calendar (31/02).
    #[error("no such day {0:?}")]
    NoSuchDay(String),
    /// A date that lies outside the range that makes sense for the field.
    #[error("date out of range {0:?}")]
    DateRange(String),
    /// A personal name with characters a name cannot have, or too short or long.
    #[error("bad name {0:?}")]
    Name(String),
    /// A gender other than Nam or Nữ.
    #[error("bad gender {0:?}")]
    Gender(String),
    /// An ethnic group that is not one of Vietnam's 54 (or "nước ngoài").
    #[error("unknown ethnicity {0:?}")]
    Ethnicity(String),
    /// A citizen ID that is not 12 digits.
    #[error("bad citizen id {0:?}")]
    CitizenId(String),
    /// A party card number that is not 6 to 12 digits.
    #[error("bad card number {0:?}")]
    CardNumber(String),
    /// A phone number that is not a Vietnamese number.
    #[error("bad phone {0:?}")]
    Phone(String),
    /// An organization code with characters outside A–Z, 0–9, `-`, `_`, `.`.
    #[error("bad org code {0:?}")]
    OrgCode(String),
    /// An organization name that is empty or too long.
    #[error("bad org name {0:?}")]
    OrgName(String),
    /// An unknown kind of organization.
    #[error("bad org kind {0:?}")]
    OrgKind(String),
    /// An unknown administrative level.
    #[error("bad level {0:?}")]
    Level(String),
    /// A yes/no value that is neither.
    #[error("bad yes/no {0:?}")]
    YesNo(String),
    /// A document number that is not `number-kind/issuer` (`116-NQ/TU`) or a state number
    /// (`135/2020/NĐ-CP`).
    #[error("bad document number {0:?}")]
    DocumentNumber(String),
    /// A document number whose kind abbreviation is unknown (`08-DA/TU`).
    #[error("unknown document kind {kind:?} in {number:?}")]
    DocumentKind {
        /// The number as typed.
        number: String,
        /// The abbreviation that is not a kind.
        kind: String,
        /// The kind meant when D was typed for Đ (or Đ for D): `DA` → `ĐA`.
        suggestion: Option<crate::document::DocKind>,
    },
    /// A document number whose year is outside the years documents can carry.
    #[error("document year {year} out of range in {number:?}")]
    DocumentYear {
        /// The number as typed.
        number: String,
        /// The year written in it.
        year: u16,
    },
    /// Dates in the wrong order; the text names the rule broken.
    #[error("inconsistent: {vi}")]
    Inconsistent {
        /// Vietnamese explanation.
        vi: String,
        /// English explanation.
        en: String,
    },
}

impl Invalid {
    /// A stable machine-readable code for the error.
    pub fn code(&self) -> &'static str {
        match self {
            Invalid::Missing => "missing",
            Invalid::Date(_) => "date",
            Invalid::NoSuchDay(_) => "no_such_day",
            Invalid::DateRange(_) => "date_range",
            Invalid::Name(_) => "name",
            Invalid::Gender(_) => "gender",
            Invalid::Ethnicity(_) => "ethnicity",
            Invalid::CitizenId(_) => "citizen_id",
            Invalid::CardNumber(_) => "card_number",
            Invalid::Phone(_) => "phone",
            Invalid::OrgCode(_) => "org_code",
            Invalid::OrgName(_) => "org_name",
            Invalid::OrgKind(_) => "org_kind",
            Invalid::Level(_) => "level",
            Invalid::YesNo(_) => "yes_no",
            Invalid::DocumentNumber(_) => "document_number",
            Invalid::DocumentKind { .. } => "document_kind",
            Invalid::DocumentYear { .. } => "document_year",
            Invalid::Inconsistent { .. } => "inconsistent",
        }
    }

    /// Builds an [`Invalid::Inconsistent`] from its two texts.
    pub fn inconsistent(vi: impl Into<String>, en: impl Into<String>) -> Invalid {
        Invalid::Inconsistent {
            vi: vi.into(),
            en: en.into(),
        }
    }

    /// The message for a person, in the given language.
    pub fn message(&self, lang: Lang) -> String {
        use crate::document::{FIRST_YEAR, LAST_YEAR};
        use Invalid::*;
        match (self, lang) {
            (Missing, Lang::Vi) => "Thiếu giá trị bắt buộc".into(),
            (Missing, Lang::En) => "A required value is missing".into(),
            (Date(v), Lang::Vi) => format!("Ngày «{v}» không hợp lệ: cần dạng ngày/tháng/năm, ví dụ 15/11/2023"),
            (Date(v), Lang::En) => {
                format!("Date «{v}» is not valid: expected day/month/year, e.g. 15/11/2023")
            }
            (NoSuchDay(v), Lang::Vi) => format!("Ngày «{v}» không có trong lịch"),
            (NoSuchDay(v), Lang::En) => format!("«{v}» is not a day of the calendar"),
            (DateRange(v), Lang::Vi) => format!("Ngày «{v}» nằm ngoài khoảng hợp lý"),
            (DateRange(v), Lang::En) => format!("Date «{v}» is outside the sensible range"),
            (Name(v), Lang::Vi) => format!(
                "Họ và tên «{v}» không hợp lệ: cần ít nhất họ và tên, chỉ gồm chữ cái, dấu cách, dấu nháy hoặc gạch nối"
            ),
            (Name(v), Lang::En) => format!(
                "Name «{v}» is not valid: it needs at least a family and a given name, letters, spaces, apostrophes or hyphens only"
            ),
            (Gender(v), Lang::Vi) => format!("Giới tính «{v}» không hợp lệ: ghi «Nam» hoặc «Nữ»"),
            (Gender(v), Lang::En) => format!("Gender «{v}» is not valid: write «Nam» or «Nữ»"),
            (Ethnicity(v), Lang::Vi) => format!(
                "Dân tộc «{v}» không có trong danh mục 54 dân tộc Việt Nam (ví dụ: Kinh, Tày, Nùng, Dao, H'Mông)"
            ),
            (Ethnicity(v), Lang::En) => {
                format!("Ethnicity «{v}» is not one of Vietnam's 54 ethnic groups (e.g. Kinh, Tày, Nùng, Dao, H'Mông)")
            }
            (CitizenId(v), Lang::Vi) => format!("Số CCCD «{v}» không hợp lệ: cần đúng 12 chữ số"),
            (CitizenId(v), Lang::En) => {
                format!("Citizen ID «{v}» is not valid: it must be exactly 12 digits")
            }
            (CardNumber(v), Lang::Vi) => {
                format!("Số thẻ đảng viên «{v}» không hợp lệ: cần từ 6 đến 12 chữ số")
            }
            (CardNumber(v), Lang::En) => {
                format!("Party card number «{v}» is not valid: it must be 6 to 12 digits")
            }
            (Phone(v), Lang::Vi) => {
                format!("Số điện thoại «{v}» không hợp lệ: cần 10 chữ số bắt đầu bằng 0 (hoặc +84)")
            }
            (Phone(v), Lang::En) => {
                format!("Phone number «{v}» is not valid: it must be 10 digits starting with 0 (or +84)")
            }
            (OrgCode(v), Lang::Vi) => {
                format!("Mã tổ chức «{v}» không hợp lệ: chỉ dùng chữ A–Z, chữ số, dấu - _ . và dài tối đa 32 ký tự")
            }
            (OrgCode(v), Lang::En) => {
                format!("Organization code «{v}» is not valid: use A–Z, digits, - _ . and at most 32 characters")
            }
            (OrgName(v), Lang::Vi) => {
                format!("Tên tổ chức «{v}» không hợp lệ: không được để trống, tối đa 200 ký tự")
            }
            (OrgName(v), Lang::En) => {
                format!("Organization name «{v}» is not valid: not empty, at most 200 characters")
            }
            (OrgKind(v), Lang::Vi) => format!(
                "Loại tổ chức «{v}» không hợp lệ: đảng bộ tỉnh, đảng bộ cấp trên cơ sở, đảng bộ cơ sở, chi bộ cơ sở, đảng bộ bộ phận hoặc chi bộ trực thuộc"
            ),
            (OrgKind(v), Lang::En) => format!(
                "Organization kind «{v}» is not valid: provincial committee, upper-base committee, base committee, base cell, partial committee or subordinate cell"
            ),
            (Level(v), Lang::Vi) => {
                format!("Cấp «{v}» không hợp lệ: cấp tỉnh, cấp huyện hoặc cấp xã")
            }
            (Level(v), Lang::En) => {
                format!("Level «{v}» is not valid: province, district or commune")
            }
            (YesNo(v), Lang::Vi) => format!("Giá trị «{v}» không hợp lệ: ghi «Có» hoặc «Không»"),
            (YesNo(v), Lang::En) => format!("Value «{v}» is not valid: write «Có» or «Không»"),
            (DocumentNumber(v), Lang::Vi) => format!("Số, ký hiệu văn bản «{v}» không hợp lệ. {DOC_FORM_VI}"),
            (DocumentNumber(v), Lang::En) => format!("Document number «{v}» is not valid. {DOC_FORM_EN}"),
            (
                DocumentKind {
                    number,
                    kind,
                    suggestion,
                },
                _,
            ) => {
                let hint = match (suggestion, lang) {
                    (Some(s), Lang::Vi) => {
                        format!("; bạn có muốn viết «{}» ({})?", s.abbrev(), s.vi().to_lowercase())
                    }
                    (Some(s), Lang::En) => format!("; did you mean «{}» ({})?", s.abbrev(), s.en().to_lowercase()),
                    (None, _) => format!(" ({}).", doc_kinds()),
                };
                match lang {
                    Lang::Vi => format!("«{number}»: ký hiệu «{kind}» không phải loại văn bản{hint} {DOC_FORM_VI}"),
                    Lang::En => format!("«{number}»: «{kind}» is not a kind of document{hint} {DOC_FORM_EN}"),
                }
            }
            (DocumentYear { number, year }, Lang::Vi) => {
                format!("«{number}»: năm {year} không hợp lệ, cần từ {FIRST_YEAR} đến {LAST_YEAR}. {DOC_FORM_VI}")
            }
            (DocumentYear { number, year }, Lang::En) => format!(
                "«{number}»: the year {year} is not valid, it must be {FIRST_YEAR} to {LAST_YEAR}. {DOC_FORM_EN}"
            ),
            (Inconsistent { vi, .. }, Lang::Vi) => vi.clone(),
            (Inconsistent { en, .. }, Lang::En) => en.clone(),
        }
    }
}

/// How a document number is written, ending every document-number message.
const DOC_FORM_VI: &str =
    "Dạng đúng: số-loại/cơ quan ban hành, ví dụ 116-NQ/TU, 08-ĐA/TU, hoặc 135/2020/NĐ-CP; số có từ 1 đến 5 chữ số.";
/// The English of [`DOC_FORM_VI`].
const DOC_FORM_EN: &str =
    "Expected form: number-kind/issuer, e.g. 116-NQ/TU, 08-ĐA/TU, or 135/2020/NĐ-CP; the number has 1 to 5 digits.";

/// The known kind abbreviations, for messages: `NQ, ĐA, QĐ, …`.
fn doc_kinds() -> String {
    let all: Vec<&str> = crate::document::DocKind::ALL.iter().map(|k| k.abbrev()).collect();
    all.join(", ")
}

/// Parses a yes/no cell: `Có`, `x`, `1`, `yes` are yes; `Không`, empty, `0`, `no` are no.
pub fn parse_yes_no(s: &str) -> Result<bool, Invalid> {
    let folded = crate::name::fold(s);
    match folded.as_str() {
        "" | "khong" | "k" | "0" | "no" | "n" | "false" => Ok(false),
        "co" | "x" | "1" | "yes" | "y" | "true" => Ok(true),
        _ => Err(Invalid::YesNo(s.trim().to_string())),
    }
}
