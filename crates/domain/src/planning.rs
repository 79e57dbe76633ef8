//! Cadre planning rules as data: the retirement ages of Decree 135/2020/NĐ-CP, the
//! planning rule sets of QĐ 50-QĐ/TW (2021) and QĐ 377-QĐ/TW (in force 8/10/2025), the
//! working time a cadre has left, and the checks of a planning list that yield findings.
//!
//! The numbers live in values of these types, chosen by date, never in the checks: when a
//! regulation changes, a new value is added and the old one still answers for the past.

use crate::member::Gender;
use crate::number::ratio_cut;
use crate::org::{Level, text_enum};
use crate::{Date, Lang};

/// Retirement ages of one sex that rise year by year to a final age, in months of age.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgeSchedule {
    /// The age before the schedule starts.
    pub before: u32,
    /// The first year of the schedule.
    pub first_year: i16,
    /// The age in that year.
    pub first: u32,
    /// How much it rises each following year.
    pub step: u32,
    /// Where it stops rising.
    pub last: u32,
}

impl AgeSchedule {
    /// The retirement age, in months, for someone who reaches it in `year`.
    pub fn age_in(&self, year: i16) -> u32 {
        if year < self.first_year {
            return self.before;
        }
        let years = u32::try_from(year - self.first_year).unwrap_or(0);
        self.first
            .saturating_add(self.step.saturating_mul(years))
            .min(self.last)
    }
}

/// The retirement age of a regulation, for men and for women.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetirementRule {
    /// The regulation's number.
    pub source: &'static str,
    /// Men.
    pub men: AgeSchedule,
    /// Women.
    pub women: AgeSchedule,
}

/// A month of a year: `(2021, 5)` is May 2021.
pub type Month = (i16, i8);

fn month_index(year: i16, month: i8) -> i32 {
    i32::from(year) * 12 + i32::from(month) - 1
}

fn from_index(i: i32) -> Month {
    // Years stay within i16 for any birth date a Date can hold plus a working life.
    (
        i16::try_from(i.div_euclid(12)).unwrap_or(i16::MAX),
        (i.rem_euclid(12) + 1) as i8,
    )
}

impl RetirementRule {
    /// Decree 135/2020/NĐ-CP: from 2021, men 60 years 3 months, rising 3 months a year to
    /// 62; women 55 years 4 months, rising 4 months a year to 60. Before 2021, 60 and 55.
    pub const DECREE_135: RetirementRule = RetirementRule {
        source: "135/2020/NĐ-CP",
        men: AgeSchedule {
            before: 60 * 12,
            first_year: 2021,
            first: 60 * 12 + 3,
            step: 3,
            last: 62 * 12,
        },
        women: AgeSchedule {
            before: 55 * 12,
            first_year: 2021,
            first: 55 * 12 + 4,
            step: 4,
            last: 60 * 12,
        },
    };

    fn schedule(&self, gender: Gender) -> &AgeSchedule {
        match gender {
            Gender::Male => &self.men,
            Gender::Female => &self.women,
        }
    }

    /// The month someone born on `birth` reaches retirement age, and that age in months:
    /// the first month in which their age is at least the age of that month's year.
    pub fn reached(&self, gender: Gender, birth: Date) -> (Month, u32) {
        let s = self.schedule(gender);
        let born = month_index(birth.year(), birth.month());
        let mut age = s.before.min(s.first);
        loop {
            let (year, _) = from_index(born + age as i32);
            if age >= s.age_in(year) {
                return (from_index(born + age as i32), age);
            }
            age += 1;
        }
    }

    /// The day they retire: the first day of the month after the one they reach the age
    /// in, as the pension starts then.
    pub fn retires_on(&self, gender: Gender, birth: Date) -> Date {
        let ((year, month), _) = self.reached(gender, birth);
        let (y, m) = from_index(month_index(year, month) + 1);
        Date::new(y, m, 1).unwrap_or(Date::MAX)
    }

    /// Whole months of working time left on `on` (0 once retired).
    pub fn months_left(&self, gender: Gender, birth: Date, on: Date) -> u32 {
        let end = self.retires_on(gender, birth);
        if on >= end {
            return 0;
        }
        let mut months = month_index(end.year(), end.month()) - month_index(on.year(), on.month());
        if on.day() > 1 {
            months -= 1;
        }
        u32::try_from(months).unwrap_or(0)
    }
}

