//! The one-shot API over uninitialised header storage gives exactly what it
//! gives over initialised storage: same status, same error, same parts, same
//! fields, for whole heads, every prefix of them, and mutated heads.

use core::mem::MaybeUninit;

use h1parse::{Config, Error, ErrorKind, Header, Limits, Request, Response, Status};
use proptest::prelude::*;

const REQUESTS: &[&[u8]] = &[
    include_bytes!("../benches/data/curl.http"),
    include_bytes!("../benches/data/hp_req_short.http"),
    include_bytes!("../benches/data/pico.http"),
    include_bytes!("../benches/data/many.http"),
    b"GET / HTTP/1.1\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nBa(d: x\r\n\r\n",
];
const RESPONSES: &[&[u8]] = &[
    include_bytes!("../benches/data/hp_resp_short.http"),
    include_bytes!("../benches/data/resp301.http"),
    include_bytes!("../benches/data/hp_resp.http"),
    b"HTTP/1.1 204 \r\n\r\n",
];

/// What a parse gave, owned, so both APIs can be compared.
#[derive(Debug, PartialEq)]
struct Outcome {
    status: Result<Status<usize>, Error>,
    start: Vec<Vec<u8>>,
    fields: Vec<(Vec<u8>, Vec<u8>)>,
}

fn fields(headers: &[Header<'_>]) -> Vec<(Vec<u8>, Vec<u8>)> {
    headers.iter().map(|h| (h.name.to_vec(), h.value.to_vec())).collect()
}

fn request(buf: &[u8], slots: usize, cfg: &Config, uninit: bool) -> Outcome {
    let mut init = vec![Header::EMPTY; slots];
    let mut raw = vec![MaybeUninit::<Header<'_>>::uninit(); slots];
    let (status, req) = if uninit {
        let mut req = Request::new(&mut []);
        (req.parse_uninit_with(buf, &mut raw, cfg), req)
    } else {
        let mut req = Request::new(&mut init);
        (req.parse_with(buf, cfg), req)
    };
    let complete = matches!(status, Ok(Status::Complete(_)));
    let start = [req.method, req.target].iter().map(|p| p.unwrap_or_default().to_vec()).collect();
    // Initialised storage keeps its unused slots until a head is complete.
    let fields = if complete { fields(req.headers) } else { Vec::new() };
    Outcome { status, start: [start, vec![format!("{:?}", req.version).into_bytes()]].concat(), fields }
}

fn response(buf: &[u8], slots: usize, cfg: &Config, uninit: bool) -> Outcome {
    let mut init = vec![Header::EMPTY; slots];
    let mut raw = vec![MaybeUninit::<Header<'_>>::uninit(); slots];
    let (status, res) = if uninit {
        let mut res = Response::new(&mut []);
        (res.parse_uninit_with(buf, &mut raw, cfg), res)
    } else {
        let mut res = Response::new(&mut init);
        (res.parse_with(buf, cfg), res)
    };
    let complete = matches!(status, Ok(Status::Complete(_)));
    let start = vec![format!("{:?} {:?}", res.version, res.code).into_bytes(), res.reason.unwrap_or_default().to_vec()];
    let fields = if complete { fields(res.headers) } else { Vec::new() };
    Outcome { status, start, fields }
}

#[test]
fn uninit_storage_gives_what_initialised_storage_gives_for_every_prefix() {
    let cfg = Config::new();
    for input in REQUESTS {
        for end in 0..=input.len() {
            let buf = &input[..end];
            assert_eq!(request(buf, 100, &cfg, true), request(buf, 100, &cfg, false), "{}", buf.escape_ascii());
        }
    }
    for input in RESPONSES {
        for end in 0..=input.len() {
            let buf = &input[..end];
            assert_eq!(response(buf, 100, &cfg, true), response(buf, 100, &cfg, false), "{}", buf.escape_ascii());
        }
    }
}

#[test]
fn a_complete_head_fills_only_the_slots_it_needs() {
    let curl = REQUESTS[0];
    let mut raw = [const { MaybeUninit::<Header<'_>>::uninit() }; 100];
    let mut req = Request::new(&mut []);
    assert_eq!(req.parse_uninit(curl, &mut raw), Ok(Status::Complete(curl.len())));
    let names: Vec<&[u8]> = req.headers.iter().map(|h| h.name).collect();
    assert_eq!(names, [&b"Host"[..], b"User-Agent", b"Accept"]);
    assert_eq!(req.method, Some(&b"GET"[..]));
}

#[test]
fn fields_found_before_partial_or_an_error_are_handed_back() {
    let mut raw = [const { MaybeUninit::<Header<'_>>::uninit() }; 8];
    let mut req = Request::new(&mut []);
    assert_eq!(req.parse_uninit(b"GET / HTTP/1.1\r\nHost: a\r\nAcc", &mut raw), Ok(Status::Partial));
    assert_eq!(fields(req.headers), [(b"Host".to_vec(), b"a".to_vec())]);
    let mut req = Request::new(&mut []);
    let err = req.parse_uninit(b"GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\nBa(d: x\r\n\r\n", &mut raw).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadFieldName);
    assert_eq!(req.headers.len(), 2);
}

#[test]
fn too_many_headers_is_the_smaller_of_storage_and_limit() {
    let many = REQUESTS[3]; // 64 fields
    for (slots, limit) in [(63, 100), (100, 63), (0, 100), (64, 64)] {
        let cfg = Config { limits: Limits { headers: limit, ..Limits::new() }, ..Config::new() };
        let uninit = request(many, slots, &cfg, true);
        assert_eq!(uninit, request(many, slots, &cfg, false), "{slots} slots, limit {limit}");
        let expect_ok = slots >= 64 && limit >= 64;
        match uninit.status {
            Ok(Status::Complete(n)) => assert!(expect_ok && n == many.len(), "{slots}/{limit}"),
            Err(e) => assert!(!expect_ok && e.kind() == ErrorKind::TooManyHeaders, "{slots}/{limit}: {e:?}"),
            Ok(Status::Partial) => panic!("{slots}/{limit}: partial"),
        }
    }
}

proptest! {
    #[test]
    fn mutated_heads_agree(base in 0..REQUESTS.len() + RESPONSES.len(), edits in prop::collection::vec((any::<usize>(), any::<u8>()), 0..4), cut in any::<usize>()) {
        let cfg = Config::new();
        let (is_request, input) = if base < REQUESTS.len() { (true, REQUESTS[base]) } else { (false, RESPONSES[base - REQUESTS.len()]) };
        let mut buf = input.to_vec();
        for (at, byte) in edits {
            let at = at % buf.len();
            buf[at] = byte;
        }
        buf.truncate(cut % (buf.len() + 1));
        if is_request {
            prop_assert_eq!(request(&buf, 16, &cfg, true), request(&buf, 16, &cfg, false));
        } else {
            prop_assert_eq!(response(&buf, 16, &cfg, true), response(&buf, 16, &cfg, false));
        }
    }
}
