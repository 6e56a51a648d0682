//! The checks behind every fuzz target, written against h1parse's public API
//! and `std` only, so `tests/fuzz_regressions.rs` in the root crate includes
//! this file too and replays committed inputs through exactly the same code.
//!
//! The core is [`trace`]: it feeds a stream to a parser in given pieces (the
//! caller keeps a buffer and drops consumed bytes, as a server would) and
//! records every event with the stream offset after it and the leniencies the
//! parser reported. [`check_trace`] then asserts what must hold for *any*
//! input: the driving contract, the shape of heads, body framing against the
//! fields the head exposed (no smuggling), and chunked bodies against a tiny
//! independent decoder. Each `pub fn` named after a target is that target.
#![allow(dead_code)]

use h1parse::{
    Config, Disposition, Error, ErrorKind, Event, Finish, Framing, Header, Leniency, Limits, Request, RequestParser,
    Response, ResponseParser, Status, Version,
};

/// Which side of the connection is parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Role {
    /// Requests, as a server reads them.
    Request,
    /// Responses to requests made with this method.
    Response(Vec<u8>),
}

/// Methods a response role can answer; the ones that change framing first.
const METHODS: [&[u8]; 4] = [b"GET", b"HEAD", b"CONNECT", b"POST"];

impl Role {
    /// Bit 0 of `b`: responses; bits 1-2: the method they answer.
    pub fn from_byte(b: u8) -> Role {
        if b & 1 == 0 { Role::Request } else { Role::Response(METHODS[usize::from(b >> 1) & 3].to_vec()) }
    }
}

/// One header or trailer field, owned.
pub type Field = (Vec<u8>, Vec<u8>);

/// A head, owned: the three start-line parts as sent (request: method,
/// target, version; response: version, code, reason).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    /// Start-line parts.
    pub start: [Vec<u8>; 3],
    /// The version as it affects parsing.
    pub version: Version,
    /// Status code of a response, 0 for a request.
    pub code: u16,
    /// Header fields in order.
    pub fields: Vec<Field>,
    /// Body framing the parser decided.
    pub framing: Framing,
    /// What the head said the connection does after the message.
    pub connection: Disposition,
}

/// One event, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ev {
    /// A head.
    Head(Head),
    /// Body data.
    Data(Vec<u8>),
    /// Trailer fields.
    Trailers(Vec<Field>),
    /// End of a message.
    End(Disposition),
    /// The caller declined the request's upgrade; what the connection does now.
    Declined(Disposition),
}

/// One event with the parser's stream offset and reported leniencies after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The event.
    pub ev: Ev,
    /// `parser.offset()` right after the event.
    pub offset: u64,
    /// `parser.leniencies_used()` right after the event.
    pub used: Leniency,
}

/// How a stream ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The first error (sticky: checked to repeat).
    Error(Error),
    /// `finish()` after the last piece.
    Finish(Finish),
    /// `End(Upgrade)`: nothing after it is parsed.
    Upgraded,
}

/// Everything a parse of one stream produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    /// Events in order.
    pub steps: Vec<Step>,
    /// How it ended.
    pub outcome: Outcome,
}

impl Trace {
    /// The trace with runs of `Data` merged: equal for every way of splitting
    /// the same stream (DESIGN.md: the output is a function of the stream).
    pub fn log(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut data: Option<Vec<u8>> = None;
        for s in &self.steps {
            if let Ev::Data(d) = &s.ev {
                data.get_or_insert_with(Vec::new).extend_from_slice(d);
                continue;
            }
            if let Some(d) = data.take() {
                out.push(format!("data {}", d.escape_ascii()));
            }
            out.push(format!("{:?} @{} {:?}", s.ev, s.offset, bits(s.used)));
        }
        if let Some(d) = data.take() {
            out.push(format!("data {}", d.escape_ascii()));
        }
        out.push(format!("{:?}", self.outcome));
        out
    }
}

/// True if `part` lies inside `whole` (zero-copy: events borrow the input).
fn within(whole: &[u8], part: &[u8]) -> bool {
    let w = whole.as_ptr() as usize;
    let p = part.as_ptr() as usize;
    part.is_empty() || (p >= w && p + part.len() <= w + whole.len())
}

fn fields<'a>(input: &[u8], it: impl Iterator<Item = Header<'a>>) -> Vec<Field> {
    it.map(|h| {
        assert!(within(input, h.name) && within(input, h.value), "field outside the input");
        (h.name.to_vec(), h.value.to_vec())
    })
    .collect()
}

/// Either message parser, seen through owned events.
pub trait Drive {
    /// One `parse` call: bytes consumed and the event.
    fn step(&mut self, input: &[u8]) -> Result<(usize, Option<Ev>), Error>;
    /// `finish()`.
    fn finish(&mut self) -> Result<Finish, Error>;
    /// `offset()`.
    fn offset(&self) -> u64;
    /// `leniencies_used()`.
    fn used(&self) -> Leniency;
    /// `is_upgraded()`.
    fn is_upgraded(&self) -> bool;
    /// `decline_upgrade()` of a request parser; `None` for responses.
    fn decline(&mut self) -> Option<Disposition>;
}

fn data(input: &[u8], d: &[u8]) -> Ev {
    assert!(within(input, d), "data outside the input");
    assert!(!d.is_empty(), "empty Data event");
    Ev::Data(d.to_vec())
}

