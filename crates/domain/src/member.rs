//! Party members and the other people dangbo knows (outstanding non-members who study,
//! guests): the fields of a member record, how each is parsed from what a person typed,
//! and the rules that tie the dates together.

use crate::date::{Date, age_on, parse_date};
use crate::lang::{Invalid, Lang};
use crate::name::{PersonName, fold};
use crate::org::text_enum;

text_enum! {
    /// Gender as recorded in party records.
    Gender {
        /// Nam.
        Male = "male", "Nam", "Male", ["m"];
        /// Nữ.
        Female = "female", "Nữ", "Female", ["f", "nu gioi"];
    }
}

text_enum! {
    /// A member's standing on a day: probationary until recognized as a full member.
    MemberStatus {
        /// Đảng viên dự bị.
        Probationary = "probationary", "Dự bị", "Probationary", ["dang vien du bi"];
        /// Đảng viên chính thức.
        Full = "full", "Chính thức", "Full", ["dang vien chinh thuc"];
    }
}

text_enum! {
    /// What a person is to the party.
    PersonKind {
        /// Đảng viên.
        Member = "member", "Đảng viên", "Party member", ["dv"];
        /// Quần chúng ưu tú: an outstanding non-member who studies with the party.
        Outstanding = "outstanding", "Quần chúng ưu tú", "Outstanding non-member", ["qcut"];
        /// Khách mời.
        Guest = "guest", "Khách mời", "Guest", [];
    }
}

/// Vietnam's 54 ethnic groups, by their official names, and "Nước ngoài" for foreigners.
pub const ETHNIC_GROUPS: &[&str] = &[
    "Kinh",
    "Tày",
    "Thái",
    "Mường",
    "Khmer",
    "Hoa",
    "Nùng",
    "H'Mông",
    "Dao",
    "Gia Rai",
    "Ê Đê",
    "Ba Na",
    "Xơ Đăng",
    "Sán Chay",
    "Cơ Ho",
    "Chăm",
    "Sán Dìu",
    "Hrê",
    "Mnông",
    "Ra Glai",
    "Xtiêng",
    "Bru-Vân Kiều",
    "Thổ",
    "Giáy",
    "Cơ Tu",
    "Giẻ Triêng",
    "Mạ",
    "Khơ Mú",
    "Co",
    "Tà Ôi",
    "Chơ Ro",
    "Kháng",
    "Xinh Mun",
    "Hà Nhì",
    "Chu Ru",
    "Lào",
    "La Chí",
    "La Ha",
    "Phù Lá",
    "La Hủ",
    "Lự",
    "Lô Lô",
    "Chứt",
    "Mảng",
    "Pà Thẻn",
    "Cơ Lao",
    "Cống",
    "Bố Y",
    "Si La",
    "Pu Péo",
    "Brâu",
    "Ơ Đu",
    "Rơ Măm",
    "Ngái",
    "Nước ngoài",
];

/// Other names people write for the same groups.
const ETHNIC_ALIASES: &[(&str, &str)] = &[
    ("Mông", "H'Mông"),
    ("Hmong", "H'Mông"),
    ("Mèo", "H'Mông"),
    ("Việt", "Kinh"),
    ("Khơ Me", "Khmer"),
    ("Jrai", "Gia Rai"),
    ("Ê-đê", "Ê Đê"),
    ("Bahnar", "Ba Na"),
    ("Cao Lan", "Sán Chay"),
    ("Sán Chỉ", "Sán Chay"),
    ("Vân Kiều", "Bru-Vân Kiều"),
];

/// One of the groups in [`ETHNIC_GROUPS`], by its official name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ethnicity(&'static str);

impl Ethnicity {
    /// Every group, in the official order (Kinh first).
    pub fn all() -> impl Iterator<Item = Ethnicity> {
        ETHNIC_GROUPS.iter().map(|g| Ethnicity(g))
    }

