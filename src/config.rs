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

/// Size limits. A message that exceeds one is rejected with its own
/// [`ErrorKind`](crate::ErrorKind), at the first byte past the limit,
/// whatever the input's split.
///
/// | limit | default | error |
/// |---|---:|---|
/// | [`start_line`](Limits::start_line) | 8 KiB (RFC 9112 3 recommends supporting 8000 octets) | `StartLineTooLong` |
/// | [`field_line`](Limits::field_line) | 8 KiB (as nginx and Apache) | `FieldLineTooLong` |
/// | [`head`](Limits::head) | 64 KiB | `HeadTooLarge` |
/// | [`headers`](Limits::headers) | 100 (and the parser's capacity) | `TooManyHeaders` |
/// | [`chunk_size_digits`](Limits::chunk_size_digits) | 16 (any `u64`; leading zeros are free) | `ChunkSizeTooLong` |
/// | [`chunk_extensions`](Limits::chunk_extensions) | 16 KiB per message | `ChunkExtensionsTooLarge` |
/// | [`trailers`](Limits::trailers) | 16 KiB | `TrailersTooLarge` |
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
    /// The defaults (the table above).
    pub const DEFAULT: Limits = Limits {
        start_line: 8 * 1024,
        field_line: 8 * 1024,
        head: 64 * 1024,
        headers: 100,
        chunk_size_digits: 16,
        chunk_extensions: 16 * 1024,
        trailers: 16 * 1024,
    };

    /// The defaults: [`Limits::DEFAULT`].
    pub const fn new() -> Self {
        Limits::DEFAULT
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::new()
    }
}

/// Declares the switches once: bit, constant, stable name, what it relaxes,
/// the risk it takes. Append only: bits are never reused.
macro_rules! leniencies {
    (
        $(#[$meta:meta])*
        pub struct $ty:ident;
        $( $bit:literal $konst:ident $name:literal relaxes $relaxes:literal risk $risk:literal; )+
    ) => {
        $(#[$meta])*
        #[doc = concat!($("| [`", stringify!($konst), "`](Leniency::", stringify!($konst), ") | `", $name, "` | ", $relaxes, " | ", $risk, " |\n"),+)]
        #[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
        pub struct $ty(u32);

        impl $ty {
            $(
                #[doc = concat!("Relaxes: ", $relaxes, ".\n\nRisk: ", $risk, ".")]
                pub const $konst: $ty = $ty(1 << $bit);
            )+

            /// Every switch with its name, what it relaxes and its risk, in
            /// declaration order.
            pub(crate) const TABLE: &'static [($ty, &'static str, &'static str, &'static str)] =
                &[$(($ty::$konst, $name, $relaxes, $risk)),+];

            /// Every switch on: for tests and for tools that must read whatever comes.
            pub const ALL: $ty = $ty(0 $(| (1 << $bit))+);
        }
    };
}

