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
//! decoder never holds more than its state; chunk data is handed out as
//! sub-slices of the input, counted, never searched (the payload may contain
//! CR LF). The trailer section after the last chunk is parsed by the head
//! machine, so trailers follow the same rules as header fields.
//!
//! # Fast paths
//!
//! Two shortcuts take several bytes at once and leave the decoder exactly
//! where the byte loop would, with the same answer; anything else (errors
//! included) is left to the byte loop. The fixtures and
//! `plain_extensions_count_towards_the_limit_as_byte_by_byte` hold them to
//! that by feeding every body whole and byte by byte.
//!
//! * `next_chunk`: from `SizeStart` or `DataCr`, the CRLF after the previous
//!   data, a whole size line of the usual shape (no leading zero, digits
//!   within the limit, plain extensions or none) and at least one data byte.
//!   [`Chunked::data_run`] repeats it to hand out several chunks in a call.
//! * `extension_run`: a run of token or qdtext bytes inside an extension.
//!
//! # Security
//!
//! Each check below closes a request-smuggling hole seen in the wild: an
//! empty or non-hex size (two parsers read different lengths), overflow
//! (a huge size wraps to a small one), bare CR or LF in a size line or an
//! extension (a peer that accepts them splits the line elsewhere), and data
//! that runs past its size without CRLF (the spill lets a front end and a back
//! end disagree on where the next message begins). No leniency relaxes them;
//! the one leniency here, `SPACES_AFTER_CHUNK_SIZE`, only lets SP or HTAB
//! stand between a size and its CRLF.
//!
//! # States
//!
//! `SizeStart` → `Size` → (`SizeBws` →) (`Ext*` →) `SizeLf` → `Data` →
//! `DataCr` → `DataLf` → `SizeStart` …; a zero size ends in `SizeLf` with
//! [`BodyStep::End`].

use super::BodyStep;
use crate::chars::{QDTEXT, QUOTED_PAIR, TCHAR, hex_value, in_class, is_ows};
use crate::config::{Config, Leniency, Limits};
use crate::error::{Error, ErrorKind, Fault};

/// Where the decoder stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Before the first hex digit of a chunk-size.
    SizeStart,
    /// In the hex digits of a chunk-size (at least one seen).
    Size,
    /// SP or HTAB after a size: `;` must follow (or CR, under the leniency).
    SizeBws,
    /// BWS after an extension value: `;` must follow.
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

/// Incremental decoder of one chunked body (up to its trailer section).
#[derive(Clone, Debug)]
pub(crate) struct Chunked {
    state: State,
    /// Size being read, then data bytes remaining.
    remaining: u64,
    /// Digits of the size read so far after its leading zeros: what the
    /// limit counts.
    significant: u32,
    /// Extension bytes seen in this message.
    ext_bytes: u32,
    /// Whether a size line needed `SPACES_AFTER_CHUNK_SIZE`.
    spaces_used: bool,
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

/// The CRLF ending a chunk's data, then a size line of 1 to 4 hex digits
/// (the first not `0`, at most `max` of them) and its CRLF, read from the 8
/// bytes `w` they start with: the size and the length of both line ends and
/// the digits. `None` for anything else (extensions, a longer size, a
/// leading zero, an error), which the slower paths handle.
#[inline(always)]
fn short_size_line(w: &[u8; 8], max: u32) -> Option<(usize, usize)> {
    let hex = |k: usize| w.get(k).and_then(|&b| HEX.get(usize::from(b))).copied().unwrap_or(16);
    if w.get(..2) != Some(&b"\r\n"[..]) || w.get(2) == Some(&b'0') {
        return None;
    }
    let (mut size, mut k) = (0usize, 2usize);
    while k < 6 {
        let d = hex(k);
        if d >= 16 {
            break;
        }
        size = size << 4 | usize::from(d);
        k += 1;
    }
    if k == 2 || k - 2 > max as usize || w.get(k..k + 2) != Some(&b"\r\n"[..]) {
        return None;
    }
    Some((size, k + 2))
}

impl Chunked {
    pub(crate) fn new() -> Self {
        Chunked { state: State::SizeStart, remaining: 0, significant: 0, ext_bytes: 0, spaces_used: false }
    }

