//! The sans-IO message parser: head → body → end → next message.
//!
//! # Contract
//!
//! The parser never owns input. The caller keeps a buffer of bytes received
//! and not yet consumed, and calls [`RequestParser::parse`] with all of them.
//! Each call returns how many bytes from the front of that buffer are consumed
//! (the caller drops them) and at most one [`Event`]; `None` means every byte
//! given has been validated and more are needed. While a head or a trailer
//! section is incomplete nothing is consumed: the caller passes the same bytes
//! again with more appended, and the parser resumes exactly where it stopped
//! (it remembers offsets, not pointers, so the buffer may move).
//! [`RequestParser::finish`] says the stream ended.
//!
//! Events borrow the input only, never the parser: while the caller holds a
//! head it can still ask the parser for its fields
//! ([`RequestParser::fields`]), the leniencies it needed, its offset or its
//! configuration. A head's fields can be read until the parser starts on the
//! next head or on a trailer section.
//!
//! On the request side an upgrade (an `Upgrade` request, or CONNECT) is a
//! proposal: after `End(Upgrade)` the connection belongs to the new protocol,
//! unless the server declines with [`RequestParser::decline_upgrade`] and
//! goes on reading HTTP/1.1. On the response side a 101, or a 2xx to
//! CONNECT, is final.
//!
//! # Phases
//!
//! | phase      | on a call                                            | next            |
//! |------------|------------------------------------------------------|-----------------|
//! | `Head`     | run the head machine; when done, decide framing → `Head` event | `Body` / `End` |
//! | `Body`     | hand out data (counted, chunked or until close)      | `Trailers` / `End` |
//! | `Trailers` | run the head machine on the trailer section → `Trailers` event | `End` |
//! | `End`      | → `End(disposition)` event                           | `Head` / `Closed` / `Upgraded` |
//! | `Closed`   | empty lines are skipped; any other byte is [`ErrorKind::DataAfterClose`](crate::ErrorKind::DataAfterClose) | |
//! | `Upgraded` | nothing is parsed; the bytes belong to the new protocol (a declined request upgrade goes back to `Head` or `Closed`) | |
//! | `Failed`   | the first error again: nothing after a bad message is parsed |          |

mod data;
mod heads;
mod stream;
#[cfg(test)]
mod tests;

use crate::config::{Config, Leniency};
use crate::error::Error;
use crate::framing::{Disposition, MethodKind};
use crate::head::machine::Section;
use crate::head::{Fields, slice};
pub use data::DataBatch;
pub(crate) use heads::FieldsRef;
pub use heads::{RequestHead, ResponseHead, Trailers};
use stream::{Phase, StreamParser};

/// How many field lines a parser holds unless told otherwise: the default
/// [`Limits::headers`](crate::Limits::headers).
pub const DEFAULT_CAPACITY: usize = crate::config::Limits::DEFAULT.headers as usize;

/// One thing the parser found. It borrows the input (`'a`), never the parser.
#[derive(Clone, Copy, Debug)]
pub enum Event<'a, H> {
    /// A complete head (request or response), with the framing of its body.
    Head(H),
    /// Body data: a slice of the input, in order. A message's body is the
    /// concatenation of its `Data` events.
    Data(&'a [u8]),
    /// The trailer section of a chunked body (only when it has fields).
    Trailers(Trailers<'a>),
    /// The message is complete; what the connection does next.
    End(Disposition),
}

/// The result of one [`RequestParser::parse`] or [`ResponseParser::parse`] call.
#[derive(Clone, Copy, Debug)]
pub struct Progress<'a, H> {
    /// Bytes from the front of the input that the caller may now drop.
    pub consumed: usize,
    /// What was found, or `None` when more input is needed.
    pub event: Option<Event<'a, H>>,
}

/// What the end of the stream meant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finish {
    /// The stream ended between messages (or after the connection closed or
    /// was upgraded).
    Idle,
    /// The stream ended inside a message.
    Incomplete,
    /// The end of the stream completed a message (a close-delimited body, or
    /// a message whose `End` event had not been asked for yet).
    End(Disposition),
}