    /// Parses a name, ignoring case, diacritics, spaces and punctuation, and accepting
    /// common other names (`Mông` is `H'Mông`).
    pub fn parse(s: &str) -> Result<Ethnicity, Invalid> {
        fn key(t: &str) -> String {
            fold(t).replace(' ', "")
        }
        // The folded forms of every official name and alias, made once.
        static KEYS: std::sync::OnceLock<Vec<(String, &'static str)>> = std::sync::OnceLock::new();
        let keys = KEYS.get_or_init(|| {
            let official = ETHNIC_GROUPS.iter().map(|g| (key(g), *g));
            let aliases = ETHNIC_ALIASES
                .iter()
                .filter_map(|(alias, name)| ETHNIC_GROUPS.iter().find(|g| *g == name).map(|g| (key(alias), *g)));
            official.chain(aliases).collect()
        });
        let k = key(s);
        if k.is_empty() {
            return Err(Invalid::Missing);
        }
        let k = k.strip_prefix("dantoc").unwrap_or(&k);
        keys.iter()
            .find(|(key, _)| key == k)
            .map(|(_, g)| Ethnicity(g))
            .ok_or_else(|| Invalid::Ethnicity(s.trim().to_string()))
    }

    /// The official name.
    pub fn name(self) -> &'static str {
        self.0
    }

    /// Whether the group is an ethnic minority (every group but Kinh and foreigners).
    pub fn is_minority(self) -> bool {
        !matches!(self.0, "Kinh" | "Nước ngoài")
    }
}

/// A 12-digit citizen identity number (số định danh cá nhân, CCCD).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CitizenId(String);

impl CitizenId {
    /// Parses 12 digits; spaces and dots between them are dropped.
    pub fn parse(s: &str) -> Result<CitizenId, Invalid> {
        let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '.')).collect();
        if digits.is_empty() {
            return Err(Invalid::Missing);
        }
        if digits.len() == 12 && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(CitizenId(digits))
        } else {
            Err(Invalid::CitizenId(s.trim().to_string()))
        }
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A party card number (số thẻ đảng viên): 6 to 12 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CardNumber(String);

impl CardNumber {
    /// Parses 6 to 12 digits; spaces and dots between them are dropped.
    pub fn parse(s: &str) -> Result<CardNumber, Invalid> {
        let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '.')).collect();
        if digits.is_empty() {
            return Err(Invalid::Missing);
        }
        if (6..=12).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(CardNumber(digits))
        } else {
            Err(Invalid::CardNumber(s.trim().to_string()))
        }
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A Vietnamese phone number, kept in the national form `0912345678`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Phone(String);

impl Phone {
    /// Parses `0912 345 678`, `0912.345.678` or `+84 912 345 678`.
    pub fn parse(s: &str) -> Result<Phone, Invalid> {
        let compact: String = s
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')'))
            .collect();
        if compact.is_empty() {
            return Err(Invalid::Missing);
        }
        let national = if let Some(rest) = compact.strip_prefix("+84") {
            format!("0{rest}")
        } else if compact.len() == 9 && !compact.starts_with('0') {
            // Spreadsheets drop the leading zero of numbers stored as numbers.
            format!("0{compact}")
        } else {
            compact
        };
        if national.len() == 10 && national.starts_with('0') && national.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Phone(national))
        } else {
            Err(Invalid::Phone(s.trim().to_string()))
        }
    }

    /// The number in national form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The fields of a member record, as they appear as columns of an import or export file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MemberField {
    /// Đối tượng: party member, outstanding non-member or guest (members if absent).
    Kind,
    /// Họ và tên.
    FullName,
    /// Ngày sinh.
    BirthDate,
    /// Giới tính.
    Gender,
    /// Dân tộc.
    Ethnicity,
    /// Số CCCD.
    CitizenId,
    /// Số thẻ đảng viên.
    CardNumber,
    /// Ngày vào Đảng.
    AdmittedOn,
    /// Ngày chính thức.
    FullOn,
    /// Miễn sinh hoạt.
    Exempt,
    /// Số điện thoại.
    Phone,
    /// Mã chi bộ: the code of the member's organization.
    OrgCode,
    /// Chi bộ: the name of the member's organization.
    OrgName,
}

