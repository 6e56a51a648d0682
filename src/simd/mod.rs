//! Byte-class skipping: "from `from`, how far do bytes of class X go?"
//!
//! Every hot loop of the parser is one of three scans: token bytes (method,
//! field name), request-target bytes, and field-value bytes (also reason
//! phrases). Each function here returns the index of the first byte in
//! `from..end` that is *not* in the class, or `end` if all are.
//!
//! The answer is defined by the `const` tables in `chars.rs`; the functions in
//! `scalar` are the reference every faster kernel is tested against (`tests.rs`:
//! all 256 byte values at every position, alignment and tail length).
//!
//! Contract for every function: `from <= end <= buf.len()`; the result `r`
//! satisfies `from <= r <= end`, every byte in `from..r` is in the class, and
//! `r == end` or `buf[r]` is not in the class. Kernels may *read* bytes of
//! `buf` past `end`; they never report them.
//!
//! # Backends
//!
//! | backend | where | chosen |
//! |---------|-------|--------|
//! | `x86::Avx2` | x86_64 with AVX2 | compile time (`target_feature`), else run time under `std`, detected once and cached |
//! | `x86::Sse2` | every x86_64 | when AVX2 is absent (or not detectable: `no_std` without the target feature) |
//! | `neon::Neon` | aarch64 with NEON | compile time |
//! | `swar` | everywhere | other targets, or `--cfg h1parse_no_simd` |
//!
//! The vector backends share one algorithm (`vector.rs`) over a small
//! `Vector` trait. This module is the only one in the crate allowed `unsafe`;
//! every block carries a `// SAFETY:` comment, and the contract they rely on is
//! written once, in `vector.rs`. A backend handle (`Avx2`, ...) can only be
//! built after its feature check: holding one is the proof its code may run.
#![allow(unsafe_code)]

pub(crate) mod scalar;
mod swar;
#[cfg(test)]
mod tests;

#[cfg(all(not(h1parse_no_simd), any(target_arch = "x86_64", all(target_arch = "aarch64", target_feature = "neon"))))]
mod vector;

#[cfg(all(not(h1parse_no_simd), target_arch = "x86_64"))]
mod x86;

#[cfg(all(not(h1parse_no_simd), target_arch = "aarch64", target_feature = "neon"))]
mod neon;

/// The scans of a field line `name ":" OWS value` starting at `start`, in
/// one call: `(colon, value, end)` where `colon` ends the token at `start`;
/// if a `:` is there (and before `window`), `value` is past the OWS after it
/// and `end` is where the field-value bytes from `value` end; otherwise all
/// three are `colon`. Every index is at most `window`. Exactly what
/// `skip_token`, an OWS loop and `skip_value` give (`scalar::field_line`);
/// short lines cost one vector load instead of two kernel calls.
#[inline(always)]
pub(crate) fn field_line(buf: &[u8], start: usize, window: usize) -> (usize, usize, usize) {
    if window.wrapping_sub(start) < SHORT_WINDOW {
        return scalar::field_line(buf, start, window, &crate::chars::TCHAR, &crate::chars::VALUE);
    }
    Backend::best().field_line(buf, start, window)
}

/// Windows shorter than this are scanned by the scalar reference: a byte or
/// two of new input (a slow peer) costs less than a call into a vector kernel.
const SHORT_WINDOW: usize = 8;

/// First index in `from..end` whose byte is not a `tchar`, else `end`.
#[inline(always)]
pub(crate) fn skip_token(buf: &[u8], from: usize, end: usize) -> usize {
    if end.wrapping_sub(from) < SHORT_WINDOW {
        return short_scan(buf, from, end, &crate::chars::TCHAR);
    }
    Backend::best().skip_token(buf, from, end)
}

/// [`skip_token`] for tokens that are usually a few bytes long (a method):
/// the first `SHORT_WINDOW` bytes by table, the rest (if any) by vector.
#[inline(always)]
pub(crate) fn skip_short_token(buf: &[u8], from: usize, end: usize) -> usize {
    if from > end {
        return skip_token(buf, from, end);
    }
    let i = short_scan(buf, from, end.min(from + SHORT_WINDOW), &crate::chars::TCHAR);
    if i < from + SHORT_WINDOW || i == end { i } else { skip_token(buf, i, end) }
}

/// First index in `from..end` whose byte may not appear in a field value
/// (any CTL but HTAB, or DEL), else `end`.
#[inline(always)]
pub(crate) fn skip_value(buf: &[u8], from: usize, end: usize) -> usize {
    if end.wrapping_sub(from) < SHORT_WINDOW {
        return short_scan(buf, from, end, &crate::chars::VALUE);
    }
    Backend::best().skip_value(buf, from, end)
}