/// The constructors and the methods both parsers share, for every `N`.
macro_rules! parser_common {
    ($name:ident, $section:expr, $head:ident) => {
        impl $name {
            /// A parser with strict rules and default limits.
            pub fn new() -> Self {
                Self::with_config(Config::new())
            }

            /// A parser with the given limits and leniencies.
            pub fn with_config(cfg: Config) -> Self {
                Self::with_capacity(cfg)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl<const N: usize> $name<N> {
            /// A parser holding up to `N` field lines.
            #[inline]
            pub fn with_capacity(cfg: Config) -> Self {
                $name { core: StreamParser::new($section, cfg) }
            }

            /// The leniencies the most recent message needed: set when its head
            /// completes, extended by its trailer section. A server can log peers
            /// that rely on them. All `false` under the strict default (such a
            /// message would have been an error).
            pub fn leniencies_used(&self) -> Leniency {
                self.core.leniencies_used()
            }

            /// Tells the parser the stream ended: completes a close-delimited
            /// body, or reports a message cut short as [`Finish::Incomplete`].
            ///
            /// # Errors
            ///
            /// The error the stream already failed with, if any.
            pub fn finish(&mut self) -> Result<Finish, Error> {
                self.core.finish()
            }

            /// True between messages: no byte of a next message has been seen
            /// (empty lines aside). A server can use it to choose between an idle
            /// timeout and a slow-request timeout, without calling `finish`.
            pub fn is_between_messages(&self) -> bool {
                match self.core.phase {
                    Phase::Head => self.core.machine.is_idle(),
                    Phase::Closed | Phase::Upgraded => true,
                    _ => false,
                }
            }

            /// Stream offset of the first byte of the next input.
            pub fn offset(&self) -> u64 {
                self.core.offset
            }

            /// True once the connection was handed to another protocol: the bytes
            /// not consumed belong to it.
            pub fn is_upgraded(&self) -> bool {
                matches!(self.core.phase, Phase::Upgraded)
            }

            /// The configuration in force.
            pub fn config(&self) -> &Config {
                &self.core.cfg
            }

            /// The header fields of `head`, a head this parser returned.
            /// Names and values borrow the input, like the head.
            ///
            /// # Panics
            ///
            /// If the parser has started on the next head or on a trailer
            /// section since `head`: its fields are gone. (`head` must come
            /// from this parser.)
            pub fn fields<'a>(&self, head: &$head<'a>) -> Fields<'a, '_> {
                self.core.fields(head.fields)
            }

            /// The fields of a trailer section this parser returned.
            ///
            /// # Panics
            ///
            /// If the parser has started on the next message since: the
            /// fields are gone. (`trailers` must come from this parser.)
            pub fn trailers<'a>(&self, trailers: &Trailers<'a>) -> Fields<'a, '_> {
                self.core.fields(trailers.fields)
            }
        }
    };
}

/// Parses the requests on a connection, as a server sees them.
///
/// `N` is how many field lines it can hold (default [`DEFAULT_CAPACITY`]);
/// the effective limit is the smaller of `N` and `Limits::headers`.
///
/// Events borrow the input, not the parser: the head and its fields can be
/// held while the parser answers other questions.
///
/// ```
/// use h1parse::{Config, Disposition, Event, Framing, Leniency, RequestParser};
///
/// let cfg = Config { leniency: Leniency::BARE_LF_IN_HEAD, ..Config::new() };
/// let mut parser = RequestParser::with_config(cfg);
/// let mut input: &[u8] = b"POST /up HTTP/1.1\nHost: a\r\nContent-Length: 5\r\n\r\nhello";
/// let progress = parser.parse(input).unwrap();
/// let Some(Event::Head(head)) = progress.event else { unreachable!("the head is all there") };
/// let fields = parser.fields(&head);
/// // Head and fields held, the parser still answers:
/// assert_eq!(parser.leniencies_used(), Leniency::BARE_LF_IN_HEAD);
/// assert_eq!(parser.offset(), 48); // the head is consumed
/// assert_eq!(fields.get("host"), Some(&b"a"[..]));
/// assert_eq!((head.method, head.framing), (&b"POST"[..], Framing::Length(5)));
/// // What the connection does after this request, known before its body.
/// assert_eq!(head.connection, Disposition::KeepAlive);
///
/// input = &input[progress.consumed..];
/// let mut body = Vec::new();
/// loop {
///     let progress = parser.parse(input).unwrap();
///     match progress.event {
///         Some(Event::Data(data)) => body.extend_from_slice(data),
///         Some(Event::End(next)) => {
///             assert_eq!(next, head.connection);
///             break;
///         }
///         Some(_) => unreachable!("no trailers, no second head"),
///         None => unreachable!("the whole message is here"),
///     }
///     input = &input[progress.consumed..];
/// }
/// assert_eq!(body, b"hello");
/// ```
#[derive(Clone, Debug)]
pub struct RequestParser<const N: usize = DEFAULT_CAPACITY> {
    core: StreamParser<N>,
}