impl MemberField {
    /// Every field, in the column order of an export.
    pub const ALL: &'static [MemberField] = &[
        MemberField::FullName,
        MemberField::Kind,
        MemberField::BirthDate,
        MemberField::Gender,
        MemberField::Ethnicity,
        MemberField::CitizenId,
        MemberField::CardNumber,
        MemberField::AdmittedOn,
        MemberField::FullOn,
        MemberField::Exempt,
        MemberField::Phone,
        MemberField::OrgCode,
        MemberField::OrgName,
    ];

    /// The column header, in a language.
    pub fn header(self, lang: Lang) -> &'static str {
        use MemberField::*;
        let (vi, en) = match self {
            Kind => ("Đối tượng", "Person kind"),
            FullName => ("Họ và tên", "Full name"),
            BirthDate => ("Ngày sinh", "Date of birth"),
            Gender => ("Giới tính", "Gender"),
            Ethnicity => ("Dân tộc", "Ethnicity"),
            CitizenId => ("Số CCCD", "Citizen ID"),
            CardNumber => ("Số thẻ đảng viên", "Party card number"),
            AdmittedOn => ("Ngày vào Đảng", "Date of admission"),
            FullOn => ("Ngày chính thức", "Date made full member"),
            Exempt => ("Miễn sinh hoạt", "Exempted from activities"),
            Phone => ("Số điện thoại", "Phone"),
            OrgCode => ("Mã chi bộ", "Organization code"),
            OrgName => ("Chi bộ", "Organization"),
        };
        lang.pick(vi, en)
    }

    /// The short English identifier used in mapping files: `full_name`, `birth_date`, ….
    pub fn id(self) -> &'static str {
        use MemberField::*;
        match self {
            Kind => "kind",
            FullName => "full_name",
            BirthDate => "birth_date",
            Gender => "gender",
            Ethnicity => "ethnicity",
            CitizenId => "citizen_id",
            CardNumber => "card_number",
            AdmittedOn => "admitted_on",
            FullOn => "full_on",
            Exempt => "exempt",
            Phone => "phone",
            OrgCode => "org_code",
            OrgName => "org_name",
        }
    }

    /// Other headers that offices use for the same column.
    fn aliases(self) -> &'static [&'static str] {
        use MemberField::*;
        match self {
            Kind => &["Loại đối tượng", "Phân loại", "Đảng viên/Quần chúng"],
            FullName => &["Họ tên", "Họ và tên đảng viên", "Họ và tên khai sinh", "Tên đảng viên"],
            BirthDate => &["Sinh ngày", "Ngày tháng năm sinh", "Năm sinh"],
            Gender => &["Nam/Nữ", "Giới"],
            Ethnicity => &["Dân tộc"],
            CitizenId => &[
                "CCCD",
                "Căn cước công dân",
                "Số căn cước",
                "Số căn cước công dân",
                "Số định danh",
                "Số định danh cá nhân",
                "CMND/CCCD",
            ],
            CardNumber => &["Số thẻ", "Số thẻ ĐV", "Số thẻ Đảng", "Thẻ đảng viên"],
            AdmittedOn => &[
                "Ngày kết nạp",
                "Ngày vào đảng",
                "Ngày kết nạp Đảng",
                "Kết nạp",
                "Kết nạp Đảng",
                "Ngày KN",
            ],
            FullOn => &["Ngày công nhận chính thức", "Ngày chuyển chính thức"],
            Exempt => &["Miễn SH", "Miễn sinh hoạt đảng"],
            Phone => &["Điện thoại", "SĐT", "Số ĐT"],
            OrgCode => &["Mã tổ chức", "Mã tổ chức đảng", "Mã đơn vị"],
            OrgName => &["Tổ chức đảng", "Chi bộ sinh hoạt", "Đơn vị", "Tên chi bộ"],
        }
    }

    /// Finds the field a column header names, ignoring case, diacritics and punctuation;
    /// the field's id (`full_name`) is accepted too.
    pub fn from_header(header: &str) -> Option<MemberField> {
        let h = fold(header);
        if h.is_empty() {
            return None;
        }
        MemberField::ALL.iter().copied().find(|f| {
            fold(f.header(Lang::Vi)) == h
                || fold(f.header(Lang::En)) == h
                || fold(f.id()) == h
                || f.aliases().iter().any(|a| fold(a) == h)
        })
    }
}

