//! Whole heads against the byte states where the whole-buffer walk is most
//! likely to go wrong: at the edges of its 64-byte blocks.
//!
//! A head given whole is read from the block index (`head/machine/walk.rs`);
//! given a byte at a time, or cut at any point, it is read by the byte
//! states. The fixtures compare the two on short heads; here every line of
//! longer heads is moved across every offset of a block (a request-target
//! or reason of every length from 1 to 70 shifts everything after it), with
//! names and values that cross blocks, OWS of every kind, the fields that
//! decide framing, a bad byte in a few places, and limits that fire inside,
//! at and just after a line. The `inspect` logs must match for every split.

#[path = "support/render.rs"]
mod render;

use h1parse::{Config, Leniency};
use render::{Options, inspect_pieces};

/// Field lines after the start line: short and long, OWS before and after
/// values, an empty value, obs-text, a name longer than a block, a value
/// longer than two blocks, and the framing fields.
const FIELDS: &[&str] = &[
    "Host: example.com\r\n",
    "A:b\r\n",
    "Accept:  \t text/html, */*;q=0.8 \t\r\n",
    "X-Empty:\r\n",
    "X-Empty-Ws: \t \r\n",
    "X-Obs-Text: caf\u{e9} (UTF-8: two obs-text bytes)\r\n",
    "X-A-Field-Name-That-Is-Longer-Than-One-Block-Of-Sixty-Four-Bytes-Yes: 1\r\n",
    "Cookie: a=0123456789012345678901234567890123456789012345678901234567890123456789; \
     b=0123456789012345678901234567890123456789012345678901234567890123456789\r\n",
    "Connection: keep-alive\r\n",
    "Content-Length: 5\r\n",
];

/// Lines that a strict parser rejects (or, for some, a leniency accepts),
/// each put in place of one good line.
const BAD_LINES: &[&str] = &[
    "X-Ctl: a\x01b\r\n",
    "X-Bare-Lf: a\n",
    "X-Bare-Cr: a\rb\r\n",
    "X-Space : a\r\n",
    " folded\r\n",
    ":no-name\r\n",
    "No-Colon\r\n",
    "Content-Length: 5x\r\n",
    "X-Del: a\x7fb\r\n",
];

/// A request whose target is `target_len` bytes, with `fields` and a body.
fn request(target_len: usize, fields: &[&str]) -> Vec<u8> {
    let mut m = format!("GET /{} HTTP/1.1\r\n", "t".repeat(target_len - 1)).into_bytes();
    for f in fields {
        m.extend_from_slice(f.as_bytes());
    }
    m.extend_from_slice(b"\r\nhello");
    m
}

/// A response whose reason is `reason_len` bytes, with `fields` and a body.
fn response(reason_len: usize, fields: &[&str]) -> Vec<u8> {
    let mut m = format!("HTTP/1.1 200 {}\r\n", "r".repeat(reason_len)).into_bytes();
    for f in fields {
        m.extend_from_slice(f.as_bytes());
    }
    m.extend_from_slice(b"\r\nhello");
    m
}

/// The log of `stream` fed whole, and in pieces of each size in `pieces`;
/// every log must equal the whole one.
fn assert_split_invariant(stream: &[u8], opts: &Options, pieces: &[usize]) {
    let (whole, _) = inspect_pieces([stream], opts);
    for &n in pieces {
        let (split, _) = inspect_pieces(stream.chunks(n), opts);
        assert_eq!(
            split,
            whole,
            "pieces of {n}, config {:?}, stream {:?}",
            opts.config,
            String::from_utf8_lossy(stream)
        );
    }
}

/// Splits that reach every code path: a byte at a time (the states),
/// pieces shorter than the walk's minimum, and pieces that end inside
/// names, OWS, values and line ends.
const PIECES: &[usize] = &[1, 7, 17, 64, 65];

#[test]
fn every_line_at_every_block_offset_whole_and_in_pieces() {
    for target_len in 1..=70 {
        let opts = Options::default();
        assert_split_invariant(&request(target_len, FIELDS), &opts, PIECES);
    }
    for reason_len in 0..=70 {
        let opts = Options { response: true, ..Options::default() };
        assert_split_invariant(&response(reason_len, FIELDS), &opts, PIECES);
    }
}

#[test]
fn a_bad_line_anywhere_is_reported_as_by_the_states() {
    for bad in BAD_LINES {
        for at in [1, 5, FIELDS.len() - 1] {
            for target_len in [1, 13, 40, 63, 64] {
                let mut fields = FIELDS.to_vec();
                fields[at] = bad;
                let stream = request(target_len, &fields);
                assert_split_invariant(&stream, &Options::default(), &[1, 17]);
                // Responses, strict and with every leniency (obs-fold, bare
                // LF, whitespace before the colon, control characters).
                let stream = response(target_len, &fields);
                for leniency in [Leniency::NONE, Leniency::ALL] {
                    let config = Config { leniency, ..Config::new() };
                    let opts = Options { response: true, config, ..Options::default() };
                    assert_split_invariant(&stream, &opts, &[1, 17]);
                }
            }
        }
    }
}

#[test]
fn limits_inside_at_and_after_each_line() {
    let stream = request(20, FIELDS);
    let head_len = stream.len() - b"hello".len();
    let mut ends = vec![0];
    ends.extend(stream.windows(2).enumerate().filter(|(_, w)| w == b"\r\n").map(|(i, _)| i));
    for &end in &ends {
        for delta in [0usize, 1, 2, 3] {
            let at = (end + delta) as u32;
            let mut head = Config::new();
            head.limits.head = at.min(head_len as u32 + 1);
            let mut line = Config::new();
            line.limits.field_line = at % 97;
            let mut start = Config::new();
            start.limits.start_line = at % 53;
            let mut count = Config::new();
            count.limits.headers = (at % 11) as u16;
            for config in [head, line, start, count] {
                let opts = Options { config, ..Options::default() };
                assert_split_invariant(&stream, &opts, &[1, 17, 64]);
            }
        }
    }
}