impl Drive for RequestParser {
    fn step(&mut self, input: &[u8]) -> Result<(usize, Option<Ev>), Error> {
        let p = self.parse(input)?;
        let ev = p.event.map(|e| match e {
            Event::Head(h) => {
                for part in [h.method, h.target, h.version_bytes] {
                    assert!(within(input, part), "start line outside the input");
                }
                // The parser stays usable while the head is held.
                let _ = (self.offset(), self.leniencies_used(), self.config());
                Ev::Head(Head {
                    start: [h.method.to_vec(), h.target.to_vec(), h.version_bytes.to_vec()],
                    version: h.version,
                    code: 0,
                    fields: fields(input, self.fields(&h).iter()),
                    framing: h.framing,
                    connection: h.connection,
                })
            }
            Event::Data(d) => data(input, d),
            Event::Trailers(t) => Ev::Trailers(fields(input, self.trailers(&t).iter())),
            Event::End(d) => Ev::End(d),
        });
        Ok((p.consumed, ev))
    }
    fn finish(&mut self) -> Result<Finish, Error> {
        RequestParser::finish(self)
    }
    fn offset(&self) -> u64 {
        RequestParser::offset(self)
    }
    fn used(&self) -> Leniency {
        self.leniencies_used()
    }
    fn is_upgraded(&self) -> bool {
        RequestParser::is_upgraded(self)
    }
    fn decline(&mut self) -> Option<Disposition> {
        self.decline_upgrade()
    }
}

impl Drive for ResponseParser {
    fn step(&mut self, input: &[u8]) -> Result<(usize, Option<Ev>), Error> {
        let p = self.parse(input)?;
        let ev = p.event.map(|e| match e {
            Event::Head(h) => {
                assert!(within(input, h.version_bytes) && within(input, h.reason), "start line outside the input");
                assert!(h.code <= 999, "status code {} is not three digits", h.code);
                assert_eq!(h.is_interim(), (100..200).contains(&h.code) && h.code != 101);
                Ev::Head(Head {
                    start: [h.version_bytes.to_vec(), format!("{:03}", h.code).into_bytes(), h.reason.to_vec()],
                    version: h.version,
                    code: h.code,
                    fields: fields(input, self.fields(&h).iter()),
                    framing: h.framing,
                    connection: h.connection,
                })
            }
            Event::Data(d) => data(input, d),
            Event::Trailers(t) => Ev::Trailers(fields(input, self.trailers(&t).iter())),
            Event::End(d) => Ev::End(d),
        });
        Ok((p.consumed, ev))
    }
    fn finish(&mut self) -> Result<Finish, Error> {
        ResponseParser::finish(self)
    }
    fn offset(&self) -> u64 {
        ResponseParser::offset(self)
    }
    fn used(&self) -> Leniency {
        self.leniencies_used()
    }
    fn is_upgraded(&self) -> bool {
        ResponseParser::is_upgraded(self)
    }
    fn decline(&mut self) -> Option<Disposition> {
        None
    }
}

/// Feeds `pieces` to `p` the way a server does (append, parse until no
/// event, drop what was consumed) and records every event. Asserts the
/// driving contract on the way. An upgrade is taken: the trace ends there.
pub fn drive<'s, P: Drive>(p: &mut P, pieces: impl IntoIterator<Item = &'s [u8]>) -> Trace {
    drive_with(p, pieces, false)
}

/// [`drive`], declining every request upgrade when `decline` is set (a
/// server that answers an `Upgrade` request without 101, a proxy that
/// refuses a CONNECT): the parse goes on after it.
pub fn drive_with<'s, P: Drive>(p: &mut P, pieces: impl IntoIterator<Item = &'s [u8]>, decline: bool) -> Trace {
    let mut steps = Vec::new();
    let mut buf: Vec<u8> = Vec::new();
    let mut start = 0usize;
    for piece in pieces {
        buf.extend_from_slice(piece);
        let mut idle = 0;
        loop {
            let input = &buf[start..];
            let before = p.offset();
            match p.step(input) {
                Err(e) => {
                    // A bare CR is reported at the CR, which an earlier call may have consumed.
                    let end = before + input.len() as u64;
                    let first = if e.kind() == ErrorKind::BareCr { before.saturating_sub(1) } else { before };
                    assert!(e.offset() >= first && e.offset() <= end, "error {e:?} outside {first}..={end}");
                    assert_eq!(p.step(input).err(), Some(e), "errors are sticky");
                    assert_eq!(p.step(b"more").err(), Some(e), "errors are sticky");
                    assert_eq!(p.finish(), Err(e), "finish repeats the error");
                    return Trace { steps, outcome: Outcome::Error(e) };
                }
                Ok((consumed, ev)) => {
                    assert!(consumed <= input.len(), "consumed {consumed} of {}", input.len());
                    start += consumed;
                    assert_eq!(p.offset(), before + consumed as u64, "offset follows consumption");
                    let Some(ev) = ev else { break };
                    idle = if consumed == 0 { idle + 1 } else { 0 };
                    assert!(idle < 4, "parser stuck: events without progress");
                    let upgraded = ev == Ev::End(Disposition::Upgrade);
                    steps.push(Step { ev, offset: p.offset(), used: p.used() });
                    if upgraded {
                        assert!(p.is_upgraded());
                        let Some(d) = p.decline().filter(|_| decline) else {
                            return Trace { steps, outcome: Outcome::Upgraded };
                        };
                        assert!(!p.is_upgraded() && d != Disposition::Upgrade, "declined, still upgraded");
                        assert_eq!(p.decline(), None, "declined twice");
                        steps.push(Step { ev: Ev::Declined(d), offset: p.offset(), used: p.used() });
                    }
                }
            }
        }
    }
    let outcome = match p.finish() {
        Ok(f) => Outcome::Finish(f),
        Err(e) => Outcome::Error(e),
    };
    Trace { steps, outcome }
}

