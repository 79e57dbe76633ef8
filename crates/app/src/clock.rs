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
}

impl Clock {
    fn now(&self) -> jiff::civil::DateTime {
        match self {
            Clock::System => jiff::Timestamp::now()
                .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(7)))
                .datetime(),
            Clock::Fixed(d) => d.to_datetime(jiff::civil::Time::midnight()),
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
