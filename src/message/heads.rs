//! What a `Head` or `Trailers` event carries: slices of the input and plain
//! values, never a borrow of the parser. The fields themselves stay in the
//! parser (as offsets) and are read through it, with the input's lifetime.

use core::fmt;

use crate::framing::{Disposition, Framing};
use crate::head::Escaped;
use crate::method::Method;
use crate::version::Version;

/// Where a head's or a trailer section's fields are: the input they were
/// parsed from, and the number of the section in the stream, which the
/// parser holding its field spans checks.
#[derive(Clone, Copy)]
pub(crate) struct FieldsRef<'a> {
    pub(crate) input: &'a [u8],
    pub(crate) section: u64,
}

/// A request head as a server receives it. Everything borrows the input,
/// not the parser; read its fields with
/// [`RequestParser::fields`](crate::RequestParser::fields).
#[derive(Clone, Copy)]
pub struct RequestHead<'a> {
    /// The method token, as sent (case-sensitive).
    pub method: &'a [u8],
    /// The request-target, as sent.
    pub target: &'a [u8],
    /// The version as it affects parsing.
    pub version: Version,
    /// The version as sent (`HTTP/1.1`).
    pub version_bytes: &'a [u8],
    /// How the body is delimited.
    pub framing: Framing,
    /// What the connection does after this message, as far as the head
    /// decides it: [`Disposition::Upgrade`] is a proposal here (an `Upgrade`
    /// request or a CONNECT) that the server may decline. The `End` event
    /// gives the same value.
    pub connection: Disposition,
    pub(crate) fields: FieldsRef<'a>,
}

/// A response head as a client receives it. Everything borrows the input,
/// not the parser; read its fields with
/// [`ResponseParser::fields`](crate::ResponseParser::fields).
#[derive(Clone, Copy)]
pub struct ResponseHead<'a> {
    /// The version as it affects parsing.
    pub version: Version,
    /// The version as sent.
    pub version_bytes: &'a [u8],
    /// The status code: 100..=599 (any three digits under the
    /// [`ANY_STATUS_CODE`](crate::Leniency::ANY_STATUS_CODE) leniency).
    pub code: u16,
    /// The reason phrase as sent, possibly empty.
    pub reason: &'a [u8],
    /// How the body is delimited.
    pub framing: Framing,
    /// What the connection does after this message, as far as the head
    /// decides it (a 101, or a 2xx to CONNECT, is [`Disposition::Upgrade`]).
    /// The `End` event gives the same value.
    pub connection: Disposition,
    pub(crate) fields: FieldsRef<'a>,
}

impl<'a> RequestHead<'a> {
    /// The method as an enum ([`Method::Other`] for one it does not name).
    pub fn method_view(&self) -> Method<'a> {
        Method::from_bytes(self.method)
    }
}

impl ResponseHead<'_> {
    /// An interim response (1xx other than 101): the final response to the
    /// same request follows it (RFC 9110 15.2).
    pub fn is_interim(&self) -> bool {
        (100..200).contains(&self.code) && self.code != 101
    }
}

/// The trailer section of a chunked body; read its fields with
/// [`RequestParser::trailers`](crate::RequestParser::trailers) (or the
/// same on [`ResponseParser`](crate::ResponseParser)).
#[derive(Clone, Copy)]
pub struct Trailers<'a> {
    pub(crate) fields: FieldsRef<'a>,
}

impl fmt::Debug for RequestHead<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestHead")
            .field("method", &Escaped(self.method))
            .field("target", &Escaped(self.target))
            .field("version", &Escaped(self.version_bytes))
            .field("framing", &self.framing)
            .field("connection", &self.connection)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for ResponseHead<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseHead")
            .field("version", &Escaped(self.version_bytes))
            .field("code", &self.code)
            .field("reason", &Escaped(self.reason))
            .field("framing", &self.framing)
            .field("connection", &self.connection)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Trailers<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Trailers").finish_non_exhaustive()
    }
}
