#![no_main]
//! See `checks::ballot`.

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::ballot(data));
