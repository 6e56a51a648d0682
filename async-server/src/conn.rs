//! One connection: the std server's read loop (`examples/server/conn.rs`) on
//! a tokio `TcpStream`, with `.await` where it waits: reading and writing.
//!
//! # A parser and a buffer across `.await`
//!
//! Both live in [`Conn`], which the connection's task owns. A parser call
//! borrows the buffer (and the parser, for the head's fields) and returns an
//! event that borrows them too; [`Conn::parse_step`] turns that event into an
//! owned [`Step`] at once (copying what the response needs out of a head,
//! writing body data to the upload while it is still a slice of the buffer).
//! Only then, with every borrow ended, does the loop `.await` a read or a
//! write. So no borrow is held across an `.await`, the buffer can be refilled
//! in place, and the task's future is `Send` without any copying of the input.
//!
//! Blocking work: small downloads are read from the page cache inline; file
//! writes and the commit's `fsync` run under `block_in_place`, and large
//! downloads are streamed with `tokio::fs`.

use std::future::{Future, poll_fn};
use std::io::{self, Read};
use std::pin::{Pin, pin};
use std::task::Poll;
use std::time::{Duration, Instant};

use h1parse::{Config, Disposition, RequestParser, Version};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::block_in_place;
use tokio::time::{Sleep, sleep};

use crate::Shared;
use crate::exchange::{self, Exchange, Flow, Step, Work};
use crate::response::{self, Body, Reply};
use crate::routes::{self, Plan, RequestInfo};
use crate::store::Upload;

/// Idle time allowed between requests.
const IDLE_TIMEOUT: Duration = Duration::from_secs(15);
/// Time a head may take from its first byte.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// Time one read inside a body may wait.
const BODY_TIMEOUT: Duration = Duration::from_secs(15);
/// Time one write may wait for the client to read.
const WRITE_TIMEOUT: Duration = Duration::from_secs(15);
/// Downloads up to this size are read in one piece into the output buffer.
const SMALL_FILE: u64 = 64 * 1024;
/// Largest request head accepted (431 beyond), as in the std server.
const MAX_HEAD: u32 = 32 * 1024;

/// The connection's state, owned by its task.
struct Conn<'s> {
    shared: &'s Shared,
    stream: TcpStream,
    parser: RequestParser,
    /// Input received and not consumed: `buf[start..]`. Its capacity is
    /// fixed at the start; bytes past its length are never zeroed (reads
    /// fill the spare capacity), so a connection's memory is what it used.
    buf: Vec<u8>,
    start: usize,
    /// Responses not sent yet (pipelined ones go out together).
    out: Vec<u8>,
    exchange: Option<Exchange>,
    /// When the first byte of the current head arrived.
    head_started: Option<Instant>,
    /// The deadline of the current wait (read or write): one timer per
    /// connection, moved rather than made anew for every wait.
    deadline: Pin<Box<Sleep>>,
}

/// Serves one connection until it closes.
pub async fn serve(stream: TcpStream, shared: &Shared) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut cfg = Config::new();
    cfg.limits.head = MAX_HEAD;
    let capacity = cfg.limits.head.max(cfg.limits.trailers) as usize + 1 + 64 * 1024;
    let mut conn = Conn {
        shared,
        stream,
        parser: RequestParser::with_config(cfg),
        buf: Vec::with_capacity(capacity),
        start: 0,
        out: Vec::with_capacity(16 * 1024),
        exchange: None,
        head_started: None,
        deadline: Box::pin(sleep(IDLE_TIMEOUT)),
    };
    let result = conn.run().await;
    if let Some(ex) = conn.exchange.take() {
        // Cut short mid-body: the upload stays incomplete (Upload's Drop,
        // which renames a file: not on a runtime thread), resumable.
        block_in_place(|| drop(ex));
    }
    if result.is_ok() && conn.flush().await.is_ok() {
        linger_close(&mut conn.stream, &mut conn.buf).await;
    }
    result
}

/// Closes politely: stop sending, then read (and drop) what the client still
/// sends for a moment, so that closing with unread input does not reset the
/// connection and destroy the response before the client reads it. The
/// input buffer is the scratch space (a local array would make every
/// connection's task that much larger for its whole life).
async fn linger_close(stream: &mut TcpStream, scratch: &mut Vec<u8>) {
    let _ = stream.shutdown().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
    let mut total = 0usize;
    while total < 4 << 20 {
        scratch.clear();
        match tokio::time::timeout_at(deadline, stream.read_buf(scratch)).await {
            Ok(Ok(n)) if n > 0 => total += n,
            _ => break,
        }
    }
}

