//! The slow-peer shortcut: a call that brings a few new bytes which only
//! continue the part being read, or one byte that only moves a field line on,
//! is answered without the state loop or a sink.
//!
//! A peer that sends a byte or two at a time makes one call per arrival, so
//! the fixed cost of a call is the cost. [`HeadMachine::slow_peer_shortcut`]
//! is asked first by the message parser on every call in a head or trailer
//! section. It moves past the new bytes and returns `true` exactly when the
//! states would move past them and then ask for more input; for anything
//! else (a part that ends, a field to hand over, a limit, an error, a
//! leniency) it returns `false` untouched and the states decide.
//!
//! | shortcut | entry states | what it does |
//! |---|---|---|
//! | [`HeadMachine::extends_run`] | `Method`, `Target`, `FieldName`, `ValueWs`, `Value`, `ReasonWs`, `Reason` | 1 to 8 new bytes all of the state's class, inside the limits: `pos` moves to the end |
//! | [`HeadMachine::single_transition`] | `FieldLf`, `LineStart`, `FieldName`, `ValueWs` | one new byte: the LF after a field line's CR, a name's first byte, the colon, a value's first byte |
//!
//! Pinned by `byte_by_byte_equals_whole_under_every_limit` (`tests/head_rules.rs`:
//! every head limit, field-line limits 0-20, five start-line limits) and by
//! every fixture fed a byte at a time (`tests/fixtures.rs`).

use super::{HTAB, HeadMachine, LF, SP, State};
use crate::config::Config;

/// Byte classes of the states a slow peer's bytes usually continue, one bit
/// each: field-value bytes (values, reason phrases), tchar (field names,
/// methods), request-target bytes, OWS after a colon.
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

impl HeadMachine {
    /// When the bytes that arrived since the last call only continue the
    /// part being read, or are one byte that only moves a field line on,
    /// moves past them and returns `true`: the machine then needs more
    /// input. Exactly what [`HeadMachine::advance`] would do (see the module
    /// note), without setting up a sink.
    #[inline(always)]
    pub(crate) fn slow_peer_shortcut(&mut self, buf: &[u8], cfg: &Config) -> bool {
        // (Both want new bytes: a `buf` shorter than `pos` is no for both.)
        if !self.extends_run(buf) && !self.single_transition(buf, cfg) {
            return false;
        }
        #[cfg(test)]
        {
            self.validated += buf.len() - self.pos;
        }
        self.pos = buf.len();
        true
    }

    /// True when the few bytes that arrived since the last call all continue
    /// the token, target, value or reason being read, and the end of the
    /// input is inside every limit: the state's method would move past them
    /// and ask for more. Checked by table, up to `SLOW_PEER` new bytes.
    #[inline(always)]
    fn extends_run(&self, buf: &[u8]) -> bool {
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

    /// A slow peer's single new byte at `pos` that moves a field line on
    /// without completing anything: a name's first byte, its colon, a
    /// value's first byte, the LF that ends a line. Makes the transition the
    /// states would make (all but moving `pos`) and returns `true` when the
    /// states would then ask for more input; `false`, untouched, for
    /// everything else.
    #[inline(always)]
    fn single_transition(&mut self, buf: &[u8], cfg: &Config) -> bool {
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
                self.part_start = i;
                self.state = State::FieldName;
            }
            // `field_name`: the colon after a non-empty name.
            State::FieldName if in_line && b == b':' && i > self.part_start => {
                self.name = (self.part_start as u32, i as u32);
                self.state = State::ValueWs;
            }
            // `value_ws` then `value`: the value's first byte.
            State::ValueWs if in_line && class & VALUE_BIT != 0 && b != SP && b != HTAB => {
                self.value_start = i;
                self.state = State::Value;
            }
            _ => return false,
        }
        true
    }
}
