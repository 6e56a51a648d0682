//! The one SIMD algorithm, written once over a small [`Vector`] trait.
//!
//! # Idea
//!
//! A class scan loads `V::LANES` bytes, computes a lane mask of the bytes that
//! are *not* in the class, and stops at the lowest set lane. Loads may read
//! past `end` (the scan window) as long as they stay inside `buf`: a head scan
//! is usually bounded by the line limit or the end of the received bytes, and
//! the bytes after the window are simply masked out by `min(end)`. When fewer
//! than `V::LANES` bytes are left before `buf.len()`, the last vector is loaded
//! so that it *ends* at `buf.len()` (it overlaps bytes already known to be in
//! the class, which are shifted out of the mask). So there is no scalar tail
//! at all once `buf` holds one vector.
//!
//! # Classes as lane predicates
//!
//! Each class is a few unsigned byte comparisons (`min` + `eq` test `x <= k`):
//!
//! * value: `(x <= 0x1f) ^ (x == HTAB) | (x == DEL)`;
//! * target: `x + 0x81 <= 0xa1` (wrapping), i.e. `x <= 0x20 || x >= 0x7f`;
//! * lenient target: `x <= 0x20 | x == DEL`;
//! * token: a nibble lookup where the ISA has a byte shuffle (`lo[x & 15] &
//!   hi[x >> 4] == 0`), otherwise nine ranges of non-tchar bytes.
//!
//! The tests in `tests.rs` check every predicate against the `chars.rs` tables
//! for all 256 byte values at every lane, alignment and tail length.
//!
//! # Safety contract
//!
//! Implementors of [`Vector`] wrap ISA intrinsics. Every method is `unsafe`
//! with one contract, stated here once: *the CPU running the code supports the
//! implementor's instruction set*. Only [`Vectors`] calls them, and a
//! `Vectors<V>` is built only where that holds (its `new` is `unsafe` with
//! that contract: `x86.rs` and `neon.rs` build one for the baseline ISA, and
//! for AVX2 inside the function compiled for it, after the CPU check).
//! `load` additionally needs `LANES` readable bytes at its pointer.

use core::marker::PhantomData;

use super::{BlockMasks, Kernels, swar};
use crate::chars::TCHAR;

/// Per-lane byte operations of one vector width. See the module's safety contract.
pub(super) trait Vector: Copy {
    /// Bytes per vector.
    const LANES: usize;
    /// Bits that `true_bits` uses per lane (1 for `movemask`, 4 for NEON).
    const BITS_PER_LANE: u32;

    /// Every lane `b`.
    unsafe fn splat(b: u8) -> Self;
    /// `LANES` bytes from `p` (unaligned).
    unsafe fn load(p: *const u8) -> Self;
    /// Lane-wise `==`: all ones or all zeros.
    unsafe fn eq(self, other: Self) -> Self;
    /// Lane-wise unsigned minimum.
    unsafe fn min(self, other: Self) -> Self;
    /// Lane-wise wrapping subtraction.
    unsafe fn sub(self, other: Self) -> Self;
    /// Bitwise or.
    unsafe fn or(self, other: Self) -> Self;
    /// Bitwise xor.
    unsafe fn xor(self, other: Self) -> Self;
    /// `BITS_PER_LANE` set bits for each all-ones lane, lane 0 lowest.
    unsafe fn true_bits(self) -> u64;

    /// All-ones in lanes whose byte is not a `tchar`. The default uses only
    /// comparisons; ISAs with a byte shuffle override it with a nibble lookup.
    #[inline(always)]
    unsafe fn not_tchar(self) -> Self {
        // SAFETY: the module contract holds for the caller, so for these calls.
        unsafe {
            // Non-tchar bytes, as ranges: 0x00-0x20 and 0x7f-0xff (one
            // wrapping range), '"', '(' ')', ',', '/', ':'-'@', '['-']', '{', '}'.
            let ends = self.at_most_after(0x7f, 0xa1);
            let paren = self.at_most_after(b'(', 1);
            let colon_at = self.at_most_after(b':', b'@' - b':');
            let brackets = self.at_most_after(b'[', 2);
            let singles = self
                .eq(Self::splat(b'"'))
                .or(self.eq(Self::splat(b',')))
                .or(self.eq(Self::splat(b'/')))
                .or(self.eq(Self::splat(b'{')))
                .or(self.eq(Self::splat(b'}')));
            ends.or(paren).or(colon_at).or(brackets).or(singles)
        }
    }

