//! The head state machine: start line, field lines, blank line.
//!
//! # Idea
//!
//! A head arrives in pieces. The caller keeps the unconsumed bytes in one
//! buffer and hands the parser that buffer again, longer, each time more
//! arrives. The machine remembers *where it stopped* (`pos`) and *what it was
//! doing there* (`state`), so every byte is validated exactly once, however
//! the head is split. Everything it remembers is an offset from the first byte
//! of the head, never a pointer, so the caller may move the buffer between
//! calls.
//!
//! # Invariants
//!
//! * Every byte in `0..pos` has been validated for the state it was read in.
//! * `line_limit` is the first index of the current line at which only CR or
//!   LF may appear; `head_limit` is the first index that would make the head
//!   too large. Both are absolute, so a limit fires at the same byte for
//!   every split.
//! * A field is handed to the sink as soon as its line ends, so its errors
//!   (a bad Content-Length, a conflict) come before any later byte's. Only
//!   when obs-fold is allowed (a leniency for responses) does it wait for the
//!   first byte of the next line, which says whether the value goes on.
//!
//! # Transitions
//!
//! | state           | reads                           | next                                   |
//! |-----------------|---------------------------------|----------------------------------------|
//! | `Leading`       | CR / other                      | `LeadingLf` / `Method`                 |
//! | `Method`        | tchar* SP                       | `Target`                               |
//! | `Target`        | VCHAR* SP                       | `ReqVersion`                           |
//! | `ReqVersion`    | `HTTP/d.d` CR                   | `StartLineLf`                          |
//! | `StatusVersion` | `HTTP/d.d` SP / CR first (leniency) | `Code` / `LeadingLf`               |
//! | `Code`          | 3DIGIT (SP / CR)                | `ReasonWs` / `StartLineLf`             |
//! | `ReasonWs`      | (SP / HTAB)*                    | `Reason`                               |
//! | `Reason`        | (VCHAR/SP/HTAB/obs-text)* CR    | `StartLineLf`                          |
//! | `*Lf`           | LF                              | `FieldsStart` / `LineStart` / `Done` / after an empty line `Leading` (`StatusVersion` in a response) |
//! | `FieldsStart`   | nothing: the start line goes to the sink | `LineStart`                   |
//! | `LineStart`     | CR / SP or HTAB (fold) / tchar  | `FinalLf` / `FoldWs` or error / `FieldName` |
//! | `FieldName`     | tchar* `:` / SP (leniency)      | `ValueWs` / `NameWs`                   |
//! | `NameWs`        | OWS* `:`                        | `ValueWs`                              |
//! | `ValueWs`       | OWS*                            | `Value`                                |
//! | `Value`         | field-vchar / SP / HTAB* CR     | `FieldLf`                              |
//! | `FoldWs`        | OWS* then CR / other            | `FieldLf` / `FoldValue`                |
//! | `FoldValue`     | field-vchar / SP / HTAB* CR     | `FieldLf`                              |
//! | `Done`          | nothing: the head is complete   |                                        |
//!
//! Wherever a CR ends a line, a bare LF does too under the `bare_lf_in_head`
//! leniency (and skips the `*Lf` state).

use super::{FieldSink, FieldSpan, StartLine};
use crate::config::{Config, Leniency};
use crate::error::{ErrorKind, Fault};

mod field_lines;
mod start_line;

const CR: u8 = b'\r';
const LF: u8 = b'\n';
const SP: u8 = b' ';
const HTAB: u8 = b'\t';

/// What the machine parses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Section {
    /// Request line and header section.
    Request,
    /// Status line and header section.
    Response,
    /// A trailer section (RFC 9112 7.1.2): field lines and the blank line.
    Trailers,
}

/// Byte classes of the states a slow peer's bytes usually continue, one bit
/// each, for `only_continues`: field-value bytes (values, reason phrases),
/// tchar (field names, methods), request-target bytes, OWS after a colon.
const VALUE_BIT: u8 = 1;
const TCHAR_BIT: u8 = 2;
const TARGET_BIT: u8 = 4;
/// SP and HTAB: the OWS between a field's colon and its value.
const OWS_BIT: u8 = 8;

