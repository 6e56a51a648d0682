//! The few fields that decide framing and persistence, read as they arrive.
//!
//! `Content-Length`, `Transfer-Encoding`, `Connection`, `Upgrade` and `Host`
//! are recognised by length and then a case-insensitive compare, so the cost
//! for every other field is one `match` on its name length. Their values are
//! validated here (Content-Length digits, transfer-coding lists, Host) and
//! reduced to [`FramingFields`], which the functions of the parent module
//! turn into a framing decision.
//!
//! A value may hold CR and LF only as part of an obs-fold (a response read
//! leniently); they are read as the SP a fold stands for (RFC 9112 5.2), so
//! a folded value means what its unfolded form does.

use super::{FramingContext, check_coding_fields};
use crate::chars::{QDTEXT, QUOTED_PAIR, REG_NAME, TCHAR, eq_lower, in_class, is_ows};
use crate::config::{Config, Leniency};
use crate::error::{ErrorKind, Fault};

/// What the head said about framing and persistence.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct FramingFields {
    /// What the start line says about how these fields are read.
    pub(crate) ctx: FramingContext,
    /// The Content-Length, once one was seen (all lines agree).
    pub(crate) content_length: Option<u64>,
    /// How many digits spell it: values are the same only if spelled alike.
    pub(crate) content_length_digits: usize,
    /// Start of the latest Content-Length field line.
    pub(crate) content_length_line: u32,
    /// Start of the latest Transfer-Encoding field line, if any.
    pub(crate) transfer_encoding_line: Option<u32>,
    /// chunked is the final coding so far.
    pub(crate) chunked_final: bool,
    /// chunked has been seen.
    pub(crate) chunked_seen: bool,
    /// `Connection: close`.
    pub(crate) close: bool,
    /// `Connection: keep-alive`.
    pub(crate) keep_alive: bool,
    /// `Connection: upgrade`.
    pub(crate) connection_upgrade: bool,
    /// An Upgrade field is present.
    pub(crate) upgrade: bool,
    /// Number of Host field lines.
    pub(crate) hosts: u8,
    /// Start of the second Host field line.
    pub(crate) second_host_line: u32,
    /// The leniencies reading these fields needed.
    pub(crate) used: Leniency,
}

/// Lower-case first letter of the known field name of each length (`0`: no
/// known field is that long): a field whose name fails this test is none of
/// them, which is the answer for almost every field.
const FIRST_BY_LENGTH: [u8; 18] = {
    let mut t = [0u8; 18];
    t[4] = b'h'; // host
    t[7] = b'u'; // upgrade
    t[10] = b'c'; // connection
    t[14] = b'c'; // content-length
    t[17] = b't'; // transfer-encoding
    t
};

/// False when the field named `buf[name.0..name.1]` cannot be one that
/// [`FramingFields::read_field`] reads: one table lookup, no call.
#[inline(always)]
pub(crate) fn may_be_known(buf: &[u8], name: (u32, u32)) -> bool {
    let len = name.1.wrapping_sub(name.0) as usize;
    match (FIRST_BY_LENGTH.get(len), buf.get(name.0 as usize)) {
        (Some(&first), Some(&b)) => first != 0 && b | 0x20 == first,
        _ => false,
    }
}

/// True for the fields read here (ASCII case-insensitive): their values stay
/// strict under every leniency that relaxes field values.
pub(crate) fn is_known(name: &[u8]) -> bool {
    [&b"content-length"[..], b"transfer-encoding", b"host", b"connection", b"upgrade"]
        .iter()
        .any(|known| name.eq_ignore_ascii_case(known))
}

fn slice(buf: &[u8], (start, end): (u32, u32)) -> &[u8] {
    buf.get(start as usize..end as usize).unwrap_or_default()
}

impl FramingFields {
    /// Nothing read yet, for the fields after a start line that says `ctx`.
    #[inline]
    pub(crate) fn new(ctx: FramingContext) -> Self {
        FramingFields { ctx, ..FramingFields::default() }
    }

