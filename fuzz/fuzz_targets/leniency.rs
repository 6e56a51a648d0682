//! `leniency`: see `h1parse_fuzz::checks::leniency` and fuzz/README.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| h1parse_fuzz::checks::leniency(data));
