//! `request_stream`: see `h1parse_fuzz::checks::request_stream` and fuzz/README.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| h1parse_fuzz::checks::request_stream(data));
