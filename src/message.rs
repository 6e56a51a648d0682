//! The sans-IO message parser: head → body → end → next message.
//!
//! # Contract
//!
//! The parser never owns input. The caller keeps a buffer of bytes received
//! and not yet consumed, and calls [`RequestParser::parse`] with all of them.
//! Each call returns how many bytes from the front of that buffer are consumed
//! (the caller drops them) and at most one [`Event`]; `None` means every byte
//! given has been validated and more are needed. While a head or a trailer
//! section is incomplete nothing is consumed: the caller passes the same bytes
//! again with more appended, and the parser resumes exactly where it stopped
//! (it remembers offsets, not pointers, so the buffer may move).
//! [`RequestParser::finish`] says the stream ended.
//!
//! # Phases
//!
//! | phase      | on a call                                            | next            |
//! |------------|------------------------------------------------------|-----------------|
//! | `Head`     | run the head machine; when done, decide framing → `Head` event | `Body` / `End` |
//! | `Body`     | hand out data (counted, chunked or until close)      | `Trailers` / `End` |
//! | `Trailers` | run the head machine on the trailer section → `Trailers` event | `End` |
//! | `End`      | → `End(disposition)` event                           | `Head` / `Closed` / `Upgraded` |
//! | `Closed`   | empty lines are skipped; any other byte is [`ErrorKind::DataAfterClose`] | |
//! | `Upgraded` | nothing is parsed; the bytes belong to the new protocol |              |
//! | `Failed`   | the first error again: nothing after a bad message is parsed |          |

use crate::body::BodyDecoder;
use crate::body::chunked::{ChunkStep, Chunked};
use crate::config::{Config, Leniency};
use crate::error::{Error, ErrorKind};
use crate::framing::{self, Decision, Disposition, Framing, FramingContext, MethodKind};
use crate::head::known_fields::Facts;
use crate::head::machine::{Fault, HeadMachine, Section};
use crate::head::{FieldSink, FieldSpan, Fields, StartInfo, Version, slice};

/// Default number of field lines a parser can hold: [`crate::config::DEFAULT_MAX_HEADERS`].
pub const DEFAULT_CAPACITY: usize = crate::config::DEFAULT_MAX_HEADERS as usize;

/// One thing the parser found.
#[derive(Clone, Copy, Debug)]
pub enum Event<'a, H> {
    /// A complete head (request or response), with the framing of its body.
    Head(H),
    /// Body data: a slice of the input, in order. A message's body is the
    /// concatenation of its `Data` events.
    Data(&'a [u8]),
    /// The trailer fields of a chunked body (only when there are some).
    Trailers(Fields<'a>),
    /// The message is complete; what the connection does next.
    End(Disposition),
}

/// The result of one [`RequestParser::parse`] or [`ResponseParser::parse`] call.
#[derive(Clone, Copy, Debug)]
pub struct Progress<'a, H> {
    /// Bytes from the front of the input that the caller may now drop.
    pub consumed: usize,
    /// What was found, or `None` when more input is needed.
    pub event: Option<Event<'a, H>>,
}

/// What the end of the stream meant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Finish {
    /// The stream ended between messages (or after the connection closed or
    /// was upgraded).
    Idle,
    /// The stream ended inside a message.
    Incomplete,
    /// The end of the stream completed a message (a close-delimited body, or
    /// a message whose `End` event had not been asked for yet).
    End(Disposition),
}

/// A request head as a server receives it. Everything borrows the input.
#[derive(Clone, Copy, Debug)]
pub struct RequestHead<'a> {
    /// The method token, as sent (case-sensitive).
    pub method: &'a [u8],
    /// The request-target, as sent.
    pub target: &'a [u8],
    /// The version as it affects parsing.
    pub version: Version,
    /// The version as sent (`HTTP/1.1`).
    pub version_bytes: &'a [u8],
    /// The header fields.
    pub fields: Fields<'a>,
    /// How the body is delimited.
    pub framing: Framing,
}

/// A response head as a client receives it. Everything borrows the input.
#[derive(Clone, Copy, Debug)]
pub struct ResponseHead<'a> {
    /// The version as it affects parsing.
    pub version: Version,
    /// The version as sent.
    pub version_bytes: &'a [u8],
    /// The status code (100..=599).
    pub code: u16,
    /// The reason phrase as sent, possibly empty.
    pub reason: &'a [u8],
    /// The header fields.
    pub fields: Fields<'a>,
    /// How the body is delimited.
    pub framing: Framing,
}

