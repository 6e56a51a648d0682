//! The walk: whole lines read from the block index, without the byte states.
//!
//! # Idea
//!
//! A head that has arrived whole (the usual case) is read in two stages, as
//! simdjson reads JSON. Stage 1 (`simd::Cursor`) classifies 64 bytes at a
//! time into bitmasks: the bytes that are not a `tchar`, the bytes that may
//! not be in a field value. Stage 2 (this file) walks the lines. A field
//! line's colon is the first byte of the line that is not a tchar and its
//! CR the first that is not a value byte, each a shift and a trailing-zero
//! count; a line whose colon and CR are where they belong has no byte to
//! reject in its name or its value, so nothing is looked at byte by byte.
//! OWS is trimmed, the field stored through the sink's writer (the count
//! stays in a register), and the next line starts two bytes after the CR.
//! The request line and the status line are read the same way.
//!
//! # Contract
//!
//! The walk takes only lines of the common shape, every byte received and
//! inside every limit, and leaves the machine exactly where the byte states
//! would be after the same bytes: at the start of the first line it does not
//! take (an error, a leniency, a limit: the states read that line and report
//! what they find), or inside the line the input ends in, so the next call
//! resumes there and no byte is validated twice. Every exit goes through
//! [`HeadMachine::park`]. Fields go to the sink in order, and a field the
//! sink must read (one that may decide framing) is read before the walk
//! goes on, so errors come in stream order, as from the states.
//!
//! # Shortcuts
//!
//! | shortcut | entry state | exit states |
//! |---|---|---|
//! | request line `token SP target SP HTTP/1.d CRLF` | `Leading` | `LineStart` after it; untouched if not taken |
//! | status line `HTTP/1.d SP 3DIGIT SP OWS reason CRLF`, code 100-599 | `StatusVersion` at its first byte | `LineStart` after it; untouched if not taken |
//! | field line `token ":" OWS value OWS CRLF` | `LineStart`, `Value` (resumed) | `LineStart` at the next line |
//! | the blank line | `LineStart` | `Done` |
//! | a field line the input ends in | `LineStart` | `FieldName`, `ValueWs`, `Value`, `FieldLf` |
//!
//! Where obs-fold is allowed (responses, a leniency) a field is taken only
//! when the next line's first byte has arrived and is not whitespace, so
//! nothing is held back; a field the states held back is handed over first.
//!
//! The split harness pins every row: each fixture is parsed whole (the walk)
//! and at every split point and a byte at a time (the states), and the logs
//! must match (`tests/fixtures.rs`; `tests/head_walk.rs` puts every line of
//! longer heads at every offset of a block; `tests/props.rs` splits generated
//! heads); `one_byte_at_a_time_never_revalidates` (`message/tests.rs`) and
//! `pieces_never_revalidate` (below) count every byte validated once.

use core::ops::ControlFlow::{self, Break, Continue};

use super::field_lines::trim_trailing_ows;
use super::{CR, HTAB, HeadMachine, LF, SP, STATUS_CODES, State};
use crate::config::Config;
use crate::error::Fault;
use crate::head::{FieldSink, FieldSpan, FieldWriter, Pushed};
use crate::simd::{self, Cursor, Kernels, WithKernels};

/// Fewer new bytes than this are left to the states: classifying a block
/// costs more than stepping through a few bytes.
const MIN_NEW_BYTES: usize = 16;

/// How a walk ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Walked {
    /// The head is complete (`Done`).
    Done,
    /// Every byte received is validated and more are needed.
    NeedMore,
    /// Stopped at the start of a line (or of the start line) for the states.
    Stopped,
}

/// [`HeadMachine::walk`] as work for [`simd::with_kernels`], which compiles it
/// with the CPU's best kernels inlined.
struct Walk<'m, 'b, 'c, 's, S> {
    machine: &'m mut HeadMachine,
    buf: &'b [u8],
    cfg: &'c Config,
    sink: &'s mut S,
}

impl<'b, S: FieldSink<'b>> WithKernels for Walk<'_, 'b, '_, '_, S> {
    type Output = Result<Walked, Fault>;

    #[inline(always)]
    fn run<K: Kernels>(self, k: K) -> Self::Output {
        self.machine.walk_with(k, self.buf, self.cfg, self.sink)
    }
}

/// Why [`field_lines`] stopped.
enum LoopStop {
    /// At the blank line, CR LF both here: the head ends.
    BlankLine,
    /// At a line it does not take, with where that line's colon and CR
    /// searches stopped.
    Uncommon { colon: usize, cr: usize },
    /// After storing a field the writer must read; the loop is at the next line.
    ToRead(FieldSpan),
}

