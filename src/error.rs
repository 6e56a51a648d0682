//! What went wrong, and where.
//!
//! Every error carries a kind and the byte offset in the whole stream at which
//! the parser decided the input was invalid: the first byte that cannot
//! continue a valid message. For a bad byte that is the byte itself (for a
//! bare CR, the CR); for a limit it is the first byte past the limit; for a
//! conflict between fields (two different `Content-Length`s,
//! `Transfer-Encoding` with `Content-Length`) it is the start of the field
//! line that made the message invalid; for a missing `Host` it is the blank
//! line that ends the head.
//!
//! `ErrorKind` is append-only: variants are never renumbered or removed, so
//! logs and metrics keyed on them stay meaningful across versions.

use core::fmt;

/// Declares the error kinds once: variant, doc line, stable name, status
/// hint, reason. Append only: a kind is never renumbered or removed.
macro_rules! error_kinds {
    (
        $(#[$meta:meta])*
        pub enum $ty:ident;
        $( #[doc = $doc:literal] $kind:ident = $name:literal, $status:literal, $reason:literal; )+
    ) => {
        $(#[$meta])*
        #[doc = concat!($("| [`", stringify!($kind), "`](ErrorKind::", stringify!($kind), ") | `", $name, "` | ", stringify!($status), " | ", $reason, " |\n"),+)]
        #[non_exhaustive]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $ty {
            $( #[doc = $doc] $kind, )+
        }

        impl $ty {
            /// Every kind, in declaration order.
            pub const ALL: &'static [$ty] = &[$($ty::$kind),+];

            /// A one-line human reason, also what `Display` prints.
            pub const fn reason(self) -> &'static str {
                match self {
                    $($ty::$kind => $reason,)+
                }
            }

            /// A stable snake_case name, as printed by the `inspect` example.
            pub const fn name(self) -> &'static str {
                match self {
                    $($ty::$kind => $name,)+
                }
            }

            /// The status a server answers a request that failed with this
            /// error (the table in [`ErrorKind`]'s docs): 400 for malformed
            /// syntax and framing, 414 for a long request line, 431 for too
            /// many or too large fields, 413 for chunk sizes and extensions
            /// past the limits, 505 for an unsupported major version. Kinds
            /// only a response can produce give 502, what a proxy answers
            /// for a bad upstream response of any kind. (A server answers 501
            /// itself to a transfer coding it does not implement: that is not
            /// a parse error.)
            pub const fn status_hint(self) -> u16 {
                match self {
                    $($ty::$kind => $status,)+
                }
            }
        }
    };
}

error_kinds! {
    /// Why the input was rejected, and the status a server answers for it.
    ///
    /// Append-only: each kind keeps its place, its stable
    /// [`name`](ErrorKind::name), its one-line [`reason`](ErrorKind::reason)
    /// and its [`status_hint`](ErrorKind::status_hint):
    ///
    /// | kind | name | status hint | reason |
    /// |---|---|---:|---|
    pub enum ErrorKind;

    /// The method is empty or has a byte that is not a `tchar` (RFC 9112 3.1).
    BadMethod = "bad_method", 400, "invalid method token";
    /// The request-target is empty or has whitespace, a CTL, DEL or a non-ASCII byte (RFC 9112 3.2).
    BadTarget = "bad_target", 400, "invalid byte in request-target";
    /// The HTTP-version is not `HTTP/DIGIT.DIGIT` (RFC 9112 2.3).
    BadVersion = "bad_version", 400, "malformed HTTP-version";
    /// The HTTP-version is well formed but its major version is not 1 (RFC 9112 2.3).
    UnsupportedVersion = "unsupported_version", 505, "unsupported HTTP major version";
    /// The status code is not three digits (RFC 9112 4).
    BadStatusCode = "bad_status_code", 502, "status code is not three digits";
    /// The reason phrase has a CTL other than HTAB, or DEL (RFC 9112 4).
    BadReason = "bad_reason", 502, "invalid byte in reason phrase";
    /// A start line has a missing or extra space between its parts (RFC 9112 3, 4).
    BadStartLine = "bad_start_line", 400, "missing or extra space in start line";
    /// A field name is empty or has a byte that is not a `tchar` (RFC 9110 5.1).
    BadFieldName = "bad_field_name", 400, "invalid field name";
    /// Whitespace between a field name and the colon (RFC 9112 5.1: MUST reject).
    WhitespaceBeforeColon = "whitespace_before_colon", 400, "whitespace between field name and colon";
    /// A field value has a CTL other than HTAB, or DEL (RFC 9110 5.5).
    BadFieldValue = "bad_field_value", 400, "invalid byte in field value";
    /// A CR not followed by LF (RFC 9112 2.2); the offset is the CR's.
    BareCr = "bare_cr", 400, "CR not followed by LF";
    /// An LF not preceded by CR (RFC 9112 2.2; strict mode rejects it).
    BareLf = "bare_lf", 400, "LF without CR";
    /// A field line folded onto the next line with obs-fold (RFC 9112 5.2).
    ObsFold = "obs_fold", 400, "obsolete line folding";
    /// More header fields than the configured limit or the storage holds.
    TooManyHeaders = "too_many_headers", 431, "too many header fields";
    /// The start line is longer than the configured limit.
    StartLineTooLong = "start_line_too_long", 414, "start line too long";
    /// A field line is longer than the configured limit.
    FieldLineTooLong = "field_line_too_long", 431, "field line too long";
    /// The head (start line, fields, blank line) is larger than the configured limit.
    HeadTooLarge = "head_too_large", 431, "message head too large";
    /// An HTTP/1.1 request without a Host field (RFC 9112 3.2: MUST respond 400).
    MissingHost = "missing_host", 400, "HTTP/1.1 request without Host";
    /// A request with more than one Host field line (RFC 9112 3.2: MUST respond 400).
    DuplicateHost = "duplicate_host", 400, "more than one Host field";
    /// A Content-Length that is not `1*DIGIT` (or a list of identical ones), or overflows (RFC 9110 8.6).
    BadContentLength = "bad_content_length", 400, "invalid Content-Length";
    /// Two Content-Length values that differ (RFC 9112 6.3 step 5: request smuggling).
    ConflictingContentLength = "conflicting_content_length", 400, "conflicting Content-Length values";
    /// A Transfer-Encoding value that is not a list of transfer codings (RFC 9112 6.1).
    BadTransferEncoding = "bad_transfer_encoding", 400, "invalid Transfer-Encoding";
    /// In a request, chunked is not the final transfer coding (RFC 9112 6.3 step 4).
    ChunkedNotFinal = "chunked_not_final", 400, "chunked is not the final transfer coding";
    /// chunked is applied more than once (RFC 9112 6.1: MUST NOT).
    ChunkedTwice = "chunked_twice", 400, "chunked applied more than once";
    /// Transfer-Encoding in an HTTP/1.0 message (RFC 9112 6.1: treat as faulty framing).
    TransferEncodingInHttp10 = "transfer_encoding_in_http10", 400, "Transfer-Encoding in an HTTP/1.0 message";
    /// Both Transfer-Encoding and Content-Length (RFC 9112 6.1: request smuggling).
    TransferEncodingWithContentLength = "transfer_encoding_with_content_length", 400, "both Transfer-Encoding and Content-Length";
    /// A chunk-size is empty or has a byte that is not a HEXDIG (RFC 9112 7.1).
    BadChunkSize = "bad_chunk_size", 400, "invalid chunk size";
    /// A chunk-size does not fit in 64 bits.
    ChunkSizeOverflow = "chunk_size_overflow", 413, "chunk size overflows";
    /// A chunk-size has more digits than the configured limit.
    ChunkSizeTooLong = "chunk_size_too_long", 413, "chunk size has too many digits";
    /// A chunk extension does not follow `BWS ";" BWS token [BWS "=" BWS (token / quoted-string)]` (RFC 9112 7.1.1).
    BadChunkExtension = "bad_chunk_extension", 400, "invalid chunk extension";
    /// The chunk extensions of one message exceed the configured limit.
    ChunkExtensionsTooLarge = "chunk_extensions_too_large", 413, "chunk extensions too large";
    /// Chunk data is not followed by exactly CRLF (RFC 9112 7.1: spill past the chunk size).
    BadChunkDataEnd = "bad_chunk_data_end", 400, "chunk data not followed by CRLF";
    /// The trailer section is larger than the configured limit.
    TrailersTooLarge = "trailers_too_large", 431, "trailer section too large";
    /// Bytes after a message that ended with `Connection: close` (RFC 9112 9.6).
    DataAfterClose = "data_after_close", 400, "data after a message that closes the connection";
    /// A Host value that is not `uri-host [ ":" port ]` (RFC 9112 3.2: MUST respond 400).
    BadHost = "bad_host", 400, "invalid Host value";
    /// An empty line where a status line should start (RFC 9112 2.2 lets a recipient skip them before a request line only).
    EmptyLineBeforeStatusLine = "empty_line_before_status_line", 502, "empty line before a status line";
    /// A three-digit status code outside 100-599 (RFC 9110 15).
    StatusCodeOutOfRange = "status_code_out_of_range", 502, "status code outside 100-599";
    /// A CONNECT request with Transfer-Encoding or a Content-Length other than 0 (RFC 9110 9.3.6: CONNECT has no content; a peer that reads the body desynchronises).
    ConnectWithBody = "connect_with_body", 400, "CONNECT request with a body";
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason())
    }
}