#[derive(Clone, Debug)]
enum Phase {
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
    spans: &'s mut [FieldSpan; N],
    len: &'s mut usize,
    /// `None` for a trailer section: trailers never change framing.
    facts: Option<&'s mut Facts>,
    cfg: &'s Config,
    section: Section,
    /// Method of the request a response answers.
    method: MethodKind,
}

impl<'b, const N: usize> FieldSink<'b> for SpanSink<'_, N> {
    #[inline(always)]
    fn field(&mut self, buf: &'b [u8], span: FieldSpan, start: StartInfo) -> Result<(), Fault> {
        let Some(slot) = self.spans.get_mut(*self.len) else {
            return Err(Fault::new(ErrorKind::TooManyHeaders, span.name.0 as usize));
        };
        // Field by field: LLVM otherwise assembles the span on the stack with
        // four 4-byte stores and reloads it as one 16-byte load, which stalls
        // store forwarding (it was ~40% of a field's cost).
        slot.name.0 = span.name.0;
        slot.name.1 = span.name.1;
        slot.value.0 = span.value.0;
        slot.value.1 = span.value.1;
        *self.len += 1;
        let (section, method) = (self.section, self.method);
        let ctx = move || match section {
            Section::Response => FramingContext::response(method, start.code, start.version),
            _ => FramingContext::request(start.version),
        };
        match self.facts.as_deref_mut() {
            Some(facts) => facts.observe(buf, span, ctx, self.cfg),
            None => Ok(()),
        }
    }

    fn reset(&mut self) {
        *self.len = 0;
        if let Some(facts) = self.facts.as_deref_mut() {
            *facts = Facts::default();
        }
    }
}

/// The role-independent parser; `RequestParser` and `ResponseParser` wrap it.
#[derive(Clone, Debug)]
struct Core<const N: usize> {
    cfg: Config,
    section: Section,
    phase: Phase,
    machine: HeadMachine,
    spans: [FieldSpan; N],
    nspans: usize,
    facts: Facts,
    /// Stream offset of the first byte of the next input.
    offset: u64,
    decision: Decision,
    /// Method of the request the next response answers.
    method: MethodKind,
}

/// A head just completed, before it is turned into a role's view.
struct HeadDone {
    len: usize,
}

impl<const N: usize> Core<N> {
    fn new(section: Section, cfg: Config) -> Self {
        Core {
            machine: HeadMachine::new(section, &cfg),
            cfg,
            section,
            phase: Phase::Head,
            spans: [FieldSpan::default(); N],
            nspans: 0,
            facts: Facts::default(),
            offset: 0,
            decision: Decision { framing: Framing::None, disposition: Disposition::KeepAlive, used: Leniency::NONE },
            method: MethodKind::Other,
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
            len: &mut self.nspans,
            facts: if read_facts { Some(&mut self.facts) } else { None },
            cfg: &self.cfg,
            section: self.section,
            method: self.method,
        };
        match self.machine.advance(input, &self.cfg, &mut sink) {
            Ok(done) => Ok(done),
            Err(f) => Err(self.fail(f.kind, f.at)),
        }
    }

    /// Head phase: `Ok(Some(..))` once the head is complete and framed.
    #[inline(always)]
    fn head(&mut self, input: &[u8]) -> Result<Option<HeadDone>, Error> {
        let Some(len) = self.run_machine(input, true)? else {
            return Ok(None);
        };
        let m = &self.machine;
        let version = Version::from_digits(m.major, m.minor);
        let decided = match self.section {
            Section::Response => framing::response(self.method, m.code, version, &self.facts, &self.cfg),
            _ => {
                let method = MethodKind::of(slice(input, m.parts[0]));
                framing::request(method, version, &self.facts, m.blank_line(), &self.cfg)
            }
        };
        self.decision = match decided {
            Ok(d) => d,
            Err(f) => return Err(self.fail(f.kind, f.at)),
        };
        let head_used = self.machine.used;
        self.decision.used = merge(self.decision.used, head_used);
        self.phase = match self.decision.framing {
            Framing::None | Framing::Length(0) => Phase::End,
            Framing::Length(n) => Phase::Body(BodyDecoder::Length(n)),
            Framing::Chunked => Phase::Body(BodyDecoder::Chunked(Chunked::new())),
            Framing::CloseDelimited => Phase::Body(BodyDecoder::UntilClose),
        };
        Ok(Some(HeadDone { len }))
    }

