//! The role-independent parser of a message stream: phases, the head and
//! trailer machines, the body decoders. `RequestParser` and `ResponseParser`
//! (in `mod.rs`) wrap it and turn completed heads into their role's view.

use super::{Event, FieldsRef, Finish, Progress, Trailers};
use crate::body::chunked::Chunked;
use crate::body::{AtEof, BodyDecoder, BodyStep};
use crate::config::{Config, Leniency};
use crate::error::Fault;
use crate::error::{Error, ErrorKind};
use crate::framing::fields::may_be_known;
use crate::framing::{self, Disposition, Framing, FramingContext, FramingDecision, FramingFields, MethodKind};
use crate::head::machine::{HeadMachine, Section};
use crate::head::{FieldSink, FieldSpan, FieldWriter, Fields, Pushed, StartLine, slice};
use crate::uninit::{Slots, SlotsWriter};

/// `StreamParser::fields_of` before any section is complete.
const NO_FIELDS: u64 = u64::MAX;

/// `repr(u8)`: an explicit tag byte, so "in the head?" (asked first on
/// every call) is one compare, not a niche decoding of the body decoder.
#[derive(Clone, Debug)]
#[repr(u8)]
pub(super) enum Phase {
    Head,
    Body(BodyDecoder),
    Trailers,
    End,
    Closed,
    Upgraded,
    Failed(Error),
}

/// Stores field spans and, for a head, reads the framing fields.
struct SpanSink<'s, const N: usize> {
    spans: &'s mut Slots<FieldSpan, N>,
    /// The section's fields so far (copied back to `StreamParser::nspans`); the
    /// slots from here on may still hold the last section's.
    len: usize,
    /// `min(N, cfg.limits.headers)`.
    cap: usize,
    /// `None` for a trailer section: trailers never change framing.
    facts: Option<&'s mut FramingFields>,
    cfg: &'s Config,
    section: Section,
    /// Method of the request a response answers.
    method: MethodKind,
}

impl<'b, const N: usize> FieldSink<'b> for SpanSink<'_, N> {
    #[inline(always)]
    fn start_line(&mut self, buf: &'b [u8], start: &StartLine) {
        let ctx = match self.section {
            Section::Response => FramingContext::response(self.method, start.code, start.version()),
            _ => FramingContext::request(MethodKind::of(slice(buf, start.method)), start.version()),
        };
        if let Some(facts) = self.facts.as_deref_mut() {
            *facts = FramingFields::new(ctx);
        }
    }

    fn field(&mut self, buf: &'b [u8], span: FieldSpan) -> Result<(), Fault> {
        if self.len >= self.cap || self.spans.set(self.len, span).is_err() {
            return Err(Fault::new(ErrorKind::TooManyHeaders, span.name.0 as usize));
        }
        self.len += 1;
        match self.facts.as_deref_mut() {
            Some(facts) if may_be_known(buf, span.name) => read_framing_field(facts, buf, span, self.cfg),
            _ => Ok(()),
        }
    }

    #[inline(always)]
    fn count(&self) -> usize {
        self.len
    }

    type Writer<'w>
        = SpanWriter<'w>
    where
        Self: 'w;

    #[inline(always)]
    fn writer(&mut self) -> SpanWriter<'_> {
        SpanWriter {
            spans: self.spans.writer(&mut self.len, self.cap),
            facts: self.facts.as_deref_mut(),
            cfg: self.cfg,
        }
    }

    fn reset(&mut self) {
        self.len = 0;
        if let Some(facts) = self.facts.as_deref_mut() {
            *facts = FramingFields::default();
        }
    }
}

/// [`SpanSink`]'s writer.
struct SpanWriter<'w> {
    spans: SlotsWriter<'w, FieldSpan>,
    /// `None` for a trailer section.
    facts: Option<&'w mut FramingFields>,
    cfg: &'w Config,
}

impl<'b> FieldWriter<'b> for SpanWriter<'_> {
    #[inline(always)]
    fn push(&mut self, buf: &'b [u8], span: FieldSpan) -> Pushed {
        if self.spans.push(span).is_err() {
            return Pushed::Full;
        }
        // (A trailer section's writer has no framing fields to read.)
        if may_be_known(buf, span.name) { Pushed::StoredToRead } else { Pushed::Stored }
    }

    fn read(&mut self, buf: &'b [u8], span: FieldSpan) -> Result<(), Fault> {
        match self.facts.as_deref_mut() {
            Some(facts) => read_framing_field(facts, buf, span, self.cfg),
            None => Ok(()),
        }
    }
}

