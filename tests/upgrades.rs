//! Upgrades and CONNECT are proposals on the request side (RFC 9110 7.8,
//! 9.3.6): after `End(Upgrade)` a server either takes the connection over
//! (the bytes after the request belong to the new protocol) or declines and
//! goes on reading HTTP/1.1 on the same parser, stream offsets continuing.
//! On the response side a 101, and a 2xx to CONNECT, are final.
//!
//! Each stream is fed whole, one byte at a time and in a few piece sizes;
//! every way gives the same log.

#[path = "../fuzz/src/checks.rs"]
mod checks;

use h1parse::{Config, Disposition, Event, Finish, RequestParser, ResponseParser};

/// Parses `stream` in pieces of `piece` bytes as a server that declines
/// every upgrade; returns one line per event, with the stream offset after it.
fn declining(stream: &[u8], piece: usize) -> Vec<String> {
    let mut p = RequestParser::new();
    let mut log: Vec<String> = Vec::new();
    let mut buf: Vec<u8> = Vec::new();
    for chunk in stream.chunks(piece) {
        buf.extend_from_slice(chunk);
        loop {
            let progress = p.parse(&buf).unwrap_or_else(|e| panic!("{e}"));
            let consumed = progress.consumed;
            let Some(event) = progress.event else {
                buf.drain(..consumed);
                break;
            };
            let line = match event {
                Event::Head(h) => {
                    let host = p.fields(&h).get("host").unwrap_or_default().escape_ascii().to_string();
                    format!(
                        "head {} {} host={host} {:?}",
                        h.method.escape_ascii(),
                        h.target.escape_ascii(),
                        h.connection
                    )
                }
                Event::Data(d) => format!("data {}", d.escape_ascii()),
                Event::Trailers(_) => "trailers".to_string(),
                Event::End(Disposition::Upgrade) => {
                    assert!(p.is_upgraded());
                    let now = p.decline_upgrade().expect("an upgrade to decline");
                    assert!(!p.is_upgraded());
                    format!("end upgrade, declined: {now:?}")
                }
                Event::End(d) => format!("end {d:?}"),
            };
            buf.drain(..consumed);
            // Data comes in pieces as the input does: one line per run.
            if let (Some(last), Some(more)) = (log.last_mut(), line.strip_prefix("data ")) {
                if let Some(run) = last.strip_prefix("data ") {
                    let run = &run[..run.rfind(" @").unwrap()];
                    *last = format!("data {run}{more} @{}", p.offset());
                    continue;
                }
            }
            log.push(format!("{line} @{}", p.offset()));
        }
    }
    log.push(format!("{:?} @{}", p.finish(), p.offset()));
    log
}

/// The same log whole, one byte at a time and in pieces of 2, 3, 7 and 64.
fn declining_at_every_split(stream: &[u8]) -> Vec<String> {
    let whole = declining(stream, stream.len());
    for piece in [1, 2, 3, 7, 64] {
        assert_eq!(declining(stream, piece), whole, "pieces of {piece}");
    }
    whole
}

#[test]
fn a_server_that_declines_h2c_keeps_parsing_http1() {
    // `curl --http2 http://...` sends this; a server without h2c answers the
    // request over HTTP/1.1 and the next request follows on the connection.
    let stream = b"GET /a HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n\
                   HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n\
                   POST /b HTTP/1.1\r\nHost: y\r\nContent-Length: 2\r\n\r\nhi\
                   GET /c HTTP/1.1\r\nHost: z\r\nConnection: close\r\n\r\n";
    let log = declining_at_every_split(stream);
    assert_eq!(
        log,
        [
            "head GET /a host=x Upgrade @121",
            "end upgrade, declined: KeepAlive @121",
            "head POST /b host=y KeepAlive @169",
            "data hi @171",
            "end KeepAlive @171",
            "head GET /c host=z Close @218",
            "end Close @218",
            "Ok(Idle) @218",
        ]
    );
}

#[test]
fn a_declined_upgrade_with_a_body_reads_the_body_first() {
    // RFC 9110 7.8: the upgrade would happen after the request, body included.
    let stream = b"POST /u HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\
                   Content-Length: 3\r\n\r\nabcGET / HTTP/1.1\r\nHost: x\r\n\r\n";
    let log = declining_at_every_split(stream);
    assert_eq!(log[1], "data abc @92");
    assert_eq!(log[2], "end upgrade, declined: KeepAlive @92");
    assert_eq!(log[3], "head GET / host=x KeepAlive @119");
}

