//! Byte classes, found fast: "from `from`, how far do bytes of class X go?"
//!
//! Every hot loop of the parser asks that question of one of three classes:
//! token bytes (method, field name), request-target bytes, field-value bytes
//! (also reason phrases). Two ways to ask:
//!
//! * the scans (`skip_token`, `skip_value`, `skip_target`): the index of the
//!   first byte in `from..end` that is *not* in the class, or `end`; used for
//!   the request line and for the byte-by-byte states;
//! * [`Blocks`], for field lines: 64-byte blocks are classified once into two
//!   bitmasks (not tchar, not a value byte) and a line's colon and CR are
//!   found by shifting a mask and counting trailing zeros, so a head of many
//!   short lines costs one classification per 64 bytes, not two scans per
//!   line. [`with_blocks`] runs the field-line loop compiled for the CPU's
//!   best classifier (under AVX2, the loop itself is compiled with AVX2 and
//!   the classifier inlined into it).
//!
//! The answers are defined by the `const` tables in `chars.rs`; the functions
//! in `scalar` are the reference every faster kernel is tested against
//! (`tests.rs`: all 256 byte values at every position, alignment and tail
//! length; every block classifier in every lane; `Blocks` searches against
//! the scans for every start, end and buffer length).
//!
//! Contract for every scan: `from <= end <= buf.len()`; the result `r`
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

/// Where token and field-value bytes stop, from 64-byte blocks classified
/// once: a head's field lines are found by walking two bitmasks instead of
/// scanning each line. A block is classified when a search reaches a byte
/// the kept blocks do not hold, and starts at that byte (so a search that
/// starts mid-buffer, as a resumed parse does, classifies no byte before
/// it; a search running off a block's end gets the block right after it).
/// Bytes past `buf.len()` count as stops in both classes, so every answer
/// is at most `buf.len()`.
///
/// Same answers as the scans: `token_end(from).min(end) ==
/// skip_token(buf, from, end)` for every `from <= end <= buf.len()`, and the
/// same for `value_end` and `skip_value` (tested in `tests.rs`). Searches are
/// cheapest moving forward (the last block is kept, and the value mask of the
/// one before).
pub(crate) struct Blocks<'a, K: Classify> {
    buf: &'a [u8],
    /// Index of the block's first byte; [`NO_BLOCK`] before the first load.
    base: usize,
    /// Bit `i`: `buf[base + i]` is not a tchar.
    token: u64,
    /// Bit `i`: `buf[base + i]` is not a field-value byte.
    value: u64,
    /// The block before ([`NO_BLOCK`]: none) and its value mask: a field
    /// line's value search starts at the line's start, which may lie in the
    /// block before the one its colon search moved to.
    prev_base: usize,
    prev_value: u64,
    classifier: K,
}

/// The base of no block: `i - NO_BLOCK` wraps to `i + 64`, never a lane,
/// for every index `i` of a slice.
const NO_BLOCK: usize = usize::MAX - 63;

/// A block classifier this CPU can run: `(not tchar, not a field-value
/// byte)` masks of 64 bytes, exactly [`scalar::classify`]. Only this module
/// builds one (after the feature check), so holding one is the proof its
/// instructions may run.
pub(crate) trait Classify: Copy {
    /// The masks of one block.
    fn classify(self, block: &[u8; 64]) -> (u64, u64);
}

/// Work that searches [`Blocks`], run by [`with_blocks`] with the best
/// classifier, compiled for its instruction set (so the classifier is
/// inlined into the search loop, and its constants stay in registers).
pub(crate) trait WithBlocks {
    /// What the work returns.
    type Output;
    /// Does the work with classifier `k`.
    fn run<K: Classify>(self, k: K) -> Self::Output;
}

/// Runs `op` with the best classifier for this CPU (one dispatch per call).
#[inline(always)]
pub(crate) fn with_blocks<O: WithBlocks>(op: O) -> O::Output {
    Backend::best().with_blocks(op)
}

impl<'a, K: Classify> Blocks<'a, K> {
    /// Nothing is classified until the first search.
    #[inline(always)]
    pub(crate) fn new(buf: &'a [u8], classifier: K) -> Self {
        Blocks { buf, base: NO_BLOCK, token: 0, value: 0, prev_base: NO_BLOCK, prev_value: 0, classifier }
    }

    /// First index at or after `from` whose byte is not a tchar, else `buf.len()`.
    #[inline(always)]
    pub(crate) fn token_end(&mut self, from: usize) -> usize {
        self.find(from, false)
    }

    /// First index at or after `from` whose byte may not be in a field value, else `buf.len()`.
    #[inline(always)]
    pub(crate) fn value_end(&mut self, from: usize) -> usize {
        self.find(from, true)
    }

    #[inline(always)]
    fn find(&mut self, mut from: usize, value: bool) -> usize {
        let len = self.buf.len();
        while from < len {
            // `from`'s lane in the kept block, the one before, or a new
            // block starting at `from`.
            let at = from.wrapping_sub(self.base);
            let (mask, at) = if at < 64 {
                (if value { self.value } else { self.token }, at)
            } else if value && from.wrapping_sub(self.prev_base) < 64 {
                (self.prev_value, from - self.prev_base)
            } else {
                self.load(from);
                (if value { self.value } else { self.token }, 0)
            };
            let rest = mask >> at;
            if rest != 0 {
                return from + rest.trailing_zeros() as usize;
            }
            from += 64 - at;
        }
        len
    }