impl HeadMachine {
    /// True where the walk may take over: at a start line's first byte, a
    /// line start, or inside a value, with enough new bytes to pay for it.
    #[inline(always)]
    pub(super) fn walk_may_start(&self, buf: &[u8]) -> bool {
        // (The length first: a slow peer's call fails it.)
        buf.len().saturating_sub(self.pos) >= MIN_NEW_BYTES
            && match self.state {
                State::Leading | State::LineStart | State::Value => true,
                State::StatusVersion => self.pos == self.part_start,
                _ => false,
            }
    }

    /// Reads whole lines from the block index from where the machine is
    /// (see the module contract).
    #[inline(always)]
    pub(super) fn walk<'b, S: FieldSink<'b>>(
        &mut self,
        buf: &'b [u8],
        cfg: &Config,
        sink: &mut S,
    ) -> Result<Walked, Fault> {
        simd::with_kernels(Walk { machine: self, buf, cfg, sink })
    }

    #[inline(always)]
    fn walk_with<'b, S: FieldSink<'b>, K: Kernels>(
        &mut self,
        k: K,
        buf: &'b [u8],
        cfg: &Config,
        sink: &mut S,
    ) -> Result<Walked, Fault> {
        // Bytes at or past the head limit are never head bytes: the walk
        // stops short of them and the states report the limit.
        let head = buf.get(..self.head_limit).unwrap_or(buf);
        let mut cursor = Cursor::new(head, k);
        let first = match self.state {
            State::Leading => self.request_line(&mut cursor, head, cfg),
            State::StatusVersion => self.status_line(&mut cursor, head, cfg),
            State::LineStart => self.hand_over_held_field(buf, sink)?,
            State::Value => self.resumed_value(&mut cursor, buf, head, cfg, sink)?,
            _ => Break(Walked::Stopped),
        };
        let mut start = match first {
            Continue(start) => start,
            Break(walked) => return Ok(walked),
        };
        if matches!(self.state, State::FieldsStart) {
            sink.start_line(buf, &self.start);
            self.state = State::LineStart;
        }
        let field_line = cfg.limits.field_line as usize;
        let folding = self.may_fold(cfg);
        let mut out = sink.writer();
        loop {
            let stop = if folding {
                field_lines::<K, S::Writer<'_>, true>(&mut cursor, head, &mut start, field_line, &mut out)
            } else {
                field_lines::<K, S::Writer<'_>, false>(&mut cursor, head, &mut start, field_line, &mut out)
            };
            match stop {
                LoopStop::ToRead(span) => {
                    if let Err(fault) = out.read(buf, span) {
                        self.park(State::LineStart, start, start, cfg);
                        return Err(fault);
                    }
                }
                LoopStop::BlankLine => {
                    self.blank_line = start;
                    self.park(State::Done, start + 2, start, cfg);
                    return Ok(Walked::Done);
                }
                LoopStop::Uncommon { colon, cr } => {
                    drop(out);
                    return self.uncommon_line(buf, head, start, colon, cr, cfg, sink);
                }
            }
        }
    }

    /// Leaves the machine in `state` at `pos`, in the line that starts at
    /// `line` (the line limit counts from there): the walk's one exit.
    #[inline(always)]
    fn park(&mut self, state: State, pos: usize, line: usize, cfg: &Config) {
        self.state = state;
        self.pos = pos;
        self.line_limit = line.saturating_add(cfg.limits.field_line as usize);
    }

