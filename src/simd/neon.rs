//! aarch64 backend: NEON, chosen at compile time (`target_feature = "neon"`,
//! on by default for every aarch64 target Rust ships).
//!
//! NEON has no `movemask`; `true_bits` narrows each 16-bit pair of lanes by a
//! 4-bit shift (`shrn`), which leaves 4 bits per lane in one `u64`, hence
//! `BITS_PER_LANE = 4`. The byte shuffle `tbl` makes the `tchar` test a nibble
//! lookup, as on AVX2. Safety contract: the one in `vector.rs`; NEON is
//! guaranteed by the `cfg` that compiles this file.

use core::arch::aarch64::*;

use super::vector::{TCHAR_HI, TCHAR_LO, Vector, Vectors};

/// 16 lanes of NEON.
#[derive(Clone, Copy)]
pub(super) struct V128(uint8x16_t);

impl Vector for V128 {
    const LANES: usize = 16;
    const BITS_PER_LANE: u32 = 4;

    #[inline(always)]
    unsafe fn splat(b: u8) -> Self {
        // SAFETY: NEON is enabled at compile time for this file.
        V128(unsafe { vdupq_n_u8(b) })
    }
    #[inline(always)]
    unsafe fn load(p: *const u8) -> Self {
        // SAFETY: the caller guarantees 16 readable bytes at `p`; vld1q_u8 has
        // no alignment requirement beyond the byte.
        V128(unsafe { vld1q_u8(p) })
    }
    #[inline(always)]
    unsafe fn eq(self, o: Self) -> Self {
        // SAFETY: NEON is enabled at compile time for this file.
        V128(unsafe { vceqq_u8(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn min(self, o: Self) -> Self {
        // SAFETY: NEON is enabled at compile time for this file.
        V128(unsafe { vminq_u8(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn sub(self, o: Self) -> Self {
        // SAFETY: NEON is enabled at compile time for this file.
        V128(unsafe { vsubq_u8(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn or(self, o: Self) -> Self {
        // SAFETY: NEON is enabled at compile time for this file.
        V128(unsafe { vorrq_u8(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn xor(self, o: Self) -> Self {
        // SAFETY: NEON is enabled at compile time for this file.
        V128(unsafe { veorq_u8(self.0, o.0) })
    }
    #[inline(always)]
    unsafe fn true_bits(self) -> u64 {
        // SAFETY: NEON is enabled at compile time for this file.
        unsafe {
            let narrowed = vshrn_n_u16::<4>(vreinterpretq_u16_u8(self.0));
            vget_lane_u64::<0>(vreinterpret_u64_u8(narrowed))
        }
    }
    #[inline(always)]
    unsafe fn not_tchar(self) -> Self {
        // SAFETY: NEON is enabled at compile time; the table loads read 16
        // bytes from 16-byte arrays.
        unsafe {
            let lo_table = vld1q_u8(TCHAR_LO.as_ptr());
            let hi_table = vld1q_u8(TCHAR_HI.as_ptr());
            let lo = vqtbl1q_u8(lo_table, vandq_u8(self.0, vdupq_n_u8(0x0f)));
            let hi = vqtbl1q_u8(hi_table, vshrq_n_u8::<4>(self.0));
            V128(vceqq_u8(vandq_u8(lo, hi), vdupq_n_u8(0)))
        }
    }
}

/// The NEON kernels: the `cfg` that compiles this file enables NEON.
#[inline(always)]
pub(super) fn neon() -> Vectors<V128> {
    // SAFETY: NEON is enabled at compile time for this file, so the CPU has
    // it and the intrinsics inline everywhere.
    unsafe { Vectors::new() }
}
