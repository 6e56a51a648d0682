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
//! | state         | reads                         | next                                  |
//! |---------------|-------------------------------|---------------------------------------|
//! | `Leading`     | CR / other                    | `LeadingLf` / `Method`                |
//! | `Method`      | tchar* SP                     | `Target`                              |
//! | `Target`      | VCHAR* SP                     | `ReqVersion`                          |
//! | `ReqVersion`  | `HTTP/d.d` CR                 | `StartLineLf`                         |
//! | `StatusVersion` | `HTTP/d.d` SP               | `Code`                                |
//! | `Code`        | 3DIGIT (SP / CR)              | `Reason` / `StartLineLf`              |
//! | `Reason`      | (VCHAR/SP/HTAB/obs-text)* CR  | `StartLineLf`                         |
//! | `*Lf`         | LF                            | `LineStart` / `Leading` / `Done`      |
//! | `LineStart`   | CR / SP (fold) / tchar        | `FinalLf` / error / `FieldName`       |
//! | `FieldName`   | tchar* `:`                    | `ValueWs`                             |
//! | `ValueWs`     | OWS*                          | `Value`                               |
//! | `Value`       | field-vchar / SP / HTAB* CR   | `FieldLf`                             |

use super::{FieldSink, FieldSpan, StartInfo, Version};
use crate::config::{Config, Leniency};
use crate::error::ErrorKind;
use crate::simd;

const CR: u8 = b'\r';
const LF: u8 = b'\n';
const SP: u8 = b' ';
const HTAB: u8 = b'\t';

