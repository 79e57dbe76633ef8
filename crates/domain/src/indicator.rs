//! Indicators (chỉ tiêu) that measure a resolution's targets: what each counts, in words
//! a user can read, how a value compares with its target, and the status of a target
//! against its deadline (reached, on track, at risk, missed).

use crate::number::ratio_cut;
use crate::{Date, Lang};

/// The indicators dangbo computes from its own records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Indicator {
    /// The share of young members in the executive committees at a level.
    YoungCommitteeShare,
    /// The share of young cadres among the appointments of a period.
    YoungAppointmentShare,
    /// The share of rotations among the cadres who took up a post in a period.
    RotationShare,
    /// The share of women in the executive committees at a level.
    WomenCommitteeShare,
    /// The share of ethnic-minority members in the executive committees at a level.
    MinorityCommitteeShare,
    /// The share of members who studied the document, in its latest study campaign.
    StudyCoverage,
}

impl Indicator {
    /// Every computed indicator.
    pub const ALL: [Indicator; 6] = [
        Indicator::YoungCommitteeShare,
        Indicator::YoungAppointmentShare,
        Indicator::RotationShare,
        Indicator::WomenCommitteeShare,
        Indicator::MinorityCommitteeShare,
        Indicator::StudyCoverage,
    ];

    /// The stored code, as a target names its indicator.
    pub fn code(self) -> &'static str {
        match self {
            Indicator::YoungCommitteeShare => "young_committee_share",
            Indicator::YoungAppointmentShare => "young_appointment_share",
            Indicator::RotationShare => "rotation_share",
            Indicator::WomenCommitteeShare => "women_committee_share",
            Indicator::MinorityCommitteeShare => "minority_committee_share",
            Indicator::StudyCoverage => "study_coverage",
        }
    }

    /// From the stored code.
    pub fn from_code(code: &str) -> Option<Indicator> {
        Indicator::ALL.into_iter().find(|i| i.code() == code.trim())
    }

    /// Its name.
    pub fn name(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Indicator::YoungCommitteeShare, Lang::Vi) => "Tỷ lệ cán bộ trẻ trong cấp ủy",
            (Indicator::YoungAppointmentShare, Lang::Vi) => "Tỷ lệ cán bộ trẻ được bổ nhiệm",
            (Indicator::RotationShare, Lang::Vi) => "Tỷ lệ cán bộ luân chuyển",
            (Indicator::YoungCommitteeShare, Lang::En) => "Young members of party committees",
            (Indicator::YoungAppointmentShare, Lang::En) => "Young cadres among appointments",
            (Indicator::RotationShare, Lang::En) => "Cadres rotated",
            (Indicator::WomenCommitteeShare, Lang::Vi) => "Tỷ lệ nữ trong cấp ủy",
            (Indicator::WomenCommitteeShare, Lang::En) => "Women in party committees",
            (Indicator::MinorityCommitteeShare, Lang::Vi) => "Tỷ lệ cán bộ dân tộc thiểu số trong cấp ủy",
            (Indicator::MinorityCommitteeShare, Lang::En) => "Ethnic-minority members of party committees",
            (Indicator::StudyCoverage, Lang::Vi) => "Tỷ lệ đảng viên được học tập, quán triệt",
            (Indicator::StudyCoverage, Lang::En) => "Members who studied the resolution",
        }
    }

    /// What is counted, in words: the formula a user reads beside the value. `young` is
    /// the ages under which a cadre is young at province and district level, and at
    /// commune level, in the rule set in force.
    pub fn definition(self, lang: Lang, young: (u32, u32)) -> String {
        let (upper, commune) = young;
        let text = match (self, lang) {
            (Indicator::YoungCommitteeShare, Lang::Vi) => {
                "Số ủy viên ban chấp hành còn trẻ ÷ tổng số ủy viên ban chấp hành của các đảng bộ ở cấp đó, \
                 tính những người giữ chức vụ vào ngày xem. Trẻ: dưới {upper} tuổi ở cấp tỉnh, cấp huyện; dưới {commune} tuổi \
                 ở cấp xã, tính đến ngày xem."
            }
            (Indicator::YoungAppointmentShare, Lang::Vi) => {
                "Số lượt bổ nhiệm cán bộ trẻ ÷ tổng số lượt bổ nhiệm vào các chức vụ ở các cấp đó, từ ngày ban \
                 hành nghị quyết đến ngày xem (hoặc đến hạn, nếu sớm hơn). Trẻ: dưới {upper} tuổi ở cấp tỉnh, cấp huyện; \
                 dưới {commune} tuổi ở cấp xã, tính vào ngày bổ nhiệm."
            }
            (Indicator::RotationShare, Lang::Vi) => {
                "Số lượt luân chuyển ÷ tổng số lượt nhận chức vụ bằng bổ nhiệm, chỉ định hoặc luân chuyển ở các \
                 cấp đó (không tính bầu cử), từ ngày ban hành nghị quyết đến ngày xem (hoặc đến hạn, nếu sớm hơn)."
            }
            (Indicator::YoungCommitteeShare, Lang::En) => {
                "Young members ÷ all members of the executive committees of the organizations at that level, \
                 counting those in office on the day shown. Young: under {upper} at province and district level, under \
                 {commune} at commune level, on that day."
            }
            (Indicator::YoungAppointmentShare, Lang::En) => {
                "Appointments of young cadres ÷ all appointments to posts at those levels, from the resolution's \
                 day to the day shown (or the deadline, if earlier). Young: under {upper} at province and district \
                 level, under {commune} at commune level, on the day of appointment."
            }
            (Indicator::RotationShare, Lang::En) => {
                "Rotations ÷ all posts taken up by appointment, designation or rotation (not by election) at those \
                 levels, from the resolution's day to the day shown (or the deadline, if earlier)."
            }
            (Indicator::WomenCommitteeShare, Lang::Vi) => {
                "Số ủy viên ban chấp hành là nữ ÷ tổng số ủy viên ban chấp hành của các đảng bộ ở cấp đó, tính những \
                 người giữ chức vụ vào ngày xem."
            }
            (Indicator::WomenCommitteeShare, Lang::En) => {
                "Women ÷ all members of the executive committees of the organizations at that level, in office on the \
                 day shown."
            }
            (Indicator::MinorityCommitteeShare, Lang::Vi) => {
                "Số ủy viên ban chấp hành là người dân tộc thiểu số (không phải dân tộc Kinh) ÷ tổng số ủy viên ban \
                 chấp hành của các đảng bộ ở cấp đó, tính những người giữ chức vụ vào ngày xem."
            }
            (Indicator::MinorityCommitteeShare, Lang::En) => {
                "Members of ethnic minorities (not Kinh) ÷ all members of the executive committees of the \
                 organizations at that level, in office on the day shown."
            }
            (Indicator::StudyCoverage, Lang::Vi) => {
                "Số đảng viên đã học tập (tại hội nghị, học bù hoặc tự học) ÷ số đảng viên thuộc phạm vi đợt học tập \
                 gần nhất về văn bản này đã bắt đầu đến ngày xem, của tổ chức và các tổ chức trực thuộc."
            }
            (Indicator::StudyCoverage, Lang::En) => {
                "Members who studied (at a conference, a make-up session or by themselves) ÷ members in the scope \
                 of the latest study campaign on this document begun by the day shown, in the organization's subtree."
            }
        };
        text.replace("{upper}", &upper.to_string())
            .replace("{commune}", &commune.to_string())
    }

    /// Whether it counts over a period (rather than on a day).
    pub fn over_a_period(self) -> bool {
        matches!(
            self,
            Indicator::YoungAppointmentShare | Indicator::RotationShare | Indicator::StudyCoverage
        )
    }
}

