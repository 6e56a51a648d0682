//! Byte-class skipping: "from `from`, how far do bytes of class X go?"
//!
//! Every hot loop of the parser is one of three scans: token bytes (method,
//! field name), request-target bytes, and field-value bytes (also reason
//! phrases). Each function here returns the index of the first byte in
//! `from..end` that is *not* in the class, or `end` if all are.
//!
//! The answer is defined by the `const` tables in `chars.rs`; the functions in
//! `scalar` are the reference every faster kernel is tested against.
//!
//! Contract for every function: `from <= end <= buf.len()`; the result `r`
//! satisfies `from <= r <= end`, every byte in `from..r` is in the class, and
//! `r == end` or `buf[r]` is not in the class.

pub(crate) mod scalar;

/// First index in `from..end` whose byte is not a `tchar`, else `end`.
#[inline]
pub(crate) fn skip_token(buf: &[u8], from: usize, end: usize) -> usize {
    scalar::skip_class(buf, from, end, &crate::chars::TCHAR)
}

/// First index in `from..end` whose byte may not appear in a field value
/// (any CTL but HTAB, or DEL), else `end`.
#[inline]
pub(crate) fn skip_value(buf: &[u8], from: usize, end: usize) -> usize {
    scalar::skip_class(buf, from, end, &crate::chars::VALUE)
}

/// First index in `from..end` whose byte may not appear in a request-target,
/// else `end`. `non_ascii` also admits obs-text.
#[inline]
pub(crate) fn skip_target(buf: &[u8], from: usize, end: usize, non_ascii: bool) -> usize {
    let table = if non_ascii { &crate::chars::TARGET_LENIENT } else { &crate::chars::TARGET };
    scalar::skip_class(buf, from, end, table)
}