    fn fields<'a>(&'a self, input: &'a [u8]) -> Fields<'a> {
        Fields::new(input, self.spans.get(..self.nspans).unwrap_or_default())
    }

    /// Every phase but `Head`. Returns the bytes consumed and the event.
    fn after_head<'a, H>(&'a mut self, input: &'a [u8]) -> Result<Progress<'a, H>, Error> {
        let phase = core::mem::replace(&mut self.phase, Phase::Head);
        let (phase, progress) = match phase {
            Phase::Body(BodyDecoder::Chunked(mut dec)) => {
                let step = dec.step(input, self.offset, &self.cfg.limits);
                return self.chunked(input, step, dec);
            }
            Phase::Body(mut dec) => {
                let n = dec.take_counted(input.len());
                let next = match dec {
                    BodyDecoder::Length(0) => Phase::End,
                    _ => Phase::Body(dec),
                };
                let event = input.get(..n).filter(|d| !d.is_empty()).map(Event::Data);
                (next, (n, event))
            }
            Phase::Trailers => {
                self.phase = Phase::Trailers;
                return self.trailers(input);
            }
            Phase::End => {
                let d = self.decision.disposition;
                (self.next_message(d), (0, Some(Event::End(d))))
            }
            Phase::Closed => {
                // Empty lines may trail a message (RFC 9112 2.2); any other
                // byte would be read by someone as a request that must not be
                // processed (RFC 9112 9.6), so it is an error, not dropped.
                let mut i = 0;
                while input.get(i..i + 2) == Some(&b"\r\n"[..]) {
                    i += 2;
                }
                if !matches!(input.get(i..), Some(b"" | b"\r")) {
                    return Err(self.fail(ErrorKind::DataAfterClose, i));
                }
                (Phase::Closed, (i, None))
            }
            Phase::Upgraded => (Phase::Upgraded, (0, None)),
            Phase::Failed(e) => {
                self.phase = Phase::Failed(e);
                return Err(e);
            }
            Phase::Head => (Phase::Head, (0, None)),
        };
        self.phase = phase;
        Ok(Progress { consumed: self.consume(progress.0), event: progress.1 })
    }

    fn chunked<'a, H>(
        &'a mut self,
        input: &'a [u8],
        step: Result<ChunkStep, Error>,
        dec: Chunked,
    ) -> Result<Progress<'a, H>, Error> {
        let step = match step {
            Ok(s) => s,
            Err(e) => {
                self.phase = Phase::Failed(e);
                return Err(e);
            }
        };
        self.phase = Phase::Body(BodyDecoder::Chunked(dec));
        let (consumed, event) = match step {
            ChunkStep::Data { skip, len } => (skip + len, input.get(skip..skip + len).map(Event::Data)),
            ChunkStep::NeedMore => (input.len(), None),
            ChunkStep::Last { consumed } => {
                self.phase = Phase::Trailers;
                self.machine = HeadMachine::new(Section::Trailers, &self.cfg);
                self.nspans = 0;
                (consumed, None)
            }
        };
        let consumed = self.consume(consumed);
        if event.is_none() && matches!(self.phase, Phase::Trailers) {
            // Go straight on with the trailer section if its bytes are here.
            let rest = input.get(consumed..).unwrap_or_default();
            let p: Progress<'a, H> = self.trailers(rest)?;
            return Ok(Progress { consumed: consumed + p.consumed, event: p.event });
        }
        Ok(Progress { consumed, event })
    }

    /// Trailer section: retained until complete, then `Trailers` (if any) and `End`.
    fn trailers<'a, H>(&'a mut self, input: &'a [u8]) -> Result<Progress<'a, H>, Error> {
        let Some(len) = self.run_machine(input, false)? else {
            return Ok(Progress { consumed: 0, event: None });
        };
        self.decision.used = merge(self.decision.used, self.machine.used);
        self.consume(len);
        if self.nspans == 0 {
            let d = self.decision.disposition;
            self.phase = self.next_message(d);
            return Ok(Progress { consumed: len, event: Some(Event::End(d)) });
        }
        self.phase = Phase::End;
        Ok(Progress { consumed: len, event: Some(Event::Trailers(self.fields(input))) })
    }

    /// After `End(d)`: the phase the connection is in.
    fn next_message(&mut self, d: Disposition) -> Phase {
        match d {
            Disposition::KeepAlive => {
                self.machine = HeadMachine::new(self.section, &self.cfg);
                self.nspans = 0;
                self.facts = Facts::default();
                Phase::Head
            }
            Disposition::Close => Phase::Closed,
            Disposition::Upgrade => Phase::Upgraded,
        }
    }

    fn finish(&mut self) -> Result<Finish, Error> {
        let result = match &self.phase {
            Phase::Failed(e) => return Err(*e),
            Phase::Head if self.machine.is_idle() => Finish::Idle,
            Phase::Closed | Phase::Upgraded => Finish::Idle,
            Phase::Body(BodyDecoder::UntilClose) => {
                self.phase = Phase::Closed;
                Finish::End(Disposition::Close)
            }
            Phase::End => {
                let d = self.decision.disposition;
                self.phase = self.next_message(d);
                Finish::End(d)
            }
            Phase::Head | Phase::Body(_) | Phase::Trailers => Finish::Incomplete,
        };
        Ok(result)
    }
}

