//! Shared by the embedding tests (`server_*.rs`, `fetch_interop.rs`).
//!
//! # How the tests run the examples
//!
//! The examples are compiled *into* each test binary: `examples/server/`
//! through `#[path]` as the module `server`, `examples/fetch.rs` and
//! `examples/load.rs` likewise. A test starts the server in-process on
//! `127.0.0.1:0` with [`start`] and the returned guard stops it (closing
//! every connection and joining every thread) when dropped. This is sturdier
//! than running the example binaries: `cargo test --test NAME` does not build
//! examples, and a binary left over in `target/` may be stale, so a child
//! process could test old code; the in-process server is always the code
//! under test. Real clients (curl, Python, nginx, python's `http.server`)
//! run as child processes, and every one is killed by a guard.

#![allow(dead_code)]

#[allow(dead_code, unreachable_pub, missing_docs)]
#[path = "../../examples/server/main.rs"]
pub mod server;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use h1parse::{Event, Finish, ResponseParser};

pub use server::service::{Server, Settings};

/// A directory under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicU64 = AtomicU64::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
        let dir = std::env::temp_dir().join(format!("h1parse-test-{tag}-{}-{n}-{nanos:x}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running server with its storage directory; both go away on drop.
pub struct TestServer {
    pub server: Option<Server>,
    pub addr: SocketAddr,
    pub dir: TempDir,
}

impl TestServer {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Stops the server now (also done on drop).
    pub fn stop(&mut self) {
        if let Some(s) = self.server.take() {
            s.stop();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Settings for tests: loopback, port 0, short time limits.
pub fn test_settings() -> Settings {
    Settings {
        addr: "127.0.0.1:0".into(),
        idle_timeout: Duration::from_secs(5),
        head_timeout: Duration::from_secs(5),
        body_timeout: Duration::from_secs(5),
        write_timeout: Duration::from_secs(5),
        event_interval: Duration::from_millis(100),
        ..Settings::default()
    }
}

/// Starts a server with `test_settings()` changed by `adjust`.
pub fn start_with(adjust: impl FnOnce(&mut Settings)) -> TestServer {
    let dir = TempDir::new("server");
    let mut settings = test_settings();
    settings.dir = Some(dir.path().join("files"));
    adjust(&mut settings);
    let server = Server::start(settings).expect("server starts");
    TestServer { addr: server.addr(), server: Some(server), dir }
}

/// Starts a server with `test_settings()`.
pub fn start() -> TestServer {
    start_with(|_| {})
}

/// Fails the test with a clear message if `tool` cannot run: these tests must
/// never skip silently (`.ci/run` installs the tools).
pub fn require(tool: &str, version_arg: &str) {
    let ok = Command::new(tool).arg(version_arg).stdout(Stdio::null()).stderr(Stdio::null()).status();
    assert!(
        ok.is_ok(),
        "`{tool}` is required by this test but could not be run ({ok:?}); \
         `.ci/run` installs it (apt-get install -y curl python3 nginx)"
    );
}

/// A child process killed (and reaped) on drop.
pub struct ChildGuard(pub Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A connected client socket with timeouts, so a broken server fails the test
/// instead of hanging it.
pub fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
    s
}

/// Sends `bytes`, half-closes, and reads everything until the server closes.
pub fn exchange_raw(addr: SocketAddr, bytes: &[u8]) -> Vec<u8> {
    let mut s = connect(addr);
    s.write_all(bytes).unwrap();
    s.shutdown(std::net::Shutdown::Write).unwrap();
    read_to_close(&mut s)
}

/// Reads until EOF (or a reset, which also ends the connection).
pub fn read_to_close(s: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let mut piece = [0u8; 16 * 1024];
    loop {
        match s.read(&mut piece) {
            Ok(0) => return out,
            Ok(n) => out.extend_from_slice(&piece[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return out,
            Err(e) => panic!("read failed after {} bytes: {e}", out.len()),
        }
    }
}

/// One response, as h1parse's `ResponseParser` read it.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub trailers: Vec<(String, String)>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn closes(&self) -> bool {
        self.header("connection").is_some_and(|v| v.eq_ignore_ascii_case("close"))
    }
}

/// Splits a byte stream into responses to requests made with `methods` (in
/// order; `HEAD` responses have no body). Interim 1xx responses are included.
pub fn parse_responses(stream: &[u8], methods: &[&str]) -> Vec<Resp> {
    let mut parser = ResponseParser::new();
    let mut rest = stream;
    let mut out = Vec::new();
    let mut methods = methods.iter();
    let mut current: Option<Resp> = None;
    parser.set_request_method(methods.next().copied().unwrap_or("GET").as_bytes());
    loop {
        let progress = parser.parse(rest).unwrap_or_else(|e| panic!("bad response stream: {e}: {stream:?}"));
        let consumed = progress.consumed;
        match progress.event {
            None => {
                match parser.finish().expect("finish") {
                    Finish::End(_) => out.extend(current.take()),
                    Finish::Idle => {}
                    Finish::Incomplete => panic!("stream ends inside a response: {}", String::from_utf8_lossy(stream)),
                }
                return out;
            }
            Some(Event::Head(h)) => {
                let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
                let headers = parser.fields(&h).iter().map(|f| (f.name_str().to_string(), text(f.value))).collect();
                current = Some(Resp { status: h.code, headers, body: Vec::new(), trailers: Vec::new() });
            }
            Some(Event::Data(d)) => current.as_mut().unwrap().body.extend_from_slice(d),
            Some(Event::Trailers(t)) => {
                let r = current.as_mut().unwrap();
                r.trailers = parser
                    .trailers(&t)
                    .iter()
                    .map(|f| (f.name_str().to_string(), String::from_utf8_lossy(f.value).into()))
                    .collect();
            }
            Some(Event::End(_)) => {
                let r = current.take().unwrap();
                if r.status >= 200 {
                    parser.set_request_method(methods.next().copied().unwrap_or("GET").as_bytes());
                }
                out.push(r);
            }
        }
        rest = &rest[consumed..];
    }
}

/// Reads exactly one response (to `method`) from a kept-alive connection; for
/// use when it is the only one outstanding (pipelined ones: `parse_responses`).
pub fn read_response(s: &mut TcpStream, method: &str) -> Resp {
    let mut parser = ResponseParser::new();
    parser.set_request_method(method.as_bytes());
    let mut buf = Vec::new();
    let mut resp: Option<Resp> = None;
    loop {
        let progress = parser.parse(&buf).unwrap_or_else(|e| panic!("bad response: {e}"));
        let consumed = progress.consumed;
        match progress.event {
            None => {
                buf.drain(..consumed);
                let mut piece = [0u8; 16 * 1024];
                let n = s.read(&mut piece).expect("read response");
                if n == 0 {
                    match parser.finish().unwrap() {
                        Finish::End(_) => return resp.unwrap(),
                        other => panic!("connection closed mid-response: {other:?}"),
                    }
                }
                buf.extend_from_slice(&piece[..n]);
                continue;
            }
            Some(Event::Head(h)) => {
                let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
                let headers = parser.fields(&h).iter().map(|f| (f.name_str().to_string(), text(f.value))).collect();
                resp = Some(Resp { status: h.code, headers, body: Vec::new(), trailers: Vec::new() });
            }
            Some(Event::Data(d)) => resp.as_mut().unwrap().body.extend_from_slice(d),
            Some(Event::Trailers(_)) => {}
            Some(Event::End(_)) => {
                assert!(buf.len() == consumed, "unexpected bytes after the response");
                return resp.unwrap();
            }
        }
        buf.drain(..consumed);
    }
}

/// Asserts the server closed the connection (EOF or reset, nothing more sent).
pub fn assert_closed(s: &mut TcpStream) {
    let rest = read_to_close(s);
    assert!(rest.is_empty(), "expected the server to close, got {:?}", String::from_utf8_lossy(&rest));
}

/// Polls `f` until it returns `Some`, for at most `limit`.
pub fn eventually<T>(limit: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(t) = f() {
            return t;
        }
        assert!(start.elapsed() < limit, "condition not met within {limit:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Deterministic pseudo-random bytes (xorshift), so uploads are not all zeros.
pub fn pattern(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// `PUT /files/NAME` with a chunked body of `chunks` chunks of `size` bytes,
/// the head and the whole body.
pub fn chunked_put(name: &str, chunks: usize, size: usize) -> Vec<u8> {
    let mut req = format!("PUT /files/{name} HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n").into_bytes();
    for _ in 0..chunks {
        req.extend_from_slice(format!("{size:x}\r\n").as_bytes());
        req.extend(std::iter::repeat_n(b'z', size));
        req.extend_from_slice(b"\r\n");
    }
    req.extend_from_slice(b"0\r\n\r\n");
    req
}

/// A free loopback port (for servers that cannot report the one they bound).
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Waits until something accepts connections on `port`.
pub fn wait_for_port(port: u16) {
    eventually(Duration::from_secs(10), || TcpStream::connect(("127.0.0.1", port)).ok().map(|_| ()));
}
