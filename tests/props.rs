//! Property tests: no panic on arbitrary bytes, round trips of generated
//! valid heads and message streams, prefixes are incomplete, and the output
//! never depends on how the input is split.

#[path = "support/render.rs"]
mod render;

use h1parse::{Config, Event, Header, Request, RequestParser, Response, ResponseParser, Status, Version};
use proptest::prelude::*;

const TCHARS: &[u8] = b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

fn token(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(TCHARS), 1..=max)
}

/// A field value: field-vchar at both ends, SP/HTAB allowed inside (RFC 9110 5.5).
fn value() -> impl Strategy<Value = Vec<u8>> {
    let vchar = prop_oneof![0x21u8..=0x7e, 0x80u8..=0xff];
    let inner = prop_oneof![4 => 0x21u8..=0x7e, 1 => Just(b' '), 1 => Just(b'\t'), 1 => 0x80u8..=0xff];
    prop_oneof![
        1 => Just(Vec::new()),
        6 => (vchar.clone(), prop::collection::vec(inner, 0..30), vchar).prop_map(|(a, mut m, b)| {
            m.insert(0, a);
            m.push(b);
            m
        }),
    ]
}

fn ows() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(&b" \t"[..]), 0..3)
}

/// A generated field line: name, OWS before the value, value, OWS after.
type GenField = (Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>);

/// `X-` names so generated fields never collide with the framing fields.
fn field() -> impl Strategy<Value = GenField> {
    (token(16).prop_map(|t| [&b"X-"[..], &t].concat()), ows(), value(), ows())
}

#[derive(Clone, Debug)]
struct GenRequest {
    method: Vec<u8>,
    target: Vec<u8>,
    minor: u8,
    fields: Vec<GenField>,
}

fn request() -> impl Strategy<Value = GenRequest> {
    let target = prop::collection::vec(0x21u8..=0x7e, 0..40).prop_map(|t| [&b"/"[..], &t].concat());
    (token(12), target, 0u8..=1, prop::collection::vec(field(), 0..12))
        .prop_map(|(method, target, minor, fields)| GenRequest { method, target, minor, fields })
}

impl GenRequest {
    fn head(&self) -> Vec<u8> {
        let mut v =
            [&self.method[..], b" ", &self.target, b" HTTP/1.", &[b'0' + self.minor], b"\r\nHost: h\r\n"].concat();
        for (name, pre, value, post) in &self.fields {
            v.extend_from_slice(&[&name[..], b":", pre, value, post, b"\r\n"].concat());
        }
        v.extend_from_slice(b"\r\n");
        v
    }
}

/// A body framing and its payload.
#[derive(Clone, Debug)]
enum Body {
    None,
    Length(Vec<u8>),
    Chunked(Vec<Vec<u8>>, Vec<(Vec<u8>, Vec<u8>)>),
}

fn body() -> impl Strategy<Value = Body> {
    let bytes = prop::collection::vec(any::<u8>(), 0..60);
    let chunks = prop::collection::vec(prop::collection::vec(any::<u8>(), 1..40), 0..5);
    let trailers = prop::collection::vec((token(8).prop_map(|t| [&b"T-"[..], &t].concat()), value()), 0..3);
    prop_oneof![
        Just(Body::None),
        bytes.prop_map(Body::Length),
        (chunks, trailers).prop_map(|(c, t)| Body::Chunked(c, t)),
    ]
}

/// HTTP/1.1 only: an HTTP/1.0 request closes the connection (and may not be chunked).
fn message() -> impl Strategy<Value = (GenRequest, Body)> {
    (request(), body()).prop_map(|(req, body)| (GenRequest { minor: 1, ..req }, body))
}

