//! Where "today" comes from: the system clock in Vietnam's time zone, or a fixed day in
//! tests and reproducible runs.

use dangbo_domain::Date;

/// A source of the current day and time.
#[derive(Debug, Clone)]
pub enum Clock {
    /// The system clock, read in Asia/Ho_Chi_Minh (UTC+7, no daylight saving).
    System,
    /// Always this day, at midnight.
    Fixed(Date),
    /// The system clock moved by whole days: today is another day, and the time of day
    /// runs on (rehearsals, and replaying a conference held on another day).
    Shifted(i64),
}

impl Clock {
    /// The system clock moved so that today is `day`.
    pub fn as_if(day: Date) -> Clock {
        let days = Clock::System.today().until(day).map_or(0, |s| i64::from(s.get_days()));
        Clock::Shifted(days)
    }

    fn now(&self) -> jiff::civil::DateTime {
        let system = || {
            jiff::Timestamp::now()
                .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(7)))
                .datetime()
        };
        match self {
            Clock::System => system(),
            Clock::Fixed(d) => d.to_datetime(jiff::civil::Time::midnight()),
            Clock::Shifted(days) => system()
                .checked_add(jiff::Span::new().days(*days))
                .unwrap_or_else(|_| system()),
        }
    }

    /// Seconds since 1970 for codes that phones compute from their own clocks (TOTP):
    /// the real time even when today is shifted; midnight of the day when it is fixed.
    pub fn unix(&self) -> i64 {
        match self {
            Clock::Fixed(d) => d
                .to_datetime(jiff::civil::Time::midnight())
                .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(7)))
                .map_or(0, |z| z.timestamp().as_second()),
            Clock::System | Clock::Shifted(_) => jiff::Timestamp::now().as_second(),
        }
    }

    /// Today in Vietnam.
    pub fn today(&self) -> Date {
        self.now().date()
    }

    /// Now, as `2026-11-21T09:30:00+07:00`, for the audit log.
    pub fn timestamp(&self) -> String {
        self.timestamp_in(0)
    }

    /// The time `seconds` from now (negative: ago), written as [`Clock::timestamp`].
    pub fn timestamp_in(&self, seconds: i64) -> String {
        let t = self
            .now()
            .checked_add(jiff::Span::new().seconds(seconds))
            .unwrap_or_else(|_| self.now());
        format!("{}+07:00", t.strftime("%Y-%m-%dT%H:%M:%S"))
    }
}