/// First index in `from..end` whose byte may not appear in a request-target,
/// else `end`. `non_ascii` also admits obs-text.
#[inline(always)]
pub(crate) fn skip_target(buf: &[u8], from: usize, end: usize, non_ascii: bool) -> usize {
    if end.wrapping_sub(from) < SHORT_WINDOW {
        let table = if non_ascii { &crate::chars::TARGET_LENIENT } else { &crate::chars::TARGET };
        return short_scan(buf, from, end, table);
    }
    Backend::best().skip_target(buf, from, end, non_ascii)
}

/// The scalar reference's answer for a window of a few bytes, as a plain
/// loop (no unrolling set-up). `from <= end` is checked by the caller.
#[inline(always)]
fn short_scan(buf: &[u8], from: usize, end: usize, table: &[bool; 256]) -> usize {
    let mut i = from;
    while i < end {
        match buf.get(i) {
            Some(&b) if crate::chars::in_class(table, b) => i += 1,
            Some(_) => return i,
            None => return scalar::skip_class(buf, from, end, table),
        }
    }
    end
}

/// True if `from..end` is a window of `buf` (the contract above). Kernels
/// check it and hand anything else to the scalar reference, which clamps.
#[inline(always)]
fn valid_window(buf: &[u8], from: usize, end: usize) -> bool {
    from <= end && end <= buf.len()
}

/// A kernel family that can run on this CPU.
#[derive(Clone, Copy, Debug)]
enum Backend {
    /// Portable SWAR (`swar.rs`).
    Swar,
    /// SSE2 (`x86.rs`).
    #[cfg(all(not(h1parse_no_simd), target_arch = "x86_64"))]
    Sse2(x86::Sse2),
    /// AVX2 (`x86.rs`), only after the CPU check.
    #[cfg(all(not(h1parse_no_simd), target_arch = "x86_64"))]
    Avx2(x86::Avx2),
    /// NEON (`neon.rs`).
    #[cfg(all(not(h1parse_no_simd), target_arch = "aarch64", target_feature = "neon"))]
    Neon(neon::Neon),
}

impl Backend {
    /// The fastest backend for this CPU.
    #[inline(always)]
    fn best() -> Backend {
        #[cfg(all(not(h1parse_no_simd), target_arch = "x86_64"))]
        {
            match x86::Avx2::detect() {
                Some(avx2) => Backend::Avx2(avx2),
                None => Backend::Sse2(x86::Sse2::new()),
            }
        }
        #[cfg(all(not(h1parse_no_simd), target_arch = "aarch64", target_feature = "neon"))]
        {
            Backend::Neon(neon::Neon::new())
        }
        #[cfg(not(all(
            not(h1parse_no_simd),
            any(target_arch = "x86_64", all(target_arch = "aarch64", target_feature = "neon"))
        )))]
        {
            Backend::Swar
        }
    }

    /// Every backend this CPU can run, slowest first (for tests and fuzzing).
    fn available() -> impl Iterator<Item = Backend> {
        let swar = Some(Backend::Swar);
        #[cfg(all(not(h1parse_no_simd), target_arch = "x86_64"))]
        let vectors = [Some(Backend::Sse2(x86::Sse2::new())), x86::Avx2::detect().map(Backend::Avx2)];
        #[cfg(all(not(h1parse_no_simd), target_arch = "aarch64", target_feature = "neon"))]
        let vectors = [Some(Backend::Neon(neon::Neon::new()))];
        #[cfg(not(all(
            not(h1parse_no_simd),
            any(target_arch = "x86_64", all(target_arch = "aarch64", target_feature = "neon"))
        )))]
        let vectors: [Option<Backend>; 0] = [];
        core::iter::once(swar).chain(vectors).flatten()
    }

    #[inline(always)]
    fn skip_token(self, buf: &[u8], from: usize, end: usize) -> usize {
        match self {
            Backend::Swar => swar::skip_token(buf, from, end),
            #[cfg(all(not(h1parse_no_simd), target_arch = "x86_64"))]
            Backend::Sse2(k) => k.skip_token(buf, from, end),
            #[cfg(all(not(h1parse_no_simd), target_arch = "x86_64"))]
            Backend::Avx2(k) => k.skip_token(buf, from, end),
            #[cfg(all(not(h1parse_no_simd), target_arch = "aarch64", target_feature = "neon"))]
            Backend::Neon(k) => k.skip_token(buf, from, end),
        }
    }

    #[inline(always)]
    fn field_line(self, buf: &[u8], start: usize, window: usize) -> (usize, usize, usize) {
        match self {
            Backend::Swar => swar::field_line(buf, start, window),
            #[cfg(all(not(h1parse_no_simd), target_arch = "x86_64"))]
            Backend::Sse2(k) => k.field_line(buf, start, window),
            #[cfg(all(not(h1parse_no_simd), target_arch = "x86_64"))]
            Backend::Avx2(k) => k.field_line(buf, start, window),
            #[cfg(all(not(h1parse_no_simd), target_arch = "aarch64", target_feature = "neon"))]
            Backend::Neon(k) => k.field_line(buf, start, window),
        }
    }

    #[inline(always)]
    fn skip_value(self, buf: &[u8], from: usize, end: usize) -> usize {
        match self {
            Backend::Swar => swar::skip_value(buf, from, end),
            #[cfg(all(not(h1parse_no_simd), target_arch = "x86_64"))]
            Backend::Sse2(k) => k.skip_value(buf, from, end),
            #[cfg(all(not(h1parse_no_simd), target_arch = "x86_64"))]
            Backend::Avx2(k) => k.skip_value(buf, from, end),
            #[cfg(all(not(h1parse_no_simd), target_arch = "aarch64", target_feature = "neon"))]
            Backend::Neon(k) => k.skip_value(buf, from, end),
        }
    }

    #[inline(always)]
    fn skip_target(self, buf: &[u8], from: usize, end: usize, non_ascii: bool) -> usize {
        match self {
            Backend::Swar => swar::skip_target(buf, from, end, non_ascii),
            #[cfg(all(not(h1parse_no_simd), target_arch = "x86_64"))]
            Backend::Sse2(k) => k.skip_target(buf, from, end, non_ascii),
            #[cfg(all(not(h1parse_no_simd), target_arch = "x86_64"))]
            Backend::Avx2(k) => k.skip_target(buf, from, end, non_ascii),
            #[cfg(all(not(h1parse_no_simd), target_arch = "aarch64", target_feature = "neon"))]
            Backend::Neon(k) => k.skip_target(buf, from, end, non_ascii),
        }
    }
}

