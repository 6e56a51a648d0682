//! `simd_vs_scalar`: see `h1parse_fuzz::checks::simd_vs_scalar` and fuzz/README.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| h1parse_fuzz::checks::simd_vs_scalar(data));
