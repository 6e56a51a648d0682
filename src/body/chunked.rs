//! The chunked transfer coding (RFC 9112 7.1), decoded incrementally.
//!
//! ```text
//! chunked-body = *chunk last-chunk trailer-section CRLF
//! chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
//! chunk-size   = 1*HEXDIG
//! last-chunk   = 1*("0") [ chunk-ext ] CRLF
//! chunk-ext    = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
//! chunk-ext-val = token / quoted-string
//! ```
//!
//! # Idea
//!
//! Chunk-size lines are consumed byte by byte as they are validated, so the
//! decoder never holds more than its state (a whole size line of the common
//! shape, with the chunk's first data byte, is taken in one go by
//! `next_chunk`, which ends in exactly the state the byte loop would); chunk data is handed out as
//! sub-slices of the input, counted, never searched (the payload may contain
//! CR LF). The trailer section after the last chunk is parsed by the head
//! machine, so trailers follow the same rules as header fields.
//!
//! # Security
//!
//! Each check below closes a request-smuggling hole seen in the wild: an
//! empty or non-hex size (two parsers read different lengths), overflow
//! (a huge size wraps to a small one), bare CR or LF in a size line or an
//! extension (a peer that accepts them splits the line elsewhere), and data
//! that runs past its size without CRLF (the spill lets a front end and a back
//! end disagree on where the next message begins). No leniency relaxes them.
//!
//! # States
//!
//! `Size` → (`Ext*` →) `SizeLf` → `Data` → `DataCr` → `DataLf` → `Size` …;
//! a zero size ends in `SizeLf` with [`ChunkStep::Last`].

use crate::chars::{QDTEXT, QUOTED_PAIR, TCHAR, hex_value, in_class, is_ows};
use crate::config::Limits;
use crate::error::Error;
use crate::error::ErrorKind;

/// An error kind and the index in the input where it was found.
type Fault = (ErrorKind, usize);

/// Where the decoder stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// In the hex digits of a chunk-size.
    Size,
    /// BWS after a size or an extension value: `;` must follow.
    ExtBws,
    /// After `;`: BWS, then an extension name.
    ExtNameStart,
    /// In an extension name.
    ExtName,
    /// BWS after a name: `=` or `;` must follow.
    ExtNameBws,
    /// After `=`: BWS, then a token or a quoted string.
    ExtValueStart,
    /// In a token value.
    ExtToken,
    /// Inside a quoted-string value.
    ExtQuoted,
    /// After `\` inside a quoted string.
    ExtQuotedPair,
    /// After the closing quote of a value.
    ExtAfterQuoted,
    /// CR of the size line seen; LF must follow.
    SizeLf,
    /// Chunk data: `remaining` bytes to go.
    Data,
    /// After the data: CR must follow.
    DataCr,
    /// After the data's CR: LF must follow.
    DataLf,
}

/// What one call decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChunkStep {
    /// `skip` framing bytes, then `len` bytes of chunk data.
    Data { skip: usize, len: usize },
    /// All input was framing and is consumed; more is needed.
    NeedMore,
    /// The last-chunk line ended after `consumed` bytes; the trailer section follows.
    Last { consumed: usize },
}

/// Incremental decoder of one chunked body (up to its trailer section).
#[derive(Clone, Debug)]
pub(crate) struct Chunked {
    state: State,
    /// Size being read, then data bytes remaining.
    remaining: u64,
    /// Hex digits of the size read so far.
    digits: u32,
    /// Of those, digits after the leading zeros: what the limit counts.
    significant: u32,
    /// Extension bytes seen in this message.
    ext_bytes: u32,
}

/// `HEX[b]`: the value of hex digit `b`, or 16 for any other byte.
// Evaluated at compile time: an index out of range fails the build.
#[allow(clippy::indexing_slicing)]
const HEX: [u8; 256] = {
    let mut t = [16u8; 256];
    let mut b = 0;
    while b < 256 {
        if let Some(d) = hex_value(b as u8) {
            t[b] = d;
        }
        b += 1;
    }
    t
};

