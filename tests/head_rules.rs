//! Table-driven tests of the head grammar through the one-shot API, one table
//! per rule, each row naming the RFC section it comes from. The message
//! parser shares the same state machine; the fixtures cover it.

use h1parse::{Config, ErrorKind, Header, Leniency, Limits, Request, Response, Status, Version};

type Row = (&'static str, &'static [u8], Result<(), (ErrorKind, u64)>);

fn request(buf: &[u8], cfg: &Config) -> Result<Status<usize>, h1parse::Error> {
    let mut headers = [Header::EMPTY; 16];
    Request::new(&mut headers).parse_with(buf, cfg)
}

fn response(buf: &[u8], cfg: &Config) -> Result<Status<usize>, h1parse::Error> {
    let mut headers = [Header::EMPTY; 16];
    Response::new(&mut headers).parse_with(buf, cfg)
}

fn check(rows: &[Row], parse: fn(&[u8], &Config) -> Result<Status<usize>, h1parse::Error>) {
    let cfg = Config::new();
    for (why, input, expected) in rows {
        let got = parse(input, &cfg);
        match expected {
            Ok(()) => assert_eq!(got, Ok(Status::Complete(input.len())), "{why}: {}", input.escape_ascii()),
            Err((kind, at)) => {
                let e = got.expect_err(why);
                assert_eq!((e.kind(), e.offset()), (*kind, *at), "{why}: {}", input.escape_ascii());
            }
        }
    }
}

#[test]
fn request_lines() {
    use ErrorKind::*;
    let rows: &[Row] = &[
        ("RFC 9112 3.2.1 origin-form", b"GET /a?b HTTP/1.1\r\n\r\n", Ok(())),
        ("RFC 9112 3.2.2 absolute-form", b"GET http://a/b HTTP/1.1\r\n\r\n", Ok(())),
        ("RFC 9112 3.2.3 authority-form", b"CONNECT a:443 HTTP/1.1\r\n\r\n", Ok(())),
        ("RFC 9112 3.2.4 asterisk-form", b"OPTIONS * HTTP/1.1\r\n\r\n", Ok(())),
        ("RFC 9110 9.1 extension method", b"PROPFIND / HTTP/1.1\r\n\r\n", Ok(())),
        ("RFC 9112 2.2 leading empty lines skipped", b"\r\n\r\nGET / HTTP/1.1\r\n\r\n", Ok(())),
        ("RFC 9112 2.3 HTTP/1.0", b"GET / HTTP/1.0\r\n\r\n", Ok(())),
        ("RFC 9112 3.1 method must be a token", b"G@T / HTTP/1.1\r\n\r\n", Err((BadMethod, 1))),
        ("RFC 9112 3.1 empty method", b" / HTTP/1.1\r\n\r\n", Err((BadMethod, 0))),
        ("RFC 9112 3 single SP", b"GET  / HTTP/1.1\r\n\r\n", Err((BadStartLine, 4))),
        ("RFC 9112 3.2 no CTL in target", b"GET /\x01 HTTP/1.1\r\n\r\n", Err((BadTarget, 5))),
        ("RFC 9112 3.2 no DEL in target", b"GET /\x7f HTTP/1.1\r\n\r\n", Err((BadTarget, 5))),
        ("RFC 3986 no obs-text in target", b"GET /\x80 HTTP/1.1\r\n\r\n", Err((BadTarget, 5))),
        ("RFC 9112 3 missing version", b"GET /\r\n\r\n", Err((BadStartLine, 5))),
        ("RFC 9112 2.3 name is case-sensitive", b"GET / Http/1.1\r\n\r\n", Err((BadVersion, 7))),
        ("RFC 9112 2.3 DIGIT.DIGIT", b"GET / HTTP/1.x\r\n\r\n", Err((BadVersion, 13))),
        ("RFC 9112 2.3 one digit minor", b"GET / HTTP/1.11\r\n\r\n", Err((BadVersion, 14))),
        ("RFC 9112 2.3 major 1 only", b"GET / HTTP/3.0\r\n\r\n", Err((UnsupportedVersion, 11))),
        ("RFC 9112 2.2 bare LF ends nothing", b"GET / HTTP/1.1\n\r\n", Err((BareLf, 14))),
        ("RFC 9112 2.2 bare CR", b"GET / HTTP/1.1\rX\r\n", Err((BareCr, 14))),
        ("RFC 9112 2.2 bare LF leading line", b"\nGET / HTTP/1.1\r\n\r\n", Err((BareLf, 0))),
    ];
    check(rows, request);
}