/// Parses `pieces` as `role` under `cfg`.
pub fn trace<'s>(role: &Role, cfg: Config, pieces: impl IntoIterator<Item = &'s [u8]>) -> Trace {
    trace_with(role, cfg, pieces, false)
}

/// [`trace`], declining request upgrades when `decline` is set.
pub fn trace_with<'s>(role: &Role, cfg: Config, pieces: impl IntoIterator<Item = &'s [u8]>, decline: bool) -> Trace {
    match role {
        Role::Request => drive_with(&mut RequestParser::with_config(cfg), pieces, decline),
        Role::Response(m) => {
            let mut p = ResponseParser::with_config(cfg);
            p.set_request_method(m);
            drive_with(&mut p, pieces, decline)
        }
    }
}

// ---- leniency bits ---------------------------------------------------------

/// The switches as bits (bit `n` is the `n`-th switch `Leniency` declares).
pub fn bits(l: Leniency) -> u32 {
    l.bits()
}

/// The inverse of [`bits`], ignoring bits that name no switch, so any fuzz
/// input names a combination.
pub fn leniency_from_bits(b: u32) -> Leniency {
    Leniency::from_bits_truncate(b)
}

/// Small limits, so the fuzzer reaches every limit with short inputs.
pub fn small_limits() -> Limits {
    Limits {
        start_line: 48,
        field_line: 40,
        head: 160,
        headers: 6,
        chunk_size_digits: 4,
        chunk_extensions: 24,
        trailers: 48,
    }
}

// ---- what must hold for every trace ------------------------------------------

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

fn trim_ows(mut v: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = v {
        if !is_ows(*first) {
            break;
        }
        v = rest;
    }
    while let [rest @ .., last] = v {
        if !is_ows(*last) {
            break;
        }
        v = rest;
    }
    v
}

/// A field as the parser must expose it: a token name and a trimmed value
/// without NUL, with CR and LF only as part of a fold (when obs-fold was
/// accepted) and other control bytes only when their leniency was used.
fn check_field((name, value): &Field, used: Leniency) {
    assert!(!name.is_empty() && name.iter().all(|&b| is_tchar(b)), "bad field name {:?}", name.escape_ascii());
    assert_eq!(trim_ows(value), &value[..], "value not trimmed: {:?}", value.escape_ascii());
    let folds = used.contains(Leniency::OBS_FOLD_IN_RESPONSES);
    let controls = used.contains(Leniency::CONTROL_CHARS_IN_FIELD_VALUES);
    for (i, &b) in value.iter().enumerate() {
        let ok = match b {
            b'\t' | 0x20..=0x7e | 0x80..=0xff => true,
            0 => false,
            b'\r' => folds && value.get(i + 1) == Some(&b'\n'),
            b'\n' => folds && matches!(value.get(i + 1), Some(b' ' | b'\t' | b'\r' | b'\n')),
            _ => controls && !known_field(name),
        };
        assert!(ok, "byte {b:#04x} in value {:?} of {:?}", value.escape_ascii(), name.escape_ascii());
    }
    if folds {
        // Folds stand for SP: neither edge of the value is one.
        let edge = |b: Option<&u8>| !matches!(b, Some(b'\r' | b'\n'));
        assert!(edge(value.first()) && edge(value.last()), "fold at the edge of {:?}", value.escape_ascii());
    }
}

/// The fields whose values stay strict under every leniency.
fn known_field(name: &[u8]) -> bool {
    ["content-length", "transfer-encoding", "host", "connection", "upgrade"]
        .iter()
        .any(|k| name.eq_ignore_ascii_case(k.as_bytes()))
}

/// The head with every fold replaced by the SP it stands for (RFC 9112
/// 5.2): what the framing fields mean.
fn unfolded(head: &Head) -> Head {
    let sp = |&b: &u8| if b == b'\r' || b == b'\n' { b' ' } else { b };
    let fields = head.fields.iter().map(|(n, v)| (n.clone(), v.iter().map(sp).collect())).collect();
    Head { fields, ..head.clone() }
}

fn named<'f>(fields: &'f [Field], name: &'static str) -> impl Iterator<Item = &'f [u8]> {
    fields.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name.as_bytes())).map(|(_, v)| &v[..])
}

/// Every Content-Length value in the head, read by a separate tiny reader:
/// `None` if one is not `1*DIGIT` (a list of them allowed) or overflows.
/// Each value comes with its spelling.
fn content_lengths(fields: &[Field]) -> Option<Vec<(u64, Vec<u8>)>> {
    let mut out = Vec::new();
    for v in named(fields, "content-length") {
        for item in v.split(|&b| b == b',') {
            let item = trim_ows(item);
            if item.is_empty() || !item.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let n = item.iter().try_fold(0u64, |n, &d| n.checked_mul(10)?.checked_add(u64::from(d - b'0')))?;
            out.push((n, item.to_vec()));
        }
    }
    Some(out)
}

/// Does a Transfer-Encoding list have an empty element?
fn empty_coding_element(fields: &[Field]) -> bool {
    named(fields, "transfer-encoding").flat_map(|v| v.split(|&b| b == b',')).any(|c| trim_ows(c).is_empty())
}

/// Is chunked the final coding of the Transfer-Encoding fields?
fn chunked_is_final(fields: &[Field]) -> bool {
    let last = named(fields, "transfer-encoding")
        .flat_map(|v| v.split(|&b| b == b','))
        .map(trim_ows)
        .filter(|c| !c.is_empty())
        .last();
    last.is_some_and(|c| c.eq_ignore_ascii_case(b"chunked"))
}