/// Every switch that is on in `a` or in `b`.
fn merge(a: Leniency, b: Leniency) -> Leniency {
    Leniency {
        bare_lf_in_head: a.bare_lf_in_head | b.bare_lf_in_head,
        obs_fold_in_responses: a.obs_fold_in_responses | b.obs_fold_in_responses,
        whitespace_before_colon_in_responses: a.whitespace_before_colon_in_responses
            | b.whitespace_before_colon_in_responses,
        multiple_spaces_in_start_line: a.multiple_spaces_in_start_line | b.multiple_spaces_in_start_line,
        missing_host: a.missing_host | b.missing_host,
        any_version: a.any_version | b.any_version,
        non_ascii_target: a.non_ascii_target | b.non_ascii_target,
        transfer_encoding_with_content_length_in_responses: a.transfer_encoding_with_content_length_in_responses
            | b.transfer_encoding_with_content_length_in_responses,
    }
}

macro_rules! parser_common {
    () => {
        /// The leniencies the most recent message needed: set when its head
        /// completes, extended by its trailer section. A server can log peers
        /// that rely on them. All `false` under the strict default (such a
        /// message would have been an error).
        pub fn leniencies_used(&self) -> Leniency {
            self.core.decision.used
        }

        /// A parser with strict rules and default limits.
        pub fn new() -> Self {
            Self::with_config(Config::new())
        }

        /// Tells the parser the stream ended: completes a close-delimited
        /// body, or reports a message cut short as [`Finish::Incomplete`].
        ///
        /// # Errors
        ///
        /// The error the stream already failed with, if any.
        pub fn finish(&mut self) -> Result<Finish, Error> {
            self.core.finish()
        }

        /// True between messages: no byte of a next message has been seen
        /// (empty lines aside). A server can use it to choose between an idle
        /// timeout and a slow-request timeout, without calling `finish`.
        pub fn is_between_messages(&self) -> bool {
            match self.core.phase {
                Phase::Head => self.core.machine.is_idle(),
                Phase::Closed | Phase::Upgraded => true,
                _ => false,
            }
        }

        /// Stream offset of the first byte of the next input.
        pub fn offset(&self) -> u64 {
            self.core.offset
        }

        /// True once the connection was handed to another protocol: the bytes
        /// not consumed belong to it.
        pub fn is_upgraded(&self) -> bool {
            matches!(self.core.phase, Phase::Upgraded)
        }

        /// The configuration in force.
        pub fn config(&self) -> &Config {
            &self.core.cfg
        }
    };
}

/// Parses the requests on a connection, as a server sees them.
///
/// `N` is how many field lines it can hold (default [`DEFAULT_CAPACITY`]);
/// the effective limit is the smaller of `N` and `Limits::headers`.
///
/// ```
/// use h1parse::{Event, RequestParser, Disposition, Framing};
///
/// let mut parser = RequestParser::new();
/// let mut input: &[u8] = b"POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello";
/// let mut body = Vec::new();
/// loop {
///     let progress = parser.parse(input).unwrap();
///     let consumed = progress.consumed;
///     match progress.event {
///         Some(Event::Head(head)) => {
///             assert_eq!(head.method, b"POST");
///             assert_eq!(head.framing, Framing::Length(5));
///         }
///         Some(Event::Data(data)) => body.extend_from_slice(data),
///         Some(Event::Trailers(_)) => {}
///         Some(Event::End(next)) => {
///             assert_eq!(next, Disposition::KeepAlive);
///             break;
///         }
///         None => unreachable!("the whole message is here"),
///     }
///     input = &input[consumed..];
/// }
/// assert_eq!(body, b"hello");
/// ```
#[derive(Clone, Debug)]
pub struct RequestParser<const N: usize = DEFAULT_CAPACITY> {
    core: Core<N>,
}

