//! The leniency switches: each relaxes exactly one rule and says so through
//! `leniencies_used()`, and no combination of them reopens request smuggling.
//!
//! One test per switch: strict rules reject its input with the right
//! [`ErrorKind`]; the switch alone accepts it and is reported, alone; every
//! other switch alone (and all the others together) still rejects it at the
//! same byte. Then every combination of the switches is run on the smuggling
//! inputs, each named after its attack, and each must stay the same error.
//! Every parse here also goes through the fuzz targets' invariant checks
//! (`fuzz/src/checks.rs`: framing follows the fields, chunked bodies match a
//! reference reader, the reported leniencies are switched on).

#[path = "../fuzz/src/checks.rs"]
mod checks;

use checks::{Ev, Outcome, Role, Trace, bits, leniency_from_bits};
use h1parse::{Config, Disposition, ErrorKind, Framing, Leniency, Version};

const BARE_LF: Leniency = Leniency::BARE_LF_IN_HEAD;
const OBS_FOLD: Leniency = Leniency::OBS_FOLD_IN_RESPONSES;
const WS_BEFORE_COLON: Leniency = Leniency::WHITESPACE_BEFORE_COLON_IN_RESPONSES;
const MULTIPLE_SPACES: Leniency = Leniency::MULTIPLE_SPACES_IN_START_LINE;
const MISSING_HOST: Leniency = Leniency::MISSING_HOST;
const ANY_VERSION: Leniency = Leniency::ANY_VERSION;
const NON_ASCII_TARGET: Leniency = Leniency::NON_ASCII_TARGET;
const TE_WITH_CL: Leniency = Leniency::TRANSFER_ENCODING_WITH_CONTENT_LENGTH_IN_RESPONSES;
const EMPTY_LINES: Leniency = Leniency::EMPTY_LINES_BEFORE_STATUS_LINE;
const ANY_STATUS_CODE: Leniency = Leniency::ANY_STATUS_CODE;
const CONTROL_CHARS: Leniency = Leniency::CONTROL_CHARS_IN_FIELD_VALUES;
const EMPTY_TE_ELEMENTS: Leniency = Leniency::EMPTY_ELEMENTS_IN_TRANSFER_ENCODING;

/// Every combination of the switches, as `Leniency` values.
fn every_combination() -> impl Iterator<Item = Leniency> {
    (0..=Leniency::ALL.bits()).map(|b| Leniency::from_bits(b).expect("declared bits"))
}

fn get() -> Role {
    Role::Response(b"GET".to_vec())
}

/// Parses `input` whole with the switches in `on`, checking the invariants.
fn run(role: &Role, on: Leniency, input: &[u8]) -> Trace {
    let cfg = Config { leniency: on, ..Config::new() };
    let t = checks::trace(role, cfg, [input]);
    checks::check_trace(&t, input, role, &cfg);
    // Split invariance holds under every configuration too.
    assert_eq!(checks::trace(role, cfg, input.chunks(1)).log(), t.log(), "one byte at a time, switches {on:?}");
    t
}

fn error_of(t: &Trace) -> Option<(ErrorKind, u64)> {
    match t.outcome {
        Outcome::Error(e) => Some((e.kind(), e.offset())),
        _ => None,
    }
}

/// The heads of a trace, with the leniencies reported right after each.
fn heads(t: &Trace) -> Vec<(&checks::Head, Leniency)> {
    t.steps
        .iter()
        .filter_map(|s| match &s.ev {
            Ev::Head(h) => Some((h, s.used)),
            _ => None,
        })
        .collect()
}