/// A planning rule set: what QĐ 50-QĐ/TW or QĐ 377-QĐ/TW ask of a planning list. Two
/// are shipped ([`shipped_rules`]); administrators edit them and add others, which the
/// application stores and chooses by date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanningRules {
    /// The regulation's number: `377-QĐ/TW`.
    pub source: String,
    /// The first day it is in force.
    pub from: Date,
    /// The fewest cadres planned for a body, in tenths of its prescribed size (10 = 1,0).
    pub ratio_min_tenths: u32,
    /// The most, in tenths (15 = 1,5).
    pub ratio_max_tenths: u32,
    /// The most cadres planned for one seat of a title (a title with 2 seats may plan 6).
    pub per_seat: u32,
    /// The most titles one cadre may be planned for at one level.
    pub titles_per_cadre: u32,
    /// The full terms of working age a planned cadre must have left at the term's start.
    pub terms_of_working_age: u32,
    /// The years of a term.
    pub term_years: u32,
    /// The least share of women, in percent.
    pub women_min_percent: u32,
    /// The age under which a cadre counts as young at province (and former district) level.
    pub young_under: u32,
    /// The age under which a cadre counts as young at commune level.
    pub young_under_commune: u32,
    /// The least share of young cadres, in percent.
    pub young_min_percent: u32,
    /// The least share of ethnic-minority cadres, in percent (0: shown, not checked).
    pub ethnic_min_percent: u32,
    /// The retirement ages the working age is counted against (Decree 135/2020's table
    /// of ages rising year by year).
    pub retirement: RetirementRule,
    /// The parameters (by key) that could not be confirmed from the regulation's text.
    pub unconfirmed: Vec<String>,
}

/// The numeric parameters of a rule set: key, Vietnamese label, English label.
pub const RULE_PARAMS: [(&str, &str, &str); 20] = [
    (
        "ratio_min_tenths",
        "Số lượng quy hoạch tối thiểu (phần mười số lượng cơ quan; 10 = 1,0 lần)",
        "Fewest planned, tenths of the size",
    ),
    (
        "ratio_max_tenths",
        "Số lượng quy hoạch tối đa (phần mười; 15 = 1,5 lần)",
        "Most planned, tenths of the size",
    ),
    (
        "per_seat",
        "Số người quy hoạch tối đa cho một vị trí chức danh",
        "Most cadres per seat",
    ),
    (
        "titles_per_cadre",
        "Số chức danh tối đa một người được quy hoạch cùng cấp",
        "Most titles per cadre at one level",
    ),
    (
        "terms_of_working_age",
        "Số nhiệm kỳ công tác còn lại tối thiểu",
        "Terms of working age left",
    ),
    ("term_years", "Số năm một nhiệm kỳ", "Years of a term"),
    (
        "women_min_percent",
        "Tỷ lệ nữ tối thiểu (%)",
        "Least share of women (%)",
    ),
    (
        "young_under",
        "Cán bộ trẻ ở cấp tỉnh, cấp huyện: dưới (tuổi)",
        "Young at province and district level: under (years)",
    ),
    (
        "young_under_commune",
        "Cán bộ trẻ ở cấp xã: dưới (tuổi)",
        "Young at commune level: under (years)",
    ),
    (
        "young_min_percent",
        "Tỷ lệ cán bộ trẻ tối thiểu (%)",
        "Least share of young cadres (%)",
    ),
    (
        "ethnic_min_percent",
        "Tỷ lệ cán bộ dân tộc thiểu số tối thiểu (%; 0 = chỉ hiển thị)",
        "Least ethnic-minority share (%; 0 = shown only)",
    ),
    (
        "retirement_first_year",
        "Tuổi nghỉ hưu: năm bắt đầu lộ trình tăng",
        "Retirement age: first year of the rise",
    ),
    (
        "men_age_before_months",
        "Nam: tuổi nghỉ hưu trước lộ trình (tháng)",
        "Men: retirement age before the rise (months)",
    ),
    (
        "men_age_first_months",
        "Nam: tuổi nghỉ hưu năm đầu lộ trình (tháng)",
        "Men: retirement age in its first year (months)",
    ),
    (
        "men_step_months",
        "Nam: mỗi năm tăng thêm (tháng)",
        "Men: rise a year (months)",
    ),
    (
        "men_age_last_months",
        "Nam: tuổi nghỉ hưu cuối lộ trình (tháng)",
        "Men: final retirement age (months)",
    ),
    (
        "women_age_before_months",
        "Nữ: tuổi nghỉ hưu trước lộ trình (tháng)",
        "Women: retirement age before the rise (months)",
    ),
    (
        "women_age_first_months",
        "Nữ: tuổi nghỉ hưu năm đầu lộ trình (tháng)",
        "Women: retirement age in its first year (months)",
    ),
    (
        "women_step_months",
        "Nữ: mỗi năm tăng thêm (tháng)",
        "Women: rise a year (months)",
    ),
    (
        "women_age_last_months",
        "Nữ: tuổi nghỉ hưu cuối lộ trình (tháng)",
        "Women: final retirement age (months)",
    ),
];

impl PlanningRules {
    /// The age under which a cadre counts as young at a level: `young_under` at province
    /// and district level, `young_under_commune` at commune level (40 and 35 in
    /// Resolution 116-NQ/TU and the shipped sets).
    pub fn young_under_at(&self, level: Level) -> u32 {
        match level {
            Level::Province | Level::District => self.young_under,
            Level::Commune => self.young_under_commune,
        }
    }