/// `CLASSES[b]`: the class bits of byte `b` (from the `chars` tables).
// Evaluated at compile time: an index out of range fails the build.
#[allow(clippy::indexing_slicing)]
const CLASSES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = ((crate::chars::VALUE[b] as u8) * VALUE_BIT)
            | ((crate::chars::TCHAR[b] as u8) * TCHAR_BIT)
            | ((crate::chars::TARGET[b] as u8) * TARGET_BIT)
            | (((b == SP as usize || b == HTAB as usize) as u8) * OWS_BIT);
        b += 1;
    }
    t
};

/// `CONTINUES[state as usize]`: the class bit of the bytes that continue
/// that state, `0` for states a byte never simply continues.
// Evaluated at compile time: an index out of range fails the build.
#[allow(clippy::indexing_slicing)]
const CONTINUES: [u8; State::Done as usize + 1] = {
    let mut t = [0u8; State::Done as usize + 1];
    t[State::Value as usize] = VALUE_BIT;
    t[State::Reason as usize] = VALUE_BIT;
    t[State::FieldName as usize] = TCHAR_BIT;
    t[State::Method as usize] = TCHAR_BIT;
    t[State::Target as usize] = TARGET_BIT;
    t[State::ValueWs as usize] = OWS_BIT;
    t[State::ReasonWs as usize] = OWS_BIT;
    t
};

/// Where the machine stopped. Each variant is handled by one method below.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Before a request line: empty lines are skipped (RFC 9112 2.2).
    Leading,
    /// CR of an empty leading line seen; LF must follow.
    LeadingLf,
    /// In the method token.
    Method,
    /// In the request-target.
    Target,
    /// In the HTTP-version of a request line; `mark` is its first byte.
    ReqVersion,
    /// In the HTTP-version of a status line.
    StatusVersion,
    /// In the status code.
    Code,
    /// After the SP that follows the code: whitespace, not yet the reason.
    ReasonWs,
    /// In the reason phrase.
    Reason,
    /// CR of the start line seen; LF must follow.
    StartLineLf,
    /// The start line is complete: it goes to the sink, once, before the
    /// first field line.
    FieldsStart,
    /// At the first byte of a field line or of the blank line.
    LineStart,
    /// In a field name.
    FieldName,
    /// Between a field name and its colon (leniency only).
    NameWs,
    /// After the colon, skipping OWS.
    ValueWs,
    /// In a field value.
    Value,
    /// CR of a field line seen; LF must follow.
    FieldLf,
    /// CR of the blank line seen; LF must follow.
    FinalLf,
    /// At the whitespace that starts an obs-fold line (leniency only): the
    /// field held back in `pending` goes on; OWS before its text is skipped.
    FoldWs,
    /// In the text of an obs-fold line; `mark` is its first byte.
    FoldValue,
    /// The head is complete; `pos` is its length.
    Done,
}

/// Resumable parser of one head (or one trailer section).
#[derive(Clone, Debug)]
pub(crate) struct HeadMachine {
    section: Section,
    state: State,
    /// Next byte to examine; everything before it is validated.
    pos: usize,
    /// First index of the current line where only CR/LF may appear.
    line_limit: usize,
    /// First index past the allowed head size.
    head_limit: usize,
    /// Start of the part being scanned (method, target, version, name, ...).
    mark: usize,
    /// The field whose line ended, not yet handed to the sink.
    pending: Option<FieldSpan>,
    /// Name of the field being parsed.
    name: (u32, u32),
    /// The start line, complete once the state is past `StartLineLf`.
    pub(crate) start: StartLine,
    /// The leniencies this head (or trailer section) needed.
    pub(crate) used: Leniency,
    /// Tests only: bytes moved past, summed over all calls. Equal to the
    /// head length exactly when no call went back over validated bytes.
    #[cfg(test)]
    pub(crate) validated: usize,
}

