//! The example server (`examples/server/`) driven by raw `TcpStream` clients:
//! pipelining, chunked uploads with trailers, resumable uploads, every kind of
//! bad input, a byte-at-a-time client, time limits and the event stream.
//! The server runs in-process (see `embed_support`).

mod embed_support;

use std::io::{Read, Write};
use std::net::Shutdown;
use std::time::{Duration, Instant};

use embed_support::*;

#[test]
fn pipelined_requests_are_answered_in_order() {
    let srv = start();
    let requests = b"GET / HTTP/1.1\r\nHost: t\r\n\r\n\
        PUT /files/a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello\
        GET /files/a.txt HTTP/1.1\r\nHost: t\r\n\r\n\
        HEAD /files/a.txt HTTP/1.1\r\nHost: t\r\n\r\n\
        GET /nope HTTP/1.1\r\nHost: t\r\n\r\n\
        DELETE /files/a.txt HTTP/1.1\r\nHost: t\r\n\r\n\
        GET /files/a.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    let raw = exchange_raw(srv.addr, requests);
    let methods = ["GET", "PUT", "GET", "HEAD", "GET", "DELETE", "GET"];
    let resps = parse_responses(&raw, &methods);
    let statuses: Vec<u16> = resps.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [200, 201, 200, 200, 404, 405, 200]);
    assert!(resps[0].text().starts_with("0 file(s)"), "{}", resps[0].text());
    assert_eq!(resps[1].text(), "5\n");
    assert_eq!(resps[2].body, b"hello");
    assert_eq!(resps[3].header("content-length"), Some("5"));
    assert_eq!(resps[3].header("upload-offset"), Some("5"));
    assert!(resps[3].body.is_empty());
    assert_eq!(resps[5].header("allow"), Some("GET, HEAD, PUT, PATCH"));
    assert!(resps[..6].iter().all(|r| !r.closes()), "only the last response closes");
    assert!(resps[6].closes());
    assert_eq!(resps[6].body, b"hello");
}