/// The framing a head must have, worked out again from the fields it exposed
/// (RFC 9112 6.3), with the strict choices of DESIGN.md. Panics where the
/// head should never have been accepted: this is the smuggling check.
fn expected_framing(role: &Role, head: &Head, used: Leniency) -> Framing {
    if let Role::Response(method) = role {
        // RFC 9112 6.3 steps 1-2: no body whatever the fields say; the
        // framing fields are ignored, not validated.
        let code = head.code;
        if (100..200).contains(&code)
            || (*method == b"CONNECT" && (200..300).contains(&code))
            || *method == b"HEAD"
            || code == 204
            || code == 304
        {
            return Framing::None;
        }
    }
    let te = named(&head.fields, "transfer-encoding").next().is_some();
    let cls = content_lengths(&head.fields).expect("accepted a bad Content-Length");
    // RFC 9110 8.6: identical values only, spelling included (016 is not 16).
    assert!(cls.windows(2).all(|w| w[0] == w[1]), "accepted differing Content-Lengths {cls:?}");
    let cl = cls.first().map(|c| c.0);
    if te && empty_coding_element(&head.fields) {
        assert!(
            used.contains(Leniency::EMPTY_ELEMENTS_IN_TRANSFER_ENCODING),
            "empty Transfer-Encoding element accepted without its switch being reported"
        );
    }
    match role {
        Role::Request => {
            assert!(!(te && cl.is_some()), "request with Transfer-Encoding and Content-Length accepted");
            if te {
                assert!(chunked_is_final(&head.fields), "request whose final coding is not chunked accepted");
                assert_eq!(head.version, Version::Http11, "Transfer-Encoding in HTTP/1.0 accepted");
            }
            if head.start[0] == b"CONNECT" {
                // RFC 9110 9.3.6: no content; a peer reading one desynchronises.
                assert!(!te && cl.unwrap_or(0) == 0, "CONNECT with a body accepted");
                return Framing::None;
            }
            if te { Framing::Chunked } else { cl.map_or(Framing::None, Framing::Length) }
        }
        Role::Response(method) => {
            if te && cl.is_some() {
                assert!(
                    used.contains(Leniency::TRANSFER_ENCODING_WITH_CONTENT_LENGTH_IN_RESPONSES),
                    "response TE+CL accepted without its switch being reported"
                );
            }
            let code = head.code;
            if (100..200).contains(&code)
                || (method == b"CONNECT" && (200..300).contains(&code))
                || method == b"HEAD"
                || code == 204
                || code == 304
            {
                return Framing::None;
            }
            if te {
                assert_eq!(head.version, Version::Http11, "Transfer-Encoding in HTTP/1.0 accepted");
                return if chunked_is_final(&head.fields) { Framing::Chunked } else { Framing::CloseDelimited };
            }
            cl.map_or(Framing::CloseDelimited, Framing::Length)
        }
    }
}

/// Does a Connection field list `option` (RFC 9110 7.6.1, case-insensitive)?
fn connection_has(fields: &[Field], option: &str) -> bool {
    named(fields, "connection")
        .flat_map(|v| v.split(|&b| b == b','))
        .any(|o| o.trim_ascii().eq_ignore_ascii_case(option.as_bytes()))
}

/// RFC 9112 9.3: the close option ends the connection, else HTTP/1.1
/// persists and HTTP/1.0 only with keep-alive.
fn persistence(head: &Head) -> Disposition {
    let persists = !connection_has(&head.fields, "close")
        && (head.version == Version::Http11 || connection_has(&head.fields, "keep-alive"));
    if persists { Disposition::KeepAlive } else { Disposition::Close }
}

/// What the connection does after the message with this head, worked out
/// again from the fields: RFC 9112 9.3, RFC 9110 7.8 and 9.3.6, and the
/// decisions of DESIGN.md section 2.
fn expected_disposition(role: &Role, head: &Head) -> Disposition {
    let persistence = persistence(head);
    match role {
        Role::Request => {
            let upgrade = named(&head.fields, "upgrade").next().is_some()
                && connection_has(&head.fields, "upgrade")
                && head.version == Version::Http11;
            if head.start[0] == b"CONNECT" || upgrade { Disposition::Upgrade } else { persistence }
        }
        Role::Response(method) => {
            let code = head.code;
            let te_with_cl = named(&head.fields, "transfer-encoding").next().is_some()
                && named(&head.fields, "content-length").next().is_some();
            if code == 101 || (method == b"CONNECT" && (200..300).contains(&code)) {
                Disposition::Upgrade
            } else if (100..200).contains(&code) {
                Disposition::KeepAlive
            } else if method == b"HEAD" || code == 204 || code == 304 {
                persistence
            } else if head.framing == Framing::CloseDelimited || te_with_cl {
                Disposition::Close
            } else {
                persistence
            }
        }
    }
}

/// What a strict, independent chunked decoder makes of a body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefChunked {
    /// The body is complete after `len` bytes, with this payload.
    Done { payload: Vec<u8>, len: usize },
    /// More bytes are needed.
    Incomplete,
    /// A line ending or a size is wrong at this index.
    Bad(usize),
}