type Step = Result<bool, Fault>;

impl HeadMachine {
    /// A machine at the first byte of a head or trailer section.
    #[inline]
    pub(crate) fn new(section: Section, cfg: &Config) -> Self {
        let (state, head_limit) = match section {
            Section::Request => (State::Leading, cfg.limits.head),
            Section::Response => (State::StatusVersion, cfg.limits.head),
            Section::Trailers => (State::LineStart, cfg.limits.trailers),
        };
        let line_max = match section {
            Section::Trailers => cfg.limits.field_line,
            _ => cfg.limits.start_line,
        };
        HeadMachine {
            section,
            state,
            pos: 0,
            line_limit: line_max as usize,
            head_limit: head_limit as usize,
            mark: 0,
            pending: None,
            name: (0, 0),
            start: StartLine { major: 1, minor: 1, ..StartLine::default() },
            used: Leniency::NONE,
            #[cfg(test)]
            validated: 0,
        }
    }

    /// True before the first byte of a message (leading empty lines aside):
    /// end of stream here is a clean end, not an incomplete message.
    pub(crate) fn is_idle(&self) -> bool {
        match self.state {
            State::Leading => true,
            // Nothing of the status line yet (empty lines before it aside).
            State::StatusVersion => self.pos == self.mark,
            State::LineStart => self.pos == 0,
            _ => false,
        }
    }

    /// Offset of the blank line that ended a complete head.
    pub(crate) fn blank_line(&self) -> usize {
        debug_assert!(self.state == State::Done);
        self.mark
    }

    /// Validates `buf` from where the last call stopped. `Ok(Some(len))`:
    /// the head is complete and is `buf[..len]`; `Ok(None)`: every byte of
    /// `buf` is validated and more are needed.
    ///
    /// `buf` must start with the same bytes as on the previous call. If it is
    /// shorter than what was already validated, the machine starts over.
    pub(crate) fn advance<'b, S: FieldSink<'b>>(
        &mut self,
        buf: &'b [u8],
        cfg: &Config,
        sink: &mut S,
    ) -> Result<Option<usize>, Fault> {
        if buf.len() < self.pos {
            *self = HeadMachine::new(self.section, cfg);
            sink.reset();
        }
        #[cfg(test)]
        let resumed_at = self.pos;
        let result = self.run(buf, cfg, sink);
        #[cfg(test)]
        {
            self.validated += self.pos - resumed_at;
        }
        result
    }

    /// The cheapest call there is: when the bytes that arrived since the last
    /// call only continue the part being read (see `only_continues`), or are
    /// one byte that only moves a field line on to its next part (see
    /// `one_step`), moves past them and returns `true`: the machine then
    /// needs more input. Exactly what [`HeadMachine::advance`] would do,
    /// without setting up a sink; the message parser asks this first on
    /// every call in a head or trailer section.
    #[inline(always)]
    pub(crate) fn continues(&mut self, buf: &[u8], cfg: &Config) -> bool {
        // (Both want new bytes: a `buf` shorter than `pos` is no for both.)
        if !self.only_continues(buf) && !self.one_step(buf, cfg) {
            return false;
        }
        #[cfg(test)]
        {
            self.validated += buf.len() - self.pos;
        }
        self.pos = buf.len();
        true
    }