/// A field that may decide framing, read out of the loops that store fields.
#[inline(never)]
fn read_framing_field(facts: &mut FramingFields, buf: &[u8], span: FieldSpan, cfg: &Config) -> Result<(), Fault> {
    facts.read_field(buf, span.name, span.value, cfg)
}

/// The role-independent parser of a message stream; `RequestParser` and
/// `ResponseParser` wrap it. Building one writes its fields but not the span
/// slots (`Slots`): a parser per connection or per response pays for the
/// spans it uses, not for its capacity.
#[derive(Clone, Debug)]
pub(super) struct StreamParser<const N: usize> {
    /// The spans of the fields of the section being parsed (`nspans` of
    /// them), and past them those of the last complete section not yet
    /// overwritten.
    pub(super) spans: Slots<FieldSpan, N>,
    pub(super) phase: Phase,
    pub(super) machine: HeadMachine,
    pub(super) cfg: Config,
    pub(super) section: Section,
    pub(super) nspans: usize,
    pub(super) facts: FramingFields,
    /// Stream offset of the first byte of the next input.
    pub(super) offset: u64,
    pub(super) decision: FramingDecision,
    /// Method of the request the next response answers.
    pub(super) method: MethodKind,
    /// The number of the head or trailer section being parsed (counted from
    /// 0 in the stream), of the last complete one, and how many fields that
    /// one has: `fields` hands them out until the section being parsed
    /// stores its first field over them.
    pub(super) section_no: u64,
    pub(super) fields_of: u64,
    pub(super) fields_len: usize,
}

impl<const N: usize> StreamParser<N> {
    #[inline(always)]
    pub(super) fn new(section: Section, cfg: Config) -> Self {
        StreamParser {
            machine: HeadMachine::new(section, &cfg),
            cfg,
            section,
            phase: Phase::Head,
            spans: Slots::new(),
            nspans: 0,
            facts: FramingFields::default(),
            offset: 0,
            decision: FramingDecision::NONE,
            method: MethodKind::Other,
            section_no: 0,
            fields_of: NO_FIELDS,
            fields_len: 0,
        }
    }

    fn fail(&mut self, kind: ErrorKind, at: usize) -> Error {
        let e = Error::new(kind, self.offset + at as u64);
        self.phase = Phase::Failed(e);
        e
    }

    fn consume(&mut self, n: usize) -> usize {
        self.offset += n as u64;
        n
    }

    /// Runs the head (or trailer) machine; `Ok(Some(len))` when complete.
    #[inline(always)]
    fn run_machine(&mut self, input: &[u8], read_facts: bool) -> Result<Option<usize>, Error> {
        let mut sink = SpanSink {
            spans: &mut self.spans,
            len: self.nspans,
            cap: N.min(usize::from(self.cfg.limits.headers)),
            facts: if read_facts { Some(&mut self.facts) } else { None },
            cfg: &self.cfg,
            section: self.section,
            method: self.method,
        };
        let result = self.machine.advance(input, &self.cfg, &mut sink);
        self.nspans = sink.len;
        match result {
            Ok(done) => Ok(done),
            Err(f) => Err(self.fail(f.kind, f.at)),
        }
    }

