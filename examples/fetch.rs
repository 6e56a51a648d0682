//! `fetch`: a small HTTP/1.1 client on `ResponseParser`, the other side of
//! `examples/server/`.
//!
//! ```text
//! cargo run --example fetch -- [-I] [-v] [-o DIR] [--events N] [--timeout SECS] URL...
//! ```
//!
//! Fetches each `http://` URL in order over one keep-alive connection per
//! host (a new one when the server closes it or the host changes) and writes
//! the bodies to stdout, or to `DIR/1`, `DIR/2`, ... with `-o DIR`. Each
//! response is read by its own framing, as h1parse reports it: a length,
//! chunked with trailers, until close, or nothing (`-I` sends HEAD). With
//! `--events N`, an event stream (`text/event-stream`) is cut after N events.
//! `-v` reports each exchange on stderr: `>` request, `<` response head and
//! trailers, `*` framing, connection and end.
//!
//! How a client embeds h1parse: keep the unconsumed bytes, call
//! `ResponseParser::parse` on all of them, drop what it consumed, act on the
//! one event; tell it the request method first (a response to HEAD has no
//! body); at end of stream call `finish()`, which completes a close-delimited
//! body or says the response was cut short.

use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use h1parse::{Disposition, Event, Fields, Finish, Framing, ResponseHead, ResponseParser};

const USAGE: &str = "usage: fetch [-I] [-v] [-o DIR] [--events N] [--timeout SECS] URL...";

/// What the command line asked for.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Send HEAD instead of GET.
    pub head: bool,
    /// Report each exchange on stderr.
    pub verbose: bool,
    /// Write bodies to `DIR/1`, `DIR/2`, ... instead of stdout.
    pub out_dir: Option<PathBuf>,
    /// Stop an event stream after this many events.
    pub events: Option<u64>,
    /// Read/connect timeout.
    pub timeout: Option<Duration>,
    /// The URLs, in order.
    pub urls: Vec<String>,
}

/// What one URL gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched {
    /// The final status code.
    pub status: u16,
    /// The framing of the final response.
    pub framing: Framing,
    /// Body bytes received (written).
    pub body_len: u64,
    /// Trailer fields, if the body was chunked and had some.
    pub trailers: Vec<(String, String)>,
    /// Which connection carried it (1 for the first one opened, and so on).
    pub connection: usize,
    /// Events received, for an event stream.
    pub events: u64,
    /// What the connection did after the response (`Close` also when the
    /// client cut an event stream short).
    pub end: Disposition,
}

/// Parses the arguments (without the program name).
pub fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Options, String> {
    let mut o = Options::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-I" | "--head" => o.head = true,
            "-v" | "--verbose" => o.verbose = true,
            "-o" => o.out_dir = Some(args.next().ok_or("-o needs a directory")?.into()),
            "--events" => o.events = Some(args.next().and_then(|n| n.parse().ok()).ok_or("--events needs a number")?),
            "--timeout" => {
                let secs: f64 = args.next().and_then(|n| n.parse().ok()).ok_or("--timeout needs seconds")?;
                o.timeout = Some(Duration::from_secs_f64(secs));
            }
            a if a.starts_with('-') => return Err(format!("unknown option {a}")),
            _ => o.urls.push(arg),
        }
    }
    if o.urls.is_empty() {
        return Err("no URL".into());
    }
    Ok(o)
}

/// An `http://host[:port]/path` URL, split.
struct Url {
    /// `host:port`, to connect to.
    authority: String,
    /// The Host field value (as written in the URL).
    host: String,
    /// Origin-form target.
    target: String,
}

fn parse_url(url: &str) -> Result<Url, String> {
    let rest = url.strip_prefix("http://").ok_or_else(|| format!("{url}: only http:// URLs are supported"))?;
    let (host, target) = match rest.find(['/', '?']) {
        Some(i) if rest.as_bytes()[i] == b'/' => (&rest[..i], rest[i..].to_string()),
        Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
        None => (rest, "/".to_string()),
    };
    if host.is_empty() {
        return Err(format!("{url}: no host"));
    }
    // `[::1]:8080`, `host:8080`, `host`.
    let has_port = host
        .rsplit_once(':')
        .is_some_and(|(h, p)| !p.is_empty() && !h.ends_with(':') && p.bytes().all(|b| b.is_ascii_digit()));
    let authority = if has_port { host.to_string() } else { format!("{host}:80") };
    Ok(Url { authority, host: host.to_string(), target })
}

/// A kept-alive connection and the parser reading its responses.
struct Connection {
    stream: TcpStream,
    authority: String,
    parser: ResponseParser,
    /// Bytes received and not yet consumed by the parser.
    buf: Vec<u8>,
    ordinal: usize,
    /// Responses read on it so far.
    used: usize,
}

/// Counts Server-Sent Events: an event ends at an empty line (LF, CRLF or CR).
#[derive(Default)]
struct SseCounter {
    line_len: usize,
    prev_cr: bool,
    events: u64,
}