    /// Reads one field line of a head: `name` and `value` are offsets into
    /// the head buffer `buf`, the line starting at `name.0`. Errors that no
    /// later field can undo are reported here, at this field, so the first
    /// error in the stream is the one reported.
    #[inline]
    pub(crate) fn read_field(
        &mut self,
        buf: &[u8],
        name: (u32, u32),
        value: (u32, u32),
        cfg: &Config,
    ) -> Result<(), Fault> {
        let line = name.0;
        let at = value.0 as usize;
        let (name, value) = (slice(buf, name), slice(buf, value));
        match name.len() {
            4 if eq_lower(name, b"host") => return self.host(value, at, line, cfg),
            7 if eq_lower(name, b"upgrade") => self.upgrade = true,
            10 if eq_lower(name, b"connection") => self.connection_options(value),
            14 if eq_lower(name, b"content-length") => return self.content_length(value, at, line, cfg),
            17 if eq_lower(name, b"transfer-encoding") => {
                if self.ctx.fields_ignored {
                    return Ok(());
                }
                self.transfer_encoding_line = Some(line);
                self.transfer_codings(value, at, line as usize, cfg)?;
                return check_coding_fields(&self.ctx, self, cfg).map_err(|k| Fault::new(k, line as usize));
            }
            _ => {}
        }
        Ok(())
    }

    /// `Content-Length = 1*DIGIT`, or a list of identical values (RFC 9110
    /// 8.6); on several lines, every line identical too: `016` and `16` are
    /// the same number spelled differently, which some peers reject.
    fn content_length(&mut self, value: &[u8], at: usize, line: u32, cfg: &Config) -> Result<(), Fault> {
        if self.ctx.fields_ignored {
            return Ok(());
        }
        let (n, digits) = content_length(value, at, line as usize)?;
        if self.content_length.is_some_and(|prev| (prev, self.content_length_digits) != (n, digits)) {
            return Err(Fault::new(ErrorKind::ConflictingContentLength, line as usize));
        }
        // RFC 9110 9.3.6: CONNECT has no content.
        if self.ctx.connect && n != 0 {
            return Err(Fault::new(ErrorKind::ConnectWithBody, line as usize));
        }
        self.content_length = Some(n);
        self.content_length_digits = digits;
        self.content_length_line = line;
        check_coding_fields(&self.ctx, self, cfg).map_err(|k| Fault::new(k, line as usize))
    }

    /// `Host = uri-host [ ":" port ]` (RFC 9112 3.2, RFC 9110 7.2): a request
    /// with an invalid Host value, or with more than one Host line, MUST get
    /// a 400. Responses carry no Host worth checking.
    fn host(&mut self, value: &[u8], at: usize, line: u32, cfg: &Config) -> Result<(), Fault> {
        self.hosts = self.hosts.saturating_add(1);
        if !self.ctx.request {
            return Ok(());
        }
        if let Err(i) = host_value(value) {
            return Err(Fault::new(ErrorKind::BadHost, at + i));
        }
        if self.hosts == 2 {
            self.second_host_line = line;
            if !cfg.leniency.contains(Leniency::MISSING_HOST) {
                return Err(Fault::new(ErrorKind::DuplicateHost, line as usize));
            }
        }
        Ok(())
    }

    /// `Connection = #connection-option` (RFC 9110 7.6.1); unknown options
    /// are ignored. `value` is trimmed of OWS (as the parser hands it over).
    fn connection_options(&mut self, value: &[u8]) {
        // One known option (the usual case) is the whole value: no list to
        // split, not even a search for a comma.
        if self.connection_option(value) || !value.contains(&b',') {
            return;
        }
        for option in value.split(|&b| b == b',') {
            self.connection_option(option.trim_ascii());
        }
    }