const CR: u8 = b'\r';
const LF: u8 = b'\n';

/// The end of a run of chunk extensions of the plain shape (see
/// `Chunked::next_chunk`) starting with the `;` at `at`: the index of the
/// first byte after them. `None` for anything else, left to the byte loop.
#[inline(always)]
fn plain_extensions(input: &[u8], mut at: usize) -> Option<usize> {
    let run = |from: usize, table: &[bool; 256]| {
        from + input.get(from..).unwrap_or_default().iter().take_while(|&&b| in_class(table, b)).count()
    };
    while input.get(at) == Some(&b';') {
        let name = run(at + 1, &TCHAR);
        if name == at + 1 {
            return None;
        }
        at = name;
        if input.get(at) == Some(&b'=') {
            if input.get(at + 1) == Some(&b'"') {
                at = run(at + 2, &QDTEXT);
                // A quoted-pair (`\`) or the end of the input: the byte loop.
                if input.get(at) != Some(&b'"') {
                    return None;
                }
                at += 1;
            } else {
                let value = run(at + 1, &TCHAR);
                if value == at + 1 {
                    return None;
                }
                at = value;
            }
        }
    }
    Some(at)
}

impl Chunked {
    pub(crate) fn new() -> Self {
        Chunked { state: State::Size, remaining: 0, digits: 0, significant: 0, ext_bytes: 0 }
    }

    /// Decodes from `input[0]`, which is at stream offset `base`.
    pub(crate) fn step(&mut self, input: &[u8], base: u64, limits: &Limits) -> Result<ChunkStep, Error> {
        let mut i = 0;
        while let Some(&b) = input.get(i) {
            if self.state == State::Data {
                let len = (input.len() - i).min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
                self.remaining -= len as u64;
                if self.remaining == 0 {
                    self.state = State::DataCr;
                }
                return Ok(ChunkStep::Data { skip: i, len });
            }
            if let Some(step) = self.next_chunk(input, i, limits) {
                return Ok(step);
            }
            if let Some(next) = self.data_crlf(input, i) {
                i = next;
                continue;
            }
            if let Some(next) = self.extension_run(input, i, limits) {
                i = next;
                continue;
            }
            let done = self.line_byte(b, i, limits).map_err(|(kind, at)| {
                // A bare CR is reported at the CR, which may have come in an earlier input.
                let back = u64::from(kind == ErrorKind::BareCr);
                Error::new(kind, (base + at as u64).saturating_sub(back))
            })?;
            if done {
                return Ok(ChunkStep::Last { consumed: i + 1 });
            }
            i += 1;
        }
        Ok(ChunkStep::NeedMore)
    }

