//! The `inspect` renderer, shared by `examples/inspect.rs` and the fixture
//! tests so the two can never drift apart.
//!
//! One line per event; data lines are streamed, so a message's body is one
//! `data` line whatever the split. Nothing here knows how the input was split:
//! the output is a function of the stream alone. With leniencies switched on,
//! a `lenient NAME...` line before a message's `end` line names the switches
//! it needed (none: no line), so without them the output is unchanged.
#![allow(dead_code)]

use h1parse::{
    Config, Disposition, Error, Event, Fields, Finish, Framing, Leniency, Progress, RequestHead, RequestParser,
    ResponseHead, ResponseParser, Trailers,
};
use std::fmt::Write as _;

/// What `inspect` was asked to do.
#[derive(Clone, Debug)]
pub struct Options {
    /// Parse responses instead of requests.
    pub response: bool,
    /// Method of the request each response answers.
    pub method: Vec<u8>,
    /// Feed the parser this many bytes at a time (`None`: all at once).
    pub split: Option<usize>,
    /// Limits and leniencies.
    pub config: Config,
}

impl Default for Options {
    fn default() -> Self {
        Options { response: false, method: b"GET".to_vec(), split: None, config: Config::new() }
    }
}

/// Applies one configuration option to `cfg`: `--lenient NAME` (a
/// `Leniency` name, or `all`) or `--limit NAME=N` (a `Limits` field).
/// Returns false for an option it does not know; an error for a bad value.
pub fn config_option(cfg: &mut Config, option: &str, value: Option<&str>) -> Result<bool, String> {
    match option {
        "--lenient" => {
            let name = value.ok_or("--lenient needs a switch name or all")?;
            let switch = if name == "all" { Some(Leniency::ALL) } else { Leniency::from_name(name) };
            cfg.leniency |= switch.ok_or_else(|| {
                let names: Vec<&str> = Leniency::ALL.iter().filter_map(Leniency::name).collect();
                format!("unknown leniency {name}; known: all, {}", names.join(", "))
            })?;
        }
        "--limit" => {
            let spec = value.ok_or("--limit needs NAME=N")?;
            let (name, n) = spec.split_once('=').ok_or_else(|| format!("--limit {spec}: expected NAME=N"))?;
            let n: u32 = n.parse().map_err(|_| format!("--limit {spec}: N must be a number"))?;
            let l = &mut cfg.limits;
            match name {
                "start_line" => l.start_line = n,
                "field_line" => l.field_line = n,
                "head" => l.head = n,
                "headers" => l.headers = u16::try_from(n).map_err(|_| format!("--limit {spec}: at most 65535"))?,
                "chunk_size_digits" => l.chunk_size_digits = n,
                "chunk_extensions" => l.chunk_extensions = n,
                "trailers" => l.trailers = n,
                _ => {
                    return Err(format!(
                        "unknown limit {name}; known: start_line, field_line, head, headers, chunk_size_digits, \
                         chunk_extensions, trailers"
                    ));
                }
            }
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// The `inspect` log of `stream`, and whether it parsed without error.
pub fn inspect(stream: &[u8], opts: &Options) -> (String, bool) {
    let piece = opts.split.unwrap_or(stream.len()).max(1);
    inspect_pieces(stream.chunks(piece), opts)
}

/// The `inspect` log of the stream that arrives as `pieces`, in order.
pub fn inspect_pieces<'s>(pieces: impl IntoIterator<Item = &'s [u8]>, opts: &Options) -> (String, bool) {
    let lenient = opts.config.leniency.any();
    if opts.response {
        let mut p = ResponseParser::with_config(opts.config);
        p.set_request_method(&opts.method);
        drive(&mut p, pieces, lenient)
    } else {
        drive(&mut RequestParser::with_config(opts.config), pieces, lenient)
    }
}

/// Either parser, seen through what the renderer needs.
pub trait Parser {
    /// The head event type.
    type Head<'a>;
    /// See `RequestParser::parse`.
    fn parse<'a>(&mut self, input: &'a [u8]) -> Result<Progress<'a, Self::Head<'a>>, Error>;
    /// See `RequestParser::finish`.
    fn finish(&mut self) -> Result<Finish, Error>;
    /// See `RequestParser::leniencies_used`.
    fn leniencies_used(&self) -> Leniency;
    /// Writes the start line, fields and `body` line of a head.
    fn render_head(&self, head: &Self::Head<'_>, out: &mut String);
    /// Writes the trailer fields.
    fn render_trailers(&self, trailers: &Trailers<'_>, out: &mut String);
    /// What the head says the connection does after the message.
    fn verdict(head: &Self::Head<'_>) -> Disposition;
}

impl Parser for RequestParser {
    type Head<'a> = RequestHead<'a>;
    fn parse<'a>(&mut self, input: &'a [u8]) -> Result<Progress<'a, RequestHead<'a>>, Error> {
        RequestParser::parse(self, input)
    }
    fn finish(&mut self) -> Result<Finish, Error> {
        RequestParser::finish(self)
    }
    fn leniencies_used(&self) -> Leniency {
        RequestParser::leniencies_used(self)
    }
    fn render_head(&self, h: &RequestHead<'_>, out: &mut String) {
        out.push_str("request ");
        out.push_str(&escape(h.method));
        out.push(' ');
        out.push_str(&escape(h.target));
        out.push(' ');
        out.push_str(&escape(h.version_bytes));
        out.push('\n');
        render_fields("header", &self.fields(h), out);
        render_framing(h.framing, out);
    }
    fn render_trailers(&self, t: &Trailers<'_>, out: &mut String) {
        render_fields("trailer", &self.trailers(t), out);
    }
    fn verdict(h: &RequestHead<'_>) -> Disposition {
        h.connection
    }
}

impl Parser for ResponseParser {
    type Head<'a> = ResponseHead<'a>;
    fn parse<'a>(&mut self, input: &'a [u8]) -> Result<Progress<'a, ResponseHead<'a>>, Error> {
        ResponseParser::parse(self, input)
    }
    fn finish(&mut self) -> Result<Finish, Error> {
        ResponseParser::finish(self)
    }
    fn leniencies_used(&self) -> Leniency {
        ResponseParser::leniencies_used(self)
    }
    fn render_head(&self, h: &ResponseHead<'_>, out: &mut String) {
        // Three digits as sent (a code below 100 needs the `any_status_code` leniency).
        let _ = writeln!(out, "response {} {:03} {}", escape(h.version_bytes), h.code, escape(h.reason));
        render_fields("header", &self.fields(h), out);
        render_framing(h.framing, out);
    }
    fn render_trailers(&self, t: &Trailers<'_>, out: &mut String) {
        render_fields("trailer", &self.trailers(t), out);
    }
    fn verdict(h: &ResponseHead<'_>) -> Disposition {
        h.connection
    }
}

fn render_fields(label: &str, fields: &Fields<'_, '_>, out: &mut String) {
    for f in fields.iter() {
        let _ = writeln!(out, "{label} {}: {}", escape(f.name), escape(f.value));
    }
}

fn render_framing(framing: Framing, out: &mut String) {
    match framing {
        Framing::None => out.push_str("body none\n"),
        Framing::Length(n) => {
            let _ = writeln!(out, "body length {n}");
        }
        Framing::Chunked => out.push_str("body chunked\n"),
        Framing::CloseDelimited => out.push_str("body close\n"),
    }
}

fn disposition(d: Disposition) -> &'static str {
    match d {
        Disposition::KeepAlive => "keep-alive",
        Disposition::Close => "close",
        Disposition::Upgrade => "upgrade",
    }
}

/// Printable ASCII as is, `\` as `\\`, every other byte as `\xHH`.
pub fn escape(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(b as char),
            _ => {
                let _ = write!(s, "\\x{b:02x}");
            }
        }
    }
    s
}