impl RequestParser {
    /// A parser with the given limits and leniencies.
    pub fn with_config(cfg: Config) -> Self {
        RequestParser { core: Core::new(Section::Request, cfg) }
    }

    parser_common!();
}

impl Default for RequestParser {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> RequestParser<N> {
    /// A parser holding up to `N` field lines.
    pub fn with_capacity(cfg: Config) -> Self {
        RequestParser { core: Core::new(Section::Request, cfg) }
    }

    /// Parses from the front of `input` (see the [module contract](crate::message)).
    ///
    /// # Errors
    ///
    /// The first error in the stream, with its stream offset; after it every
    /// call returns the same error.
    pub fn parse<'a>(&'a mut self, input: &'a [u8]) -> Result<Progress<'a, RequestHead<'a>>, Error> {
        let core = &mut self.core;
        if !matches!(core.phase, Phase::Head) {
            return core.after_head(input);
        }
        let Some(done) = core.head(input)? else {
            return Ok(Progress { consumed: 0, event: None });
        };
        let m = &core.machine;
        let head = RequestHead {
            method: slice(input, m.parts[0]),
            target: slice(input, m.parts[1]),
            version: Version::from_digits(m.major, m.minor),
            version_bytes: slice(input, m.parts[2]),
            fields: Fields::new(input, core.spans.get(..core.nspans).unwrap_or_default()),
            framing: core.decision.framing,
        };
        core.offset += done.len as u64;
        Ok(Progress { consumed: done.len, event: Some(Event::Head(head)) })
    }
}

/// Parses the responses on a connection, as a client sees them.
///
/// Framing of a response depends on the request it answers: call
/// [`ResponseParser::set_request_method`] before each response when it differs
/// (the default is a `GET`-like method). An interim 1xx response ends with
/// `End(KeepAlive)` and the final response to the same request follows.
///
/// ```
/// use h1parse::{Event, ResponseParser, Framing};
///
/// let mut parser = ResponseParser::new();
/// parser.set_request_method(b"HEAD");
/// let input = b"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n";
/// let progress = parser.parse(input).unwrap();
/// let Some(Event::Head(head)) = progress.event else { panic!() };
/// assert_eq!(head.code, 200);
/// assert_eq!(head.framing, Framing::None); // a response to HEAD has no body
/// ```
#[derive(Clone, Debug)]
pub struct ResponseParser<const N: usize = DEFAULT_CAPACITY> {
    core: Core<N>,
}

impl ResponseParser {
    /// A parser with the given limits and leniencies.
    pub fn with_config(cfg: Config) -> Self {
        ResponseParser { core: Core::new(Section::Response, cfg) }
    }

    parser_common!();
}

impl Default for ResponseParser {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> ResponseParser<N> {
    /// A parser holding up to `N` field lines.
    pub fn with_capacity(cfg: Config) -> Self {
        ResponseParser { core: Core::new(Section::Response, cfg) }
    }

    /// The method of the request that the next response answers; it stays in
    /// force until changed.
    pub fn set_request_method(&mut self, method: &[u8]) {
        self.core.method = MethodKind::of(method);
    }