    /// The usual step in a body of many chunks, in one go from `input[at]`:
    /// the CRLF after the previous chunk's data (if that is where the
    /// decoder is), a whole size line whose first digit is not `0` (no
    /// overflow, digits inside the limit) with plain extensions or none, and
    /// at least one byte of the chunk's data. Leaves the decoder exactly
    /// where the byte loop of [`Chunked::step`] would and returns what it
    /// would; `None` (nothing changed) for anything else, which the byte
    /// loop then handles (errors included).
    #[inline(always)]
    pub(crate) fn next_chunk(&mut self, input: &[u8], at: usize, limits: &Limits) -> Option<ChunkStep> {
        let i = match self.state {
            State::DataCr if input.get(at..at + 2) == Some(&b"\r\n"[..]) => at + 2,
            State::Size if self.digits == 0 => at,
            _ => return None,
        };
        if input.get(i).is_none_or(|&b| b == b'0') {
            return None;
        }
        // At most 15 digits: no overflow; all significant (no leading zero).
        let max = limits.chunk_size_digits.min(15) as usize;
        let mut j = i;
        let mut size = 0u64;
        while let Some(&d) = input.get(j).and_then(|&b| HEX.get(usize::from(b))).filter(|&&d| d < 16) {
            if j - i == max {
                return None;
            }
            size = size * 16 + u64::from(d);
            j += 1;
        }
        let digits = j - i;
        // Extensions of the plain shape `;name`, `;name=token`,
        // `;name="qdtext"` (no whitespace, no quoted-pair): counted as the
        // byte loop counts them (every byte from the first `;` to the CR).
        let (data, ext_bytes) = if input.get(j..j + 2) == Some(&b"\r\n"[..]) {
            (j + 2, None)
        } else if input.get(j) == Some(&b';') {
            let ext = plain_extensions(input, j)?;
            let ext_bytes = self.ext_bytes.checked_add(u32::try_from(ext - j).ok()?)?;
            if ext_bytes > limits.chunk_extensions || input.get(ext..ext + 2) != Some(&b"\r\n"[..]) {
                return None;
            }
            (ext + 2, Some(ext_bytes))
        } else {
            return None;
        };
        if digits == 0 || input.len() <= data {
            return None;
        }
        let len = (input.len() - data).min(usize::try_from(size).unwrap_or(usize::MAX));
        self.remaining = size - len as u64;
        self.digits = digits as u32;
        self.significant = self.digits;
        if let Some(n) = ext_bytes {
            self.ext_bytes = n;
        }
        self.state = if self.remaining == 0 { State::DataCr } else { State::Data };
        Some(ChunkStep::Data { skip: data, len })
    }

    /// The CRLF after chunk data, both bytes received (the size line after
    /// it is not all there, or `next_chunk` would have taken it): where
    /// decoding goes on, in the state the byte loop would reach there.
    #[inline(always)]
    fn data_crlf(&mut self, input: &[u8], i: usize) -> Option<usize> {
        if self.state != State::DataCr || input.get(i..i + 2) != Some(&b"\r\n"[..]) {
            return None;
        }
        self.remaining = 0;
        self.digits = 0;
        self.significant = 0;
        self.state = State::Size;
        Some(i + 2)
    }

    /// A run of bytes that `line_byte` would take one at a time without
    /// changing anything but the state it enters and the extension count:
    /// tchar in an extension name or token value, qdtext in a quoted value.
    /// Stops where the extension limit would be exceeded, so `line_byte`
    /// reports that at the same byte. `None` (nothing changed) if the run is
    /// empty.
    #[inline(always)]
    fn extension_run(&mut self, input: &[u8], i: usize, limits: &Limits) -> Option<usize> {
        let (table, next) = match self.state {
            State::ExtNameStart | State::ExtName => (&TCHAR, State::ExtName),
            State::ExtValueStart | State::ExtToken => (&TCHAR, State::ExtToken),
            State::ExtQuoted => (&QDTEXT, State::ExtQuoted),
            _ => return None,
        };
        let allowed = limits.chunk_extensions.saturating_sub(self.ext_bytes) as usize;
        let rest = input.get(i..)?;
        let rest = rest.get(..allowed.min(rest.len()))?;
        let n = rest.iter().position(|&b| !in_class(table, b)).unwrap_or(rest.len());
        if n == 0 {
            return None;
        }
        // `n <= allowed`, which fits the u32 limit.
        self.ext_bytes += n as u32;
        self.state = next;
        Some(i + n)
    }

