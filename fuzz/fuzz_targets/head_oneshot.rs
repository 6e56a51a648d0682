//! `head_oneshot`: see `h1parse_fuzz::checks::head_oneshot` and fuzz/README.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| h1parse_fuzz::checks::head_oneshot(data));