    /// Parses from the front of `input` (see the [module contract](crate::message)).
    ///
    /// # Errors
    ///
    /// The first error in the stream, with its stream offset; after it every
    /// call returns the same error.
    pub fn parse<'a>(&'a mut self, input: &'a [u8]) -> Result<Progress<'a, ResponseHead<'a>>, Error> {
        let core = &mut self.core;
        if !matches!(core.phase, Phase::Head) {
            return core.after_head(input);
        }
        let Some(done) = core.head(input)? else {
            return Ok(Progress { consumed: 0, event: None });
        };
        let m = &core.machine;
        let head = ResponseHead {
            version: Version::from_digits(m.major, m.minor),
            version_bytes: slice(input, m.parts[0]),
            code: m.code,
            reason: slice(input, m.parts[2]),
            fields: Fields::new(input, core.spans.get(..core.nspans).unwrap_or_default()),
            framing: core.decision.framing,
        };
        core.offset += done.len as u64;
        Ok(Progress { consumed: done.len, event: Some(Event::Head(head)) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// httparse's 720-byte benchmark request with a chunked body and trailers.
    fn stream() -> std::vec::Vec<u8> {
        let head = "GET /wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg HTTP/1.1\r\n\
            Host: www.kittyhell.com\r\n\
            User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; ja-JP-mac; rv:1.9.2.3) Gecko/20100401 Firefox/3.6.3 Pathtraq/0.9\r\n\
            Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n\
            Accept-Language: ja,en-us;q=0.7,en;q=0.3\r\n\
            Accept-Encoding: gzip,deflate\r\n\
            Accept-Charset: Shift_JIS,utf-8;q=0.7,*;q=0.7\r\n\
            Keep-Alive: 115\r\n\
            Connection: keep-alive\r\n\
            Transfer-Encoding: chunked\r\n\
            Cookie: wp_ozh_wsa_visits=2; wp_ozh_wsa_visit_lasttime=xxxxxxxxxx; __utma=xxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.x; __utmz=xxxxxxxxx.xxxxxxxxxx.x.x.utmccn=(referral)|utmcsr=reader.livedoor.com|utmcct=/reader/|utmcmd=referral|padding=under256\r\n\r\n";
        let body = "5;ext=\"a b\"\r\nhello\r\n6\r\n world\r\n0\r\nChecksum: abc\r\n\r\n";
        [head.as_bytes(), body.as_bytes()].concat()
    }

    #[test]
    fn between_messages_only_before_a_message_starts() {
        let mut p = RequestParser::new();
        assert!(p.is_between_messages());
        assert!(p.parse(b"\r\n").unwrap().event.is_none());
        assert!(p.is_between_messages(), "empty lines are not a message");
        assert!(p.parse(b"\r\nG").unwrap().event.is_none());
        assert!(!p.is_between_messages());
        let msg = b"\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";
        let head = p.parse(msg).unwrap().consumed;
        assert_eq!(head, msg.len());
        assert!(!p.is_between_messages(), "the End event is still to come");
        assert!(matches!(p.parse(b"").unwrap().event, Some(Event::End(Disposition::KeepAlive))));
        assert!(p.is_between_messages());
    }

    /// Feeds `stream` one byte at a time, the way a slow peer sends it, and
    /// returns (calls made, bytes the head and trailer machines moved past,
    /// head + trailer section lengths, body bytes seen).
    fn one_byte_at_a_time(stream: &[u8]) -> (usize, usize, usize, usize) {
        let mut p = RequestParser::new();
        let mut buf = std::vec::Vec::new();
        let (mut calls, mut validated, mut sections, mut body) = (0, 0, 0, 0);
        for &b in stream {
            buf.push(b);
            loop {
                calls += 1;
                let before = p.core.machine.validated;
                let progress = p.parse(&buf).unwrap();
                let n = progress.consumed;
                let event = progress.event.map(|e| match e {
                    Event::Head(_) => 'h',
                    Event::Data(d) => {
                        body += d.len();
                        'd'
                    }
                    Event::Trailers(_) => 't',
                    Event::End(_) => 'e',
                });
                // A machine that completed is replaced at the next message;
                // count what it validated before that.
                validated += p.core.machine.validated.saturating_sub(before);
                if matches!(event, Some('h') | Some('t')) || (event == Some('e') && p.core.nspans == 0) {
                    sections += n;
                }
                buf.drain(..n);
                if event.is_none() {
                    break;
                }
            }
        }
        (calls, validated, sections, body)
    }

    /// Truly incremental: fed one byte at a time, the head and trailer
    /// machines move past every byte exactly once (they resume where they
    /// stopped and never go back), and body/chunk-line bytes are consumed as
    /// validated, so they are never handed to the parser twice. Total work is
    /// therefore linear in the stream length for any split.
    #[test]
    fn one_byte_at_a_time_never_revalidates() {
        let s = stream();
        let (calls, validated, sections, body) = one_byte_at_a_time(&s);
        assert_eq!(body, 11);
        assert!(sections > 720, "head and trailer section lengths: {sections}");
        assert_eq!(validated, sections, "each head/trailer byte validated exactly once");
        // One call per byte plus one per event (each body byte is one here).
        assert!(calls <= s.len() + body + 4, "{calls} calls for {} bytes", s.len());
    }
}
