//! x86_64 vector types: SSE2 (every x86_64 CPU) and AVX2 (checked).
//!
//! SSE2 is part of the x86_64 baseline, so its kernels ([`sse2`]) can always
//! be built. [`Avx2`] is a capability handle: only [`Avx2::detect`] builds
//! one, after the CPU said it has AVX2, BMI1 and BMI2 (at run time under
//! `std`, at compile time otherwise), and it runs work inside a function
//! compiled with them.
//! The vector types implement [`Vector`] for the shared algorithm; their
//! safety contract is the one in `vector.rs`. AVX-512 is not used: its
//! intrinsics need a newer compiler than the crate's MSRV.

use core::arch::x86_64::*;

use super::WithKernels;
use super::vector::{NOT_VALUE_LO, TCHAR_HI, TCHAR_LO, Vector, Vectors};

/// 16 lanes of SSE2. Contract: see `vector.rs` (SSE2 is baseline on x86_64).
#[derive(Clone, Copy)]
pub(super) struct V128(__m128i);

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
pub(super) struct V256(__m256i);

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

/// The SSE2 kernels: SSE2 is part of the x86_64 baseline.
#[inline(always)]
pub(super) fn sse2() -> Vectors<V128> {
    // SAFETY: every x86_64 CPU has SSE2, and the baseline features are
    // enabled everywhere, so the intrinsics inline.
    unsafe { Vectors::new() }
}

/// Runs `op` with the AVX2 kernels, compiled with AVX2 enabled so that the
/// kernels are inlined into it and their constants stay in registers, and
/// with BMI1/BMI2 (every AVX2 CPU has them) so that the bitmask walk shifts
/// and counts without register constraints.
///
/// # Safety
///
/// The CPU has AVX2, BMI1 and BMI2.
#[target_feature(enable = "avx2,bmi1,bmi2")]
unsafe fn avx2_run<O: WithKernels>(op: O) -> O::Output {
    // SAFETY: this function's contract, and the kernels are called inside it.
    op.run(unsafe { Vectors::<V256>::new() })
}

/// Proof that the running CPU has AVX2 (and BMI1 and BMI2, which come with
/// it): only [`Avx2::detect`] builds one.
#[derive(Clone, Copy, Debug)]
pub(super) struct Avx2(());

impl Avx2 {
    /// `Some` only if the CPU has AVX2, BMI1 and BMI2: from the compile-time
    /// target features, or (under `std`) from a run-time check.
    #[inline(always)]
    pub(super) fn detect() -> Option<Self> {
        #[cfg(all(target_feature = "avx2", target_feature = "bmi1", target_feature = "bmi2"))]
        {
            Some(Avx2(()))
        }
        #[cfg(all(not(all(target_feature = "avx2", target_feature = "bmi1", target_feature = "bmi2")), feature = "std"))]
        {
            use core::sync::atomic::{AtomicU8, Ordering};
            /// 0: not asked yet, 1: absent, 2: present. Asked once; a race
            /// only asks twice and stores the same answer.
            static AVX2: AtomicU8 = AtomicU8::new(0);
            let present = match AVX2.load(Ordering::Relaxed) {
                0 => {
                    let present = std::is_x86_feature_detected!("avx2")
                        && std::is_x86_feature_detected!("bmi1")
                        && std::is_x86_feature_detected!("bmi2");
                    AVX2.store(if present { 2 } else { 1 }, Ordering::Relaxed);
                    present
                }
                known => known == 2,
            };
            if present { Some(Avx2(())) } else { None }
        }
        #[cfg(all(not(all(target_feature = "avx2", target_feature = "bmi1", target_feature = "bmi2")), not(feature = "std")))]
        {
            None
        }
    }

    /// Runs `op` with the AVX2 kernels.
    #[inline(always)]
    pub(super) fn run<O: WithKernels>(self, op: O) -> O::Output {
        // SAFETY: `self` exists only if the CPU has AVX2, BMI1 and BMI2.
        unsafe { avx2_run(op) }
    }
}