/// A share as counted: `num` of `den`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Share {
    /// Counted.
    pub num: u64,
    /// Out of.
    pub den: u64,
}

impl std::ops::Add for Share {
    type Output = Share;

    /// Two counts together.
    fn add(self, other: Share) -> Share {
        Share {
            num: self.num + other.num,
            den: self.den + other.den,
        }
    }
}

impl Share {
    /// The percentage, cut to two decimals: `12,34%`; `None` of nothing.
    pub fn percent(&self) -> Option<String> {
        ratio_cut(self.num * 100, self.den, 2).map(|p| format!("{p}%"))
    }

    /// The percentage as a number, for charts and projections.
    pub fn value(&self) -> Option<f64> {
        (self.den > 0).then(|| self.num as f64 * 100.0 / self.den as f64)
    }
}

/// How a target compares its indicator with its value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Comparison {
    /// At least (≥).
    AtLeast(f64),
    /// At most (≤).
    AtMost(f64),
    /// Between two values, both included.
    Between(f64, f64),
}

impl Comparison {
    /// From a target's stored comparison (`ge`, `le`, `between`) and values.
    pub fn from_target(cmp: &str, value: f64, to: Option<f64>) -> Option<Comparison> {
        match (cmp, to) {
            ("ge", _) => Some(Comparison::AtLeast(value)),
            ("le", _) => Some(Comparison::AtMost(value)),
            ("between", Some(to)) => Some(Comparison::Between(value, to)),
            _ => None,
        }
    }

    /// Whether a share meets it, compared exactly (a percentage `p` is met when
    /// `num × 100 ≥ p × den`, with `p` in hundredths).
    pub fn met_by(&self, s: Share) -> bool {
        if s.den == 0 {
            return false;
        }
        let at_least = |p: f64| u128::from(s.num) * 10_000 >= hundredths(p) * u128::from(s.den);
        let at_most = |p: f64| u128::from(s.num) * 10_000 <= hundredths(p) * u128::from(s.den);
        match *self {
            Comparison::AtLeast(p) => at_least(p),
            Comparison::AtMost(p) => at_most(p),
            Comparison::Between(lo, hi) => at_least(lo) && at_most(hi),
        }
    }

    /// Whether a number (a projection) meets it.
    fn met_by_value(&self, v: f64) -> bool {
        match *self {
            Comparison::AtLeast(p) => v >= p,
            Comparison::AtMost(p) => v <= p,
            Comparison::Between(lo, hi) => v >= lo && v <= hi,
        }
    }
}

