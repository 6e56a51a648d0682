//! The start line: empty lines before a request (RFC 9112 2.2), the request
//! line (RFC 9112 3) and the status line (RFC 9112 4), one method per state.
//! (A start line that is all there is read by the walk, `walk.rs`.)

use super::{CR, HTAB, HeadMachine, LF, SP, STATUS_CODES, State, Step};
use crate::config::{Config, Leniency};
use crate::error::{ErrorKind, Fault};
use crate::simd;

impl HeadMachine {
    /// Skips empty lines before a request line (RFC 9112 2.2).
    pub(super) fn before_request_line(&mut self, buf: &[u8], cfg: &Config) -> Step {
        // Empty lines are not part of the request line: its limit counts
        // from here (the head limit still counts every byte).
        self.begin_line(self.pos, cfg.limits.start_line);
        let Some(b) = self.peek(buf, self.pos)? else {
            return Ok(false);
        };
        match b {
            CR | LF => self.line_end(b, self.pos, State::LeadingLf, cfg),
            _ => {
                self.next_part(self.pos, State::Method);
                Ok(true)
            }
        }
    }

    /// `method = token` then one SP (RFC 9112 3.1).
    pub(super) fn method(&mut self, buf: &[u8]) -> Step {
        // Methods are short: a few bytes by table before any vector call.
        let i = simd::skip_short_token(buf, self.pos, self.window(buf));
        self.pos = i;
        match self.peek(buf, i)? {
            None => Ok(false),
            Some(SP) if i > self.part_start => {
                self.start.method = (self.part_start as u32, i as u32);
                self.next_part(i + 1, State::Target);
                Ok(true)
            }
            Some(CR | LF) if i > self.part_start => Err(Fault::new(ErrorKind::BadStartLine, i)),
            Some(_) => Err(Fault::new(ErrorKind::BadMethod, i)),
        }
    }

    /// The next start-line part starts at `at`, in `state`.
    pub(super) fn next_part(&mut self, at: usize, state: State) {
        self.pos = at;
        self.part_start = at;
        self.state = state;
    }

    /// Extra SP where one separates start-line parts: skipped only with the
    /// `multiple_spaces_in_start_line` leniency.
    pub(super) fn skip_extra_space(&mut self, i: usize, cfg: &Config) -> Step {
        if cfg.leniency.contains(Leniency::MULTIPLE_SPACES_IN_START_LINE) {
            self.used |= Leniency::MULTIPLE_SPACES_IN_START_LINE;
            self.next_part(i + 1, self.state);
            Ok(true)
        } else {
            Err(Fault::new(ErrorKind::BadStartLine, i))
        }
    }

    /// `request-target` then one SP (RFC 9112 3.2): VCHAR only by default.
    pub(super) fn target(&mut self, buf: &[u8], cfg: &Config) -> Step {
        let end = self.window(buf);
        let mut i = simd::skip_target(buf, self.pos, end, false);
        if cfg.leniency.contains(Leniency::NON_ASCII_TARGET) && buf.get(i).is_some_and(|&b| b >= 0x80) {
            self.used |= Leniency::NON_ASCII_TARGET;
            i = simd::skip_target(buf, i, end, true);
        }
        self.pos = i;
        match self.peek(buf, i)? {
            None => Ok(false),
            Some(SP) if i == self.part_start => self.skip_extra_space(i, cfg),
            Some(SP) => {
                self.start.target = (self.part_start as u32, i as u32);
                self.next_part(i + 1, State::ReqVersion);
                Ok(true)
            }
            Some(CR | LF) => Err(Fault::new(ErrorKind::BadStartLine, i)),
            Some(_) => Err(Fault::new(ErrorKind::BadTarget, i)),
        }
    }