    /// A parameter by its key in [`RULE_PARAMS`].
    pub fn get(&self, key: &str) -> Option<u32> {
        Some(match key {
            "ratio_min_tenths" => self.ratio_min_tenths,
            "ratio_max_tenths" => self.ratio_max_tenths,
            "per_seat" => self.per_seat,
            "titles_per_cadre" => self.titles_per_cadre,
            "terms_of_working_age" => self.terms_of_working_age,
            "term_years" => self.term_years,
            "women_min_percent" => self.women_min_percent,
            "young_under" => self.young_under,
            "young_under_commune" => self.young_under_commune,
            "young_min_percent" => self.young_min_percent,
            "ethnic_min_percent" => self.ethnic_min_percent,
            "retirement_first_year" => u32::try_from(self.retirement.men.first_year).unwrap_or(0),
            "men_age_before_months" => self.retirement.men.before,
            "men_age_first_months" => self.retirement.men.first,
            "men_step_months" => self.retirement.men.step,
            "men_age_last_months" => self.retirement.men.last,
            "women_age_before_months" => self.retirement.women.before,
            "women_age_first_months" => self.retirement.women.first,
            "women_step_months" => self.retirement.women.step,
            "women_age_last_months" => self.retirement.women.last,
            _ => return None,
        })
    }

    /// Sets a parameter by its key; false for a key that is not one.
    pub fn set(&mut self, key: &str, v: u32) -> bool {
        let slot = match key {
            "ratio_min_tenths" => &mut self.ratio_min_tenths,
            "ratio_max_tenths" => &mut self.ratio_max_tenths,
            "per_seat" => &mut self.per_seat,
            "titles_per_cadre" => &mut self.titles_per_cadre,
            "terms_of_working_age" => &mut self.terms_of_working_age,
            "term_years" => &mut self.term_years,
            "women_min_percent" => &mut self.women_min_percent,
            "young_under" => &mut self.young_under,
            "young_under_commune" => &mut self.young_under_commune,
            "young_min_percent" => &mut self.young_min_percent,
            "ethnic_min_percent" => &mut self.ethnic_min_percent,
            "retirement_first_year" => {
                let Ok(year) = i16::try_from(v) else { return false };
                self.retirement.men.first_year = year;
                self.retirement.women.first_year = year;
                return true;
            }
            "men_age_before_months" => &mut self.retirement.men.before,
            "men_age_first_months" => &mut self.retirement.men.first,
            "men_step_months" => &mut self.retirement.men.step,
            "men_age_last_months" => &mut self.retirement.men.last,
            "women_age_before_months" => &mut self.retirement.women.before,
            "women_age_first_months" => &mut self.retirement.women.first,
            "women_step_months" => &mut self.retirement.women.step,
            "women_age_last_months" => &mut self.retirement.women.last,
            _ => return false,
        };
        *slot = v;
        true
    }

    /// The parameters as stored: `key=value` lines in the order of [`RULE_PARAMS`].
    pub fn params_text(&self) -> String {
        RULE_PARAMS
            .iter()
            .map(|(k, _, _)| format!("{k}={}\n", self.get(k).unwrap_or(0)))
            .collect()
    }

    /// A rule set from its stored parameters; `None` if a line is not `key=number`.
    /// Parameters missing from the text keep the value of `base`.
    pub fn from_params(
        base: &PlanningRules,
        source: &str,
        from: Date,
        params: &str,
        unconfirmed: &str,
    ) -> Option<PlanningRules> {
        let mut r = PlanningRules {
            source: source.to_string(),
            from,
            unconfirmed: unconfirmed
                .split([',', ' ', '\n'])
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
            ..base.clone()
        };
        for line in params.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (k, v) = line.split_once('=')?;
            if !r.set(k.trim(), v.trim().parse().ok()?) {
                return None;
            }
        }
        Some(r)
    }

    /// What is wrong with a rule set as typed, in Vietnamese; `None` when it holds.
    pub fn problem(&self) -> Option<String> {
        if self.source.trim().is_empty() {
            return Some("Nhập số hiệu văn bản quy định".into());
        }
        if self.ratio_min_tenths == 0 || self.ratio_min_tenths > self.ratio_max_tenths {
            return Some("Số lượng tối thiểu phải lớn hơn 0 và không lớn hơn số lượng tối đa".into());
        }
        if self.per_seat == 0 || self.titles_per_cadre == 0 || self.term_years == 0 {
            return Some("Số người mỗi vị trí, số chức danh mỗi người và số năm nhiệm kỳ phải lớn hơn 0".into());
        }
        if self.women_min_percent > 100 || self.young_min_percent > 100 || self.ethnic_min_percent > 100 {
            return Some("Tỷ lệ phải từ 0 đến 100%".into());
        }
        for (who, a) in [("nam", self.retirement.men), ("nữ", self.retirement.women)] {
            let months = 40 * 12..=75 * 12;
            if !months.contains(&a.before)
                || !months.contains(&a.first)
                || !months.contains(&a.last)
                || a.first > a.last
                || a.step > 24
            {
                return Some(format!(
                    "Tuổi nghỉ hưu ({who}): các tuổi phải từ 480 đến 900 tháng, tuổi năm đầu không quá tuổi cuối lộ trình, mỗi năm tăng không quá 24 tháng"
                ));
            }
        }
        if let Some(k) = self.unconfirmed.iter().find(|k| self.get(k).is_none()) {
            return Some(format!("«{k}» không phải là một tham số của quy định"));
        }
        None
    }
}

