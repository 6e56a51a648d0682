//! Message heads: the start line and the field lines, as borrowed views.
//!
//! `machine` holds the resumable state machine shared by the one-shot API
//! (`oneshot`) and the message parser. It hands the start line and then each
//! field line to a [`FieldSink`] as soon as they are complete: the message
//! parser's sink stores the spans and has `framing` read the fields that
//! decide framing and persistence, so no second pass over the head is
//! needed; the one-shot sink writes headers into the caller's storage.

pub(crate) mod machine;
pub(crate) mod oneshot;

use core::fmt;

use crate::error::Fault;
use crate::framing::lists::{ListElements, coding_name};
use crate::version::Version;

/// Where a field's name and value lie: byte ranges of the input the head
/// (or trailer section) was parsed from, counted from its first byte. A
/// caller that keeps an owned copy of that input can cut names and values
/// out of it without copying ([`Fields::spans`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FieldSpan {
    pub(crate) name: (u32, u32),
    pub(crate) value: (u32, u32),
}

impl FieldSpan {
    /// The field name's bytes.
    pub fn name(&self) -> core::ops::Range<usize> {
        self.name.0 as usize..self.name.1 as usize
    }

    /// The field value's bytes (without the surrounding whitespace).
    pub fn value(&self) -> core::ops::Range<usize> {
        self.value.0 as usize..self.value.1 as usize
    }
}

/// The start line of a head, as offsets from the head's first byte. The
/// spans a role does not have stay empty.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct StartLine {
    /// Request: the method token.
    pub(crate) method: (u32, u32),
    /// Request: the request-target.
    pub(crate) target: (u32, u32),
    /// The HTTP-version as sent.
    pub(crate) version_bytes: (u32, u32),
    /// Response: the status code, valid once `code_bytes` is set; 0 in a
    /// request.
    pub(crate) code: u16,
    /// Response: the status code as sent, set once it is complete.
    pub(crate) code_bytes: (u32, u32),
    /// Response: the reason phrase.
    pub(crate) reason: (u32, u32),
    /// HTTP-version digits.
    pub(crate) major: u8,
    /// See `major`.
    pub(crate) minor: u8,
}

impl StartLine {
    /// The version as it affects parsing.
    pub(crate) fn version(&self) -> Version {
        Version::from_digits(self.major, self.minor)
    }
}

/// Receives the start line once per head, then each field line as soon as
/// it is known to be complete: one by one from the byte states
/// ([`FieldSink::field`]), or through a [`FieldWriter`] from the walk, which
/// keeps the count in a register across many lines.
pub(crate) trait FieldSink<'b> {
    /// The start line of a head (never called for a trailer section), before
    /// its first field; `buf` is the head buffer its spans point into.
    fn start_line(&mut self, buf: &'b [u8], start: &StartLine);
    /// One field; `buf` is the head buffer the span points into. A sink
    /// holding `cfg.limits.headers` fields already (or full) answers
    /// `TooManyHeaders` at the field's first byte.
    fn field(&mut self, buf: &'b [u8], span: FieldSpan) -> Result<(), Fault>;
    /// Forget every field received so far (the machine is starting over).
    fn reset(&mut self);
    /// How many fields it has received since the last reset.
    fn count(&self) -> usize;
    /// What the walk stores fields through.
    type Writer<'w>: FieldWriter<'b>
    where
        Self: 'w;
    /// A writer that appends after the fields so far; they count once it
    /// is dropped.
    fn writer(&mut self) -> Self::Writer<'_>;
}

/// Stores fields one after another for the walk.
pub(crate) trait FieldWriter<'b> {
    /// Stores one field, unless the storage or the field limit is full.
    fn push(&mut self, buf: &'b [u8], span: FieldSpan) -> Pushed;
    /// Reads `span`, the field `push` last stored and said must be read
    /// ([`Pushed::StoredToRead`]): the checks [`FieldSink::field`] makes
    /// after storing a field.
    fn read(&mut self, buf: &'b [u8], span: FieldSpan) -> Result<(), Fault>;
}

/// What [`FieldWriter::push`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pushed {
    /// The field is stored.
    Stored,
    /// The field is stored, and the writer must read it ([`FieldWriter::read`])
    /// before the next one: its name may be one that decides framing.
    StoredToRead,
    /// Nothing stored: the storage or the field limit is full (`field`
    /// reports it, at the right offset).
    Full,
}

/// One header (or trailer) field: name as sent, value with its surrounding
/// whitespace removed. Both borrow the caller's buffer.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Header<'a> {
    /// The field name as sent (a token; compare it case-insensitively).
    pub name: &'a [u8],
    /// The field value without leading and trailing OWS.
    pub value: &'a [u8],
}

impl<'a> Header<'a> {
    /// A header with empty name and value, to fill storage arrays.
    pub const EMPTY: Header<'static> = Header { name: b"", value: b"" };

    /// The name as `&str`. Names are tokens, so this never fails for a name
    /// the parser produced.
    pub fn name_str(&self) -> &'a str {
        core::str::from_utf8(self.name).unwrap_or_default()
    }

    /// True if the name equals `name` (`"host"` or `b"host"`), ignoring
    /// ASCII case (RFC 9110 5.1).
    pub fn is(&self, name: impl AsRef<[u8]>) -> bool {
        self.name.eq_ignore_ascii_case(name.as_ref())
    }
}

impl fmt::Debug for Header<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Header").field("name", &Escaped(self.name)).field("value", &Escaped(self.value)).finish()
    }
}