    /// The leniencies the size lines so far needed.
    pub(crate) fn leniencies_used(&self) -> Leniency {
        if self.spaces_used { Leniency::SPACES_AFTER_CHUNK_SIZE } else { Leniency::NONE }
    }

    /// Decodes from `input[0]`, which is at stream offset `base` (the
    /// contract is [`BodyDecoder::decode`](super::BodyDecoder::decode)'s):
    /// the usual chunk in one go, anything else in the byte loop.
    #[inline(always)]
    pub(crate) fn decode(&mut self, input: &[u8], base: u64, cfg: &Config) -> Result<BodyStep, Error> {
        match self.next_chunk(input, 0, &cfg.limits) {
            Some(step) => Ok(step),
            None => self.decode_bytes(input, base, cfg),
        }
    }

    /// The byte loop, with the shortcuts that leave it where it would be.
    #[inline(never)]
    fn decode_bytes(&mut self, input: &[u8], base: u64, cfg: &Config) -> Result<BodyStep, Error> {
        let limits = &cfg.limits;
        let mut i = 0;
        while let Some(&b) = input.get(i) {
            if self.state == State::Data {
                let len = (input.len() - i).min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
                self.remaining -= len as u64;
                if self.remaining == 0 {
                    self.state = State::DataCr;
                }
                return Ok(BodyStep::Data { skip: i, len });
            }
            // (At 0 `decode` tried it already.)
            if i > 0 {
                if let Some(step) = self.next_chunk(input, i, limits) {
                    return Ok(step);
                }
            }
            if let Some(next) = self.data_crlf(input, i) {
                i = next;
                continue;
            }
            if let Some(next) = self.extension_run(input, i, limits) {
                i = next;
                continue;
            }
            let done = self.line_byte(b, i, cfg).map_err(|Fault { kind, at }| {
                // A bare CR is reported at the CR, which may have come in an earlier input.
                let back = u64::from(kind == ErrorKind::BareCr);
                Error::new(kind, (base + at as u64).saturating_sub(back))
            })?;
            if done {
                return Ok(BodyStep::End { consumed: i + 1 });
            }
            i += 1;
        }
        Ok(BodyStep::NeedMore)
    }

    /// The data of as many chunks as `input` holds, one slice per chunk in
    /// `out` (at most `out.len()`), in the order [`Chunked::decode`] would
    /// hand them out: what remains of the current chunk, then every chunk
    /// whose size line `next_chunk` takes. Stops at anything else (the last
    /// chunk, an unusual size line, an error, the end of the input), which
    /// `decode` then handles. Returns the bytes consumed and the slices filled.
    #[inline]
    pub(crate) fn data_run<'a>(&mut self, input: &'a [u8], limits: &Limits, out: &mut [&'a [u8]]) -> (usize, usize) {
        let mut at = 0;
        let mut filled = 0;
        if self.state == State::Data {
            let (Some(slot), false) = (out.first_mut(), input.is_empty()) else {
                return (0, 0);
            };
            let len = input.len().min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
            self.remaining -= len as u64;
            if self.remaining == 0 {
                self.state = State::DataCr;
            }
            *slot = input.get(..len).unwrap_or_default();
            (at, filled) = (len, 1);
        }
        loop {
            (at, filled) = self.whole_chunks(input, at, limits, out, filled);
            let Some(slot) = out.get_mut(filled) else { break };
            let Some(BodyStep::Data { skip, len }) = self.next_chunk(input, at, limits) else {
                break;
            };
            *slot = input.get(skip..skip + len).unwrap_or_default();
            filled += 1;
            at = skip + len;
        }
        (at, filled)
    }

