//! Body decoders, one per framing (RFC 9112 6): a Content-Length countdown,
//! the chunked decoder, and close-delimited (everything until end of stream).
//! Each hands out body data as sub-slices of the input; none copies.

pub(crate) mod chunked;

use chunked::Chunked;

/// The decoder of the body being read.
#[derive(Clone, Debug)]
pub(crate) enum BodyDecoder {
    /// `Content-Length`: this many bytes remain.
    Length(u64),
    /// Chunked coding, before its trailer section.
    Chunked(Chunked),
    /// Everything until the stream ends (responses only).
    UntilClose,
}

impl BodyDecoder {
    /// For a `Length` or `UntilClose` body: how many of `available` bytes are
    /// body data now.
    #[inline]
    pub(crate) fn take_counted(&mut self, available: usize) -> usize {
        match self {
            BodyDecoder::Length(remaining) => {
                let n = usize::try_from(*remaining).unwrap_or(usize::MAX).min(available);
                *remaining -= n as u64;
                n
            }
            BodyDecoder::UntilClose => available,
            BodyDecoder::Chunked(_) => 0,
        }
    }
}