    /// One `connection-option`, already trimmed; true if it is one of the
    /// three that matter here.
    #[inline(always)]
    fn connection_option(&mut self, option: &[u8]) -> bool {
        let flag = match option.len() {
            5 if eq_lower(option, b"close") => &mut self.close,
            10 if eq_lower(option, b"keep-alive") => &mut self.keep_alive,
            7 if eq_lower(option, b"upgrade") => &mut self.connection_upgrade,
            _ => return false,
        };
        *flag = true;
        true
    }

    /// `Transfer-Encoding = #transfer-coding` (RFC 9112 6.1), where
    /// `transfer-coding = token *( OWS ";" OWS token BWS "=" BWS ( token / quoted-string ) )`.
    /// `at` is the offset of `value[0]` in the head, `line` of the field line.
    fn transfer_codings(&mut self, value: &[u8], at: usize, line: usize, cfg: &Config) -> Result<(), Fault> {
        let bad = |i: usize| Fault::new(ErrorKind::BadTransferEncoding, at + i);
        if value.is_empty() {
            return Err(bad(0));
        }
        let mut i = 0;
        let mut codings = 0;
        loop {
            i = skip_ows(value, i);
            if matches!(value.get(i), None | Some(b',')) {
                // An empty list element. RFC 9110 5.6.1 has recipients ignore
                // it, but a peer that does not reads another list (`chunked,`
                // is not chunked to it), so it takes a leniency.
                if !cfg.leniency.contains(Leniency::EMPTY_ELEMENTS_IN_TRANSFER_ENCODING) {
                    return Err(bad(i));
                }
                self.used |= Leniency::EMPTY_ELEMENTS_IN_TRANSFER_ENCODING;
            } else {
                // A second chunked is the line's fault; a bad byte is its own.
                i = self.transfer_coding(value, i).map_err(|f| match f.kind {
                    ErrorKind::ChunkedTwice => Fault::new(f.kind, line),
                    _ => Fault::new(f.kind, at + f.at),
                })?;
                codings += 1;
                i = skip_ows(value, i);
            }
            match value.get(i) {
                None => break,
                Some(b',') => i += 1,
                Some(_) => return Err(bad(i)),
            }
        }
        if codings == 0 {
            return Err(bad(value.len()));
        }
        Ok(())
    }

    /// One `transfer-coding` at `value[i]`; returns the index after it, or a
    /// fault at an index of `value`.
    fn transfer_coding(&mut self, value: &[u8], i: usize) -> Result<usize, Fault> {
        let bad = |i: usize| Fault::new(ErrorKind::BadTransferEncoding, i);
        let end = skip_token(value, i);
        if end == i {
            return Err(bad(i));
        }
        let is_chunked = value.get(i..end).is_some_and(|c| c.eq_ignore_ascii_case(b"chunked"));
        let after = transfer_parameters(value, end).map_err(bad)?;
        if is_chunked {
            if after != end {
                // chunked has no parameters; one with them is not chunked to
                // every recipient.
                return Err(bad(end));
            }
            if self.chunked_seen {
                return Err(Fault::new(ErrorKind::ChunkedTwice, i));
            }
            self.chunked_seen = true;
        }
        self.chunked_final = is_chunked;
        Ok(after)
    }
}

/// `*( OWS ";" OWS token BWS "=" BWS ( token / quoted-string ) )` from `i`;
/// returns the index after the last parameter, or the index of a bad byte.
fn transfer_parameters(v: &[u8], mut i: usize) -> Result<usize, usize> {
    loop {
        let j = skip_ows(v, i);
        if v.get(j) != Some(&b';') {
            return Ok(i);
        }
        let name = skip_ows(v, j + 1);
        let name_end = skip_token(v, name);
        if name_end == name {
            return Err(name_end);
        }
        let eq = skip_ows(v, name_end);
        if v.get(eq) != Some(&b'=') {
            return Err(eq);
        }
        let val = skip_ows(v, eq + 1);
        i = if v.get(val) == Some(&b'"') { quoted_string(v, val)? } else { skip_token(v, val) };
        if i == val {
            return Err(val);
        }
    }
}

