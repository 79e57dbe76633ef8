#![no_main]
//! See `checks::checkins`.

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::checkins(data));