    /// A line the field loop does not take at `start` (`colon` and `cr` are
    /// where its searches stopped): the blank line, a line the input ends
    /// in, or one for the states.
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn uncommon_line<'b, S: FieldSink<'b>>(
        &mut self,
        buf: &'b [u8],
        head: &[u8],
        start: usize,
        colon: usize,
        cr: usize,
        cfg: &Config,
        sink: &mut S,
    ) -> Result<Walked, Fault> {
        let end = head.len();
        // The input ended inside the line, below every limit: the states
        // would move to its end and ask for more.
        let open = buf.len() < self.head_limit && end <= start.saturating_add(cfg.limits.field_line as usize);
        match head.get(start) {
            Some(&CR) if head.get(start + 1) == Some(&LF) => {
                self.blank_line = start;
                self.park(State::Done, start + 2, start, cfg);
                return Ok(Walked::Done);
            }
            Some(_) if colon > start && open && !self.may_fold(cfg) => {}
            _ => {
                self.park(State::LineStart, start, start, cfg);
                return Ok(Walked::Stopped);
            }
        }
        if colon == end {
            self.part_start = start;
            self.park(State::FieldName, end, start, cfg);
            return Ok(Walked::NeedMore);
        }
        if head.get(colon) == Some(&b':') && cr >= end - 1 {
            let mut value = colon + 1;
            while value < cr && head.get(value).is_some_and(|&b| is_ows(b)) {
                value += 1;
            }
            self.name = (start as u32, colon as u32);
            if value == end {
                self.park(State::ValueWs, end, start, cfg);
                return Ok(Walked::NeedMore);
            }
            self.value_start = value;
            if cr == end {
                self.park(State::Value, end, start, cfg);
                return Ok(Walked::NeedMore);
            }
            if head.get(cr) == Some(&CR) {
                let field =
                    FieldSpan { name: self.name, value: (value as u32, trim_trailing_ows(head, value, cr) as u32) };
                if let Err(fault) = sink.field(buf, field) {
                    self.park(State::LineStart, start, start, cfg);
                    return Err(fault);
                }
                self.park(State::FieldLf, end, start, cfg);
                return Ok(Walked::NeedMore);
            }
        }
        self.park(State::LineStart, start, start, cfg);
        Ok(Walked::Stopped)
    }

    /// At a line start with a field the states held back (obs-fold allowed):
    /// the field is final once this line's first byte is here and is not
    /// whitespace, as `line_start` decides; else the states go on.
    #[inline(always)]
    fn hand_over_held_field<'b, S: FieldSink<'b>>(
        &mut self,
        buf: &'b [u8],
        sink: &mut S,
    ) -> Result<ControlFlow<Walked, usize>, Fault> {
        let Some(field) = self.pending else {
            return Ok(Continue(self.pos));
        };
        // (Past the line limit only CR and LF get this far in the states.)
        match buf.get(self.pos) {
            Some(&b)
                if self.pos < self.head_limit && !is_ows(b) && (self.pos < self.line_limit || b == CR || b == LF) =>
            {
                self.pending = None;
                sink.field(buf, field)?;
                Ok(Continue(self.pos))
            }
            _ => Ok(Break(Walked::Stopped)),
        }
    }

    /// A value the input ended in last time, resumed at `pos`: its line if
    /// it is now whole and common (`Continue` at the next line); else the
    /// machine stays in `Value`, with more needed or for the states.
    #[inline(always)]
    fn resumed_value<'b, S: FieldSink<'b>, K: Kernels>(
        &mut self,
        cursor: &mut Cursor<'_, K>,
        buf: &'b [u8],
        head: &[u8],
        cfg: &Config,
        sink: &mut S,
    ) -> Result<ControlFlow<Walked, usize>, Fault> {
        let cr = cursor.value_end(self.pos);
        if cr == head.len() && buf.len() < self.head_limit && cr <= self.line_limit {
            self.pos = cr;
            return Ok(Break(Walked::NeedMore));
        }
        let whole = head.get(cr..cr + 2) == Some(&b"\r\n"[..]) && cr <= self.line_limit && !self.may_fold(cfg);
        if !whole {
            return Ok(Break(Walked::Stopped));
        }
        let value = (self.value_start as u32, trim_trailing_ows(head, self.value_start, cr) as u32);
        if let Err(fault) = sink.field(buf, FieldSpan { name: self.name, value }) {
            self.pos = cr;
            return Err(fault);
        }
        self.park(State::LineStart, cr + 2, cr + 2, cfg);
        Ok(Continue(cr + 2))
    }

    /// The request line, if it is all there and of the common shape:
    /// `Continue` at the next line, the parts and version set and the state
    /// `FieldsStart`; else the machine is untouched.
    #[inline(always)]
    fn request_line<K: Kernels>(
        &mut self,
        cursor: &mut Cursor<'_, K>,
        head: &[u8],
        cfg: &Config,
    ) -> ControlFlow<Walked, usize> {
        let start = self.pos;
        let limit = start.saturating_add(cfg.limits.start_line as usize);
        let (masks, _) = cursor.masks_from(start);
        // (A method that fills the block is left to the states.)
        let method = start + masks.not_tchar.trailing_zeros() as usize;
        if method == start || masks.not_tchar == 0 || head.get(method) != Some(&SP) {
            return Break(Walked::Stopped);
        }
        let window = limit.min(head.len());
        if method + 1 >= window {
            return Break(Walked::Stopped);
        }
        let target = cursor.kernels().skip_target(head, method + 1, window, false);
        if target == method + 1 || head.get(target) != Some(&SP) {
            return Break(Walked::Stopped);
        }
        let version = target + 1;
        // The CR may sit at the line limit; the LF is a head byte (`head`).
        let Some(minor) = http_1x(head, version) else {
            return Break(Walked::Stopped);
        };
        if head.get(version + 8..version + 10) != Some(&b"\r\n"[..]) || version + 8 > limit {
            return Break(Walked::Stopped);
        }
        self.start.method = (start as u32, method as u32);
        self.start.target = (method as u32 + 1, target as u32);
        self.start.version_bytes = (version as u32, version as u32 + 8);
        self.start.major = 1;
        self.start.minor = minor;
        let next = version + 10;
        self.park(State::FieldsStart, next, next, cfg);
        Continue(next)
    }

