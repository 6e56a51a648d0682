//! Replays every fixture in `tests/fixtures/*.md` (see `support/fixture.rs`
//! for the format) through the `inspect` renderer: whole, split in two at
//! every point, one byte at a time and in a few uniform piece sizes. Every run
//! must print exactly the expected log.
//!
//! `H1PARSE_BLESS=1 cargo test --test fixtures` writes the whole-buffer output
//! into the files (review the diff before committing it).

#[path = "support/fixture.rs"]
mod fixture;
#[path = "support/render.rs"]
mod render;

use h1parse::{Disposition, Event, Finish, Leniency, RequestParser, ResponseParser};
use std::path::Path;

fn options(case: &fixture::Case) -> render::Options {
    let mut o = render::Options { response: case.response, ..render::Options::default() };
    if let Some(m) = &case.method {
        o.method = m.clone().into_bytes();
    }
    for (option, value) in &case.config {
        let known = render::config_option(&mut o.config, option, Some(value));
        assert_eq!(known, Ok(true), "{} / {}: {option} {value}", case.file.display(), case.name);
    }
    o
}

/// Every way of splitting the case's input that the harness tries.
fn splits(input: &[u8]) -> Vec<(String, Vec<&[u8]>)> {
    let mut v = Vec::new();
    for k in 0..=input.len() {
        v.push((format!("split at {k}"), vec![&input[..k], &input[k..]]));
    }
    for n in [1, 2, 3, 5, 8, 13] {
        v.push((format!("pieces of {n}"), input.chunks(n).collect()));
    }
    v
}

#[test]
fn every_fixture_matches_at_every_split() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let files = fixture::files(&dir);
    assert!(files.len() >= 12, "expected the topic files in {}", dir.display());
    let bless = std::env::var_os("H1PARSE_BLESS").is_some();
    let mut total = 0;
    let mut failures = Vec::new();
    for file in &files {
        let cases = fixture::parse(file);
        assert!(!cases.is_empty(), "{}: no cases", file.display());
        let mut actual = Vec::new();
        for case in &cases {
            total += 1;
            let opts = options(case);
            let (whole, _) = render::inspect(&case.input, &opts);
            actual.push(whole.clone());
            let where_ = format!("{} / {}", file.file_name().unwrap().to_string_lossy(), case.name);
            match &case.expected {
                None if !bless => failures.push(format!("{where_}: no log block")),
                Some(exp) if !bless && *exp != whole => {
                    failures.push(format!("{where_}: whole input\n--- expected\n{exp}--- actual\n{whole}"))
                }
                _ => {}
            }
            for (how, pieces) in splits(&case.input) {
                let (log, _) = render::inspect_pieces(pieces, &opts);
                if log != whole {
                    failures.push(format!("{where_}: {how} differs from whole\n--- whole\n{whole}--- {how}\n{log}"));
                    break;
                }
            }
        }
        if bless {
            fixture::bless(file, &cases, &actual);
        }
    }
    assert!(failures.is_empty(), "{} of {total} cases failed:\n\n{}", failures.len(), failures.join("\n\n"));
}

/// Each message's verdict at its head, paired with its `End` disposition
/// (or the one the end of the stream gave), for `stream` fed whole.
fn verdicts<P: render::Parser>(p: &mut P, stream: &[u8]) -> Vec<(Disposition, Disposition)> {
    let mut pairs = Vec::new();
    let mut head = None;
    let mut input = stream;
    loop {
        let Ok(progress) = p.parse(input) else { return pairs };
        input = &input[progress.consumed..];
        match progress.event {
            Some(Event::Head(h)) => head = Some(P::verdict(&h)),
            Some(Event::End(d)) => {
                pairs.extend(head.take().map(|v| (v, d)));
                if d == Disposition::Upgrade {
                    return pairs;
                }
            }
            Some(_) => {}
            None => break,
        }
    }
    if let Ok(Finish::End(d)) = p.finish() {
        pairs.extend(head.take().map(|v| (v, d)));
    }
    pairs
}

/// The connection verdict a head gives (keep alive, close, upgrade) is the
/// one its `End` gives, on every message of every fixture that reaches its
/// end: the head decides it, so a server can answer before reading a body.
#[test]
fn the_verdict_at_the_head_is_the_end_disposition_on_every_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut compared = 0;
    for file in fixture::files(&dir) {
        for case in fixture::parse(&file) {
            let opts = options(&case);
            let pairs = if opts.response {
                let mut p = ResponseParser::with_config(opts.config);
                p.set_request_method(&opts.method);
                verdicts(&mut p, &case.input)
            } else {
                verdicts(&mut RequestParser::with_config(opts.config), &case.input)
            };
            for (at_head, at_end) in pairs {
                assert_eq!(at_head, at_end, "{} / {}", file.display(), case.name);
                compared += 1;
            }
        }
    }
    assert!(compared >= 120, "only {compared} messages compared");
}

/// Each leniency has its own fixture file, `lenient-<name>.md`, that
/// documents it: a case where strict rules give an error, and a case where
/// the switch accepts the input and the log names it.
#[test]
fn every_leniency_has_a_fixture_file_that_shows_it_used() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for switch in Leniency::ALL.iter() {
        let name = switch.name().expect("a single switch has a name");
        let file = dir.join(format!("lenient-{name}.md"));
        assert!(file.exists(), "no fixture file for the {name} leniency: {}", file.display());
        let cases = fixture::parse(&file);
        let strict_error = cases.iter().any(|c| {
            c.config.is_empty() && c.expected.as_deref().is_some_and(|log| log.lines().any(|l| l.starts_with("error ")))
        });
        assert!(strict_error, "{}: no case where strict rules give an error", file.display());
        let used = cases.iter().any(|c| {
            c.config.iter().any(|(o, v)| o == "--lenient" && v == name)
                && c.expected.as_deref().is_some_and(|log| {
                    log.lines().any(|l| l.starts_with("lenient ") && l.split(' ').any(|w| w == name))
                })
        });
        assert!(used, "{}: no case that turns {name} on and shows it used", file.display());
    }
}

#[test]
fn fixture_escapes_decode_every_byte() {
    assert_eq!(fixture::unescape(r"a\r\n\t\0\\\x7f\xff"), b"a\r\n\t\0\\\x7f\xff");
}
