//! Calendar dates as Vietnamese offices write them, and the validity interval that every
//! dated fact in dangbo (an organization version, a placement, a position) carries.

use crate::lang::Invalid;
pub use jiff::civil::Date;

/// A half-open interval of days: valid from `from` (inclusive) until `to` (exclusive).
///
/// `to == None` means still valid. An organization dissolved "on 1/7/2025" has
/// `to = 2025-07-01`: it exists on 30/6/2025 and not on 1/7/2025.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Validity {
    /// First day the fact holds.
    pub from: Date,
    /// First day it no longer holds, if it has ended.
    pub to: Option<Date>,
}

impl Validity {
    /// An open interval starting on `from`.
    pub fn since(from: Date) -> Validity {
        Validity { from, to: None }
    }

    /// Whether the fact holds on day `d`.
    pub fn contains(&self, d: Date) -> bool {
        self.from <= d && self.to.is_none_or(|to| d < to)
    }

    /// The last day the fact held (the day before `to`), if it has ended.
    pub fn last_day(&self) -> Option<Date> {
        self.to.map(|to| to.yesterday().unwrap_or(to))
    }

    /// The period as people write it: `01/01/2015 – 30/06/2025`, or `01/01/2015 – nay`
    /// while it lasts.
    pub fn period(&self, lang: crate::Lang) -> String {
        let until = self
            .last_day()
            .map_or_else(|| lang.pick("nay", "now").to_string(), short);
        format!("{} – {until}", short(self.from))
    }
}

/// Parses a date as typed by a person: `15/11/2023`, `4/7/2023`, `15-11-2023`, `15.11.2023`
/// or ISO `2023-11-15`. The day must exist.
pub fn parse_date(s: &str) -> Result<Date, Invalid> {
    let t = s.trim();
    let bad = || Invalid::Date(t.to_string());
    if t.is_empty() {
        return Err(Invalid::Missing);
    }
    let parts: Vec<&str> = t.split(['/', '-', '.']).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad());
    }
    let (y, m, d) = if parts[0].len() == 4 {
        (parts[0], parts[1], parts[2])
    } else if parts[2].len() == 4 {
        (parts[2], parts[1], parts[0])
    } else {
        return Err(bad());
    };
    let num = |p: &str| p.parse::<i16>().map_err(|_| bad());
    let (y, m, d) = (num(y)?, num(m)?, num(d)?);
    if !(1900..=2200).contains(&y) {
        return Err(bad());
    }
    let no_such_day = || Invalid::NoSuchDay(t.to_string());
    if m > 12 || d > 31 {
        return Err(no_such_day());
    }
    Date::new(y, m as i8, d as i8).map_err(|_| no_such_day())
}

/// Parses the ISO form `yyyy-mm-dd` that the databases store.
pub fn parse_iso(s: &str) -> Option<Date> {
    s.parse::<Date>().ok()
}

/// The ISO form stored in the databases; it sorts as text in date order.
pub fn iso(d: Date) -> String {
    d.strftime("%Y-%m-%d").to_string()
}

/// Converts a spreadsheet serial day number (days since 30/12/1899, as Excel and
/// LibreOffice count) into a date. The fraction of a day, if any, is ignored.
pub fn from_spreadsheet_serial(serial: f64) -> Result<Date, Invalid> {
    if !serial.is_finite() || !(1.0..=200_000.0).contains(&serial) {
        return Err(Invalid::Date(serial.to_string()));
    }
    let base = Date::constant(1899, 12, 30);
    base.checked_add(jiff::Span::new().days(serial.trunc() as i64))
        .map_err(|_| Invalid::Date(serial.to_string()))
}

/// `15/11/2023`: the short form the seeds use.
pub fn short(d: Date) -> String {
    d.strftime("%d/%m/%Y").to_string()
}

/// `15/11/2023 08:05`: a stored timestamp (`2023-11-15T08:05:09+07:00`, Vietnam's time)
/// as people read it; anything else is returned as it is.
pub fn timestamp_short(ts: &str) -> String {
    let (Some(day), Some(time)) = (ts.get(..10).and_then(parse_iso), ts.get(11..16)) else {
        return ts.to_string();
    };
    if ts.as_bytes().get(10) != Some(&b'T') || !time.bytes().enumerate().all(|(i, b)| (i == 2) == (b == b':')) {
        return ts.to_string();
    }
    format!("{} {time}", short(day))
}

/// `ngày 15 tháng 11 năm 2023`: the long form of the party's documents, with a leading
/// zero on days below 10 and on months 1 and 2, as administrative writing requires.
pub fn long(d: Date) -> String {
    let month = if d.month() <= 2 {
        format!("{:02}", d.month())
    } else {
        d.month().to_string()
    };
    format!("ngày {:02} tháng {} năm {}", d.day(), month, d.year())
}

/// Whole years between `birth` and `on` (a person's age on a day).
pub fn age_on(birth: Date, on: Date) -> i32 {
    let mut years = i32::from(on.year()) - i32::from(birth.year());
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years
}