#[test]
fn chunked_upload_with_extensions_and_trailers() {
    let srv = start();
    let mut s = connect(srv.addr);
    s.write_all(
        b"PUT /files/c.bin HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nTrailer: Checksum\r\n\r\n\
          5;part=1\r\nhello\r\n1\r\n \r\n005\r\nworld\r\n0\r\nChecksum: abc\r\nX-Note: done\r\n\r\n\
          GET /files/c.bin HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    )
    .unwrap();
    let resps = parse_responses(&read_to_close(&mut s), &["PUT", "GET"]);
    let (put, get) = (&resps[0], &resps[1]);
    assert_eq!(put.status, 201);
    assert_eq!(put.text(), "11\n");
    assert_eq!(put.header("received-trailers"), Some("Checksum, X-Note"));
    assert_eq!(put.header("location"), Some("/files/c.bin"));
    assert_eq!(get.body, b"hello world");
    assert_eq!(std::fs::read(srv.dir.path().join("files/c.bin")).unwrap(), b"hello world");
}

#[test]
fn resumable_upload_across_a_dropped_connection() {
    let srv = start();
    let data = pattern(100_000, 7);
    // Send the head and 40 000 of 100 000 bytes, then vanish.
    {
        let mut s = connect(srv.addr);
        s.write_all(b"PUT /files/big.bin HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n").unwrap();
        s.write_all(&data[..40_000]).unwrap();
        s.shutdown(Shutdown::Both).unwrap();
    }
    // HEAD reports the partial length, marked incomplete; GET of it is not 404.
    let head = eventually(Duration::from_secs(5), || {
        let mut s = connect(srv.addr);
        s.write_all(b"HEAD /files/big.bin HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
        let r = read_response(&mut s, "HEAD");
        (r.header("upload-offset") == Some("40000")).then_some(r)
    });
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), Some("40000"));
    assert_eq!(head.header("upload-complete"), Some("?0"));
    assert!(!srv.dir.path().join("files/big.bin").exists(), "no complete file may exist yet");

    // A PATCH at the wrong offset is refused with the right offset.
    let mut s = connect(srv.addr);
    s.write_all(b"PATCH /files/big.bin HTTP/1.1\r\nHost: t\r\nUpload-Offset: 100\r\nContent-Length: 0\r\n\r\n")
        .unwrap();
    let wrong = read_response(&mut s, "PATCH");
    assert_eq!(wrong.status, 409);
    assert_eq!(wrong.header("upload-offset"), Some("40000"));

    // The server may still be noticing the dropped connection (409 "in
    // progress" without an offset): retry until the upload slot is free.
    let done = eventually(Duration::from_secs(5), || {
        let mut s = connect(srv.addr);
        let head = "PATCH /files/big.bin HTTP/1.1\r\nHost: t\r\nUpload-Offset: 40000\r\nContent-Length: 60000\r\n\
                    Expect: 100-continue\r\n\r\n";
        s.write_all(head.as_bytes()).unwrap();
        let first = read_response(&mut s, "PATCH");
        if first.status == 409 {
            return None;
        }
        assert_eq!(first.status, 100, "100 Continue before the body");
        s.write_all(&data[40_000..]).unwrap();
        Some(read_response(&mut s, "PATCH"))
    });
    assert_eq!(done.status, 200);
    assert_eq!(done.text(), "60000\n");
    assert_eq!(done.header("upload-offset"), Some("100000"));
    assert_eq!(done.header("upload-complete"), Some("?1"));
    s = connect(srv.addr);
    s.write_all(b"GET /files/big.bin HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
    let get = read_response(&mut s, "GET");
    assert_eq!(get.header("upload-complete"), Some("?1"));
    assert!(get.body == data, "downloaded bytes differ from uploaded bytes");
}

/// Sends a bad request and returns the one response, checking it closes.
fn refused(srv: &TestServer, request: &[u8], method: &str) -> Resp {
    let mut s = connect(srv.addr);
    s.write_all(request).unwrap();
    let r = read_response(&mut s, method);
    assert!(r.closes(), "status {} must come with Connection: close", r.status);
    assert_closed(&mut s);
    r
}

#[test]
fn malformed_requests_get_400_and_close() {
    let srv = start();
    let cases: &[&[u8]] = &[
        b"GET / HTTP/1.1\r\nHost: t\r\nBad Name: x\r\n\r\n",
        b"GET / HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: t\nX: y\r\n\r\n",
        b"GET  / HTTP/1.1\r\nHost: t\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
        b"PUT /files/x HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"PUT /files/x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\nabc",
        b"PUT /files/x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
        b"PUT /files/x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n",
        b"PATCH /files/x HTTP/1.1\r\nHost: t\r\nUpload-Offset: 1\r\nUpload-Offset: 2\r\nContent-Length: 1\r\n\r\nx",
    ];
    for case in cases {
        let r = refused(&srv, case, "PUT");
        assert_eq!(r.status, 400, "{}", String::from_utf8_lossy(case));
    }
    // A chunked body rejected mid-way is rolled back: no file, complete or not.
    let mut s = connect(srv.addr);
    s.write_all(b"HEAD /files/x HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
    assert_eq!(read_response(&mut s, "HEAD").status, 404);
}

#[test]
fn oversized_heads_get_431_or_414() {
    let srv = start_with(|s| s.max_head = 16 * 1024);
    let big_field = format!("GET / HTTP/1.1\r\nHost: t\r\nX-Big: {}\r\n\r\n", "a".repeat(10_000));
    assert_eq!(refused(&srv, big_field.as_bytes(), "GET").status, 431);
    let many: String = (0..200).map(|i| format!("X-{i}: v\r\n")).collect();
    let many = format!("GET / HTTP/1.1\r\nHost: t\r\n{many}\r\n");
    assert_eq!(refused(&srv, many.as_bytes(), "GET").status, 431);
    let total: String = (0..4).map(|i| format!("X-{i}: {}\r\n", "b".repeat(5000))).collect();
    let total = format!("GET / HTTP/1.1\r\nHost: t\r\n{total}\r\n");
    assert_eq!(refused(&srv, total.as_bytes(), "GET").status, 431);
    let long_target = format!("GET /{} HTTP/1.1\r\nHost: t\r\n\r\n", "p".repeat(9000));
    assert_eq!(refused(&srv, long_target.as_bytes(), "GET").status, 414);
}

#[test]
fn oversized_bodies_get_413_and_are_not_stored() {
    let srv = start_with(|s| s.max_body = 1000);
    // Declared too large: refused before the body is read.
    let r = refused(
        &srv,
        b"PUT /files/l HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n",
        "PUT",
    );
    assert_eq!(r.status, 413);
    // Chunked: refused once the running total passes the limit.
    assert_eq!(refused(&srv, &chunked_put("c", 5, 400), "PUT").status, 413);
    // Exactly at the limit is fine.
    let mut ok = b"PUT /files/ok HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n".to_vec();
    ok.extend_from_slice(&[b'k'; 1000]);
    let mut s = connect(srv.addr);
    s.write_all(&ok).unwrap();
    assert_eq!(read_response(&mut s, "PUT").status, 201);
    for name in ["l", "c"] {
        s.write_all(format!("HEAD /files/{name} HTTP/1.1\r\nHost: t\r\n\r\n").as_bytes()).unwrap();
        assert_eq!(read_response(&mut s, "HEAD").status, 404, "{name} must not exist");
    }
}

#[test]
fn unsupported_codings_versions_and_expectations() {
    let srv = start();
    let gzip = b"PUT /files/g HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
    assert_eq!(refused(&srv, gzip, "PUT").status, 501);
    let two_fields =
        b"PUT /files/g HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: deflate\r\nTransfer-Encoding: chunked\r\n\r\n";
    assert_eq!(refused(&srv, two_fields, "PUT").status, 501);
    assert_eq!(refused(&srv, b"GET / HTTP/2.0\r\nHost: t\r\n\r\n", "GET").status, 505);
    let expect = b"PUT /files/e HTTP/1.1\r\nHost: t\r\nExpect: tea\r\nContent-Length: 1\r\n\r\nx";
    assert_eq!(refused(&srv, expect, "PUT").status, 417);
}

#[test]
fn connection_close_and_http10_are_honoured() {
    let srv = start();
    // HTTP/1.0 without keep-alive: one response, then close.
    let r = refused(&srv, b"GET / HTTP/1.0\r\n\r\n", "GET");
    assert_eq!(r.status, 200);
    // HTTP/1.0 with keep-alive: the connection stays open.
    let mut s = connect(srv.addr);
    s.write_all(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").unwrap();
    let r = read_response(&mut s, "GET");
    assert_eq!(r.header("connection"), Some("keep-alive"));
    s.write_all(b"GET /files/none HTTP/1.0\r\n\r\n").unwrap();
    assert_eq!(read_response(&mut s, "GET").status, 404);
    assert_closed(&mut s);
    // HTTP/1.1 with Connection: close; what follows it is never answered.
    let raw = exchange_raw(
        srv.addr,
        b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n",
    );
    let resps = parse_responses(&raw, &["GET"]);
    assert_eq!(resps.len(), 1);
    assert!(resps[0].closes());
    // Upgrades are declined: the request is answered in HTTP/1.1 and the
    // connection goes on in HTTP/1.1 (a CONNECT likewise).
    let raw = exchange_raw(
        srv.addr,
        b"GET / HTTP/1.1\r\nHost: t\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n\
          CONNECT t:443 HTTP/1.1\r\nHost: t:443\r\n\r\n\
          GET /files/none HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    );
    let resps = parse_responses(&raw, &["GET", "CONNECT", "GET"]);
    assert_eq!(resps.iter().map(|r| r.status).collect::<Vec<_>>(), [200, 404, 404]);
    assert!(!resps[0].closes() && !resps[1].closes() && resps[2].closes());
}

#[test]
fn expect_100_continue_comes_before_the_body() {
    let srv = start();
    let mut s = connect(srv.addr);
    s.write_all(b"PUT /files/e HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n").unwrap();
    let interim = read_response(&mut s, "PUT");
    assert_eq!(interim.status, 100);
    s.write_all(b"abc").unwrap();
    let fin = read_response(&mut s, "PUT");
    assert_eq!((fin.status, fin.text().as_str()), (201, "3\n"));
}

#[test]
fn byte_at_a_time_client() {
    let srv = start();
    let mut s = connect(srv.addr);
    s.set_nodelay(true).unwrap();
    let stream = b"\r\nPUT /files/slow HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n\
        4;x=\"q\\\"t\"\r\nslow\r\n3\r\n...\r\n0\r\nT: 1\r\n\r\n\
        GET /files/slow HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    for b in stream {
        s.write_all(&[*b]).unwrap();
        std::thread::sleep(Duration::from_micros(500));
    }
    let resps = parse_responses(&read_to_close(&mut s), &["PUT", "GET"]);
    assert_eq!(resps.len(), 2);
    assert_eq!((resps[0].status, resps[0].text().as_str()), (201, "7\n"));
    assert_eq!(resps[1].body, b"slow...");
}

#[test]
fn idle_connections_time_out() {
    let srv = start_with(|s| s.idle_timeout = Duration::from_millis(300));
    let mut s = connect(srv.addr);
    let t = Instant::now();
    assert_closed(&mut s);
    assert!(t.elapsed() < Duration::from_secs(3), "closed after {:?}", t.elapsed());
}

#[test]
fn a_head_trickled_slowly_gets_408() {
    let srv = start_with(|s| s.head_timeout = Duration::from_millis(400));
    let mut s = connect(srv.addr);
    let t = Instant::now();
    let mut answer = Vec::new();
    // One byte every 50 ms would take far longer than the head limit.
    for b in b"GET / HTTP/1.1\r\nHost: slowloris\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n" {
        if s.write_all(&[*b]).is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
        if t.elapsed() > Duration::from_millis(800) {
            break;
        }
    }
    let _ = s.read_to_end(&mut answer);
    let resps = parse_responses(&answer, &["GET"]);
    assert_eq!(resps.len(), 1, "{}", String::from_utf8_lossy(&answer));
    assert_eq!(resps[0].status, 408);
    assert!(resps[0].closes());
}

#[test]
fn a_body_below_the_minimum_rate_gets_408_and_stays_partial() {
    let srv = start_with(|s| {
        s.rate_grace = Duration::from_millis(200);
        s.min_rate = 10_000;
    });
    let mut s = connect(srv.addr);
    s.write_all(b"PUT /files/trickle HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n").unwrap();
    let mut answer = Vec::new();
    for _ in 0..40 {
        if s.write_all(b"x").is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = s.read_to_end(&mut answer);
    let resps = parse_responses(&answer, &["PUT"]);
    assert_eq!(resps[0].status, 408);
    // Like a dropped connection: what arrived is kept, as an incomplete upload.
    let mut s = connect(srv.addr);
    s.write_all(b"HEAD /files/trickle HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
    let head = read_response(&mut s, "HEAD");
    assert_eq!(head.header("upload-complete"), Some("?0"));
    assert_ne!(head.header("upload-offset"), Some("100000"));
}

#[test]
fn event_stream_reports_uploads_and_ends_when_the_server_stops() {
    let mut srv = start_with(|s| s.event_interval = Duration::from_secs(30));
    let mut events = connect(srv.addr);
    events.write_all(b"GET /events HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
    // Wait for the response head so the subscription exists before the upload.
    let mut seen = Vec::new();
    let mut piece = [0u8; 4096];
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = events.read(&mut piece).unwrap();
        assert!(n > 0, "stream closed early");
        seen.extend_from_slice(&piece[..n]);
    }
    let mut up = connect(srv.addr);
    up.write_all(b"PUT /files/ev.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nok").unwrap();
    assert_eq!(read_response(&mut up, "PUT").status, 201);
    while !String::from_utf8_lossy(&seen).contains("\"name\":\"ev.txt\"") {
        let n = events.read(&mut piece).unwrap();
        assert!(n > 0, "stream closed before the upload event");
        seen.extend_from_slice(&piece[..n]);
    }
    srv.stop();
    seen.extend(read_to_close(&mut events));
    let resps = parse_responses(&seen, &["GET"]);
    assert_eq!(resps.len(), 1, "the chunked stream is terminated properly on stop");
    assert_eq!(resps[0].header("content-type"), Some("text/event-stream"));
    assert!(resps[0].text().contains("event: upload\ndata: {\"name\":\"ev.txt\",\"bytes\":2}\n\n"));
}

#[test]
fn bounded_event_stream_then_keep_alive() {
    let srv = start_with(|s| s.event_interval = Duration::from_millis(20));
    let raw = exchange_raw(
        srv.addr,
        b"GET /events?limit=3 HTTP/1.1\r\nHost: t\r\n\r\nGET /events?limit=2 HTTP/1.0\r\nHost: t\r\n\r\n",
    );
    let resps = parse_responses(&raw, &["GET", "GET"]);
    assert_eq!(resps.len(), 2);
    assert_eq!(resps[0].text().matches("event: tick").count(), 3);
    assert_eq!(resps[0].header("transfer-encoding"), Some("chunked"));
    // HTTP/1.0 gets a close-delimited stream.
    assert!(resps[1].closes());
    assert_eq!(resps[1].header("transfer-encoding"), None);
}

#[test]
fn too_many_connections_get_503() {
    let srv = start_with(|s| {
        s.max_connections = 2;
        s.new_client_slots = 0;
    });
    let mut a = connect(srv.addr);
    let mut b = connect(srv.addr);
    // Make sure both are being served before the third arrives.
    for s in [&mut a, &mut b] {
        s.write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
        assert_eq!(read_response(s, "GET").status, 200);
    }
    let mut c = connect(srv.addr);
    let r = read_response(&mut c, "GET");
    assert_eq!(r.status, 503);
    drop((a, b));
}

#[test]
fn patch_can_keep_an_upload_open_until_the_last_piece() {
    let srv = start();
    let mut s = connect(srv.addr);
    let mut send = |req: &str, method: &str| {
        s.write_all(req.as_bytes()).unwrap();
        read_response(&mut s, method)
    };
    assert_eq!(send("PUT /files/p HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabc", "PUT").status, 201);
    // Appending reopens the file; `Upload-Complete: ?0` keeps it open.
    let open = send(
        "PATCH /files/p HTTP/1.1\r\nHost: t\r\nUpload-Offset: 3\r\nUpload-Complete: ?0\r\n\
         Transfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n",
        "PATCH",
    );
    assert_eq!(open.header("upload-complete"), Some("?0"));
    let head = send("HEAD /files/p HTTP/1.1\r\nHost: t\r\n\r\n", "HEAD");
    assert_eq!((head.header("upload-offset"), head.header("upload-complete")), (Some("5"), Some("?0")));
    let last = send("PATCH /files/p HTTP/1.1\r\nHost: t\r\nUpload-Offset: 5\r\nContent-Length: 1\r\n\r\nf", "PATCH");
    assert_eq!((last.status, last.header("upload-complete")), (200, Some("?1")));
    assert_eq!(send("GET /files/p HTTP/1.1\r\nHost: t\r\n\r\n", "GET").body, b"abcdef");
    // PATCH needs a number, and a name that exists.
    let bad = send("PATCH /files/p HTTP/1.1\r\nHost: t\r\nUpload-Offset: x\r\n\r\n", "PATCH");
    assert_eq!(bad.status, 400);
    let missing = send("PATCH /files/nope HTTP/1.1\r\nHost: t\r\nUpload-Offset: 0\r\n\r\n", "PATCH");
    assert_eq!(missing.status, 404);
}