fn serialize((req, body): &(GenRequest, Body)) -> Vec<u8> {
    let mut head = req.head();
    head.truncate(head.len() - 2);
    let mut v = head;
    match body {
        Body::None => v.extend_from_slice(b"\r\n"),
        Body::Length(b) => {
            v.extend_from_slice(format!("Content-Length: {}\r\n\r\n", b.len()).as_bytes());
            v.extend_from_slice(b);
        }
        Body::Chunked(chunks, trailers) => {
            v.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
            for c in chunks {
                v.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
                v.extend_from_slice(c);
                v.extend_from_slice(b"\r\n");
            }
            v.extend_from_slice(b"0\r\n");
            for (n, val) in trailers {
                v.extend_from_slice(&[&n[..], b": ", val, b"\r\n"].concat());
            }
            v.extend_from_slice(b"\r\n");
        }
    }
    v
}

/// What the parser reports for one request.
#[derive(Debug, Default, PartialEq)]
struct Parsed {
    method: Vec<u8>,
    target: Vec<u8>,
    fields: Vec<(Vec<u8>, Vec<u8>)>,
    body: Vec<u8>,
    trailers: Vec<(Vec<u8>, Vec<u8>)>,
}

fn parse_stream(stream: &[u8]) -> Vec<Parsed> {
    let mut p = RequestParser::new();
    let mut out: Vec<Parsed> = Vec::new();
    let mut input = stream;
    loop {
        let progress = p.parse(input).expect("generated stream is valid");
        let n = progress.consumed;
        match progress.event {
            None => break,
            Some(Event::Head(h)) => out.push(Parsed {
                method: h.method.to_vec(),
                target: h.target.to_vec(),
                fields: p.fields(&h).iter().map(|f| (f.name.to_vec(), f.value.to_vec())).collect(),
                ..Parsed::default()
            }),
            Some(Event::Data(d)) => out.last_mut().unwrap().body.extend_from_slice(d),
            Some(Event::Trailers(t)) => {
                out.last_mut().unwrap().trailers =
                    p.trailers(&t).iter().map(|f| (f.name.to_vec(), f.value.to_vec())).collect()
            }
            Some(Event::End(_)) => {}
        }
        input = &input[n..];
    }
    assert!(input.is_empty(), "unconsumed bytes left");
    out
}

