//! Every kernel against the scalar reference (memchr-style): all 256 byte
//! values at every position of windows that start at every interesting
//! alignment, every window length and start, and bytes outside the class just
//! past the window (kernels read past `end`; they must not report it).
//!
//! Miri runs these too, to check every load of the vector kernels, about
//! ten thousand times slower: under it a few byte values stand for all
//! (`byte_values`), and positions and lengths are thinned ([`every`]),
//! keeping the ends of every range, where loads are most likely to stray.
//! Which bytes a predicate accepts is for the native run; Miri is there for
//! where the kernels read.

use super::dispatch::Backend;
use super::{BlockMasks, Kernels, Scan, ScanClass, WithKernels, kernels_agree, scalar};
use super::{TARGET, TARGET_LENIENT, TOKEN, VALUE as VALUE_CLASS};
use crate::chars::{TCHAR, VALUE};

/// A stop in every class, a stop in some, in none: the bytes Miri tries.
const UNDER_MIRI: [u8; 6] = [0x00, b'\r', b' ', b':', 0x80, b'a'];

/// Every byte value; a few under Miri.
fn byte_values() -> std::vec::Vec<u8> {
    if cfg!(miri) { UNDER_MIRI.to_vec() } else { (0..=255).collect() }
}

/// Every value of `range`; under Miri every `step`-th one and the last two.
fn every(range: core::ops::RangeInclusive<usize>, step: usize) -> std::vec::Vec<usize> {
    let (first, last) = (*range.start(), *range.end());
    if !cfg!(miri) || last < first {
        return range.collect();
    }
    let mut v: std::vec::Vec<usize> = (first..=last).step_by(step).collect();
    v.extend([last.saturating_sub(1).max(first), last]);
    v.sort_unstable();
    v.dedup();
    v
}

/// Under Miri, true for one call in 40 (the thinned loops still make
/// thousands of checks); always true natively.
fn sampled() -> bool {
    use core::sync::atomic::{AtomicU32, Ordering};
    static CALLS: AtomicU32 = AtomicU32::new(0);
    !cfg!(miri) || CALLS.fetch_add(1, Ordering::Relaxed) % 40 == 0
}

/// Every class a scan can skip.
const CLASSES: [ScanClass; 4] = [ScanClass::Token, ScanClass::Value, ScanClass::Target, ScanClass::TargetLenient];

fn check(k: Backend, class: ScanClass, buf: &[u8], from: usize, end: usize) {
    if !sampled() {
        return;
    }
    let want = scalar::skip_class(buf, from, end, class.table());
    let got = match class {
        ScanClass::Token => k.run(Scan::<TOKEN> { buf, from, end }),
        ScanClass::Value => k.run(Scan::<VALUE_CLASS> { buf, from, end }),
        ScanClass::Target => k.run(Scan::<TARGET> { buf, from, end }),
        ScanClass::TargetLenient => k.run(Scan::<TARGET_LENIENT> { buf, from, end }),
    };
    assert_eq!(got, want, "{k:?} {class:?} from {from} end {end} in {:?}", buf.escape_ascii());
}

/// One backend's block classifier, as work.
#[derive(Clone, Copy)]
struct Classify<'a>(&'a [u8; 64]);

impl WithKernels for Classify<'_> {
    type Output = BlockMasks;
    fn run<K: Kernels>(self, k: K) -> BlockMasks {
        k.classify(self.0)
    }
}

#[test]
fn the_backends_under_test_include_the_one_in_use() {
    let best = format!("{:?}", Backend::best());
    let name = best.split('(').next().unwrap_or_default();
    assert!(Backend::available().any(|k| format!("{k:?}").starts_with(name)), "{best}");
}

#[test]
fn all_byte_values_at_every_position_and_alignment() {
    const LEN: usize = 140; // two unrolled rounds of AVX2 vectors and a tail
    for k in Backend::available() {
        for class in CLASSES {
            for align in every(0..=31, 31) {
                let mut buf = [b'a'; 31 + LEN + 8];
                for pos in every(0..=LEN - 1, 29) {
                    for b in byte_values() {
                        buf[align + pos] = b;
                        check(k, class, &buf, align, align + LEN);
                        // The same window as the last bytes of the buffer.
                        check(k, class, &buf[..align + LEN], align, align + LEN);
                    }
                    buf[align + pos] = b'a';
                }
            }
        }
    }
}