/// A deliberately simple chunked reader: sizes are `1*HEXDIG` (at most
/// `max_digits`), an extension is anything up to CR that starts with `;` or
/// whitespace, every line ends in CRLF (trailer lines may end in a bare LF
/// only when `lf_in_trailers`). It is laxer than h1parse about extensions and
/// trailer syntax and exactly as strict about line ends and sizes, which are
/// what decide where a body ends.
pub fn ref_chunked(body: &[u8], max_digits: u32, lf_in_trailers: bool) -> RefChunked {
    use RefChunked::*;
    let mut payload = Vec::new();
    let mut i = 0;
    let at = |i: usize| body.get(i).copied();
    loop {
        let digits = i;
        while at(i).is_some_and(|b| b.is_ascii_hexdigit()) {
            i += 1;
        }
        let n = i - digits;
        // Leading zeros are fine (RFC 9112 7.1); the digit limit counts the rest.
        let zeros = body[digits..i].iter().take_while(|&&d| d == b'0').count();
        let significant = digits + zeros.min(n.saturating_sub(1));
        if (i - significant) as u64 > u64::from(max_digits) {
            return Bad(significant + max_digits as usize);
        }
        let Some(first) = at(i) else { return Incomplete };
        if n == 0 {
            return Bad(i);
        }
        let size =
            body[significant..i].iter().fold(0u64, |s, &d| (s << 4) | u64::from((d as char).to_digit(16).unwrap_or(0)));
        if i - significant > 16 {
            return Bad(i);
        }
        if first != b'\r' && first != b';' && !is_ows(first) {
            return Bad(i);
        }
        while at(i).is_some_and(|b| b != b'\r' && b != b'\n') {
            i += 1;
        }
        match (at(i), at(i + 1)) {
            (None, _) | (Some(b'\r'), None) => return Incomplete,
            (Some(b'\r'), Some(b'\n')) => i += 2,
            (Some(b'\r'), Some(_)) => return Bad(i + 1),
            _ => return Bad(i),
        }
        if size == 0 {
            break;
        }
        let Some(end) = usize::try_from(size).ok().and_then(|s| i.checked_add(s)) else { return Incomplete };
        let Some(data) = body.get(i..end) else { return Incomplete };
        payload.extend_from_slice(data);
        i = end;
        match (at(i), at(i + 1)) {
            (None, _) | (Some(b'\r'), None) => return Incomplete,
            (Some(b'\r'), Some(b'\n')) => i += 2,
            (Some(b'\r'), Some(_)) => return Bad(i + 1),
            _ => return Bad(i),
        }
    }
    loop {
        let line = i;
        while at(i).is_some_and(|b| b != b'\r' && b != b'\n') {
            i += 1;
        }
        match (at(i), at(i + 1)) {
            (None, _) | (Some(b'\r'), None) => return Incomplete,
            (Some(b'\r'), Some(b'\n')) => i += 2,
            (Some(b'\n'), _) if lf_in_trailers => i += 1,
            (Some(b'\r'), Some(_)) => return Bad(i + 1),
            _ => return Bad(i),
        }
        let empty = matches!(&body[line..i], b"\r\n" | b"\n");
        if empty {
            return Done { payload, len: i };
        }
    }
}

/// A line-length error points at the first byte past its line's limit: that
/// many bytes after the line's first byte (the byte after the last LF since
/// `from`, where the message with the error began, or `from` itself), and
/// not a line end (a CR or LF there ends the line; a CR not followed by LF
/// is a bare CR). Empty lines before a request line are not part of it.
fn check_line_limit(stream: &[u8], from: u64, cfg: &Config, e: Error) {
    let limit = match e.kind() {
        ErrorKind::StartLineTooLong => cfg.limits.start_line,
        ErrorKind::FieldLineTooLong => cfg.limits.field_line,
        _ => return,
    };
    let at = usize::try_from(e.offset()).expect("offset");
    let from = usize::try_from(from).expect("offset");
    let line_start = stream[from..at].iter().rposition(|&b| b == b'\n').map_or(from, |lf| from + lf + 1);
    assert_eq!(at - line_start, limit as usize, "{e:?}: not at the line's limit (line starts at {line_start})");
    assert!(!matches!(stream.get(at), Some(b'\r' | b'\n')), "{e:?} at a line end");
}

/// Errors h1parse may give on a chunked body the reference reader accepts:
/// it checks extension and trailer-field syntax and sizes, the reference does not.
fn stricter_in_chunked(kind: ErrorKind) -> bool {
    use ErrorKind::*;
    matches!(
        kind,
        BadChunkExtension
            | ChunkExtensionsTooLarge
            | TrailersTooLarge
            | BadFieldName
            | BadFieldValue
            | WhitespaceBeforeColon
            | ObsFold
            | TooManyHeaders
            | FieldLineTooLong
    )
}