#[test]
fn a_proxy_that_answers_connect_with_407_keeps_parsing() {
    // Browsers authenticate to a proxy this way: CONNECT, 407, CONNECT again
    // with credentials on the same connection.
    let stream = b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\
                   CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\
                   Proxy-Authorization: Basic dTpw\r\n\r\n";
    let log = declining_at_every_split(stream);
    assert_eq!(
        log,
        [
            "head CONNECT example.com:443 host=example.com:443 Upgrade @59",
            "end upgrade, declined: KeepAlive @59",
            "head CONNECT example.com:443 host=example.com:443 Upgrade @151",
            "end upgrade, declined: KeepAlive @151",
            "Ok(Idle) @151",
        ]
    );
}

#[test]
fn declining_a_connect_that_asked_to_close_closes() {
    // RFC 9112 9.3: the request's own persistence decides once declined.
    let stream = b"CONNECT a:443 HTTP/1.0\r\n\r\n";
    assert_eq!(declining_at_every_split(stream)[1], "end upgrade, declined: Close @26");
    let mut p = RequestParser::new();
    let stream = b"CONNECT a:443 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\n";
    assert!(matches!(p.parse(stream).unwrap().event, Some(Event::Head(_))));
    assert!(matches!(p.parse(b"").unwrap().event, Some(Event::End(Disposition::Upgrade))));
    assert_eq!(p.decline_upgrade(), Some(Disposition::Close));
    // Closed: what follows is not a request that may be processed.
    let rest = &stream[54..];
    assert_eq!(p.parse(rest).unwrap_err().kind(), h1parse::ErrorKind::DataAfterClose);
}

#[test]
fn an_upgrade_taken_leaves_the_rest_to_the_new_protocol() {
    // The default, as before: nothing after the request is consumed.
    let mut p = RequestParser::new();
    let stream = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x05hello";
    let head = p.parse(stream).unwrap();
    let len = head.consumed;
    assert!(matches!(p.parse(&stream[len..]).unwrap().event, Some(Event::End(Disposition::Upgrade))));
    let after = p.parse(&stream[len..]).unwrap();
    assert_eq!((after.consumed, after.event.is_none(), p.is_upgraded()), (0, true, true));
    assert_eq!(p.offset(), len as u64);
    assert_eq!(p.finish(), Ok(Finish::Idle));
}

#[test]
fn there_is_nothing_to_decline_unless_an_upgrade_ended_the_request() {
    let mut p = RequestParser::new();
    assert_eq!(p.decline_upgrade(), None);
    let stream = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n";
    assert!(matches!(p.parse(stream).unwrap().event, Some(Event::Head(_))));
    assert_eq!(p.decline_upgrade(), None, "before End(Upgrade)");
    assert!(matches!(p.parse(b"").unwrap().event, Some(Event::End(Disposition::Upgrade))));
    assert_eq!(p.decline_upgrade(), Some(Disposition::KeepAlive));
    assert_eq!(p.decline_upgrade(), None, "declined once");
    assert!(p.is_between_messages());
}

#[test]
fn a_101_and_a_2xx_to_connect_are_final_on_the_response_side() {
    let mut r = ResponseParser::new();
    let stream = b"HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x00";
    let Some(Event::Head(h)) = r.parse(stream).unwrap().event else { panic!("a head") };
    assert_eq!(h.connection, Disposition::Upgrade);
    assert!(matches!(r.parse(b"").unwrap().event, Some(Event::End(Disposition::Upgrade))));
    assert!(r.is_upgraded());
    let mut r = ResponseParser::new();
    r.set_request_method(b"CONNECT");
    let Some(Event::Head(h)) = r.parse(b"HTTP/1.1 200 Connection established\r\n\r\n").unwrap().event else {
        panic!("a head")
    };
    assert_eq!(h.connection, Disposition::Upgrade);
    assert!(matches!(r.parse(b"").unwrap().event, Some(Event::End(Disposition::Upgrade))));
    assert!(r.is_upgraded());
}

#[test]
fn the_fuzz_checks_hold_when_every_upgrade_is_declined() {
    // The request_stream target declines every upgrade it meets too; these
    // streams make sure it does meet some.
    let streams: [&[u8]; 3] = [
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n",
        b"CONNECT a:1 HTTP/1.1\r\nHost: a:1\r\n\r\nCONNECT a:1 HTTP/1.1\r\nHost: a:1\r\nConnection: close\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nConnection: upgrade\r\nUpgrade: ws\r\nTransfer-Encoding: chunked\r\n\r\n\
          1\r\na\r\n0\r\n\r\nGET / HTTP/1.0\r\n\r\n",
    ];
    for stream in streams {
        let cfg = Config::new();
        let t = checks::trace_with(&checks::Role::Request, cfg, [stream], true);
        checks::check_trace(&t, stream, &checks::Role::Request, &cfg);
        let declined = t.steps.iter().filter(|s| matches!(s.ev, checks::Ev::Declined(_))).count();
        assert!(declined >= 1, "{:?}", stream.escape_ascii());
        assert!(matches!(t.outcome, checks::Outcome::Finish(Finish::Idle)), "{:?}", t.outcome);
        checks::request_stream(stream);
    }
}