/// A deadline as offices write them: a day (`31/03/2024`), or a quarter (`Q1/2024`,
/// `quý I/2024`, `quý 1 năm 2024`), which means its last day.
pub fn parse_deadline(s: &str) -> Result<Date, Invalid> {
    let folded = crate::name::fold(s);
    let words: Vec<&str> = folded.split_whitespace().filter(|w| *w != "nam").collect();
    let (q, year) = match words.as_slice() {
        ["quy", q, year] => (*q, *year),
        [q, year] if q.len() > 1 && q.starts_with('q') => (&q[1..], *year),
        _ => return parse_date(s),
    };
    let q = match q {
        "1" | "i" => 1,
        "2" | "ii" => 2,
        "3" | "iii" => 3,
        "4" | "iv" => 4,
        _ => return Err(Invalid::Date(s.trim().to_string())),
    };
    let year: i16 = year.parse().map_err(|_| Invalid::Date(s.trim().to_string()))?;
    if !(1945..=2100).contains(&year) {
        return Err(Invalid::DateRange(s.trim().to_string()));
    }
    let last = Date::new(year, q * 3, 1)
        .map_err(|_| Invalid::Date(s.trim().to_string()))?
        .last_of_month();
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_the_vietnamese_way() {
        assert_eq!(timestamp_short("2023-11-15T08:05:09+07:00"), "15/11/2023 08:05");
        assert_eq!(timestamp_short("2023-11-15 08:05"), "2023-11-15 08:05");
        assert_eq!(timestamp_short("ngày"), "ngày");
        assert_eq!(timestamp_short("2023-13-15T08:05:09"), "2023-13-15T08:05:09");
    }

    #[test]
    fn deadlines_by_quarter() {
        let d = |s| parse_deadline(s).map(short);
        assert_eq!(d("Q1/2024").as_deref(), Ok("31/03/2024"));
        assert_eq!(d("quý I/2024").as_deref(), Ok("31/03/2024"));
        assert_eq!(d("Quý 4 năm 2025").as_deref(), Ok("31/12/2025"));
        assert_eq!(d("15/01/2024").as_deref(), Ok("15/01/2024"));
        assert!(parse_deadline("quý V/2024").is_err());
        assert!(parse_deadline("Q1/1800").is_err());
    }

    #[test]
    fn parses_the_forms_people_type() {
        let d = Date::constant(2023, 11, 15);
        for s in ["15/11/2023", "15-11-2023", "15.11.2023", " 2023-11-15 "] {
            assert_eq!(parse_date(s), Ok(d), "{s}");
        }
        assert_eq!(parse_date("4/7/2023"), Ok(Date::constant(2023, 7, 4)));
    }

    #[test]
    fn rejects_days_that_do_not_exist() {
        for s in ["2023/11", "abc", "15/11/23", "1/1/1800"] {
            assert!(matches!(parse_date(s), Err(Invalid::Date(_))), "{s}");
        }
        for s in ["31/02/2023", "15/13/2023", "0/1/2020", "29/02/2023"] {
            assert!(matches!(parse_date(s), Err(Invalid::NoSuchDay(_))), "{s}");
        }
        assert!(parse_date("29/02/2024").is_ok());
        assert_eq!(parse_date("  "), Err(Invalid::Missing));
    }

    #[test]
    fn formats_as_the_seeds_do() {
        let d = Date::constant(2023, 11, 15);
        assert_eq!(short(d), "15/11/2023");
        assert_eq!(long(d), "ngày 15 tháng 11 năm 2023");
        assert_eq!(long(Date::constant(2024, 2, 4)), "ngày 04 tháng 02 năm 2024");
        assert_eq!(short(Date::constant(2023, 12, 4)), "04/12/2023");
    }

    #[test]
    fn spreadsheet_serials() {
        assert_eq!(from_spreadsheet_serial(45245.0), Ok(Date::constant(2023, 11, 15)));
        assert!(from_spreadsheet_serial(-3.0).is_err());
    }

    #[test]
    fn validity_is_half_open() {
        let v = Validity {
            from: Date::constant(2020, 1, 1),
            to: Some(Date::constant(2025, 7, 1)),
        };
        assert!(v.contains(Date::constant(2025, 6, 30)));
        assert!(!v.contains(Date::constant(2025, 7, 1)));
        assert!(!v.contains(Date::constant(2019, 12, 31)));
        // Shown by its last day, not by the first day it no longer holds.
        assert_eq!(v.period(crate::Lang::Vi), "01/01/2020 – 30/06/2025");
        assert_eq!(Validity::since(v.from).period(crate::Lang::En), "01/01/2020 – now");
    }

    #[test]
    fn ages() {
        let b = Date::constant(1985, 11, 16);
        assert_eq!(age_on(b, Date::constant(2025, 11, 15)), 39);
        assert_eq!(age_on(b, Date::constant(2025, 11, 16)), 40);
    }
}