/// Builds the log line by line; a run of `Data` events becomes one line.
struct Log {
    out: String,
    in_data: bool,
}

impl Log {
    fn line(&mut self) -> &mut String {
        if self.in_data {
            self.out.push('\n');
            self.in_data = false;
        }
        &mut self.out
    }

    fn data(&mut self, d: &[u8]) {
        if !self.in_data {
            self.out.push_str("data ");
            self.in_data = true;
        }
        self.out.push_str(&escape(d));
    }
}

/// Feeds the stream to `p` piece by piece and renders every event.
/// `lenient`: leniencies are switched on, so each message's `end` line is
/// preceded by the switches it needed.
pub fn drive<'s, P: Parser>(p: &mut P, pieces: impl IntoIterator<Item = &'s [u8]>, lenient: bool) -> (String, bool) {
    let mut log = Log { out: String::new(), in_data: false };
    let mut buf: Vec<u8> = Vec::new();
    let mut start = 0;
    for chunk in pieces {
        buf.extend_from_slice(chunk);
        loop {
            let (consumed, end) = match p.parse(&buf[start..]) {
                Err(e) => return error(log, e),
                Ok(Progress { consumed, event: None }) => {
                    start += consumed;
                    break;
                }
                Ok(Progress { consumed, event: Some(event) }) => (consumed, render_event(p, event, &mut log)),
            };
            start += consumed;
            if let Some(d) = end {
                end_line(p, d, lenient, &mut log);
                if d == Disposition::Upgrade {
                    return (log.out, true);
                }
            }
        }
        if start > 4096 && start * 2 > buf.len() {
            buf.drain(..start);
            start = 0;
        }
    }
    match p.finish() {
        Err(e) => error(log, e),
        Ok(Finish::Idle) => (log.line().clone(), true),
        Ok(Finish::Incomplete) => {
            log.line().push_str("incomplete\n");
            (log.out, true)
        }
        Ok(Finish::End(d)) => {
            end_line(p, d, lenient, &mut log);
            (log.out, true)
        }
    }
}

/// Renders one event but `End`, whose disposition it returns.
fn render_event<P: Parser>(p: &P, event: Event<'_, P::Head<'_>>, log: &mut Log) -> Option<Disposition> {
    match event {
        Event::Head(h) => p.render_head(&h, log.line()),
        Event::Data(d) => log.data(d),
        Event::Trailers(t) => p.render_trailers(&t, log.line()),
        Event::End(d) => return Some(d),
    }
    None
}

/// The `end` line of a message, after the `lenient` line if it needed any.
fn end_line<P: Parser>(p: &P, d: Disposition, lenient: bool, log: &mut Log) {
    let used = p.leniencies_used();
    if lenient && used.any() {
        let names: Vec<&str> = used.iter().filter_map(Leniency::name).collect();
        let _ = writeln!(log.line(), "lenient {}", names.join(" "));
    }
    let _ = writeln!(log.line(), "end {}", disposition(d));
}

fn error(mut log: Log, e: Error) -> (String, bool) {
    let _ = writeln!(log.line(), "error {} at {}", e.kind().name(), e.offset());
    (log.out, false)
}