/// The two rule sets shipped, oldest first. The numbers whose source could not be
/// confirmed are listed in `unconfirmed`.
pub fn shipped_rules() -> Vec<PlanningRules> {
    let qd50 = PlanningRules {
        source: "50-QĐ/TW".into(),
        from: Date::constant(2021, 12, 27),
        ratio_min_tenths: 10,
        ratio_max_tenths: 15,
        per_seat: 3,
        titles_per_cadre: 3,
        terms_of_working_age: 1,
        term_years: 5,
        women_min_percent: 25,
        young_under: 40,
        young_under_commune: 35,
        young_min_percent: 10,
        ethnic_min_percent: 0,
        retirement: RetirementRule::DECREE_135,
        unconfirmed: vec!["women_min_percent".into(), "young_min_percent".into()],
    };
    let qd377 = PlanningRules {
        source: "377-QĐ/TW".into(),
        from: Date::constant(2025, 10, 8),
        unconfirmed: vec![
            "ratio_min_tenths".into(),
            "ratio_max_tenths".into(),
            "terms_of_working_age".into(),
            "women_min_percent".into(),
            "young_min_percent".into(),
        ],
        ..qd50.clone()
    };
    vec![qd50, qd377]
}

/// The rule set in force on a day among `sets`: the latest that started by then (the
/// oldest for days before any).
pub fn rules_on(sets: &[PlanningRules], on: Date) -> Option<&PlanningRules> {
    sets.iter()
        .filter(|r| r.from <= on)
        .max_by_key(|r| r.from)
        .or_else(|| sets.iter().min_by_key(|r| r.from))
}

/// `1,04 lần`: how many times the prescribed size a count is, cut to two decimals as the
/// seeds write it (26 of 25 is `1,04 lần`, 9 of 7 is `1,28 lần`).
pub fn times_size(count: u64, size: u64, lang: Lang) -> Option<String> {
    let r = ratio_cut(count, size, 2)?;
    Some(match lang {
        Lang::Vi => format!("{r} lần"),
        Lang::En => format!("{} times", r.replace(',', ".")),
    })
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// A hard rule is broken: saving needs an override with a written reason.
    Breach,
    /// A target is missed: shown, not blocking.
    Warning,
}

/// What a rule check found: the rule, what it was about, what was expected and what is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule, with its source: `50-QĐ/TW: số lượng quy hoạch`.
    pub rule: String,
    /// What it is about: a body, a title, a cadre.
    pub subject: String,
    /// What the rule asks, in words.
    pub expected: String,
    /// What the list has.
    pub actual: String,
    /// How serious.
    pub severity: Severity,
}

impl PlanningRules {
    /// Checks the number planned for a body against its prescribed size: between
    /// `ratio_min` and `ratio_max` times it.
    pub fn check_size(&self, body: &str, planned: u64, size: u64) -> Option<Finding> {
        let min = (size * u64::from(self.ratio_min_tenths)).div_ceil(10);
        let max = size * u64::from(self.ratio_max_tenths) / 10;
        if (min..=max).contains(&planned) {
            return None;
        }
        Some(Finding {
            rule: format!("{}: số lượng quy hoạch", self.source),
            subject: body.to_string(),
            expected: format!(
                "từ {min} đến {max} đồng chí ({} đến {} lần số lượng)",
                tenths(self.ratio_min_tenths),
                tenths(self.ratio_max_tenths)
            ),
            actual: format!(
                "{planned} đồng chí ({})",
                times_size(planned, size, Lang::Vi).unwrap_or_else(|| "—".into())
            ),
            severity: Severity::Breach,
        })
    }

    /// Checks the number planned for a title with `seats` seats: at most `per_seat` each.
    pub fn check_title(&self, title: &str, planned: u64, seats: u64) -> Option<Finding> {
        let max = seats * u64::from(self.per_seat);
        (planned > max).then(|| Finding {
            rule: format!("{}: số người quy hoạch cho một chức danh", self.source),
            subject: title.to_string(),
            expected: format!("không quá {max} đồng chí ({} người cho mỗi vị trí)", self.per_seat),
            actual: format!("{planned} đồng chí"),
            severity: Severity::Breach,
        })
    }

