//! The block index: 64-byte blocks classified once into bitmasks, and a
//! cursor that answers the scans' questions from them.
//!
//! A head's field lines are found by walking two bitmasks instead of
//! scanning each line: a line's colon is the first byte that is not a tchar,
//! its CR the first that is not a field-value byte, each a shift and a
//! trailing-zero count once the block is classified.

use super::Kernels;

/// The class masks of one 64-byte block: bit `i` describes byte `i`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct BlockMasks {
    /// The byte is not a `tchar` (`chars::TCHAR`).
    pub(crate) not_tchar: u64,
    /// The byte may not be in a field value (`chars::VALUE`).
    pub(crate) not_value: u64,
}

impl BlockMasks {
    /// Every mask shifted down by `n < 64` lanes, with `fill` or-ed into
    /// every one (bits that stand for bytes outside the block).
    #[inline(always)]
    fn shifted(self, n: u32, fill: u64) -> Self {
        BlockMasks { not_tchar: (self.not_tchar >> n) | fill, not_value: (self.not_value >> n) | fill }
    }
}

/// Where token and field-value bytes stop, from 64-byte blocks classified
/// once. A block is classified when a search reaches a byte the kept blocks
/// do not hold, and starts at that byte (so a search that starts mid-buffer,
/// as a resumed parse does, classifies no byte before it; a search running
/// off a block's end gets the block right after it). Bytes past `buf.len()`
/// count as stops in both classes, so every answer is at most `buf.len()`.
///
/// Same answers as the scans: `token_end(from).min(end) ==
/// skip_token(buf, from, end)` for every `from <= end <= buf.len()`, and the
/// same for `value_end` and `skip_value` (tested in `tests.rs`). Searches are
/// cheapest moving forward (the last block is kept, and the value mask of the
/// one before).
pub(crate) struct Blocks<'a, K: Kernels> {
    buf: &'a [u8],
    /// Index of the block's first byte; [`NO_BLOCK`] before the first load.
    base: usize,
    masks: BlockMasks,
    /// The block before ([`NO_BLOCK`]: none) and its value mask: a field
    /// line's value search starts at the line's start, which may lie in the
    /// block before the one its colon search moved to.
    prev_base: usize,
    prev_value: u64,
    kernels: K,
}

/// The base of no block: `i - NO_BLOCK` wraps to `i + 64`, never a lane,
/// for every index `i` of a slice.
const NO_BLOCK: usize = usize::MAX - 63;

impl<'a, K: Kernels> Blocks<'a, K> {
    /// Nothing is classified until the first search.
    #[inline(always)]
    pub(crate) fn new(buf: &'a [u8], kernels: K) -> Self {
        Blocks { buf, base: NO_BLOCK, masks: BlockMasks::default(), prev_base: NO_BLOCK, prev_value: 0, kernels }
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
                (if value { self.masks.not_value } else { self.masks.not_tchar }, at)
            } else if value && from.wrapping_sub(self.prev_base) < 64 {
                (self.prev_value, from - self.prev_base)
            } else {
                self.load(from);
                (if value { self.masks.not_value } else { self.masks.not_tchar }, 0)
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
        (self.prev_base, self.prev_value) = (self.base, self.masks.not_value);
        self.base = base;
        self.masks = block_at(self.kernels, self.buf, base);
    }
}

/// The masks of the 64 bytes from `base` (below `buf.len()`); bits past the
/// end of `buf` are set in every mask.
#[inline(always)]
pub(crate) fn block_at<K: Kernels>(kernels: K, buf: &[u8], base: usize) -> BlockMasks {
    match buf.get(base..base + 64).and_then(|b| <&[u8; 64]>::try_from(b).ok()) {
        Some(block) => kernels.classify(block),
        None => last_block(kernels, buf, base),
    }
}

/// The masks of the partial block at `base` (fewer than 64 bytes left):
/// the buffer's last 64 bytes classified and shifted down, or a padded
/// copy when the buffer is shorter; every bit past the end set.
#[inline(always)]
fn last_block<K: Kernels>(kernels: K, buf: &[u8], base: usize) -> BlockMasks {
    let len = buf.len();
    let past_end = !0u64 << (len - base);
    if let Some(block) = len.checked_sub(64).and_then(|at| buf.get(at..)).and_then(|b| <&[u8; 64]>::try_from(b).ok()) {
        // `block` starts at `len - 64 < base`: drop the lanes before `base`.
        let skip = base - (len - 64);
        return kernels.classify(block).shifted(skip as u32, past_end);
    }
    // NUL is a stop in every class.
    let mut block = [0u8; 64];
    let tail = buf.get(base..).unwrap_or_default();
    if let Some(head) = block.get_mut(..tail.len()) {
        head.copy_from_slice(tail);
    }
    kernels.classify(&block)
}
