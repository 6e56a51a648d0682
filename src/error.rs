//! What went wrong, and where.
//!
//! Every error carries a kind and the byte offset in the whole stream at which
//! the parser decided the input was invalid: the first byte that cannot
//! continue a valid message. For a bad byte that is the byte itself (for a
//! bare CR, the CR); for a limit it is the
//! first byte past the limit; for a conflict
//! between fields (two different `Content-Length`s, `Transfer-Encoding` with
//! `Content-Length`) it is the start of the field line that made the message
//! invalid; for a missing `Host` it is the blank line that ends the head.
//!
//! `ErrorKind` is append-only: variants are never renumbered or removed, so
//! logs and metrics keyed on them stay meaningful across versions.

use core::fmt;

/// Why the input was rejected. Append-only; each variant has a one-line reason
/// (see [`ErrorKind::reason`]).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The method is empty or has a byte that is not a `tchar` (RFC 9112 3.1).
    BadMethod,
    /// The request-target is empty or has whitespace, a CTL, DEL or a non-ASCII byte (RFC 9112 3.2).
    BadTarget,
    /// The HTTP-version is not `HTTP/DIGIT.DIGIT` (RFC 9112 2.3).
    BadVersion,
    /// The HTTP-version is well formed but its major version is not 1 (RFC 9112 2.3).
    UnsupportedVersion,
    /// The status code is not three digits (RFC 9112 4).
    BadStatusCode,
    /// The reason phrase has a CTL other than HTAB, or DEL (RFC 9112 4).
    BadReason,
    /// A start line has a missing or extra space between its parts (RFC 9112 3, 4).
    BadStartLine,
    /// A field name is empty or has a byte that is not a `tchar` (RFC 9110 5.1).
    BadFieldName,
    /// Whitespace between a field name and the colon (RFC 9112 5.1: MUST reject).
    WhitespaceBeforeColon,
    /// A field value has a CTL other than HTAB, or DEL (RFC 9110 5.5).
    BadFieldValue,
    /// A CR not followed by LF (RFC 9112 2.2); the offset is the CR's.
    BareCr,
    /// An LF not preceded by CR (RFC 9112 2.2; strict mode rejects it).
    BareLf,
    /// A field line folded onto the next line with obs-fold (RFC 9112 5.2).
    ObsFold,
    /// More header fields than the configured limit or the storage holds.
    TooManyHeaders,
    /// The start line is longer than the configured limit.
    StartLineTooLong,
    /// A field line is longer than the configured limit.
    FieldLineTooLong,
    /// The head (start line, fields, blank line) is larger than the configured limit.
    HeadTooLarge,
    /// An HTTP/1.1 request without a Host field (RFC 9112 3.2: MUST respond 400).
    MissingHost,
    /// A request with more than one Host field line (RFC 9112 3.2: MUST respond 400).
    DuplicateHost,
    /// A Content-Length that is not `1*DIGIT` (or a list of equal ones), or overflows (RFC 9110 8.6).
    BadContentLength,
    /// Two Content-Length values that differ (RFC 9112 6.3 step 5: request smuggling).
    ConflictingContentLength,
    /// A Transfer-Encoding value that is not a list of transfer codings (RFC 9112 6.1).
    BadTransferEncoding,
    /// In a request, chunked is not the final transfer coding (RFC 9112 6.3 step 4).
    ChunkedNotFinal,
    /// chunked is applied more than once (RFC 9112 6.1: MUST NOT).
    ChunkedTwice,
    /// Transfer-Encoding in an HTTP/1.0 message (RFC 9112 6.1: treat as faulty framing).
    TransferEncodingInHttp10,
    /// Both Transfer-Encoding and Content-Length (RFC 9112 6.1: request smuggling).
    TransferEncodingWithContentLength,
    /// A chunk-size is empty or has a byte that is not a HEXDIG (RFC 9112 7.1).
    BadChunkSize,
    /// A chunk-size does not fit in 64 bits.
    ChunkSizeOverflow,
    /// A chunk-size has more digits than the configured limit.
    ChunkSizeTooLong,
    /// A chunk extension does not follow `BWS ";" BWS token [BWS "=" BWS (token / quoted-string)]` (RFC 9112 7.1.1).
    BadChunkExtension,
    /// The chunk extensions of one message exceed the configured limit.
    ChunkExtensionsTooLarge,
    /// Chunk data is not followed by exactly CRLF (RFC 9112 7.1: spill past the chunk size).
    BadChunkDataEnd,
    /// The trailer section is larger than the configured limit.
    TrailersTooLarge,
    /// Bytes after a message that ended with `Connection: close` (RFC 9112 9.6).
    DataAfterClose,
    /// A Host value that is not `uri-host [ ":" port ]` (RFC 9112 3.2: MUST respond 400).
    BadHost,
}

