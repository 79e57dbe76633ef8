//! The party organization tree: codes, names, kinds, levels and the materialized path that
//! locates a node in the tree on a given day.
//!
//! Representation: every organization has versions, each valid for a half-open range of
//! days, and each version stores its materialized path of ancestor ids (`/1/14/230/`).
//! "Everything under X on day D" is then one range scan over an index on the path
//! (`path >= '/1/14/' AND path < '/1/140'`), filtered to versions valid on D. We chose
//! this over a closure table (one row per ancestor pair: about 2 million rows for a
//! national tree of 300,000 nodes five deep, and every move rewrites all of them) and
//! over nested intervals (every insertion renumbers its neighbours, and dated history
//! would need a numbering per day). Paths change only when a node moves; the move closes
//! the versions of the node and its descendants and opens new ones with the new path,
//! so the tree of any past day is still there to query.

use crate::Date;
use crate::lang::Invalid;
use unicode_normalization::UnicodeNormalization;

/// The database id of an organization; stable across renames and moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrgId(pub i64);

/// A short code that identifies an organization in files and commands: `LS`, `LS.CL.QL`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrgCode(String);

impl OrgCode {
    /// Parses a code: letters A–Z (lower case is raised), digits, `-`, `_`, `.`; 1 to 32.
    pub fn parse(s: &str) -> Result<OrgCode, Invalid> {
        let t = s.trim().to_ascii_uppercase();
        if t.is_empty() {
            return Err(Invalid::Missing);
        }
        let ok = t.len() <= 32
            && t.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b"-_.".contains(&b));
        if ok {
            Ok(OrgCode(t))
        } else {
            Err(Invalid::OrgCode(s.trim().to_string()))
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for OrgCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The Vietnamese name of an organization: `Đảng bộ Văn phòng UBND tỉnh`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrgName(String);

impl OrgName {
    /// Parses a name: NFC, spaces collapsed, 1 to 200 characters, no control characters.
    pub fn parse(s: &str) -> Result<OrgName, Invalid> {
        let nfc: String = s.nfc().collect();
        let t = nfc.split_whitespace().collect::<Vec<_>>().join(" ");
        if t.is_empty() {
            return Err(Invalid::Missing);
        }
        if t.chars().count() > 200 || t.chars().any(char::is_control) || !t.chars().any(char::is_alphabetic) {
            return Err(Invalid::OrgName(s.trim().to_string()));
        }
        Ok(OrgName(t))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for OrgName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal, $vi:literal, $en:literal, [$($alias:literal),*];)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stable code stored in the database.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            /// The Vietnamese label.
            pub fn vi(self) -> &'static str {
                match self { $($name::$variant => $vi,)+ }
            }

            /// The English label.
            pub fn en(self) -> &'static str {
                match self { $($name::$variant => $en,)+ }
            }

            /// The label in a language.
            pub fn label(self, lang: $crate::lang::Lang) -> &'static str {
                lang.pick(self.vi(), self.en())
            }

            /// Reads a stored code.
            pub fn from_code(code: &str) -> Option<$name> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }

            /// Parses what a person typed: the code, the Vietnamese or English label, or a
            /// common abbreviation, ignoring case and diacritics.
            pub fn parse_text(s: &str) -> Option<$name> {
                // The folded forms of every accepted spelling, made once.
                static KEYS: std::sync::OnceLock<Vec<(String, $name)>> = std::sync::OnceLock::new();
                let keys = KEYS.get_or_init(|| {
                    let mut keys = Vec::new();
                    $(
                        for text in [$code, $vi, $en $(, $alias)*] {
                            keys.push(($crate::name::fold(text), $name::$variant));
                        }
                    )+
                    keys
                });
                let f = $crate::name::fold(s);
                keys.iter().find(|(k, _)| *k == f).map(|(_, v)| *v)
            }
        }
    };
}
pub(crate) use text_enum;