/// A quoted-string starting at `v[i] == '"'` (RFC 9110 5.6.4); returns the
/// index after the closing quote, or the index of a bad byte.
pub(crate) fn quoted_string(v: &[u8], mut i: usize) -> Result<usize, usize> {
    i += 1;
    loop {
        match v.get(i) {
            Some(b'"') => return Ok(i + 1),
            Some(b'\\') if v.get(i + 1).is_some_and(|&c| in_class(&QUOTED_PAIR, c)) => i += 2,
            Some(&c) if in_class(&QDTEXT, c) => i += 1,
            _ => return Err(i),
        }
    }
}

/// OWS, and CR and LF: in a value they can only be part of an obs-fold (a
/// response read leniently), which stands for SP (RFC 9112 5.2), so a
/// folded value means what its unfolded form does.
pub(crate) fn skip_ows(v: &[u8], mut i: usize) -> usize {
    while v.get(i).is_some_and(|&b| is_ows(b) || b == b'\r' || b == b'\n') {
        i += 1;
    }
    i
}

pub(crate) fn skip_token(v: &[u8], mut i: usize) -> usize {
    while v.get(i).is_some_and(|&b| in_class(&TCHAR, b)) {
        i += 1;
    }
    i
}

/// `Content-Length = 1*DIGIT` (RFC 9110 8.6), or a list of identical values
/// (`42, 42`, which RFC 9110 8.6 lets a recipient accept; `042, 42` is not
/// one). Returns the value and how many digits spell it. `at` is the offset
/// of `value[0]`; syntax errors point at the offending byte, a conflict
/// inside the list at the field line (`line`).
fn content_length(value: &[u8], at: usize, line: usize) -> Result<(u64, usize), Fault> {
    let bad = |i: usize| Fault::new(ErrorKind::BadContentLength, at + i);
    let mut first: Option<(u64, usize)> = None;
    let mut i = 0;
    loop {
        let start = i;
        let mut n: u64 = 0;
        while let Some(&b) = value.get(i).filter(|b| b.is_ascii_digit()) {
            n = n.checked_mul(10).and_then(|n| n.checked_add(u64::from(b - b'0'))).ok_or_else(|| bad(i))?;
            i += 1;
        }
        if i == start {
            return Err(bad(i));
        }
        let item = (n, i - start);
        if first.is_some_and(|f| f != item) {
            return Err(Fault::new(ErrorKind::ConflictingContentLength, line));
        }
        first = Some(item);
        i = skip_ows(value, i);
        match value.get(i) {
            None => return Ok(item),
            Some(b',') => i = skip_ows(value, i + 1),
            Some(_) => return Err(bad(i)),
        }
    }
}