impl SseCounter {
    /// Feeds body bytes; returns the length of the prefix of `data` that ends
    /// the `limit`-th event, once it does.
    fn feed(&mut self, data: &[u8], limit: u64) -> Option<usize> {
        for (i, &b) in data.iter().enumerate() {
            let was_cr = std::mem::replace(&mut self.prev_cr, b == b'\r');
            match b {
                b'\n' if was_cr => {}
                b'\r' | b'\n' => {
                    if self.line_len == 0 {
                        self.events += 1;
                        if self.events >= limit {
                            return Some(i + 1);
                        }
                    }
                    self.line_len = 0;
                }
                _ => self.line_len += 1,
            }
        }
        None
    }
}

/// Runs the command: fetches every URL, bodies to `out` (or files), reports to `log`.
pub fn run(opts: &Options, out: &mut dyn Write, log: &mut dyn Write) -> Result<Vec<Fetched>, String> {
    let mut conn: Option<Connection> = None;
    let mut opened = 0;
    let mut results = Vec::new();
    for (index, url) in opts.urls.iter().enumerate() {
        let url = parse_url(url)?;
        let mut file;
        let sink: &mut dyn Write = match &opts.out_dir {
            Some(dir) => {
                let path = dir.join((index + 1).to_string());
                file = File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                &mut file
            }
            None => &mut *out,
        };
        let mut attempt = 0;
        let fetched = loop {
            attempt += 1;
            if conn.as_ref().is_none_or(|c| c.authority != url.authority) {
                opened += 1;
                conn = Some(connect(&url.authority, opened, opts, log)?);
            }
            let c = conn.as_mut().ok_or("no connection")?;
            match exchange(c, &url, opts, sink, log) {
                Ok(f) => break f,
                // A kept-alive connection the server closed before reading our
                // request: nothing of a response came back, so asking again on
                // a new connection is safe (GET and HEAD are idempotent).
                Err(Failure::Stale) if attempt == 1 => {
                    note(log, opts, "* connection was closed by the server; retrying on a new one");
                    conn = None;
                }
                Err(Failure::Stale) => return Err(format!("{}: no response", url.authority)),
                Err(Failure::Fatal(e)) => return Err(e),
            }
        };
        if fetched.end != Disposition::KeepAlive {
            conn = None;
        }
        results.push(fetched);
    }
    Ok(results)
}

fn note(log: &mut dyn Write, opts: &Options, line: &str) {
    if opts.verbose {
        let _ = writeln!(log, "{line}");
    }
}

fn connect(authority: &str, ordinal: usize, opts: &Options, log: &mut dyn Write) -> Result<Connection, String> {
    let fail = |e: io::Error| format!("{authority}: {e}");
    let addr = authority.to_socket_addrs().map_err(fail)?.next().ok_or(format!("{authority}: no address"))?;
    let timeout = opts.timeout.unwrap_or(Duration::from_secs(30));
    let stream = TcpStream::connect_timeout(&addr, timeout).map_err(fail)?;
    stream.set_read_timeout(Some(timeout)).map_err(fail)?;
    stream.set_write_timeout(Some(timeout)).map_err(fail)?;
    note(log, opts, &format!("* connection {ordinal} to {addr}"));
    let parser = ResponseParser::new();
    Ok(Connection { stream, authority: authority.to_string(), parser, buf: Vec::new(), ordinal, used: 0 })
}

enum Failure {
    /// The connection ended before any byte of the response.
    Stale,
    Fatal(String),
}

/// Sends one request and reads its response (interim 1xx responses skipped).
fn exchange(
    c: &mut Connection,
    url: &Url,
    opts: &Options,
    sink: &mut dyn Write,
    log: &mut dyn Write,
) -> Result<Fetched, Failure> {
    let method = if opts.head { "HEAD" } else { "GET" };
    let request = format!(
        "{method} {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: h1parse-fetch\r\nAccept: */*\r\n\r\n",
        url.target, url.host
    );
    note(log, opts, &format!("> {method} {} HTTP/1.1", url.target));
    let fatal = |e: String| Failure::Fatal(format!("{}{}: {e}", url.host, url.target));
    let reused = c.used > 0;
    if let Err(e) = c.stream.write_all(request.as_bytes()) {
        return Err(if reused { Failure::Stale } else { fatal(e.to_string()) });
    }
    c.parser.set_request_method(method.as_bytes());
    c.used += 1;
    let mut r = Reading { got: Fetched::new(c.ordinal), event_stream: false, sse: SseCounter::default() };
    let mut received_any = false;
    loop {
        let progress = c.parser.parse(&c.buf).map_err(|e| fatal(format!("bad response: {e}")))?;
        let consumed = progress.consumed;
        let done = match progress.event {
            None => {
                c.buf.drain(..consumed);
                let mut piece = [0u8; 64 * 1024];
                let n = match c.stream.read(&mut piece) {
                    Ok(n) => n,
                    Err(e) if reused && !received_any && e.kind() == io::ErrorKind::ConnectionReset => 0,
                    Err(e) => return Err(fatal(e.to_string())),
                };
                if n == 0 {
                    return r.at_eof(c, opts, log).map_err(|e| match e {
                        // Nothing came back on a reused connection: the server had closed it.
                        None if reused && !received_any => Failure::Stale,
                        None => fatal("connection closed without a response".into()),
                        Some(e) => fatal(e),
                    });
                }
                received_any = true;
                c.buf.extend_from_slice(&piece[..n]);
                continue;
            }
            Some(Event::Head(head)) => r.head(&head, c.parser.fields(&head), opts, log),
            Some(Event::Data(data)) => r.data(data, opts, sink, log).map_err(fatal)?,
            Some(Event::Trailers(t)) => r.trailers(c.parser.trailers(&t), opts, log),
            // The end of an interim 1xx response: the final one follows.
            Some(Event::End(_)) if r.got.status == 0 => false,
            Some(Event::End(d)) => {
                r.got.end = d;
                note(log, opts, &format!("* end {} ({} body bytes)", disposition_name(d), r.got.body_len));
                true
            }
        };
        c.buf.drain(..consumed);
        if done {
            r.got.events = r.sse.events;
            return Ok(r.got);
        }
    }
}