fn hundredths(p: f64) -> u128 {
    (p * 100.0).round().max(0.0) as u128
}

/// Where a target stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Met (by the deadline, or already).
    Reached,
    /// Not met yet, and the trend reaches it by the deadline.
    OnTrack,
    /// Not met, and the trend does not reach it by the deadline.
    AtRisk,
    /// Not met by the deadline.
    Missed,
    /// Nothing to count (no committee at that level that day, no appointment).
    NoData,
}

impl Status {
    /// In words.
    pub fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Status::Reached, Lang::Vi) => "Đạt",
            (Status::OnTrack, Lang::Vi) => "Đúng tiến độ",
            (Status::AtRisk, Lang::Vi) => "Có nguy cơ không đạt",
            (Status::Missed, Lang::Vi) => "Không đạt",
            (Status::NoData, Lang::Vi) => "Không có số liệu",
            (Status::Reached, Lang::En) => "Reached",
            (Status::OnTrack, Lang::En) => "On track",
            (Status::AtRisk, Lang::En) => "At risk",
            (Status::Missed, Lang::En) => "Missed",
            (Status::NoData, Lang::En) => "No data",
        }
    }

    /// A short code for styles.
    pub fn code(self) -> &'static str {
        match self {
            Status::Reached => "reached",
            Status::OnTrack => "on-track",
            Status::AtRisk => "at-risk",
            Status::Missed => "missed",
            Status::NoData => "no-data",
        }
    }
}

/// The status of a target on `on`: `now` is the indicator on `on` (or on the deadline,
/// once passed) and `before` its value at an earlier day `then`, for the trend.
pub fn status(cmp: Comparison, deadline: Date, on: Date, now: Share, before: Option<(Date, Share)>) -> Status {
    if now.den == 0 {
        return Status::NoData;
    }
    if cmp.met_by(now) {
        return Status::Reached;
    }
    if on >= deadline {
        return Status::Missed;
    }
    // A straight line through the earlier value and today's, carried to the deadline.
    let projected = match (before, now.value()) {
        (Some((then, earlier)), Some(v)) if then < on => match earlier.value() {
            Some(e) => {
                let span = days(then, on) as f64;
                let ahead = days(on, deadline) as f64;
                v + (v - e) * ahead / span
            }
            None => v,
        },
        (_, Some(v)) => v,
        _ => return Status::NoData,
    };
    if cmp.met_by_value(projected) {
        Status::OnTrack
    } else {
        Status::AtRisk
    }
}

fn days(a: Date, b: Date) -> i64 {
    i64::from((b - a).get_days())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i16, m: i8, day: i8) -> Date {
        Date::constant(y, m, day)
    }

    #[test]
    fn comparisons_are_exact() {
        let ten = Comparison::AtLeast(10.0);
        assert!(ten.met_by(Share { num: 1, den: 10 }));
        assert!(!ten.met_by(Share { num: 99, den: 1000 }));
        assert!(!ten.met_by(Share { num: 0, den: 0 }));
        let band = Comparison::Between(10.0, 15.0);
        assert!(band.met_by(Share { num: 3, den: 20 }));
        assert!(!band.met_by(Share { num: 4, den: 25 }));
        assert_eq!(Share { num: 1, den: 3 }.percent().as_deref(), Some("33,33%"));
        assert_eq!(Comparison::from_target("between", 10.0, None), None);
    }

    #[test]
    fn statuses() {
        let cmp = Comparison::AtLeast(20.0);
        let deadline = d(2025, 12, 31);
        let s = |num, den| Share { num, den };
        assert_eq!(status(cmp, deadline, d(2024, 1, 1), s(1, 4), None), Status::Reached);
        assert_eq!(status(cmp, deadline, d(2026, 1, 1), s(1, 10), None), Status::Missed);
        assert_eq!(status(cmp, deadline, d(2024, 1, 1), s(0, 0), None), Status::NoData);
        // 10% a year ago, 15% now, two years to go: on track.
        assert_eq!(
            status(
                cmp,
                deadline,
                d(2024, 1, 1),
                s(15, 100),
                Some((d(2023, 1, 1), s(10, 100)))
            ),
            Status::OnTrack
        );
        // Falling: at risk.
        assert_eq!(
            status(
                cmp,
                deadline,
                d(2024, 1, 1),
                s(15, 100),
                Some((d(2023, 1, 1), s(18, 100)))
            ),
            Status::AtRisk
        );
        let d = Indicator::YoungCommitteeShare.definition(Lang::Vi, (40, 35));
        assert!(
            d.contains("dưới 40 tuổi ở cấp tỉnh, cấp huyện; dưới 35 tuổi ở cấp xã"),
            "{d}"
        );
    }

    proptest! {
        #[test]
        fn exact_and_float_agree_away_from_the_boundary(num in 0u64..5_000, den in 1u64..5_000, p in 0u32..100) {
            let v = num as f64 * 100.0 / den as f64;
            if (v - f64::from(p)).abs() > 1e-6 {
                prop_assert_eq!(Comparison::AtLeast(f64::from(p)).met_by(Share { num, den }), v >= f64::from(p));
            }
        }
    }
}
