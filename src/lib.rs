//! A strict, zero-copy, truly incremental HTTP/1.1 parser for servers,
//! clients and proxies. Sans-IO (it never touches a socket), `no_std`,
//! allocation-free, no dependencies.
//!
//! * [`RequestParser`] and [`ResponseParser`], the message parsers: hand
//!   them the bytes you have; each call reports at most one [`Event`] (a
//!   head, body data, trailers, the end of a message) and how many bytes it
//!   consumed. Pieces of any size, pipelined messages, every body framing of
//!   RFC 9112 section 6; no byte is validated twice, whatever the split.
//! * [`Request`] and [`Response`], a one-shot head parser shaped like
//!   httparse's, for code that has the whole head in one buffer.
//! * [`Config`]: the [`Limits`] and the [`Leniency`] switches, all off by
//!   default.
//! * [`Error`]: what was wrong ([`ErrorKind`], with the status a server
//!   answers) and where (the byte offset in the stream).
//!
//! ```
//! use h1parse::{Disposition, Event, Framing, RequestParser};
//!
//! let mut parser = RequestParser::new();
//! let input = b"POST /up HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\n\r\nhello";
//! let progress = parser.parse(input)?;
//! let Some(Event::Head(head)) = progress.event else { unreachable!("the head is all there") };
//! assert_eq!((head.method, head.target), (&b"POST"[..], &b"/up"[..]));
//! assert_eq!(parser.fields(&head).get("host"), Some(&b"example.com"[..]));
//! assert_eq!(head.framing, Framing::Length(5));
//! assert_eq!(head.connection, Disposition::KeepAlive); // known before the body
//!
//! let rest = &input[progress.consumed..];
//! let progress = parser.parse(rest)?;
//! assert!(matches!(progress.event, Some(Event::Data(b"hello"))));
//! let progress = parser.parse(&rest[progress.consumed..])?;
//! assert!(matches!(progress.event, Some(Event::End(Disposition::KeepAlive))));
//! # Ok::<(), h1parse::Error>(())
//! ```
//!
//! # The message parser
//!
//! The parser never owns input. Keep the bytes received and not yet
//! consumed, and call [`parse`](RequestParser::parse) with all of them. It
//! returns how many bytes from the front are consumed (drop them) and at most
//! one event; no event means every byte given is validated and more are
//! needed. While a head or a trailer section is incomplete nothing is
//! consumed: pass the same bytes again with more appended, and the parser
//! resumes where it stopped (it keeps offsets, not pointers, so the buffer
//! may move). [`finish`](RequestParser::finish) says the stream ended.
//!
//! Events borrow the input, never the parser: while you hold a head you can
//! read its fields with [`fields`](RequestParser::fields), and ask the
//! parser for [`leniencies_used`](RequestParser::leniencies_used),
//! [`offset`](RequestParser::offset) or [`config`](RequestParser::config).
//! A head's fields can be read until the parser starts on the next head or
//! on a trailer section.
//!
//! A head says how its body is framed ([`Framing`]) and what the connection
//! does after the message ([`Disposition`]: keep alive, close, upgrade), so a
//! server can choose its response's `Connection` field, or refuse (413, 417),
//! before it reads the body. The `End` event repeats the verdict.
//!
//! On the request side an upgrade (an `Upgrade` request, or CONNECT) is a
//! proposal: after `End(Upgrade)` the connection belongs to the new protocol
//! (the bytes not consumed are its first bytes), unless the server declines
//! with [`decline_upgrade`](RequestParser::decline_upgrade) and goes on
//! reading HTTP/1.1, as a server without h2c does for `curl --http2`, or a
//! proxy that answers CONNECT with 407. On the response side a 101, or a 2xx
//! to CONNECT, is final. After `Connection: close` only empty lines may
//! follow; after an error the parser repeats it.
//!
//! ## A read loop
//!
//! A server gives each connection a fixed buffer and a parser. Consumed bytes
//! are dropped by moving a start index; the unconsumed bytes move to the
//! front only when the buffer is full, so a pipelined stream is not copied
//! after every event.
//!
//! The buffer must be larger than [`Limits::head`]: the parser consumes
//! nothing until a head is complete, so a head of the maximal size must fit,
//! and the byte past the limit must be able to arrive to be reported as
//! [`ErrorKind::HeadTooLarge`] (with a buffer of exactly the limit, a full
//! buffer would wait forever). The default limit is 64 KiB; a server that
//! lowers it to 16 KiB holds 16 KiB + 1 of buffer and a
//! [`RequestParser`] (about 2 KiB with the default capacity of 100 fields)
//! per connection.
//!
//! ```
//! use std::io::Read;
//! use h1parse::{Config, Event, Limits, RequestParser};
//!
//! let cfg = Config { limits: Limits { head: 16 * 1024, ..Limits::DEFAULT }, ..Config::new() };
//! let mut buf = vec![0u8; cfg.limits.head as usize + 1];
//! let mut parser = RequestParser::with_config(cfg);
//! // A peer that sends two pipelined requests in pieces of 7 bytes.
//! let stream = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi";
//! let mut socket = Slow(&stream[..]);
//! let (mut start, mut end) = (0, 0); // the unconsumed bytes are buf[start..end]
//! let (mut seen, mut body) = (Vec::new(), Vec::new());
//! loop {
//!     let progress = parser.parse(&buf[start..end])?;
//!     start += progress.consumed;
//!     match progress.event {
//!         Some(Event::Head(head)) => seen.push(format!("{}", head.target.escape_ascii())),
//!         Some(Event::Data(data)) => body.extend_from_slice(data), // or stream it on
//!         Some(Event::Trailers(_)) => {}
//!         Some(Event::End(next)) => seen.push(format!("end, {next:?}")),
//!         None => {
//!             if end == buf.len() {
//!                 // Full: move the unconsumed bytes to the front. (Never a
//!                 // whole buffer of them: a head that long is an error.)
//!                 buf.copy_within(start..end, 0);
//!                 (start, end) = (0, end - start);
//!             }
//!             match socket.read(&mut buf[end..]) {
//!                 Ok(0) => break,
//!                 Ok(n) => end += n,
//!                 Err(e) => panic!("{e}"),
//!             }
//!         }
//!     }
//! }
//! parser.finish()?;
//! assert_eq!(seen, ["/a", "end, KeepAlive", "/b", "end, KeepAlive"]);
//! assert_eq!(body, b"hi");
//!
//! struct Slow<'a>(&'a [u8]);
//! impl Read for Slow<'_> {
//!     fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
//!         let n = out.len().min(self.0.len()).min(7);
//!         out[..n].copy_from_slice(&self.0[..n]);
//!         self.0 = &self.0[n..];
//!         Ok(n)
//!     }
//! }
//! # Ok::<(), h1parse::Error>(())
//! ```
//!
//! # What is strict
//!
//! Everything RFC 9112 lets a recipient reject and that could make two
//! parsers disagree about where a message ends is rejected by default:
//!
//! - CRLF only: a bare LF or a bare CR in a head, a chunk line or a trailer
//!   section is an error.
//! - Request line: single SPs, a token method, a VCHAR-only target,
//!   `HTTP/1.0` or `HTTP/1.1` (other `HTTP/1.x` read as 1.1, other majors
//!   refused). Empty lines before a request line are skipped; before a
//!   status line they are an error.
//! - Status line: a three-digit code from 100 to 599; the reason may be
//!   empty, even without its SP (`HTTP/1.1 200\r\n`); whitespace before it
//!   is not part of it.
//! - Field names are tokens right before the colon; values lose their OWS;
//!   every control character but HTAB is refused, obs-text allowed,
//!   obs-fold refused.
//! - An HTTP/1.1 request has exactly one Host, and its value is
//!   `uri-host [ ":" port ]`.
//! - Content-Length is `1*DIGIT`, without overflow; several lines or a list
//!   only of identical values (`016` and `16` differ).
//! - Transfer-Encoding: chunked is final in a request, never twice, never
//!   with parameters; no empty list elements; none in HTTP/1.0 and none with
//!   Content-Length.
//! - CONNECT has no body: a CONNECT request with Transfer-Encoding or a
//!   Content-Length other than 0 is an error.
//! - Chunk sizes are `1*HEXDIG`, checked for overflow and length;
//!   extensions follow the grammar; chunk data is followed by exactly CRLF;
//!   trailers follow the rules of header fields and never change framing.
//! - Responses to HEAD, 1xx, 204, 304 and 2xx to CONNECT have no body
//!   whatever their fields say (RFC 9112 6.3 steps 1-2).
//! - The first error in the stream is the one reported: a field's errors
//!   are found when its line ends, not when the head does.
//!
//! # Limits
//!
//! Each limit is its own [`ErrorKind`] and fires at the same byte however the
//! input is split ([`Limits`] has the fields):
//!
//! | limit | default | error |
//! |---|---:|---|
//! | start line | 8 KiB | `StartLineTooLong` |
//! | one field line | 8 KiB | `FieldLineTooLong` |
//! | the whole head, empty lines before it included | 64 KiB | `HeadTooLarge` |
//! | header fields | 100 (and the parser's capacity) | `TooManyHeaders` |
//! | significant chunk-size digits | 16 | `ChunkSizeTooLong` |
//! | chunk-extension bytes per message | 16 KiB | `ChunkExtensionsTooLarge` |
//! | the trailer section | 16 KiB | `TrailersTooLarge` |
//!
//! # Leniencies
//!
//! Each relaxation is a named [`Leniency`] switch, off by default. None of
//! them touches body framing: bare CR or LF in chunk lines, Transfer-Encoding
//! with Content-Length in requests, differing Content-Lengths and CONNECT
//! with a body stay errors under every combination.
//! [`leniencies_used`](RequestParser::leniencies_used) tells which ones a
//! message needed.
//!
//! | switch | relaxes | risk |
//! |---|---|---|
//! | `bare_lf_in_head` | a bare LF ends a line in the head and in trailers (RFC 9112 2.2 allows it); chunk-size lines stay strict | a peer that treats bare LF as data sees different field lines |
//! | `obs_fold_in_responses` | obs-fold in responses (RFC 9112 5.2 lets a user agent accept it); the value keeps the folds inside it and loses those at its edges | a peer that does not unfold sees a different field |
//! | `whitespace_before_colon_in_responses` | whitespace between a field name and the colon in responses (RFC 9112 5.1 only requires servers and proxies to reject it) | another parser may see a different field name |
//! | `multiple_spaces_in_start_line` | several SP between the parts of a request or status line | another parser may split the line differently |
//! | `missing_host` | an HTTP/1.1 request without Host, or with several | a proxy and an origin may route the request differently |
//! | `any_version` | any `HTTP/DIGIT.DIGIT` version, majors other than 1 read as HTTP/1.1 | a peer that rejects or downgrades it frames the message differently |
//! | `non_ascii_target` | obs-text (0x80-0xFF) in the request-target | other components may decode or normalise the target differently |
//! | `transfer_encoding_with_content_length_in_responses` | Transfer-Encoding with Content-Length in a response: the transfer coding wins and the connection closes after it (RFC 9112 6.3 step 3); requests stay strict | a peer that honours Content-Length reads a different body; closing limits the damage to one response |
//! | `empty_lines_before_status_line` | empty lines before a status line, as RFC 9112 2.2 allows before a request line | stray line ends before a response often mean the previous body was longer than its framing said; this hides that |
//! | `any_status_code` | a three-digit status code outside 100-599, framed as a final response | a peer may reject it or give it another class, and frame the response differently |
//! | `spaces_after_chunk_size` | SP or HTAB after a chunk size, before `;` or the CRLF | a peer that reads the size differently, or rejects the line, disagrees about the body |
//! | `control_chars_in_field_values` | control characters (0x01-0x1F but CR and LF, and DEL) in field and trailer values; the values of Content-Length, Transfer-Encoding, Host, Connection and Upgrade stay strict | a peer that treats a control character as whitespace or a separator reads a different value |
//! | `empty_elements_in_transfer_encoding` | empty elements in a Transfer-Encoding list (`chunked,`, `gzip,,chunked`), ignored as RFC 9110 5.6.1 has recipients do | a peer that does not ignore them reads another list (llhttp reads `chunked,` in a response as not chunked) |
//!
//! # Errors and the status to answer
//!
//! [`ErrorKind::status_hint`] is the status a server answers a request that
//! failed; the kinds only a response can produce give 502, what a proxy
//! answers for a bad upstream response. (A server answers 501 itself to a
//! transfer coding it does not implement, see
//! [`Fields::transfer_codings`]; that is not a parse error.)
//!
//! | kind (`name()`) | status | reason |
//! |---|---:|---|
//! | `bad_method` | 400 | invalid method token |
//! | `bad_target` | 400 | invalid byte in request-target |
//! | `bad_version` | 400 | malformed HTTP-version |
//! | `unsupported_version` | 505 | unsupported HTTP major version |
//! | `bad_status_code` | 502 | status code is not three digits |
//! | `bad_reason` | 502 | invalid byte in reason phrase |
//! | `bad_start_line` | 400 | missing or extra space in start line |
//! | `bad_field_name` | 400 | invalid field name |
//! | `whitespace_before_colon` | 400 | whitespace between field name and colon |
//! | `bad_field_value` | 400 | invalid byte in field value |
//! | `bare_cr` | 400 | CR not followed by LF |
//! | `bare_lf` | 400 | LF without CR |
//! | `obs_fold` | 400 | obsolete line folding |
//! | `too_many_headers` | 431 | too many header fields |
//! | `start_line_too_long` | 414 | start line too long |
//! | `field_line_too_long` | 431 | field line too long |
//! | `head_too_large` | 431 | message head too large |
//! | `missing_host` | 400 | HTTP/1.1 request without Host |
//! | `duplicate_host` | 400 | more than one Host field |
//! | `bad_content_length` | 400 | invalid Content-Length |
//! | `conflicting_content_length` | 400 | conflicting Content-Length values |
//! | `bad_transfer_encoding` | 400 | invalid Transfer-Encoding |
//! | `chunked_not_final` | 400 | chunked is not the final transfer coding |
//! | `chunked_twice` | 400 | chunked applied more than once |
//! | `transfer_encoding_in_http10` | 400 | Transfer-Encoding in an HTTP/1.0 message |
//! | `transfer_encoding_with_content_length` | 400 | both Transfer-Encoding and Content-Length |
//! | `bad_chunk_size` | 400 | invalid chunk size |
//! | `chunk_size_overflow` | 413 | chunk size overflows |
//! | `chunk_size_too_long` | 413 | chunk size has too many digits |
//! | `bad_chunk_extension` | 400 | invalid chunk extension |
//! | `chunk_extensions_too_large` | 413 | chunk extensions too large |
//! | `bad_chunk_data_end` | 400 | chunk data not followed by CRLF |
//! | `trailers_too_large` | 431 | trailer section too large |
//! | `data_after_close` | 400 | data after a message that closes the connection |
//! | `bad_host` | 400 | invalid Host value |
//! | `empty_line_before_status_line` | 502 | empty line before a status line |
//! | `status_code_out_of_range` | 502 | status code outside 100-599 |
//! | `connect_with_body` | 400 | CONNECT request with a body |
//!
//! # Features, `no_std`, MSRV
//!
//! The default feature `std` adds runtime CPU-feature detection for the
//! SIMD scanners (AVX2 on x86-64 when the CPU has it) and `std::error::Error`
//! for [`Error`]. Without it (`default-features = false`) the crate is
//! `no_std` and uses the SIMD features the target was compiled for
//! (`-C target-feature`); nothing else changes, and nothing allocates in
//! either case. The minimum supported Rust version is 1.85.
//!
//! # Moving from httparse
//!
//! The one-shot API keeps httparse's shape: storage for the headers from the
//! caller, `Status::Complete(len)` / `Status::Partial`, method, target and
//! version filled in as soon as they are parsed.
//!
//! | httparse | h1parse |
//! |---|---|
//! | `[httparse::EMPTY_HEADER; 64]` | `[h1parse::Header::EMPTY; 64]` |
//! | `httparse::Request::new(&mut headers)` | [`Request::new`]`(&mut headers)` |
//! | `req.parse(buf)` → `Status<usize>` | the same |
//! | `parse_with_uninit_headers` | [`Request::parse_uninit`] |
//! | `req.method: Option<&str>` | `req.method: Option<&[u8]>` (a token: ASCII), [`Method::from_bytes`] |
//! | `req.path: Option<&str>` | `req.target: Option<&[u8]>` |
//! | `req.version: Option<u8>` | `req.version: Option<`[`Version`]`>` |
//! | `Header { name: &str, value: &[u8] }` | [`Header`]` { name: &[u8], value: &[u8] }`, `name_str()`, `is("host")` |
//! | `httparse::Error` (what, not where) | [`Error`]: `kind()` and `offset()` |
//! | `ParserConfig::allow_spaces_after_header_name_in_responses` | [`Leniency::WHITESPACE_BEFORE_COLON_IN_RESPONSES`] |
//! | `ParserConfig::allow_obsolete_multiline_headers_in_responses` | [`Leniency::OBS_FOLD_IN_RESPONSES`] (folds at the edges trimmed) |
//! | `ParserConfig::allow_multiple_spaces_in_request_line_delimiters` and `..._in_response_status_delimiters` | [`Leniency::MULTIPLE_SPACES_IN_START_LINE`] |
//! | `ParserConfig::ignore_invalid_headers_in_requests` / `_in_responses` | none: see below |
//! | `ParserConfig::allow_space_before_first_header_name` | none: see below |
//! | `parse_chunk_size` and your own framing | [`RequestParser`] / [`ResponseParser`] |
//!
//! Three httparse options have no counterpart, on purpose:
//!
//! - `ignore_invalid_headers_*` drops a field line it cannot parse and goes
//!   on. A field that one parser drops and another reads (a
//!   `Transfer-Encoding` with a stray byte in its name) is how requests are
//!   smuggled, and a dropped line is a silent loss: h1parse reports it.
//! - `allow_space_before_first_header_name` accepts whitespace at the start
//!   of the first field line. RFC 9112 2.2 says such a line must be rejected
//!   or its field ignored, and another parser may read it as a fold of the
//!   start line: h1parse refuses it.
//!
//! Where httparse accepts a bare LF as a line end, h1parse needs
//! [`Leniency::BARE_LF_IN_HEAD`]. The one-shot API checks a head's syntax
//! only; the message parsers also enforce the framing rules above (one Host,
//! consistent Content-Length, chunked last) and frame the body, so the
//! `Content-Length` / `Transfer-Encoding` handling and the
//! `parse_chunk_size` loop written around httparse go away, and a head that
//! arrives in pieces is scanned once, not from byte 0 on every call.
#![cfg_attr(not(any(feature = "std", test)), no_std)]
#![deny(missing_docs)]
#![warn(clippy::undocumented_unsafe_blocks)]
// Panic discipline for library code (tests may unwrap and index freely):
// no unwrap/expect/panic, no indexing or slicing that could go out of bounds.
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

