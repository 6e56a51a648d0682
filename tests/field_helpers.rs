//! What servers and proxies would otherwise write by hand: lookups, list
//! fields, expectations, interim responses, the method, field offsets, and
//! readable `Debug` output.

use h1parse::{Event, Method, RequestHead, RequestParser, ResponseHead, ResponseParser};

/// Parses one request head and hands it, with its parser, to `check`.
fn with_request(head: &[u8], check: impl FnOnce(&RequestParser, RequestHead<'_>)) {
    let mut p = RequestParser::new();
    let Some(Event::Head(h)) = p.parse(head).expect("a valid head").event else { panic!("a complete head") };
    check(&p, h);
}

fn with_response(head: &[u8], check: impl FnOnce(&ResponseParser, ResponseHead<'_>)) {
    let mut p = ResponseParser::new();
    let Some(Event::Head(h)) = p.parse(head).expect("a valid head").event else { panic!("a complete head") };
    check(&p, h);
}

#[test]
fn lookups_by_str_or_bytes_ignore_case_and_see_every_line() {
    with_request(b"GET / HTTP/1.1\r\nHost: a\r\nAccept: x\r\nACCEPT: y\r\n\r\n", |p, h| {
        let fields = p.fields(&h);
        assert_eq!(fields.get("accept"), Some(&b"x"[..]));
        assert_eq!(fields.get(b"Accept"), Some(&b"x"[..]));
        assert_eq!(fields.get_all("accept").collect::<Vec<_>>(), [&b"x"[..], b"y"]);
        assert!(fields.contains(b"HOST") && !fields.contains("cookie"));
        assert_eq!(fields.get_all("cookie").count(), 0);
        // Fields and &Fields iterate, in order, forwards and backwards.
        let names: Vec<&[u8]> = fields.into_iter().map(|f| f.name).collect();
        assert_eq!(names, [&b"Host"[..], b"Accept", b"ACCEPT"]);
        let mut n = 0;
        for f in &fields {
            assert!(f.is(f.name_str()));
            n += 1;
        }
        assert_eq!((n, fields.len()), (3, 3));
        assert_eq!(fields.iter().next_back().map(|f| f.value), Some(&b"y"[..]));
    });
}

#[test]
fn connection_options_are_the_tokens_of_every_connection_line() {
    // RFC 9110 7.6.1: a proxy removes the fields these options name.
    with_request(
        b"GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Trace\r\nConnection: ,Upgrade,\r\n\r\n",
        |p, h| {
            let options: Vec<&[u8]> = p.fields(&h).connection_options().collect();
            assert_eq!(options, [&b"keep-alive"[..], b"X-Trace", b"Upgrade"]);
        },
    );
}

#[test]
fn transfer_codings_are_named_so_a_server_can_answer_501() {
    // RFC 9112 6.1: a server answers 501 to a coding it does not implement;
    // parameters (even quoted, with commas) are not codings.
    let head =
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip;q=\"1,2\"\r\nTransfer-Encoding: br , chunked\r\n\r\n";
    with_request(head, |p, h| {
        let codings: Vec<&[u8]> = p.fields(&h).transfer_codings().collect();
        assert_eq!(codings, [&b"gzip"[..], b"br", b"chunked"]);
        let unknown = p.fields(&h).transfer_codings().find(|c| !c.eq_ignore_ascii_case(b"chunked"));
        assert_eq!(unknown, Some(&b"gzip"[..]));
    });
}

#[test]
fn expect_100_continue_is_found_in_any_case_and_list() {
    // RFC 9110 10.1.1: the only expectation defined, case-insensitive.
    for (expect, expected) in [
        (&b"100-continue"[..], true),
        (b"100-Continue", true),
        (b"foo, 100-continue", true),
        (b"200-ok", false),
        (b"100-continued", false),
    ] {
        let head = [&b"PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nExpect: "[..], expect, b"\r\n\r\n"].concat();
        with_request(&head, |p, h| {
            assert_eq!(p.fields(&h).expects_continue(), expected, "{:?}", expect.escape_ascii())
        });
    }
    with_request(b"PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\n", |p, h| {
        assert!(!p.fields(&h).expects_continue())
    });
}

#[test]
fn interim_responses_are_1xx_but_101() {
    // RFC 9110 15.2: a final response follows an interim one; 101 is final.
    for (code, interim) in [(100, true), (103, true), (199, true), (101, false), (200, false), (404, false)] {
        let head = format!("HTTP/1.1 {code} X\r\n\r\n");
        with_response(head.as_bytes(), |_, h| assert_eq!(h.is_interim(), interim, "{code}"));
    }
}

#[test]
fn the_method_as_an_enum() {
    with_request(b"DELETE /x HTTP/1.1\r\nHost: a\r\n\r\n", |_, h| assert_eq!(h.method_view(), Method::Delete));
    with_request(b"PROPFIND /x HTTP/1.1\r\nHost: a\r\n\r\n", |_, h| {
        assert_eq!(h.method_view(), Method::Other(b"PROPFIND"))
    });
}

#[test]
fn field_spans_cut_an_owned_copy_of_the_head() {
    // hyper keeps positions, not slices, so it can cut its own buffer.
    let head = b"GET / HTTP/1.1\r\nHost: example.com\r\nX-Long:  spaced value \t\r\n\r\n";
    with_request(head, |p, h| {
        let owned = head.to_vec();
        let fields = p.fields(&h);
        assert_eq!(fields.spans().len(), fields.len());
        for (span, field) in fields.spans().iter().zip(fields) {
            assert_eq!(&owned[span.name()], field.name);
            assert_eq!(&owned[span.value()], field.value);
        }
        assert_eq!(&owned[fields.spans()[1].value()], b"spaced value");
    });
}

#[test]
fn debug_output_is_readable_text() {
    with_request(b"GET /caf%C3%A9 HTTP/1.1\r\nHost: a\r\nX: q\"\xffz\r\n\r\n", |p, h| {
        let fields = p.fields(&h);
        assert_eq!(format!("{:?}", fields.iter().nth(1).unwrap()), r#"Header { name: "X", value: "q\"\xffz" }"#);
        assert_eq!(
            format!("{fields:?}"),
            r#"[Header { name: "Host", value: "a" }, Header { name: "X", value: "q\"\xffz" }]"#
        );
        assert_eq!(
            format!("{h:?}"),
            r#"RequestHead { method: "GET", target: "/caf%C3%A9", version: "HTTP/1.1", framing: None, connection: KeepAlive, .. }"#
        );
    });
    with_response(b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", |_, h| {
        assert_eq!(
            format!("{h:?}"),
            r#"ResponseHead { version: "HTTP/1.0", code: 200, reason: "OK", framing: Length(0), connection: Close, .. }"#
        );
    });
}
