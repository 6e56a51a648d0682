//! `chunked_body`: see `h1parse_fuzz::checks::chunked_body` and fuzz/README.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| h1parse_fuzz::checks::chunked_body(data));