#[test]
fn every_window_start_and_length_with_stops_inside_and_just_past() {
    const MAX: usize = 72;
    for k in Backend::available() {
        for class in CLASSES {
            for len in every(0..=MAX, 17) {
                for from in every(0..=len.min(33), 33) {
                    for end in every(from..=len, 33) {
                        for stop in [None, Some(from), Some((from + end) / 2), Some(end.saturating_sub(1)), Some(end)] {
                            for stop_byte in if cfg!(miri) { &[0u8][..] } else { &[0u8, b'\r', 0x7f, 0x80, b' ', b':'] }
                            {
                                let stop_byte = *stop_byte;
                                let mut buf = [b'a'; MAX];
                                if let Some(s) = stop.filter(|&s| s < len) {
                                    buf[s] = stop_byte;
                                }
                                check(k, class, &buf[..len], from, end);
                            }
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn long_windows_cross_the_two_vector_rounds_of_every_backend() {
    const MAX: usize = 200;
    for k in Backend::available() {
        for class in CLASSES {
            for len in every(127..=200, 64) {
                for from in every(0..=65, 64) {
                    for end in every(from..=len, 64) {
                        for stop in [None, Some(end.saturating_sub(1)), Some(end), Some(from + 64), Some(from + 127)] {
                            let mut buf = [b'a'; MAX];
                            if let Some(s) = stop.filter(|&s| s < len) {
                                buf[s] = 0x7f;
                            }
                            check(k, class, &buf[..len], from, end);
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn kernels_agree_on_pseudo_random_input() {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut data = [0u8; if cfg!(miri) { 80 } else { 300 }];
    for round in 0..if cfg!(miri) { 1 } else { 200 } {
        for b in data.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Mostly printable, so runs are long enough to reach the vector loops.
            let r = (x >> 24) as u8;
            *b = if r < 8 { r.wrapping_mul(37) } else { b'!' + r % 94 };
        }
        let len = round % data.len();
        assert!(kernels_agree(&data[..len]), "round {round}");
        assert!(kernels_agree(&data[round % 7..]), "round {round}");
    }
}

/// Every search of a `Cursor` with one classifier against the scans: from
/// every start after (and just before) each first block, with a fresh
/// cursor, and walking forward with one cursor (as the walk does); and the
/// masks it hands out from every position against the reference's.
#[derive(Clone, Copy)]
struct CheckBlocks<'a>(&'a [u8]);

impl WithKernels for CheckBlocks<'_> {
    type Output = ();
    fn run<K: Kernels>(self, k: K) {
        let buf = self.0;
        let want = |from: usize, end: usize| {
            (scalar::skip_class(buf, from, end, &TCHAR), scalar::skip_class(buf, from, end, &VALUE))
        };
        let origins: &[usize] = if cfg!(miri) { &[1, 65] } else { &[0, 1, 7, 23, 63, 64, 65, 100] };
        for &origin in origins.iter().filter(|&&o| o <= buf.len()) {
            // (A few searches before the first block, too.)
            for from in every(origin.saturating_sub(3)..=buf.len(), 61) {
                let mut blocks = blocks_from(buf, origin, k);
                let (token, value) = (blocks.token_end(from), blocks.value_end(from));
                for end in every(from..=buf.len(), 200) {
                    let (want_token, want_value) = want(from, end);
                    let at = || format!("origin {origin} from {from} end {end} in {:?}", buf.escape_ascii());
                    assert_eq!(token.min(end), want_token, "token_end {}", at());
                    assert_eq!(value.min(end), want_value, "value_end {}", at());
                }
            }
            // One cursor walked forward, by token stops and value stops in turn.
            let mut blocks = blocks_from(buf, origin, k);
            let mut from = origin;
            while from < buf.len() {
                let (want_token, want_value) = want(from, buf.len());
                assert_eq!(blocks.token_end(from), want_token, "walk: origin {origin} from {from}");
                assert_eq!(blocks.value_end(from), want_value, "walk: origin {origin} from {from}");
                from = want_value.max(from + 1).min(want_token.max(from) + 5);
            }
            check_masks_from(buf, origin, k);
        }
    }
}

/// A `Cursor` whose first block starts at `origin` (its first search).
fn blocks_from<K: Kernels>(buf: &[u8], origin: usize, k: K) -> super::Cursor<'_, K> {
    let mut blocks = super::Cursor::new(buf, k);
    blocks.token_end(origin);
    blocks
}

/// `masks_from(at)` of a cursor that kept the block at `origin`, against
/// the reference: bit `i` is byte `at + i` while it is in the block (set for
/// bytes past the buffer's end), the bits past the block are clear.
fn check_masks_from<K: Kernels>(buf: &[u8], origin: usize, k: K) {
    let reference = |at: usize, i: usize| -> (bool, bool) {
        match buf.get(at + i) {
            Some(&b) => (!crate::chars::in_class(&TCHAR, b), !crate::chars::in_class(&VALUE, b)),
            None => (true, true),
        }
    };
    for at in every(origin..=buf.len() + 1, 7) {
        let mut cursor = blocks_from(buf, origin, k);
        let (masks, block_end) = cursor.masks_from(at);
        assert!(block_end > at, "origin {origin} at {at}");
        for i in 0..64 {
            let bits = ((masks.not_tchar >> i) & 1 == 1, (masks.not_value >> i) & 1 == 1);
            let want = if at + i < block_end { reference(at, i) } else { (false, false) };
            assert_eq!(bits, want, "origin {origin} at {at} bit {i} of {:?}", buf.escape_ascii());
        }
    }
}

fn check_blocks(buf: &[u8]) {
    for k in Backend::available() {
        k.run(CheckBlocks(buf));
    }
}

#[test]
fn classify_matches_the_reference_for_all_byte_values_in_every_lane() {
    for k in Backend::available() {
        for fill in if cfg!(miri) { &[b'a'][..] } else { &[b'a', b' ', 0, 0xff] } {
            let fill = *fill;
            let mut block = [fill; 64];
            for lane in every(0..=63, 31) {
                for b in byte_values() {
                    block[lane] = b;
                    if !sampled() {
                        continue;
                    }
                    assert_eq!(
                        k.run(Classify(&block)),
                        scalar::classify(&block),
                        "{k:?} lane {lane} byte {b:#04x} fill {fill:#04x}"
                    );
                }
                block[lane] = fill;
            }
        }
    }
}

cfg_vectors! {
    #[test]
    fn pack_nibbles_keeps_bit_zero_of_each_nibble() {
        for lane in 0..16 {
            assert_eq!(super::vector::pack_nibbles(0xf << (4 * lane)), 1 << lane, "lane {lane}");
            // Only bit 0 of a nibble counts (NEON gives four equal bits).
            assert_eq!(super::vector::pack_nibbles(0x1 << (4 * lane)), 1 << lane, "lane {lane}");
            assert_eq!(super::vector::pack_nibbles(0xe << (4 * lane)), 0, "lane {lane}");
        }
        assert_eq!(super::vector::pack_nibbles(u64::MAX), 0xffff);
    }
}

#[test]
fn blocks_agree_with_the_scans_for_every_start_end_and_length() {
    // Lengths around one and two blocks (full blocks, the last partial
    // block read from the buffer's end, and a buffer shorter than a block).
    let line = b"Accept-Language: ja,en-us;q=0.7,en;q=0.3\r\nX:\t y\r\n";
    let mut text = Vec::new();
    while text.len() < 200 {
        text.extend_from_slice(line);
    }
    let lens: &[usize] =
        if cfg!(miri) { &[0, 7, 63, 64, 65, 129] } else { &[0, 1, 7, 40, 63, 64, 65, 100, 127, 128, 129, 150, 200] };
    for &len in lens {
        check_blocks(&text[..len]);
    }
}

#[test]
fn blocks_find_every_byte_value_at_every_position() {
    // A stop byte at each position of a 130-byte buffer (three blocks, the
    // last partial) and of a 40-byte one (shorter than a block).
    for len in [40, 130] {
        for pos in every(0..=len - 1, 64) {
            for b in byte_values() {
                let mut buf = vec![b'a'; len];
                buf[pos] = b;
                for from in [0, pos.saturating_sub(1), pos] {
                    if !sampled() {
                        continue;
                    }
                    let want_token = scalar::skip_class(&buf, from, len, &TCHAR);
                    let want_value = scalar::skip_class(&buf, from, len, &VALUE);
                    for k in Backend::available() {
                        let got = k.run(Search(&buf, from));
                        assert_eq!(
                            got,
                            (want_token, want_value),
                            "{k:?} len {len} pos {pos} byte {b:#04x} from {from}"
                        );
                    }
                }
            }
        }
    }
}

/// `(token_end, value_end)` from one position, each with a fresh `Cursor`.
#[derive(Clone, Copy)]
struct Search<'a>(&'a [u8], usize);

impl WithKernels for Search<'_> {
    type Output = (usize, usize);
    fn run<K: Kernels>(self, k: K) -> (usize, usize) {
        let (buf, from) = (self.0, self.1);
        (super::Cursor::new(buf, k).token_end(from), super::Cursor::new(buf, k).value_end(from))
    }
}

#[test]
fn short_token_scan_matches_the_reference() {
    for len in every(0..=39, 13) {
        for stop in every(0..=len, 13) {
            for from in 0..=stop.min(3) {
                let mut buf = [b'G'; 48];
                if stop < len {
                    buf[stop] = b' ';
                }
                for end in (from..=len).filter(|_| sampled()) {
                    let want = scalar::skip_class(&buf, from, end, &TCHAR);
                    assert_eq!(super::skip_short_token(&buf, from, end), want, "len {len} stop {stop} {from}..{end}");
                }
            }
        }
    }
}
