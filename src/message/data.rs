//! Body data in batches: the data of many chunks from one call.
//!
//! With [`RequestParser::parse`] a body of 16-byte chunks costs a call and an
//! event per chunk. [`RequestParser::parse_data`] (and the same on
//! [`ResponseParser`]) hands out, in one call, the data of every chunk in the
//! input into the caller's array of slices. It takes only body data and the
//! framing between it; anything else (the head, the last chunk, trailers,
//! `End`, an unusual size line, an error) is left to `parse`, so the events
//! and errors a stream gives do not depend on which call the caller makes.

use super::stream::{Phase, StreamParser};
use super::{RequestParser, ResponseParser};
use crate::body::{BodyDecoder, BodyStep};
use crate::error::Error;

/// What one [`RequestParser::parse_data`] call handed out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DataBatch {
    /// Bytes from the front of the input that the caller may now drop.
    pub consumed: usize,
    /// How many slices at the front of the caller's array hold body data
    /// (each non-empty, in order). 0: nothing to hand out here; call `parse`
    /// for what comes next (more input needed, or an event other than data).
    pub slices: usize,
}

impl<const N: usize> StreamParser<N> {
    /// See [`RequestParser::parse_data`].
    #[inline]
    fn parse_data<'a>(&mut self, input: &'a [u8], out: &mut [&'a [u8]]) -> Result<DataBatch, Error> {
        let (consumed, slices) = match &mut self.phase {
            Phase::Body(BodyDecoder::Chunked(dec)) => dec.data_run(input, &self.cfg.limits, out),
            Phase::Body(dec) => {
                let Some(slot) = out.first_mut() else {
                    return Ok(DataBatch::default());
                };
                // A counted or close-delimited body: one slice; the end of
                // the body is left to `parse`.
                match dec.decode(input, self.offset, &self.cfg)? {
                    BodyStep::Data { skip, len } => {
                        *slot = input.get(skip..skip + len).unwrap_or_default();
                        (skip + len, 1)
                    }
                    BodyStep::NeedMore | BodyStep::End { .. } => (0, 0),
                }
            }
            Phase::Failed(e) => return Err(*e),
            _ => (0, 0),
        };
        self.offset += consumed as u64;
        Ok(DataBatch { consumed, slices })
    }
}

macro_rules! parse_data {
    ($parser:ident) => {
        impl<const N: usize> $parser<N> {
            /// Hands out the body data at the front of `input`, up to
            /// `out.len()` slices of it: the rest of the current chunk and
            /// every following chunk whose size line is all there. An opt-in
            /// alternative to [`Event::Data`](crate::Event::Data) events for
            /// bodies of many small chunks; the slices are exactly the data
            /// those events would give.
            ///
            /// When it returns no slices, call `parse`: more input is needed,
            /// or the next thing is not body data (the head, the end of the
            /// body, trailers, `End`), or the next size line is one only
            /// `parse` handles (a leading zero, whitespace, a quoted-pair in
            /// an extension, an error).
            ///
            /// # Errors
            ///
            /// The error the stream already failed with, if any.
            ///
            /// ```
            /// use h1parse::{Event, RequestParser};
            ///
            /// let mut input: &[u8] = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\
            ///                          3\r\nabc\r\n2\r\nde\r\n1\r\nf\r\n0\r\n\r\n";
            /// let mut parser = RequestParser::new();
            /// let mut slices: [&[u8]; 16] = [&[]; 16];
            /// let mut body = Vec::new();
            /// loop {
            ///     let batch = parser.parse_data(input, &mut slices).unwrap();
            ///     slices[..batch.slices].iter().for_each(|s| body.extend_from_slice(s));
            ///     input = &input[batch.consumed..];
            ///     if batch.slices > 0 {
            ///         continue;
            ///     }
            ///     let progress = parser.parse(input).unwrap();
            ///     let consumed = progress.consumed;
            ///     match progress.event {
            ///         Some(Event::Data(d)) => body.extend_from_slice(d),
            ///         Some(Event::End(_)) => break,
            ///         Some(_) => {}
            ///         None => unreachable!("the whole message is here"),
            ///     }
            ///     input = &input[consumed..];
            /// }
            /// assert_eq!(body, b"abcdef");
            /// ```
            pub fn parse_data<'a>(&mut self, input: &'a [u8], out: &mut [&'a [u8]]) -> Result<DataBatch, Error> {
                self.core.parse_data(input, out)
            }
        }
    };
}

parse_data!(RequestParser);
parse_data!(ResponseParser);