/// Asserts everything that must hold for a trace of `stream` parsed as `role`
/// under `cfg`, whatever the input.
pub fn check_trace(trace: &Trace, stream: &[u8], role: &Role, cfg: &Config) {
    let allowed = bits(cfg.leniency);
    let mut body: Option<(Framing, u64, Vec<u8>)> = None;
    let mut next = Disposition::KeepAlive;
    // What the head said of the connection, and what declining would do.
    let mut verdict = Disposition::KeepAlive;
    let mut if_declined = Disposition::KeepAlive;
    let mut last_end: Option<(Disposition, u64)> = None;
    for s in &trace.steps {
        assert_eq!(bits(s.used) & !allowed, 0, "reported a leniency that is off: {:?}", s.used);
        assert!(s.offset <= stream.len() as u64);
        if let Ev::Declined(d) = &s.ev {
            assert!(matches!(role, Role::Request), "a response upgrade declined");
            assert!(matches!(last_end, Some((Disposition::Upgrade, _))), "declined without an upgrade");
            assert_eq!(*d, if_declined, "declined: the connection's persistence disagrees with the head");
            last_end = Some((*d, s.offset));
            continue;
        }
        if let Some((Disposition::Close | Disposition::Upgrade, _)) = last_end {
            panic!("event after a message that closed the connection: {:?}", s.ev);
        }
        match &s.ev {
            Ev::Declined(_) => unreachable!(),
            Ev::Head(h) => {
                assert!(body.is_none(), "head inside a message");
                h.fields.iter().for_each(|f| check_field(f, s.used));
                if let Role::Response(_) = role {
                    let lenient = s.used.contains(Leniency::ANY_STATUS_CODE);
                    assert!((100..=599).contains(&h.code) || lenient, "status code {} without its switch", h.code);
                }
                if let Role::Request = role {
                    assert!(!h.start[0].is_empty() && h.start[0].iter().all(|&b| is_tchar(b)), "bad method");
                    let lenient_target = s.used.contains(Leniency::NON_ASCII_TARGET);
                    assert!(
                        !h.start[1].is_empty()
                            && h.start[1].iter().all(|&b| b > 0x20 && b != 0x7f && (b < 0x80 || lenient_target)),
                        "bad target {:?}",
                        h.start[1].escape_ascii()
                    );
                    let hosts = named(&h.fields, "host").count();
                    if (h.version == Version::Http11 && hosts != 1) || hosts > 1 {
                        assert!(
                            s.used.contains(Leniency::MISSING_HOST),
                            "Host count {hosts} accepted without its switch"
                        );
                    }
                }
                let meaning = unfolded(h);
                let expected = expected_framing(role, &meaning, s.used);
                assert_eq!(h.framing, expected, "framing disagrees with the fields");
                body = Some((h.framing, s.offset, Vec::new()));
                next = expected_disposition(role, &meaning);
                verdict = h.connection;
                if_declined = persistence(&meaning);
            }
            Ev::Data(d) => {
                let (_, _, data) = body.as_mut().expect("data outside a message");
                data.extend_from_slice(d);
            }
            Ev::Trailers(t) => {
                let (framing, _, _) = body.as_ref().expect("trailers outside a message");
                assert_eq!(*framing, Framing::Chunked, "trailers without chunked framing");
                let used = s.used.difference(Leniency::OBS_FOLD_IN_RESPONSES);
                t.iter().for_each(|f| check_field(f, used));
            }
            Ev::End(d) => {
                let (framing, start, data) = body.take().expect("end outside a message");
                assert_eq!(*d, next, "what the connection does next disagrees with the head");
                assert_eq!(*d, verdict, "End disagrees with the verdict the head gave");
                check_body(stream, cfg, framing, start, Some(s.offset), &data, None);
                if let Framing::CloseDelimited = framing {
                    panic!("close-delimited body ended before the stream did");
                }
                last_end = Some((*d, s.offset));
            }
        }
    }
    if let Outcome::Error(e) = trace.outcome {
        // The message with the error began after the last End (or decline).
        let from = last_end.map_or(0, |(_, at)| at);
        check_line_limit(stream, from, cfg, e);
    }
    match (trace.outcome, body) {
        (Outcome::Finish(Finish::End(d)), Some((framing, start, data))) => {
            assert!(
                framing == Framing::CloseDelimited && d == Disposition::Close,
                "finish ended a {framing:?} body with {d:?}"
            );
            assert_eq!(d, verdict, "the end of the stream disagrees with the verdict the head gave");
            assert_eq!(&stream[start as usize..], &data[..], "close-delimited body is the rest of the stream");
        }
        (Outcome::Finish(Finish::Incomplete), Some((framing, start, data))) => {
            assert_ne!(framing, Framing::CloseDelimited, "close-delimited body reported incomplete");
            check_body(stream, cfg, framing, start, None, &data, None);
        }
        (Outcome::Error(e), Some((framing, start, data))) => {
            check_body(stream, cfg, framing, start, None, &data, Some(e));
        }
        (Outcome::Finish(Finish::End(d)), None) => panic!("finish ended a message that had no head ({d:?})"),
        (Outcome::Upgraded, Some(_)) => panic!("upgraded inside a body"),
        _ => {}
    }
}

/// One body: `end` is the stream offset of its `End`, `None` if the stream
/// ended (`error` says how) inside it.
fn check_body(
    stream: &[u8],
    cfg: &Config,
    framing: Framing,
    start: u64,
    end: Option<u64>,
    data: &[u8],
    error: Option<Error>,
) {
    let rest = &stream[start as usize..];
    match framing {
        Framing::None => {
            assert!(data.is_empty(), "data in a message without a body");
            assert_eq!(end, Some(start), "a message without a body ends with its head");
        }
        Framing::Length(n) => {
            assert!(error.is_none(), "error inside a Content-Length body: {error:?}");
            assert_eq!(&rest[..data.len()], data, "Content-Length body is the bytes after the head");
            match end {
                Some(end) => assert_eq!((end - start, data.len() as u64), (n, n), "Content-Length body length"),
                None => assert!((data.len() as u64) < n && data.len() == rest.len()),
            }
        }
        Framing::Chunked => {
            let reference =
                ref_chunked(rest, cfg.limits.chunk_size_digits, cfg.leniency.contains(Leniency::BARE_LF_IN_HEAD));
            match (end, error, &reference) {
                (Some(end), _, RefChunked::Done { payload, len }) => {
                    assert_eq!((end - start, data), (*len as u64, &payload[..]), "chunked body differs from reference")
                }
                (Some(_), _, r) => panic!("chunked body accepted, reference says {r:?}"),
                (None, Some(e), RefChunked::Bad(_)) => assert!(e.offset() >= start),
                (None, Some(e), r) => {
                    assert!(stricter_in_chunked(e.kind()), "chunked body error {e:?}, reference says {r:?}")
                }
                (None, None, RefChunked::Incomplete) => {}
                (None, None, r) => panic!("chunked body incomplete, reference says {r:?}"),
            }
        }
        Framing::CloseDelimited => {
            assert!(error.is_none(), "error inside a close-delimited body: {error:?}");
            assert_eq!(&rest[..data.len()], data, "close-delimited body is the bytes after the head");
        }
    }
}

