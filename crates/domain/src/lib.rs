//! The domain of dangbo: pure types and rules for the party organization tree, members,
//! people and cadres, Vietnamese names, dates and numbers. No I/O, no async, no SQL:
//! everything here can be tested with plain values, and every other crate builds on it.

pub mod ballot;
pub mod cadre;
pub mod date;
pub mod document;
pub mod indicator;
pub mod lang;
pub mod member;
pub mod name;
pub mod number;
pub mod org;
pub mod planning;
pub mod report;

pub use date::{Date, Validity};
pub use lang::{Invalid, Lang};