    /// One byte of framing at `i`; true when it ended the last-chunk line.
    fn line_byte(&mut self, b: u8, i: usize, limits: &Limits) -> Result<bool, Fault> {
        use State::*;
        let bad_ext = (ErrorKind::BadChunkExtension, i);
        if b == LF && !matches!(self.state, SizeLf | DataCr | DataLf) {
            return Err((ErrorKind::BareLf, i));
        }
        if !matches!(self.state, Size | SizeLf | DataCr | DataLf) && b != CR {
            self.ext_bytes = self.ext_bytes.saturating_add(1);
            if self.ext_bytes > limits.chunk_extensions {
                return Err((ErrorKind::ChunkExtensionsTooLarge, i));
            }
        }
        self.state = match (self.state, b) {
            (Size, _) => return self.size_byte(b, i, limits).map(|()| false),
            (ExtBws, b';') | (ExtName | ExtNameBws | ExtToken | ExtAfterQuoted, b';') => ExtNameStart,
            (ExtBws | ExtNameStart | ExtNameBws | ExtValueStart, _) if is_ows(b) => self.state,
            (ExtToken | ExtAfterQuoted, _) if is_ows(b) => ExtBws,
            (ExtName, _) if is_ows(b) => ExtNameBws,
            (ExtNameStart | ExtName, _) if in_class(&TCHAR, b) => ExtName,
            (ExtName | ExtNameBws, b'=') => ExtValueStart,
            (ExtValueStart, b'"') => ExtQuoted,
            (ExtValueStart | ExtToken, _) if in_class(&TCHAR, b) => ExtToken,
            (ExtName | ExtToken | ExtAfterQuoted, CR) => SizeLf,
            (ExtQuoted, b'"') => ExtAfterQuoted,
            (ExtQuoted, b'\\') => ExtQuotedPair,
            (ExtQuoted, _) if in_class(&QDTEXT, b) => ExtQuoted,
            (ExtQuotedPair, _) if in_class(&QUOTED_PAIR, b) => ExtQuoted,
            (SizeLf, LF) => return Ok(self.size_line_end()),
            (SizeLf, _) => return Err((ErrorKind::BareCr, i)),
            (DataCr, CR) => DataLf,
            (DataLf, LF) => {
                self.remaining = 0;
                self.digits = 0;
                self.significant = 0;
                Size
            }
            // CR then not LF: a bare CR (reported at the CR).
            (DataLf, _) => return Err((ErrorKind::BareCr, i)),
            (DataCr, _) => return Err((ErrorKind::BadChunkDataEnd, i)),
            _ => return Err(bad_ext),
        };
        Ok(false)
    }

    /// A byte while reading the hex digits of a chunk-size.
    fn size_byte(&mut self, b: u8, i: usize, limits: &Limits) -> Result<(), Fault> {
        if let Some(d) = hex_value(b) {
            // Leading zeros are fine (RFC 9112 7.1) and cost nothing to hold.
            self.digits = self.digits.saturating_add(1);
            if self.remaining != 0 || d != 0 {
                self.significant += 1;
                if self.significant > limits.chunk_size_digits {
                    return Err((ErrorKind::ChunkSizeTooLong, i));
                }
            }
            self.remaining = self
                .remaining
                .checked_mul(16)
                .and_then(|n| n.checked_add(u64::from(d)))
                .ok_or((ErrorKind::ChunkSizeOverflow, i))?;
            return Ok(());
        }
        if self.digits == 0 {
            return Err((ErrorKind::BadChunkSize, i));
        }
        self.state = match b {
            CR => State::SizeLf,
            b';' => State::ExtNameStart,
            b' ' | b'\t' => State::ExtBws,
            _ => return Err((ErrorKind::BadChunkSize, i)),
        };
        if b != CR {
            self.ext_bytes = self.ext_bytes.saturating_add(1);
        }
        Ok(())
    }

    /// The LF of a size line: data follows, or the trailer section if the size is 0.
    fn size_line_end(&mut self) -> bool {
        if self.remaining == 0 {
            return true;
        }
        self.state = State::Data;
        false
    }

