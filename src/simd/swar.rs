//! The portable fallback: SIMD within a register, eight bytes per `u64`.
//!
//! Each helper computes, for every byte of a little-endian word, an *exact*
//! per-byte answer in that byte's high bit: no carry or borrow crosses a byte
//! boundary (the low seven bits are added separately from the high bit), so
//! the lowest flagged byte is the first byte outside the class and any other
//! flag is true too. Used when SIMD is switched off (`--cfg h1parse_no_simd`)
//! or the target has no vector backend. Tokens are short and their class is
//! irregular, so they use the scalar table.

use super::scalar;

const LO7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const HI: u64 = 0x8080_8080_8080_8080;

#[inline(always)]
const fn splat(b: u8) -> u64 {
    (b as u64) * 0x0101_0101_0101_0101
}

/// High bit set in each byte `< n` (`1 <= n <= 0x80`), exactly.
#[inline(always)]
const fn below(x: u64, n: u8) -> u64 {
    !(((x & LO7) + splat(0x80 - n)) | x) & HI
}

/// High bit set in each byte equal to `c`, exactly.
#[inline(always)]
const fn equal(x: u64, c: u8) -> u64 {
    let y = x ^ splat(c);
    !(((y & LO7) + LO7) | y) & HI
}

/// Bytes outside the field-value class.
#[inline(always)]
const fn not_value(x: u64) -> u64 {
    (below(x, 0x20) & !equal(x, b'\t')) | equal(x, 0x7f)
}

/// Bytes outside the strict target class.
#[inline(always)]
const fn not_target(x: u64) -> u64 {
    below(x, 0x21) | (x & HI) | equal(x, 0x7f)
}

/// Bytes outside the lenient target class.
#[inline(always)]
const fn not_target_lenient(x: u64) -> u64 {
    below(x, 0x21) | equal(x, 0x7f)
}

/// The word scan: `outside` flags bytes not in the class. Words may extend
/// past `end` inside `buf`; the result is clamped to `end`.
#[inline(always)]
fn skip(buf: &[u8], from: usize, end: usize, outside: fn(u64) -> u64, table: &[bool; 256]) -> usize {
    if !super::valid_window(buf, from, end) {
        return scalar::skip_class(buf, from, end, table);
    }
    let mut i = from;
    while i < end {
        let Some(word) = buf.get(i..i + 8) else {
            return scalar::skip_class(buf, i, end, table);
        };
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        let flags = outside(u64::from_le_bytes(bytes));
        if flags != 0 {
            return (i + (flags.trailing_zeros() / 8) as usize).min(end);
        }
        i += 8;
    }
    end
}

/// The token scan: the scalar table (tokens are short and irregular).
#[inline]
pub(super) fn skip_token(buf: &[u8], from: usize, end: usize) -> usize {
    scalar::skip_class(buf, from, end, &crate::chars::TCHAR)
}

/// The value scan, eight bytes at a time.
#[inline]
pub(super) fn skip_value(buf: &[u8], from: usize, end: usize) -> usize {
    skip(buf, from, end, not_value, &crate::chars::VALUE)
}

/// The target scan, eight bytes at a time.
#[inline]
pub(super) fn skip_target(buf: &[u8], from: usize, end: usize, non_ascii: bool) -> usize {
    if non_ascii {
        skip(buf, from, end, not_target_lenient, &crate::chars::TARGET_LENIENT)
    } else {
        skip(buf, from, end, not_target, &crate::chars::TARGET)
    }
}

/// The portable kernels. The block classifier is the scalar reference (two
/// table lookups per byte): word-at-a-time tests give a byte mask, not a bit
/// per byte, and packing it costs as much as the lookups.
#[derive(Clone, Copy, Debug)]
pub(super) struct Swar;

impl super::Kernels for Swar {
    #[inline]
    fn skip_token(self, buf: &[u8], from: usize, end: usize) -> usize {
        skip_token(buf, from, end)
    }

    #[inline]
    fn skip_value(self, buf: &[u8], from: usize, end: usize) -> usize {
        skip_value(buf, from, end)
    }

    #[inline]
    fn skip_target(self, buf: &[u8], from: usize, end: usize, non_ascii: bool) -> usize {
        skip_target(buf, from, end, non_ascii)
    }

    #[inline]
    fn classify(self, block: &[u8; 64]) -> super::BlockMasks {
        scalar::classify(block)
    }
}