/// A parse error: what was wrong and at which byte of the stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Error {
    kind: ErrorKind,
    offset: u64,
}

impl Error {
    /// An error of `kind` at stream offset `offset`.
    pub const fn new(kind: ErrorKind, offset: u64) -> Self {
        Error { kind, offset }
    }

    /// What was wrong.
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The byte offset in the stream (counted from the first byte ever given
    /// to the parser) at which the input became invalid.
    pub const fn offset(&self) -> u64 {
        self.offset
    }
}

/// An error at an offset relative to the start of what is being parsed (a
/// head, a trailer section, a chunk line); the message parser adds the stream
/// offset of that start to make an [`Error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Fault {
    pub(crate) kind: ErrorKind,
    pub(crate) at: usize,
}

impl Fault {
    pub(crate) const fn new(kind: ErrorKind, at: usize) -> Self {
        Fault { kind, at }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind.reason(), self.offset)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_unique_snake_case_name_a_reason_and_a_status() {
        let mut names = std::collections::HashSet::new();
        for &kind in ErrorKind::ALL {
            let name = kind.name();
            assert!(names.insert(name), "{name} twice");
            assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'), "{name}");
            assert!(!kind.reason().is_empty() && !kind.reason().ends_with('.'), "{kind:?}");
            assert!([400, 413, 414, 431, 502, 505].contains(&kind.status_hint()), "{kind:?}");
        }
        assert!(ErrorKind::ALL.len() >= 35, "append-only: no kind is removed");
        assert_eq!(ErrorKind::ALL[0], ErrorKind::BadMethod, "append-only: the first kind stays first");
    }