    /// `(not tchar, not a field-value byte)` lane bits of one vector, as
    /// `true_bits` gives them. ISAs with a byte shuffle override it to share
    /// the nibble lookups between the two classes.
    #[inline(always)]
    unsafe fn class_bits(self) -> (u64, u64) {
        // SAFETY: the module contract holds for the caller, so for these calls.
        unsafe { (Token::outside(self).true_bits(), Value::outside(self).true_bits()) }
    }

    /// All-ones in lanes where `x - lo <= span` (wrapping), i.e. `x` lies in
    /// `lo..=lo + span` modulo 256.
    #[inline(always)]
    unsafe fn at_most_after(self, lo: u8, span: u8) -> Self {
        // SAFETY: the module contract holds for the caller, so for these calls.
        unsafe {
            let d = self.sub(Self::splat(lo));
            d.min(Self::splat(span)).eq(d)
        }
    }
}

/// A byte class as a lane predicate: all-ones in lanes *outside* the class.
pub(super) trait Class {
    /// Lanes of `v` whose byte is not in the class.
    unsafe fn outside<V: Vector>(v: V) -> V;
    /// The portable scan of the class, for buffers shorter than one vector.
    fn fallback(buf: &[u8], from: usize, end: usize) -> usize;
}

/// `tchar` (`chars::TCHAR`).
pub(super) struct Token;
/// Field-value bytes (`chars::VALUE`).
pub(super) struct Value;
/// Strict request-target bytes (`chars::TARGET`).
pub(super) struct Target;
/// Request-target bytes with obs-text (`chars::TARGET_LENIENT`).
pub(super) struct TargetLenient;

impl Class for Token {
    #[inline(always)]
    unsafe fn outside<V: Vector>(v: V) -> V {
        // SAFETY: the module contract holds for the caller.
        unsafe { v.not_tchar() }
    }
    #[inline(always)]
    fn fallback(buf: &[u8], from: usize, end: usize) -> usize {
        swar::skip_token(buf, from, end)
    }
}

impl Class for Value {
    #[inline(always)]
    unsafe fn outside<V: Vector>(v: V) -> V {
        // SAFETY: the module contract holds for the caller.
        unsafe {
            let ctl = v.min(V::splat(0x1f)).eq(v);
            ctl.xor(v.eq(V::splat(b'\t'))).or(v.eq(V::splat(0x7f)))
        }
    }
    #[inline(always)]
    fn fallback(buf: &[u8], from: usize, end: usize) -> usize {
        swar::skip_value(buf, from, end)
    }
}

impl Class for Target {
    #[inline(always)]
    unsafe fn outside<V: Vector>(v: V) -> V {
        // SAFETY: the module contract holds for the caller.
        unsafe { v.at_most_after(0x7f, 0xa1) }
    }
    #[inline(always)]
    fn fallback(buf: &[u8], from: usize, end: usize) -> usize {
        swar::skip_target(buf, from, end, false)
    }
}

impl Class for TargetLenient {
    #[inline(always)]
    unsafe fn outside<V: Vector>(v: V) -> V {
        // SAFETY: the module contract holds for the caller.
        unsafe { v.min(V::splat(0x20)).eq(v).or(v.eq(V::splat(0x7f))) }
    }
    #[inline(always)]
    fn fallback(buf: &[u8], from: usize, end: usize) -> usize {
        swar::skip_target(buf, from, end, true)
    }
}

