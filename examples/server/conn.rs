//! One connection: the read loop around `RequestParser`.
//!
//! # The loop
//!
//! The connection owns one fixed-size input buffer ([`InBuf`]). Each turn
//! hands the parser *all* unconsumed bytes and gets back `consumed` and at
//! most one event:
//!
//! * `None`: every byte given is validated; drop `consumed` bytes, flush the
//!   responses written so far (that is where pipelined responses are batched)
//!   and read more. While a head is incomplete nothing is consumed: the same
//!   bytes are passed again with more appended (the parser resumes where it
//!   stopped, it does not rescan).
//! * `Head`: copy what the server needs out of the head (it borrows the
//!   buffer), drop its bytes, decide what to do ([`routes::plan`]).
//! * `Data`: a slice of the buffer; write it to the upload, drop it. The
//!   body never sits in memory beyond one buffer.
//! * `Trailers`: note their names.
//! * `End(disposition)`: write the response; keep going (the next request may
//!   already be in the buffer: that is pipelining, answered in order because
//!   the loop handles one message at a time), or close.
//!
//! An error from the parser is final: answer 400/431/... with
//! `Connection: close` and stop reading.
//!
//! # Time limits
//!
//! A connection may sit idle between requests for `idle_timeout`; a head must
//! arrive within `head_timeout` of its first byte (a slowloris client cannot
//! trickle one forever); during a body each read waits at most `body_timeout`
//! and, after a grace period, the body must average `min_rate` bytes/s. Every
//! write gives up after `write_timeout`. So no client holds a thread forever.

