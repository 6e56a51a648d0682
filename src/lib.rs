//! # h1parse
//!
//! A strict, zero-copy, truly incremental HTTP/1.1 parser for servers,
//! clients and proxies. It is sans-IO (it never touches a socket), `no_std`,
//! allocation-free, and has no dependencies.
//!
//! Two APIs:
//!
//! * [`RequestParser`] / [`ResponseParser`]: the message parser. Feed it the
//!   bytes you have; it reports the head, body data, trailers and the end of
//!   each message, with what the connection does next (keep alive, close,
//!   upgrade). Pieces of any size, pipelined messages, every body framing of
//!   RFC 9112 section 6. It never validates a byte twice.
//! * [`Request`] / [`Response`]: a one-shot head parser shaped like httparse's,
//!   for code that has the whole head in one buffer.
//!
//! Strict by default: everything RFC 9112 lets a recipient reject and that can
//! make two parsers disagree about message boundaries is rejected, unless a
//! named [`Leniency`] is switched on. Errors say what ([`ErrorKind`]) and where
//! (the byte offset in the stream).
//!
//! ```
//! use h1parse::{Disposition, Event, RequestParser};
//!
//! // Two pipelined requests, arriving in awkward pieces.
//! let stream = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\n\
//!                Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
//! let mut parser = RequestParser::new();
//! let mut buf = Vec::new();
//! let mut log = Vec::new();
//! for piece in stream.chunks(7) {
//!     buf.extend_from_slice(piece);
//!     loop {
//!         let progress = parser.parse(&buf).expect("valid stream");
//!         let consumed = progress.consumed;
//!         let Some(event) = progress.event else {
//!             buf.drain(..consumed);
//!             break; // wait for more bytes
//!         };
//!         match event {
//!             Event::Head(head) => log.push(format!("{} {}", head.method.escape_ascii(), head.target.escape_ascii())),
//!             Event::Data(data) => log.push(format!("data {}", data.escape_ascii())),
//!             Event::Trailers(_) => log.push("trailers".into()),
//!             Event::End(next) => log.push(format!("end {next:?}")),
//!         }
//!         buf.drain(..consumed);
//!     }
//! }
//! assert_eq!(parser.finish().unwrap(), h1parse::Finish::Idle);
//! assert_eq!(log, ["GET /a", "end KeepAlive", "POST /b", "data abc", "end KeepAlive"]);
//! ```
#![cfg_attr(not(any(feature = "std", test)), no_std)]
#![deny(missing_docs)]
#![warn(clippy::undocumented_unsafe_blocks)]
// Panic discipline for library code (tests may unwrap and index freely):
// no unwrap/expect/panic, no indexing or slicing that could go out of bounds.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod body;
mod chars;
pub mod config;
mod error;
pub mod framing;
mod head;
pub mod message;
mod simd;
mod uninit;
mod version;

/// Hooks for the fuzz targets; not part of the API.
#[doc(hidden)]
pub mod __fuzz {
    pub use crate::simd::kernels_agree;
}

pub use config::{Config, Leniency, Limits};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
pub use error::{Error, ErrorKind};
pub use framing::{Disposition, Framing, MethodKind};
pub use head::oneshot::{Request, Response, Status};
pub use head::{FieldIter, FieldSpan, Fields, Header};
pub use message::{
    DataBatch, Event, Finish, Progress, RequestHead, RequestParser, ResponseHead, ResponseParser, Trailers,
};
pub use version::Version;