    /// True while the decoder is at a chunk boundary with nothing pending
    /// (used only to describe state in tests).
    #[cfg(test)]
    pub(crate) fn at_size_start(&self) -> bool {
        self.state == State::Size && self.digits == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes a whole chunked body (without trailers); returns the payload or the fault.
    fn decode(body: &[u8]) -> Result<(std::vec::Vec<u8>, usize), (ErrorKind, u64)> {
        let mut d = Chunked::new();
        let mut out = std::vec::Vec::new();
        let mut at = 0;
        loop {
            match d.step(&body[at..], at as u64, &Limits::new()).map_err(|e| (e.kind(), e.offset()))? {
                ChunkStep::Data { skip, len } => {
                    out.extend_from_slice(&body[at + skip..at + skip + len]);
                    at += skip + len;
                }
                ChunkStep::NeedMore => return Err((ErrorKind::BadChunkSize, u64::MAX)),
                ChunkStep::Last { consumed } => return Ok((out, at + consumed)),
            }
        }
    }

    #[test]
    fn valid_chunk_lines_rfc_9112_7_1() {
        let cases: &[(&[u8], &[u8])] = &[
            (b"5\r\nhello\r\n0\r\n", b"hello"),
            (b"005\r\nhello\r\n000\r\n", b"hello"),
            (b"000000000000000000001\r\nx\r\n00000000000000000000\r\n", b"x"),
            (b"A\r\n0123456789\r\n0\r\n", b"0123456789"),
            (b"a\r\n\r\n\r\n\r\n\r\n\r\n\r\n0\r\n", b"\r\n\r\n\r\n\r\n\r\n"),
            (b"1;a\r\nx\r\n0\r\n", b"x"),
            (b"1;a=b;c=\"d e\"\r\nx\r\n0\r\n", b"x"),
            (b"1 ; a = b\r\nx\r\n0;last\r\n", b"x"),
            (b"1;a=\"q\\\"\"\r\nx\r\n0\r\n", b"x"),
        ];
        for (body, payload) in cases {
            let (got, used) = decode(body).unwrap_or_else(|e| panic!("{}: {e:?}", body.escape_ascii()));
            assert_eq!(&got[..], *payload);
            assert_eq!(used, body.len());
        }
    }

    #[test]
    fn invalid_chunk_lines_each_with_the_attack_it_stops() {
        use ErrorKind::*;
        let cases: &[(&[u8], ErrorKind, u64, &str)] = &[
            (b"\r\n", BadChunkSize, 0, "empty size"),
            (b"x\r\n", BadChunkSize, 0, "non-hex size"),
            (b"-1\r\n", BadChunkSize, 0, "negative size"),
            (b"0x5\r\n", BadChunkSize, 1, "0x prefix read as 0 by one parser"),
            (b"5\nhello\r\n", BareLf, 1, "bare LF after size"),
            (b"5\rhello\r\n", BareCr, 1, "bare CR after size"),
            (b"5;a\nhello", BareLf, 3, "bare LF ending an extension"),
            (b"5;a=\"x\ny\"\r\n", BareLf, 6, "LF inside a quoted extension"),
            (b"5;a=\"x\ry\"\r\n", BadChunkExtension, 6, "CR inside a quoted extension"),
            (b"5 \r\nhello", BadChunkExtension, 2, "whitespace after size without extension"),
            (b"5;\r\n", BadChunkExtension, 2, "empty extension name"),
            (b"5;a=\r\n", BadChunkExtension, 4, "empty extension value"),
            (b"5;a b\r\n", BadChunkExtension, 4, "two names"),
            (b"5\r\nhelloXX\r\n", BadChunkDataEnd, 8, "spill past chunk size"),
            (b"5\r\nhello\rX", BareCr, 8, "bare CR after chunk data"),
            (b"5\r\nhello\n", BadChunkDataEnd, 8, "bare LF after chunk data"),
            (b"10000000000000000\r\n", ChunkSizeTooLong, 16, "size past u64"),
        ];
        for (body, kind, at, attack) in cases {
            let err = decode(body).expect_err(attack);
            assert_eq!(err, (*kind, *at), "{attack}: {:?}", body.escape_ascii());
        }
    }

    #[test]
    fn overflow_is_caught_when_digit_limit_allows_it() {
        let limits = Limits { chunk_size_digits: 40, ..Limits::new() };
        let mut d = Chunked::new();
        let err = d.step(b"FFFFFFFFFFFFFFFF0\r\n", 100, &limits).unwrap_err();
        assert_eq!((err.kind(), err.offset()), (ErrorKind::ChunkSizeOverflow, 116));
    }

    #[test]
    fn extension_bytes_are_limited_per_message() {
        let limits = Limits { chunk_extensions: 4, ..Limits::new() };
        let mut d = Chunked::new();
        assert!(matches!(d.step(b"1;ab\r\nx\r\n", 0, &limits), Ok(ChunkStep::Data { skip: 6, len: 1 })));
        let err = d.step(b"\r\n1;c\r\n", 7, &limits).unwrap_err();
        assert_eq!((err.kind(), err.offset()), (ErrorKind::ChunkExtensionsTooLarge, 11));
    }

    /// Decodes `body` fed `piece` bytes at a time (the caller keeps what
    /// was not consumed): the data, or the first error and its offset.
    fn decode_in_pieces(body: &[u8], piece: usize, limits: &Limits) -> Result<std::vec::Vec<u8>, (ErrorKind, u64)> {
        let mut d = Chunked::new();
        let (mut out, mut at, mut end) = (std::vec::Vec::new(), 0, 0);
        loop {
            let step = d.step(&body[at..end], at as u64, limits).map_err(|e| (e.kind(), e.offset()))?;
            match step {
                ChunkStep::Data { skip, len } => {
                    out.extend_from_slice(&body[at + skip..at + skip + len]);
                    at += skip + len;
                }
                ChunkStep::NeedMore => {
                    at = end;
                    if end == body.len() {
                        return Err((ErrorKind::BadChunkSize, u64::MAX));
                    }
                    end = (end + piece).min(body.len());
                }
                ChunkStep::Last { .. } => return Ok(out),
            }
        }
    }

    #[test]
    fn plain_extensions_count_towards_the_limit_as_byte_by_byte() {
        // The one-go path takes these size lines whole; one byte at a time
        // they go through the byte loop. Every limit gives the same answer;
        // the extensions are 7 + 8 + 2 = 17 bytes.
        let body = b"3;a=1;bb\r\nabc\r\n2;q=\"x y\"\r\nde\r\n1;z\r\nf\r\n0\r\n\r\n";
        for limit in 0..30 {
            let limits = Limits { chunk_extensions: limit, ..Limits::new() };
            let whole = decode_in_pieces(body, body.len(), &limits);
            let bytes = decode_in_pieces(body, 1, &limits);
            assert_eq!(whole, bytes, "limit {limit}");
            if limit >= 17 {
                assert_eq!(whole.as_deref(), Ok(&b"abcdef"[..]), "limit {limit}");
            } else {
                assert!(matches!(whole, Err((ErrorKind::ChunkExtensionsTooLarge, _))), "limit {limit}: {whole:?}");
            }
        }
    }

    #[test]
    fn bare_cr_from_an_earlier_input_is_reported_at_the_cr() {
        let mut d = Chunked::new();
        assert_eq!(d.step(b"5\r", 50, &Limits::new()), Ok(ChunkStep::NeedMore));
        let err = d.step(b"x", 52, &Limits::new()).unwrap_err();
        assert_eq!((err.kind(), err.offset()), (ErrorKind::BareCr, 51));
    }

    #[test]
    fn one_byte_at_a_time_keeps_state() {
        let body = b"3;x=\"a b\"\r\nabc\r\n0\r\n";
        let mut d = Chunked::new();
        let mut payload = std::vec::Vec::new();
        for (i, b) in body.iter().enumerate() {
            match d.step(core::slice::from_ref(b), i as u64, &Limits::new()).unwrap() {
                ChunkStep::Data { skip: 0, len: 1 } => payload.push(*b),
                ChunkStep::NeedMore => {}
                ChunkStep::Last { consumed: 1 } => assert_eq!(i, body.len() - 1),
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(payload, b"abc");
        assert!(!d.at_size_start());
    }
}
