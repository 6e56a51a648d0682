//! Byte classes, found fast: "from `from`, how far do bytes of class X go?"
//!
//! Every hot loop of the parser asks that question of one of three classes:
//! token bytes (method, field name), request-target bytes, field-value bytes
//! (also reason phrases). Two ways to ask:
//!
//! * the scans (`skip_token`, `skip_value`, `skip_target`): the index of the
//!   first byte in `from..end` that is *not* in the class, or `end`; used by
//!   the byte-by-byte states;
//! * the block index (`index.rs`): 64-byte blocks classified once into
//!   bitmasks, so a head of many short lines costs one classification per 64
//!   bytes, not a scan per line. [`with_kernels`] runs work such as the
//!   field-line walk compiled for the CPU's best kernels (under AVX2, the
//!   work itself is compiled with AVX2 and the kernels are inlined into it).
//!
//! The answers are defined by the `const` tables in `chars.rs`; the functions
//! in `scalar` are the reference every faster kernel is tested against
//! (`tests.rs`: all 256 byte values at every position, alignment and tail
//! length; every block classifier in every lane; index searches against the
//! scans for every start, end and buffer length).
//!
//! Contract for every scan: `from <= end <= buf.len()`; the result `r`
//! satisfies `from <= r <= end`, every byte in `from..r` is in the class, and
//! `r == end` or `buf[r]` is not in the class. Kernels may *read* bytes of
//! `buf` past `end`; they never report them.
//!
//! # Layout
//!
//! | file | what |
//! |------|------|
//! | `mod.rs` | the scans, the `cfg` switches |
//! | `dispatch.rs` | [`Kernels`], [`WithKernels`], and the one `Backend` dispatch of each target |
//! | `index.rs` | the block masks and the cursor that searches them |
//! | `vector.rs` | the one SIMD algorithm, over a small `Vector` trait, and its kernels |
//! | `x86.rs`, `neon.rs` | the vector types of each ISA, and AVX2 detection |
//! | `swar.rs` | the portable kernels |
//! | `scalar.rs` | the reference |
//! | `check.rs` | every kernel against the reference, for tests and fuzzing |
//!
//! # Backends
//!
//! | backend | where | chosen |
//! |---------|-------|--------|
//! | AVX2 (`x86.rs`) | x86_64 with AVX2 | compile time (`target_feature`), else run time under `std`, detected once and cached |
//! | SSE2 (`x86.rs`) | every x86_64 | when AVX2 is absent (or not detectable: `no_std` without the target feature) |
//! | NEON (`neon.rs`) | aarch64 with NEON | compile time |
//! | SWAR (`swar.rs`) | everywhere | other targets, or `--cfg h1parse_no_simd` |
//!
//! This module is the only one in the crate allowed `unsafe`; every block
//! carries a `// SAFETY:` comment, and the contract they rely on is written
//! once, in `vector.rs`. A vector kernel can only be built where its
//! instructions may run (after the CPU check for AVX2), so holding one is the
//! proof its code may run.
#![allow(unsafe_code)]

/// Items for x86_64 with the vector backends on: the one place their
/// predicate is written (Miri runs them too: it knows SSE2 and AVX2).
macro_rules! cfg_x86 {
    ($($item:item)*) => {$(
        #[cfg(all(target_arch = "x86_64", not(h1parse_no_simd)))]
        $item
    )*};
}

/// Items for aarch64 with NEON and the vector backends on.
macro_rules! cfg_neon {
    ($($item:item)*) => {$(
        #[cfg(all(target_arch = "aarch64", target_feature = "neon", not(h1parse_no_simd)))]
        $item
    )*};
}

/// Items for every target with a vector backend (either of the two above).
macro_rules! cfg_vectors {
    ($($item:item)*) => {$(
        #[cfg(all(any(target_arch = "x86_64", all(target_arch = "aarch64", target_feature = "neon")), not(h1parse_no_simd)))]
        $item
    )*};
}