impl Fetched {
    fn new(connection: usize) -> Fetched {
        Fetched {
            status: 0,
            framing: Framing::None,
            body_len: 0,
            trailers: Vec::new(),
            connection,
            events: 0,
            end: Disposition::KeepAlive,
        }
    }
}

/// One response being read.
struct Reading {
    got: Fetched,
    event_stream: bool,
    sse: SseCounter,
}

impl Reading {
    fn head(&mut self, head: &ResponseHead<'_>, fields: Fields<'_, '_>, opts: &Options, log: &mut dyn Write) -> bool {
        let status_line =
            format!("< {} {} {}", head.version_bytes.escape_ascii(), head.code, head.reason.escape_ascii());
        note(log, opts, &status_line);
        for f in fields {
            note(log, opts, &format!("< {}: {}", f.name_str(), f.value.escape_ascii()));
        }
        if head.code >= 200 {
            self.got.status = head.code;
            self.got.framing = head.framing;
            let ct = fields.get("content-type").unwrap_or_default();
            self.event_stream = ct.len() >= 17 && ct[..17].eq_ignore_ascii_case(b"text/event-stream");
            note(log, opts, &format!("* framing {}", framing_name(head.framing)));
        }
        false
    }

    /// Body bytes to the sink; `Ok(true)` when an event stream reached its limit.
    fn data(&mut self, data: &[u8], opts: &Options, sink: &mut dyn Write, log: &mut dyn Write) -> Result<bool, String> {
        let (data, done) = match (self.event_stream, opts.events) {
            (true, Some(limit)) => match self.sse.feed(data, limit) {
                Some(end) => (&data[..end], true),
                None => (data, false),
            },
            _ => (data, false),
        };
        sink.write_all(data).map_err(|e| format!("writing the body: {e}"))?;
        self.got.body_len += data.len() as u64;
        if self.event_stream {
            sink.flush().map_err(|e| e.to_string())?;
        }
        if done {
            // The rest of the stream is not read: this connection cannot be reused.
            self.got.end = Disposition::Close;
            note(log, opts, &format!("* stopped after {} events; closing", self.sse.events));
        }
        Ok(done)
    }

    fn trailers(&mut self, fields: Fields<'_, '_>, opts: &Options, log: &mut dyn Write) -> bool {
        for f in fields {
            note(log, opts, &format!("< trailer {}: {}", f.name_str(), f.value.escape_ascii()));
            self.got.trailers.push((f.name_str().to_string(), String::from_utf8_lossy(f.value).into_owned()));
        }
        false
    }

    /// End of stream: a close-delimited body ends here; anything else was cut
    /// short (`Err(None)`: before any byte of a response).
    fn at_eof(mut self, c: &mut Connection, opts: &Options, log: &mut dyn Write) -> Result<Fetched, Option<String>> {
        match c.parser.finish().map_err(|e| Some(e.to_string()))? {
            Finish::End(d) => {
                self.got.end = d;
                self.got.events = self.sse.events;
                note(
                    log,
                    opts,
                    &format!("* end close ({} body bytes, connection closed by the server)", self.got.body_len),
                );
                Ok(self.got)
            }
            Finish::Idle => Err(None),
            Finish::Incomplete => Err(Some("connection closed before the response was complete".into())),
        }
    }
}

fn framing_name(f: Framing) -> String {
    match f {
        Framing::None => "none".into(),
        Framing::Length(n) => format!("length {n}"),
        Framing::Chunked => "chunked".into(),
        Framing::CloseDelimited => "close".into(),
    }
}

fn disposition_name(d: Disposition) -> &'static str {
    match d {
        Disposition::KeepAlive => "keep-alive",
        Disposition::Close => "close",
        Disposition::Upgrade => "upgrade",
    }
}

#[allow(dead_code)] // Tests include this file as a module and call `run`.
fn main() -> ExitCode {
    let opts = match parse_args(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("fetch: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let result = run(&opts, &mut out, &mut io::stderr());
    let _ = out.flush();
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("fetch: {e}");
            ExitCode::FAILURE
        }
    }
}
