//! `vs_httparse`: see `h1parse_fuzz::interop` and fuzz/README.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| h1parse_fuzz::interop::vs_httparse(data));