#[test]
fn request_parts_are_borrowed_views() {
    let buf = b"\r\nDELETE /x?y=%20 HTTP/1.0\r\nA: 1\r\n\r\nrest";
    let mut headers = [Header::EMPTY; 4];
    let mut req = Request::new(&mut headers);
    assert_eq!(req.parse(buf), Ok(Status::Complete(buf.len() - 4)));
    assert_eq!(req.method, Some(&b"DELETE"[..]));
    assert_eq!(req.target, Some(&b"/x?y=%20"[..]));
    assert_eq!(req.version, Some(Version::Http10));
    assert_eq!(req.headers.len(), 1);
    let range = buf.as_ptr_range();
    assert!(range.contains(&req.target.unwrap().as_ptr()), "target points into the buffer");
    assert!(range.contains(&req.headers[0].value.as_ptr()), "value points into the buffer");
}

#[test]
fn status_lines() {
    use ErrorKind::*;
    let rows: &[Row] = &[
        ("RFC 9112 4", b"HTTP/1.1 200 OK\r\n\r\n", Ok(())),
        ("RFC 9112 4 empty reason", b"HTTP/1.1 200 \r\n\r\n", Ok(())),
        ("RFC 9112 4 reason omitted with its SP", b"HTTP/1.1 200\r\n\r\n", Ok(())),
        ("RFC 9112 4 obs-text reason", b"HTTP/1.1 200 \xff\r\n\r\n", Ok(())),
        ("RFC 9112 4 3DIGIT", b"HTTP/1.1 20 OK\r\n\r\n", Err((BadStatusCode, 11))),
        ("RFC 9112 4 3DIGIT, not 4", b"HTTP/1.1 2000 OK\r\n\r\n", Err((BadStatusCode, 12))),
        ("RFC 9110 15 100..599", b"HTTP/1.1 600 X\r\n\r\n", Err((StatusCodeOutOfRange, 9))),
        ("RFC 9110 15 100..599", b"HTTP/1.1 000 X\r\n\r\n", Err((StatusCodeOutOfRange, 9))),
        ("RFC 9112 4 reason CTL", b"HTTP/1.1 200 A\x00\r\n\r\n", Err((BadReason, 14))),
        ("RFC 9112 4 missing code", b"HTTP/1.1\r\n\r\n", Err((BadStartLine, 8))),
        (
            "RFC 9112 2.2 no empty lines before a status line",
            b"\r\nHTTP/1.1 200 OK\r\n\r\n",
            Err((EmptyLineBeforeStatusLine, 0)),
        ),
        ("RFC 9112 2.3 major 1 only", b"HTTP/2.0 200 OK\r\n\r\n", Err((UnsupportedVersion, 5))),
    ];
    check(rows, response);
    let mut headers = [Header::EMPTY; 2];
    let mut res = Response::new(&mut headers);
    assert!(res.parse(b"HTTP/1.1 200\r\n\r\n").unwrap().is_complete());
    assert_eq!((res.code, res.reason), (Some(200), Some(&b""[..])));
    // Whitespace after the code's SP is not part of the reason.
    let mut headers = [Header::EMPTY; 2];
    let mut res = Response::new(&mut headers);
    assert!(res.parse(b"HTTP/1.1 404 \t Not Found\r\n\r\n").unwrap().is_complete());
    assert_eq!(res.reason, Some(&b"Not Found"[..]));
}

#[test]
fn field_names() {
    use ErrorKind::*;
    let rows: &[Row] = &[
        ("RFC 9110 5.1 token name", b"GET / HTTP/1.1\r\nX-a_b.c~!#$%&'*+^`|: v\r\n\r\n", Ok(())),
        ("RFC 9110 5.1 non-token byte", b"GET / HTTP/1.1\r\nX(y): v\r\n\r\n", Err((BadFieldName, 17))),
        ("RFC 9110 5.1 empty name", b"GET / HTTP/1.1\r\n: v\r\n\r\n", Err((BadFieldName, 16))),
        ("RFC 9112 5 no colon", b"GET / HTTP/1.1\r\nXY\r\n\r\n", Err((BadFieldName, 18))),
        ("RFC 9112 5.1 whitespace before colon", b"GET / HTTP/1.1\r\nXY : v\r\n\r\n", Err((WhitespaceBeforeColon, 18))),
        ("RFC 9112 5.1 tab before colon", b"GET / HTTP/1.1\r\nXY\t: v\r\n\r\n", Err((WhitespaceBeforeColon, 18))),
        ("RFC 9112 5.2 obs-fold", b"GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", Err((ObsFold, 22))),
        ("RFC 9112 2.2 whitespace before first field", b"GET / HTTP/1.1\r\n A: b\r\n\r\n", Err((BadFieldName, 16))),
        ("RFC 9112 5.1 obs-fold in responses too", b"GET / HTTP/1.1\r\nA: b\r\n\tc\r\n\r\n", Err((ObsFold, 22))),
    ];
    check(rows, request);
}