/// An error at an offset relative to the first byte of the head.
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
    /// In the reason phrase.
    Reason,
    /// CR of the start line seen; LF must follow.
    StartLineLf,
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
    /// Fields handed to the sink so far.
    fields: u16,
    /// Start-line parts: request (method, target, version),
    /// response (version, code, reason).
    pub(crate) parts: [(u32, u32); 3],
    /// HTTP-version digits, valid once the version has been read.
    pub(crate) major: u8,
    /// See `major`.
    pub(crate) minor: u8,
    /// Status code of a response.
    pub(crate) code: u16,
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
            fields: 0,
            parts: [(0, 0); 3],
            major: 1,
            minor: 1,
            code: 0,
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
            State::StatusVersion | State::LineStart => self.pos == 0,
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

    /// The state loop of [`HeadMachine::advance`].
    #[inline(always)]
    fn run<'b, S: FieldSink<'b>>(&mut self, buf: &'b [u8], cfg: &Config, sink: &mut S) -> Result<Option<usize>, Fault> {
        if self.only_continues(buf) {
            // Exactly what the state's method would do with these bytes.
            self.pos = buf.len();
            return Ok(None);
        }
        loop {
            let progressed = match self.state {
                State::Leading => self.leading(buf, cfg)?,
                State::Method => self.method(buf)?,
                State::Target => self.target(buf, cfg)?,
                State::ReqVersion | State::StatusVersion => self.version(buf, cfg)?,
                State::Code => self.code(buf, cfg)?,
                State::Reason => self.reason(buf, cfg)?,
                State::LineStart => self.line_start(buf, cfg, sink)?,
                State::FieldName => self.field_name(buf, cfg)?,
                State::NameWs => self.name_ws(buf)?,
                State::ValueWs => self.value_ws(buf)?,
                State::Value => self.value(buf, cfg, sink)?,
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
        if len.wrapping_sub(self.pos) > SLOW_PEER {
            return false;
        }
        let class = match self.state {
            State::Value | State::Reason => &crate::chars::VALUE,
            State::FieldName | State::Method => &crate::chars::TCHAR,
            State::Target => &crate::chars::TARGET,
            _ => return false,
        };
        len < self.head_limit
            && len <= self.line_limit
            && buf.get(self.pos..).is_some_and(|new| new.iter().all(|&b| class[b as usize]))
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
            State::Method | State::Target | State::ReqVersion | State::StatusVersion | State::Code | State::Reason => {
                ErrorKind::StartLineTooLong
            }
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
        } else if cfg.leniency.bare_lf_in_head {
            self.used.bare_lf_in_head = true;
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
            State::LeadingLf => {
                self.state = State::Leading;
                self.pos = next;
            }
            State::FinalLf => {
                self.state = State::Done;
                self.pos = next;
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

    // ---- start line -------------------------------------------------------

    /// Skips empty lines before a request line (RFC 9112 2.2).
    fn leading(&mut self, buf: &[u8], cfg: &Config) -> Step {
        // Empty lines are not part of the request line: its limit counts
        // from here (the head limit still counts every byte).
        self.begin_line(self.pos, cfg.limits.start_line);
        let Some(b) = self.peek(buf, self.pos)? else {
            return Ok(false);
        };
        match b {
            CR | LF => self.line_end(b, self.pos, State::LeadingLf, cfg),
            _ => {
                self.begin_line(self.pos, cfg.limits.start_line);
                self.mark = self.pos;
                self.state = State::Method;
                self.request_line(buf, cfg)
            }
        }
    }

    /// The rest of a request line, state by state without going back to the
    /// dispatch loop (the same transitions `run` would make; a speed-up only).
    #[inline(always)]
    fn request_line(&mut self, buf: &[u8], cfg: &Config) -> Step {
        if !self.method(buf)? {
            return Ok(false);
        }
        if self.state != State::Target {
            return Ok(true);
        }
        self.rest_of_request_line(buf, cfg)
    }

    /// From the request-target on (`Target` state), as [`Self::request_line`].
    /// A step that needs more input ends the chain with `Ok(false)`, as it
    /// would end the dispatch loop.
    #[inline(always)]
    fn rest_of_request_line(&mut self, buf: &[u8], cfg: &Config) -> Step {
        if !self.target(buf, cfg)? {
            return Ok(false);
        }
        if self.state != State::ReqVersion {
            return Ok(true);
        }
        if !self.version(buf, cfg)? {
            return Ok(false);
        }
        if self.state != State::StartLineLf {
            return Ok(true);
        }
        self.expect_lf(buf, cfg)
    }

    /// `method = token` then one SP (RFC 9112 3.1).
    fn method(&mut self, buf: &[u8]) -> Step {
        // Methods are short: a few bytes by table before any vector call.
        let i = simd::skip_short_token(buf, self.pos, self.window(buf));
        self.pos = i;
        match self.peek(buf, i)? {
            None => Ok(false),
            Some(SP) if i > self.mark => {
                self.parts[0] = (self.mark as u32, i as u32);
                self.next_part(i + 1, State::Target);
                Ok(true)
            }
            Some(CR | LF) if i > self.mark => Err(Fault::new(ErrorKind::BadStartLine, i)),
            Some(_) => Err(Fault::new(ErrorKind::BadMethod, i)),
        }
    }

    fn next_part(&mut self, at: usize, state: State) {
        self.pos = at;
        self.mark = at;
        self.state = state;
    }

    /// Extra SP where one separates start-line parts: skipped only with the
    /// `multiple_spaces_in_start_line` leniency.
    fn skip_extra_space(&mut self, i: usize, cfg: &Config) -> Step {
        if cfg.leniency.multiple_spaces_in_start_line {
            self.used.multiple_spaces_in_start_line = true;
            self.next_part(i + 1, self.state);
            Ok(true)
        } else {
            Err(Fault::new(ErrorKind::BadStartLine, i))
        }
    }

    /// `request-target` then one SP (RFC 9112 3.2): VCHAR only by default.
    fn target(&mut self, buf: &[u8], cfg: &Config) -> Step {
        let end = self.window(buf);
        let mut i = simd::skip_target(buf, self.pos, end, false);
        if cfg.leniency.non_ascii_target && buf.get(i).is_some_and(|&b| b >= 0x80) {
            self.used.non_ascii_target = true;
            i = simd::skip_target(buf, i, end, true);
        }
        self.pos = i;
        match self.peek(buf, i)? {
            None => Ok(false),
            Some(SP) if i == self.mark => self.skip_extra_space(i, cfg),
            Some(SP) => {
                self.parts[1] = (self.mark as u32, i as u32);
                self.next_part(i + 1, State::ReqVersion);
                Ok(true)
            }
            Some(CR | LF) => Err(Fault::new(ErrorKind::BadStartLine, i)),
            Some(_) => Err(Fault::new(ErrorKind::BadTarget, i)),
        }
    }

    /// `HTTP-version = "HTTP/" DIGIT "." DIGIT` (RFC 9112 2.3), case-sensitive,
    /// checked byte by byte so a bad byte is found as soon as it arrives.
    fn version(&mut self, buf: &[u8], cfg: &Config) -> Step {
        // Fast path, same result as the loop: the common `HTTP/1.x` with all
        // eight bytes received and inside the limits.
        if self.pos == self.mark && self.pos + 8 <= self.window(buf) {
            if let Some(&[b'H', b'T', b'T', b'P', b'/', b'1', b'.', minor]) = buf.get(self.pos..self.pos + 8) {
                if minor.is_ascii_digit() {
                    self.major = 1;
                    self.minor = minor - b'0';
                    self.pos += 8;
                }
            }
        }
        while let Some(b) = self.peek(buf, self.pos)? {
            let i = self.pos;
            let ok = match i - self.mark {
                0 if b == SP && self.state == State::ReqVersion => {
                    return self.skip_extra_space(i, cfg);
                }
                idx @ 0..=4 => b == b"HTTP/"[idx],
                5 => {
                    if !b.is_ascii_digit() {
                        return Err(Fault::new(ErrorKind::BadVersion, i));
                    }
                    self.major = b - b'0';
                    if self.major != 1 {
                        if !cfg.leniency.any_version {
                            return Err(Fault::new(ErrorKind::UnsupportedVersion, i));
                        }
                        self.used.any_version = true;
                    }
                    true
                }
                6 => b == b'.',
                7 if b.is_ascii_digit() => {
                    self.minor = b - b'0';
                    true
                }
                7 => false,
                _ => return self.version_end(b, i, cfg),
            };
            if !ok {
                return Err(Fault::new(ErrorKind::BadVersion, i));
            }
            self.pos = i + 1;
        }
        Ok(false)
    }

    /// The byte after a complete version: CR in a request line, SP in a status line.
    fn version_end(&mut self, b: u8, i: usize, cfg: &Config) -> Step {
        let span = (self.mark as u32, i as u32);
        match (self.state, b) {
            (State::ReqVersion, CR | LF) => {
                self.parts[2] = span;
                self.line_end(b, i, State::StartLineLf, cfg)
            }
            (State::StatusVersion, SP) => {
                self.parts[0] = span;
                self.next_part(i + 1, State::Code);
                Ok(true)
            }
            (State::StatusVersion, CR | LF) => Err(Fault::new(ErrorKind::BadStartLine, i)),
            _ => Err(Fault::new(ErrorKind::BadVersion, i)),
        }
    }

    /// `status-code = 3DIGIT` (RFC 9112 4), 100..=599 (RFC 9110 15), then SP
    /// and a reason, or directly CRLF (an empty reason without its SP).
    fn code(&mut self, buf: &[u8], cfg: &Config) -> Step {
        while let Some(b) = self.peek(buf, self.pos)? {
            let i = self.pos;
            match i - self.mark {
                0 if b == SP => return self.skip_extra_space(i, cfg),
                0..=2 if b.is_ascii_digit() => {
                    self.code = self.code * 10 + u16::from(b - b'0');
                    self.pos = i + 1;
                }
                3 if matches!(b, SP | CR | LF) => {
                    if !(100..=599).contains(&self.code) {
                        return Err(Fault::new(ErrorKind::BadStatusCode, self.mark));
                    }
                    self.parts[1] = (self.mark as u32, i as u32);
                    if b == SP {
                        self.next_part(i + 1, State::Reason);
                        return Ok(true);
                    }
                    self.parts[2] = (i as u32, i as u32);
                    return self.line_end(b, i, State::StartLineLf, cfg);
                }
                _ => return Err(Fault::new(ErrorKind::BadStatusCode, i)),
            }
        }
        Ok(false)
    }

    /// `reason-phrase = *( HTAB / SP / VCHAR / obs-text )` (RFC 9112 4).
    fn reason(&mut self, buf: &[u8], cfg: &Config) -> Step {
        let i = simd::skip_value(buf, self.pos, self.window(buf));
        self.pos = i;
        match self.peek(buf, i)? {
            None => Ok(false),
            Some(b @ (CR | LF)) => {
                self.parts[2] = (self.mark as u32, i as u32);
                self.line_end(b, i, State::StartLineLf, cfg)
            }
            Some(_) => Err(Fault::new(ErrorKind::BadReason, i)),
        }
    }

    // ---- field lines ------------------------------------------------------

    /// First byte of a line in the field section.
    fn line_start<'b, S: FieldSink<'b>>(&mut self, buf: &'b [u8], cfg: &Config, sink: &mut S) -> Step {
        if self.common_field_lines(buf, cfg, sink)? {
            return Ok(false);
        }
        let i = self.pos;
        let Some(b) = self.peek(buf, i)? else {
            return Ok(false);
        };
        if b == SP || b == HTAB {
            return self.folded_line(i, cfg);
        }
        if let Some(field) = self.pending.take() {
            self.emit(buf, field, cfg, sink)?;
        }
        match b {
            CR | LF => {
                self.mark = i;
                self.line_end(b, i, State::FinalLf, cfg)
            }
            _ => {
                self.mark = i;
                self.state = State::FieldName;
                self.field_line(buf, cfg, sink)
            }
        }
    }

    /// Fast path over complete field lines of the common shape: `token ":"
    /// OWS value CRLF`, every byte received and inside the limits, the next
    /// line's first byte not SP or HTAB. Each such line leaves the machine in
    /// exactly the state the byte-by-byte states would (the field emitted, or
    /// pending where folding is allowed; `LineStart` at the next line).
    ///
    /// When the input ends inside such a line (a slow peer, a read that ended
    /// mid-line), the machine is left in the state the byte-by-byte states
    /// would reach for the same bytes (`FieldName`, `ValueWs`, `Value` or
    /// `FieldLf`) and this returns `true`: every byte is validated, more are
    /// needed. Anything else (a leniency, an error, a limit) stops the loop at
    /// the start of that line, for the states below to handle. Nothing is
    /// validated twice across calls: `pos` only moves forward.
    #[inline(always)]
    fn common_field_lines<'b, S: FieldSink<'b>>(
        &mut self,
        buf: &'b [u8],
        cfg: &Config,
        sink: &mut S,
    ) -> Result<bool, Fault> {
        let head_end = buf.len().min(self.head_limit);
        let open_end = if buf.len() < self.head_limit { buf.len() } else { usize::MAX };
        loop {
            let start = self.pos;
            let window = head_end.min(self.line_limit);
            // Where the byte-by-byte states would ask for more input: the
            // end of what was received, inside every limit. (A scan result
            // `i <= window <= buf.len()`, so `i == buf.len()` means the window
            // reached the end of the input, below the line limit.)
            let ran_out = |i: usize| i == open_end;
            match buf.get(start) {
                Some(&b) if start < window && !matches!(b, SP | HTAB | CR | LF) => {}
                _ => return Ok(false),
            }
            // `skip_token`, the OWS and `skip_value` of this line, in one call.
            let (colon, value, cr) = simd::field_line(buf, start, window);
            if ran_out(colon) {
                self.flush_pending(buf, cfg, sink)?;
                self.mark = start;
                self.state = State::FieldName;
                self.pos = colon;
                return Ok(true);
            }
            if colon == start || colon >= window || buf.get(colon) != Some(&b':') {
                return Ok(false);
            }
            if ran_out(value) {
                self.flush_pending(buf, cfg, sink)?;
                self.mark = start;
                self.name = (start as u32, colon as u32);
                self.state = State::ValueWs;
                self.pos = value;
                return Ok(true);
            }
            if ran_out(cr) {
                self.flush_pending(buf, cfg, sink)?;
                self.name = (start as u32, colon as u32);
                self.mark = value;
                self.state = State::Value;
                self.pos = cr;
                return Ok(true);
            }
            if cr >= window || buf.get(cr) != Some(&CR) {
                return Ok(false);
            }
            let lf_arrived = match buf.get(cr + 1) {
                Some(&LF) if cr + 1 < self.head_limit => true,
                None if cr + 1 < self.head_limit => false,
                _ => return Ok(false),
            };
            self.flush_pending(buf, cfg, sink)?;
            let mut end = cr;
            while end > value && buf.get(end - 1).is_some_and(|&c| c == SP || c == HTAB) {
                end -= 1;
            }
            self.name = (start as u32, colon as u32);
            self.mark = value;
            // The span is built from locals at each use (not once, from
            // `self.name`): read back from memory it stalls store forwarding.
            let (name, value) = ((start as u32, colon as u32), (value as u32, end as u32));
            if self.may_fold(cfg) {
                self.pending = Some(FieldSpan { name, value });
            } else {
                self.emit(buf, FieldSpan { name, value }, cfg, sink)?;
            }
            if !lf_arrived {
                self.state = State::FieldLf;
                self.pos = cr + 1;
                return Ok(true);
            }
            self.begin_line(cr + 2, cfg.limits.field_line);
        }
    }

    /// Hands the held-back field (obs-fold allowed) to the sink: the next
    /// line does not start with whitespace.
    #[inline(always)]
    fn flush_pending<'b, S: FieldSink<'b>>(&mut self, buf: &'b [u8], cfg: &Config, sink: &mut S) -> Result<(), Fault> {
        match self.pending.take() {
            Some(field) => self.emit(buf, field, cfg, sink),
            None => Ok(()),
        }
    }

    /// The rest of a field line, state by state without going back to the
    /// dispatch loop: the same transitions `run` would make, in the same
    /// order (a speed-up only). Stops at the first state that needs more
    /// input or leaves the common path (leniencies, errors).
    #[inline(always)]
    fn field_line<'b, S: FieldSink<'b>>(&mut self, buf: &'b [u8], cfg: &Config, sink: &mut S) -> Step {
        if !self.field_name(buf, cfg)? {
            return Ok(false);
        }
        if self.state != State::ValueWs {
            return Ok(true);
        }
        if !self.value_ws(buf)? {
            return Ok(false);
        }
        self.rest_of_value(buf, cfg, sink)
    }

    /// From the `Value` state to the end of the line, as [`Self::field_line`].
    #[inline(always)]
    fn rest_of_value<'b, S: FieldSink<'b>>(&mut self, buf: &'b [u8], cfg: &Config, sink: &mut S) -> Step {
        if !self.value(buf, cfg, sink)? {
            return Ok(false);
        }
        if self.state != State::FieldLf {
            return Ok(true);
        }
        self.expect_lf(buf, cfg)
    }

    /// A line that starts with whitespace: obs-fold after a field (RFC 9112
    /// 5.2), or whitespace before the first field (RFC 9112 2.2). Both are
    /// rejected unless a response may fold.
    fn folded_line(&mut self, i: usize, cfg: &Config) -> Step {
        match self.pending.take() {
            // Only held back when folding is allowed (see `value`).
            Some(field) => {
                debug_assert!(self.may_fold(cfg));
                self.used.obs_fold_in_responses = true;
                // The value goes on: keep its start, expose the fold raw.
                self.name = field.name;
                self.mark = field.value.0 as usize;
                self.state = State::Value;
                Ok(true)
            }
            None if self.fields > 0 => Err(Fault::new(ErrorKind::ObsFold, i)),
            None => Err(Fault::new(ErrorKind::BadFieldName, i)),
        }
    }

    /// obs-fold is accepted only in responses, with the leniency (RFC 9112 5.2).
    fn may_fold(&self, cfg: &Config) -> bool {
        self.section == Section::Response && cfg.leniency.obs_fold_in_responses
    }

    /// What the start line said, for the sink's framing checks.
    fn start_info(&self) -> StartInfo {
        StartInfo { version: Version::from_digits(self.major, self.minor), code: self.code }
    }

    // Inlined: a span built from narrow stores and read back through a
    // pointer as one 16-byte load stalls store forwarding (~40% of a field's cost).
    #[inline(always)]
    fn emit<'b, S: FieldSink<'b>>(
        &mut self,
        buf: &'b [u8],
        field: FieldSpan,
        cfg: &Config,
        sink: &mut S,
    ) -> Result<(), Fault> {
        if self.fields >= cfg.limits.headers {
            return Err(Fault::new(ErrorKind::TooManyHeaders, field.name.0 as usize));
        }
        self.fields += 1;
        sink.field(buf, field, self.start_info())
    }

    /// `field-name = token` then `:` with no whitespace between (RFC 9112 5.1).
    fn field_name(&mut self, buf: &[u8], cfg: &Config) -> Step {
        let i = simd::skip_token(buf, self.pos, self.window(buf));
        self.pos = i;
        match self.peek(buf, i)? {
            None => Ok(false),
            Some(b':') if i > self.mark => {
                self.name = (self.mark as u32, i as u32);
                self.pos = i + 1;
                self.state = State::ValueWs;
                Ok(true)
            }
            Some(SP | HTAB)
                if i > self.mark
                    && self.section == Section::Response
                    && cfg.leniency.whitespace_before_colon_in_responses =>
            {
                self.used.whitespace_before_colon_in_responses = true;
                self.name = (self.mark as u32, i as u32);
                self.pos = i + 1;
                self.state = State::NameWs;
                Ok(true)
            }
            Some(SP | HTAB) if i > self.mark => Err(Fault::new(ErrorKind::WhitespaceBeforeColon, i)),
            Some(_) => Err(Fault::new(ErrorKind::BadFieldName, i)),
        }
    }

    /// Whitespace between name and colon (leniency only).
    fn name_ws(&mut self, buf: &[u8]) -> Step {
        while let Some(b) = self.peek(buf, self.pos)? {
            match b {
                SP | HTAB => self.pos += 1,
                b':' => {
                    self.pos += 1;
                    self.state = State::ValueWs;
                    return Ok(true);
                }
                _ => return Err(Fault::new(ErrorKind::WhitespaceBeforeColon, self.pos)),
            }
        }
        Ok(false)
    }

    /// Leading OWS of a value, not part of it (RFC 9112 5.1).
    fn value_ws(&mut self, buf: &[u8]) -> Step {
        while let Some(b) = self.peek(buf, self.pos)? {
            if b != SP && b != HTAB {
                self.mark = self.pos;
                self.state = State::Value;
                return Ok(true);
            }
            self.pos += 1;
        }
        Ok(false)
    }

    /// `field-value` up to CR; trailing OWS is trimmed (RFC 9112 5.1).
    fn value<'b, S: FieldSink<'b>>(&mut self, buf: &'b [u8], cfg: &Config, sink: &mut S) -> Step {
        let i = simd::skip_value(buf, self.pos, self.window(buf));
        self.pos = i;
        match self.peek(buf, i)? {
            None => Ok(false),
            Some(b @ (CR | LF)) => {
                let mut end = i;
                while end > self.mark && buf.get(end - 1).is_some_and(|&c| c == SP || c == HTAB) {
                    end -= 1;
                }
                let field = FieldSpan { name: self.name, value: (self.mark as u32, end as u32) };
                if self.may_fold(cfg) {
                    self.pending = Some(field);
                } else {
                    self.emit(buf, field, cfg, sink)?;
                }
                self.line_end(b, i, State::FieldLf, cfg)
            }
            Some(_) => Err(Fault::new(ErrorKind::BadFieldValue, i)),
        }
    }
}