/// Bytes shown in `Debug` as a quoted string: printable ASCII as is, `"`
/// and `\` escaped, every other byte as `\xHH`.
pub(crate) struct Escaped<'a>(pub(crate) &'a [u8]);

impl fmt::Debug for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        for &b in self.0 {
            match b {
                b'"' => f.write_str("\\\"")?,
                b'\\' => f.write_str("\\\\")?,
                0x20..=0x7e => fmt::Write::write_char(f, char::from(b))?,
                _ => write!(f, "\\x{b:02x}")?,
            }
        }
        f.write_str("\"")
    }
}

/// The header (or trailer) fields of one message, in the order received.
///
/// `'a` is the input's lifetime: names and values are slices of it. `'p` is
/// a shared borrow of the parser that holds where they are, so the parser
/// stays usable (its `&self` methods) while the fields are read.
#[derive(Clone, Copy)]
pub struct Fields<'a, 'p> {
    buf: &'a [u8],
    spans: &'p [FieldSpan],
}

impl<'a, 'p> Fields<'a, 'p> {
    pub(crate) fn new(buf: &'a [u8], spans: &'p [FieldSpan]) -> Self {
        Fields { buf, spans }
    }

    /// Number of field lines.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True if there are no fields.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The fields in order.
    pub fn iter(&self) -> FieldIter<'a, 'p> {
        FieldIter { buf: self.buf, spans: self.spans.iter() }
    }

    /// The value of the first field named `name` (ASCII case-insensitive;
    /// `"host"` or `b"host"`).
    pub fn get(&self, name: impl AsRef<[u8]>) -> Option<&'a [u8]> {
        let name = name.as_ref();
        self.iter().find(|h| h.name.eq_ignore_ascii_case(name)).map(|h| h.value)
    }

    /// The values of every field named `name`, in order (a field may be sent
    /// on several lines; RFC 9110 5.3 reads them as one comma-separated list).
    pub fn get_all<N: AsRef<[u8]>>(&self, name: N) -> impl Iterator<Item = &'a [u8]> + use<'a, 'p, N> {
        self.iter().filter(move |h| h.name.eq_ignore_ascii_case(name.as_ref())).map(|h| h.value)
    }

    /// True if a field named `name` is present.
    pub fn contains(&self, name: impl AsRef<[u8]>) -> bool {
        self.get(name).is_some()
    }

    /// The options of every `Connection` field, in order (RFC 9110 7.6.1):
    /// the tokens a proxy removes with the fields they name.
    pub fn connection_options(&self) -> impl Iterator<Item = &'a [u8]> + use<'a, 'p> {
        self.get_all(b"connection").flat_map(ListElements::new)
    }

    /// The transfer codings of every `Transfer-Encoding` field, in order
    /// (RFC 9112 6.1), by name, parameters dropped. A server answers 501 to
    /// a coding it does not implement (RFC 9112 6.1); in a request the
    /// parser has checked that the last one is `chunked`.
    pub fn transfer_codings(&self) -> impl Iterator<Item = &'a [u8]> + use<'a, 'p> {
        self.get_all(b"transfer-encoding").flat_map(ListElements::new).map(coding_name)
    }

    /// True if an `Expect` field asks for `100-continue` (RFC 9110 10.1.1):
    /// the client waits for a 100 (Continue) before sending the body, so a
    /// server that will read it answers 100 first, and one that will not
    /// answers with the final status (417 for an expectation it refuses).
    pub fn expects_continue(&self) -> bool {
        self.get_all(b"expect").flat_map(ListElements::new).any(|e| e.eq_ignore_ascii_case(b"100-continue"))
    }

    /// Where each field's name and value lie in the input the head was
    /// parsed from (counted from the head's first byte), in order.
    pub fn spans(&self) -> &'p [FieldSpan] {
        self.spans
    }
}

impl<'a, 'p> IntoIterator for Fields<'a, 'p> {
    type Item = Header<'a>;
    type IntoIter = FieldIter<'a, 'p>;

    fn into_iter(self) -> FieldIter<'a, 'p> {
        self.iter()
    }
}

impl<'a, 'p> IntoIterator for &Fields<'a, 'p> {
    type Item = Header<'a>;
    type IntoIter = FieldIter<'a, 'p>;

    fn into_iter(self) -> FieldIter<'a, 'p> {
        self.iter()
    }
}

/// The fields of a [`Fields`], in order.
#[derive(Clone, Debug)]
pub struct FieldIter<'a, 'p> {
    buf: &'a [u8],
    spans: core::slice::Iter<'p, FieldSpan>,
}

impl<'a> Iterator for FieldIter<'a, '_> {
    type Item = Header<'a>;

    fn next(&mut self) -> Option<Header<'a>> {
        let s = self.spans.next()?;
        Some(Header { name: slice(self.buf, s.name), value: slice(self.buf, s.value) })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.spans.size_hint()
    }
}

impl ExactSizeIterator for FieldIter<'_, '_> {}

impl DoubleEndedIterator for FieldIter<'_, '_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let s = self.spans.next_back()?;
        Some(Header { name: slice(self.buf, s.name), value: slice(self.buf, s.value) })
    }
}

impl fmt::Debug for Fields<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[inline]
pub(crate) fn slice(buf: &[u8], (start, end): (u32, u32)) -> &[u8] {
    buf.get(start as usize..end as usize).unwrap_or_default()
}
