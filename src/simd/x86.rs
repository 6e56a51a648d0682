//! x86_64 backends: SSE2 (every x86_64 CPU) and AVX2 (checked).
//!
//! Each backend is a zero-sized *capability handle*: [`Sse2`] can always be
//! built on x86_64, [`Avx2`] only after the CPU said it has AVX2 (at run time
//! under `std`, at compile time otherwise). Holding a handle is the proof the
//! `#[target_feature]` functions behind its methods may run, so the methods are
//! safe. The vector types implement [`Vector`] for the shared algorithm; their
//! safety contract is the one in `vector.rs`.
//!
//! AVX-512BW is not used. Measured on the benchmark machine (a 64-lane
//! `Vector` over `__m512i`): a 4 KiB field value parsed in 201 ns instead of
//! 273 ns, heads of short lines no faster (the 64-field request 10% slower
//! until the first vector of a line stayed AVX2). It pays off only for long
//! values, and its intrinsics need Rust 1.89 while the crate's MSRV is 1.85;
//! worth adding with an MSRV bump.

use core::arch::x86_64::*;

use super::vector::{self, Class, NOT_VALUE_LO, TCHAR_HI, TCHAR_LO, Token, Value, Vector};

/// 16 lanes of SSE2. Contract: see `vector.rs` (SSE2 is baseline on x86_64).
#[derive(Clone, Copy)]
struct V128(__m128i);

impl Vector for V128 {
    const LANES: usize = 16;
    const BITS_PER_LANE: u32 = 1;