leniencies! {
    /// Named relaxations of the strict rules, all off by default: a set of
    /// switches, each one bit.
    ///
    /// Each switch relaxes exactly one rule and takes the risk written beside
    /// it. None of them touches body framing: bare CR or LF in chunk lines,
    /// Transfer-Encoding with Content-Length in requests and differing
    /// Content-Lengths stay errors under every combination. After a message,
    /// [`RequestParser::leniencies_used`](crate::RequestParser::leniencies_used)
    /// tells which switches it needed.
    ///
    /// ```
    /// use h1parse::{Config, Leniency};
    ///
    /// let leniency = Leniency::BARE_LF_IN_HEAD | Leniency::MISSING_HOST;
    /// let cfg = Config { leniency, ..Config::new() };
    /// assert!(cfg.leniency.contains(Leniency::MISSING_HOST));
    /// let names: Vec<&str> = leniency.iter().filter_map(Leniency::name).collect();
    /// assert_eq!(names, ["bare_lf_in_head", "missing_host"]);
    /// assert_eq!(Leniency::from_name("missing_host"), Some(Leniency::MISSING_HOST));
    /// ```
    ///
    /// The switches (the name is what [`Leniency::name`] returns):
    ///
    /// | switch | name | relaxes | risk |
    /// |---|---|---|---|
    pub struct Leniency;

    0 BARE_LF_IN_HEAD "bare_lf_in_head"
        relaxes "a bare LF ends a line in the head and in trailers (RFC 9112 2.2 allows it); chunk-size lines stay strict"
        risk "a peer that treats bare LF as data sees different field lines";
    1 OBS_FOLD_IN_RESPONSES "obs_fold_in_responses"
        relaxes "obs-fold in responses (RFC 9112 5.2 lets a user agent accept it); the value keeps the folds inside it and loses those at its edges"
        risk "a peer that does not unfold sees a different field";
    2 WHITESPACE_BEFORE_COLON_IN_RESPONSES "whitespace_before_colon_in_responses"
        relaxes "whitespace between a field name and the colon in responses (RFC 9112 5.1 only requires servers and proxies to reject it)"
        risk "another parser may see a different field name";
    3 MULTIPLE_SPACES_IN_START_LINE "multiple_spaces_in_start_line"
        relaxes "several SP between the parts of a request or status line"
        risk "another parser may split the line differently";
    4 MISSING_HOST "missing_host"
        relaxes "an HTTP/1.1 request without Host, or with several"
        risk "a proxy and an origin may route the request differently";
    5 ANY_VERSION "any_version"
        relaxes "any `HTTP/DIGIT.DIGIT` version, majors other than 1 read as HTTP/1.1"
        risk "a peer that rejects or downgrades it frames the message differently";
    6 NON_ASCII_TARGET "non_ascii_target"
        relaxes "obs-text (0x80-0xFF) in the request-target"
        risk "other components may decode or normalise the target differently";
    7 TRANSFER_ENCODING_WITH_CONTENT_LENGTH_IN_RESPONSES "transfer_encoding_with_content_length_in_responses"
        relaxes "Transfer-Encoding with Content-Length in a response: the transfer coding wins and the connection closes after it (RFC 9112 6.3 step 3); requests stay strict"
        risk "a peer that honours Content-Length reads a different body; closing limits the damage to one response";
    8 EMPTY_LINES_BEFORE_STATUS_LINE "empty_lines_before_status_line"
        relaxes "empty lines before a status line, as RFC 9112 2.2 allows before a request line"
        risk "stray line ends before a response often mean the previous body was longer than its framing said; this hides that";
    9 ANY_STATUS_CODE "any_status_code"
        relaxes "a three-digit status code outside 100-599, framed as a final response"
        risk "a peer may reject it or give it another class, and frame the response differently";
    10 SPACES_AFTER_CHUNK_SIZE "spaces_after_chunk_size"
        relaxes "SP or HTAB after a chunk size, before `;` or the CRLF"
        risk "a peer that reads the size differently, or rejects the line, disagrees about the body";
    11 CONTROL_CHARS_IN_FIELD_VALUES "control_chars_in_field_values"
        relaxes "control characters (0x01-0x1F but CR and LF, and DEL) in field and trailer values; the values of Content-Length, Transfer-Encoding, Host, Connection and Upgrade stay strict"
        risk "a peer that treats a control character as whitespace or a separator reads a different value";
    12 EMPTY_ELEMENTS_IN_TRANSFER_ENCODING "empty_elements_in_transfer_encoding"
        relaxes "empty elements in a Transfer-Encoding list (`chunked,`, `gzip,,chunked`), ignored as RFC 9110 5.6.1 has recipients do"
        risk "a peer that does not ignore them reads another list (llhttp reads `chunked,` in a response as not chunked)";
}

impl Leniency {
    /// Every switch off: the strict default.
    pub const NONE: Leniency = Leniency(0);

    /// The switches as bits (bit `n` is the `n`-th switch declared).
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// The switches named by `bits`; `None` if a bit names no switch.
    pub const fn from_bits(bits: u32) -> Option<Leniency> {
        if bits & !Leniency::ALL.0 == 0 { Some(Leniency(bits)) } else { None }
    }

    /// The switches named by `bits`, ignoring bits that name none.
    pub const fn from_bits_truncate(bits: u32) -> Leniency {
        Leniency(bits & Leniency::ALL.0)
    }

    /// True if any switch is on.
    pub const fn any(self) -> bool {
        self.0 != 0
    }

    /// True if every switch of `other` is on in `self`.
    #[inline(always)]
    pub const fn contains(self, other: Leniency) -> bool {
        self.0 & other.0 == other.0
    }