    /// Classifies the block at `base` (below `buf.len()`).
    #[inline(always)]
    fn load(&mut self, base: usize) {
        (self.prev_base, self.prev_value) = (self.base, self.value);
        self.base = base;
        (self.token, self.value) = match self.buf.get(base..base + 64).and_then(|b| <&[u8; 64]>::try_from(b).ok()) {
            Some(block) => self.classifier.classify(block),
            None => last_block(self.classifier, self.buf, base),
        };
    }
}

/// The masks of the partial block at `base` (fewer than 64 bytes left):
/// the buffer's last 64 bytes classified and shifted down, or a padded
/// copy when the buffer is shorter; every bit past the end set.
#[inline(always)]
fn last_block<K: Classify>(classifier: K, buf: &[u8], base: usize) -> (u64, u64) {
    let len = buf.len();
    let past_end = !0u64 << (len - base);
    if let Some(block) = len.checked_sub(64).and_then(|at| buf.get(at..)).and_then(|b| <&[u8; 64]>::try_from(b).ok()) {
        // `block` starts at `len - 64 < base`: drop the lanes before `base`.
        let skip = base - (len - 64);
        let (token, value) = classifier.classify(block);
        return ((token >> skip) | past_end, (value >> skip) | past_end);
    }
    // NUL is a stop in both classes.
    let mut block = [0u8; 64];
    let tail = buf.get(base..).unwrap_or_default();
    if let Some(head) = block.get_mut(..tail.len()) {
        head.copy_from_slice(tail);
    }
    classifier.classify(&block)
}

/// Bit 0 of each of the 16 nibbles of `bits`, packed into 16 bits: a lane
/// mask with four bits per lane (NEON) to one bit per lane. Written here, not
/// in `vector.rs`, so it is tested on every machine.
#[cfg_attr(
    not(all(
        not(h1parse_no_simd),
        any(target_arch = "x86_64", all(target_arch = "aarch64", target_feature = "neon"))
    )),
    allow(dead_code)
)]
#[inline(always)]
pub(crate) const fn pack_nibbles(bits: u64) -> u64 {
    // Four equal bits per lane (NEON's narrowing shift): keep bit 0 of each
    // nibble and pack the 16 bits together, halving the gaps each step.
    let mut x = bits & 0x1111_1111_1111_1111;
    x = (x | (x >> 3)) & 0x0303_0303_0303_0303;
    x = (x | (x >> 6)) & 0x000f_000f_000f_000f;
    x = (x | (x >> 12)) & 0x0000_00ff_0000_00ff;
    (x | (x >> 24)) & 0xffff
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

    /// [`with_blocks`] with this backend's classifier.
    #[inline(always)]
    fn with_blocks<O: WithBlocks>(self, op: O) -> O::Output {
        match self {
            Backend::Swar => op.run(swar::Swar),
            #[cfg(all(not(h1parse_no_simd), target_arch = "x86_64"))]
            Backend::Sse2(k) => op.run(k),
            #[cfg(all(not(h1parse_no_simd), target_arch = "x86_64"))]
            Backend::Avx2(k) => k.with_blocks(op),
            #[cfg(all(not(h1parse_no_simd), target_arch = "aarch64", target_feature = "neon"))]
            Backend::Neon(k) => op.run(k),
        }
    }

    #[inline(always)]
    fn classify(self, block: &[u8; 64]) -> (u64, u64) {
        match self {
            Backend::Swar => Classify::classify(swar::Swar, block),
            #[cfg(all(not(h1parse_no_simd), target_arch = "x86_64"))]
            Backend::Sse2(k) => k.classify(block),
            #[cfg(all(not(h1parse_no_simd), target_arch = "x86_64"))]
            Backend::Avx2(k) => k.classify(block),
            #[cfg(all(not(h1parse_no_simd), target_arch = "aarch64", target_feature = "neon"))]
            Backend::Neon(k) => k.classify(block),
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

/// True if a [`Blocks`] search from `from` agrees with the scans' answers.
#[derive(Clone, Copy)]
struct SearchAgrees<'a> {
    buf: &'a [u8],
    from: usize,
    end: usize,
    token: usize,
    value: usize,
}

impl WithBlocks for SearchAgrees<'_> {
    type Output = bool;
    fn run<K: Classify>(self, k: K) -> bool {
        let mut blocks = Blocks::new(self.buf, k);
        blocks.token_end(self.from).min(self.end) == self.token
            && blocks.value_end(self.from).min(self.end) == self.value
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
            let agree = SearchAgrees { buf: data, from, end, token, value };
            if !Backend::available().all(|k| k.with_blocks(agree)) {
                return false;
            }
            for k in Backend::available() {
                if k.skip_token(data, from, end) != token
                    || k.skip_value(data, from, end) != value
                    || k.skip_target(data, from, end, false) != target
                    || k.skip_target(data, from, end, true) != lenient
                {
                    return false;
                }
            }
        }
    }
    // Every 64-byte window (zero-padded at the end) through every backend's classifier.
    for at in (0..len).step_by(16) {
        let mut block = [0u8; 64];
        let tail = data.get(at..).unwrap_or_default();
        let n = tail.len().min(64);
        if let (Some(dst), Some(src)) = (block.get_mut(..n), tail.get(..n)) {
            dst.copy_from_slice(src);
        }
        let want = scalar::classify(&block);
        if Backend::available().any(|k| k.classify(&block) != want) {
            return false;
        }
    }
    true
}