    /// `HTTP-version = "HTTP/" DIGIT "." DIGIT` (RFC 9112 2.3), case-sensitive,
    /// checked byte by byte so a bad byte is found as soon as it arrives.
    pub(super) fn version(&mut self, buf: &[u8], cfg: &Config) -> Step {
        while let Some(b) = self.peek(buf, self.pos)? {
            let i = self.pos;
            let ok = match i - self.part_start {
                0 if b == SP && self.state == State::ReqVersion => {
                    return self.skip_extra_space(i, cfg);
                }
                0 if (b == CR || b == LF) && self.state == State::StatusVersion => {
                    return self.empty_line_before_status_line(b, i, cfg);
                }
                idx @ 0..=4 => b"HTTP/".get(idx) == Some(&b),
                5 => {
                    if !b.is_ascii_digit() {
                        return Err(Fault::new(ErrorKind::BadVersion, i));
                    }
                    self.start.major = b - b'0';
                    if self.start.major != 1 {
                        if !cfg.leniency.contains(Leniency::ANY_VERSION) {
                            return Err(Fault::new(ErrorKind::UnsupportedVersion, i));
                        }
                        self.used |= Leniency::ANY_VERSION;
                    }
                    true
                }
                6 => b == b'.',
                7 if b.is_ascii_digit() => {
                    self.start.minor = b - b'0';
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

    /// An empty line where a status line should start: skipped only with the
    /// `empty_lines_before_status_line` leniency (RFC 9112 2.2 allows them
    /// before a request line only).
    #[cold]
    fn empty_line_before_status_line(&mut self, b: u8, i: usize, cfg: &Config) -> Step {
        if !cfg.leniency.contains(Leniency::EMPTY_LINES_BEFORE_STATUS_LINE) {
            return Err(Fault::new(ErrorKind::EmptyLineBeforeStatusLine, i));
        }
        self.used |= Leniency::EMPTY_LINES_BEFORE_STATUS_LINE;
        self.line_end(b, i, State::LeadingLf, cfg)
    }

    /// The byte after a complete version: CR in a request line, SP in a status line.
    pub(super) fn version_end(&mut self, b: u8, i: usize, cfg: &Config) -> Step {
        let span = (self.part_start as u32, i as u32);
        match (self.state, b) {
            (State::ReqVersion, CR | LF) => {
                self.start.version_bytes = span;
                self.line_end(b, i, State::StartLineLf, cfg)
            }
            (State::StatusVersion, SP) => {
                self.start.version_bytes = span;
                self.next_part(i + 1, State::Code);
                Ok(true)
            }
            (State::StatusVersion, CR | LF) => Err(Fault::new(ErrorKind::BadStartLine, i)),
            _ => Err(Fault::new(ErrorKind::BadVersion, i)),
        }
    }

    /// `status-code = 3DIGIT` (RFC 9112 4), 100..=599 (RFC 9110 15), then SP
    /// and a reason, or directly CRLF (an empty reason without its SP).
    pub(super) fn code(&mut self, buf: &[u8], cfg: &Config) -> Step {
        while let Some(b) = self.peek(buf, self.pos)? {
            let i = self.pos;
            match i - self.part_start {
                0 if b == SP => return self.skip_extra_space(i, cfg),
                0..=2 if b.is_ascii_digit() => {
                    self.start.code = self.start.code * 10 + u16::from(b - b'0');
                    self.pos = i + 1;
                }
                3 if matches!(b, SP | CR | LF) => {
                    if !STATUS_CODES.contains(&self.start.code) {
                        if !cfg.leniency.contains(Leniency::ANY_STATUS_CODE) {
                            return Err(Fault::new(ErrorKind::StatusCodeOutOfRange, self.part_start));
                        }
                        self.used |= Leniency::ANY_STATUS_CODE;
                    }
                    self.start.code_bytes = (self.part_start as u32, i as u32);
                    if b == SP {
                        self.next_part(i + 1, State::ReasonWs);
                        return Ok(true);
                    }
                    self.start.reason = (i as u32, i as u32);
                    return self.line_end(b, i, State::StartLineLf, cfg);
                }
                _ => return Err(Fault::new(ErrorKind::BadStatusCode, i)),
            }
        }
        Ok(false)
    }

    /// Whitespace after the SP that follows the code: not part of the reason
    /// (it tells the reader nothing).
    pub(super) fn reason_ws(&mut self, buf: &[u8]) -> Step {
        while let Some(b) = self.peek(buf, self.pos)? {
            if b != SP && b != HTAB {
                self.part_start = self.pos;
                self.state = State::Reason;
                return Ok(true);
            }
            self.pos += 1;
        }
        Ok(false)
    }

    /// `reason-phrase = *( HTAB / SP / VCHAR / obs-text )` (RFC 9112 4).
    pub(super) fn reason(&mut self, buf: &[u8], cfg: &Config) -> Step {
        let i = simd::skip_value(buf, self.pos, self.window(buf));
        self.pos = i;
        match self.peek(buf, i)? {
            None => Ok(false),
            Some(b @ (CR | LF)) => {
                self.start.reason = (self.part_start as u32, i as u32);
                self.line_end(b, i, State::StartLineLf, cfg)
            }
            Some(_) => Err(Fault::new(ErrorKind::BadReason, i)),
        }
    }
}