/// Nibble tables for a shuffle-based `tchar` test: byte `x` is a tchar iff
/// `TCHAR_LO[x & 15] & TCHAR_HI[x >> 4] != 0`. Every tchar is ASCII, so the
/// high half of `TCHAR_HI` is zero.
// Evaluated at compile time: an index out of range fails the build.
#[allow(clippy::indexing_slicing)]
pub(super) const TCHAR_LO: [u8; 16] = {
    let mut t = [0u8; 16];
    let mut x = 0;
    while x < 128 {
        if TCHAR[x] {
            t[x & 15] |= 1 << (x >> 4);
        }
        x += 1;
    }
    t
};

/// Like [`TCHAR_LO`] for the bytes that may *not* appear in a field value:
/// byte `x` is one iff `NOT_VALUE_LO[x & 15] & TCHAR_HI[x >> 4] != 0` (every
/// such byte is ASCII; obs-text is allowed).
// Evaluated at compile time: an index out of range fails the build.
#[allow(clippy::indexing_slicing)]
#[cfg(target_arch = "x86_64")]
pub(super) const NOT_VALUE_LO: [u8; 16] = {
    let mut t = [0u8; 16];
    let mut x = 0;
    while x < 128 {
        if !crate::chars::VALUE[x] {
            t[x & 15] |= 1 << (x >> 4);
        }
        x += 1;
    }
    t
};

/// See [`TCHAR_LO`].
pub(super) const TCHAR_HI: [u8; 16] = [1, 2, 4, 8, 16, 32, 64, 128, 0, 0, 0, 0, 0, 0, 0, 0];

/// First index in `from..end` whose byte is outside class `C`, else `end`.
///
/// # Safety
///
/// The module contract for `V`. `buf.len() >= V::LANES` and
/// `from <= end <= buf.len()` (the callers in `x86.rs`/`neon.rs` check both).
#[inline(always)]
pub(super) unsafe fn skip<V: Vector, C: Class>(buf: &[u8], from: usize, end: usize) -> usize {
    debug_assert!(from <= end && end <= buf.len() && buf.len() >= V::LANES);
    let len = buf.len();
    let p = buf.as_ptr();
    let mut i = from;
    // Two vectors per round while both fit: one branch per 2 * LANES bytes,
    // which long values (a cookie, a token) pay back.
    while i < end && len - i >= 2 * V::LANES {
        // SAFETY: `i + 2 * LANES <= len`, so both loads stay inside `buf`.
        let (a, b) = unsafe { (C::outside(V::load(p.add(i))), C::outside(V::load(p.add(i + V::LANES)))) };
        // SAFETY: the ISA is the caller's contract.
        if unsafe { a.or(b).true_bits() } != 0 {
            // SAFETY: as above.
            let (a, b) = unsafe { (a.true_bits(), b.true_bits()) };
            let at = if a != 0 {
                i + (a.trailing_zeros() / V::BITS_PER_LANE) as usize
            } else {
                i + V::LANES + (b.trailing_zeros() / V::BITS_PER_LANE) as usize
            };
            return at.min(end);
        }
        i += 2 * V::LANES;
    }
    while i < end && len - i >= V::LANES {
        // SAFETY: `i + LANES <= len`, so the load stays inside `buf`; the ISA
        // is the caller's contract.
        let bits = unsafe { C::outside(V::load(p.add(i))).true_bits() };
        if bits != 0 {
            return (i + (bits.trailing_zeros() / V::BITS_PER_LANE) as usize).min(end);
        }
        i += V::LANES;
    }
    if i >= end {
        return end;
    }
    // Fewer than LANES bytes left before `len`: the last vector of `buf`,
    // with the lanes before `i` (already known to be in the class) shifted out.
    let last = len - V::LANES;
    debug_assert!(last < i);
    // SAFETY: `last + LANES == len`, so the load stays inside `buf`.
    let bits = unsafe { C::outside(V::load(p.add(last))).true_bits() } >> ((i - last) as u32 * V::BITS_PER_LANE);
    if bits != 0 { (i + (bits.trailing_zeros() / V::BITS_PER_LANE) as usize).min(end) } else { end }
}