// ---- the targets ---------------------------------------------------------------

/// `request_stream`: the whole input as a request stream, strict; then
/// again declining every upgrade, whole and (if short) one byte at a time.
pub fn request_stream(data: &[u8]) {
    let cfg = Config::new();
    let t = trace(&Role::Request, cfg, [data]);
    check_trace(&t, data, &Role::Request, &cfg);
    if t.outcome == Outcome::Upgraded {
        let declining = trace_with(&Role::Request, cfg, [data], true);
        check_trace(&declining, data, &Role::Request, &cfg);
        assert_eq!(declining.steps[..t.steps.len()], t.steps[..], "declining changed what came before");
        if data.len() <= 1024 {
            let bytes = trace_with(&Role::Request, cfg, data.chunks(1), true);
            assert_eq!(bytes.log(), declining.log(), "declining one byte at a time differs from whole");
        }
    }
}

/// `response_stream`: the first line (up to LF, at most 16 bytes) is the
/// method of the request the responses answer; the rest is the stream.
pub fn response_stream(data: &[u8]) {
    let (method, stream) = match data.iter().take(17).position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&b"GET"[..], data),
    };
    let cfg = Config::new();
    let role = Role::Response(method.to_vec());
    let t = trace(&role, cfg, [stream]);
    check_trace(&t, stream, &role, &cfg);
}

/// The head `chunked_body` puts before its input.
pub const CHUNKED_HEAD: &[u8] = b"POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";

/// `chunked_body`: the input is the body of a chunked request, parsed whole
/// and one byte at a time; both agree with the reference reader.
pub fn chunked_body(data: &[u8]) {
    let stream = [CHUNKED_HEAD, data].concat();
    let cfg = Config::new();
    let whole = trace(&Role::Request, cfg, [&stream[..]]);
    check_trace(&whole, &stream, &Role::Request, &cfg);
    assert!(matches!(whole.steps.first(), Some(Step { ev: Ev::Head(_), .. })), "the fixed head must parse");
    let bytes = trace(&Role::Request, cfg, stream.chunks(1));
    assert_eq!(whole.log(), bytes.log(), "one byte at a time differs from whole");
}

/// Parses `buf` with the one-shot APIs; checks prefixes and agreement with
/// the message parser's head.
pub fn head_oneshot(data: &[u8]) {
    for cfg in [Config::new(), Config { leniency: Leniency::ALL, ..Config::new() }] {
        oneshot_request(data, &cfg);
        oneshot_response(data, &cfg);
    }
}

const STORAGE: usize = h1parse::DEFAULT_CAPACITY;

fn oneshot_request(buf: &[u8], cfg: &Config) {
    let mut storage = [Header::EMPTY; STORAGE];
    let mut req = Request::new(&mut storage);
    let res = req.parse_with(buf, cfg);
    let mut mp = RequestParser::with_config(*cfg);
    let first = Drive::step(&mut mp, buf);
    match res {
        Ok(Status::Complete(n)) => {
            assert!(n <= buf.len() && n > 0);
            let (method, target) = (req.method.expect("method"), req.target.expect("target"));
            assert!(within(&buf[..n], method) && within(&buf[..n], target));
            assert!(req.headers.iter().all(|h| within(&buf[..n], h.name) && within(&buf[..n], h.value)));
            match first {
                Ok((consumed, Some(Ev::Head(h)))) => {
                    assert_eq!(consumed, n, "message parser head length");
                    assert_eq!((&h.start[0][..], &h.start[1][..]), (method, target));
                    assert_eq!(Some(h.version), req.version);
                    assert_eq!(h.fields, fields(buf, req.headers.iter().copied()));
                }
                Err(e) => assert!(e.offset() <= n as u64, "message parser failed past the head: {e:?}"),
                other => panic!("one-shot complete, message parser {other:?}"),
            }
            prefixes_request(&buf[..n], n, cfg);
        }
        Ok(Status::Partial) => {
            assert!(matches!(first, Ok((0, None)) | Err(_)), "one-shot partial, message parser {first:?}")
        }
        Err(e) => {
            assert!(e.offset() <= buf.len() as u64);
            let e2 = first.expect_err("one-shot failed, message parser did not");
            assert!(e2.offset() <= e.offset(), "message parser failed later: {e2:?} vs {e:?}");
        }
    }
}

fn prefixes_request(head: &[u8], n: usize, cfg: &Config) {
    let mut storage = [Header::EMPTY; STORAGE];
    assert_eq!(Request::new(&mut storage).parse_with(head, cfg), Ok(Status::Complete(n)));
    let mut storage = [Header::EMPTY; STORAGE];
    assert_eq!(Request::new(&mut storage).parse_with(&head[..n - 1], cfg), Ok(Status::Partial));
}