    /// A slow peer's single new byte at `pos` that moves a field line on
    /// without completing anything: a name's first byte, its colon, a
    /// value's first byte, the LF that ends a line. Makes the transition the
    /// states would make (all but moving `pos`) and returns `true` when the
    /// states would then ask for more input; `false`, untouched, for
    /// everything else (the states decide: a field to hand over, a limit,
    /// an error, a leniency).
    #[inline(always)]
    fn one_step(&mut self, buf: &[u8], cfg: &Config) -> bool {
        let (i, len) = (self.pos, buf.len());
        // One new byte; the next would be inside the head limit (at the
        // limit the states report it as soon as they ask for more).
        if len != i.wrapping_add(1) || len >= self.head_limit {
            return false;
        }
        let Some(&b) = buf.get(i) else {
            return false;
        };
        // Inside the line limit (an LF after CR is exempt from it).
        let in_line = len <= self.line_limit;
        let class = CLASSES.get(usize::from(b)).copied().unwrap_or(0);
        match self.state {
            // `expect_lf` and `after_lf`: the next field line starts. (After
            // the start line the states hand it to the sink first.)
            State::FieldLf if b == LF => {
                self.state = State::LineStart;
                self.line_limit = len.saturating_add(cfg.limits.field_line as usize);
            }
            // `line_start` then `field_name`: the name's first byte (no
            // field held back for obs-fold to flush).
            State::LineStart if in_line && class & TCHAR_BIT != 0 && self.pending.is_none() => {
                self.mark = i;
                self.state = State::FieldName;
            }
            // `field_name`: the colon after a non-empty name.
            State::FieldName if in_line && b == b':' && i > self.mark => {
                self.name = (self.mark as u32, i as u32);
                self.state = State::ValueWs;
            }
            // `value_ws` then `value`: the value's first byte.
            State::ValueWs if in_line && class & VALUE_BIT != 0 && b != SP && b != HTAB => {
                self.mark = i;
                self.state = State::Value;
            }
            _ => return false,
        }
        true
    }

    /// The state loop of [`HeadMachine::advance`].
    #[inline(always)]
    fn run<'b, S: FieldSink<'b>>(&mut self, buf: &'b [u8], cfg: &Config, sink: &mut S) -> Result<Option<usize>, Fault> {
        // (A slow peer's few bytes were offered to `continues` first.)
        loop {
            let progressed = match self.state {
                State::Leading => self.leading(buf, cfg)?,
                State::Method => self.method(buf)?,
                State::Target => self.target(buf, cfg)?,
                State::ReqVersion | State::StatusVersion => self.version(buf, cfg)?,
                State::Code => self.code(buf, cfg)?,
                State::ReasonWs => self.reason_ws(buf)?,
                State::Reason => self.reason(buf, cfg)?,
                State::FieldsStart => {
                    sink.start_line(buf, &self.start);
                    self.state = State::LineStart;
                    true
                }
                State::LineStart => self.line_start(buf, cfg, sink)?,
                State::FieldName => self.field_name(buf, cfg)?,
                State::NameWs => self.name_ws(buf)?,
                State::ValueWs => self.value_ws(buf)?,
                State::Value => self.value_state(buf, cfg, sink)?,
                State::FoldWs => self.fold_ws(buf, cfg)?,
                State::FoldValue => self.fold_value(buf, cfg)?,
                State::LeadingLf | State::StartLineLf | State::FieldLf | State::FinalLf => self.expect_lf(buf, cfg)?,
                State::Done => return Ok(Some(self.pos)),
            };
            if !progressed {
                return Ok(None);
            }
        }
    }

    /// True when the few bytes that arrived since the last call (a slow
    /// peer) all continue the token, target, value or reason being read, and
    /// the end of the input is inside every limit: the state's method would
    /// move past them and ask for more, which the caller does without the
    /// dispatch. Checked by table, up to `SLOW_PEER` new bytes.
    #[inline(always)]
    fn only_continues(&self, buf: &[u8]) -> bool {
        /// More new bytes than this go through the states (vector scans).
        const SLOW_PEER: usize = 8;
        let len = buf.len();
        // 1 to SLOW_PEER new bytes (none, or `buf` shorter than `pos`: no).
        if len.wrapping_sub(self.pos).wrapping_sub(1) >= SLOW_PEER {
            return false;
        }
        // `0` for a state no byte simply continues: the first new byte fails.
        let class = CONTINUES.get(self.state as usize).copied().unwrap_or(0);
        len < self.head_limit
            && len <= self.line_limit
            && buf
                .get(self.pos..)
                .is_some_and(|new| new.iter().all(|&b| CLASSES.get(usize::from(b)).is_some_and(|&c| c & class != 0)))
    }