    /// The status line, if it is all there and of the common shape, as
    /// [`Self::request_line`].
    #[inline(always)]
    fn status_line<K: Kernels>(
        &mut self,
        cursor: &mut Cursor<'_, K>,
        head: &[u8],
        cfg: &Config,
    ) -> ControlFlow<Walked, usize> {
        let start = self.pos;
        let (Some(minor), Some(&[SP, c0, c1, c2, SP])) = (http_1x(head, start), head.get(start + 8..start + 13)) else {
            return Break(Walked::Stopped);
        };
        let digits = [c0, c1, c2].map(|c| c.wrapping_sub(b'0'));
        let code = digits.iter().fold(0u16, |n, &d| n * 10 + u16::from(d));
        if digits.iter().any(|&d| d > 9) || !STATUS_CODES.contains(&code) {
            return Break(Walked::Stopped);
        }
        // Whitespace before the reason is not part of it.
        let mut reason = start + 13;
        while head.get(reason).is_some_and(|&b| is_ows(b)) {
            reason += 1;
        }
        let cr = cursor.value_end(reason);
        if head.get(cr..cr + 2) != Some(&b"\r\n"[..]) || cr > start.saturating_add(cfg.limits.start_line as usize) {
            return Break(Walked::Stopped);
        }
        self.start.version_bytes = (start as u32, start as u32 + 8);
        self.start.code_bytes = (start as u32 + 9, start as u32 + 12);
        self.start.reason = (reason as u32, cr as u32);
        self.start.major = 1;
        self.start.minor = minor;
        self.start.code = code;
        let next = cr + 2;
        self.park(State::FieldsStart, next, next, cfg);
        Continue(next)
    }
}

/// The minor version of an `HTTP/1.d` at `at`, from one 8-byte compare.
#[inline(always)]
fn http_1x(head: &[u8], at: usize) -> Option<u8> {
    const PREFIX: u64 = u64::from_le_bytes(*b"HTTP/1.\0");
    let bytes: [u8; 8] = head.get(at..at.wrapping_add(8))?.try_into().ok()?;
    let word = u64::from_le_bytes(bytes);
    let minor = ((word >> 56) as u8).wrapping_sub(b'0');
    (word & 0x00ff_ffff_ffff_ffff == PREFIX && minor <= 9).then_some(minor)
}

/// SP or HTAB.
#[inline(always)]
fn is_ows(b: u8) -> bool {
    b == SP || b == HTAB
}

/// The first index in `from..end` whose byte is not OWS, else `end`.
#[inline(never)]
fn skip_ows(head: &[u8], mut from: usize, end: usize) -> usize {
    while from < end && head.get(from).is_some_and(|&b| is_ows(b)) {
        from += 1;
    }
    from
}

