//! `response_stream`: see `h1parse_fuzz::checks::response_stream` and fuzz/README.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| h1parse_fuzz::checks::response_stream(data));