/// `switch` alone accepts `input` and reports itself alone; strict rules and
/// every other switch (alone, and all together) reject it with `strict` at
/// the same byte. Returns the lenient trace for further checks.
fn exactly(switch: Leniency, role: &Role, input: &[u8], strict: ErrorKind) -> Trace {
    let strict_t = run(role, Leniency::NONE, input);
    let (kind, at) = error_of(&strict_t).unwrap_or_else(|| panic!("strict rules accepted {:?}", input.escape_ascii()));
    assert_eq!(kind, strict, "strict error for {:?}", input.escape_ascii());
    let others = Leniency::ALL.difference(switch);
    for other in others.iter().chain([others]) {
        let t = run(role, other, input);
        assert_eq!(error_of(&t), Some((kind, at)), "switches {other:?} relaxed {:?}", input.escape_ascii());
    }
    let t = run(role, switch, input);
    assert!(error_of(&t).is_none(), "switch {switch:?} alone rejects {:?}: {:?}", input.escape_ascii(), t.outcome);
    let reported: Vec<Leniency> = t.steps.iter().map(|s| s.used).filter(|u| u.any()).collect();
    assert!(!reported.is_empty(), "switch {switch:?} used but not reported");
    assert!(reported.iter().all(|&u| u == switch), "reported {reported:?}, expected only {switch:?}");
    t
}

/// A stream strict rules accept reports no leniency under any switch.
fn reports_nothing_when_strict_would_do(role: &Role, input: &[u8]) {
    let strict = run(role, Leniency::NONE, input);
    assert!(error_of(&strict).is_none());
    for on in every_combination() {
        let t = run(role, on, input);
        assert_eq!(t, strict, "switches {on:?} changed a valid stream");
    }
}

