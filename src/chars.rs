//! Byte classes of the HTTP/1.1 grammar as `const` lookup tables.
//!
//! Each table answers one question for all 256 byte values, so the hot loops
//! in `head/` and `body/` do one load and one test per byte, and the SIMD
//! kernels in `simd/` are checked against these same tables (they are the
//! scalar reference). The ABNF each table encodes is quoted above it.

/// `t` with entry `i` set to `v`, for the `table!` macro. Only ever
/// evaluated at compile time, where an index out of range fails the build.
#[allow(clippy::indexing_slicing)]
const fn with_entry(mut t: [bool; 256], i: usize, v: bool) -> [bool; 256] {
    t[i] = v;
    t
}

/// True if byte `b` is in the class `table`. A `u8` always indexes a
/// 256-entry table, so the lookup cannot fail; `get` states that without a
/// panic path and compiles to the same single load.
#[inline(always)]
pub(crate) fn in_class(table: &[bool; 256], b: u8) -> bool {
    table.get(usize::from(b)).copied().unwrap_or(false)
}

/// Builds a 256-entry table from a `const fn(u8) -> bool` at compile time.
macro_rules! table {
    ($pred:expr) => {{
        let mut t = [false; 256];
        let mut i = 0;
        while i < 256 {
            t = $crate::chars::with_entry(t, i, $pred(i as u8));
            i += 1;
        }
        t
    }};
}

// RFC 9110 5.6.2:
//   token = 1*tchar
//   tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
//           "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
const fn is_tchar(b: u8) -> bool {
    matches!(b,
        b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.'
        | b'^' | b'_' | b'`' | b'|' | b'~' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z')
}

/// `tchar` (RFC 9110 5.6.2): the bytes of a method, a field name, a
/// transfer coding or a chunk-extension name.
pub(crate) static TCHAR: [bool; 256] = table!(is_tchar);

// RFC 9110 5.5:
//   field-value   = *field-content
//   field-content = field-vchar [ 1*( SP / HTAB / field-vchar ) field-vchar ]
//   field-vchar   = VCHAR / obs-text
//   obs-text      = %x80-FF
// Inside a value SP and HTAB are allowed too; CR ends the line.
const fn is_value_byte(b: u8) -> bool {
    b == b'\t' || (b >= 0x20 && b != 0x7f)
}

/// Bytes allowed inside a field value (RFC 9110 5.5): HTAB, SP, VCHAR and
/// obs-text. Every other CTL (NUL, CR, LF, ...) and DEL stop a value scan.
pub(crate) static VALUE: [bool; 256] = table!(is_value_byte);

// RFC 9112 3.2 with RFC 3986: a request-target is built from visible ASCII
// only. The strict parser accepts any VCHAR (%x21-7E) so that the common
// unescaped characters real clients send (`"`, `{`, `|`, ...) pass, and
// rejects whitespace, CTLs, DEL and non-ASCII.
const fn is_target_byte(b: u8) -> bool {
    b > 0x20 && b < 0x7f
}

/// Bytes allowed in a request-target by default: VCHAR (%x21-7E).
pub(crate) static TARGET: [bool; 256] = table!(is_target_byte);

const fn is_target_or_obs_text(b: u8) -> bool {
    is_target_byte(b) || b >= 0x80
}

/// Bytes allowed in a request-target with the `NON_ASCII_TARGET`
/// leniency: VCHAR and obs-text (%x80-FF).
pub(crate) static TARGET_LENIENT: [bool; 256] = table!(is_target_or_obs_text);

// RFC 9112 4:
//   reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )
// The same set as a field value.

// RFC 5234 B.1:  HEXDIG = DIGIT / "A" / "B" / "C" / "D" / "E" / "F"
// (ABNF strings are case-insensitive, so a-f too.)
/// Value of a hexadecimal digit, or `None` (RFC 5234 HEXDIG, RFC 9112 7.1 chunk-size).
#[inline]
pub(crate) const fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

// RFC 9110 5.6.4:
//   quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
//   qdtext        = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
//   quoted-pair   = "\" ( HTAB / SP / VCHAR / obs-text )
const fn is_qdtext(b: u8) -> bool {
    b == b'\t' || b == b' ' || b == 0x21 || (b >= 0x23 && b <= 0x5b) || (b >= 0x5d && b <= 0x7e) || b >= 0x80
}

/// `qdtext` (RFC 9110 5.6.4): bytes that stand for themselves inside a quoted string.
pub(crate) static QDTEXT: [bool; 256] = table!(is_qdtext);

/// The byte after `\` in a quoted-pair (RFC 9110 5.6.4): HTAB, SP, VCHAR, obs-text.
pub(crate) static QUOTED_PAIR: [bool; 256] = table!(is_value_byte);

// RFC 3986 3.2.2:
//   reg-name   = *( unreserved / pct-encoded / sub-delims )
//   unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
//   sub-delims = "!" / "$" / "&" / "'" / "(" / ")" / "*" / "+" / "," / ";" / "="
// (pct-encoded, "%" HEXDIG HEXDIG, is handled by the caller.)
const fn is_reg_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.' | b'_' | b'~' | b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
        )
}

/// Bytes of a `reg-name` other than `%` (RFC 3986 3.2.2): a Host's name part.
pub(crate) static REG_NAME: [bool; 256] = table!(is_reg_name_byte);