    /// One `parse` call for either role: after the head, the phase's event;
    /// in the head phase, the head machine and, once the head is complete,
    /// the role's view of it built by `view`.
    #[inline(always)]
    pub(super) fn parse<'a, H>(
        &mut self,
        input: &'a [u8],
        view: impl FnOnce(&StartLine, FieldsRef<'a>, &FramingDecision) -> H,
    ) -> Result<Progress<'a, H>, Error> {
        if !matches!(self.phase, Phase::Head) {
            // The end of a bodiless message, the call after every such head,
            // answered here without a call.
            if let Phase::End = self.phase {
                return Ok(self.end_message(0));
            }
            return self.after_head(input);
        }
        // A slow peer: a few more bytes of the same token, target or value,
        // or one byte that only moves a field line on.
        if self.machine.slow_peer_shortcut(input, &self.cfg) {
            return Ok(Progress { consumed: 0, event: None });
        }
        let Some(len) = self.head(input)? else {
            return Ok(Progress { consumed: 0, event: None });
        };
        let fields = self.complete_fields(input);
        let consumed = self.consume(len);
        let head = view(&self.machine.start, fields, &self.decision);
        Ok(Progress { consumed, event: Some(Event::Head(head)) })
    }

    /// The section just parsed from `input` is complete: its fields are the
    /// ones `fields` hands out from now on.
    #[inline(always)]
    fn complete_fields<'a>(&mut self, input: &'a [u8]) -> FieldsRef<'a> {
        self.fields_of = self.section_no;
        self.fields_len = self.nspans;
        FieldsRef { input, section: self.section_no }
    }

    /// The fields of the section `r` names, while `spans` still holds them.
    pub(super) fn fields<'a>(&self, r: FieldsRef<'a>) -> Fields<'a, '_> {
        let overwritten = self.section_no != self.fields_of && self.nspans > 0;
        assert!(
            r.section == self.fields_of && !overwritten,
            "h1parse: these fields are gone (the parser has started on the next head or trailer section), \
             or the head came from another parser"
        );
        Fields::new(r.input, self.spans.as_slice().get(..self.fields_len).unwrap_or_default())
    }

    /// `RequestParser::decline_upgrade`.
    pub(super) fn decline_upgrade(&mut self) -> Option<Disposition> {
        if !matches!(self.phase, Phase::Upgraded) || self.section != Section::Request {
            return None;
        }
        let d = self.decision.declined;
        self.phase = self.next_message(d);
        Some(d)
    }

    /// Head phase: `Ok(Some(len))` once the head is complete and framed.
    #[inline(always)]
    fn head(&mut self, input: &[u8]) -> Result<Option<usize>, Error> {
        let Some(len) = self.run_machine(input, true)? else {
            return Ok(None);
        };
        let start = &self.machine.start;
        let decided = match self.section {
            Section::Response => framing::response(self.method, start.code, &self.facts, &self.cfg),
            _ => framing::request(&self.facts, self.machine.blank_line(), &self.cfg),
        };
        self.decision = match decided {
            Ok(d) => d,
            Err(f) => return Err(self.fail(f.kind, f.at)),
        };
        let head_used = self.machine.used;
        self.decision.used = Leniency::union(self.decision.used, head_used);
        self.phase = match self.decision.framing {
            Framing::None | Framing::Length(0) => Phase::End,
            Framing::Length(n) => Phase::Body(BodyDecoder::Length(n)),
            Framing::Chunked => Phase::Body(BodyDecoder::Chunked(Chunked::new())),
            Framing::CloseDelimited => Phase::Body(BodyDecoder::UntilClose),
        };
        Ok(Some(len))
    }

    /// Every phase but `Head` (which `parse` takes first). Returns the bytes
    /// consumed and the event.
    fn after_head<'a, H>(&mut self, input: &'a [u8]) -> Result<Progress<'a, H>, Error> {
        // The body first: asked on every call of a body's events.
        if let Phase::Body(dec) = &mut self.phase {
            return match dec.decode(input, self.offset, &self.cfg) {
                Ok(BodyStep::Data { skip, len }) => {
                    let consumed = self.consume(skip + len);
                    Ok(Progress { consumed, event: input.get(skip..skip + len).map(Event::Data) })
                }
                Ok(BodyStep::NeedMore) => Ok(Progress { consumed: self.consume(input.len()), event: None }),
                Ok(BodyStep::End { consumed }) => {
                    let chunked = matches!(dec, BodyDecoder::Chunked(_));
                    self.decision.used = Leniency::union(self.decision.used, dec.leniencies_used());
                    self.body_end(input, consumed, chunked)
                }
                Err(e) => {
                    self.phase = Phase::Failed(e);
                    Err(e)
                }
            };
        }
        self.after_body(input)
    }

    /// The phases after a body or a message (`Head`, `End` and `Body` are
    /// taken before this is called), out of line so the body's test stays
    /// one compare.
    #[inline(never)]
    fn after_body<'a, H>(&mut self, input: &'a [u8]) -> Result<Progress<'a, H>, Error> {
        match self.phase {
            Phase::Trailers => self.trailers(input),
            Phase::Closed => self.after_close(input),
            Phase::Failed(e) => Err(e),
            // Nothing is parsed after an upgrade: no byte taken, no event.
            // (The other phases were taken before.)
            Phase::Upgraded | Phase::Head | Phase::Body(_) | Phase::End => Ok(Progress { consumed: 0, event: None }),
        }
    }

    /// The message is complete after `consumed` bytes of this call: `End`
    /// with what the connection does next, and the parser set for it.
    #[inline(always)]
    fn end_message<'a, H>(&mut self, consumed: usize) -> Progress<'a, H> {
        let d = self.decision.disposition;
        self.phase = self.next_message(d);
        Progress { consumed, event: Some(Event::End(d)) }
    }

    /// After a message that closes the connection: empty lines may trail
    /// it (RFC 9112 2.2); any other byte would be read by someone as a
    /// request that must not be processed (RFC 9112 9.6), so it is an
    /// error, not dropped.
    fn after_close<'a, H>(&mut self, input: &'a [u8]) -> Result<Progress<'a, H>, Error> {
        let mut i = 0;
        while input.get(i..i + 2) == Some(&b"\r\n"[..]) {
            i += 2;
        }
        if !matches!(input.get(i..), Some(b"" | b"\r")) {
            return Err(self.fail(ErrorKind::DataAfterClose, i));
        }
        Ok(Progress { consumed: self.consume(i), event: None })
    }

    /// The body ended after `consumed` bytes of `input`: a chunked body's
    /// trailer section follows (parsed now if its bytes are here), any
    /// other body's message is complete.
    fn body_end<'a, H>(&mut self, input: &'a [u8], consumed: usize, chunked: bool) -> Result<Progress<'a, H>, Error> {
        if !chunked {
            let consumed = self.consume(consumed);
            return Ok(self.end_message(consumed));
        }
        self.phase = Phase::Trailers;
        self.machine = HeadMachine::new(Section::Trailers, &self.cfg);
        self.nspans = 0;
        let consumed = self.consume(consumed);
        self.section_no += 1;
        let rest = input.get(consumed..).unwrap_or_default();
        let p: Progress<'a, H> = self.trailers(rest)?;
        Ok(Progress { consumed: consumed + p.consumed, event: p.event })
    }

    /// Trailer section: retained until complete, then `Trailers` (if any) and `End`.
    fn trailers<'a, H>(&mut self, input: &'a [u8]) -> Result<Progress<'a, H>, Error> {
        // A slow peer: a few more bytes of the same name or value.
        if self.machine.slow_peer_shortcut(input, &self.cfg) {
            return Ok(Progress { consumed: 0, event: None });
        }
        let Some(len) = self.run_machine(input, false)? else {
            return Ok(Progress { consumed: 0, event: None });
        };
        self.decision.used = Leniency::union(self.decision.used, self.machine.used);
        let fields = self.complete_fields(input);
        self.consume(len);
        if self.nspans == 0 {
            return Ok(self.end_message(len));
        }
        self.phase = Phase::End;
        Ok(Progress { consumed: len, event: Some(Event::Trailers(Trailers { fields })) })
    }

    /// The leniencies the current (or last) message needed so far,
    /// including those of a body still being read.
    pub(super) fn leniencies_used(&self) -> Leniency {
        match &self.phase {
            Phase::Body(dec) => Leniency::union(self.decision.used, dec.leniencies_used()),
            _ => self.decision.used,
        }
    }

    /// After `End(d)`: the phase the connection is in.
    fn next_message(&mut self, d: Disposition) -> Phase {
        match d {
            Disposition::KeepAlive => {
                self.machine.restart(self.section, &self.cfg);
                self.nspans = 0;
                self.section_no += 1;
                Phase::Head
            }
            Disposition::Close => Phase::Closed,
            Disposition::Upgrade => Phase::Upgraded,
        }
    }

    pub(super) fn finish(&mut self) -> Result<Finish, Error> {
        let result = match &self.phase {
            Phase::Failed(e) => return Err(*e),
            Phase::Head if self.machine.is_idle() => Finish::Idle,
            Phase::Closed | Phase::Upgraded => Finish::Idle,
            Phase::Body(dec) if dec.at_eof() == AtEof::Incomplete => Finish::Incomplete,
            Phase::End | Phase::Body(_) => {
                let d = self.decision.disposition;
                self.phase = self.next_message(d);
                Finish::End(d)
            }
            Phase::Head | Phase::Trailers => Finish::Incomplete,
        };
        Ok(result)
    }
}