text_enum! {
    /// The kinds of node in the party tree.
    OrgKind {
        /// The party as a whole (Trung ương), the root of a national installation.
        Central = "central", "Trung ương Đảng", "Party centre", ["trung uong"];
        /// Đảng bộ tỉnh (or thành phố trực thuộc Trung ương).
        Provincial = "provincial", "Đảng bộ tỉnh", "Provincial party committee", ["DBT", "tinh uy"];
        /// Đảng bộ cấp trên cơ sở: a district, a bloc, the post-2025 provincial committees.
        UpperBase = "upper_base", "Đảng bộ cấp trên cơ sở", "Upper-base party committee", ["cap tren co so"];
        /// Đảng bộ cơ sở: a commune or an agency with its own cells.
        BaseCommittee = "base_committee", "Đảng bộ cơ sở", "Base party committee", ["DBCS"];
        /// Chi bộ cơ sở: a base organization that is a single cell.
        BaseCell = "base_cell", "Chi bộ cơ sở", "Base party cell", ["CBCS"];
        /// Đảng bộ bộ phận: a division inside a base committee.
        PartialCommittee = "partial_committee", "Đảng bộ bộ phận", "Partial party committee", ["DBBP"];
        /// Chi bộ trực thuộc: a cell under a base or partial committee.
        SubordinateCell = "cell", "Chi bộ trực thuộc", "Subordinate party cell", ["CBTT"];
    }
}

impl OrgKind {
    /// Whether a node of this kind may have a child of `child` kind.
    pub fn may_contain(self, child: OrgKind) -> bool {
        use OrgKind::*;
        match self {
            Central => matches!(child, Provincial | UpperBase | BaseCommittee),
            Provincial => matches!(child, UpperBase | BaseCommittee | BaseCell),
            UpperBase => matches!(child, UpperBase | BaseCommittee | BaseCell),
            BaseCommittee => matches!(child, PartialCommittee | SubordinateCell),
            PartialCommittee => matches!(child, SubordinateCell),
            BaseCell | SubordinateCell => false,
        }
    }

    /// Whether members are placed directly in nodes of this kind (cells), rather than in
    /// the cells below them.
    pub fn is_cell(self) -> bool {
        matches!(self, OrgKind::BaseCell | OrgKind::SubordinateCell)
    }

    /// A base organization (tổ chức cơ sở đảng): the unit counted in "100% tổ chức cơ sở
    /// đảng".
    pub fn is_base(self) -> bool {
        matches!(self, OrgKind::BaseCommittee | OrgKind::BaseCell)
    }
}

/// The day local government was reorganized (Resolution 202/2025/QH15): the district
/// level ended and communes merged; the party organization followed.
pub const REORGANIZATION_2025: Date = Date::constant(2025, 7, 1);

text_enum! {
    /// The administrative level an organization counts at. The district level was
    /// abolished on 1/7/2025; history keeps it.
    Level {
        /// Cấp tỉnh.
        Province = "province", "Cấp tỉnh", "Province", ["tinh"];
        /// Cấp huyện.
        District = "district", "Cấp huyện", "District", ["huyen"];
        /// Cấp xã.
        Commune = "commune", "Cấp xã", "Commune", ["xa"];
    }
}

impl Level {
    /// Whether an organization at this level may be under one at `parent`'s level: a node
    /// never counts at a higher level than its parent (a province-level cell under a
    /// commune committee is a mistake).
    pub fn may_be_under(self, parent: Level) -> bool {
        self >= parent
    }
}

/// The materialized path of a node on a day: the ids from the root down to the node,
/// each closed by `/`, such as `/1/14/230/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrgPath(String);

impl OrgPath {
    /// The path of a root node.
    pub fn root(id: OrgId) -> OrgPath {
        OrgPath(format!("/{}/", id.0))
    }

    /// The path of a child of this node.
    pub fn child(&self, id: OrgId) -> OrgPath {
        OrgPath(format!("{}{}/", self.0, id.0))
    }

    /// Reads a stored path, checking its shape.
    pub fn parse(s: &str) -> Option<OrgPath> {
        let inner = s.strip_prefix('/')?.strip_suffix('/')?;
        let ok = !inner.is_empty()
            && inner
                .split('/')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        ok.then(|| OrgPath(s.to_string()))
    }