/// A validated record of a person: what a form or an import row becomes once every field
/// parsed. Party members carry their admission; outstanding non-members and guests carry
/// none of the party fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRecord {
    /// Member, outstanding non-member or guest.
    pub kind: PersonKind,
    /// Full name.
    pub name: PersonName,
    /// Gender.
    pub gender: Gender,
    /// Date of birth.
    pub birth_date: Date,
    /// Ethnic group.
    pub ethnicity: Ethnicity,
    /// Citizen ID, if known.
    pub citizen_id: Option<CitizenId>,
    /// Party card number, if issued.
    pub card_number: Option<CardNumber>,
    /// Date of admission to the party (members only).
    pub admitted_on: Option<Date>,
    /// Date made a full member, once recognized.
    pub full_on: Option<Date>,
    /// Exempted from party activities (miễn sinh hoạt).
    pub exempt: bool,
    /// Phone number, if given.
    pub phone: Option<Phone>,
}

impl PersonRecord {
    /// The member's status on day `on`.
    pub fn status_on(&self, on: Date) -> MemberStatus {
        status_on(self.full_on, on)
    }

    /// Checks the rules that tie the fields together, as of `today`. Each broken rule is
    /// returned with the field it is reported against.
    pub fn check(&self, today: Date) -> Vec<(MemberField, Invalid)> {
        let mut out = Vec::new();
        let d = crate::date::short;
        if self.birth_date > today || self.birth_date.year() < 1900 {
            out.push((MemberField::BirthDate, Invalid::DateRange(d(self.birth_date))));
        }
        if self.kind != PersonKind::Member {
            let kind = self.kind;
            let not_for = |field: MemberField| {
                (
                    field,
                    Invalid::inconsistent(
                        format!("{} không có «{}»", kind.vi(), field.header(Lang::Vi)),
                        format!("An {} has no «{}»", kind.en().to_lowercase(), field.header(Lang::En)),
                    ),
                )
            };
            if self.admitted_on.is_some() {
                out.push(not_for(MemberField::AdmittedOn));
            }
            if self.full_on.is_some() {
                out.push(not_for(MemberField::FullOn));
            }
            if self.card_number.is_some() {
                out.push(not_for(MemberField::CardNumber));
            }
            if self.exempt {
                out.push(not_for(MemberField::Exempt));
            }
            return out;
        }
        let Some(admitted) = self.admitted_on else {
            out.push((MemberField::AdmittedOn, Invalid::Missing));
            return out;
        };
        if admitted > today {
            out.push((
                MemberField::AdmittedOn,
                Invalid::inconsistent(
                    format!("Ngày vào Đảng {} ở sau ngày hôm nay", d(admitted)),
                    format!("Date of admission {} is in the future", d(admitted)),
                ),
            ));
        }
        if age_on(self.birth_date, admitted) < 18 {
            out.push((
                MemberField::AdmittedOn,
                Invalid::inconsistent(
                    format!(
                        "Ngày vào Đảng {} khi chưa đủ 18 tuổi (sinh ngày {})",
                        d(admitted),
                        d(self.birth_date)
                    ),
                    format!(
                        "Admitted on {} before the age of 18 (born {})",
                        d(admitted),
                        d(self.birth_date)
                    ),
                ),
            ));
        }
        if let Some(full) = self.full_on {
            let earliest = admitted.saturating_add(jiff::Span::new().years(1));
            if full < earliest {
                out.push((
                    MemberField::FullOn,
                    Invalid::inconsistent(
                        format!(
                            "Ngày chính thức {} chưa đủ 12 tháng dự bị kể từ ngày vào Đảng {}",
                            d(full),
                            d(admitted)
                        ),
                        format!(
                            "Made full member on {}, less than the 12 months of probation after admission on {}",
                            d(full),
                            d(admitted)
                        ),
                    ),
                ));
            }
            if full > today {
                out.push((MemberField::FullOn, Invalid::DateRange(d(full))));
            }
        }
        out
    }
}

/// The status on day `on` of a member made full on `full_on`.
pub fn status_on(full_on: Option<Date>, on: Date) -> MemberStatus {
    match full_on {
        Some(f) if f <= on => MemberStatus::Full,
        _ => MemberStatus::Probationary,
    }
}

/// Parses a gender cell.
pub fn parse_gender(s: &str) -> Result<Gender, Invalid> {
    if s.trim().is_empty() {
        return Err(Invalid::Missing);
    }
    Gender::parse_text(s).ok_or_else(|| Invalid::Gender(s.trim().to_string()))
}