    /// Every switch that is on in `self` or in `other`.
    pub const fn union(self, other: Leniency) -> Leniency {
        Leniency(self.0 | other.0)
    }

    /// The switches of `self` that are off in `other`.
    pub const fn difference(self, other: Leniency) -> Leniency {
        Leniency(self.0 & !other.0)
    }

    /// The switches that are on, one at a time, in declaration order.
    pub fn iter(self) -> impl Iterator<Item = Leniency> {
        Leniency::TABLE.iter().map(|&(switch, ..)| switch).filter(move |&switch| self.contains(switch))
    }

    /// The stable snake_case name of a single switch (`None` for a set of
    /// another size).
    pub fn name(self) -> Option<&'static str> {
        Leniency::TABLE.iter().find(|&&(switch, ..)| switch == self).map(|&(_, name, ..)| name)
    }

    /// The switch named `name` (as [`Leniency::name`] gives it).
    pub fn from_name(name: &str) -> Option<Leniency> {
        Leniency::TABLE.iter().find(|&&(_, n, ..)| n == name).map(|&(switch, ..)| switch)
    }
}

impl core::ops::BitOr for Leniency {
    type Output = Leniency;
    fn bitor(self, other: Leniency) -> Leniency {
        self.union(other)
    }
}

impl core::ops::BitOrAssign for Leniency {
    fn bitor_assign(&mut self, other: Leniency) {
        *self = self.union(other);
    }
}

/// The names of the switches that are on: `Leniency(bare_lf_in_head | missing_host)`.
impl core::fmt::Debug for Leniency {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Leniency(")?;
        let mut names = self.iter().filter_map(Leniency::name);
        match names.next() {
            None => f.write_str("NONE")?,
            Some(first) => {
                f.write_str(first)?;
                for name in names {
                    write!(f, " | {name}")?;
                }
            }
        }
        f.write_str(")")
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
        Config { limits: Limits::new(), leniency: Leniency::NONE }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_switch_is_one_bit_with_a_unique_name() {
        let mut seen = Leniency::NONE;
        for (i, &(switch, name, ..)) in Leniency::TABLE.iter().enumerate() {
            assert_eq!(switch.bits(), 1 << i, "{name}: bits are declared in order");
            assert!(!seen.contains(switch), "{name}: bit used twice");
            seen |= switch;
            assert_eq!(switch.name(), Some(name));
            assert_eq!(Leniency::from_name(name), Some(switch));
            assert_eq!(switch.iter().collect::<std::vec::Vec<_>>(), [switch]);
        }
        assert_eq!(seen, Leniency::ALL);
        assert_eq!(Leniency::ALL.iter().count(), Leniency::TABLE.len());
        assert_eq!(Leniency::from_name("no_such_switch"), None);
        assert_eq!((Leniency::MISSING_HOST | Leniency::ANY_VERSION).name(), None, "a set of two has no name");
    }

    #[test]
    fn bits_round_trip_and_unknown_bits_are_refused() {
        for bits in 0..=Leniency::ALL.bits() {
            let l = Leniency::from_bits(bits).expect("every declared combination");
            assert_eq!(l.bits(), bits);
            assert_eq!(l.any(), bits != 0);
        }
        let unknown = Leniency::ALL.bits() + 1;
        assert_eq!(Leniency::from_bits(unknown), None);
        assert_eq!(Leniency::from_bits_truncate(unknown | 1), Leniency::BARE_LF_IN_HEAD);
        let two = Leniency::BARE_LF_IN_HEAD.union(Leniency::MISSING_HOST);
        assert!(two.contains(Leniency::MISSING_HOST) && !two.contains(Leniency::ALL));
        assert_eq!(two.difference(Leniency::MISSING_HOST), Leniency::BARE_LF_IN_HEAD);
        assert_eq!(Config::new().leniency, Leniency::default());
        assert_eq!(Leniency::default(), Leniency::NONE);
    }

    #[test]
    fn debug_names_the_switches() {
        assert_eq!(std::format!("{:?}", Leniency::NONE), "Leniency(NONE)");
        let two = Leniency::MISSING_HOST | Leniency::BARE_LF_IN_HEAD;
        assert_eq!(std::format!("{two:?}"), "Leniency(bare_lf_in_head | missing_host)");
    }
}
