//! Body decoders, one per framing (RFC 9112 6): a Content-Length countdown,
//! the chunked decoder, and close-delimited (everything until end of stream).
//! Each hands out body data as sub-slices of the input; none copies.
//!
//! # Contract
//!
//! One call, [`BodyDecoder::decode`], for every framing: given the bytes
//! received and not consumed, it says what comes first ([`BodyStep`]): data,
//! framing bytes that are all consumed (more input needed), or the end of the
//! body. After the body's last data byte the *next* call reports the end, so
//! each call has one answer. What the end of the stream means inside a body
//! is [`BodyDecoder::at_eof`]: the end of a close-delimited body, the end of
//! a counted body with nothing left, and otherwise a message cut short.

pub(crate) mod chunked;

use crate::config::{Config, Leniency};
use crate::error::Error;
use chunked::Chunked;

/// The decoder of the body being read. `repr(u8)`: an explicit tag, so the
/// framing test on every call is one compare, not a niche decoding.
#[derive(Clone, Debug)]
#[repr(u8)]
pub(crate) enum BodyDecoder {
    /// `Content-Length`: this many bytes remain.
    Length(u64),
    /// Chunked coding, before its trailer section.
    Chunked(Chunked),
    /// Everything until the stream ends (responses only).
    UntilClose,
}

/// What comes first in the input given to [`BodyDecoder::decode`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BodyStep {
    /// `skip` framing bytes, then `len` (at least 1) bytes of body data.
    Data { skip: usize, len: usize },
    /// Every byte given is framing and consumed; more input is needed.
    NeedMore,
    /// The body ended after `consumed` bytes (for chunked, the last-chunk
    /// line; its trailer section follows).
    End { consumed: usize },
}

/// What the end of the stream means inside a body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AtEof {
    /// The body is complete.
    End,
    /// The body was cut short.
    Incomplete,
}

impl BodyDecoder {
    /// Decodes from `input[0]`, which is at stream offset `base`.
    #[inline(always)]
    pub(crate) fn decode(&mut self, input: &[u8], base: u64, cfg: &Config) -> Result<BodyStep, Error> {
        match self {
            BodyDecoder::Chunked(dec) => dec.decode(input, base, cfg),
            BodyDecoder::Length(0) => Ok(BodyStep::End { consumed: 0 }),
            BodyDecoder::Length(remaining) => {
                let len = usize::try_from(*remaining).unwrap_or(usize::MAX).min(input.len());
                *remaining -= len as u64;
                Ok(if len == 0 { BodyStep::NeedMore } else { BodyStep::Data { skip: 0, len } })
            }
            BodyDecoder::UntilClose if input.is_empty() => Ok(BodyStep::NeedMore),
            BodyDecoder::UntilClose => Ok(BodyStep::Data { skip: 0, len: input.len() }),
        }
    }

    /// What the end of the stream means here.
    pub(crate) fn at_eof(&self) -> AtEof {
        match self {
            BodyDecoder::Length(0) | BodyDecoder::UntilClose => AtEof::End,
            BodyDecoder::Length(_) | BodyDecoder::Chunked(_) => AtEof::Incomplete,
        }
    }

    /// The leniencies this body needed so far.
    pub(crate) fn leniencies_used(&self) -> Leniency {
        match self {
            BodyDecoder::Chunked(dec) => dec.leniencies_used(),
            BodyDecoder::Length(_) | BodyDecoder::UntilClose => Leniency::NONE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counted_body_hands_out_its_bytes_then_ends_on_the_next_call() {
        let cfg = Config::new();
        let mut d = BodyDecoder::Length(5);
        assert_eq!(d.decode(b"", 0, &cfg), Ok(BodyStep::NeedMore));
        assert_eq!(d.at_eof(), AtEof::Incomplete);
        assert_eq!(d.decode(b"abc", 0, &cfg), Ok(BodyStep::Data { skip: 0, len: 3 }));
        assert_eq!(d.decode(b"deGET", 3, &cfg), Ok(BodyStep::Data { skip: 0, len: 2 }));
        assert_eq!(d.at_eof(), AtEof::End);
        assert_eq!(d.decode(b"GET", 5, &cfg), Ok(BodyStep::End { consumed: 0 }));
    }

    #[test]
    fn a_close_delimited_body_is_everything_and_ends_with_the_stream() {
        let cfg = Config::new();
        let mut d = BodyDecoder::UntilClose;
        assert_eq!(d.decode(b"", 0, &cfg), Ok(BodyStep::NeedMore));
        assert_eq!(d.decode(b"0\r\n\r\n", 0, &cfg), Ok(BodyStep::Data { skip: 0, len: 5 }));
        assert_eq!(d.at_eof(), AtEof::End);
    }

    #[test]
    fn a_chunked_body_is_incomplete_at_the_end_of_the_stream() {
        let cfg = Config::new();
        let mut d = BodyDecoder::Chunked(Chunked::new());
        assert_eq!(d.decode(b"3\r\nab", 0, &cfg), Ok(BodyStep::Data { skip: 3, len: 2 }));
        assert_eq!(d.at_eof(), AtEof::Incomplete);
        assert_eq!(d.decode(b"c\r\n0\r\n", 5, &cfg), Ok(BodyStep::Data { skip: 0, len: 1 }));
        assert_eq!(d.decode(b"\r\n0\r\n", 6, &cfg), Ok(BodyStep::End { consumed: 5 }));
        assert_eq!(d.at_eof(), AtEof::Incomplete);
    }
}
