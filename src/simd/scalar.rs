//! The scalar reference: one table lookup per byte. Every other kernel must
//! return exactly what this returns.

use super::BlockMasks;
use crate::chars::in_class;

/// First index in `from..end` whose byte is not in `table`, else `end`.
#[inline]
pub(crate) fn skip_class(buf: &[u8], from: usize, end: usize, table: &[bool; 256]) -> usize {
    let Some(window) = buf.get(from..end) else {
        debug_assert!(false, "skip_class: {from}..{end} outside {}", buf.len());
        return end.min(buf.len()).max(from.min(buf.len()));
    };
    let mut chunks = window.chunks_exact(4);
    let mut i = from;
    for c in &mut chunks {
        // Four independent lookups, then one branch: keeps the loop short
        // without any unsafe indexing.
        let &[b0, b1, b2, b3] = c else { break };
        let all = in_class(table, b0) & in_class(table, b1) & in_class(table, b2) & in_class(table, b3);
        if !all {
            break;
        }
        i += 4;
    }
    let rest = buf.get(i..end).unwrap_or_default();
    match rest.iter().position(|&b| !in_class(table, b)) {
        Some(p) => i + p,
        None => end,
    }
}

/// The reference for the masks of a 64-byte block: bit `i` of each mask
/// describes `block[i]`.
pub(crate) fn classify(block: &[u8; 64]) -> BlockMasks {
    let mut m = BlockMasks::default();
    for (i, &b) in block.iter().enumerate() {
        m.not_tchar |= u64::from(!in_class(&crate::chars::TCHAR, b)) << i;
        m.not_value |= u64::from(!in_class(&crate::chars::VALUE, b)) << i;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chars::{TCHAR, VALUE};

    #[test]
    fn stops_at_first_byte_outside_class_at_every_position() {
        for len in 0..40 {
            for stop in 0..=len {
                let mut buf = [b'a'; 40];
                if stop < len {
                    buf[stop] = b' ';
                }
                assert_eq!(skip_class(&buf, 0, len, &TCHAR), stop, "len {len} stop {stop}");
            }
        }
    }

    #[test]
    fn respects_from_and_end() {
        let buf = b"\x00abc\x00def";
        assert_eq!(skip_class(buf, 1, 8, &VALUE), 4);
        assert_eq!(skip_class(buf, 5, 8, &VALUE), 8);
        assert_eq!(skip_class(buf, 5, 6, &VALUE), 6);
        assert_eq!(skip_class(buf, 3, 3, &VALUE), 3);
    }
}
