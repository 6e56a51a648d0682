//! `load`: a bounded load generator for the example server.
//!
//! ```text
//! cargo run --release --example load -- [--connections N] [--seconds S] URL
//! ```
//!
//! Opens N keep-alive connections (default 64) and, on each, sends `GET` for
//! the URL's path one request at a time for S seconds (default 10), reading
//! every response with `ResponseParser`. Prints requests, errors and
//! requests per second. A response that is not a `200` with the whole body,
//! or a connection that fails, counts as an error (the connection is then
//! reopened). Each connection also stops after a fixed number of requests,
//! so the run is bounded in count as well as in time.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use h1parse::{Event, ResponseParser};

/// Most requests one connection sends, whatever the duration.
pub const MAX_REQUESTS_PER_CONNECTION: u64 = 5_000_000;

/// What a run measured.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Report {
    /// Complete `200` responses.
    pub requests: u64,
    /// Failed requests or connections.
    pub errors: u64,
    /// Wall time of the run.
    pub elapsed: Duration,
}

impl Report {
    /// Requests per second.
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Runs `connections` workers against `addr` for `duration`, requesting `path`.
pub fn run(addr: SocketAddr, host: &str, path: &str, connections: usize, duration: Duration) -> Report {
    let request = Arc::new(format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: h1parse-load\r\n\r\n"));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let workers: Vec<_> = (0..connections)
        .map(|_| {
            let (request, stop) = (Arc::clone(&request), Arc::clone(&stop));
            thread::spawn(move || worker(addr, request.as_bytes(), &stop))
        })
        .collect();
    thread::sleep(duration);
    stop.store(true, Ordering::Relaxed);
    let mut total = Report::default();
    for w in workers {
        let r = w.join().unwrap_or(Report { errors: 1, ..Report::default() });
        total.requests += r.requests;
        total.errors += r.errors;
    }
    total.elapsed = started.elapsed();
    total
}

fn worker(addr: SocketAddr, request: &[u8], stop: &AtomicBool) -> Report {
    let mut report = Report::default();
    let mut conn: Option<(TcpStream, ResponseParser, Vec<u8>)> = None;
    let mut sent = 0;
    while !stop.load(Ordering::Relaxed) && sent < MAX_REQUESTS_PER_CONNECTION {
        if conn.is_none() {
            match TcpStream::connect(addr) {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
                    conn = Some((s, ResponseParser::new(), Vec::with_capacity(16 * 1024)));
                }
                Err(_) => {
                    report.errors += 1;
                    thread::sleep(Duration::from_millis(10));
                    continue;
                }
            }
        }
        let Some((stream, parser, buf)) = conn.as_mut() else { continue };
        sent += 1;
        match one_request(stream, parser, buf, request) {
            Ok(true) => report.requests += 1,
            Ok(false) => {
                report.errors += 1;
                conn = None;
            }
            Err(_) => {
                report.errors += 1;
                conn = None;
            }
        }
    }
    report
}

/// Sends one request and reads its response: `Ok(true)` for a complete 200
/// on a connection that stays open.
fn one_request(
    stream: &mut TcpStream,
    parser: &mut ResponseParser,
    buf: &mut Vec<u8>,
    request: &[u8],
) -> std::io::Result<bool> {
    stream.write_all(request)?;
    let mut status = 0;
    let mut piece = [0u8; 16 * 1024];
    loop {
        let progress = match parser.parse(buf) {
            Ok(p) => p,
            Err(_) => return Ok(false),
        };
        let consumed = progress.consumed;
        match progress.event {
            None => {
                buf.drain(..consumed);
                let n = stream.read(&mut piece)?;
                if n == 0 {
                    return Ok(false);
                }
                buf.extend_from_slice(&piece[..n]);
                continue;
            }
            Some(Event::Head(h)) => status = h.code,
            Some(Event::Data(_)) | Some(Event::Trailers(_)) => {}
            Some(Event::End(d)) => {
                buf.drain(..consumed);
                return Ok(status == 200 && d == h1parse::Disposition::KeepAlive);
            }
        }
        buf.drain(..consumed);
    }
}

#[allow(dead_code)] // Tests include this file as a module and call `run`.
fn main() -> ExitCode {
    let (mut connections, mut seconds, mut url) = (64usize, 10f64, None);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--connections" => connections = args.next().and_then(|n| n.parse().ok()).unwrap_or(0),
            "--seconds" => seconds = args.next().and_then(|n| n.parse().ok()).unwrap_or(-1.0),
            _ => url = Some(a),
        }
    }
    let target = url.as_deref().and_then(|u| u.strip_prefix("http://"));
    let (Some(target), true, true) = (target, connections > 0, (0.0..=600.0).contains(&seconds)) else {
        eprintln!("usage: load [--connections N] [--seconds S (at most 600)] http://HOST:PORT/PATH");
        return ExitCode::from(2);
    };
    let (authority, path) = match target.find('/') {
        Some(i) => (&target[..i], &target[i..]),
        None => (target, "/"),
    };
    let Some(addr) = authority.to_socket_addrs().ok().and_then(|mut a| a.next()) else {
        eprintln!("load: cannot resolve {authority}");
        return ExitCode::from(2);
    };
    let r = run(addr, authority, path, connections, Duration::from_secs_f64(seconds));
    println!(
        "{} connections, {:.1} s: {} requests, {} errors, {:.0} requests/s",
        connections,
        r.elapsed.as_secs_f64(),
        r.requests,
        r.errors,
        r.rate()
    );
    if r.errors == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