impl Conn<'_> {
    async fn run(&mut self) -> io::Result<()> {
        loop {
            let flow = match self.parse_step() {
                Step::NeedMore => self.read_more().await?,
                Step::Head(req) => {
                    self.head_started = None;
                    self.begin(req).await?
                }
                Step::Data(Ok(())) | Step::Trailers => Flow::Continue,
                Step::Data(Err(reply)) => self.abort(reply),
                Step::End(disposition) => self.end(disposition).await?,
                Step::Failed(e) => self.abort(routes::parse_error(e)),
            };
            if flow == Flow::Stop {
                return Ok(());
            }
        }
    }

    /// One parser call on everything pending. The event borrows the buffer;
    /// it is turned into an owned [`Step`] here, before anything awaits.
    fn parse_step(&mut self) -> Step {
        let input = &self.buf[self.start..];
        // A file write may block on the disk: not on a runtime thread.
        let store = |up: &mut Upload, data: &[u8]| block_in_place(|| up.write(data));
        let max_body = self.shared.max_body;
        let (step, consumed) = exchange::parse_step(&mut self.parser, input, self.exchange.as_mut(), max_body, store);
        self.start += consumed;
        if self.start == self.buf.len() {
            self.start = 0;
            self.buf.clear();
        }
        step
    }

    /// Sends what is pending, then waits for more input within the time
    /// limit of the current phase.
    async fn read_more(&mut self) -> io::Result<Flow> {
        self.flush().await?;
        let now = Instant::now();
        let limit = match (&self.exchange, self.buf.is_empty()) {
            (Some(_), _) => BODY_TIMEOUT,
            (None, true) => IDLE_TIMEOUT,
            (None, false) => (*self.head_started.get_or_insert(now) + HEAD_TIMEOUT).saturating_duration_since(now),
        };
        if self.buf.len() == self.buf.capacity() {
            if self.start == 0 {
                // The head limit keeps every head smaller than the buffer.
                return Ok(self.abort(Reply::fatal(431, "head larger than the input buffer\n")));
            }
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.deadline.as_mut().reset((now + limit).into());
        // Into the spare capacity only: with room left, `read_buf` never
        // grows a Vec.
        let read = self.stream.read_buf(&mut self.buf);
        match within(read, self.deadline.as_mut()).await {
            // End of stream: a message cut short needs no answer (an upload
            // is kept incomplete by `serve`).
            Some(Ok(0)) => Ok(Flow::Stop),
            Some(Ok(_)) => Ok(Flow::Continue),
            Some(Err(e)) => Err(e),
            None => Ok(self.too_slow()),
        }
    }

    /// Idle between requests: close quietly. Inside a message: 408, close.
    fn too_slow(&mut self) -> Flow {
        if self.exchange.is_some() || !self.buf.is_empty() {
            let version = self.exchange.as_ref().map_or(Version::Http11, |ex| ex.req.version);
            // A text body: queuing it cannot fail.
            let _ = self.queue(Reply::fatal(408, "request timeout\n"), false, version);
        }
        Flow::Stop
    }

    /// A head arrived: decide what to do with the request.
    async fn begin(&mut self, req: RequestInfo) -> io::Result<Flow> {
        let work = match routes::plan(&req, &self.shared.store, self.shared.max_body) {
            Plan::Refuse(reply) => {
                self.queue(reply, req.method == "HEAD", req.version)?;
                return Ok(Flow::Stop);
            }
            Plan::Respond(reply) => Work::Respond(reply),
            Plan::Upload(up, kind) => Work::Upload(up, kind),
            // The event stream is the std server's alone.
            Plan::Events(_) => Work::Respond(Reply::text(404, "not found\n")),
        };
        if req.expects_continue() && req.has_body() {
            self.out.extend_from_slice(b"HTTP/1.1 100 Continue\r\n\r\n");
            self.flush().await?;
        }
        self.exchange = Some(Exchange::new(req, work));
        Ok(Flow::Continue)
    }

    /// The message ended: answer it.
    async fn end(&mut self, disposition: Disposition) -> io::Result<Flow> {
        let Some(ex) = self.exchange.take() else {
            return Ok(Flow::Continue);
        };
        let reply = match ex.work {
            Work::Respond(reply) => reply,
            // The commit syncs the file to disk: not on a runtime thread.
            Work::Upload(up, kind) => block_in_place(|| routes::uploaded(up, kind, &ex.trailers)).0,
            Work::Events(_) => Reply::text(404, "not found\n"),
        };
        let close = reply.close || disposition != Disposition::KeepAlive;
        let reply = Reply { close, ..reply };
        self.send(reply, ex.req.method == "HEAD", ex.req.version).await?;
        Ok(if close { Flow::Stop } else { Flow::Continue })
    }

    /// A request rejected after its head: roll back its upload, answer, close.
    fn abort(&mut self, reply: Reply) -> Flow {
        let version = match self.exchange.take() {
            Some(ex) => {
                if let Work::Upload(up, _) = ex.work {
                    let _ = block_in_place(|| up.roll_back());
                }
                ex.req.version
            }
            None => Version::Http11,
        };
        // A text body: queuing it cannot fail.
        let _ = self.queue(reply, false, version);
        Flow::Stop
    }

    /// Appends the head of `reply` (and its body, unless `head_only` or a
    /// large file) to the output; returns the large file still to stream.
    fn queue(&mut self, reply: Reply, head_only: bool, version: Version) -> io::Result<Option<(std::fs::File, u64)>> {
        let len = reply.body_len();
        // Writing to a Vec cannot fail.
        let _ = response::write_head(&mut self.out, reply.status, &reply.fields, version, reply.close);
        let _ = response::end_head_with_length(&mut self.out, len);
        if head_only {
            return Ok(None);
        }
        match reply.body {
            Body::Bytes(b) => self.out.extend_from_slice(&b),
            Body::File(file, len) if len <= SMALL_FILE => {
                let at = self.out.len();
                self.out.resize(at + len as usize, 0);
                // A small file in the page cache: one short read, done inline.
                // Without the promised bytes the connection ends (an error).
                (&file).read_exact(&mut self.out[at..])?;
            }
            Body::File(file, len) => return Ok(Some((file, len))),
        }
        Ok(None)
    }

    /// Writes `reply`: buffered, except a large file, streamed after a flush.
    async fn send(&mut self, reply: Reply, head_only: bool, version: Version) -> io::Result<()> {
        let Some((file, len)) = self.queue(reply, head_only, version)? else {
            return Ok(());
        };
        self.flush().await?;
        let mut body = tokio::fs::File::from_std(file).take(len);
        let mut piece = vec![0; 64 * 1024];
        let mut sent = 0;
        loop {
            let n = body.read(&mut piece).await?;
            if n == 0 {
                break;
            }
            write_within(&mut self.stream, self.deadline.as_mut(), &piece[..n]).await?;
            sent += n as u64;
        }
        if sent != len {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "file shorter than announced"));
        }
        Ok(())
    }

    async fn flush(&mut self) -> io::Result<()> {
        if !self.out.is_empty() {
            write_within(&mut self.stream, self.deadline.as_mut(), &self.out).await?;
            self.out.clear();
        }
        Ok(())
    }
}