    #[inline(always)]
    unsafe fn splat(b: u8) -> Self {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        V128(unsafe { _mm_set1_epi8(b as i8) })
    }
    #[inline(always)]
    unsafe fn load(p: *const u8) -> Self {
        // SAFETY: the caller guarantees 16 readable bytes at `p`; loadu has no
        // alignment requirement.
        V128(unsafe { _mm_loadu_si128(p.cast()) })
    }
    #[inline(always)]
    unsafe fn eq(self, o: Self) -> Self {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        V128(unsafe { _mm_cmpeq_epi8(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn min(self, o: Self) -> Self {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        V128(unsafe { _mm_min_epu8(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn sub(self, o: Self) -> Self {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        V128(unsafe { _mm_sub_epi8(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn or(self, o: Self) -> Self {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        V128(unsafe { _mm_or_si128(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn xor(self, o: Self) -> Self {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        V128(unsafe { _mm_xor_si128(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn true_bits(self) -> u64 {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        u64::from(unsafe { _mm_movemask_epi8(self.0) } as u16)
    }
}

/// 32 lanes of AVX2. Contract: see `vector.rs`; only reached through [`Avx2`].
#[derive(Clone, Copy)]
struct V256(__m256i);

impl Vector for V256 {
    const LANES: usize = 32;
    const BITS_PER_LANE: u32 = 1;

    #[inline(always)]
    unsafe fn splat(b: u8) -> Self {
        // SAFETY: AVX2 is present (module contract).
        V256(unsafe { _mm256_set1_epi8(b as i8) })
    }
    #[inline(always)]
    unsafe fn load(p: *const u8) -> Self {
        // SAFETY: the caller guarantees 32 readable bytes at `p`; loadu has no
        // alignment requirement; AVX is present (module contract).
        V256(unsafe { _mm256_loadu_si256(p.cast()) })
    }
    #[inline(always)]
    unsafe fn eq(self, o: Self) -> Self {
        // SAFETY: AVX2 is present (module contract).
        V256(unsafe { _mm256_cmpeq_epi8(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn min(self, o: Self) -> Self {
        // SAFETY: AVX2 is present (module contract).
        V256(unsafe { _mm256_min_epu8(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn sub(self, o: Self) -> Self {
        // SAFETY: AVX2 is present (module contract).
        V256(unsafe { _mm256_sub_epi8(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn or(self, o: Self) -> Self {
        // SAFETY: AVX2 is present (module contract).
        V256(unsafe { _mm256_or_si256(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn xor(self, o: Self) -> Self {
        // SAFETY: AVX2 is present (module contract).
        V256(unsafe { _mm256_xor_si256(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn true_bits(self) -> u64 {
        // SAFETY: AVX2 is present (module contract).
        u64::from(unsafe { _mm256_movemask_epi8(self.0) } as u32)
    }
    #[inline(always)]
    unsafe fn class_bits(self) -> (u64, u64) {
        // SAFETY: AVX2 is present (module contract); the table loads read 16
        // bytes from 16-byte arrays.
        unsafe {
            let table = |t: &[u8; 16]| _mm256_broadcastsi128_si256(_mm_loadu_si128(t.as_ptr().cast()));
            let nibble = _mm256_set1_epi8(0x0f);
            let lo = _mm256_and_si256(self.0, nibble);
            let hi = _mm256_shuffle_epi8(table(&TCHAR_HI), _mm256_and_si256(_mm256_srli_epi16(self.0, 4), nibble));
            let zero = _mm256_setzero_si256();
            let tchar = _mm256_and_si256(_mm256_shuffle_epi8(table(&TCHAR_LO), lo), hi);
            let not_value = _mm256_and_si256(_mm256_shuffle_epi8(table(&NOT_VALUE_LO), lo), hi);
            let not_tchar_bits = u64::from(_mm256_movemask_epi8(_mm256_cmpeq_epi8(tchar, zero)) as u32);
            // Lanes where the lookup is zero are value bytes: the others are not.
            let value_bits = u64::from(_mm256_movemask_epi8(_mm256_cmpeq_epi8(not_value, zero)) as u32);
            (not_tchar_bits, !value_bits & 0xffff_ffff)
        }
    }
    #[inline(always)]
    unsafe fn not_tchar(self) -> Self {
        // SAFETY: AVX2 is present (module contract); the table loads read 16
        // bytes from 16-byte arrays.
        unsafe {
            let lo_table = _mm256_broadcastsi128_si256(_mm_loadu_si128(TCHAR_LO.as_ptr().cast()));
            let hi_table = _mm256_broadcastsi128_si256(_mm_loadu_si128(TCHAR_HI.as_ptr().cast()));
            let nibble = _mm256_set1_epi8(0x0f);
            let lo = _mm256_shuffle_epi8(lo_table, _mm256_and_si256(self.0, nibble));
            let hi = _mm256_shuffle_epi8(hi_table, _mm256_and_si256(_mm256_srli_epi16(self.0, 4), nibble));
            V256(_mm256_cmpeq_epi8(_mm256_and_si256(lo, hi), _mm256_setzero_si256()))
        }
    }
}

/// Proof that SSE2 is available: always, on x86_64.
#[derive(Clone, Copy, Debug)]
pub(super) struct Sse2(());

impl Sse2 {
    /// SSE2 is part of the x86_64 baseline, so this always succeeds.
    #[inline]
    pub(super) const fn new() -> Self {
        Sse2(())
    }

    /// [`super::skip_token`] with 16-byte vectors (`buf` shorter than 16 bytes: scalar).
    #[inline(always)]
    pub(super) fn skip_token(self, buf: &[u8], from: usize, end: usize) -> usize {
        self.skip::<Token>(buf, from, end)
    }

    /// [`super::skip_value`] with 16-byte vectors.
    #[inline(always)]
    pub(super) fn skip_value(self, buf: &[u8], from: usize, end: usize) -> usize {
        self.skip::<Value>(buf, from, end)
    }

    /// [`super::skip_target`] with 16-byte vectors.
    #[inline(always)]
    pub(super) fn skip_target(self, buf: &[u8], from: usize, end: usize, non_ascii: bool) -> usize {
        if non_ascii {
            self.skip::<vector::TargetLenient>(buf, from, end)
        } else {
            self.skip::<vector::Target>(buf, from, end)
        }
    }

    /// [`super::Blocks`] masks with 16-byte vectors.
    #[inline]
    pub(super) fn classify(self, block: &[u8; 64]) -> (u64, u64) {
        // SAFETY: SSE2 is baseline on x86_64; the block is 64 bytes by type.
        unsafe { vector::classify::<V128>(block) }
    }

    #[inline]
    fn skip<C: Class + super::Fallback>(self, buf: &[u8], from: usize, end: usize) -> usize {
        if !super::valid_window(buf, from, end) || buf.len() < V128::LANES {
            return C::fallback(buf, from, end);
        }
        // SAFETY: SSE2 is baseline on x86_64; the window and length were checked above.
        unsafe { vector::skip::<V128, C>(buf, from, end) }
    }
}

impl super::Classify for Sse2 {
    #[inline(always)]
    fn classify(self, block: &[u8; 64]) -> (u64, u64) {
        Sse2::classify(self, block)
    }
}

/// The AVX2 classifier for code compiled with AVX2 enabled: its vector code
/// is inlined (the [`Avx2`] handle's calls a separate AVX2 function per
/// block). Built only inside [`avx2_with_blocks`], from the handle, so the
/// CPU has AVX2 wherever one exists.
#[derive(Clone, Copy, Debug)]
struct Avx2Inline(Avx2);

impl super::Classify for Avx2Inline {
    #[inline(always)]
    fn classify(self, block: &[u8; 64]) -> (u64, u64) {
        // SAFETY: an `Avx2Inline` holds an `Avx2` handle, so the CPU has
        // AVX2; the block is 64 bytes by type.
        unsafe { vector::classify::<V256>(block) }
    }
}

/// # Safety
/// AVX2 present (`avx2` is the proof).
#[target_feature(enable = "avx2")]
unsafe fn avx2_with_blocks<O: super::WithBlocks>(avx2: Avx2, op: O) -> O::Output {
    op.run(Avx2Inline(avx2))
}

/// Proof that the running CPU has AVX2: only [`Avx2::detect`] builds one.
#[derive(Clone, Copy, Debug)]
pub(super) struct Avx2(());

impl Avx2 {
    /// `Some` only if the CPU has AVX2: from the compile-time target features,
    /// or (under `std`) from a run-time check.
    #[inline(always)]
    pub(super) fn detect() -> Option<Self> {
        #[cfg(target_feature = "avx2")]
        {
            Some(Avx2(()))
        }
        #[cfg(all(not(target_feature = "avx2"), feature = "std"))]
        {
            use core::sync::atomic::{AtomicU8, Ordering};
            /// 0: not asked yet, 1: absent, 2: present. Asked once; a race
            /// only asks twice and stores the same answer.
            static AVX2: AtomicU8 = AtomicU8::new(0);
            let present = match AVX2.load(Ordering::Relaxed) {
                0 => {
                    let present = std::is_x86_feature_detected!("avx2");
                    AVX2.store(if present { 2 } else { 1 }, Ordering::Relaxed);
                    present
                }
                known => known == 2,
            };
            if present { Some(Avx2(())) } else { None }
        }
        #[cfg(all(not(target_feature = "avx2"), not(feature = "std")))]
        {
            None
        }
    }

    /// [`super::skip_token`] with 32-byte vectors.
    #[inline(always)]
    pub(super) fn skip_token(self, buf: &[u8], from: usize, end: usize) -> usize {
        if !super::valid_window(buf, from, end) || buf.len() < V256::LANES {
            return Sse2::new().skip_token(buf, from, end);
        }
        // SAFETY: `self` exists only if the CPU has AVX2; window and length checked.
        unsafe { avx2_skip_token(buf, from, end) }
    }

    /// [`super::skip_value`] with 32-byte vectors.
    #[inline(always)]
    pub(super) fn skip_value(self, buf: &[u8], from: usize, end: usize) -> usize {
        if !super::valid_window(buf, from, end) || buf.len() < V256::LANES {
            return Sse2::new().skip_value(buf, from, end);
        }
        // SAFETY: `self` exists only if the CPU has AVX2; window and length checked.
        unsafe { avx2_skip_value(buf, from, end) }
    }

    /// [`super::Blocks`] masks with 32-byte vectors.
    #[inline(always)]
    pub(super) fn classify(self, block: &[u8; 64]) -> (u64, u64) {
        // SAFETY: `self` exists only if the CPU has AVX2.
        unsafe { avx2_classify(block) }
    }

    /// [`super::with_blocks`] compiled for AVX2, with its inlined classifier.
    #[inline(always)]
    pub(super) fn with_blocks<O: super::WithBlocks>(self, op: O) -> O::Output {
        // SAFETY: `self` exists only if the CPU has AVX2.
        unsafe { avx2_with_blocks(self, op) }
    }

    /// [`super::skip_target`] with 32-byte vectors.
    #[inline(always)]
    pub(super) fn skip_target(self, buf: &[u8], from: usize, end: usize, non_ascii: bool) -> usize {
        if !super::valid_window(buf, from, end) || buf.len() < V256::LANES {
            return Sse2::new().skip_target(buf, from, end, non_ascii);
        }
        // SAFETY: `self` exists only if the CPU has AVX2; window and length checked.
        unsafe { avx2_skip_target(buf, from, end, non_ascii) }
    }
}

/// # Safety
/// AVX2 present.
#[target_feature(enable = "avx2")]
unsafe fn avx2_classify(block: &[u8; 64]) -> (u64, u64) {
    // SAFETY: forwarded from this function's contract; the block is 64 bytes by type.
    unsafe { vector::classify::<V256>(block) }
}

/// # Safety
/// AVX2 present; `from <= end <= buf.len()`, `buf.len() >= 32`.
#[target_feature(enable = "avx2")]
unsafe fn avx2_skip_token(buf: &[u8], from: usize, end: usize) -> usize {
    // SAFETY: forwarded from this function's contract.
    unsafe { vector::skip::<V256, Token>(buf, from, end) }
}

/// # Safety
/// AVX2 present; `from <= end <= buf.len()`, `buf.len() >= 32`.
#[target_feature(enable = "avx2")]
unsafe fn avx2_skip_value(buf: &[u8], from: usize, end: usize) -> usize {
    // SAFETY: forwarded from this function's contract.
    unsafe { vector::skip::<V256, Value>(buf, from, end) }
}

/// # Safety
/// AVX2 present; `from <= end <= buf.len()`, `buf.len() >= 32`.
#[target_feature(enable = "avx2")]
unsafe fn avx2_skip_target(buf: &[u8], from: usize, end: usize, non_ascii: bool) -> usize {
    // SAFETY: forwarded from this function's contract.
    unsafe {
        if non_ascii {
            vector::skip::<V256, vector::TargetLenient>(buf, from, end)
        } else {
            vector::skip::<V256, vector::Target>(buf, from, end)
        }
    }
}
