//! The floor rows: the least work a parser of h1parse's design can do, to
//! judge how far a head parse is from it. AVX2 only.

use std::hint::black_box;

pub fn limit_available() -> bool {
    std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("popcnt")
}

/// One AVX2 pass over `buf` that classifies every byte — line ends (LF) and
/// bytes forbidden in a head (CTLs other than HTAB, and DEL; CR counts here
/// too) — and does nothing else. Returns how many it found, so the pass
/// cannot be optimised away.
pub fn limit_pass(buf: &[u8]) -> usize {
    assert!(limit_available());
    // SAFETY: AVX2 and POPCNT were checked just above.
    unsafe { limit_avx2(buf) }
}

// popcnt: every AVX2 CPU has it; without it `count_ones` is a slow software loop.
#[target_feature(enable = "avx2,popcnt")]
unsafe fn limit_avx2(buf: &[u8]) -> usize {
    use std::arch::x86_64::*;
    let mut found = 0u32;
    let mut chunks = buf.chunks_exact(32);
    let ctl_max = _mm256_set1_epi8(0x1f);
    let htab = _mm256_set1_epi8(b'\t' as i8);
    let del = _mm256_set1_epi8(0x7f);
    let lf = _mm256_set1_epi8(b'\n' as i8);
    for c in &mut chunks {
        // SAFETY: `c` has 32 readable bytes.
        let v = unsafe { _mm256_loadu_si256(c.as_ptr().cast()) };
        let ctl = _mm256_cmpeq_epi8(_mm256_min_epu8(v, ctl_max), v);
        let bad = _mm256_or_si256(_mm256_xor_si256(ctl, _mm256_cmpeq_epi8(v, htab)), _mm256_cmpeq_epi8(v, del));
        let ends = _mm256_cmpeq_epi8(v, lf);
        found += (_mm256_movemask_epi8(bad) as u32).count_ones() + (_mm256_movemask_epi8(ends) as u32).count_ones();
    }
    let rest = chunks.remainder().iter().filter(|&&b| b == b'\n' || (b < 0x20 && b != b'\t') || b == 0x7f).count();
    found as usize + rest
}

/// A floor for any parser that finds field lines from bitmasks (h1parse's
/// design), in two passes as simdjson-style parsers do: every 64-byte block
/// turned into "CR" and "colon" masks with AVX2, then the set bits walked in
/// order (a trailing-zero count and clearing the lowest bit; no search per
/// line) to store each field's four offsets. Nothing else: no byte is
/// checked against the token or field-value classes, no limit, no OWS
/// beyond one SP, no known field read, the request line only skipped. A
/// parser that validates cannot beat it. Heads up to 2 KiB; returns the
/// head length.
pub fn line_walk<const N: usize>(buf: &[u8]) -> usize {
    assert!(limit_available() && buf.len() <= 2048);
    // SAFETY: AVX2 and POPCNT were checked just above.
    unsafe { line_walk_avx2::<N>(buf) }
}

/// The set bits of one mask per 64-byte block, in order, as byte offsets.
struct Bits<'m> {
    masks: &'m [u64],
    block: usize,
    rest: u64,
}

impl Bits<'_> {
    #[inline(always)]
    fn next(&mut self) -> usize {
        while self.rest == 0 {
            self.block += 1;
            match self.masks.get(self.block) {
                Some(&m) => self.rest = m,
                None => return usize::MAX,
            }
        }
        let at = self.block * 64 + self.rest.trailing_zeros() as usize;
        self.rest &= self.rest - 1;
        at
    }
}

#[target_feature(enable = "avx2,popcnt")]
unsafe fn line_walk_avx2<const N: usize>(buf: &[u8]) -> usize {
    use std::arch::x86_64::*;
    // Pass 1: CR and colon masks of every block; zero past the end.
    let blocks = buf.len().div_ceil(64);
    let (mut cr_masks, mut colon_masks) = ([0u64; 32], [0u64; 32]);
    for k in 0..blocks {
        let mut padded = [0u8; 64];
        let src = &buf[k * 64..];
        let block: &[u8] = if src.len() >= 64 {
            &src[..64]
        } else {
            padded[..src.len()].copy_from_slice(src);
            &padded
        };
        // SAFETY: `block` has 64 readable bytes.
        let (lo, hi) =
            unsafe { (_mm256_loadu_si256(block.as_ptr().cast()), _mm256_loadu_si256(block[32..].as_ptr().cast())) };
        let (cr, colon) = (_mm256_set1_epi8(b'\r' as i8), _mm256_set1_epi8(b':' as i8));
        let cr_lo = _mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, cr)) as u32;
        let cr_hi = _mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, cr)) as u32;
        let colon_lo = _mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, colon)) as u32;
        let colon_hi = _mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, colon)) as u32;
        cr_masks[k] = u64::from(cr_lo) | u64::from(cr_hi) << 32;
        colon_masks[k] = u64::from(colon_lo) | u64::from(colon_hi) << 32;
    }
    // Pass 2: one CR per line; a line's colon is the first one after its start.
    let mut crs = Bits { masks: &cr_masks[..blocks], block: 0, rest: cr_masks[0] };
    let mut colons = Bits { masks: &colon_masks[..blocks], block: 0, rest: colon_masks[0] };
    let mut spans = [(0u32, 0u32, 0u32, 0u32); N];
    let mut n = 0;
    let mut start = crs.next().saturating_add(2);
    let mut colon = colons.next();
    while start < buf.len() && buf.get(start) != Some(&b'\r') {
        let cr = crs.next();
        while colon < start {
            colon = colons.next();
        }
        let value = colon + 1 + usize::from(buf.get(colon + 1) == Some(&b' '));
        if n < N {
            spans[n] = (start as u32, colon as u32, value as u32, cr as u32);
            n += 1;
        }
        start = cr.saturating_add(2);
    }
    black_box(&spans);
    start + 2
}