fn oneshot_response(buf: &[u8], cfg: &Config) {
    let mut storage = [Header::EMPTY; STORAGE];
    let mut res = Response::new(&mut storage);
    let result = res.parse_with(buf, cfg);
    let mut mp = ResponseParser::with_config(*cfg);
    let first = Drive::step(&mut mp, buf);
    match result {
        Ok(Status::Complete(n)) => {
            assert!(n <= buf.len() && n > 0);
            let code = res.code.expect("code");
            assert!((100..=599).contains(&code) || cfg.leniency.contains(Leniency::ANY_STATUS_CODE), "code {code}");
            assert!(within(&buf[..n], res.reason.expect("reason")));
            match first {
                Ok((consumed, Some(Ev::Head(h)))) => {
                    assert_eq!(consumed, n);
                    assert_eq!(
                        (h.code, &h.start[2][..], Some(h.version)),
                        (code, res.reason.unwrap_or_default(), res.version)
                    );
                    assert_eq!(h.fields, fields(buf, res.headers.iter().copied()));
                }
                Err(e) => assert!(e.offset() <= n as u64, "message parser failed past the head: {e:?}"),
                other => panic!("one-shot complete, message parser {other:?}"),
            }
            let mut storage = [Header::EMPTY; STORAGE];
            assert_eq!(Response::new(&mut storage).parse_with(&buf[..n], cfg), Ok(Status::Complete(n)));
            let mut storage = [Header::EMPTY; STORAGE];
            assert_eq!(Response::new(&mut storage).parse_with(&buf[..n - 1], cfg), Ok(Status::Partial));
        }
        Ok(Status::Partial) => {
            assert!(matches!(first, Ok((0, None)) | Err(_)), "one-shot partial, message parser {first:?}")
        }
        Err(e) => {
            let e2 = first.expect_err("one-shot failed, message parser did not");
            assert!(e2.offset() <= e.offset(), "message parser failed later: {e2:?} vs {e:?}");
        }
    }
}

/// `split_vs_whole`. Byte 0: bit 0 responses, bits 1-2 their method, bit 3
/// small limits, bits 4-7 how many piece sizes follow (each 0-255, 0 read as
/// 1, used in turn). The rest is the stream. Its trace fed whole must equal
/// its trace fed in those pieces, and one byte at a time.
pub fn split_vs_whole(data: &[u8]) {
    let Some((&ctl, rest)) = data.split_first() else { return };
    let role = Role::from_byte(ctl);
    let limits = if ctl & 8 != 0 { small_limits() } else { Limits::new() };
    let cfg = Config { limits, ..Config::new() };
    let nsizes = usize::from(ctl >> 4).min(rest.len());
    let (sizes, stream) = rest.split_at(nsizes);
    let whole = trace(&role, cfg, [stream]);
    check_trace(&whole, stream, &role, &cfg);
    let expected = whole.log();
    let pieces = pieces(stream, sizes);
    assert_eq!(trace(&role, cfg, pieces.iter().copied()).log(), expected, "pieces {sizes:?} differ from whole");
    if stream.len() <= 1024 {
        assert_eq!(trace(&role, cfg, stream.chunks(1)).log(), expected, "one byte at a time differs from whole");
    }
}

/// `stream` cut into pieces of the given sizes, used in turn (0 means 1).
pub fn pieces<'s>(stream: &'s [u8], sizes: &[u8]) -> Vec<&'s [u8]> {
    let mut out = Vec::new();
    let mut rest = stream;
    let mut k = 0;
    while !rest.is_empty() {
        let n = sizes.get(k % sizes.len().max(1)).map_or(rest.len(), |&s| usize::from(s.max(1))).min(rest.len());
        let (piece, tail) = rest.split_at(n);
        out.push(piece);
        rest = tail;
        k += 1;
    }
    out
}

/// `leniency`. Bytes 0-1: the switches, little-endian (bit i is the i-th
/// switch `Leniency` declares). Byte 2: bit 0 responses, bits 1-2 their method, bits 3-7 a piece size.
/// The rest is the stream. Whatever is switched on: every check of
/// [`check_trace`] holds (TE+CL in requests, differing Content-Lengths and
/// bad chunk lines stay errors, framing follows the fields), the trace is the
/// same in pieces, a strictly valid prefix parses exactly as under strict
/// rules, and anything strict rejects but the lenient parser accepted is
/// reported by `leniencies_used()`.
pub fn leniency(data: &[u8]) {
    let [low, high, ctl, stream @ ..] = data else { return };
    let role = Role::from_byte(*ctl);
    let cfg = Config { leniency: leniency_from_bits(u32::from(u16::from_le_bytes([*low, *high]))), ..Config::new() };
    let lenient = trace(&role, cfg, [stream]);
    check_trace(&lenient, stream, &role, &cfg);
    let piece = usize::from(ctl >> 3) + 1;
    assert_eq!(trace(&role, cfg, stream.chunks(piece)).log(), lenient.log(), "pieces of {piece} differ from whole");
    let strict = trace(&role, Config::new(), [stream]);
    let k = strict.steps.len();
    assert!(lenient.steps.len() >= k, "lenient parse stopped before strict did");
    assert_eq!(lenient.steps[..k], strict.steps[..], "a leniency changed what strict rules accept");
    match strict.outcome {
        Outcome::Error(e) => {
            // The first event strict rules never reached covers the bytes
            // they rejected: the lenient parser must say what it relaxed.
            if let Some(next) = lenient.steps.get(k) {
                assert!(next.used.any(), "accepted past strict error {e:?} without reporting a leniency: {next:?}");
            }
        }
        _ => {
            assert_eq!(lenient.steps.len(), k, "a leniency added events to a valid stream");
            assert_eq!(lenient.outcome, strict.outcome, "a leniency changed how a valid stream ends");
        }
    }
}

/// `simd_vs_scalar`: every SIMD/SWAR kernel this CPU runs stops where the
/// scalar table lookup stops, for every byte class, at several start and end
/// offsets of the input (`h1parse::__fuzz::kernels_agree`).
pub fn simd_vs_scalar(data: &[u8]) {
    assert!(h1parse::__fuzz::kernels_agree(data), "a kernel disagrees with the scalar reference");
}