/// Items for every target without a vector backend (the negation of the one above).
macro_rules! cfg_portable {
    ($($item:item)*) => {$(
        #[cfg(not(all(
            any(target_arch = "x86_64", all(target_arch = "aarch64", target_feature = "neon")),
            not(h1parse_no_simd)
        )))]
        $item
    )*};
}

mod check;
mod dispatch;
mod index;
pub(crate) mod scalar;
mod swar;
#[cfg(test)]
mod tests;

cfg_vectors! {
    mod vector;
}
cfg_x86! {
    mod x86;
}
cfg_neon! {
    mod neon;
}

pub use check::kernels_agree;
pub(crate) use dispatch::{Kernels, WithKernels, with_kernels};
pub(crate) use index::{BlockMasks, Cursor};

/// Windows shorter than this are scanned by the scalar reference: a byte or
/// two of new input (a slow peer) costs less than a call into a vector kernel.
const SHORT_WINDOW: usize = 8;

/// A class scan, as work for [`with_kernels`]: `CLASS` is a [`ScanClass`]
/// as `u8`, so each class is its own instantiation, without a `match` at
/// run time.
#[derive(Clone, Copy)]
struct Scan<'a, const CLASS: u8> {
    buf: &'a [u8],
    from: usize,
    end: usize,
}

/// Which class a [`Scan`] skips.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum ScanClass {
    Token,
    Value,
    Target,
    /// The target with obs-text (the `non_ascii_target` leniency).
    TargetLenient,
}

const TOKEN: u8 = ScanClass::Token as u8;
const VALUE: u8 = ScanClass::Value as u8;
const TARGET: u8 = ScanClass::Target as u8;
const TARGET_LENIENT: u8 = ScanClass::TargetLenient as u8;

#[cfg(test)]
impl ScanClass {
    /// The reference table of the class.
    fn table(self) -> &'static [bool; 256] {
        match self {
            ScanClass::Token => &crate::chars::TCHAR,
            ScanClass::Value => &crate::chars::VALUE,
            ScanClass::Target => &crate::chars::TARGET,
            ScanClass::TargetLenient => &crate::chars::TARGET_LENIENT,
        }
    }
}

impl<const CLASS: u8> WithKernels for Scan<'_, CLASS> {
    type Output = usize;

    #[inline(always)]
    fn run<K: Kernels>(self, k: K) -> usize {
        let Scan { buf, from, end } = self;
        match CLASS {
            TOKEN => k.skip_token(buf, from, end),
            VALUE => k.skip_value(buf, from, end),
            TARGET => k.skip_target(buf, from, end, false),
            _ => k.skip_target(buf, from, end, true),
        }
    }
}

/// The scan of class `CLASS` over `from..end`: a few bytes by table, more by
/// the best kernel.
#[inline(always)]
fn scan<const CLASS: u8>(table: &[bool; 256], buf: &[u8], from: usize, end: usize) -> usize {
    if end.wrapping_sub(from) < SHORT_WINDOW {
        return short_scan(buf, from, end, table);
    }
    with_kernels(Scan::<CLASS> { buf, from, end })
}

/// First index in `from..end` whose byte is not a `tchar`, else `end`.
#[inline(always)]
pub(crate) fn skip_token(buf: &[u8], from: usize, end: usize) -> usize {
    scan::<TOKEN>(&crate::chars::TCHAR, buf, from, end)
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
    scan::<VALUE>(&crate::chars::VALUE, buf, from, end)
}

/// First index in `from..end` whose byte may not appear in a request-target,
/// else `end`. `non_ascii` also admits obs-text.
#[inline(always)]
pub(crate) fn skip_target(buf: &[u8], from: usize, end: usize, non_ascii: bool) -> usize {
    if non_ascii {
        scan::<TARGET_LENIENT>(&crate::chars::TARGET_LENIENT, buf, from, end)
    } else {
        scan::<TARGET>(&crate::chars::TARGET, buf, from, end)
    }
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
