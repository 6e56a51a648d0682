//! Every kernel against the scalar reference on one input: the oracle of
//! the `simd_vs_scalar` fuzz target (through `h1parse::__fuzz`) and of the
//! randomised kernel test.

use super::dispatch::Backend;
use super::{Cursor, Kernels, WithKernels, scalar};
use crate::chars::{TARGET, TARGET_LENIENT, TCHAR, VALUE};

/// The scans' answers from `from` to `end`, by the reference.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Answers {
    token: usize,
    value: usize,
    target: usize,
    target_lenient: usize,
}

/// Every scan of one backend, and the block index's searches and masks,
/// from `from` to `end`, compared with the reference's answers.
#[derive(Clone, Copy)]
struct ScansAgree<'a> {
    buf: &'a [u8],
    from: usize,
    end: usize,
    want: Answers,
}

impl WithKernels for ScansAgree<'_> {
    type Output = bool;

    fn run<K: Kernels>(self, k: K) -> bool {
        let ScansAgree { buf, from, end, want } = self;
        let got = Answers {
            token: k.skip_token(buf, from, end),
            value: k.skip_value(buf, from, end),
            target: k.skip_target(buf, from, end, false),
            target_lenient: k.skip_target(buf, from, end, true),
        };
        let mut blocks = Cursor::new(buf, k);
        got == want
            && blocks.token_end(from).min(end) == want.token
            && blocks.value_end(from).min(end) == want.value
            && masks_agree(buf, from, &mut Cursor::new(buf, k))
    }
}

/// The masks a cursor hands out from `at` against the reference: bit `i`
/// is byte `at + i` while it is in the block (set past the buffer's end),
/// clear past the block.
fn masks_agree<K: Kernels>(buf: &[u8], at: usize, cursor: &mut Cursor<'_, K>) -> bool {
    use crate::chars::in_class;
    let (masks, block_end) = cursor.masks_from(at);
    (0..64).all(|i| {
        let want = match buf.get(at + i) {
            _ if at + i >= block_end => (false, false),
            Some(&b) => (!in_class(&TCHAR, b), !in_class(&VALUE, b)),
            None => (true, true),
        };
        ((masks.not_tchar >> i) & 1 == 1, (masks.not_value >> i) & 1 == 1) == want
    })
}

/// The block classifier of one backend on one block, compared with the reference.
#[derive(Clone, Copy)]
struct ClassifyAgrees<'a>(&'a [u8; 64]);

impl WithKernels for ClassifyAgrees<'_> {
    type Output = bool;

    fn run<K: Kernels>(self, k: K) -> bool {
        k.classify(self.0) == scalar::classify(self.0)
    }
}

/// Runs every kernel this CPU can run, for every byte class and a few start
/// and end offsets, against the scalar reference; true if all agree. For the
/// differential fuzz target (`h1parse::__fuzz`).
pub fn kernels_agree(data: &[u8]) -> bool {
    let len = data.len();
    let starts = [0, 1, 2, 3, 7, 15, 16, 17, 31, 32, 33, len / 2, len.saturating_sub(1), len];
    let ends = [len, len.saturating_sub(1), len.saturating_sub(9), len.saturating_sub(33)];
    for &from in starts.iter().filter(|&&s| s <= len) {
        for &end in ends.iter().filter(|&&e| e >= from) {
            let want = Answers {
                token: scalar::skip_class(data, from, end, &TCHAR),
                value: scalar::skip_class(data, from, end, &VALUE),
                target: scalar::skip_class(data, from, end, &TARGET),
                target_lenient: scalar::skip_class(data, from, end, &TARGET_LENIENT),
            };
            let op = ScansAgree { buf: data, from, end, want };
            if !Backend::available().all(|k| k.run(op)) {
                return false;
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
        if !Backend::available().all(|k| k.run(ClassifyAgrees(&block))) {
            return false;
        }
    }
    true
}