impl ErrorKind {
    /// A one-line human reason, also what `Display` prints.
    pub const fn reason(self) -> &'static str {
        use ErrorKind::*;
        match self {
            BadMethod => "invalid method token",
            BadTarget => "invalid byte in request-target",
            BadVersion => "malformed HTTP-version",
            UnsupportedVersion => "unsupported HTTP major version",
            BadStatusCode => "status code is not three digits",
            BadReason => "invalid byte in reason phrase",
            BadStartLine => "missing or extra space in start line",
            BadFieldName => "invalid field name",
            WhitespaceBeforeColon => "whitespace between field name and colon",
            BadFieldValue => "invalid byte in field value",
            BareCr => "CR not followed by LF",
            BareLf => "LF without CR",
            ObsFold => "obsolete line folding",
            TooManyHeaders => "too many header fields",
            StartLineTooLong => "start line too long",
            FieldLineTooLong => "field line too long",
            HeadTooLarge => "message head too large",
            MissingHost => "HTTP/1.1 request without Host",
            DuplicateHost => "more than one Host field",
            BadContentLength => "invalid Content-Length",
            ConflictingContentLength => "conflicting Content-Length values",
            BadTransferEncoding => "invalid Transfer-Encoding",
            ChunkedNotFinal => "chunked is not the final transfer coding",
            ChunkedTwice => "chunked applied more than once",
            TransferEncodingInHttp10 => "Transfer-Encoding in an HTTP/1.0 message",
            TransferEncodingWithContentLength => "both Transfer-Encoding and Content-Length",
            BadChunkSize => "invalid chunk size",
            ChunkSizeOverflow => "chunk size overflows",
            ChunkSizeTooLong => "chunk size has too many digits",
            BadChunkExtension => "invalid chunk extension",
            ChunkExtensionsTooLarge => "chunk extensions too large",
            BadChunkDataEnd => "chunk data not followed by CRLF",
            TrailersTooLarge => "trailer section too large",
            DataAfterClose => "data after a message that closes the connection",
            BadHost => "invalid Host value",
        }
    }

    /// A stable snake_case name, as printed by the `inspect` example.
    pub const fn name(self) -> &'static str {
        use ErrorKind::*;
        match self {
            BadMethod => "bad_method",
            BadTarget => "bad_target",
            BadVersion => "bad_version",
            UnsupportedVersion => "unsupported_version",
            BadStatusCode => "bad_status_code",
            BadReason => "bad_reason",
            BadStartLine => "bad_start_line",
            BadFieldName => "bad_field_name",
            WhitespaceBeforeColon => "whitespace_before_colon",
            BadFieldValue => "bad_field_value",
            BareCr => "bare_cr",
            BareLf => "bare_lf",
            ObsFold => "obs_fold",
            TooManyHeaders => "too_many_headers",
            StartLineTooLong => "start_line_too_long",
            FieldLineTooLong => "field_line_too_long",
            HeadTooLarge => "head_too_large",
            MissingHost => "missing_host",
            DuplicateHost => "duplicate_host",
            BadContentLength => "bad_content_length",
            ConflictingContentLength => "conflicting_content_length",
            BadTransferEncoding => "bad_transfer_encoding",
            ChunkedNotFinal => "chunked_not_final",
            ChunkedTwice => "chunked_twice",
            TransferEncodingInHttp10 => "transfer_encoding_in_http10",
            TransferEncodingWithContentLength => "transfer_encoding_with_content_length",
            BadChunkSize => "bad_chunk_size",
            ChunkSizeOverflow => "chunk_size_overflow",
            ChunkSizeTooLong => "chunk_size_too_long",
            BadChunkExtension => "bad_chunk_extension",
            ChunkExtensionsTooLarge => "chunk_extensions_too_large",
            BadChunkDataEnd => "bad_chunk_data_end",
            TrailersTooLarge => "trailers_too_large",
            DataAfterClose => "data_after_close",
            BadHost => "bad_host",
        }
    }
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
    fn display_names_kind_and_offset() {
        let e = Error::new(ErrorKind::BareLf, 17);
        assert_eq!(e.kind(), ErrorKind::BareLf);
        assert_eq!(e.offset(), 17);
        assert_eq!(e.to_string(), "LF without CR at byte 17");
        assert_eq!(ErrorKind::BareLf.name(), "bare_lf");
    }
}