/// `uri-host [ ":" port ]` (RFC 3986 3.2.2, 3.2.3), or empty (RFC 9112 3.2:
/// a client without an authority sends an empty Host). Returns the index of
/// the first byte that cannot continue a valid value.
fn host_value(v: &[u8]) -> Result<(), usize> {
    let mut i;
    if v.first() == Some(&b'[') {
        // IP-literal: "[" ( IPv6address / IPvFuture ) "]", checked for its
        // character set (hex digits, ':', '.', and IPvFuture's unreserved /
        // sub-delims), not for the exact address grammar.
        i = 1;
        while v.get(i).is_some_and(|&b| in_class(&REG_NAME, b) || b == b':') {
            i += 1;
        }
        if v.get(i) != Some(&b']') || i == 1 {
            return Err(i);
        }
        i += 1;
    } else {
        // reg-name = *( unreserved / pct-encoded / sub-delims ); IPv4 fits in it.
        // Most names have no `%`: eight bytes at a time first, one branch
        // each, then byte by byte.
        i = 0;
        while let Some(eight) = v.get(i..i + 8) {
            if !eight.iter().fold(true, |all, &b| all & in_class(&REG_NAME, b)) {
                break;
            }
            i += 8;
        }
        while let Some(&b) = v.get(i) {
            if in_class(&REG_NAME, b) {
                i += 1;
            } else if b == b'%'
                && v.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && v.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
            {
                i += 3;
            } else {
                break;
            }
        }
    }
    match v.get(i) {
        None => Ok(()),
        Some(b':') => match v.get(i + 1..).unwrap_or_default().iter().position(|b| !b.is_ascii_digit()) {
            None => Ok(()),
            Some(p) => Err(i + 1 + p),
        },
        Some(_) => Err(i),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_reg_name_rejects_a_bad_byte_anywhere_rfc_3986_3_2_2() {
        // Every length around the eight-byte steps, the bad byte at every
        // place, in a chunk or in the tail.
        for len in 1..=26 {
            let good = vec![b'a'; len];
            assert_eq!(host_value(&good), Ok(()), "len {len}");
            for at in 0..len {
                let mut v = good.clone();
                v[at] = b'#';
                assert_eq!(host_value(&v), Err(at), "len {len}, '#' at {at}");
            }
        }
    }

    #[test]
    fn content_length_grammar_rfc_9110_8_6() {
        let ok: &[(&[u8], u64)] =
            &[(b"0", 0), (b"42", 42), (b"007", 7), (b"5, 5", 5), (b"5,5 ,5", 5), (b"18446744073709551615", u64::MAX)];
        for (v, n) in ok {
            assert_eq!(content_length(v, 0, 0).map(|(n, _)| n), Ok(*n), "{:?}", v.escape_ascii());
        }
        let bad: &[(&[u8], ErrorKind, usize)] = &[
            (b"", ErrorKind::BadContentLength, 0),
            (b"+5", ErrorKind::BadContentLength, 0),
            (b"-1", ErrorKind::BadContentLength, 0),
            (b"5a", ErrorKind::BadContentLength, 1),
            (b"0x10", ErrorKind::BadContentLength, 1),
            (b"1 2", ErrorKind::BadContentLength, 2),
            (b"5,", ErrorKind::BadContentLength, 2),
            (b"5, 6", ErrorKind::ConflictingContentLength, 100),
            // Equal numbers spelled differently are not identical values.
            (b"03,3", ErrorKind::ConflictingContentLength, 100),
            (b"16, 016", ErrorKind::ConflictingContentLength, 100),
            (b"18446744073709551616", ErrorKind::BadContentLength, 19),
        ];
        for (v, kind, at) in bad {
            assert_eq!(content_length(v, 0, 100), Err(Fault::new(*kind, *at)), "{:?}", v.escape_ascii());
        }
    }

    fn te_with(v: &[u8], leniency: Leniency) -> Result<FramingFields, Fault> {
        let mut f = FramingFields::default();
        f.transfer_codings(v, 0, 0, &Config { leniency, ..Config::new() }).map(|()| f)
    }

    fn te(v: &[u8]) -> Result<FramingFields, Fault> {
        te_with(v, Leniency::NONE)
    }

    #[test]
    fn empty_transfer_coding_elements_need_their_leniency() {
        // llhttp reads `chunked,` in a response as not chunked: a strict
        // recipient rejects every empty element (RFC 9110 5.6.1 reading under
        // the switch).
        for (v, at) in [(&b"chunked,"[..], 8), (b", chunked", 0), (b"gzip,,chunked", 5), (b"chunked , ", 10), (b",", 0)]
        {
            assert_eq!(te(v), Err(Fault::new(ErrorKind::BadTransferEncoding, at)), "{:?}", v.escape_ascii());
        }
        let lenient = Leniency::EMPTY_ELEMENTS_IN_TRANSFER_ENCODING;
        for v in [&b"chunked,"[..], b", chunked", b"gzip,,chunked", b"chunked , "] {
            let f = te_with(v, lenient).unwrap();
            assert!(f.chunked_final && f.used == lenient, "{:?}", v.escape_ascii());
        }
        assert_eq!(te_with(b" , ,", lenient).unwrap_err().kind, ErrorKind::BadTransferEncoding, "no coding at all");
        assert_eq!(te_with(b"chunked", lenient).unwrap().used, Leniency::NONE, "reported only when needed");
    }

    #[test]
    fn transfer_coding_lists_rfc_9112_6_1() {
        assert!(te(b"chunked").unwrap().chunked_final);
        assert!(te(b"CHUNKED").unwrap().chunked_final);
        assert!(te(b"gzip, chunked").unwrap().chunked_final);
        assert!(te(b"gzip;q=1, chunked").unwrap().chunked_final);
        assert!(te(b"gzip; level=\"9\" ,chunked").unwrap().chunked_final);
        let f = te(b"chunked, gzip").unwrap();
        assert!(f.chunked_seen && !f.chunked_final);
        assert!(!te(b"gzip").unwrap().chunked_seen);
        assert_eq!(te(b"chunked, chunked").unwrap_err().kind, ErrorKind::ChunkedTwice);
        // TE.TE obfuscations: none of these may read as chunked to us and not to a peer.
        for v in
            [&b""[..], b"chunked;", b"chunked;a=1", b"\"chunked\"", b"chunked x", b"chunked\x0b", b"gzip;", b"gzip;q="]
        {
            assert_eq!(te(v).unwrap_err().kind, ErrorKind::BadTransferEncoding, "{:?}", v.escape_ascii());
        }
    }

    #[test]
    fn host_values_rfc_9112_3_2() {
        for ok in [
            &b""[..],
            b"example.com",
            b"example.com:8080",
            b"a-b.c_d~e",
            b"127.0.0.1:80",
            b"[::1]",
            b"[::1]:443",
            b"x%41y",
            b"a:",
            b"[v1.x]",
        ] {
            assert_eq!(host_value(ok), Ok(()), "{}", ok.escape_ascii());
        }
        let bad: &[(&[u8], usize)] =
            &[(b"a b", 1), (b"a/b", 1), (b"a@b", 1), (b"a:8x", 3), (b"[::1", 4), (b"[]", 1), (b"%4", 0), (b"a\"b", 1)];
        for (v, at) in bad {
            assert_eq!(host_value(v), Err(*at), "{}", v.escape_ascii());
        }
    }

    #[test]
    fn host_value_finds_a_bad_byte_or_pct_encoding_at_every_position() {
        // Names are checked eight bytes at a time first: a stop in every
        // lane of every chunk, and in the byte-by-byte tail.
        for len in 1..=20 {
            for at in 0..len {
                let mut v = vec![b'z'; len];
                v[at] = b'/';
                assert_eq!(host_value(&v), Err(at), "'/' at {at} of {len}");
                v[at] = b'%';
                assert_eq!(host_value(&v), Err(at), "lone '%' at {at} of {len}");
                if at + 3 <= len {
                    v[at + 1] = b'4';
                    v[at + 2] = b'1';
                    assert_eq!(host_value(&v), Ok(()), "%41 at {at} of {len}");
                }
            }
        }
    }

    #[test]
    fn connection_options_are_case_insensitive_lists() {
        let mut f = FramingFields::default();
        f.connection_options(b"Keep-Alive, UPGRADE");
        assert!(f.keep_alive && f.connection_upgrade && !f.close);
        f.connection_options(b"foo,close");
        assert!(f.close);
        // A single option is compared whole; unknown ones change nothing.
        let mut f = FramingFields::default();
        f.connection_options(b"CLOSE");
        assert!(f.close && !f.keep_alive && !f.connection_upgrade);
        let mut f = FramingFields::default();
        for other in [&b"closed"[..], b"keep-alive2", b"upgrade-x", b"foo", b""] {
            f.connection_options(other);
        }
        assert_eq!(f, FramingFields::default());
        f.connection_options(b"keep-alive");
        f.connection_options(b"Upgrade");
        assert!(f.keep_alive && f.connection_upgrade && !f.close);
    }
}