/// True if `bytes` equals `word` ignoring ASCII case, where `word` is made
/// of lower-case letters and `-` (the field names and connection options the
/// parser looks for). For a letter, `b | 0x20` is its lower-case form, and the
/// only other byte that maps onto a letter or `-` is CR (onto `-`), which
/// never occurs in a name or a value. Words of 4 bytes or more are compared
/// in two overlapping 4- or 8-byte words (more 8-byte words past 16 bytes),
/// so a known name costs two compares and no loop.
#[inline(always)]
pub(crate) fn eq_lower(bytes: &[u8], word: &[u8]) -> bool {
    let n = word.len();
    if bytes.len() != n {
        return false;
    }
    let same4 = |i: usize| {
        let w = |s: &[u8]| s.get(i..i + 4).and_then(|c| <[u8; 4]>::try_from(c).ok()).map(u32::from_le_bytes);
        matches!((w(bytes), w(word)), (Some(x), Some(y)) if x | 0x2020_2020 == y)
    };
    let same8 = |i: usize| {
        let w = |s: &[u8]| s.get(i..i + 8).and_then(|c| <[u8; 8]>::try_from(c).ok()).map(u64::from_le_bytes);
        matches!((w(bytes), w(word)), (Some(x), Some(y)) if x | 0x2020_2020_2020_2020 == y)
    };
    match n {
        0..4 => bytes.iter().zip(word).all(|(&x, &y)| x | 0x20 == y),
        4..=8 => same4(0) && same4(n - 4),
        _ => {
            let mut i = 0;
            while i + 8 < n {
                if !same8(i) {
                    return false;
                }
                i += 8;
            }
            same8(n - 8)
        }
    }
}

/// True for the optional whitespace bytes OWS/BWS (RFC 9110 5.6.3): SP and HTAB.
#[inline]
pub(crate) const fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tables agree with a literal reading of the RFC character lists.
    #[test]
    fn tchar_is_exactly_the_rfc_9110_list() {
        let listed = b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        for b in 0..=255u8 {
            assert_eq!(TCHAR[b as usize], listed.contains(&b), "byte {b:#04x}");
        }
    }

    #[test]
    fn value_bytes_follow_rfc_9110_5_5() {
        for b in 0..=255u8 {
            let expected = b == b'\t' || b == b' ' || (0x21..=0x7e).contains(&b) || b >= 0x80;
            assert_eq!(VALUE[b as usize], expected, "byte {b:#04x}");
        }
        assert!(!VALUE[b'\r' as usize] && !VALUE[b'\n' as usize] && !VALUE[0] && !VALUE[0x7f]);
    }

    #[test]
    fn target_bytes_are_vchar_only() {
        for b in 0..=255u8 {
            assert_eq!(TARGET[b as usize], (0x21..=0x7e).contains(&b), "byte {b:#04x}");
            assert_eq!(TARGET_LENIENT[b as usize], (0x21..=0x7e).contains(&b) || b >= 0x80);
        }
    }

    #[test]
    fn hex_digits_rfc_5234() {
        for b in 0..=255u8 {
            let expected = (b as char).is_ascii_hexdigit();
            assert_eq!(hex_value(b).is_some(), expected, "byte {b:#04x}");
        }
        assert_eq!(hex_value(b'f'), Some(15));
        assert_eq!(hex_value(b'A'), Some(10));
    }

    #[test]
    fn eq_lower_is_ascii_case_insensitive_equality_for_names() {
        let words: [&[u8]; 11] = [
            b"x",
            b"te",
            b"host",
            b"close",
            b"upgrade",
            b"connection",
            b"keep-alive",
            b"content-length",
            b"transfer-encoding",
            b"proxy-authorization-abcdefgh",
            b"a-very-long-name-of-thirty-three",
        ];
        for w in words {
            assert!(eq_lower(w, w));
            assert!(eq_lower(&w.to_ascii_uppercase(), w));
            // Every single-byte change (other than case) breaks equality.
            for i in 0..w.len() {
                for b in 0..=255u8 {
                    let mut x = w.to_vec();
                    x[i] = b;
                    let same = x.eq_ignore_ascii_case(w);
                    if b != b'\r' {
                        assert_eq!(eq_lower(&x, w), same, "{:?}", x.escape_ascii());
                    }
                }
            }
            assert!(!eq_lower(&w[1..], w));
        }
    }

    #[test]
    fn reg_name_is_unreserved_and_sub_delims() {
        let listed = b"abcxyzABCXYZ0189-._~!$&'()*+,;=";
        for b in 0..=255u8 {
            let expected = b.is_ascii_alphanumeric() || listed.contains(&b);
            assert_eq!(REG_NAME[b as usize], expected, "byte {b:#04x}");
        }
    }

    #[test]
    fn qdtext_excludes_dquote_and_backslash() {
        assert!(!QDTEXT[b'"' as usize]);
        assert!(!QDTEXT[b'\\' as usize]);
        assert!(QDTEXT[b'a' as usize] && QDTEXT[0x80] && QDTEXT[b'\t' as usize]);
        assert!(!QDTEXT[0x7f] && !QDTEXT[b'\r' as usize]);
    }
}
