//! Limits and leniency switches. Everything is strict by default.
//!
//! Limits bound the memory a peer can make the caller hold and the work it can
//! make the parser do. Each is checked at an absolute position in the message,
//! so a limit fires at the same byte however the input is split.
//!
//! Each leniency relaxes exactly one rule and says what risk it takes. None of
//! them touches body framing: bare CR/LF in chunk lines, Transfer-Encoding with
//! Content-Length in requests and differing Content-Lengths stay errors under
//! every configuration.

/// Default for [`Limits::start_line`]: RFC 9112 3 recommends supporting request
/// lines of at least 8000 octets.
pub const DEFAULT_MAX_START_LINE: u32 = 8 * 1024;
/// Default for [`Limits::field_line`] (nginx and Apache use 8 KiB too).
pub const DEFAULT_MAX_FIELD_LINE: u32 = 8 * 1024;
/// Default for [`Limits::head`]: start line, all field lines and the blank line.
pub const DEFAULT_MAX_HEAD: u32 = 64 * 1024;
/// Default for [`Limits::headers`]: the number of field lines in a head.
pub const DEFAULT_MAX_HEADERS: u16 = 100;
/// Default for [`Limits::chunk_size_digits`]: 16 hex digits hold any `u64`
/// (leading zeros do not count).
pub const DEFAULT_MAX_CHUNK_SIZE_DIGITS: u32 = 16;
/// Default for [`Limits::chunk_extensions`]: bytes of chunk extensions per message.
pub const DEFAULT_MAX_CHUNK_EXTENSIONS: u32 = 16 * 1024;
/// Default for [`Limits::trailers`]: bytes of the trailer section.
pub const DEFAULT_MAX_TRAILERS: u32 = 16 * 1024;

/// Size limits. A message that exceeds one is rejected with its own
/// [`ErrorKind`](crate::ErrorKind), at the first byte past the limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of the start line, not counting its CRLF.
    pub start_line: u32,
    /// Bytes of one field line (name, colon, value), not counting its CRLF.
    pub field_line: u32,
    /// Bytes of the whole head, from the first byte (leading empty lines
    /// included) through the blank line.
    pub head: u32,
    /// Field lines in one head (also bounded by the storage the caller gives).
    pub headers: u16,
    /// Significant hex digits of one chunk-size (leading zeros do not count).
    pub chunk_size_digits: u32,
    /// Bytes of chunk extensions, summed over one message.
    pub chunk_extensions: u32,
    /// Bytes of the trailer section, its final blank line included.
    pub trailers: u32,
}

impl Limits {
    /// The documented defaults (`DEFAULT_MAX_*`).
    pub const fn new() -> Self {
        Limits {
            start_line: DEFAULT_MAX_START_LINE,
            field_line: DEFAULT_MAX_FIELD_LINE,
            head: DEFAULT_MAX_HEAD,
            headers: DEFAULT_MAX_HEADERS,
            chunk_size_digits: DEFAULT_MAX_CHUNK_SIZE_DIGITS,
            chunk_extensions: DEFAULT_MAX_CHUNK_EXTENSIONS,
            trailers: DEFAULT_MAX_TRAILERS,
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::new()
    }
}

/// Named relaxations of the strict rules, all off by default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Leniency {
    /// Accept a bare LF as the end of a line in the head and in trailers
    /// (RFC 9112 2.2 allows it). Risk: a peer that treats bare LF as data sees
    /// different field lines. Chunk-size lines stay strict.
    pub bare_lf_in_head: bool,
    /// Accept obs-fold in responses (RFC 9112 5.2 lets a user agent do so);
    /// the value is exposed raw, fold bytes included. Risk: a peer that does
    /// not unfold sees a different field.
    pub obs_fold_in_responses: bool,
    /// Accept whitespace between a field name and the colon in responses
    /// (RFC 9112 5.1 only requires servers and proxies to reject it).
    /// Risk: another parser may see a different field name.
    pub whitespace_before_colon_in_responses: bool,
    /// Accept several SP between the parts of a request or status line.
    pub multiple_spaces_in_start_line: bool,
    /// Accept an HTTP/1.1 request without Host, or with several.
    /// Risk: a proxy and an origin may route the request differently.
    pub missing_host: bool,
    /// Accept any `HTTP/DIGIT.DIGIT` version, treating majors other than 1
    /// as HTTP/1.1 (strict mode accepts only `HTTP/1.x`).
    pub any_version: bool,
    /// Accept obs-text (%x80-FF) in the request-target.
    pub non_ascii_target: bool,
    /// In a response, accept Transfer-Encoding with Content-Length: the
    /// transfer coding wins and the connection closes after the message
    /// (RFC 9112 6.3 step 3). Requests stay strict.
    pub transfer_encoding_with_content_length_in_responses: bool,
}

impl Leniency {
    /// Every switch off: the strict default.
    pub const NONE: Leniency = LENIENCY_NONE;

    /// True if any switch is on.
    pub const fn any(&self) -> bool {
        self.bare_lf_in_head
            || self.obs_fold_in_responses
            || self.whitespace_before_colon_in_responses
            || self.multiple_spaces_in_start_line
            || self.missing_host
            || self.any_version
            || self.non_ascii_target
            || self.transfer_encoding_with_content_length_in_responses
    }

    /// Every switch that is on in `self` or in `other`.
    pub const fn union(self, other: Leniency) -> Leniency {
        Leniency {
            bare_lf_in_head: self.bare_lf_in_head | other.bare_lf_in_head,
            obs_fold_in_responses: self.obs_fold_in_responses | other.obs_fold_in_responses,
            whitespace_before_colon_in_responses: self.whitespace_before_colon_in_responses
                | other.whitespace_before_colon_in_responses,
            multiple_spaces_in_start_line: self.multiple_spaces_in_start_line | other.multiple_spaces_in_start_line,
            missing_host: self.missing_host | other.missing_host,
            any_version: self.any_version | other.any_version,
            non_ascii_target: self.non_ascii_target | other.non_ascii_target,
            transfer_encoding_with_content_length_in_responses: self.transfer_encoding_with_content_length_in_responses
                | other.transfer_encoding_with_content_length_in_responses,
        }
    }

    /// Every switch on: for tests and for tools that must read whatever comes.
    pub const fn all() -> Self {
        Leniency {
            bare_lf_in_head: true,
            obs_fold_in_responses: true,
            whitespace_before_colon_in_responses: true,
            multiple_spaces_in_start_line: true,
            missing_host: true,
            any_version: true,
            non_ascii_target: true,
            transfer_encoding_with_content_length_in_responses: true,
        }
    }
}

/// Limits plus leniencies: everything a parser can be told.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Config {
    /// Size limits.
    pub limits: Limits,
    /// Relaxations, all off by default.
    pub leniency: Leniency,
}

impl Config {
    /// Strict rules, default limits.
    pub const fn new() -> Self {
        Config { limits: Limits::new(), leniency: LENIENCY_NONE }
    }
}

const LENIENCY_NONE: Leniency = Leniency {
    bare_lf_in_head: false,
    obs_fold_in_responses: false,
    whitespace_before_colon_in_responses: false,
    multiple_spaces_in_start_line: false,
    missing_host: false,
    any_version: false,
    non_ascii_target: false,
    transfer_encoding_with_content_length_in_responses: false,
};