    /// Checks that a cadre has the working time the rule asks left at the term's start.
    pub fn check_working_age(&self, who: &str, gender: Gender, birth: Date, term_start: Date) -> Option<Finding> {
        let need = self.terms_of_working_age * self.term_years * 12;
        let left = self.retirement.months_left(gender, birth, term_start);
        (left < need).then(|| Finding {
            rule: format!("{}: tuổi công tác", self.source),
            subject: who.to_string(),
            expected: format!(
                "còn ít nhất {} tháng công tác ({} nhiệm kỳ)",
                need, self.terms_of_working_age
            ),
            actual: format!("còn {left} tháng"),
            severity: Severity::Breach,
        })
    }

    /// Checks that a cadre is not planned for more titles at one level than the rule
    /// allows; `titles` are the lists they are in, in words.
    pub fn check_titles_per_cadre(&self, who: &str, titles: &[String]) -> Option<Finding> {
        (titles.len() > self.titles_per_cadre as usize).then(|| Finding {
            rule: format!("{}: số chức danh quy hoạch của một người", self.source),
            subject: who.to_string(),
            expected: format!("không quá {} chức danh cùng cấp", self.titles_per_cadre),
            actual: format!("{} chức danh: {}", titles.len(), titles.join(", ")),
            severity: Severity::Breach,
        })
    }

    /// The shares of women, young and ethnic-minority cadres in a plan against their
    /// targets, each as a line to show, with a warning finding for a target missed.
    /// `cadres` are (gender, birth, minority); young is under the age of the plan's
    /// `level` ([`PlanningRules::young_under_at`]) at `term_start`.
    pub fn shares(
        &self,
        subject: &str,
        level: Level,
        cadres: &[(Gender, Date, bool)],
        term_start: Date,
    ) -> (Vec<String>, Vec<Finding>) {
        let under = self.young_under_at(level);
        let n = cadres.len() as u64;
        let women = cadres.iter().filter(|c| c.0 == Gender::Female).count() as u64;
        let young = cadres
            .iter()
            .filter(|c| crate::date::age_on(c.1, term_start) < under as i32)
            .count() as u64;
        let minority = cadres.iter().filter(|c| c.2).count() as u64;
        let mut lines = Vec::new();
        let mut findings = Vec::new();
        for (label, count, target) in [
            ("Nữ", women, self.women_min_percent),
            (&*format!("Trẻ (dưới {under} tuổi)"), young, self.young_min_percent),
            ("Dân tộc thiểu số", minority, self.ethnic_min_percent),
        ] {
            let pct = ratio_cut(count * 100, n, 2).map_or_else(|| "—".to_string(), |p| format!("{p}%"));
            let goal = if target > 0 {
                format!(", mục tiêu từ {target}%")
            } else {
                String::new()
            };
            lines.push(format!("{label}: {count}/{n} ({pct}{goal})"));
            if target > 0 && n > 0 && count * 100 < n * u64::from(target) {
                findings.push(Finding {
                    rule: format!("{}: tỷ lệ {}", self.source, label.to_lowercase()),
                    subject: subject.to_string(),
                    expected: format!("từ {target}% trở lên"),
                    actual: format!("{count}/{n} ({pct})"),
                    severity: Severity::Warning,
                });
            }
        }
        (lines, findings)
    }
}

text_enum! {
    /// Why a cadre is taken out of a plan.
    RemovalReason {
        /// Over the age for planning.
        Age = "age", "Quá tuổi quy hoạch", "Over age", ["qua tuoi"];
        /// Disciplined with a reprimand or worse.
        Discipline = "discipline", "Bị kỷ luật từ khiển trách trở lên", "Disciplined (reprimand or worse)", ["ky luat"];
        /// Transferred elsewhere.
        Transfer = "transfer", "Chuyển công tác", "Transferred", ["chuyen cong tac"];
        /// Health.
        Health = "health", "Sức khỏe", "Health", ["suc khoe"];
        /// At their own request.
        Request = "request", "Theo nguyện vọng cá nhân", "Own request", ["nguyen vong"];
        /// Another reason, written out.
        Other = "other", "Lý do khác", "Other", ["khac"];
    }
}

/// One cadre's place in a plan: when and by which decision they were added, and when,
/// why and by which decision they were taken out. History is never rewritten: taking
/// someone out closes their entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanEntry<P> {
    /// The cadre.
    pub person: P,
    /// The day they were added.
    pub added_on: Date,
    /// The decision that added them.
    pub added_by: String,
    /// The day, reason and decision of their removal, if removed.
    pub removed: Option<(Date, RemovalReason, String)>,
}

impl<P> PlanEntry<P> {
    /// Whether the cadre was in the plan on `on`.
    pub fn on(&self, on: Date) -> bool {
        self.added_on <= on && self.removed.as_ref().is_none_or(|(d, _, _)| on < *d)
    }
}

