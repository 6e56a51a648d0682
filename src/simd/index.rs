//! The block index (stage 1 of the walk, `head/machine/walk.rs`): 64-byte
//! blocks classified once into bitmasks, and a cursor that answers the
//! scans' questions from them.
//!
//! A head's field lines are found by reading two bitmasks instead of
//! scanning each line: a line's colon is the first byte that is not a tchar,
//! its CR the first that is not a field-value byte, each a shift and a
//! trailing-zero count once the block is classified. Searches move forward
//! only, as the walk does, so one block is kept.

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

/// A forward cursor over the block index of `buf`: the masks of one block
/// are kept, and a block is classified when a search reaches a byte it does
/// not hold (starting at that byte, so a resumed parse classifies nothing
/// before where it stopped). The field-line walk reads both masks of a line
/// at once from [`Cursor::masks_from`], and goes on with
/// [`Cursor::token_end`] / [`Cursor::value_end`] when a line runs past the
/// block. Bytes past `buf.len()` are stops in every class, so every answer
/// is at most `buf.len()`.
pub(crate) struct Cursor<'a, K: Kernels> {
    buf: &'a [u8],
    /// Index of the kept block's first byte; [`NO_BLOCK`] before the first load.
    base: usize,
    masks: BlockMasks,
    kernels: K,
}

/// The base of no block: `i - NO_BLOCK` wraps to `i + 64`, never a lane,
/// for every index `i` of a slice.
const NO_BLOCK: usize = usize::MAX - 63;

impl<'a, K: Kernels> Cursor<'a, K> {
    /// Nothing is classified until the first search.
    #[inline(always)]
    pub(crate) fn new(buf: &'a [u8], kernels: K) -> Self {
        Cursor { buf, base: NO_BLOCK, masks: BlockMasks::default(), kernels }
    }

    /// The masks of the kept block from `at` on (bit 0 is byte `at`),
    /// loading the block at `at` unless the kept one holds it, and the index
    /// one past the block's last byte. Bits for bytes from `buf.len()` on
    /// are set; bits past the block are zero: a mask that is zero says
    /// nothing about the bytes from that index on.
    #[inline(always)]
    pub(crate) fn masks_from(&mut self, at: usize) -> (BlockMasks, usize) {
        let mut lane = at.wrapping_sub(self.base);
        if lane >= 64 {
            if at >= self.buf.len() {
                return (BlockMasks { not_tchar: !0, not_value: !0 }, at + 64);
            }
            self.load(at);
            lane = 0;
        }
        (self.masks.shifted(lane as u32, 0), self.base + 64)
    }

    /// The kernels that classify the blocks, for the scans the index does
    /// not answer.
    #[inline(always)]
    pub(crate) fn kernels(&self) -> K {
        self.kernels
    }

    /// First index at or after `from` whose byte is not a tchar, else `buf.len()`.
    #[inline(always)]
    pub(crate) fn token_end(&mut self, from: usize) -> usize {
        self.find(from, |m| m.not_tchar)
    }

    /// First index at or after `from` whose byte may not be in a field value, else `buf.len()`.
    #[inline(always)]
    pub(crate) fn value_end(&mut self, from: usize) -> usize {
        self.find(from, |m| m.not_value)
    }

    #[inline(always)]
    fn find(&mut self, mut from: usize, mask: impl Fn(&BlockMasks) -> u64) -> usize {
        while from < self.buf.len() {
            let (masks, end) = self.masks_from(from);
            let rest = mask(&masks);
            if rest != 0 {
                return from + rest.trailing_zeros() as usize;
            }
            from = end;
        }
        self.buf.len()
    }

    #[inline(always)]
    fn load(&mut self, base: usize) {
        self.base = base;
        self.masks = block_at(self.kernels, self.buf, base);
    }
}

/// The masks of the 64 bytes from `base` (below `buf.len()`); bits past the
/// end of `buf` are set in every mask.
#[inline(always)]
fn block_at<K: Kernels>(kernels: K, buf: &[u8], base: usize) -> BlockMasks {
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
