//! Field lines (RFC 9112 5) and the blank line that ends a head or trailer
//! section: one method per state, and the hand-over of each field to the
//! sink. (Whole lines of the common shape are read by the walk, `walk.rs`.)

use super::{CR, HTAB, HeadMachine, LF, SP, Section, State, Step};
use crate::config::{Config, Leniency};
use crate::error::{ErrorKind, Fault};
use crate::framing::fields::is_known;
use crate::head::{FieldSink, FieldSpan, slice};
use crate::simd;

impl HeadMachine {
    /// First byte of a line in the field section.
    pub(super) fn line_start<'b, S: FieldSink<'b>>(&mut self, buf: &'b [u8], cfg: &Config, sink: &mut S) -> Step {
        let i = self.pos;
        let Some(b) = self.peek(buf, i)? else {
            return Ok(false);
        };
        if b == SP || b == HTAB {
            return self.folded_line(i, cfg, sink.count());
        }
        if let Some(field) = self.pending.take() {
            sink.field(buf, field)?;
        }
        match b {
            CR | LF => {
                self.blank_line = i;
                self.line_end(b, i, State::FinalLf, cfg)
            }
            _ => {
                self.part_start = i;
                self.state = State::FieldName;
                Ok(true)
            }
        }
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
                    self.value_start = self.pos;
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
                    field.value.0 = self.value_start as u32;
                }
                field.value.1 = trim_trailing_ows(buf, self.value_start, i) as u32;
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

    /// `field-name = token` then `:` with no whitespace between (RFC 9112 5.1).
    pub(super) fn field_name(&mut self, buf: &[u8], cfg: &Config) -> Step {
        let i = simd::skip_token(buf, self.pos, self.window(buf));
        self.pos = i;
        match self.peek(buf, i)? {
            None => Ok(false),
            Some(b':') if i > self.part_start => {
                self.name = (self.part_start as u32, i as u32);
                self.pos = i + 1;
                self.state = State::ValueWs;
                Ok(true)
            }
            Some(SP | HTAB)
                if i > self.part_start
                    && self.section == Section::Response
                    && cfg.leniency.contains(Leniency::WHITESPACE_BEFORE_COLON_IN_RESPONSES) =>
            {
                self.used |= Leniency::WHITESPACE_BEFORE_COLON_IN_RESPONSES;
                self.name = (self.part_start as u32, i as u32);
                self.pos = i + 1;
                self.state = State::NameWs;
                Ok(true)
            }
            Some(SP | HTAB) if i > self.part_start => Err(Fault::new(ErrorKind::WhitespaceBeforeColon, i)),
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
                self.value_start = self.pos;
                self.state = State::Value;
                return Ok(true);
            }
            self.pos += 1;
        }
        Ok(false)
    }

    /// `field-value` up to CR; trailing OWS is trimmed (RFC 9112 5.1).
    pub(super) fn value<'b, S: FieldSink<'b>>(&mut self, buf: &'b [u8], cfg: &Config, sink: &mut S) -> Step {
        let i = simd::skip_value(buf, self.pos, self.window(buf));
        self.pos = i;
        match self.peek(buf, i)? {
            None => Ok(false),
            Some(b @ (CR | LF)) => {
                let end = trim_trailing_ows(buf, self.value_start, i);
                let field = FieldSpan { name: self.name, value: (self.value_start as u32, end as u32) };
                if self.may_fold(cfg) {
                    self.pending = Some(field);
                } else {
                    sink.field(buf, field)?;
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
pub(super) fn trim_trailing_ows(buf: &[u8], value: usize, mut end: usize) -> usize {
    while end > value && buf.get(end - 1).is_some_and(|&c| c == SP || c == HTAB) {
        end -= 1;
    }
    end
}