#[test]
fn field_values() {
    use ErrorKind::*;
    let rows: &[Row] = &[
        ("RFC 9110 5.5 obs-text", b"GET / HTTP/1.1\r\nA: \x80\xff\r\n\r\n", Ok(())),
        ("RFC 9110 5.5 HTAB inside", b"GET / HTTP/1.1\r\nA: b\tc\r\n\r\n", Ok(())),
        ("RFC 9110 5.5 empty value", b"GET / HTTP/1.1\r\nA:\r\n\r\n", Ok(())),
        ("RFC 9110 5.5 NUL", b"GET / HTTP/1.1\r\nA: \x00\r\n\r\n", Err((BadFieldValue, 19))),
        ("RFC 9110 5.5 DEL", b"GET / HTTP/1.1\r\nA: \x7f\r\n\r\n", Err((BadFieldValue, 19))),
        ("RFC 9110 5.5 ESC", b"GET / HTTP/1.1\r\nA: \x1b\r\n\r\n", Err((BadFieldValue, 19))),
        ("RFC 9112 2.2 bare CR in value", b"GET / HTTP/1.1\r\nA: b\rc\r\n\r\n", Err((BareCr, 20))),
        ("RFC 9112 2.2 bare LF in value", b"GET / HTTP/1.1\r\nA: b\nc\r\n\r\n", Err((BareLf, 20))),
    ];
    check(rows, request);
    // Every byte value, alone in a value: allowed exactly when RFC 9110 5.5 says so.
    for b in 0..=255u8 {
        let buf = [&b"GET / HTTP/1.1\r\nA: x"[..], &[b], b"x\r\n\r\n"].concat();
        let allowed = b == b'\t' || b == b' ' || (0x21..=0x7e).contains(&b) || b >= 0x80;
        let got = request(&buf, &Config::new());
        assert_eq!(got.is_ok(), allowed, "byte {b:#04x}: {got:?}");
    }
}

#[test]
fn values_are_trimmed_of_ows() {
    let buf = b"GET / HTTP/1.1\r\nA: \t x y \t \r\nB:z\r\nC:  \r\n\r\n";
    let mut headers = [Header::EMPTY; 4];
    let mut req = Request::new(&mut headers);
    assert!(req.parse(buf).unwrap().is_complete());
    let values: Vec<&[u8]> = req.headers.iter().map(|h| h.value).collect();
    assert_eq!(values, [&b"x y"[..], b"z", b""]);
}

#[test]
fn header_storage_is_the_count_limit() {
    let buf = b"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n";
    let mut headers = [Header::EMPTY; 2];
    let e = Request::new(&mut headers).parse(buf).unwrap_err();
    assert_eq!((e.kind(), e.offset()), (ErrorKind::TooManyHeaders, 28));
}