#[test]
fn valid_streams_need_no_leniency() {
    reports_nothing_when_strict_would_do(&Role::Request, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    reports_nothing_when_strict_would_do(
        &get(),
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\nT: v\r\n\r\n",
    );
}

#[test]
fn bare_lf_in_head() {
    let t = exactly(BARE_LF, &Role::Request, b"GET / HTTP/1.1\nHost: a\n\n", ErrorKind::BareLf);
    assert_eq!(heads(&t)[0].0.fields, [(b"Host".to_vec(), b"a".to_vec())]);
    // Also in a status line and in a trailer section.
    exactly(BARE_LF, &get(), b"HTTP/1.1 204 No Content\n\n", ErrorKind::BareLf);
    let trailers = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: v\n\n";
    let t = exactly(BARE_LF, &Role::Request, trailers, ErrorKind::BareLf);
    assert!(t.steps.iter().any(|s| s.ev == Ev::Trailers(vec![(b"T".to_vec(), b"v".to_vec())])));
    // Never in a chunk-size line (see the smuggling table below).
}

#[test]
fn obs_fold_in_responses() {
    let input = b"HTTP/1.1 200 OK\r\nX: a\r\n\tb\r\nContent-Length: 0\r\n\r\n";
    let t = exactly(OBS_FOLD, &get(), input, ErrorKind::ObsFold);
    // A fold inside the value is kept as received.
    assert_eq!(heads(&t)[0].0.fields[0], (b"X".to_vec(), b"a\r\n\tb".to_vec()));
    // Requests stay strict whatever is on.
    let req = b"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n";
    assert_eq!(error_of(&run(&Role::Request, Leniency::ALL, req)).map(|e| e.0), Some(ErrorKind::ObsFold));

    // Folds at the edges of a value are trimmed like any whitespace (RFC 9110 5.5).
    let edges = b"HTTP/1.1 200 OK\r\nLine-Folded-Header: \r\n   \r\n hello there\r\n \r\nContent-Length: 0\r\n\r\n";
    let t = exactly(OBS_FOLD, &get(), edges, ErrorKind::ObsFold);
    assert_eq!(heads(&t)[0].0.fields[0], (b"Line-Folded-Header".to_vec(), b"hello there".to_vec()));
}

#[test]
fn a_folded_connection_close_closes_as_it_does_unfolded() {
    // RFC 9112 9.6: a peer that unfolds closes; so must we.
    let input = b"HTTP/1.1 200 OK\r\nConnection:\r\n close\r\nContent-Length: 0\r\n\r\n";
    let t = exactly(OBS_FOLD, &get(), input, ErrorKind::ObsFold);
    assert_eq!(heads(&t)[0].0.fields[0], (b"Connection".to_vec(), b"close".to_vec()));
    assert_eq!(t.steps.last().map(|s| &s.ev), Some(&Ev::End(Disposition::Close)));
    let list = b"HTTP/1.1 200 OK\r\nConnection: keep-alive,\r\n close\r\nContent-Length: 0\r\n\r\n";
    let t = exactly(OBS_FOLD, &get(), list, ErrorKind::ObsFold);
    assert_eq!(t.steps.last().map(|s| &s.ev), Some(&Ev::End(Disposition::Close)));
    // Framing fields too: the unfolded list ends with chunked.
    let te = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n , chunked\r\n\r\n0\r\n\r\n";
    let t = exactly(OBS_FOLD, &get(), te, ErrorKind::ObsFold);
    assert_eq!(heads(&t)[0].0.framing, Framing::Chunked);
}

#[test]
fn whitespace_before_colon_in_responses() {
    let input = b"HTTP/1.1 200 OK\r\nX \t: a\r\nContent-Length: 0\r\n\r\n";
    let t = exactly(WS_BEFORE_COLON, &get(), input, ErrorKind::WhitespaceBeforeColon);
    assert_eq!(heads(&t)[0].0.fields[0], (b"X".to_vec(), b"a".to_vec()));
    let req = b"GET / HTTP/1.1\r\nHost : a\r\n\r\n";
    assert_eq!(error_of(&run(&Role::Request, Leniency::ALL, req)).map(|e| e.0), Some(ErrorKind::WhitespaceBeforeColon));
}

#[test]
fn multiple_spaces_in_start_line() {
    let t = exactly(MULTIPLE_SPACES, &Role::Request, b"GET  /a   HTTP/1.1\r\nHost: a\r\n\r\n", ErrorKind::BadStartLine);
    let head = heads(&t)[0].0;
    assert_eq!(
        (&head.start[0][..], &head.start[1][..], &head.start[2][..]),
        (&b"GET"[..], &b"/a"[..], &b"HTTP/1.1"[..])
    );
    let t = exactly(MULTIPLE_SPACES, &get(), b"HTTP/1.1  200 OK\r\nContent-Length: 0\r\n\r\n", ErrorKind::BadStartLine);
    assert_eq!(heads(&t)[0].0.code, 200);
    // None of the extra spaces ends up in the reason.
    let t =
        exactly(MULTIPLE_SPACES, &get(), b"HTTP/1.1   200  OK\r\nContent-Length: 0\r\n\r\n", ErrorKind::BadStartLine);
    assert_eq!((heads(&t)[0].0.code, &heads(&t)[0].0.start[2][..]), (200, &b"OK"[..]));
}

#[test]
fn empty_lines_before_status_line() {
    let input = b"\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    let t = exactly(EMPTY_LINES, &get(), input, ErrorKind::EmptyLineBeforeStatusLine);
    assert_eq!(heads(&t)[0].0.code, 200);
    // Between responses too.
    let between = b"HTTP/1.1 204 No Content\r\n\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    let t = exactly(EMPTY_LINES, &get(), between, ErrorKind::EmptyLineBeforeStatusLine);
    assert_eq!(heads(&t).len(), 2);
}

#[test]
fn any_status_code() {
    let input = b"HTTP/1.1 999 Denied\r\nContent-Length: 2\r\n\r\nno";
    let t = exactly(ANY_STATUS_CODE, &get(), input, ErrorKind::StatusCodeOutOfRange);
    assert_eq!((heads(&t)[0].0.code, heads(&t)[0].0.framing), (999, Framing::Length(2)));
    // Below 100 is a final response, not an interim one.
    let t = exactly(ANY_STATUS_CODE, &get(), b"HTTP/1.1 000 X\r\n\r\nbody", ErrorKind::StatusCodeOutOfRange);
    assert_eq!(heads(&t)[0].0.framing, Framing::CloseDelimited);
}

#[test]
fn control_chars_in_field_values() {
    let input = b"GET / HTTP/1.1\r\nHost: a\r\nX: a\x01b\x7f\r\n\r\n";
    let t = exactly(CONTROL_CHARS, &Role::Request, input, ErrorKind::BadFieldValue);
    assert_eq!(heads(&t)[0].0.fields[1], (b"X".to_vec(), b"a\x01b\x7f".to_vec()));
    let trailer = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: \x1b\r\n\r\n";
    exactly(CONTROL_CHARS, &Role::Request, trailer, ErrorKind::BadFieldValue);
    // NUL and the fields that decide framing, routing and persistence stay strict.
    for strict in [
        &b"GET / HTTP/1.1\r\nHost: a\r\nX: a\x00b\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\x0b\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: \x0cx\r\nConnection: upgrade\r\n\r\n",
    ] {
        let got = error_of(&run(&Role::Request, Leniency::ALL, strict)).map(|e| e.0);
        assert_eq!(got, Some(ErrorKind::BadFieldValue), "{:?}", strict.escape_ascii());
    }
}

#[test]
fn missing_host() {
    exactly(MISSING_HOST, &Role::Request, b"GET / HTTP/1.1\r\n\r\n", ErrorKind::MissingHost);
    exactly(MISSING_HOST, &Role::Request, b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", ErrorKind::DuplicateHost);
    // HTTP/1.0 may omit Host without any switch.
    assert!(error_of(&run(&Role::Request, Leniency::NONE, b"GET / HTTP/1.0\r\n\r\n")).is_none());
}

#[test]
fn any_version() {
    let t = exactly(ANY_VERSION, &Role::Request, b"GET / HTTP/2.0\r\nHost: a\r\n\r\n", ErrorKind::UnsupportedVersion);
    let head = heads(&t)[0].0;
    assert_eq!((&head.start[2][..], head.version), (&b"HTTP/2.0"[..], Version::Http11));
    exactly(ANY_VERSION, &get(), b"HTTP/0.9 200 OK\r\nContent-Length: 0\r\n\r\n", ErrorKind::UnsupportedVersion);
    // A malformed version is not a custom one.
    assert_eq!(
        error_of(&run(&Role::Request, Leniency::ALL, b"GET / HTTP/10.0\r\n\r\n")).map(|e| e.0),
        Some(ErrorKind::BadVersion)
    );
}

#[test]
fn non_ascii_target() {
    let t = exactly(
        NON_ASCII_TARGET,
        &Role::Request,
        b"GET /caf\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n",
        ErrorKind::BadTarget,
    );
    assert_eq!(heads(&t)[0].0.start[1], b"/caf\xc3\xa9");
    // Controls stay errors.
    assert_eq!(
        error_of(&run(&Role::Request, Leniency::ALL, b"GET /\x7f HTTP/1.1\r\n")).map(|e| e.0),
        Some(ErrorKind::BadTarget)
    );
}

#[test]
fn transfer_encoding_with_content_length_in_responses() {
    let input = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n";
    let t = exactly(TE_WITH_CL, &get(), input, ErrorKind::TransferEncodingWithContentLength);
    // Transfer-Encoding wins and the connection closes after the message.
    assert_eq!(heads(&t)[0].0.framing, Framing::Chunked);
    assert_eq!(t.steps.last().map(|s| &s.ev), Some(&Ev::End(Disposition::Close)));
}

#[test]
fn empty_elements_in_transfer_encoding() {
    // llhttp reads `chunked,` in a response as not chunked (body until close).
    let input = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked,\r\n\r\n0\r\n\r\n";
    let t = exactly(EMPTY_TE_ELEMENTS, &get(), input, ErrorKind::BadTransferEncoding);
    assert_eq!(heads(&t)[0].0.framing, Framing::Chunked);
    let req = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: , chunked\r\n\r\n0\r\n\r\n";
    let t = exactly(EMPTY_TE_ELEMENTS, &Role::Request, req, ErrorKind::BadTransferEncoding);
    assert_eq!(heads(&t)[0].0.framing, Framing::Chunked);
}

/// Inputs that must stay errors under every switch combination, each named
/// after the attack it stops, with the error it must give.
const REQUEST_ATTACKS: &[(&str, &[u8], ErrorKind)] = &[
    (
        "CL.TE: front end reads Content-Length, back end chunked",
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG",
        ErrorKind::TransferEncodingWithContentLength,
    ),
    (
        "TE.CL: front end reads chunked, back end Content-Length",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n",
        ErrorKind::TransferEncodingWithContentLength,
    ),
    (
        "TE.TE: a second Transfer-Encoding line hides chunked",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n",
        ErrorKind::ChunkedNotFinal,
    ),
    (
        "TE.TE: chunked not final",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n",
        ErrorKind::ChunkedNotFinal,
    ),
    (
        "TE.TE: a coding that only looks like chunked",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n",
        ErrorKind::ChunkedNotFinal,
    ),
    (
        "TE.TE: quoted chunked",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \"chunked\"\r\n\r\n",
        ErrorKind::BadTransferEncoding,
    ),
    (
        "TE.TE: chunked with a parameter",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;q=1\r\n\r\n",
        ErrorKind::BadTransferEncoding,
    ),
    (
        "TE.TE: chunked applied twice",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        ErrorKind::ChunkedTwice,
    ),
    (
        "TE.TE: vertical tab before chunked",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\x0bchunked\r\n\r\n",
        ErrorKind::BadFieldValue,
    ),
    (
        "TE.TE: form feed after chunked",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\x0c\r\n\r\n",
        ErrorKind::BadFieldValue,
    ),
    (
        "CL.CL: a control character a peer may read as a separator in Content-Length",
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\x0b0\r\n\r\n0123456789",
        ErrorKind::BadFieldValue,
    ),
    (
        "TE.TE: whitespace before the colon in a request",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n",
        ErrorKind::WhitespaceBeforeColon,
    ),
    (
        "TE.TE: Transfer-Encoding folded into the previous field of a request",
        b"POST / HTTP/1.1\r\nHost: a\r\nX: y\r\n Transfer-Encoding: chunked\r\n\r\n",
        ErrorKind::ObsFold,
    ),
    (
        "TE.TE: Transfer-Encoding hidden behind leading whitespace",
        b"POST / HTTP/1.1\r\n Transfer-Encoding: chunked\r\nHost: a\r\n\r\n",
        ErrorKind::BadFieldName,
    ),
    (
        "Transfer-Encoding in HTTP/1.0, which a 1.0 peer ignores",
        b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        ErrorKind::TransferEncodingInHttp10,
    ),
    (
        "CONNECT with Content-Length: h11 reads a body, a tunnel reads tunnel data",
        b"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nContent-Length: 5\r\n\r\nhello",
        ErrorKind::ConnectWithBody,
    ),
    (
        "CONNECT with Transfer-Encoding: chunked",
        b"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        ErrorKind::ConnectWithBody,
    ),
    (
        "Content-Length lines equal as numbers, spelled differently (016, 16)",
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 016\r\nContent-Length: 16\r\n\r\n0123456789abcdef",
        ErrorKind::ConflictingContentLength,
    ),
    (
        "Content-Length list equal as numbers, spelled differently (03,3)",
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 03,3\r\n\r\nabc",
        ErrorKind::ConflictingContentLength,
    ),
    (
        "differing Content-Length lines",
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        ErrorKind::ConflictingContentLength,
    ),
    (
        "differing Content-Length values in one list",
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\nhello!",
        ErrorKind::ConflictingContentLength,
    ),
    ("signed Content-Length", b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello", ErrorKind::BadContentLength),
    (
        "Content-Length past u64 (wraps to 0 elsewhere)",
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551616\r\n\r\n",
        ErrorKind::BadContentLength,
    ),
    ("bare LF after a chunk size", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n", ErrorKind::BareLf),
    ("bare CR after a chunk size", b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\rhello\r\n0\r\n\r\n", ErrorKind::BareCr),
    (
        "bare LF ending a chunk extension",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\nhello\r\n0\r\n\r\n",
        ErrorKind::BareLf,
    ),
    (
        "LF inside a quoted chunk extension",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"x\ny\"\r\nhello\r\n0\r\n\r\n",
        ErrorKind::BareLf,
    ),
    (
        "CR inside a quoted chunk extension",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"x\ry\"\r\nhello\r\n0\r\n\r\n",
        ErrorKind::BadChunkExtension,
    ),
    (
        "bare LF ending the last chunk",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\n\r\n",
        ErrorKind::BareLf,
    ),
    (
        "bare LF after chunk data",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n",
        ErrorKind::BadChunkDataEnd,
    ),
    (
        "spill past the chunk size",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloGET /x HTTP/1.1\r\n0\r\n\r\n",
        ErrorKind::BadChunkDataEnd,
    ),
    (
        "chunk size that overflows 64 bits",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000005\r\nhello\r\n",
        ErrorKind::ChunkSizeTooLong,
    ),
    (
        "chunk size with a 0x prefix",
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n",
        ErrorKind::BadChunkSize,
    ),
    (
        "request after one that closed the connection",
        b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /admin HTTP/1.1\r\nHost: a\r\n\r\n",
        ErrorKind::DataAfterClose,
    ),
];

/// The response-side attacks (what a client or proxy must not be led into).
const RESPONSE_ATTACKS: &[(&str, &[u8], ErrorKind)] = &[
    (
        "differing Content-Length lines in a response",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 20\r\n\r\nhi",
        ErrorKind::ConflictingContentLength,
    ),
    (
        "Content-Length lines in a response equal as numbers, spelled differently",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 02\r\n\r\nhi",
        ErrorKind::ConflictingContentLength,
    ),
    (
        "bare LF after a chunk size in a response",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nhi\r\n0\r\n\r\n",
        ErrorKind::BareLf,
    ),
    (
        "bare CR in a chunk extension of a response",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;a\rhi\r\n0\r\n\r\n",
        ErrorKind::BareCr,
    ),
    (
        "spill past the chunk size in a response",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhiHTTP/1.1 200 OK\r\n\r\n",
        ErrorKind::BadChunkDataEnd,
    ),
    (
        "Transfer-Encoding in an HTTP/1.0 response with Content-Length",
        b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        ErrorKind::TransferEncodingInHttp10,
    ),
];

#[test]
fn smuggling_stays_an_error_under_every_switch_combination() {
    let cases = REQUEST_ATTACKS
        .iter()
        .map(|&(name, input, kind)| (name, Role::Request, input, kind))
        .chain(RESPONSE_ATTACKS.iter().map(|&(name, input, kind)| (name, get(), input, kind)));
    let mut failures = Vec::new();
    let mut runs = 0;
    for (attack, role, input, kind) in cases {
        let strict = error_of(&run(&role, Leniency::NONE, input));
        if strict.map(|e| e.0) != Some(kind) {
            failures.push(format!("{attack}: strict gives {strict:?}, expected {kind:?}"));
            continue;
        }
        for on in every_combination() {
            runs += 1;
            let got = error_of(&run(&role, on, input));
            if got != strict {
                failures.push(format!("{attack}: switches {on:?} give {got:?}, strict {strict:?}"));
                break;
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let combinations = Leniency::ALL.bits() as usize + 1;
    assert_eq!(runs, (REQUEST_ATTACKS.len() + RESPONSE_ATTACKS.len()) * combinations);
}

#[test]
fn every_switch_is_named_by_one_bit() {
    for on in every_combination() {
        assert_eq!(leniency_from_bits(bits(on)), on);
    }
    assert_eq!(leniency_from_bits(u32::MAX), Leniency::ALL);
    assert_eq!(leniency_from_bits(0), Leniency::NONE);
    assert!(!Leniency::default().any());
}
