//! One test per request-smuggling defence, named after the attack. Each feeds
//! the attack whole and one byte at a time and checks that the parser stops
//! with the expected error and never reports the smuggled request.

use h1parse::{ErrorKind, Event, RequestParser};

/// Parses `input` arriving in pieces of `piece` bytes; returns the targets of
/// the request heads seen and the error, if any.
fn run(input: &[u8], piece: usize) -> (Vec<Vec<u8>>, Option<(ErrorKind, u64)>) {
    let mut p = RequestParser::new();
    let mut buf = Vec::new();
    let mut heads = Vec::new();
    for chunk in input.chunks(piece.max(1)) {
        buf.extend_from_slice(chunk);
        loop {
            match p.parse(&buf) {
                Err(e) => return (heads, Some((e.kind(), e.offset()))),
                Ok(progress) => {
                    let n = progress.consumed;
                    let done = progress.event.is_none();
                    if let Some(Event::Head(h)) = progress.event {
                        heads.push(h.target.to_vec());
                    }
                    buf.drain(..n);
                    if done {
                        break;
                    }
                }
            }
        }
    }
    (heads, None)
}

/// The attack is refused with `kind`, whole and byte by byte, and no request
/// for `/smuggled` is ever reported.
fn refused(input: &[u8], kind: ErrorKind) {
    let whole = run(input, input.len());
    let bytewise = run(input, 1);
    assert_eq!(whole, bytewise, "split changed the outcome");
    let (heads, err) = whole;
    assert_eq!(err.map(|e| e.0), Some(kind), "heads seen: {heads:?}");
    assert!(!heads.iter().any(|t| t == b"/smuggled"), "smuggled request was parsed");
}

#[test]
fn cl_te_content_length_then_transfer_encoding() {
    refused(
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n",
        ErrorKind::TransferEncodingWithContentLength,
    );
}

#[test]
fn te_cl_transfer_encoding_then_content_length() {
    refused(
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n5c\r\nGET /smuggled HTTP/1.1\r\n\r\n0\r\n\r\n",
        ErrorKind::TransferEncodingWithContentLength,
    );
}

#[test]
fn te_te_whitespace_before_colon() {
    refused(
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n",
        ErrorKind::WhitespaceBeforeColon,
    );
}

#[test]
fn te_te_obfuscated_value_with_control_byte() {
    refused(
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \x0bchunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n",
        ErrorKind::BadFieldValue,
    );
}

#[test]
fn te_te_chunked_not_final() {
    refused(
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, x\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n",
        ErrorKind::ChunkedNotFinal,
    );
}

#[test]
fn te_te_quoted_chunked() {
    refused(
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \"chunked\"\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n",
        ErrorKind::BadTransferEncoding,
    );
}

#[test]
fn te_te_obs_fold() {
    refused(
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: x\r\n  chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n",
        ErrorKind::ObsFold,
    );
}

#[test]
fn te_te_chunked_twice() {
    // A parser that decodes chunked once would take the request after the
    // last chunk for the next one.
    refused(
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n\
          GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n",
        ErrorKind::ChunkedTwice,
    );
}

#[test]
fn te_in_http_1_0() {
    refused(
        b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n",
        ErrorKind::TransferEncodingInHttp10,
    );
}

#[test]
fn cl_cl_different_lengths_on_two_lines() {
    refused(
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 33\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n",
        ErrorKind::ConflictingContentLength,
    );
}

#[test]
fn cl_cl_different_lengths_in_one_list() {
    refused(
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0, 33\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n",
        ErrorKind::ConflictingContentLength,
    );
}

#[test]
fn cl_with_sign_or_junk() {
    for cl in [&b"+0"[..], b"0x0", b"0 0", b"0."] {
        let input =
            [&b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: "[..], cl, b"\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n"]
                .concat();
        refused(&input, ErrorKind::BadContentLength);
    }
}

#[test]
fn bare_lf_in_chunk_size_line() {
    refused(
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\n\r\nGET /smuggled HTTP/1.1\r\n\r\n",
        ErrorKind::BareLf,
    );
}

#[test]
fn bare_cr_in_chunk_size_line() {
    refused(
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\rX\r\nGET /smuggled HTTP/1.1\r\n\r\n",
        ErrorKind::BareCr,
    );
}

#[test]
fn bare_lf_in_chunk_extension() {
    refused(
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0;a\n\r\nGET /smuggled HTTP/1.1\r\n\r\n",
        ErrorKind::BareLf,
    );
}

#[test]
fn bare_cr_in_quoted_chunk_extension() {
    refused(
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0;a=\"\r\"\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n",
        ErrorKind::BadChunkExtension,
    );
}

#[test]
fn spill_past_chunk_size() {
    refused(
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxxGET /smuggled HTTP/1.1\r\n\r\n",
        ErrorKind::BadChunkDataEnd,
    );
}

#[test]
fn chunk_size_overflow_wrapping_to_small() {
    let limits = h1parse::Limits { chunk_size_digits: 64, ..h1parse::Limits::new() };
    let cfg = h1parse::Config { limits, ..h1parse::Config::new() };
    let input = b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n";
    let mut p = RequestParser::with_config(cfg);
    let head = p.parse(input).unwrap();
    let rest = &input[head.consumed..];
    let e = p.parse(rest).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ChunkSizeOverflow);
    // With the default digit limit the same attack stops one digit earlier.
    refused(input, ErrorKind::ChunkSizeTooLong);
}

#[test]
fn empty_chunk_size() {
    refused(
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n",
        ErrorKind::BadChunkSize,
    );
}

#[test]
fn bare_lf_hiding_a_field_in_the_head() {
    refused(
        b"POST / HTTP/1.1\r\nHost: a\r\nX: y\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n",
        ErrorKind::BareLf,
    );
}

#[test]
fn nul_truncating_a_field_value() {
    // Read past the NUL, the body is `abc` and a request follows it.
    refused(
        b"POST / HTTP/1.1\r\nHost: a\r\nX: y\x00\r\nContent-Length: 3\r\n\r\nabcGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n",
        ErrorKind::BadFieldValue,
    );
}

#[test]
fn data_after_connection_close() {
    refused(
        b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n",
        ErrorKind::DataAfterClose,
    );
}

#[test]
fn duplicate_host_routing_confusion() {
    refused(b"GET /smuggled HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", ErrorKind::DuplicateHost);
}

#[test]
fn nothing_after_an_error_is_parsed() {
    let input = b"GET / HTTP/1.1\r\nHost : a\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";
    let mut p = RequestParser::new();
    let first = p.parse(input).unwrap_err();
    assert_eq!(first.kind(), ErrorKind::WhitespaceBeforeColon);
    // The parser stays failed: the same error, whatever comes next.
    assert_eq!(p.parse(&input[30..]).unwrap_err(), first);
    assert_eq!(p.finish().unwrap_err(), first);
}