/// Parses an optional date cell: empty is `None`.
pub fn parse_optional_date(s: &str) -> Result<Option<Date>, Invalid> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        parse_date(s).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ethnicities_by_any_spelling() {
        assert_eq!(Ethnicity::parse("tay").unwrap().name(), "Tày");
        assert_eq!(Ethnicity::parse("NÙNG").unwrap().name(), "Nùng");
        assert_eq!(Ethnicity::parse("Mông").unwrap().name(), "H'Mông");
        assert_eq!(Ethnicity::parse("H'mong").unwrap().name(), "H'Mông");
        assert_eq!(Ethnicity::parse("Dân tộc Sán Chay").unwrap().name(), "Sán Chay");
        assert!(Ethnicity::parse("Klingon").is_err());
        assert_eq!(ETHNIC_GROUPS.len(), 55);
        assert!(!Ethnicity::parse("Kinh").unwrap().is_minority());
        assert!(Ethnicity::parse("Dao").unwrap().is_minority());
    }

    #[test]
    fn identity_numbers() {
        assert_eq!(CitizenId::parse("020 085 012 345").unwrap().as_str(), "020085012345");
        assert!(CitizenId::parse("12345").is_err());
        assert_eq!(CardNumber::parse("52.012345").unwrap().as_str(), "52012345");
        assert!(CardNumber::parse("AB1234").is_err());
        assert_eq!(Phone::parse("+84 912 345 678").unwrap().as_str(), "0912345678");
        assert_eq!(Phone::parse("912345678").unwrap().as_str(), "0912345678");
        assert!(Phone::parse("12345").is_err());
    }

    #[test]
    fn headers_match_loosely() {
        assert_eq!(MemberField::from_header("HỌ VÀ TÊN"), Some(MemberField::FullName));
        assert_eq!(MemberField::from_header("ho ten"), Some(MemberField::FullName));
        assert_eq!(MemberField::from_header("Ngày kết nạp"), Some(MemberField::AdmittedOn));
        assert_eq!(
            MemberField::from_header("Số thẻ đảng viên"),
            Some(MemberField::CardNumber)
        );
        assert_eq!(MemberField::from_header("Chi bộ"), Some(MemberField::OrgName));
        assert_eq!(MemberField::from_header("card_number"), Some(MemberField::CardNumber));
        assert_eq!(MemberField::from_header("Sở thích"), None);
    }

    fn record() -> PersonRecord {
        PersonRecord {
            kind: PersonKind::Member,
            name: PersonName::parse("Hoàng Văn Chính").unwrap(),
            gender: Gender::Male,
            birth_date: Date::constant(1980, 5, 1),
            ethnicity: Ethnicity::parse("Tày").unwrap(),
            citizen_id: None,
            card_number: CardNumber::parse("20012345").ok(),
            admitted_on: Some(Date::constant(2005, 3, 2)),
            full_on: Some(Date::constant(2006, 3, 2)),
            exempt: false,
            phone: None,
        }
    }

    #[test]
    fn date_rules() {
        let today = Date::constant(2026, 11, 21);
        assert!(record().check(today).is_empty());
        let mut young = record();
        young.admitted_on = Some(Date::constant(1997, 1, 1));
        young.full_on = Some(Date::constant(1998, 1, 1));
        assert_eq!(young.check(today)[0].0, MemberField::AdmittedOn);
        let mut early = record();
        early.full_on = Some(Date::constant(2005, 9, 1));
        assert_eq!(early.check(today)[0].0, MemberField::FullOn);
        assert_eq!(
            record().status_on(Date::constant(2005, 12, 1)),
            MemberStatus::Probationary
        );
        assert_eq!(record().status_on(Date::constant(2006, 3, 2)), MemberStatus::Full);
        let mut guest = record();
        guest.kind = PersonKind::Outstanding;
        let fields: Vec<MemberField> = guest.check(today).into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            [MemberField::AdmittedOn, MemberField::FullOn, MemberField::CardNumber]
        );
        guest.admitted_on = None;
        guest.full_on = None;
        guest.card_number = None;
        assert!(guest.check(today).is_empty());
        let mut member = record();
        member.admitted_on = None;
        assert_eq!(member.check(today), [(MemberField::AdmittedOn, Invalid::Missing)]);
    }
}

/// The database id of a person (member or not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonId(pub i64);