/// Polls `work` until it is done (`Some`) or `deadline` passes (`None`).
async fn within<T>(work: impl Future<Output = T>, mut deadline: Pin<&mut Sleep>) -> Option<T> {
    let mut work = pin!(work);
    poll_fn(|cx| match work.as_mut().poll(cx) {
        Poll::Ready(done) => Poll::Ready(Some(done)),
        Poll::Pending => deadline.as_mut().poll(cx).map(|()| None),
    })
    .await
}

/// `write_all`, given up after [`WRITE_TIMEOUT`] (the client stopped
/// reading). Most writes fit the socket buffer at once: no timer for those.
async fn write_within(stream: &mut TcpStream, deadline: Pin<&mut Sleep>, bytes: &[u8]) -> io::Result<()> {
    let rest = match stream.try_write(bytes) {
        Ok(n) if n == bytes.len() => return Ok(()),
        Ok(n) => &bytes[n..],
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => bytes,
        Err(e) => return Err(e),
    };
    let mut deadline = deadline;
    deadline.as_mut().reset(tokio::time::Instant::now() + WRITE_TIMEOUT);
    match within(stream.write_all(rest), deadline).await {
        Some(result) => result,
        None => Err(io::Error::new(io::ErrorKind::TimedOut, "the client stopped reading")),
    }
}
