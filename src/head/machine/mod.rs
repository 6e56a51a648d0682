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
//! # Two shortcuts, one machine
//!
//! The states below read a head byte by byte; they are the definition, and
//! what runs for partial lines, leniencies and errors. Two shortcuts leave the
//! machine exactly where the states would, for less work:
//!
//! * the walk (`walk.rs`): whole lines of the common shape found from the
//!   block index, the usual path for a head that arrives whole; its module
//!   note lists each of its entries and exits;
//! * the slow-peer shortcut (`slow_peer.rs`): a few new bytes that only
//!   continue the part being read, or one byte that only moves a field line
//!   on, asked first by the message parser on every call.
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
//! leniency (and skips the `*Lf` state). Other leniencies widen a state's
//! bytes without a new state: obs-text in `Target` (`non_ascii_target`), a
//! second SP before `Target`, `ReqVersion` and `Code`
//! (`multiple_spaces_in_start_line`), control characters but NUL in `Value`
//! and `FoldValue` (`control_chars_in_field_values`), any 3DIGIT code in
//! `Code` (`any_status_code`), any major version (`any_version`).

use super::{FieldSink, FieldSpan, StartLine};
use crate::config::{Config, Leniency};
use crate::error::{ErrorKind, Fault};
use walk::Walked;

mod field_lines;
mod slow_peer;
mod start_line;
mod walk;

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

/// Status codes a response may carry (RFC 9110 15).
const STATUS_CODES: core::ops::RangeInclusive<u16> = 100..=599;

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
    /// In the HTTP-version of a request line.
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
    /// In the text of an obs-fold line.
    FoldValue,
    /// The head is complete; `pos` is its length.
    Done,
}

/// Resumable parser of one head (or one trailer section).
#[derive(Clone, Debug)]
#[cfg_attr(test, derive(PartialEq))]
pub(crate) struct HeadMachine {
    section: Section,
    state: State,
    /// Next byte to examine; everything before it is validated.
    pos: usize,
    /// First index of the current line where only CR/LF may appear.
    line_limit: usize,
    /// First index past the allowed head size.
    head_limit: usize,
    /// Start of the start-line part or the field name being read.
    part_start: usize,
    /// First byte of the value being read (or of an obs-fold line's text).
    value_start: usize,
    /// Offset of the blank line, once the state is `FinalLf` or `Done`.
    blank_line: usize,
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
            part_start: 0,
            value_start: 0,
            blank_line: 0,
            pending: None,
            name: (0, 0),
            start: StartLine { major: 1, minor: 1, ..StartLine::default() },
            used: Leniency::NONE,
            #[cfg(test)]
            validated: 0,
        }
    }

    /// The machine at the first byte of the next head of a `Request` or
    /// `Response` stream, as [`HeadMachine::new`] would build it, writing
    /// only what a head reads before it writes: the offsets of a name, a
    /// value and the blank line are set before any state reads them.
    #[inline(always)]
    pub(crate) fn restart(&mut self, section: Section, cfg: &Config) {
        debug_assert!(section != Section::Trailers);
        self.section = section;
        self.state = if section == Section::Response { State::StatusVersion } else { State::Leading };
        self.pos = 0;
        self.line_limit = cfg.limits.start_line as usize;
        self.head_limit = cfg.limits.head as usize;
        self.part_start = 0;
        self.pending = None;
        self.start = StartLine { major: 1, minor: 1, ..StartLine::default() };
        self.used = Leniency::NONE;
        #[cfg(test)]
        {
            self.validated = 0;
        }
    }

    /// True before the first byte of a message (leading empty lines aside):
    /// end of stream here is a clean end, not an incomplete message.
    pub(crate) fn is_idle(&self) -> bool {
        match self.state {
            State::Leading => true,
            // Nothing of the status line yet (empty lines before it aside).
            State::StatusVersion => self.pos == self.part_start,
            State::LineStart => self.pos == 0,
            _ => false,
        }
    }

    /// Offset of the blank line that ended a complete head.
    pub(crate) fn blank_line(&self) -> usize {
        debug_assert!(self.state == State::Done);
        self.blank_line
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

    /// The state loop of [`HeadMachine::advance`], with the walk tried
    /// wherever it may take over (once per position: where it stopped, the
    /// states go on).
    #[inline(always)]
    fn run<'b, S: FieldSink<'b>>(&mut self, buf: &'b [u8], cfg: &Config, sink: &mut S) -> Result<Option<usize>, Fault> {
        // (A slow peer's few bytes were offered to the slow-peer shortcut first.)
        let mut walked_to = usize::MAX;
        loop {
            if self.walk_may_start(buf) && self.pos != walked_to {
                match self.walk(buf, cfg, sink)? {
                    Walked::Done => return Ok(Some(self.pos)),
                    Walked::NeedMore => return Ok(None),
                    Walked::Stopped => walked_to = self.pos,
                }
            }
            let progressed = match self.state {
                State::Leading => self.before_request_line(buf, cfg)?,
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
                State::Value => self.value(buf, cfg, sink)?,
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
                self.part_start = next;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Limits;

    /// `restart` leaves the machine as `new` builds it, but for the three
    /// offsets a head writes before it reads them: a field added to `new`
    /// and forgotten in `restart` fails here.
    #[test]
    fn restart_builds_what_new_builds() {
        let cfg = Config { limits: Limits { head: 1000, start_line: 300, ..Limits::DEFAULT }, ..Config::default() };
        for section in [Section::Request, Section::Response] {
            let mut m = HeadMachine::new(Section::Trailers, &Config::default());
            (m.state, m.pos, m.line_limit, m.head_limit, m.part_start) = (State::Done, 7, 8, 9, 10);
            (m.value_start, m.blank_line, m.name) = (11, 12, (13, 14));
            m.pending = Some(FieldSpan::default());
            m.start.major = 0;
            m.used = Leniency::ALL;
            m.validated = 15;
            m.restart(section, &cfg);
            let mut fresh = HeadMachine::new(section, &cfg);
            (fresh.value_start, fresh.blank_line, fresh.name) = (m.value_start, m.blank_line, m.name);
            assert_eq!(m, fresh, "{section:?}");
        }
    }
}
