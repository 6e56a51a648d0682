//! Unit tests of the message parser that look at its internals.

use super::*;
use crate::error::ErrorKind;

/// httparse's 720-byte benchmark request with a chunked body and trailers.
fn stream() -> std::vec::Vec<u8> {
    let head = "GET /wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg HTTP/1.1\r\n\
        Host: www.kittyhell.com\r\n\
        User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; ja-JP-mac; rv:1.9.2.3) Gecko/20100401 Firefox/3.6.3 Pathtraq/0.9\r\n\
        Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n\
        Accept-Language: ja,en-us;q=0.7,en;q=0.3\r\n\
        Accept-Encoding: gzip,deflate\r\n\
        Accept-Charset: Shift_JIS,utf-8;q=0.7,*;q=0.7\r\n\
        Keep-Alive: 115\r\n\
        Connection: keep-alive\r\n\
        Transfer-Encoding: chunked\r\n\
        Cookie: wp_ozh_wsa_visits=2; wp_ozh_wsa_visit_lasttime=xxxxxxxxxx; __utma=xxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.x; __utmz=xxxxxxxxx.xxxxxxxxxx.x.x.utmccn=(referral)|utmcsr=reader.livedoor.com|utmcct=/reader/|utmcmd=referral|padding=under256\r\n\r\n";
    let body = "5;ext=\"a b\"\r\nhello\r\n6\r\n world\r\n0\r\nChecksum: abc\r\n\r\n";
    [head.as_bytes(), body.as_bytes()].concat()
}

#[test]
fn a_parser_of_any_capacity_has_the_whole_api() {
    let mut p = RequestParser::<2>::with_capacity(Config::new());
    let e = p.parse(b"GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n").unwrap_err();
    assert_eq!((e.kind(), e.offset()), (ErrorKind::TooManyHeaders, 31));
    assert_eq!(p.finish(), Err(e));
    assert_eq!(p.offset(), 0);
    let mut r = ResponseParser::<4>::with_capacity(Config::new());
    r.set_request_method(b"HEAD");
    assert!(r.is_between_messages() && !r.is_upgraded());
    assert_eq!(r.leniencies_used(), Leniency::NONE);
}

#[test]
fn between_messages_only_before_a_message_starts() {
    let mut p = RequestParser::new();
    assert!(p.is_between_messages());
    assert!(p.parse(b"\r\n").unwrap().event.is_none());
    assert!(p.is_between_messages(), "empty lines are not a message");
    assert!(p.parse(b"\r\nG").unwrap().event.is_none());
    assert!(!p.is_between_messages());
    let msg = b"\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";
    let head = p.parse(msg).unwrap().consumed;
    assert_eq!(head, msg.len());
    assert!(!p.is_between_messages(), "the End event is still to come");
    assert!(matches!(p.parse(b"").unwrap().event, Some(Event::End(Disposition::KeepAlive))));
    assert!(p.is_between_messages());
}

/// Feeds `stream` one byte at a time, the way a slow peer sends it, and
/// returns (calls made, bytes the head and trailer machines moved past,
/// head + trailer section lengths, body bytes seen).
fn one_byte_at_a_time(stream: &[u8]) -> (usize, usize, usize, usize) {
    let mut p = RequestParser::new();
    let mut buf = std::vec::Vec::new();
    let (mut calls, mut validated, mut sections, mut body) = (0, 0, 0, 0);
    for &b in stream {
        buf.push(b);
        loop {
            calls += 1;
            let before = p.core.machine.validated;
            let progress = p.parse(&buf).unwrap();
            let n = progress.consumed;
            let event = progress.event.map(|e| match e {
                Event::Head(_) => 'h',
                Event::Data(d) => {
                    body += d.len();
                    'd'
                }
                Event::Trailers(_) => 't',
                Event::End(_) => 'e',
            });
            // A machine that completed is replaced at the next message;
            // count what it validated before that.
            validated += p.core.machine.validated.saturating_sub(before);
            if matches!(event, Some('h') | Some('t')) || (event == Some('e') && p.core.nspans == 0) {
                sections += n;
            }
            buf.drain(..n);
            if event.is_none() {
                break;
            }
        }
    }
    (calls, validated, sections, body)
}

/// Truly incremental: fed one byte at a time, the head and trailer
/// machines move past every byte exactly once (they resume where they
/// stopped and never go back), and body/chunk-line bytes are consumed as
/// validated, so they are never handed to the parser twice. Total work is
/// therefore linear in the stream length for any split.
#[test]
fn one_byte_at_a_time_never_revalidates() {
    let s = stream();
    let (calls, validated, sections, body) = one_byte_at_a_time(&s);
    assert_eq!(body, 11);
    assert!(sections > 720, "head and trailer section lengths: {sections}");
    assert_eq!(validated, sections, "each head/trailer byte validated exactly once");
    // One call per byte plus one per event (each body byte is one here).
    assert!(calls <= s.len() + body + 4, "{calls} calls for {} bytes", s.len());
}

#[test]
fn a_heads_fields_stay_readable_until_the_next_section_starts() {
    let stream = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: v\r\n\r\n";
    let mut p = RequestParser::new();
    let progress = p.parse(stream).unwrap();
    let Some(Event::Head(head)) = progress.event else { panic!("head") };
    let mut input = &stream[progress.consumed..];
    // Through the body: the fields are still the head's.
    let progress = p.parse(input).unwrap();
    assert!(matches!(progress.event, Some(Event::Data(b"abc"))));
    assert_eq!(p.fields(&head).get("host"), Some(&b"a"[..]));
    input = &input[progress.consumed..];
    // The last chunk starts the trailer section, which takes their place.
    let progress = p.parse(input).unwrap();
    let Some(Event::Trailers(trailers)) = progress.event else { panic!("trailers") };
    assert_eq!(p.trailers(&trailers).get("t"), Some(&b"v"[..]));
    assert!(std::panic::catch_unwind(|| p.fields(&head).len()).is_err(), "the head's fields are gone");
    assert!(matches!(p.parse(&input[progress.consumed..]).unwrap().event, Some(Event::End(_))));
    // After End, until the next head starts.
    assert_eq!(p.trailers(&trailers).len(), 1);
    assert!(p.parse(b"GET / HTTP/1.1\r\nHost: a\r\n").unwrap().event.is_none());
    assert!(std::panic::catch_unwind(|| p.trailers(&trailers).len()).is_err(), "the trailers are gone");
}

#[test]
fn a_bodiless_heads_fields_outlive_its_end() {
    let mut p = RequestParser::new();
    let Some(Event::Head(head)) = p.parse(b"GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n\r\n").unwrap().event else {
        panic!("head")
    };
    assert!(matches!(p.parse(b"").unwrap().event, Some(Event::End(Disposition::KeepAlive))));
    assert_eq!(p.fields(&head).iter().map(|h| h.value).collect::<std::vec::Vec<_>>(), [&b"a"[..], b"1"]);
    // A head from another parser names no section of this one.
    let other = RequestParser::new();
    assert!(std::panic::catch_unwind(|| other.fields(&head).len()).is_err());
}
