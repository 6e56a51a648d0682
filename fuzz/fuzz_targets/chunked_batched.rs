//! `chunked_batched`: see `h1parse_fuzz::batched::chunked_batched` and fuzz/README.md.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| h1parse_fuzz::batched::chunked_batched(data));