    /// From `input[at]`, in `DataCr`, chunks of the plainest shape that
    /// lie whole in the input (the CRLF after the previous data, a size line
    /// of 1-4 digits without extensions, all the data), into
    /// `out[filled..]`: what `next_chunk` would do for each, with the
    /// decoder's state unchanged (`DataCr` again). Returns where it stopped
    /// and the slices filled.
    #[inline(always)]
    fn whole_chunks<'a>(
        &self,
        input: &'a [u8],
        mut at: usize,
        limits: &Limits,
        out: &mut [&'a [u8]],
        mut filled: usize,
    ) -> (usize, usize) {
        if self.state != State::DataCr {
            return (at, filled);
        }
        let max = limits.chunk_size_digits.min(15);
        // The last size line read, its bytes and their mask: a body of
        // equal chunks repeats it, and bytes equal to a line already
        // validated need no second reading.
        let (mut last, mut last_mask, mut last_size, mut last_lines) = (0u64, 0u64, 0usize, 0usize);
        while let Some(slot) = out.get_mut(filled) {
            let Some(window) = input.get(at..at + 8).and_then(|w| <&[u8; 8]>::try_from(w).ok()) else {
                break;
            };
            let word = u64::from_le_bytes(*window);
            if last_lines == 0 || (word ^ last) & last_mask != 0 {
                let Some((size, lines)) = short_size_line(window, max) else {
                    break;
                };
                // `lines` is at most 8.
                (last, last_mask, last_size, last_lines) = (word, u64::MAX >> (64 - 8 * lines), size, lines);
            }
            let data = at + last_lines;
            let Some(chunk) = input.get(data..data + last_size) else {
                break;
            };
            *slot = chunk;
            filled += 1;
            at = data + last_size;
        }
        (at, filled)
    }