mod body;
mod chars;
mod config;
mod error;
mod framing;
mod head;
mod message;
mod method;
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
pub use framing::{Disposition, Framing};
pub use head::oneshot::{Request, Response, Status};
pub use head::{FieldIter, FieldSpan, Fields, Header};
pub use message::{
    DEFAULT_CAPACITY, DataBatch, Event, Finish, Progress, RequestHead, RequestParser, ResponseHead, ResponseParser,
    Trailers,
};
pub use method::Method;
pub use version::Version;

#[cfg(test)]
mod docs_tests {
    /// The crate docs' leniency table, one row per switch, as declared.
    fn leniency_rows() -> std::string::String {
        let mut out = std::string::String::new();
        for &(_, name, relaxes, risk) in crate::config::Leniency::TABLE {
            out += &std::format!("//! | `{name}` | {relaxes} | {risk} |\n");
        }
        out
    }

    /// The crate docs' error table, one row per kind.
    fn error_rows() -> std::string::String {
        let mut out = std::string::String::new();
        for &kind in crate::ErrorKind::ALL {
            out += &std::format!("//! | `{}` | {} | {} |\n", kind.name(), kind.status_hint(), kind.reason());
        }
        out
    }

    /// The crate docs, as written above.
    const DOCS: &str = include_str!("lib.rs");

    #[test]
    fn the_crate_docs_list_every_leniency_with_its_risk() {
        let rows = leniency_rows();
        assert!(DOCS.contains(&rows), "the leniency table in the crate docs should be:\n{rows}");
    }

    /// "A RequestParser (about 2 KiB with the default capacity of 100
    /// fields) per connection", as the read-loop section says.
    #[test]
    fn a_parser_costs_what_the_crate_docs_say() {
        let size = core::mem::size_of::<crate::RequestParser>();
        assert!((1536..=2560).contains(&size), "a RequestParser is {size} bytes: update the crate docs");
    }

    #[test]
    fn the_crate_docs_list_every_error_kind_with_its_status() {
        let rows = error_rows();
        assert!(DOCS.contains(&rows), "the error table in the crate docs should be:\n{rows}");
    }
}