/// What a vector kernel does with a buffer shorter than one vector: the SWAR
/// kernel of the same class.
#[cfg(all(not(h1parse_no_simd), any(target_arch = "x86_64", all(target_arch = "aarch64", target_feature = "neon"))))]
trait Fallback {
    fn fallback(buf: &[u8], from: usize, end: usize) -> usize;
}

#[cfg(all(not(h1parse_no_simd), any(target_arch = "x86_64", all(target_arch = "aarch64", target_feature = "neon"))))]
mod fallbacks {
    use super::vector::{Target, TargetLenient, Token, Value};
    use super::{Fallback, swar};

    impl Fallback for Token {
        #[inline(always)]
        fn fallback(buf: &[u8], from: usize, end: usize) -> usize {
            swar::skip_token(buf, from, end)
        }
    }
    impl Fallback for Value {
        #[inline(always)]
        fn fallback(buf: &[u8], from: usize, end: usize) -> usize {
            swar::skip_value(buf, from, end)
        }
    }
    impl Fallback for Target {
        #[inline(always)]
        fn fallback(buf: &[u8], from: usize, end: usize) -> usize {
            swar::skip_target(buf, from, end, false)
        }
    }
    impl Fallback for TargetLenient {
        #[inline(always)]
        fn fallback(buf: &[u8], from: usize, end: usize) -> usize {
            swar::skip_target(buf, from, end, true)
        }
    }
}

/// Runs every kernel this CPU can run, for every byte class and a few start
/// and end offsets, against the scalar reference; true if all agree. For the
/// differential fuzz target (`h1parse::__fuzz`).
pub fn kernels_agree(data: &[u8]) -> bool {
    use crate::chars::{TARGET, TARGET_LENIENT, TCHAR, VALUE};
    let len = data.len();
    let starts = [0, 1, 2, 3, 7, 15, 16, 17, 31, 32, 33, len / 2, len.saturating_sub(1), len];
    let ends = [len, len.saturating_sub(1), len.saturating_sub(9), len.saturating_sub(33)];
    for &from in starts.iter().filter(|&&s| s <= len) {
        for &end in ends.iter().filter(|&&e| e >= from) {
            let token = scalar::skip_class(data, from, end, &TCHAR);
            let value = scalar::skip_class(data, from, end, &VALUE);
            let target = scalar::skip_class(data, from, end, &TARGET);
            let lenient = scalar::skip_class(data, from, end, &TARGET_LENIENT);
            let line = scalar::field_line(data, from, end, &TCHAR, &VALUE);
            for k in Backend::available() {
                if k.field_line(data, from, end) != line
                    || k.skip_token(data, from, end) != token
                    || k.skip_value(data, from, end) != value
                    || k.skip_target(data, from, end, false) != target
                    || k.skip_target(data, from, end, true) != lenient
                {
                    return false;
                }
            }
        }
    }
    true
}