/// Field lines of the common shape from `start`, stored through `out`,
/// until a line it does not take or a field the sink must read. Everything
/// it needs is in locals, so the loop runs in registers. `FOLDING`: obs-fold
/// is allowed, so a field is taken only when the next line's first byte is
/// here and is not whitespace.
#[inline(always)]
fn field_lines<'b, K: Kernels, W: FieldWriter<'b>, const FOLDING: bool>(
    cursor: &mut Cursor<'_, K>,
    head: &'b [u8],
    start: &mut usize,
    field_line: usize,
    out: &mut W,
) -> LoopStop {
    let mut s = *start;
    let stop = loop {
        let (masks, block_end) = cursor.masks_from(s);
        let mut colon = s + masks.not_tchar.trailing_zeros() as usize;
        let mut cr = s + masks.not_value.trailing_zeros() as usize;
        if masks.not_value == 0 {
            // The line runs past the block (a value byte is a tchar too, so
            // a name that does also has its colon past it).
            if masks.not_tchar == 0 {
                colon = cursor.token_end(block_end);
            }
            cr = cursor.value_end(block_end);
        }
        // A name, its colon, CR LF inside the line limit (the head limit
        // cut `head`), and for obs-fold the next line's first byte.
        if colon <= s || cr - s > field_line {
            if head.get(s..s + 2) == Some(&b"\r\n"[..]) {
                break LoopStop::BlankLine;
            }
            break LoopStop::Uncommon { colon, cr };
        }
        let Some(&[last, CR, LF]) = head.get(cr - 1..cr + 2) else {
            break LoopStop::Uncommon { colon, cr };
        };
        // The colon and the two bytes after it (at most CR LF: the line's end).
        let Some(&[b':', first, second]) = head.get(colon..colon + 3) else {
            break LoopStop::Uncommon { colon, cr };
        };
        if FOLDING && head.get(cr + 2).is_none_or(|&b| is_ows(b)) {
            break LoopStop::Uncommon { colon, cr };
        }
        // Usually one SP after the colon and none before the CR.
        let value = match (is_ows(first), is_ows(second)) {
            (false, _) => colon + 1,
            (true, false) => colon + 2,
            (true, true) => skip_ows(head, colon + 3, cr),
        };
        let end = if is_ows(last) { trim_trailing_ows(head, value, cr) } else { cr };
        let field = FieldSpan { name: (s as u32, colon as u32), value: (value as u32, end as u32) };
        match out.push(head, field) {
            Pushed::Stored => s = cr + 2,
            Pushed::StoredToRead => {
                s = cr + 2;
                break LoopStop::ToRead(field);
            }
            Pushed::Full => break LoopStop::Uncommon { colon, cr },
        }
    };
    *start = s;
    stop
}

#[cfg(test)]
mod tests {
    use super::super::{HeadMachine, Section};
    use crate::config::Config;
    use crate::error::Fault;
    use crate::head::{FieldSink, FieldSpan, FieldWriter, Pushed, StartLine};
    use std::vec::Vec;

    /// Keeps every field in a `Vec`.
    #[derive(Default)]
    struct Collect(Vec<FieldSpan>);

    impl<'b> FieldSink<'b> for Collect {
        fn start_line(&mut self, _buf: &'b [u8], _start: &StartLine) {}
        fn field(&mut self, _buf: &'b [u8], span: FieldSpan) -> Result<(), Fault> {
            self.0.push(span);
            Ok(())
        }
        fn reset(&mut self) {
            self.0.clear();
        }
        fn count(&self) -> usize {
            self.0.len()
        }
        type Writer<'w> = &'w mut Vec<FieldSpan>;
        fn writer(&mut self) -> &mut Vec<FieldSpan> {
            &mut self.0
        }
    }

    impl<'b> FieldWriter<'b> for &mut Vec<FieldSpan> {
        fn push(&mut self, _buf: &'b [u8], span: FieldSpan) -> Pushed {
            Vec::push(self, span);
            Pushed::Stored
        }
        fn read(&mut self, _buf: &'b [u8], _span: FieldSpan) -> Result<(), Fault> {
            Ok(())
        }
    }

    /// Fed in pieces of every size from 1 to past the head, a head's bytes
    /// are each validated once (the walk resumes inside the line it stopped
    /// in; the states never go back over what it took), and the fields are
    /// those of the head given whole.
    #[test]
    fn pieces_never_revalidate() {
        let head: &[u8] = b"GET /a/b?c=d HTTP/1.1\r\nHost: example.com\r\nUser-Agent: a-long-enough-value/1.0 (with some words)\r\n\
            A-Name-Longer-Than-The-Minimum-Piece: \t v \t\r\nX:\r\nCookie: 0123456789012345678901234567890123456789012345678901234567890123456789\r\n\r\n";
        let cfg = Config::new();
        let whole = {
            let mut m = HeadMachine::new(Section::Request, &cfg);
            let mut sink = Collect::default();
            assert_eq!(m.advance(head, &cfg, &mut sink), Ok(Some(head.len())));
            sink.0
        };
        assert_eq!(whole.len(), 5);
        for piece in 1..=head.len() + 1 {
            let mut m = HeadMachine::new(Section::Request, &cfg);
            let mut sink = Collect::default();
            let mut received = 0;
            let done = loop {
                received = (received + piece).min(head.len());
                if let Some(len) = m.advance(&head[..received], &cfg, &mut sink).unwrap() {
                    break len;
                }
                assert!(received < head.len(), "piece {piece}: incomplete at the end");
            };
            assert_eq!(done, head.len(), "piece {piece}");
            assert_eq!(m.validated, head.len(), "piece {piece}: some byte validated twice");
            assert_eq!(sink.0, whole, "piece {piece}");
        }
    }
}
