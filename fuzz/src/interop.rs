//! h1parse against httparse on the same bytes (the `vs_httparse` target).
//!
//! Where both accept a head, everything they expose must agree: length,
//! method, target, version, status code, reason and every header name and
//! value. Where only one accepts, the input must fall in one of the classes
//! of README.md ("Where h1parse and httparse differ"), and the class is
//! checked against the bytes, not taken on trust: a disagreement outside
//! them is a finding.

use h1parse::{Error, ErrorKind, Header, Request, Response, Status, Version};

const STORAGE: usize = h1parse::DEFAULT_CAPACITY;

/// Checks both roles on `data`.
pub fn vs_httparse(data: &[u8]) {
    request(data);
    response(data);
}

fn request(buf: &[u8]) {
    let mut ours_h = [Header::EMPTY; STORAGE];
    let mut ours = Request::new(&mut ours_h);
    let a = ours.parse(buf);
    let mut theirs_h = [httparse::EMPTY_HEADER; STORAGE];
    let mut theirs = httparse::Request::new(&mut theirs_h);
    let b = theirs.parse(buf);
    match (a, b) {
        (Ok(Status::Complete(n)), Ok(httparse::Status::Complete(m))) => {
            assert_eq!(n, m, "head length");
            assert_eq!(ours.method, theirs.method.map(str::as_bytes), "method");
            assert_eq!(ours.target, theirs.path.map(str::as_bytes), "target");
            assert_eq!(ours.version.map(minor), theirs.version, "version");
            same_headers(ours.headers, theirs.headers);
        }
        (Err(e), Ok(httparse::Status::Complete(_))) => {
            let class = stricter(buf, e, false);
            assert!(class.is_some(), "only httparse accepts this request head; h1parse: {e:?}");
        }
        (Ok(Status::Complete(_)), Err(e)) => {
            let class = laxer(buf, e, false);
            assert!(class.is_some(), "only h1parse accepts this request head; httparse: {e:?}");
        }
        _ => {}
    }
}

fn response(buf: &[u8]) {
    let mut ours_h = [Header::EMPTY; STORAGE];
    let mut ours = Response::new(&mut ours_h);
    let a = ours.parse(buf);
    let mut theirs_h = [httparse::EMPTY_HEADER; STORAGE];
    let mut theirs = httparse::Response::new(&mut theirs_h);
    let b = theirs.parse(buf);
    match (a, b) {
        (Ok(Status::Complete(n)), Ok(httparse::Status::Complete(m))) => {
            assert_eq!(n, m, "head length");
            assert_eq!(ours.version.map(minor), theirs.version, "version");
            assert_eq!(ours.code, theirs.code, "status code");
            let reason = ours.reason.unwrap_or_default();
            // Whitespace before the reason is not part of it for h1parse.
            let their_reason = theirs.reason.unwrap_or_default().trim_start_matches([' ', '\t']).as_bytes();
            // httparse hands out a reason with obs-text as "" (it returns &str).
            let obs_text = reason.iter().any(|&b| b >= 0x80);
            assert!(reason == their_reason || (obs_text && their_reason.is_empty()), "reason");
            same_headers(ours.headers, theirs.headers);
        }
        (Err(e), Ok(httparse::Status::Complete(_))) => {
            let class = stricter(buf, e, true);
            assert!(class.is_some(), "only httparse accepts this response head; h1parse: {e:?}");
        }
        (Ok(Status::Complete(_)), Err(e)) => {
            let class = laxer(buf, e, true);
            assert!(class.is_some(), "only h1parse accepts this response head; httparse: {e:?}");
        }
        _ => {}
    }
}

fn minor(v: Version) -> u8 {
    match v {
        Version::Http10 => 0,
        Version::Http11 => 1,
    }
}

fn same_headers(ours: &[Header<'_>], theirs: &[httparse::Header<'_>]) {
    assert_eq!(ours.len(), theirs.len(), "header count");
    for (a, b) in ours.iter().zip(theirs) {
        assert_eq!(a.name, b.name.as_bytes(), "header name");
        assert_eq!(a.value, b.value, "value of {}", b.name);
    }
}

fn byte(buf: &[u8], i: u64) -> Option<u8> {
    usize::try_from(i).ok().and_then(|i| buf.get(i)).copied()
}

/// The documented classes of heads httparse accepts and h1parse rejects on
/// purpose. Each is checked against the byte the error points at.
fn stricter(buf: &[u8], e: Error, response: bool) -> Option<&'static str> {
    use ErrorKind::*;
    let at = e.offset();
    let b = byte(buf, at);
    let prev = at.checked_sub(1).and_then(|p| byte(buf, p));
    let class = match e.kind() {
        // RFC 9112 2.2 lets a recipient accept a bare LF; DESIGN.md does not.
        BareLf if b == Some(b'\n') && prev != Some(b'\r') => "bare LF as a line end",
        // A status code must be 100..=599 (RFC 9110 15); httparse takes any 3 digits.
        StatusCodeOutOfRange if response && status_out_of_range(buf, at) => "status code outside 100..=599",
        // obs-text in the request-target: httparse allows it, RFC 9112 3.2 does not.
        BadTarget if !response && b.is_some_and(|b| b >= 0x80) => "non-ASCII request-target",
        // Empty lines before a status line: RFC 9112 2.2 only skips them before a request line.
        EmptyLineBeforeStatusLine if response && at == 0 && matches!(b, Some(b'\r' | b'\n')) => {
            "empty line before a status line"
        }
        // Limits: httparse has none.
        StartLineTooLong | FieldLineTooLong
            if at
                >= u64::from(h1parse::Limits::DEFAULT.field_line.min(h1parse::Limits::DEFAULT.start_line)) =>
        {
            "line longer than its limit"
        }
        HeadTooLarge if at >= u64::from(h1parse::Limits::DEFAULT.head) => "head larger than its limit",
        _ => return None,
    };
    Some(class)
}

/// The first three bytes at `at` are digits outside 100..=599.
fn status_out_of_range(buf: &[u8], at: u64) -> bool {
    let Some(d) = usize::try_from(at).ok().and_then(|i| buf.get(i..i + 3)) else { return false };
    let code = d.iter().fold(0u16, |n, &c| n * 10 + u16::from(c.wrapping_sub(b'0')));
    d.iter().all(u8::is_ascii_digit) && !(100..=599).contains(&code)
}

/// The documented classes of heads h1parse accepts and httparse rejects.
fn laxer(buf: &[u8], e: httparse::Error, response: bool) -> Option<&'static str> {
    let class = match e {
        // RFC 9110 2.5: a higher HTTP/1.x minor is read as the highest known.
        httparse::Error::Version if minor_above_one(buf, response) => "HTTP/1.x with x > 1",
        _ => return None,
    };
    Some(class)
}

/// The start line's version is `HTTP/1.d` with d in 2..=9.
fn minor_above_one(buf: &[u8], response: bool) -> bool {
    let start = if response { 0 } else { buf.iter().position(|&b| b != b'\r' && b != b'\n').unwrap_or(0) };
    let line = &buf[start..];
    let line = &line[..line.iter().position(|&b| b == b'\r' || b == b'\n').unwrap_or(line.len())];
    let version = if response { line.get(..8) } else { line.len().checked_sub(8).and_then(|i| line.get(i..)) };
    matches!(version, Some([b'H', b'T', b'T', b'P', b'/', b'1', b'.', d]) if (b'2'..=b'9').contains(d))
}