/// Cuts `stream` at the given points (taken modulo its length).
fn pieces<'a>(stream: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (stream.len() + 1)).collect();
    points.sort_unstable();
    points.dedup();
    let mut v = Vec::new();
    let mut last = 0;
    for p in points {
        v.push(&stream[last..p]);
        last = p;
    }
    v.push(&stream[last..]);
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// (a) Any bytes: no panic, and an error points inside the input.
    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..300)) {
        let mut headers = [Header::EMPTY; 8];
        if let Err(e) = Request::new(&mut headers).parse(&data) {
            prop_assert!(e.offset() < data.len() as u64, "{e:?} outside {} bytes", data.len());
        }
        let mut headers = [Header::EMPTY; 8];
        if let Err(e) = Response::new(&mut headers).parse(&data) {
            prop_assert!(e.offset() < data.len() as u64, "{e:?} outside {} bytes", data.len());
        }
        for response in [false, true] {
            let opts = render::Options { response, ..render::Options::default() };
            let (log, ok) = render::inspect(&data, &opts);
            if !ok {
                let offset: u64 = log.lines().last().unwrap().rsplit(' ').next().unwrap().parse().unwrap();
                prop_assert!(offset < data.len() as u64, "{log}");
            }
        }
    }

    /// Arbitrary bytes behind a valid head: the log is the same for every split.
    #[test]
    fn arbitrary_streams_are_split_invariant(
        prefix in prop::sample::select(vec![
            &b""[..],
            b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
            b"GET / HTTP/1.1\r\n",
        ]),
        data in prop::collection::vec(any::<u8>(), 0..200),
        cuts in prop::collection::vec(any::<usize>(), 0..8),
        response in any::<bool>(),
    ) {
        let stream = [prefix, &data].concat();
        let opts = render::Options { response, ..render::Options::default() };
        let whole = render::inspect(&stream, &opts);
        let split = render::inspect_pieces(pieces(&stream, &cuts), &opts);
        prop_assert_eq!(&whole, &split);
        let bytewise = render::inspect_pieces(stream.chunks(1), &opts);
        prop_assert_eq!(whole, bytewise);
    }

    /// (b) Generated valid heads round-trip through the one-shot parser.
    #[test]
    fn valid_heads_round_trip(req in request()) {
        let head = req.head();
        let mut headers = [Header::EMPTY; 16];
        let mut parsed = Request::new(&mut headers);
        prop_assert_eq!(parsed.parse(&head), Ok(Status::Complete(head.len())));
        prop_assert_eq!(parsed.method, Some(&req.method[..]));
        prop_assert_eq!(parsed.target, Some(&req.target[..]));
        let version = if req.minor == 0 { Version::Http10 } else { Version::Http11 };
        prop_assert_eq!(parsed.version, Some(version));
        prop_assert_eq!(parsed.headers.len(), req.fields.len() + 1);
        for (h, (name, _, value, _)) in parsed.headers[1..].iter().zip(&req.fields) {
            prop_assert_eq!(h.name, &name[..]);
            prop_assert_eq!(h.value, &value[..]);
        }
    }

    /// (c) Every proper prefix of a valid head is incomplete: not an error, not complete.
    #[test]
    fn proper_prefixes_are_partial(req in request()) {
        let head = req.head();
        for n in 0..head.len() {
            let mut headers = [Header::EMPTY; 16];
            prop_assert_eq!(Request::new(&mut headers).parse(&head[..n]), Ok(Status::Partial), "prefix {}", n);
        }
        let mut p = RequestParser::new();
        for n in 0..head.len() {
            let progress = p.parse(&head[..n]).unwrap();
            prop_assert!(progress.event.is_none() && progress.consumed == 0, "prefix {}", n);
        }
    }

    /// Generated pipelined streams (mixed framing) round-trip through
    /// serialize-then-parse, and parse the same way at every split.
    #[test]
    fn message_streams_round_trip(msgs in prop::collection::vec(message(), 1..5), cuts in prop::collection::vec(any::<usize>(), 0..10)) {
        let stream: Vec<u8> = msgs.iter().flat_map(serialize).collect();
        let parsed = parse_stream(&stream);
        prop_assert_eq!(parsed.len(), msgs.len());
        for (got, (req, body)) in parsed.iter().zip(&msgs) {
            prop_assert_eq!(&got.method, &req.method);
            prop_assert_eq!(&got.target, &req.target);
            let generated: Vec<_> = req.fields.iter().map(|(n, _, v, _)| (n.clone(), v.clone())).collect();
            prop_assert_eq!(&got.fields[1..=generated.len()], &generated[..]);
            match body {
                Body::None => prop_assert!(got.body.is_empty()),
                Body::Length(b) => prop_assert_eq!(&got.body, b),
                Body::Chunked(chunks, trailers) => {
                    prop_assert_eq!(&got.body, &chunks.concat());
                    prop_assert_eq!(&got.trailers, trailers);
                }
            }
        }
        let opts = render::Options::default();
        let whole = render::inspect(&stream, &opts);
        prop_assert!(whole.1, "{}", whole.0);
        prop_assert_eq!(&whole, &render::inspect_pieces(pieces(&stream, &cuts), &opts));
        prop_assert_eq!(&whole, &render::inspect_pieces(stream.chunks(1), &opts));
    }
}

/// Responses to a known method, including interim ones, are split invariant too.
#[test]
fn response_stream_split_invariance() {
    let stream = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=\"y\"\r\nabc\r\n0\r\nT: 1\r\n\r\nHTTP/1.1 200 OK\r\n\r\nrest of the body";
    let opts = render::Options { response: true, ..render::Options::default() };
    let whole = render::inspect(stream, &opts);
    assert!(whole.0.ends_with("data rest of the body\nend close\n"), "{}", whole.0);
    for k in 0..=stream.len() {
        assert_eq!(render::inspect_pieces([&stream[..k], &stream[k..]], &opts), whole, "split at {k}");
    }
    let mut p = ResponseParser::with_config(Config::new());
    p.set_request_method(b"HEAD");
    let Some(Event::Head(h)) = p.parse(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n").unwrap().event else {
        panic!("expected a head")
    };
    assert_eq!(h.framing, h1parse::Framing::None);
}