/// Each limit fires at the first byte past it: same kind and offset whether
/// the head is parsed whole or fed one byte at a time to the message parser.
#[test]
fn limits_fire_at_the_same_byte_for_every_split() {
    use ErrorKind::*;
    let limited = |f: fn(&mut Limits)| {
        let mut c = Config::new();
        f(&mut c.limits);
        c
    };
    let head = b"GET /abcdef HTTP/1.1\r\nHost: x\r\nLong: 0123456789\r\n\r\n";
    assert_eq!(head.len(), 51);
    type LimitRow = (&'static str, Config, Option<(ErrorKind, u64)>);
    let rows: &[LimitRow] = &[
        ("start line 20 bytes fits exactly", limited(|l| l.start_line = 20), None),
        ("start line 19", limited(|l| l.start_line = 19), Some((StartLineTooLong, 19))),
        ("field line 16 fits", limited(|l| l.field_line = 16), None),
        ("field line 15", limited(|l| l.field_line = 15), Some((FieldLineTooLong, 46))),
        ("head fits exactly", limited(|l| l.head = 51), None),
        ("head one byte short", limited(|l| l.head = 50), Some((HeadTooLarge, 50))),
        ("head limit inside start line", limited(|l| l.head = 10), Some((HeadTooLarge, 10))),
        ("header count 2 fits", limited(|l| l.headers = 2), None),
        ("header count 1", limited(|l| l.headers = 1), Some((TooManyHeaders, 31))),
    ];
    for (why, cfg, expected) in rows {
        let whole = request(head, cfg).map(|_| ()).map_err(|e| (e.kind(), e.offset()));
        assert_eq!(whole, expected.map_or(Ok(()), Err), "{why} (one-shot)");
        let mut p = h1parse::RequestParser::with_config(*cfg);
        let mut got = Ok(());
        for n in 1..=head.len() {
            match p.parse(&head[..n]) {
                Err(e) => {
                    got = Err((e.kind(), e.offset()));
                    break;
                }
                Ok(progress) if progress.event.is_some() => break,
                Ok(_) => {}
            }
        }
        assert_eq!(got, expected.map_or(Ok(()), Err), "{why} (byte at a time)");
    }
}

#[test]
fn partial_is_not_an_error() {
    let buf = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    for n in 0..buf.len() {
        assert_eq!(request(&buf[..n], &Config::new()), Ok(Status::Partial), "prefix of {n} bytes");
    }
}

/// RFC 9112 3.2: a missing Host is reported at the blank line that ends the
/// head, whether that line is CRLF or (with the bare-LF leniency) LF.
#[test]
fn missing_host_points_at_the_blank_line() {
    let mut strict = h1parse::RequestParser::new();
    let e = strict.parse(b"GET / HTTP/1.1\r\nA: b\r\n\r\n").unwrap_err();
    assert_eq!((e.kind(), e.offset()), (ErrorKind::MissingHost, 22));
    let mut cfg = Config::new();
    cfg.leniency = Leniency::BARE_LF_IN_HEAD;
    let mut lenient = h1parse::RequestParser::with_config(cfg);
    let e = lenient.parse(b"GET / HTTP/1.1\nA: b\n\n").unwrap_err();
    assert_eq!((e.kind(), e.offset()), (ErrorKind::MissingHost, 20));
}

/// What a message parser makes of `stream` fed `split` bytes at a time
/// (the buffer grows; consumed bytes are dropped): every event, and the
/// first error with its offset, so two splits can be compared.
fn events_fed_in_pieces(stream: &[u8], cfg: &Config, response: bool, split: usize) -> Vec<String> {
    let (mut req, mut res) = (h1parse::RequestParser::with_config(*cfg), h1parse::ResponseParser::with_config(*cfg));
    let mut out = Vec::new();
    let (mut start, mut end) = (0, 0);
    while end < stream.len() {
        end = (end + split).min(stream.len());
        loop {
            let input = &stream[start..end];
            let step = if response {
                res.parse(input).map(|p| (p.consumed, p.event.map(|e| format!("{e:?}"))))
            } else {
                req.parse(input).map(|p| (p.consumed, p.event.map(|e| format!("{e:?}"))))
            };
            match step {
                Err(e) => {
                    out.push(format!("error {:?} at {}", e.kind(), e.offset()));
                    return out;
                }
                Ok((consumed, event)) => {
                    start += consumed;
                    match event {
                        Some(e) => out.push(e),
                        None => break,
                    }
                }
            }
        }
    }
    out
}

/// A slow peer's bytes take a shorter path than whole lines (a byte that
/// only continues a token or value, or only moves a field line on: a
/// name's first byte, the colon, a value's first byte, the LF after CR).
/// Whatever the limits, the result byte by byte is the result whole: the
/// same fields, the same error at the same offset. Every head limit, every
/// field-line limit up to past the longest line, a few start-line limits.
#[test]
fn byte_by_byte_equals_whole_under_every_limit() {
    let requests: &[&[u8]] = &[
        b"GET /abc HTTP/1.1\r\nHost: x\r\nA:\r\nLong-Name:  v  w\t\r\nB:1\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a.b\r\n:bad\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nX: \x01\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nX\r\n\r\n",
    ];
    let responses: &[&[u8]] = &[b"HTTP/1.1 200 OK\r\nA: b\r\n c\r\nB :d\r\nContent-Length: 0\r\n\r\n"];
    let cases = requests.iter().map(|&h| (h, false)).chain(responses.iter().map(|&h| (h, true)));
    for (head, response) in cases {
        for head_limit in 1..=head.len() as u32 + 1 {
            for field_line in 0..=20 {
                for start_line in [0, 5, 14, 20, 40] {
                    let mut cfg = Config::new();
                    cfg.limits.head = head_limit;
                    cfg.limits.field_line = field_line;
                    cfg.limits.start_line = start_line;
                    // Responses: obs-fold and whitespace before the colon
                    // allowed, so fields are held back (the LF step must wait).
                    if response {
                        cfg.leniency = Leniency::OBS_FOLD_IN_RESPONSES | Leniency::WHITESPACE_BEFORE_COLON_IN_RESPONSES;
                    }
                    let whole = events_fed_in_pieces(head, &cfg, response, head.len());
                    let one = events_fed_in_pieces(head, &cfg, response, 1);
                    assert_eq!(
                        one,
                        whole,
                        "{:?} head {head_limit} field line {field_line} start line {start_line}",
                        head.escape_ascii().to_string()
                    );
                }
            }
        }
    }
}

/// httparse fills method, target and version (code, reason) as soon as each
/// is parsed, and callers route on them before the head is complete; so
/// does the one-shot API, on `Partial` too.
#[test]
fn the_start_line_is_filled_in_as_soon_as_it_is_parsed() {
    let buf = b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
    for k in 0..buf.len() {
        let mut headers = [Header::EMPTY; 4];
        let mut req = Request::new(&mut headers);
        assert_eq!(req.parse(&buf[..k]), Ok(Status::Partial), "prefix {k}");
        assert_eq!(req.method, (k >= 4).then_some(&b"GET"[..]), "method after {k} bytes");
        assert_eq!(req.target, (k >= 7).then_some(&b"/a"[..]), "target after {k} bytes");
        assert_eq!(req.version, (k >= 16).then_some(Version::Http11), "version after {k} bytes");
        // The same over uninitialised storage.
        let mut slots = [const { std::mem::MaybeUninit::<Header<'_>>::uninit() }; 4];
        let mut req = Request::new(&mut []);
        assert_eq!(req.parse_uninit(&buf[..k], &mut slots), Ok(Status::Partial), "prefix {k}");
        assert_eq!((req.method.is_some(), req.target.is_some()), (k >= 4, k >= 7), "uninit, after {k} bytes");
    }
    let buf = b"HTTP/1.1 404 Not Found\r\nA: b\r\n\r\n";
    for k in 0..buf.len() {
        let mut headers = [Header::EMPTY; 4];
        let mut res = Response::new(&mut headers);
        assert_eq!(res.parse(&buf[..k]), Ok(Status::Partial), "prefix {k}");
        assert_eq!(res.version, (k >= 9).then_some(Version::Http11), "version after {k} bytes");
        assert_eq!(res.code, (k >= 13).then_some(404), "code after {k} bytes");
        assert_eq!(res.reason, (k >= 23).then_some(&b"Not Found"[..]), "reason after {k} bytes");
    }
}

/// Two of httparse's own test inputs, through the one-shot API with the
/// matching switch on, read as RFC 9112 says: folds at the edges of a value
/// are whitespace (5.2, RFC 9110 5.5), and runs of spaces in a status line
/// are separators, not part of the reason (4).
#[test]
fn httparse_inputs_with_switches_on_read_as_the_rfc_says() {
    let cfg = Config { leniency: Leniency::OBS_FOLD_IN_RESPONSES, ..Config::new() };
    let buf = b"HTTP/1.1 200 OK\r\nLine-Folded-Header: \r\n   \r\n hello there\r\nConnection:\r\n close\r\n\r\n";
    let mut headers = [Header::EMPTY; 4];
    let mut res = Response::new(&mut headers);
    assert_eq!(res.parse_with(buf, &cfg), Ok(Status::Complete(buf.len())));
    assert_eq!((res.headers[0].name, res.headers[0].value), (&b"Line-Folded-Header"[..], &b"hello there"[..]));
    assert_eq!((res.headers[1].name, res.headers[1].value), (&b"Connection"[..], &b"close"[..]));

    let cfg = Config { leniency: Leniency::MULTIPLE_SPACES_IN_START_LINE, ..Config::new() };
    let buf = b"HTTP/1.1   200  OK\r\n\r\n";
    let mut headers = [Header::EMPTY; 4];
    let mut res = Response::new(&mut headers);
    assert_eq!(res.parse_with(buf, &cfg), Ok(Status::Complete(buf.len())));
    assert_eq!((res.code, res.reason), (Some(200), Some(&b"OK"[..])));
}