    #[test]
    fn status_hints_follow_the_rfc_for_each_kind_of_failure() {
        use ErrorKind::*;
        let cases = [
            (BadTarget, 400),
            (MissingHost, 400),      // RFC 9112 3.2: MUST respond 400
            (ChunkedNotFinal, 400),  // RFC 9112 6.3 step 4: MUST respond 400
            (StartLineTooLong, 414), // RFC 9112 3: 414 for a long request-target
            (HeadTooLarge, 431),     // RFC 6585 5
            (TooManyHeaders, 431),
            (FieldLineTooLong, 431),
            (ChunkSizeTooLong, 413),   // RFC 9110 15.5.14
            (UnsupportedVersion, 505), // RFC 9110 15.6.6
            (BadStatusCode, 502),      // only in a response: a proxy's answer
        ];
        for (kind, status) in cases {
            assert_eq!(kind.status_hint(), status, "{kind:?}");
        }
    }

    #[test]
    fn display_names_kind_and_offset() {
        let e = Error::new(ErrorKind::BareLf, 17);
        assert_eq!(e.kind(), ErrorKind::BareLf);
        assert_eq!(e.offset(), 17);
        assert_eq!(e.to_string(), "LF without CR at byte 17");
        assert_eq!(ErrorKind::BareLf.name(), "bare_lf");
    }
}
