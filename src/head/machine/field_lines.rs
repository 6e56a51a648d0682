//! Field lines (RFC 9112 5) and the blank line that ends a head or trailer
//! section: one method per state, the chained fast paths for complete lines,
//! and the hand-over of each field to the sink.

use super::{CR, HTAB, HeadMachine, LF, SP, Section, State, Step};
use crate::config::{Config, Leniency};
use crate::error::{ErrorKind, Fault};
use crate::framing::fields::is_known;
use crate::head::{FieldSink, FieldSpan, slice};
use crate::simd;

/// [`HeadMachine::common_field_lines`] as work for [`simd::with_blocks`],
/// which compiles it for the CPU's best block classifier.
struct FieldLines<'m, 'b, 'c, 's, S> {
    machine: &'m mut HeadMachine,
    buf: &'b [u8],
    cfg: &'c Config,
    sink: &'s mut S,
}

impl<'b, S: FieldSink<'b>> simd::WithBlocks for FieldLines<'_, 'b, '_, '_, S> {
    type Output = Result<bool, Fault>;

    #[inline(always)]
    fn run<K: simd::Classify>(self, k: K) -> Self::Output {
        self.machine.field_lines_with(k, self.buf, self.cfg, self.sink)
    }
}

impl HeadMachine {
    /// First byte of a line in the field section.
    pub(super) fn line_start<'b, S: FieldSink<'b>>(&mut self, buf: &'b [u8], cfg: &Config, sink: &mut S) -> Step {
        if self.common_field_lines(buf, cfg, sink)? {
            // Done, or every byte validated and more needed.
            return Ok(self.state == State::Done);
        }
        let i = self.pos;
        let Some(b) = self.peek(buf, i)? else {
            return Ok(false);
        };
        if b == SP || b == HTAB {
            return self.folded_line(i, cfg, sink.count());
        }
        if let Some(field) = self.pending.take() {
            self.emit(buf, field, sink)?;
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
    /// needed. A complete blank line ends the head: `Done`, and `true`. Anything else (a leniency, an error, a limit) stops the loop at
    /// the start of that line, for the states below to handle. Nothing is
    /// validated twice across calls: `pos` only moves forward.
    #[inline(always)]
    pub(super) fn common_field_lines<'b, S: FieldSink<'b>>(
        &mut self,
        buf: &'b [u8],
        cfg: &Config,
        sink: &mut S,
    ) -> Result<bool, Fault> {
        /// Fewer new bytes than this (a slow peer) are left to the states:
        /// classifying a block costs more than stepping through a few bytes.
        const FEW: usize = 16;
        if buf.len().saturating_sub(self.pos) < FEW {
            return Ok(false);
        }
        simd::with_blocks(FieldLines { machine: self, buf, cfg, sink })
    }

    /// [`Self::common_field_lines`] with block classifier `k`.
    #[inline(always)]
    fn field_lines_with<'b, S: FieldSink<'b>, K: simd::Classify>(
        &mut self,
        k: K,
        buf: &'b [u8],
        cfg: &Config,
        sink: &mut S,
    ) -> Result<bool, Fault> {
        let head_end = buf.len().min(self.head_limit);
        let open_end = if buf.len() < self.head_limit { buf.len() } else { usize::MAX };
        // Where the byte-by-byte states would ask for more input: the end of
        // what was received, inside every limit. (A search result `i <=
        // window <= buf.len()`, so `i == buf.len()` means the window reached
        // the end of the input, below the line limit.)
        let ran_out = |i: usize| i == open_end;
        let mut blocks = simd::Blocks::new(buf, k);
        // The line being read lives in locals (registers) and is written
        // back to `pos` / `line_limit` only when the loop stops: read back
        // from memory on every line, it put a store-to-load forwarding delay
        // on the chain from one line's start to the next.
        let mut start = self.pos;
        // Every line the loop starts may be this long (a line it resumes
        // has its own limit, `self.line_limit`).
        let field_line = cfg.limits.field_line as usize;
        debug_assert!(self.state != State::LineStart || self.line_limit == start.saturating_add(field_line));
        if self.state == State::Value {
            // Resuming inside a value (the input ended there last time):
            // its name and start are known, the bytes before `pos` checked.
            let window = head_end.min(self.line_limit);
            let cr = blocks.value_end(self.pos).min(window);
            if ran_out(cr) {
                self.pos = cr;
                return Ok(true);
            }
            let common = (cr + 1 < window)
                & (buf.get(cr) == Some(&CR))
                & (buf.get(cr + 1) == Some(&LF))
                & self.pending.is_none()
                & !self.may_fold(cfg);
            if !common {
                // For the `Value` state itself.
                return Ok(false);
            }
            let end = trim_trailing_ows(buf, self.mark, cr);
            let field = FieldSpan { name: self.name, value: (self.mark as u32, end as u32) };
            if let Err(fault) = sink.field(buf, field) {
                self.pos = cr;
                return Err(fault);
            }
            self.state = State::LineStart;
            start = cr + 2;
        }
        // Folding is allowed (or not) for the whole section; without it
        // nothing is ever pending.
        let folding = self.may_fold(cfg);
        loop {
            // The line's limits: the head's, and its own.
            let window = head_end.min(start.saturating_add(field_line));
            // The colon (the first byte that is not a tchar), and the end
            // of the field-value bytes. Name, colon and OWS are value bytes
            // too, so the value search can start at `start`: the next line's
            // start does not wait for this line's colon search.
            let colon = blocks.token_end(start);
            let cr = blocks.value_end(start);
            // The common line, tested with one branch: a non-empty name (so
            // the line does not start with whitespace, CR or LF, which are
            // not tchar), a colon, CR LF inside the window and the head
            // limit (so nothing ran out), no folding to wait for. (`colon <=
            // cr` always, as every byte that ends a value also ends a token;
            // the byte tests make it `<`, so both are inside the window.)
            let common = (colon > start)
                & (cr + 1 < window)
                & (buf.get(colon) == Some(&b':'))
                & (buf.get(cr..cr + 2) == Some(&b"\r\n"[..]))
                & !folding;
            if common {
                // Usually one SP after the colon and none before the CR.
                let mut value = colon + 1 + usize::from(buf.get(colon + 1) == Some(&SP));
                let ows = |i: usize| buf.get(i).is_some_and(|&b| b == SP || b == HTAB);
                if ows(value) {
                    while value < cr && ows(value) {
                        value += 1;
                    }
                }
                let end = trim_trailing_ows(buf, value, cr);
                let field = FieldSpan { name: (start as u32, colon as u32), value: (value as u32, end as u32) };
                if let Err(fault) = sink.field(buf, field) {
                    self.pos = start;
                    return Err(fault);
                }
                start = cr + 2;
                continue;
            }
            // The rest works on what the scans would give: ends at most `window`.
            let (colon, cr) = (colon.min(window), cr.min(window));
            match buf.get(start) {
                Some(&b) if start < window && !matches!(b, SP | HTAB | CR | LF) => {}
                // The blank line, CR LF both received and inside the head
                // limit: the head is complete.
                Some(&CR) if start + 1 < self.head_limit && buf.get(start + 1) == Some(&LF) => {
                    self.flush_pending(buf, sink)?;
                    self.mark = start;
                    self.state = State::Done;
                    self.pos = start + 2;
                    self.line_limit = start.saturating_add(field_line);
                    return Ok(true);
                }
                _ => break,
            }
            let value = if colon < window && buf.get(colon) == Some(&b':') {
                let mut value = colon + 1;
                while value < cr && buf.get(value).is_some_and(|&b| b == SP || b == HTAB) {
                    value += 1;
                }
                value
            } else {
                colon
            };
            if ran_out(colon) {
                self.flush_pending(buf, sink)?;
                self.mark = start;
                self.state = State::FieldName;
                self.pos = colon;
                self.line_limit = start.saturating_add(field_line);
                return Ok(true);
            }
            if colon == start || colon >= window || buf.get(colon) != Some(&b':') {
                break;
            }
            if ran_out(value) {
                self.flush_pending(buf, sink)?;
                self.mark = start;
                self.name = (start as u32, colon as u32);
                self.state = State::ValueWs;
                self.pos = value;
                self.line_limit = start.saturating_add(field_line);
                return Ok(true);
            }
            if ran_out(cr) {
                self.flush_pending(buf, sink)?;
                self.name = (start as u32, colon as u32);
                self.mark = value;
                self.state = State::Value;
                self.pos = cr;
                self.line_limit = start.saturating_add(field_line);
                return Ok(true);
            }
            if cr >= window || buf.get(cr) != Some(&CR) {
                break;
            }
            let lf_arrived = match buf.get(cr + 1) {
                Some(&LF) if cr + 1 < self.head_limit => true,
                None if cr + 1 < self.head_limit => false,
                _ => break,
            };
            let end = trim_trailing_ows(buf, value, cr);
            let field = FieldSpan { name: (start as u32, colon as u32), value: (value as u32, end as u32) };
            if self.pending.is_some() || self.may_fold(cfg) {
                // Folding allowed: this field waits for the next line's
                // first byte; the one before it does not.
                self.flush_pending(buf, sink)?;
                self.pending = Some(field);
            } else if let Err(fault) = self.emit(buf, field, sink) {
                self.pos = start;
                return Err(fault);
            }
            if !lf_arrived {
                self.name = field.name;
                self.mark = value;
                self.state = State::FieldLf;
                self.pos = cr + 1;
                self.line_limit = start.saturating_add(field_line);
                return Ok(true);
            }
            start = cr + 2;
        }
        self.pos = start;
        self.line_limit = start.saturating_add(field_line);
        Ok(false)
    }

    /// Hands the held-back field (obs-fold allowed) to the sink: the next
    /// line does not start with whitespace.
    #[inline(always)]
    pub(super) fn flush_pending<'b, S: FieldSink<'b>>(&mut self, buf: &'b [u8], sink: &mut S) -> Result<(), Fault> {
        match self.pending.take() {
            Some(field) => self.emit(buf, field, sink),
            None => Ok(()),
        }
    }

    /// The rest of a field line, state by state without going back to the
    /// dispatch loop: the same transitions `run` would make, in the same
    /// order (a speed-up only). Stops at the first state that needs more
    /// input or leaves the common path (leniencies, errors).
    #[inline(always)]
    pub(super) fn field_line<'b, S: FieldSink<'b>>(&mut self, buf: &'b [u8], cfg: &Config, sink: &mut S) -> Step {
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
    pub(super) fn rest_of_value<'b, S: FieldSink<'b>>(&mut self, buf: &'b [u8], cfg: &Config, sink: &mut S) -> Step {
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
    /// `fields`: how many fields the section has so far.
    pub(super) fn folded_line(&mut self, i: usize, cfg: &Config, fields: usize) -> Step {
        if self.pending.is_some() {
            // Only held back when folding is allowed (see `value`).
            debug_assert!(self.may_fold(cfg));
            self.used |= Leniency::OBS_FOLD_IN_RESPONSES;
            self.pos = i;
            self.state = State::FoldWs;
            return Ok(true);
        }
        if fields > 0 { Err(Fault::new(ErrorKind::ObsFold, i)) } else { Err(Fault::new(ErrorKind::BadFieldName, i)) }
    }

    /// The whitespace at the start of an obs-fold line, which is not part of
    /// the value (RFC 9112 5.2: a fold is replaced by SP before the value is
    /// read). A line of nothing else leaves the held-back field as it was.
    pub(super) fn fold_ws(&mut self, buf: &[u8], cfg: &Config) -> Step {
        while let Some(b) = self.peek(buf, self.pos)? {
            match b {
                SP | HTAB => self.pos += 1,
                CR | LF => return self.line_end(b, self.pos, State::FieldLf, cfg),
                _ => {
                    self.mark = self.pos;
                    self.state = State::FoldValue;
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }

    /// The text of an obs-fold line: the held-back field's value now ends
    /// with it (and starts with it if it was empty), so folds at the edges
    /// of a value are trimmed like any OWS and folds inside it are kept raw.
    pub(super) fn fold_value(&mut self, buf: &[u8], cfg: &Config) -> Step {
        let i = simd::skip_value(buf, self.pos, self.window(buf));
        self.pos = i;
        let Some(mut field) = self.pending else {
            debug_assert!(false, "a fold line without a held-back field");
            return Err(Fault::new(ErrorKind::ObsFold, i));
        };
        match self.peek(buf, i)? {
            None => Ok(false),
            Some(b @ (CR | LF)) => {
                if field.value.0 == field.value.1 {
                    field.value.0 = self.mark as u32;
                }
                field.value.1 = trim_trailing_ows(buf, self.mark, i) as u32;
                self.pending = Some(field);
                self.line_end(b, i, State::FieldLf, cfg)
            }
            Some(b) => self.control_char(b, i, field.name, buf, cfg),
        }
    }

    /// A byte that ends the field-value bytes at `i` and is not a line end.
    /// A control character other than NUL, CR and LF is skipped under the
    /// `control_chars_in_field_values` leniency, except in the fields that
    /// decide framing and routing, whose values stay strict; anything else
    /// is an error (RFC 9110 5.5).
    #[cold]
    fn control_char(&mut self, b: u8, i: usize, name: (u32, u32), buf: &[u8], cfg: &Config) -> Step {
        let lenient = cfg.leniency.contains(Leniency::CONTROL_CHARS_IN_FIELD_VALUES)
            && (b < 0x20 || b == 0x7f)
            && b != 0
            && !is_known(slice(buf, name));
        if !lenient {
            return Err(Fault::new(ErrorKind::BadFieldValue, i));
        }
        self.used |= Leniency::CONTROL_CHARS_IN_FIELD_VALUES;
        // The same state goes on after the byte.
        self.pos = i + 1;
        Ok(true)
    }

    /// obs-fold is accepted only in responses, with the leniency (RFC 9112 5.2).
    pub(super) fn may_fold(&self, cfg: &Config) -> bool {
        self.section == Section::Response && cfg.leniency.contains(Leniency::OBS_FOLD_IN_RESPONSES)
    }

    /// Hands a field to the sink (which counts the fields of this head or
    /// trailer section and checks the limit). Inlined: a span built from
    /// narrow stores and read back through a pointer as one 16-byte load
    /// stalls store forwarding (~40% of a field's cost).
    #[inline(always)]
    pub(super) fn emit<'b, S: FieldSink<'b>>(
        &mut self,
        buf: &'b [u8],
        field: FieldSpan,
        sink: &mut S,
    ) -> Result<(), Fault> {
        sink.field(buf, field)
    }

    /// `field-name = token` then `:` with no whitespace between (RFC 9112 5.1).
    pub(super) fn field_name(&mut self, buf: &[u8], cfg: &Config) -> Step {
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
                    && cfg.leniency.contains(Leniency::WHITESPACE_BEFORE_COLON_IN_RESPONSES) =>
            {
                self.used |= Leniency::WHITESPACE_BEFORE_COLON_IN_RESPONSES;
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
    pub(super) fn name_ws(&mut self, buf: &[u8]) -> Step {
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
    pub(super) fn value_ws(&mut self, buf: &[u8]) -> Step {
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

    /// The `Value` state: the rest of the line and the complete lines after
    /// it by the fast loop when it can, else [`Self::value`].
    #[inline(always)]
    pub(super) fn value_state<'b, S: FieldSink<'b>>(&mut self, buf: &'b [u8], cfg: &Config, sink: &mut S) -> Step {
        if self.common_field_lines(buf, cfg, sink)? {
            return Ok(self.state == State::Done);
        }
        if self.state == State::Value {
            return self.value(buf, cfg, sink);
        }
        Ok(true)
    }

    /// `field-value` up to CR; trailing OWS is trimmed (RFC 9112 5.1).
    pub(super) fn value<'b, S: FieldSink<'b>>(&mut self, buf: &'b [u8], cfg: &Config, sink: &mut S) -> Step {
        let i = simd::skip_value(buf, self.pos, self.window(buf));
        self.pos = i;
        match self.peek(buf, i)? {
            None => Ok(false),
            Some(b @ (CR | LF)) => {
                let end = trim_trailing_ows(buf, self.mark, i);
                let field = FieldSpan { name: self.name, value: (self.mark as u32, end as u32) };
                if self.may_fold(cfg) {
                    self.pending = Some(field);
                } else {
                    self.emit(buf, field, sink)?;
                }
                self.line_end(b, i, State::FieldLf, cfg)
            }
            Some(b) => self.control_char(b, i, self.name, buf, cfg),
        }
    }
}

/// Where a field value ends once the OWS before `end` (its CR) is trimmed,
/// not before `value`, its first byte (RFC 9112 5.1).
#[inline(always)]
fn trim_trailing_ows(buf: &[u8], value: usize, mut end: usize) -> usize {
    while end > value && buf.get(end - 1).is_some_and(|&c| c == SP || c == HTAB) {
        end -= 1;
    }
    end
}