/// What a review round (rà soát, điều chỉnh, bổ sung) changed between two days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RoundCounts {
    /// Taken out during the round.
    pub removed: u64,
    /// Added during the round.
    pub added: u64,
    /// Kept from before the round.
    pub kept: u64,
    /// In the plan at the end of the round.
    pub total: u64,
}

/// The counts of a round over `entries`: changes dated after `before` up to `after`.
pub fn round_counts<P>(entries: &[PlanEntry<P>], before: Date, after: Date) -> RoundCounts {
    let mut c = RoundCounts::default();
    for e in entries {
        let (was, is) = (e.on(before), e.on(after));
        match (was, is) {
            (true, true) => c.kept += 1,
            (true, false) => c.removed += 1,
            (false, true) => c.added += 1,
            (false, false) => {}
        }
        c.total += u64::from(is);
    }
    c
}

impl RoundCounts {
    /// Seed 003's words: "đưa ra khỏi quy hoạch 06 đồng chí, bổ sung 01 đồng chí, tổng
    /// số quy hoạch hiện có 31 đồng chí" (what did not happen is not said; counts below
    /// ten keep their leading zero).
    pub fn sentence(&self, lang: Lang) -> String {
        let n = |k: u64| crate::number::two_digits(k);
        let mut parts = Vec::new();
        match lang {
            Lang::Vi => {
                if self.removed > 0 {
                    parts.push(format!("đưa ra khỏi quy hoạch {} đồng chí", n(self.removed)));
                }
                if self.added > 0 {
                    parts.push(format!("bổ sung {} đồng chí", n(self.added)));
                }
                if self.removed == 0 && self.added == 0 {
                    parts.push(format!("giữ nguyên quy hoạch đối với {} đồng chí", n(self.kept)));
                }
                parts.push(format!("tổng số quy hoạch hiện có {} đồng chí", n(self.total)));
            }
            Lang::En => {
                if self.removed > 0 {
                    parts.push(format!("{} removed from the plan", self.removed));
                }
                if self.added > 0 {
                    parts.push(format!("{} added", self.added));
                }
                if self.removed == 0 && self.added == 0 {
                    parts.push(format!("{} kept", self.kept));
                }
                parts.push(format!("{} now planned", self.total));
            }
        }
        parts.join(", ")
    }
}

/// Seed 003's words for a new plan against the body's size in a term: "26 đồng chí, đạt
/// 1,04 lần so với số lượng khóa XIV".
pub fn plan_size_sentence(planned: u64, size: u64, term_ordinal: u16, lang: Lang) -> Option<String> {
    let times = times_size(planned, size, lang)?;
    let term = crate::cadre::roman(term_ordinal);
    Some(match lang {
        Lang::Vi => format!(
            "{} đồng chí, đạt {times} so với số lượng khóa {term}",
            crate::number::two_digits(planned)
        ),
        Lang::En => format!("{planned}, {times} the size of the {term} term"),
    })
}