    // ---- limits and bytes -------------------------------------------------

    /// The byte at `i`, after the limit checks; `None` if not yet received.
    #[inline]
    fn peek(&self, buf: &[u8], i: usize) -> Result<Option<u8>, Fault> {
        if i >= self.head_limit {
            let kind = match self.section {
                Section::Trailers => ErrorKind::TrailersTooLarge,
                _ => ErrorKind::HeadTooLarge,
            };
            return Err(Fault::new(kind, self.head_limit));
        }
        let Some(&b) = buf.get(i) else {
            return Ok(None);
        };
        // The byte after a CR is an LF or a bare CR, never a long line.
        if i >= self.line_limit && b != CR && b != LF && !self.after_cr() {
            return Err(Fault::new(self.line_too_long(), self.line_limit));
        }
        Ok(Some(b))
    }

    fn after_cr(&self) -> bool {
        matches!(self.state, State::LeadingLf | State::StartLineLf | State::FieldLf | State::FinalLf)
    }

    fn line_too_long(&self) -> ErrorKind {
        match self.state {
            State::Method
            | State::Target
            | State::ReqVersion
            | State::StatusVersion
            | State::Code
            | State::ReasonWs
            | State::Reason => ErrorKind::StartLineTooLong,
            _ => ErrorKind::FieldLineTooLong,
        }
    }

    /// Exclusive end of the bytes a class scan may look at.
    #[inline]
    fn window(&self, buf: &[u8]) -> usize {
        buf.len().min(self.line_limit).min(self.head_limit)
    }

    fn begin_line(&mut self, at: usize, max: u32) {
        self.pos = at;
        self.line_limit = at.saturating_add(max as usize);
    }

    /// `b` (CR or LF) at `i` ends the current line; `lf_state` is the state
    /// that waits for the LF after a CR.
    fn line_end(&mut self, b: u8, i: usize, lf_state: State, cfg: &Config) -> Step {
        if b == CR {
            self.pos = i + 1;
            self.state = lf_state;
            Ok(true)
        } else if cfg.leniency.contains(Leniency::BARE_LF_IN_HEAD) {
            self.used |= Leniency::BARE_LF_IN_HEAD;
            self.state = lf_state;
            self.after_lf(i + 1, cfg);
            Ok(true)
        } else {
            Err(Fault::new(ErrorKind::BareLf, i))
        }
    }

    /// The LF of a line was at `next - 1`: move to what follows that line.
    fn after_lf(&mut self, next: usize, cfg: &Config) {
        match self.state {
            // After an empty line a request line may start; so may a status
            // line (leniency), which is read as from its first byte.
            State::LeadingLf if self.section == Section::Response => {
                self.state = State::StatusVersion;
                self.mark = next;
                self.begin_line(next, cfg.limits.start_line);
            }
            State::LeadingLf => {
                self.state = State::Leading;
                self.pos = next;
            }
            State::FinalLf => {
                self.state = State::Done;
                self.pos = next;
            }
            State::StartLineLf => {
                self.state = State::FieldsStart;
                self.begin_line(next, cfg.limits.field_line);
            }
            _ => {
                self.state = State::LineStart;
                self.begin_line(next, cfg.limits.field_line);
            }
        }
    }

    /// In any `*Lf` state: the byte after CR must be LF (RFC 9112 2.2).
    fn expect_lf(&mut self, buf: &[u8], cfg: &Config) -> Step {
        match self.peek(buf, self.pos)? {
            None => Ok(false),
            Some(LF) => {
                self.after_lf(self.pos + 1, cfg);
                Ok(true)
            }
            Some(_) => Err(Fault::new(ErrorKind::BareCr, self.pos - 1)),
        }
    }
}
