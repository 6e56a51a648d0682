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

/// The floor of h1parse's own design, validating: the walk (stage 2) over
/// the block masks (stage 1) and nothing else. Each 64-byte block is
/// classified once with AVX2 into "not a tchar" and "not a field-value
/// byte" masks (the nibble lookups h1parse uses), the request line's method
/// from the first mask and its target by a byte loop, the version as one
/// 8-byte compare, and every field line checked as h1parse's walk checks it
/// (a non-empty name up to a colon, value bytes up to CR LF, one SP after
/// the colon, none before the CR) with its four offsets stored. No limit,
/// no known field, no sink, no state to leave, no event: what validation
/// alone costs in this design. Panics on anything else; returns the head
/// length.
pub fn valid_walk<const N: usize>(buf: &[u8]) -> usize {
    assert!(limit_available());
    // SAFETY: AVX2 (and BMI, which every AVX2 CPU has) checked just above.
    unsafe { valid_walk_avx2::<N>(buf) }
}

#[target_feature(enable = "avx2,bmi1,bmi2")]
unsafe fn classify_avx2(buf: &[u8], base: usize) -> (u64, u64) {
    use std::arch::x86_64::*;
    const fn is_tchar(b: u8) -> bool {
        matches!(b, b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`'
            | b'|' | b'~' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z')
    }
    const fn table(value_class: bool) -> [u8; 16] {
        let mut t = [0u8; 16];
        let mut x = 0;
        while x < 128 {
            let b = x as u8;
            let hit = if value_class { (b < 0x20 && b != b'\t') || b == 0x7f } else { is_tchar(b) };
            if hit {
                t[x & 15] |= 1 << (x >> 4);
            }
            x += 1;
        }
        t
    }
    const TCHAR_LO: [u8; 16] = table(false);
    const NOT_VALUE_LO: [u8; 16] = table(true);
    const HI: [u8; 16] = [1, 2, 4, 8, 16, 32, 64, 128, 0, 0, 0, 0, 0, 0, 0, 0];
    let mut copy = [0u8; 64];
    let src = &buf[base..];
    let n = src.len().min(64);
    let block: &[u8] = if n == 64 {
        &src[..64]
    } else {
        copy[..n].copy_from_slice(&src[..n]);
        &copy
    };
    let (mut nt, mut nv) = (0u64, 0u64);
    for half in 0..2 {
        // SAFETY: 32 readable bytes at `32 * half` of the 64-byte block; 16 in each table.
        let v = unsafe { _mm256_loadu_si256(block.as_ptr().add(32 * half).cast()) };
        let t = |t: &[u8; 16]| unsafe { _mm256_broadcastsi128_si256(_mm_loadu_si128(t.as_ptr().cast())) };
        let nib = _mm256_set1_epi8(0x0f);
        let lo = _mm256_and_si256(v, nib);
        let hi = _mm256_shuffle_epi8(t(&HI), _mm256_and_si256(_mm256_srli_epi16(v, 4), nib));
        let z = _mm256_setzero_si256();
        let tc = _mm256_and_si256(_mm256_shuffle_epi8(t(&TCHAR_LO), lo), hi);
        let bad = _mm256_and_si256(_mm256_shuffle_epi8(t(&NOT_VALUE_LO), lo), hi);
        nt |= u64::from(_mm256_movemask_epi8(_mm256_cmpeq_epi8(tc, z)) as u32) << (32 * half);
        nv |= u64::from(!(_mm256_movemask_epi8(_mm256_cmpeq_epi8(bad, z)) as u32)) << (32 * half);
    }
    // Past the end: a stop in both.
    let past = if n == 64 { 0 } else { !0u64 << n };
    (nt | past, nv | past)
}

#[target_feature(enable = "avx2,bmi1,bmi2")]
unsafe fn valid_walk_avx2<const N: usize>(buf: &[u8]) -> usize {
    // SAFETY: this function's features.
    let classify = |base: usize| unsafe { classify_avx2(buf, base) };
    let (mut base, (mut nt, mut nv)) = (0, classify(0));
    // Request line: method, target, version.
    let method = nt.trailing_zeros() as usize;
    assert!(method > 0 && buf[method] == b' ');
    let mut target = method + 1;
    // The target, 32 bytes at a time while they are there (0x21-0x7e).
    while target + 32 <= buf.len() {
        use std::arch::x86_64::*;
        // SAFETY: 32 readable bytes at `target`.
        let v = unsafe { _mm256_loadu_si256(buf.as_ptr().add(target).cast()) };
        let d = _mm256_sub_epi8(v, _mm256_set1_epi8(0x21));
        let outside = _mm256_cmpeq_epi8(_mm256_max_epu8(d, _mm256_set1_epi8(0x5d)), d);
        let bits = _mm256_movemask_epi8(outside) as u32;
        if bits != 0 {
            target += bits.trailing_zeros() as usize;
            break;
        }
        target += 32;
    }
    while buf[target] > b' ' && buf[target] < 0x7f {
        target += 1;
    }
    assert!(buf[target] == b' ');
    let version = u64::from_le_bytes(buf[target + 1..target + 9].try_into().unwrap());
    assert!(version & 0x00ff_ffff_ffff_ffff == u64::from_le_bytes(*b"HTTP/1.\0") && &buf[target + 9..target + 11] == b"\r\n");
    let mut start = target + 11;
    let mut spans = [(0u32, 0u32, 0u32, 0u32); N];
    let mut n = 0;
    loop {
        // The block of `start`, then the searches from it.
        if start - base >= 64 {
            base = if start - base < 128 { base + 64 } else { start };
            (nt, nv) = classify(base);
        }
        let at = start - base;
        let (rest_t, rest_v) = (nt >> at, nv >> at);
        let mut colon = start + rest_t.trailing_zeros() as usize;
        let mut cr = start + rest_v.trailing_zeros() as usize;
        if rest_v == 0 {
            let mut colon_found = rest_t != 0;
            loop {
                base += 64;
                (nt, nv) = classify(base);
                if !colon_found && nt != 0 {
                    colon = base + nt.trailing_zeros() as usize;
                    colon_found = true;
                }
                if nv != 0 {
                    cr = base + nv.trailing_zeros() as usize;
                    break;
                }
            }
        }
        if colon == start {
            assert!(&buf[start..start + 2] == b"\r\n");
            black_box(&spans[..n]);
            return start + 2;
        }
        assert!(buf[colon] == b':' && &buf[cr..cr + 2] == b"\r\n");
        let value = colon + 1 + usize::from(buf[colon + 1] == b' ');
        assert!(buf[value] != b' ' && buf[cr - 1] != b' ');
        spans[n] = (start as u32, colon as u32, value as u32, cr as u32);
        n += 1;
        start = cr + 2;
    }
}
