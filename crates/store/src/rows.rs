//! Turning stored text back into domain values; a value that does not parse means the
//! database was changed behind dangbo's back, and is reported as corruption.

use crate::StoreError;
use dangbo_domain::Date;
use dangbo_domain::date::{iso, parse_iso};

pub(crate) fn corrupt(table: &'static str, column: &'static str, value: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        table,
        column,
        value: value.into(),
    }
}

pub(crate) fn date(table: &'static str, column: &'static str, s: &str) -> Result<Date, StoreError> {
    parse_iso(s).ok_or_else(|| corrupt(table, column, s))
}

pub(crate) fn opt_date(table: &'static str, column: &'static str, s: Option<&str>) -> Result<Option<Date>, StoreError> {
    s.map(|s| date(table, column, s)).transpose()
}

pub(crate) fn d(date: Date) -> String {
    iso(date)
}

/// The SQL condition "valid on the day bound as `$n`" for a table alias.
pub(crate) fn valid_on(alias: &str, n: usize) -> String {
    format!("{alias}.valid_from <= ${n} AND ({alias}.valid_to IS NULL OR {alias}.valid_to > ${n})")
}
