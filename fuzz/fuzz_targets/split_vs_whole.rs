//! `split_vs_whole`: see `h1parse_fuzz::checks::split_vs_whole` and fuzz/README.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| h1parse_fuzz::checks::split_vs_whole(data));