/// The masks of one 64-byte block ([`BlockMasks`]), bit `i` for byte `i`.
///
/// # Safety
///
/// The module contract for `V` (the block is 64 readable bytes by type).
#[inline(always)]
pub(super) unsafe fn classify<V: Vector>(block: &[u8; 64]) -> BlockMasks {
    let (mut not_tchar, mut not_value) = (0u64, 0u64);
    let mut k = 0;
    while k < 64 {
        // SAFETY: `k + LANES <= 64` (LANES divides 64), so the load stays in
        // the block; the ISA is the caller's contract.
        let (t, v) = unsafe { V::load(block.as_ptr().add(k)).class_bits() };
        not_tchar |= one_bit_per_lane::<V>(t) << k;
        not_value |= one_bit_per_lane::<V>(v) << k;
        k += V::LANES;
    }
    BlockMasks { not_tchar, not_value }
}

/// `true_bits` with one bit per lane, whatever the ISA gives.
#[inline(always)]
fn one_bit_per_lane<V: Vector>(bits: u64) -> u64 {
    if V::BITS_PER_LANE == 1 { bits } else { pack_nibbles(bits) }
}

/// Bit 0 of each of the 16 nibbles of `bits`, packed into 16 bits: a lane
/// mask with four bits per lane (NEON) to one bit per lane. Tested on every
/// vector target, so on x86_64 too.
#[cfg_attr(not(target_arch = "aarch64"), allow(dead_code))]
#[inline(always)]
pub(super) const fn pack_nibbles(bits: u64) -> u64 {
    // Four equal bits per lane (NEON's narrowing shift): keep bit 0 of each
    // nibble and pack the 16 bits together, halving the gaps each step.
    let mut x = bits & 0x1111_1111_1111_1111;
    x = (x | (x >> 3)) & 0x0303_0303_0303_0303;
    x = (x | (x >> 6)) & 0x000f_000f_000f_000f;
    x = (x | (x >> 12)) & 0x0000_00ff_0000_00ff;
    (x | (x >> 24)) & 0xffff
}

/// The kernels of vector type `V`: the algorithm above, with the SWAR scan
/// for buffers shorter than one vector. Built only where `V`'s instructions
/// may run (the contract of [`Vectors::new`]), so its methods are safe.
#[derive(Clone, Copy, Debug)]
pub(super) struct Vectors<V>(PhantomData<V>);

impl<V: Vector> Vectors<V> {
    /// # Safety
    ///
    /// The running CPU supports `V`'s instruction set, and every call to
    /// the kernels is compiled where its intrinsics can be inlined (baseline
    /// features, or inside a function with the feature enabled).
    #[inline(always)]
    pub(super) const unsafe fn new() -> Self {
        Vectors(PhantomData)
    }

    #[inline(always)]
    fn skip<C: Class>(self, buf: &[u8], from: usize, end: usize) -> usize {
        if !super::valid_window(buf, from, end) || buf.len() < V::LANES {
            return C::fallback(buf, from, end);
        }
        // SAFETY: holding `self` proves the ISA (`new`); the window and the
        // length were checked above.
        unsafe { skip::<V, C>(buf, from, end) }
    }
}

impl<V: Vector> Kernels for Vectors<V> {
    #[inline(always)]
    fn skip_token(self, buf: &[u8], from: usize, end: usize) -> usize {
        self.skip::<Token>(buf, from, end)
    }

    #[inline(always)]
    fn skip_value(self, buf: &[u8], from: usize, end: usize) -> usize {
        self.skip::<Value>(buf, from, end)
    }

    #[inline(always)]
    fn skip_target(self, buf: &[u8], from: usize, end: usize, non_ascii: bool) -> usize {
        if non_ascii { self.skip::<TargetLenient>(buf, from, end) } else { self.skip::<Target>(buf, from, end) }
    }

    #[inline(always)]
    fn classify(self, block: &[u8; 64]) -> BlockMasks {
        // SAFETY: holding `self` proves the ISA (`new`); the block is 64
        // bytes by type.
        unsafe { classify::<V>(block) }
    }
}