    /// The usual step in a body of many chunks, in one go from `input[at]`:
    /// the CRLF after the previous chunk's data (if that is where the
    /// decoder is), a whole size line whose first digit is not `0` (no
    /// overflow, digits inside the limit) with plain extensions or none, and
    /// at least one byte of the chunk's data. `None` (nothing changed) for
    /// anything else. See "Fast paths" above.
    #[inline(always)]
    fn next_chunk(&mut self, input: &[u8], at: usize, limits: &Limits) -> Option<BodyStep> {
        let i = match self.state {
            State::DataCr if input.get(at..at + 2) == Some(&b"\r\n"[..]) => at + 2,
            State::SizeStart => at,
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
        if j == i || input.len() <= data {
            return None;
        }
        let len = (input.len() - data).min(usize::try_from(size).unwrap_or(usize::MAX));
        self.remaining = size - len as u64;
        if let Some(n) = ext_bytes {
            self.ext_bytes = n;
        }
        self.state = if self.remaining == 0 { State::DataCr } else { State::Data };
        Some(BodyStep::Data { skip: data, len })
    }

    /// The CRLF after chunk data, both bytes received (the size line after
    /// it is not all there, or `next_chunk` would have taken it): where
    /// decoding goes on, in the state the byte loop would reach there.
    #[inline(always)]
    fn data_crlf(&mut self, input: &[u8], i: usize) -> Option<usize> {
        if self.state != State::DataCr || input.get(i..i + 2) != Some(&b"\r\n"[..]) {
            return None;
        }
        self.next_size();
        Some(i + 2)
    }

    /// A new size line starts.
    #[inline(always)]
    fn next_size(&mut self) {
        self.remaining = 0;
        self.significant = 0;
        self.state = State::SizeStart;
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
    fn line_byte(&mut self, b: u8, i: usize, cfg: &Config) -> Result<bool, Fault> {
        use State::*;
        let bad_ext = Fault::new(ErrorKind::BadChunkExtension, i);
        if b == LF && !matches!(self.state, SizeLf | DataCr | DataLf) {
            return Err(Fault::new(ErrorKind::BareLf, i));
        }
        if !matches!(self.state, SizeStart | Size | SizeLf | DataCr | DataLf) && b != CR {
            self.ext_bytes = self.ext_bytes.saturating_add(1);
            if self.ext_bytes > cfg.limits.chunk_extensions {
                return Err(Fault::new(ErrorKind::ChunkExtensionsTooLarge, i));
            }
        }
        self.state = match (self.state, b) {
            (SizeStart | Size, _) => return self.size_byte(b, i, &cfg.limits).map(|()| false),
            (SizeBws | ExtBws, b';') | (ExtName | ExtNameBws | ExtToken | ExtAfterQuoted, b';') => ExtNameStart,
            (SizeBws | ExtBws | ExtNameStart | ExtNameBws | ExtValueStart, _) if is_ows(b) => self.state,
            (SizeBws, CR) if cfg.leniency.contains(Leniency::SPACES_AFTER_CHUNK_SIZE) => {
                self.spaces_used = true;
                SizeLf
            }
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
            (SizeLf, _) => return Err(Fault::new(ErrorKind::BareCr, i)),
            (DataCr, CR) => DataLf,
            (DataLf, LF) => {
                self.next_size();
                return Ok(false);
            }
            // CR then not LF: a bare CR (reported at the CR).
            (DataLf, _) => return Err(Fault::new(ErrorKind::BareCr, i)),
            (DataCr, _) => return Err(Fault::new(ErrorKind::BadChunkDataEnd, i)),
            _ => return Err(bad_ext),
        };
        Ok(false)
    }

    /// A byte while reading the hex digits of a chunk-size.
    fn size_byte(&mut self, b: u8, i: usize, limits: &Limits) -> Result<(), Fault> {
        if let Some(d) = hex_value(b) {
            // Leading zeros are fine (RFC 9112 7.1) and cost nothing to hold.
            if self.remaining != 0 || d != 0 {
                self.significant += 1;
                if self.significant > limits.chunk_size_digits {
                    return Err(Fault::new(ErrorKind::ChunkSizeTooLong, i));
                }
            }
            self.remaining = self
                .remaining
                .checked_mul(16)
                .and_then(|n| n.checked_add(u64::from(d)))
                .ok_or(Fault::new(ErrorKind::ChunkSizeOverflow, i))?;
            self.state = State::Size;
            return Ok(());
        }
        if self.state == State::SizeStart {
            return Err(Fault::new(ErrorKind::BadChunkSize, i));
        }
        self.state = match b {
            CR => State::SizeLf,
            b';' => State::ExtNameStart,
            b' ' | b'\t' => State::SizeBws,
            _ => return Err(Fault::new(ErrorKind::BadChunkSize, i)),
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
            match d.decode(&body[at..], at as u64, &Config::new()).map_err(|e| (e.kind(), e.offset()))? {
                BodyStep::Data { skip, len } => {
                    out.extend_from_slice(&body[at + skip..at + skip + len]);
                    at += skip + len;
                }
                BodyStep::NeedMore => return Err((ErrorKind::BadChunkSize, u64::MAX)),
                BodyStep::End { consumed } => return Ok((out, at + consumed)),
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
        let cfg = Config { limits: Limits { chunk_size_digits: 40, ..Limits::new() }, ..Config::new() };
        let mut d = Chunked::new();
        let err = d.decode(b"FFFFFFFFFFFFFFFF0\r\n", 100, &cfg).unwrap_err();
        assert_eq!((err.kind(), err.offset()), (ErrorKind::ChunkSizeOverflow, 116));
    }

    #[test]
    fn extension_bytes_are_limited_per_message() {
        let cfg = Config { limits: Limits { chunk_extensions: 4, ..Limits::new() }, ..Config::new() };
        let mut d = Chunked::new();
        assert!(matches!(d.decode(b"1;ab\r\nx\r\n", 0, &cfg), Ok(BodyStep::Data { skip: 6, len: 1 })));
        let err = d.decode(b"\r\n1;c\r\n", 7, &cfg).unwrap_err();
        assert_eq!((err.kind(), err.offset()), (ErrorKind::ChunkExtensionsTooLarge, 11));
    }

    /// Decodes `body` fed `piece` bytes at a time (the caller keeps what
    /// was not consumed): the data, or the first error and its offset.
    fn decode_in_pieces(body: &[u8], piece: usize, cfg: &Config) -> Result<std::vec::Vec<u8>, (ErrorKind, u64)> {
        let mut d = Chunked::new();
        let (mut out, mut at, mut end) = (std::vec::Vec::new(), 0, 0);
        loop {
            let step = d.decode(&body[at..end], at as u64, cfg).map_err(|e| (e.kind(), e.offset()))?;
            match step {
                BodyStep::Data { skip, len } => {
                    out.extend_from_slice(&body[at + skip..at + skip + len]);
                    at += skip + len;
                }
                BodyStep::NeedMore => {
                    at = end;
                    if end == body.len() {
                        return Err((ErrorKind::BadChunkSize, u64::MAX));
                    }
                    end = (end + piece).min(body.len());
                }
                BodyStep::End { .. } => return Ok(out),
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
            let cfg = Config { limits: Limits { chunk_extensions: limit, ..Limits::new() }, ..Config::new() };
            let whole = decode_in_pieces(body, body.len(), &cfg);
            let bytes = decode_in_pieces(body, 1, &cfg);
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
        assert_eq!(d.decode(b"5\r", 50, &Config::new()), Ok(BodyStep::NeedMore));
        let err = d.decode(b"x", 52, &Config::new()).unwrap_err();
        assert_eq!((err.kind(), err.offset()), (ErrorKind::BareCr, 51));
    }

    #[test]
    fn one_byte_at_a_time_keeps_state() {
        let body = b"3;x=\"a b\"\r\nabc\r\n0\r\n";
        let mut d = Chunked::new();
        let mut payload = std::vec::Vec::new();
        let mut ends = 0;
        for (i, b) in body.iter().enumerate() {
            match d.decode(core::slice::from_ref(b), i as u64, &Config::new()).unwrap() {
                BodyStep::Data { skip: 0, len: 1 } => payload.push(*b),
                BodyStep::NeedMore => {}
                BodyStep::End { consumed: 1 } => {
                    assert_eq!(i, body.len() - 1);
                    ends += 1;
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(payload, b"abc");
        assert_eq!(ends, 1, "the body ends once, at its last byte");
    }

    fn lenient() -> Config {
        Config { leniency: Leniency::SPACES_AFTER_CHUNK_SIZE, ..Config::new() }
    }

    /// Decodes a whole body under `cfg`: the payload and the leniencies used, or the error.
    fn decode_with(body: &[u8], cfg: &Config) -> Result<(std::vec::Vec<u8>, Leniency), (ErrorKind, u64)> {
        let mut d = Chunked::new();
        decode_in_pieces_with(&mut d, body, body.len(), cfg).map(|out| (out, d.leniencies_used()))
    }

    fn decode_in_pieces_with(
        d: &mut Chunked,
        body: &[u8],
        piece: usize,
        cfg: &Config,
    ) -> Result<std::vec::Vec<u8>, (ErrorKind, u64)> {
        let (mut out, mut at, mut end) = (std::vec::Vec::new(), 0, 0);
        loop {
            match d.decode(&body[at..end], at as u64, cfg).map_err(|e| (e.kind(), e.offset()))? {
                BodyStep::Data { skip, len } => {
                    out.extend_from_slice(&body[at + skip..at + skip + len]);
                    at += skip + len;
                }
                BodyStep::NeedMore if end == body.len() => return Err((ErrorKind::BadChunkSize, u64::MAX)),
                BodyStep::NeedMore => {
                    at = end;
                    end = (end + piece).min(body.len());
                }
                BodyStep::End { .. } => return Ok(out),
            }
        }
    }

    #[test]
    fn spaces_after_a_chunk_size_need_the_leniency_llhttp_lenient_spaces_after_chunk_size() {
        use ErrorKind::*;
        type Case<'a> = (&'a [u8], Option<(ErrorKind, u64)>, &'a [u8]);
        // (body, strict error and offset, payload under the leniency)
        let cases: &[Case<'_>] = &[
            (b"5 \r\nhello\r\n0\r\n", Some((BadChunkExtension, 2)), b"hello"),
            (b"5\t \t\r\nhello\r\n0\r\n", Some((BadChunkExtension, 4)), b"hello"),
            (b"5\r\nhello\r\n0  \r\n", Some((BadChunkExtension, 13)), b"hello"),
            // BWS before `;` is the chunk-ext grammar: strict rules accept it.
            (b"5 ;a\r\nhello\r\n0\r\n", None, b"hello"),
        ];
        for &(body, strict, payload) in cases {
            let got = decode_with(body, &Config::new());
            match strict {
                Some(err) => assert_eq!(got, Err(err), "{}", body.escape_ascii()),
                None => assert_eq!(got, Ok((payload.to_vec(), Leniency::NONE)), "{}", body.escape_ascii()),
            }
            let used = if strict.is_some() { Leniency::SPACES_AFTER_CHUNK_SIZE } else { Leniency::NONE };
            assert_eq!(decode_with(body, &lenient()), Ok((payload.to_vec(), used)), "{}", body.escape_ascii());
            for piece in 1..body.len() {
                let mut d = Chunked::new();
                let out = decode_in_pieces_with(&mut d, body, piece, &lenient());
                assert_eq!(out, Ok(payload.to_vec()), "{} in {piece} B pieces", body.escape_ascii());
                assert_eq!(d.leniencies_used(), used);
            }
        }
    }

    #[test]
    fn the_leniency_allows_nothing_else_around_a_size() {
        use ErrorKind::*;
        let cases: &[(&[u8], ErrorKind, u64, &str)] = &[
            (b" 5\r\nhello\r\n", BadChunkSize, 0, "space before the size"),
            (b"5 5\r\nhello\r\n", BadChunkExtension, 2, "a space inside the size"),
            (b"5;a \r\nhello\r\n", BadChunkExtension, 4, "a space after an extension"),
            (b"5 \nhello\r\n", BareLf, 2, "a bare LF after the spaces"),
            (b"5 \rhello\r\n", BareCr, 2, "a bare CR after the spaces"),
            (b"5\r\nhello \r\n", BadChunkDataEnd, 8, "a space after the data"),
        ];
        for (body, kind, at, what) in cases {
            assert_eq!(decode_with(body, &lenient()), Err((*kind, *at)), "{what}");
        }
    }

    /// Runs `data_run` with `slots` slices per call, falling back to
    /// `decode` when it hands out nothing, on `body` arriving in `piece`-byte
    /// reads: the payload, or the first error.
    fn batched_in_pieces(
        body: &[u8],
        piece: usize,
        slots: usize,
        cfg: &Config,
    ) -> Result<std::vec::Vec<u8>, (ErrorKind, u64)> {
        let mut d = Chunked::new();
        let (mut out, mut at, mut end) = (std::vec::Vec::new(), 0, 0);
        let mut slices: std::vec::Vec<&[u8]> = vec![&[]; slots];
        loop {
            let (consumed, filled) = d.data_run(&body[at..end], &cfg.limits, &mut slices);
            assert!(filled <= slots && (filled > 0 || consumed == 0));
            for s in &slices[..filled] {
                assert!(!s.is_empty());
                out.extend_from_slice(s);
            }
            at += consumed;
            if filled > 0 {
                continue;
            }
            match d.decode(&body[at..end], at as u64, cfg).map_err(|e| (e.kind(), e.offset()))? {
                BodyStep::Data { skip, len } => {
                    out.extend_from_slice(&body[at + skip..at + skip + len]);
                    at += skip + len;
                }
                BodyStep::NeedMore if end == body.len() => return Err((ErrorKind::BadChunkSize, u64::MAX)),
                BodyStep::NeedMore => {
                    at = end;
                    end = (end + piece).min(body.len());
                }
                BodyStep::End { .. } => return Ok(out),
            }
        }
    }

    #[test]
    fn batched_data_equals_decoded_data_for_every_piece_size_and_slot_count() {
        let bodies: &[&[u8]] = &[
            b"3\r\nabc\r\n10\r\n0123456789abcdef\r\n1;x=y\r\nz\r\n2;q=\"a b\"\r\n\r\n\r\n0\r\n\r\n",
            b"1\r\na\r\n1\r\nb\r\n1\r\nc\r\n01\r\nd\r\n1 \r\ne\r\n1\r\nf\r\n0\r\n\r\n",
            b"4\r\nabcd\r\n4\r\nefghXX",
            b"2\r\nab\r\nzz\r\n",
            b"5\r\nab\r\n\r\r\n0\r\n\r\n",
            // Equal size lines, then lines that share their first bytes.
            b"10\r\n0123456789abcdef\r\n10\r\n0123456789abcdef\r\n1\r\nx\r\n10;a\r\n0123456789abcdef\r\n\
              11\r\n0123456789abcdefg\r\n1\r\ny\r\n1\r\nz\r\n0\r\n\r\n",
            b"2\r\nab\r\n2\r\ncd\r\n2\r\nefXX\r\n",
            // Data that runs past its size, with a whole size line after the spill.
            b"2\r\nab\r\n2\r\ncdXX2\r\nef\r\n0\r\n\r\n",
            b"2\r\nab\r\n2\r\ncd\rX2\r\nef\r\n0\r\n\r\n",
            b"2\r\nab\r\n2\r\ncd\r\n2 \r\nef\r\n02\r\ngh\r\n0\r\n\r\n",
        ];
        for body in bodies {
            for cfg in [Config::new(), lenient()] {
                let reference = decode_in_pieces_with(&mut Chunked::new(), body, body.len(), &cfg);
                for piece in 1..=body.len() {
                    for slots in [1, 2, 3, 64] {
                        let got = batched_in_pieces(body, piece, slots, &cfg);
                        assert_eq!(got, reference, "{} in {piece} B pieces, {slots} slots", body.escape_ascii());
                    }
                }
            }
        }
    }

    #[test]
    fn a_batch_takes_every_usual_chunk_and_stops_before_the_last() {
        let body = b"3\r\nabc\r\n2;e\r\nde\r\n1\r\nf\r\n0\r\n\r\n";
        let mut d = Chunked::new();
        let mut slices: [&[u8]; 8] = [&[]; 8];
        let (consumed, filled) = d.data_run(body, &Limits::new(), &mut slices);
        assert_eq!(&slices[..filled], &[&b"abc"[..], b"de", b"f"]);
        assert_eq!(consumed, 21);
        assert_eq!(d.decode(&body[consumed..], consumed as u64, &Config::new()), Ok(BodyStep::End { consumed: 5 }));
        // Out of slots: the next call goes on where this one stopped.
        let mut d = Chunked::new();
        let (consumed, filled) = d.data_run(body, &Limits::new(), &mut slices[..2]);
        assert_eq!((consumed, filled), (15, 2));
        assert_eq!(d.data_run(&body[consumed..], &Limits::new(), &mut slices), (6, 1));
        assert_eq!(slices[0], b"f");
    }
}
