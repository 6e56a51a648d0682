//! The example server's bounds, each driven past its limit: event
//! subscriptions, a slow event reader's backlog, connections per client
//! address and the slots kept for new clients, expiry of incomplete uploads
//! and the storage bound.

mod embed_support;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::process::Command;
use std::time::Duration;

use embed_support::*;

fn get(s: &mut TcpStream, path: &str) -> Resp {
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: t\r\n\r\n").as_bytes()).unwrap();
    read_response(s, "GET")
}

/// Reads until the end of a response head (the start of an event stream).
fn read_head(s: &mut TcpStream) -> Vec<u8> {
    let mut seen = Vec::new();
    let mut piece = [0u8; 4096];
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = s.read(&mut piece).unwrap();
        assert!(n > 0, "closed before the head");
        seen.extend_from_slice(&piece[..n]);
    }
    seen
}

#[test]
fn event_subscriptions_end_with_their_connection() {
    let srv = start_with(|s| s.event_interval = Duration::from_millis(20));
    let server = srv.server.as_ref().unwrap();
    // Bounded streams, pipelined: 100 of them end by their limit.
    let burst: String = (0..100).map(|i| format!("GET /events?limit={} HTTP/1.1\r\nHost: t\r\n\r\n", i % 3)).collect();
    let raw =
        exchange_raw(srv.addr, format!("{burst}GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").as_bytes());
    assert_eq!(parse_responses(&raw, &["GET"; 101]).len(), 101);
    // Unbounded streams whose clients go away.
    for _ in 0..50 {
        let mut s = connect(srv.addr);
        s.write_all(b"GET /events HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
        read_head(&mut s);
        s.shutdown(Shutdown::Both).unwrap();
    }
    eventually(Duration::from_secs(10), || (server.hub().subscriber_count() == 0).then_some(()));
    eventually(Duration::from_secs(10), || (server.open_connections() == 0).then_some(()));
}

#[test]
fn an_event_reader_that_falls_behind_is_disconnected() {
    let srv = start_with(|s| {
        s.event_interval = Duration::from_secs(30);
        s.event_backlog = 4;
        s.write_timeout = Duration::from_secs(1);
    });
    let server = srv.server.as_ref().unwrap();
    let mut reader = connect(srv.addr);
    reader.write_all(b"GET /events HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
    read_head(&mut reader);
    eventually(Duration::from_secs(5), || (server.hub().subscriber_count() == 1).then_some(()));
    // The reader stops reading; events keep coming (more than socket buffers hold).
    let big = "x".repeat(64 * 1024);
    for _ in 0..400 {
        server.hub().publish(&big);
        if server.hub().subscriber_count() == 0 {
            break;
        }
    }
    assert_eq!(server.hub().subscriber_count(), 0, "the lagging reader is still subscribed");
    // Its stream ends within the write timeout.
    eventually(Duration::from_secs(5), || (server.open_connections() == 0).then_some(()));
    drop(reader);
}

/// `GET /` from the source address `ip` (Python binds it; std cannot bind
/// before connecting): the status, or 0 if the connection failed.
fn status_from(ip: &str, srv: &TestServer) -> u16 {
    require("python3", "--version");
    let script = "import socket,sys\n\
        s=socket.socket(); s.settimeout(10); s.bind((sys.argv[1],0)); s.connect(('127.0.0.1',int(sys.argv[2])))\n\
        s.sendall(b'GET / HTTP/1.1\\r\\nHost: t\\r\\nConnection: close\\r\\n\\r\\n')\n\
        print(s.recv(100).split(b' ')[1].decode())\n";
    let out = Command::new("python3").args(["-c", script, ip, &srv.addr.port().to_string()]).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap_or(0)
}

#[test]
fn one_address_cannot_take_every_slot() {
    let srv = start_with(|s| {
        s.max_connections = 8;
        s.max_per_address = 3;
        s.new_client_slots = 0;
    });
    let mut held: Vec<TcpStream> = (0..3).map(|_| connect(srv.addr)).collect();
    for s in &mut held {
        assert_eq!(get(s, "/").status, 200);
    }
    let mut fourth = connect(srv.addr);
    assert_eq!(read_response(&mut fourth, "GET").status, 503, "a fourth connection from one address");
    assert_eq!(status_from("127.0.0.2", &srv), 200, "another address is still served");
    drop(held);
}

#[test]
fn the_last_slots_are_kept_for_new_clients() {
    let srv = start_with(|s| {
        s.max_connections = 6;
        s.max_per_address = 6;
        s.new_client_slots = 2;
    });
    let mut held: Vec<TcpStream> = (0..4).map(|_| connect(srv.addr)).collect();
    for s in &mut held {
        assert_eq!(get(s, "/").status, 200);
    }
    // Four of six slots taken by one address: the last two are for others.
    let mut more = connect(srv.addr);
    assert_eq!(read_response(&mut more, "GET").status, 503);
    assert_eq!(status_from("127.0.0.3", &srv), 200);
    drop(held);
}

#[test]
fn the_connection_cap_follows_the_open_file_limit() {
    use embed_support::server::service::connection_cap;
    // At the common limit of 1024, 3 descriptors per connection allowed
    // about 339 connections and dropped the rest without a response.
    assert_eq!(connection_cap(512, Some(1024)), 480);
    assert_eq!(connection_cap(512, Some(100_000)), 512);
    assert_eq!(connection_cap(512, Some(10)), 0);
    assert_eq!(connection_cap(512, None), 512);
    let srv = start();
    let limit = embed_support::server::service::open_file_limit();
    assert_eq!(srv.server.as_ref().unwrap().connection_cap(), connection_cap(512, limit));
}

fn head_state(srv: &TestServer, name: &str) -> (u16, Option<String>) {
    let mut s = connect(srv.addr);
    s.write_all(format!("HEAD /files/{name} HTTP/1.1\r\nHost: t\r\n\r\n").as_bytes()).unwrap();
    let r = read_response(&mut s, "HEAD");
    (r.status, r.header("upload-complete").map(str::to_string))
}

#[test]
fn incomplete_uploads_expire() {
    let srv = start_with(|s| s.partial_ttl = Duration::from_millis(300));
    {
        let mut s = connect(srv.addr);
        s.write_all(b"PUT /files/cut HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nfirst bytes").unwrap();
        s.shutdown(Shutdown::Both).unwrap();
    }
    eventually(Duration::from_secs(5), || (head_state(&srv, "cut") == (200, Some("?0".into()))).then_some(()));
    let mut s = connect(srv.addr);
    s.write_all(b"PUT /files/kept HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nkept").unwrap();
    assert_eq!(read_response(&mut s, "PUT").status, 201);
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(head_state(&srv, "cut").0, 404, "an expired incomplete upload is gone");
    assert!(!srv.dir.path().join("files/.partial/cut").exists());
    assert_eq!(head_state(&srv, "kept"), (200, Some("?1".into())), "complete files do not expire");
    assert_eq!(srv.server.as_ref().unwrap().store().used(), 4);
}

#[test]
fn stored_bytes_are_capped() {
    let srv = start_with(|s| s.max_stored = 1000);
    let server = srv.server.as_ref().unwrap();
    let put = |name: &str, body: &[u8]| {
        let mut s = connect(srv.addr);
        let head = format!("PUT /files/{name} HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n\r\n", body.len());
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(body).unwrap();
        read_response(&mut s, "PUT")
    };
    assert_eq!(put("a", &[b'a'; 600]).status, 201);
    // Declared too large for what is left: refused before the body.
    assert_eq!(put("b", &[b'b'; 600]).status, 507);
    // Chunked: refused when the bound is reached, and rolled back.
    let mut s = connect(srv.addr);
    s.write_all(&chunked_put("c", 6, 100)).unwrap();
    assert_eq!(read_response(&mut s, "PUT").status, 507);
    assert_eq!(head_state(&srv, "c").0, 404);
    assert_eq!(server.store().used(), 600);
    // Replacing a file frees what it held.
    assert_eq!(put("a", &[b'A'; 300]).status, 201);
    assert_eq!(server.store().used(), 300);
    assert_eq!(put("b", &[b'b'; 700]).status, 201);
    assert_eq!(server.store().used(), 1000);
}

#[test]
fn an_event_reader_below_the_minimum_rate_is_cut_off() {
    let srv = start_with(|s| {
        s.event_interval = Duration::from_secs(30);
        s.event_backlog = 10_000;
        s.rate_grace = Duration::from_millis(300);
        s.min_rate = 4 << 20;
        s.write_timeout = Duration::from_secs(20);
    });
    let server = srv.server.as_ref().unwrap();
    let mut reader = connect(srv.addr);
    reader.write_all(b"GET /events HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
    read_head(&mut reader);
    eventually(Duration::from_secs(5), || (server.hub().subscriber_count() == 1).then_some(()));
    // The reader takes 16 KiB every 10 ms (1.6 MB/s at most): far below 4 MiB/s
    // once the socket buffers are full, but never stalled for a whole write.
    let started = std::time::Instant::now();
    let event = "y".repeat(64 * 1024);
    let mut piece = vec![0u8; 16 * 1024];
    let mut closed = false;
    while started.elapsed() < Duration::from_secs(10) {
        if server.hub().subscriber_count() == 1 {
            server.hub().publish(&event);
        }
        match reader.read(&mut piece) {
            Ok(0) | Err(_) => {
                closed = true;
                break;
            }
            Ok(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
    assert!(closed, "the slow reader was not cut off within 10 s");
    assert_eq!(server.hub().subscriber_count(), 0);
}

#[test]
fn idle_keep_alive_connections_make_room_for_new_ones() {
    let srv = start_with(|s| {
        s.max_connections = 4;
        s.max_per_address = 10;
        s.new_client_slots = 0;
        s.evict_idle_after = Duration::from_millis(300);
    });
    let mut held: Vec<TcpStream> = (0..4).map(|_| connect(srv.addr)).collect();
    for s in &mut held {
        assert_eq!(get(s, "/").status, 200);
    }
    // Full, and nobody idle long enough yet: 503.
    let mut early = connect(srv.addr);
    assert_eq!(read_response(&mut early, "GET").status, 503);
    std::thread::sleep(Duration::from_millis(500));
    // Now the longest-idle connection is closed to make room.
    let mut late = connect(srv.addr);
    assert_eq!(get(&mut late, "/").status, 200);
    let mut closed = 0;
    for s in &mut held {
        s.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
        closed += usize::from(matches!(s.read(&mut [0u8; 1]), Ok(0)));
    }
    assert!(closed >= 1, "no idle connection was closed");
}

#[test]
fn event_streams_cannot_take_every_slot() {
    let srv = start_with(|s| s.max_event_streams = 2);
    let mut streams: Vec<TcpStream> = (0..2).map(|_| connect(srv.addr)).collect();
    for s in &mut streams {
        s.write_all(b"GET /events HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
        read_head(s);
    }
    // Only the head is read: a stream let in would never end.
    let mut third = connect(srv.addr);
    third.write_all(b"GET /events HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&read_head(&mut third)).into_owned();
    assert!(head.starts_with("HTTP/1.1 503 "), "a third event stream: {head}");
    let mut other = connect(srv.addr);
    assert_eq!(get(&mut other, "/").status, 200);
    drop(streams);
}