    /// The path as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The ids from the root down to this node.
    pub fn ids(&self) -> Vec<OrgId> {
        self.0
            .split('/')
            .filter(|p| !p.is_empty())
            .filter_map(|p| p.parse().ok().map(OrgId))
            .collect()
    }

    /// How many nodes deep: a root is 1.
    pub fn depth(&self) -> usize {
        self.0.matches('/').count() - 1
    }

    /// The node just below the root on this path (a province, in a nation's tree); `None`
    /// for a root.
    pub fn top(&self) -> Option<OrgId> {
        self.ids().get(1).copied()
    }

    /// Whether `other` is this node or lies beneath it.
    pub fn contains(&self, other: &OrgPath) -> bool {
        other.0.starts_with(&self.0)
    }

    /// The half-open text range `[lo, hi)` that holds exactly this node and its
    /// descendants in byte order: `/1/14/` to `/1/140` (`0` follows `/` in ASCII).
    pub fn subtree_range(&self) -> (String, String) {
        let lo = self.0.clone();
        let mut hi = self.0.clone();
        hi.pop();
        hi.push('0');
        (lo, hi)
    }

    /// This path with the prefix `from` replaced by `to` (used when a subtree moves).
    pub fn rebase(&self, from: &OrgPath, to: &OrgPath) -> Option<OrgPath> {
        self.0
            .strip_prefix(&from.0)
            .map(|rest| OrgPath(format!("{}{}", to.0, rest)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn codes_and_names() {
        assert_eq!(OrgCode::parse(" ls.cl-01 ").unwrap().as_str(), "LS.CL-01");
        assert!(OrgCode::parse("LS/CL").is_err());
        assert!(OrgCode::parse("Đ1").is_err());
        assert_eq!(
            OrgName::parse("  Đảng bộ   xã  Quang Lang ").unwrap().as_str(),
            "Đảng bộ xã Quang Lang"
        );
        assert!(OrgName::parse("   ").is_err());
    }

    #[test]
    fn kinds_parse_from_what_people_write() {
        assert_eq!(OrgKind::parse_text("chi bộ cơ sở"), Some(OrgKind::BaseCell));
        assert_eq!(OrgKind::parse_text("Dang bo co so"), Some(OrgKind::BaseCommittee));
        assert_eq!(OrgKind::parse_text("cell"), Some(OrgKind::SubordinateCell));
        assert_eq!(
            OrgKind::parse_text("chi bộ"),
            None,
            "ambiguous: chi bộ cơ sở or trực thuộc"
        );
        assert_eq!(Level::parse_text("cấp xã"), Some(Level::Commune));
        assert_eq!(Level::parse_text("xã"), Some(Level::Commune));
        assert_eq!(OrgKind::parse_text("hợp tác xã"), None);
    }

    #[test]
    fn subtree_range_holds_exactly_the_subtree() {
        let p = OrgPath::parse("/1/14/").unwrap();
        let (lo, hi) = p.subtree_range();
        let inside = |s: &str| s >= lo.as_str() && s < hi.as_str();
        assert!(inside("/1/14/"));
        assert!(inside("/1/14/230/"));
        assert!(!inside("/1/140/"));
        assert!(!inside("/1/141/2/"));
        assert!(!inside("/1/13/"));
        assert!(!inside("/1/"));
    }

    proptest! {
        #[test]
        fn range_and_prefix_agree(a in proptest::collection::vec(1i64..200, 1..5), b in proptest::collection::vec(1i64..200, 1..5)) {
            let mk = |ids: &[i64]| ids.iter().skip(1).fold(OrgPath::root(OrgId(ids[0])), |p, i| p.child(OrgId(*i)));
            let (pa, pb) = (mk(&a), mk(&b));
            let (lo, hi) = pa.subtree_range();
            let in_range = pb.as_str() >= lo.as_str() && pb.as_str() < hi.as_str();
            prop_assert_eq!(in_range, pa.contains(&pb));
            prop_assert_eq!(pa.contains(&pb), b.starts_with(&a));
        }
    }
}