use std::io::{self, BufWriter, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use h1parse::{Config, Disposition, Finish, RequestParser, Version};

use super::events;
use super::exchange::{self, Exchange, Flow, Step, Work};
use super::response::{self, Pace, Reply};
use super::routes::{self, Plan, RequestInfo};
use super::service::{Handle, Shared};
use super::store::Upload;

/// The connection's input buffer: bytes received and not yet consumed are
/// `data[start..end]`. It never grows; it holds the largest head or trailer
/// section the limits allow, plus room for body reads.
#[derive(Debug)]
pub struct InBuf {
    data: Vec<u8>,
    start: usize,
    end: usize,
}

impl InBuf {
    /// A buffer of `capacity` bytes.
    pub fn new(capacity: usize) -> InBuf {
        InBuf { data: vec![0; capacity], start: 0, end: 0 }
    }

    /// The unconsumed bytes: what the parser is given.
    pub fn pending(&self) -> &[u8] {
        &self.data[self.start..self.end]
    }

    /// Drops `n` bytes from the front.
    pub fn consume(&mut self, n: usize) {
        debug_assert!(n <= self.end - self.start);
        self.start += n;
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// True when nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// Reads once from `r` into the free space, first moving the pending bytes
    /// to the front if the tail is full.
    pub fn read_from(&mut self, r: &mut impl Read) -> io::Result<ReadOutcome> {
        if self.end == self.data.len() {
            if self.start == 0 {
                return Ok(ReadOutcome::Full);
            }
            self.data.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        let n = r.read(&mut self.data[self.end..])?;
        self.end += n;
        Ok(if n == 0 { ReadOutcome::Closed } else { ReadOutcome::Read(n) })
    }
}

/// What [`InBuf::read_from`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadOutcome {
    /// This many bytes arrived.
    Read(usize),
    /// The peer closed its side (end of stream).
    Closed,
    /// Nothing could be read: every byte of the buffer is pending. The head
    /// and trailer limits keep this from happening unless misconfigured.
    Full,
}

/// The writing side of a connection. On a blocking socket with a send
/// timeout, a write returns short only when the timeout passed (the client
/// stopped reading); the next write then fails at once, so a stalled client
/// is dropped after one `write_timeout`, not one per retry.
#[derive(Debug)]
pub struct SocketWriter {
    stream: Arc<TcpStream>,
    stalled: bool,
}

impl SocketWriter {
    /// Writes to `stream`, whose send timeout is already set.
    pub fn new(stream: Arc<TcpStream>) -> SocketWriter {
        SocketWriter { stream, stalled: false }
    }

    fn stalled() -> io::Error {
        io::Error::new(io::ErrorKind::TimedOut, "the client stopped reading")
    }
}

impl Write for SocketWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if self.stalled {
            return Err(SocketWriter::stalled());
        }
        match (&*self.stream).write(bytes) {
            Ok(n) if n < bytes.len() => {
                self.stalled = true;
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.stalled = true;
                Err(SocketWriter::stalled())
            }
            other => other,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

struct Conn<'s> {
    shared: &'s Shared,
    handle: &'s Handle,
    reader: Arc<TcpStream>,
    out: BufWriter<SocketWriter>,
    buf: InBuf,
    parser: RequestParser,
    exchange: Option<Exchange>,
    /// When the first byte of the current head arrived.
    head_started: Option<Instant>,
    peer: String,
}

/// The h1parse configuration the server runs with.
pub fn parser_config(max_head: u32) -> Config {
    let mut cfg = Config::new();
    cfg.limits.head = max_head;
    cfg
}

/// Serves one connection until it closes. Its socket is shared with the
/// server, which shuts it down on stop or to make room (one descriptor per
/// connection).
pub fn serve(handle: &Handle, shared: &Shared) -> io::Result<()> {
    let settings = &shared.settings;
    let stream = Arc::clone(&handle.stream);
    stream.set_nodelay(true)?;
    stream.set_write_timeout(Some(settings.write_timeout))?;
    let cfg = parser_config(settings.max_head);
    let capacity = cfg.limits.head.max(cfg.limits.trailers) as usize + 1 + 64 * 1024;
    let mut conn = Conn {
        shared,
        handle,
        out: BufWriter::with_capacity(16 * 1024, SocketWriter::new(Arc::clone(&stream))),
        peer: stream.peer_addr().map(|a| a.to_string()).unwrap_or_default(),
        reader: stream,
        buf: InBuf::new(capacity),
        parser: RequestParser::with_config(cfg),
        exchange: None,
        head_started: None,
    };
    let result = conn.run().and_then(|()| conn.out.flush());
    if let Some(ex) = conn.exchange.take() {
        // Cut short mid-body: an upload stays partial (Upload's Drop), resumable.
        conn.log(&ex.req, "interrupted");
    }
    if result.is_ok() {
        linger_close(&conn.reader);
    } else {
        // Writing failed (a stalled client, a reset): nothing is in flight
        // that lingering could save; free the slot now.
        let _ = conn.reader.shutdown(Shutdown::Both);
    }
    result
}

/// Closes politely: stop sending, then read (and drop) what the client still
/// sends for a moment, so that closing with unread input does not reset the
/// connection and destroy the response before the client reads it.
fn linger_close(stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + Duration::from_millis(1000);
    let mut scratch = [0u8; 16 * 1024];
    let mut reader = stream;
    let mut total = 0usize;
    while total < 4 << 20 {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            break;
        }
        match reader.read(&mut scratch) {
            Ok(0) | Err(_) => break,
            Ok(n) => total += n,
        }
    }
}

impl Conn<'_> {
    fn run(&mut self) -> io::Result<()> {
        loop {
            let flow = match self.parse_step() {
                Step::NeedMore => self.read_more()?,
                Step::Head(req) => {
                    self.head_started = None;
                    self.begin(req)?
                }
                Step::Data(Ok(())) | Step::Trailers => Flow::Continue,
                Step::Data(Err(reply)) => self.abort(reply)?,
                Step::End(disposition) => self.end(disposition)?,
                Step::Failed(e) => self.abort(routes::parse_error(e))?,
            };
            if flow == Flow::Stop {
                return Ok(());
            }
        }
    }

    /// One parser call on everything pending; consumes what it says and turns
    /// the borrowed event into an owned [`Step`]. Body data is written to the
    /// upload right here, while the slice is still borrowed from the buffer.
    fn parse_step(&mut self) -> Step {
        let max_body = self.shared.settings.max_body;
        let (step, consumed) =
            exchange::parse_step(&mut self.parser, self.buf.pending(), self.exchange.as_mut(), max_body, Upload::write);
        self.buf.consume(consumed);
        step
    }

    /// Flushes pending responses, then waits for more input within the time
    /// limit of the current phase.
    fn read_more(&mut self) -> io::Result<Flow> {
        self.out.flush()?;
        let now = Instant::now();
        let s = &self.shared.settings;
        let timeout = match (&self.exchange, self.buf.is_empty()) {
            (Some(_), _) => s.body_timeout,
            (None, true) => s.idle_timeout,
            (None, false) => {
                let started = *self.head_started.get_or_insert(now);
                (started + s.head_timeout).saturating_duration_since(now)
            }
        };
        if timeout.is_zero() {
            return self.too_slow();
        }
        self.reader.set_read_timeout(Some(timeout))?;
        if self.exchange.is_none() && self.buf.is_empty() {
            // Between requests: the server may close this one to make room.
            self.handle.mark_idle(self.shared);
        }
        let outcome = self.buf.read_from(&mut &*self.reader);
        self.handle.mark_busy();
        match outcome {
            Ok(ReadOutcome::Read(_)) => self.check_rate(),
            Ok(ReadOutcome::Closed) => {
                self.peer_closed();
                Ok(Flow::Stop)
            }
            Ok(ReadOutcome::Full) => self.abort(Reply::fatal(431, "head larger than the input buffer\n")),
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => self.too_slow(),
            Err(e) => Err(e),
        }
    }

    /// After a read during a body: is the client keeping up the minimum rate?
    fn check_rate(&mut self) -> io::Result<Flow> {
        let Some(ex) = &self.exchange else {
            return Ok(Flow::Continue);
        };
        if self.pace().too_slow(ex.body_len, ex.started.elapsed()) {
            return self.too_slow();
        }
        Ok(Flow::Continue)
    }

    /// Idle between requests: close quietly. Inside a message: 408, close.
    fn too_slow(&mut self) -> io::Result<Flow> {
        if self.exchange.is_some() || !self.buf.is_empty() {
            let reply = Reply::fatal(408, "request timeout\n");
            let version = self.exchange.as_ref().map_or(Version::Http11, |ex| ex.req.version);
            self.send(reply, false, version)?;
        }
        Ok(Flow::Stop)
    }

    /// End of stream from the peer: `finish()` says whether a message was cut short.
    fn peer_closed(&mut self) {
        match self.parser.finish() {
            Ok(Finish::Incomplete) if self.exchange.is_none() => {
                self.log_line(&format!("{}: closed inside a request head", self.peer));
            }
            _ => {}
        }
    }

    /// A head arrived: decide what to do with the request.
    fn begin(&mut self, req: RequestInfo) -> io::Result<Flow> {
        let settings = &self.shared.settings;
        let work = match routes::plan(&req, &self.shared.store, settings.max_body) {
            Plan::Refuse(reply) => {
                self.log_reply(&req, &reply);
                self.send(reply, req.method == "HEAD", req.version)?;
                return Ok(Flow::Stop);
            }
            Plan::Respond(reply) => Work::Respond(reply),
            Plan::Upload(up, kind) => Work::Upload(up, kind),
            Plan::Events(limit) => Work::Events(limit),
        };
        if req.expects_continue() && req.has_body() {
            // The body is going to be read (stored or discarded), and the
            // client may be waiting for this before it sends it.
            self.out.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
            self.out.flush()?;
        }
        self.exchange = Some(Exchange::new(req, work));
        Ok(Flow::Continue)
    }

    /// The message ended: answer it.
    fn end(&mut self, disposition: Disposition) -> io::Result<Flow> {
        let Some(ex) = self.exchange.take() else {
            return Ok(Flow::Continue);
        };
        let keep_alive = disposition == Disposition::KeepAlive;
        let reply = match ex.work {
            Work::Respond(reply) => reply,
            Work::Upload(up, kind) => {
                let (reply, event) = routes::uploaded(up, kind, &ex.trailers);
                if let Some(event) = event {
                    self.shared.hub.publish(&event);
                }
                reply
            }
            Work::Events(limit) => {
                let streams = &self.shared.event_streams;
                if streams.fetch_add(1, Ordering::Relaxed) >= self.shared.settings.max_event_streams {
                    streams.fetch_sub(1, Ordering::Relaxed);
                    Reply::fatal(503, "too many event streams\n").with("Retry-After", "10")
                } else {
                    self.log(&ex.req, "200 (events)");
                    let stream = events::Stream { version: ex.req.version, limit, keep_alive };
                    let reusable = stream.run(&mut self.out, self.shared);
                    streams.fetch_sub(1, Ordering::Relaxed);
                    return Ok(if reusable? { Flow::Continue } else { Flow::Stop });
                }
            }
        };
        let close = reply.close || !keep_alive;
        self.log_reply(&ex.req, &reply);
        let reply = Reply { close, ..reply };
        self.send(reply, ex.req.method == "HEAD", ex.req.version)?;
        Ok(if close { Flow::Stop } else { Flow::Continue })
    }

    /// A request rejected after its head: roll back its upload, answer, close.
    fn abort(&mut self, reply: Reply) -> io::Result<Flow> {
        let version = match self.exchange.take() {
            Some(ex) => {
                self.log_reply(&ex.req, &reply);
                if let Work::Upload(up, _) = ex.work {
                    // The client gets its answer either way; bytes a failed
                    // roll-back leaves are cut off by the next append.
                    if let Err(e) = up.roll_back() {
                        self.log_line(&format!("{}: roll-back failed: {e}", self.peer));
                    }
                }
                ex.req.version
            }
            None => {
                self.log_line(&format!("{}: {}", self.peer, reply.status));
                Version::Http11
            }
        };
        self.send(reply, false, version)?;
        Ok(Flow::Stop)
    }

    /// The minimum rate for request and response bodies.
    fn pace(&self) -> Pace {
        let s = &self.shared.settings;
        Pace { grace: s.rate_grace, min_rate: s.min_rate }
    }

    /// Writes a response (buffered: flushed before the next read or at close).
    fn send(&mut self, reply: Reply, head_only: bool, version: Version) -> io::Result<()> {
        let pace = self.pace();
        response::write_reply(&mut self.out, reply, head_only, version, pace)
    }

    /// Logs the answer to `req`, with what went wrong inside the server if
    /// anything did (the client never sees that).
    fn log_reply(&self, req: &RequestInfo, reply: &Reply) {
        match &reply.detail {
            Some(detail) => self.log(req, &format!("{} ({detail})", reply.status)),
            None => self.log(req, &reply.status.to_string()),
        }
    }

    fn log(&self, req: &RequestInfo, outcome: &str) {
        self.log_line(&format!("{} {} {} -> {outcome}", self.peer, req.method, req.path));
    }

    fn log_line(&self, line: &str) {
        if self.shared.settings.log {
            eprintln!("{line}");
        }
    }
}