parser_common!(RequestParser, Section::Request, RequestHead);

impl<const N: usize> RequestParser<N> {
    /// Parses from the front of `input` (see [the contract](crate#the-message-parser)).
    ///
    /// # Errors
    ///
    /// The first error in the stream, with its stream offset; after it every
    /// call returns the same error.
    pub fn parse<'a>(&mut self, input: &'a [u8]) -> Result<Progress<'a, RequestHead<'a>>, Error> {
        self.core.parse(input, |start, fields, decision| RequestHead {
            method: slice(input, start.method),
            target: slice(input, start.target),
            version: start.version(),
            version_bytes: slice(input, start.version_bytes),
            framing: decision.framing,
            connection: decision.disposition,
            fields,
        })
    }

    /// Declines the upgrade the last request proposed (`End(Upgrade)`: an
    /// `Upgrade` request the server answers without 101, or a CONNECT it
    /// refuses, as a proxy answering 407 does): the parser goes on reading
    /// HTTP/1.1 on the same connection, with stream offsets continuing.
    /// Returns what the connection does now, by the request's own rules
    /// (RFC 9112 9.3): [`Disposition::KeepAlive`] or [`Disposition::Close`].
    /// `None` when no upgrade is pending; nothing changes then.
    ///
    /// Without this call the upgrade is taken: the bytes after the request
    /// belong to the new protocol and `parse` consumes nothing more.
    pub fn decline_upgrade(&mut self) -> Option<Disposition> {
        self.core.decline_upgrade()
    }
}

/// Parses the responses on a connection, as a client sees them.
///
/// Framing of a response depends on the request it answers: call
/// [`ResponseParser::set_request_method`] before each response when it differs
/// (the default is a `GET`-like method). An interim 1xx response ends with
/// `End(KeepAlive)` and the final response to the same request follows.
///
/// ```
/// use h1parse::{Event, ResponseParser, Framing};
///
/// let mut parser = ResponseParser::new();
/// parser.set_request_method(b"HEAD");
/// let input = b"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n";
/// let progress = parser.parse(input).unwrap();
/// let Some(Event::Head(head)) = progress.event else { panic!() };
/// assert_eq!(head.code, 200);
/// assert_eq!(head.framing, Framing::None); // a response to HEAD has no body
/// ```
#[derive(Clone, Debug)]
pub struct ResponseParser<const N: usize = DEFAULT_CAPACITY> {
    core: StreamParser<N>,
}

parser_common!(ResponseParser, Section::Response, ResponseHead);

impl<const N: usize> ResponseParser<N> {
    /// The method of the request that the next response answers; it stays in
    /// force until changed.
    pub fn set_request_method(&mut self, method: &[u8]) {
        self.core.method = MethodKind::of(method);
    }

    /// Parses from the front of `input` (see [the contract](crate#the-message-parser)).
    ///
    /// # Errors
    ///
    /// The first error in the stream, with its stream offset; after it every
    /// call returns the same error.
    pub fn parse<'a>(&mut self, input: &'a [u8]) -> Result<Progress<'a, ResponseHead<'a>>, Error> {
        self.core.parse(input, |start, fields, decision| ResponseHead {
            version: start.version(),
            version_bytes: slice(input, start.version_bytes),
            code: start.code,
            reason: slice(input, start.reason),
            framing: decision.framing,
            connection: decision.disposition,
            fields,
        })
    }
}