fn tenths(t: u32) -> String {
    format!("{},{}", t / 10, t % 10)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const R: RetirementRule = RetirementRule::DECREE_135;

    fn d(y: i16, m: i8, day: i8) -> Date {
        Date::constant(y, m, day)
    }

    #[test]
    fn decree_135_appendix() {
        // Men born 1/1961 reach 60 years 3 months in 4/2021 and retire from 5/2021.
        assert_eq!(R.reached(Gender::Male, d(1961, 1, 15)), ((2021, 4), 60 * 12 + 3));
        assert_eq!(R.retires_on(Gender::Male, d(1961, 1, 15)), d(2021, 5, 1));
        // Born 9/1961: 60 years 3 months in 12/2021.
        assert_eq!(R.reached(Gender::Male, d(1961, 9, 1)), ((2021, 12), 60 * 12 + 3));
        // Born 10/1961: 60 years 3 months falls in 2022, whose age is 60 years 6 months.
        assert_eq!(R.reached(Gender::Male, d(1961, 10, 1)), ((2022, 4), 60 * 12 + 6));
        // Women born 1/1966 reach 55 years 4 months in 5/2021.
        assert_eq!(R.reached(Gender::Female, d(1966, 1, 1)), ((2021, 5), 55 * 12 + 4));
        // The last steps: men 62 from 2028, women 60 from 2035.
        assert_eq!(R.reached(Gender::Male, d(1970, 6, 1)).1, 62 * 12);
        assert_eq!(R.reached(Gender::Female, d(1980, 6, 1)).1, 60 * 12);
        // Before the decree: 60 and 55.
        assert_eq!(R.reached(Gender::Male, d(1955, 3, 1)), ((2015, 3), 60 * 12));
    }

    #[test]
    fn working_time_left() {
        // Retires 1/5/2021: on 1/4/2021 one month is left, on 15/4/2021 none whole.
        assert_eq!(R.months_left(Gender::Male, d(1961, 1, 15), d(2021, 4, 1)), 1);
        assert_eq!(R.months_left(Gender::Male, d(1961, 1, 15), d(2021, 4, 15)), 0);
        assert_eq!(R.months_left(Gender::Male, d(1961, 1, 15), d(2025, 1, 1)), 0);
    }

    #[test]
    fn seed_003_ratios() {
        assert_eq!(times_size(26, 25, Lang::Vi).as_deref(), Some("1,04 lần"));
        assert_eq!(times_size(9, 7, Lang::Vi).as_deref(), Some("1,28 lần"));
        assert_eq!(times_size(9, 7, Lang::En).as_deref(), Some("1.28 times"));
    }

    fn planning_rules_on(on: Date) -> PlanningRules {
        rules_on(&shipped_rules(), on).unwrap().clone()
    }

    #[test]
    fn rule_sets_by_date() {
        assert_eq!(planning_rules_on(d(2022, 4, 15)).source, "50-QĐ/TW");
        assert_eq!(planning_rules_on(d(2025, 10, 7)).source, "50-QĐ/TW");
        assert_eq!(planning_rules_on(d(2025, 10, 8)).source, "377-QĐ/TW");
        // Before the first, the first answers.
        assert_eq!(planning_rules_on(d(2019, 1, 1)).source, "50-QĐ/TW");
    }

    #[test]
    fn rule_sets_as_stored() {
        let shipped = shipped_rules();
        for r in &shipped {
            let back = PlanningRules::from_params(
                &shipped[0],
                &r.source,
                r.from,
                &r.params_text(),
                &r.unconfirmed.join(","),
            )
            .unwrap();
            assert_eq!(&back, r);
            assert_eq!(r.problem(), None);
        }
        assert!(PlanningRules::from_params(&shipped[0], "x", d(2026, 1, 1), "per_seat=ba", "").is_none());
        assert!(PlanningRules::from_params(&shipped[0], "x", d(2026, 1, 1), "no_such=1", "").is_none());
        let mut bad = shipped[1].clone();
        bad.ratio_min_tenths = 16;
        assert!(bad.problem().is_some());
        bad.ratio_min_tenths = 10;
        bad.unconfirmed.push("no_such".into());
        assert!(bad.problem().is_some());
    }

    #[test]
    fn the_retirement_table_is_part_of_the_rule_set() {
        let mut r = planning_rules_on(d(2026, 1, 1));
        assert_eq!(r.get("men_age_last_months"), Some(62 * 12));
        // A man born 1/1970 has more than a term left at the start of 2026 under Decree 135
        // (he retires at 62, in 2032), but not if the age stayed at 60.
        assert_eq!(
            r.check_working_age("x", Gender::Male, d(1970, 1, 15), d(2026, 1, 1)),
            None
        );
        assert!(r.set("men_age_last_months", 60 * 12));
        assert!(r.set("men_age_first_months", 60 * 12));
        assert!(
            r.check_working_age("x", Gender::Male, d(1970, 1, 15), d(2026, 1, 1))
                .is_some()
        );
        assert!(r.set("retirement_first_year", 2030));
        assert_eq!(r.retirement.women.first_year, 2030);
        r.retirement.men.first = 70 * 12;
        assert!(r.problem().unwrap().contains("Tuổi nghỉ hưu"), "first above last");
    }

    #[test]
    fn shares_and_titles() {
        let r = planning_rules_on(d(2026, 1, 1));
        let start = d(2025, 10, 1);
        // 2 women of 10 (20%, short of 25%), 1 young (born 1990), 3 of minorities.
        let cadres: Vec<(Gender, Date, bool)> = (0..10)
            .map(|i| {
                (
                    if i < 2 { Gender::Female } else { Gender::Male },
                    if i == 0 { d(1990, 1, 1) } else { d(1975, 1, 1) },
                    i < 3,
                )
            })
            .collect();
        let (lines, findings) = r.shares("BCH", Level::Province, &cadres, start);
        assert_eq!(lines[0], "Nữ: 2/10 (20,00%, mục tiêu từ 25%)");
        assert_eq!(lines[1], "Trẻ (dưới 40 tuổi): 1/10 (10,00%, mục tiêu từ 10%)");
        assert_eq!(lines[2], "Dân tộc thiểu số: 3/10 (30,00%)");
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].severity, Severity::Warning);
        let three: Vec<String> = ["Bí thư", "Phó Bí thư", "BCH"].map(String::from).to_vec();
        assert_eq!(r.check_titles_per_cadre("x", &three), None);
        let four = [three.clone(), vec!["UBKT".into()]].concat();
        assert!(r.check_titles_per_cadre("x", &four).is_some());
    }

    #[test]
    fn planning_checks() {
        let r = planning_rules_on(d(2022, 4, 15));
        // 26 planned for a committee of 25: within 1,0 to 1,5 times.
        assert_eq!(r.check_size("BCH", 26, 25), None);
        let f = r.check_size("BCH", 24, 25).unwrap();
        assert_eq!(f.actual, "24 đồng chí (0,96 lần)");
        assert_eq!(f.severity, Severity::Breach);
        assert!(r.check_size("BCH", 38, 25).is_some());
        // A title with 2 seats may plan 6.
        assert_eq!(r.check_title("Phó Bí thư", 6, 2), None);
        assert!(r.check_title("Phó Bí thư", 7, 2).is_some());
        // Born 1/1961, a man has no full term left at the start of 2020–2025.
        assert!(
            r.check_working_age("x", Gender::Male, d(1961, 1, 1), d(2020, 10, 1))
                .is_some()
        );
        assert_eq!(
            r.check_working_age("x", Gender::Male, d(1975, 1, 1), d(2025, 10, 1)),
            None
        );
    }

    #[test]
    fn seed_003_round() {
        // 2020–2025 plan of the executive committee: 36 planned on 1/1/2022, the review of
        // 15/4/2022 takes 6 out and adds 1: 31 remain.
        let start = d(2021, 1, 1);
        let review = d(2022, 4, 15);
        let mut entries: Vec<PlanEntry<u32>> = (0..36)
            .map(|i| PlanEntry {
                person: i,
                added_on: start,
                added_by: "12-QĐ/ĐU".into(),
                removed: None,
            })
            .collect();
        for (i, why) in [
            RemovalReason::Age,
            RemovalReason::Transfer,
            RemovalReason::Age,
            RemovalReason::Health,
            RemovalReason::Discipline,
            RemovalReason::Request,
        ]
        .into_iter()
        .enumerate()
        {
            entries[i].removed = Some((review, why, "45-QĐ/ĐU".into()));
        }
        entries.push(PlanEntry {
            person: 99,
            added_on: review,
            added_by: "45-QĐ/ĐU".into(),
            removed: None,
        });
        let c = round_counts(&entries, d(2022, 4, 14), review);
        assert_eq!(
            c,
            RoundCounts {
                removed: 6,
                added: 1,
                kept: 30,
                total: 31
            }
        );
        assert_eq!(
            c.sentence(Lang::Vi),
            "đưa ra khỏi quy hoạch 06 đồng chí, bổ sung 01 đồng chí, tổng số quy hoạch hiện có 31 đồng chí"
        );
        // The plan as it stood before the review is still there.
        assert_eq!(entries.iter().filter(|e| e.on(d(2022, 1, 1))).count(), 36);
        // Kept as they were: the deputy secretaries.
        let six: Vec<PlanEntry<u32>> = entries[10..16].to_vec();
        assert_eq!(
            round_counts(&six, d(2022, 4, 14), review).sentence(Lang::Vi),
            "giữ nguyên quy hoạch đối với 06 đồng chí, tổng số quy hoạch hiện có 06 đồng chí"
        );
        assert_eq!(
            plan_size_sentence(26, 25, 14, Lang::Vi).as_deref(),
            Some("26 đồng chí, đạt 1,04 lần so với số lượng khóa XIV")
        );
        assert_eq!(
            plan_size_sentence(9, 7, 14, Lang::Vi).as_deref(),
            Some("09 đồng chí, đạt 1,28 lần so với số lượng khóa XIV")
        );
    }

    fn any_date() -> impl Strategy<Value = Date> {
        (1940i16..2005, 1i8..=12, 1i8..=28).prop_map(|(y, m, day)| Date::constant(y, m, day))
    }

    proptest! {
        /// The age reached is the age of its year, within the schedule's bounds, and no
        /// earlier month would do.
        #[test]
        fn reached_is_the_first_month(birth in any_date(), female in any::<bool>()) {
            let g = if female { Gender::Female } else { Gender::Male };
            let s = *R.schedule(g);
            let ((y, m), age) = R.reached(g, birth);
            prop_assert_eq!(month_index(y, m) - month_index(birth.year(), birth.month()), age as i32);
            prop_assert!(age >= s.age_in(y));
            prop_assert!((s.before.min(s.first)..=s.last).contains(&age));
            let (py, _) = from_index(month_index(y, m) - 1);
            prop_assert!(age == s.before.min(s.first) || age - 1 < s.age_in(py));
        }

        /// Someone born later never retires earlier, and the time left shrinks as days pass.
        #[test]
        fn monotone(a in any_date(), b in any_date(), on in any_date(), female in any::<bool>()) {
            let g = if female { Gender::Female } else { Gender::Male };
            let (early, late) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(R.retires_on(g, early) <= R.retires_on(g, late));
            let later = on.checked_add(jiff::Span::new().days(40)).unwrap_or(on);
            prop_assert!(R.months_left(g, a, later) <= R.months_left(g, a, on));
        }
    }
}
