//! `parse_data` (body data of many chunks per call) gives exactly what the
//! `Data` events of `parse` give: the same bytes, the same other events, the
//! same error at the same offset, the same end, for every fixture, split at
//! every point and in small pieces, with 1, 2 and 16 slices per call.

#[path = "support/fixture.rs"]
mod fixture;

use std::path::Path;

use h1parse::{Config, Event, Leniency, RequestParser, ResponseParser};

/// What a run produced: events as text, adjacent data merged.
#[derive(Debug, Default, PartialEq)]
struct Trace(Vec<String>);

impl Trace {
    fn data(&mut self, d: &[u8]) {
        match self.0.last_mut() {
            Some(last) if last.starts_with("data ") => last.push_str(&d.escape_ascii().to_string()),
            _ => self.0.push(format!("data {}", d.escape_ascii())),
        }
    }
}

/// The calls both parsers answer, so one driver serves both roles.
trait Parse {
    /// One `parse` call: consumed, the event as text (`None` when more input
    /// is needed), or the error as text; body data goes to `trace`.
    fn step(&mut self, input: &[u8], trace: &mut Trace) -> Result<(usize, bool), String>;
    fn batch(&mut self, input: &[u8], out: &mut [&[u8]], trace: &mut Trace) -> Result<(usize, usize), String>;
    fn end(&mut self) -> String;
}

macro_rules! impl_parse {
    ($p:ty) => {
        impl Parse for $p {
            fn step(&mut self, input: &[u8], trace: &mut Trace) -> Result<(usize, bool), String> {
                let progress = self.parse(input).map_err(|e| format!("error {e:?}"))?;
                match progress.event {
                    None => return Ok((progress.consumed, false)),
                    Some(Event::Data(d)) => trace.data(d),
                    Some(Event::Head(h)) => trace.0.push(format!("head {h:?}")),
                    Some(Event::Trailers(t)) => trace.0.push(format!("trailers {t:?}")),
                    Some(Event::End(d)) => trace.0.push(format!("end {d:?}")),
                }
                Ok((progress.consumed, true))
            }

            fn batch(&mut self, input: &[u8], out: &mut [&[u8]], trace: &mut Trace) -> Result<(usize, usize), String> {
                let mut slices: Vec<&[u8]> = vec![&[]; out.len()];
                let b = self.parse_data(input, &mut slices).map_err(|e| format!("error {e:?}"))?;
                assert!(b.consumed <= input.len() && b.slices <= out.len());
                assert!(b.slices > 0 || b.consumed == 0, "framing consumed without data");
                for s in &slices[..b.slices] {
                    assert!(!s.is_empty(), "empty slice handed out");
                    trace.data(s);
                }
                Ok((b.consumed, b.slices))
            }

            fn end(&mut self) -> String {
                format!("finish {:?} used {:?}", self.finish(), self.leniencies_used())
            }
        }
    };
}
impl_parse!(RequestParser);
impl_parse!(ResponseParser);

/// Feeds `pieces` through `p`, with `slots` slices per `parse_data` call
/// first (0: `parse` only).
fn run(p: &mut dyn Parse, pieces: &[&[u8]], slots: usize) -> Trace {
    let mut trace = Trace::default();
    let mut buf: Vec<u8> = Vec::new();
    let mut out: Vec<&[u8]> = vec![&[]; slots];
    for piece in pieces {
        buf.extend_from_slice(piece);
        loop {
            if slots > 0 {
                match p.batch(&buf, &mut out, &mut trace) {
                    Err(e) => {
                        trace.0.push(e);
                        return trace;
                    }
                    Ok((consumed, n)) => {
                        buf.drain(..consumed);
                        if n > 0 {
                            continue;
                        }
                    }
                }
            }
            match p.step(&buf, &mut trace) {
                Err(e) => {
                    trace.0.push(e);
                    return trace;
                }
                Ok((consumed, more)) => {
                    buf.drain(..consumed);
                    if !more {
                        break;
                    }
                }
            }
        }
    }
    trace.0.push(p.end());
    trace
}

fn parser(case: &fixture::Case, cfg: Config) -> Box<dyn Parse> {
    if case.response {
        let mut p = ResponseParser::with_config(cfg);
        if let Some(m) = &case.method {
            p.set_request_method(m.as_bytes());
        }
        Box::new(p)
    } else {
        Box::new(RequestParser::with_config(cfg))
    }
}

#[test]
fn batched_data_equals_data_events_for_every_fixture_and_split() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut bodies = 0;
    for file in fixture::files(&dir) {
        for case in fixture::parse(&file) {
            let input = &case.input[..];
            // Leniency on and off: the batch must also leave lenient lines to `parse`.
            for cfg in [Config::new(), Config { leniency: Leniency::ALL, ..Config::new() }] {
                let reference = run(&mut *parser(&case, cfg), &[input], 0);
                bodies += usize::from(reference.0.iter().any(|e| e.starts_with("data ")));
                let mut splits: Vec<Vec<&[u8]>> = (0..=input.len()).map(|k| vec![&input[..k], &input[k..]]).collect();
                splits.extend([1, 2, 3, 7].map(|n| input.chunks(n).collect()));
                for pieces in &splits {
                    for slots in [1, 2, 16] {
                        let got = run(&mut *parser(&case, cfg), pieces, slots);
                        assert_eq!(
                            got,
                            reference,
                            "{} / {}: {slots} slots, pieces {:?}",
                            file.display(),
                            case.name,
                            pieces.iter().map(|p| p.len()).collect::<Vec<_>>()
                        );
                    }
                }
            }
        }
    }
    assert!(bodies >= 20, "only {bodies} fixture runs with body data");
}

#[test]
fn a_batch_hands_out_many_chunks_and_leaves_the_rest_to_parse() {
    let mut input: Vec<u8> = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    let head = input.len();
    for i in 0..40u8 {
        input.extend_from_slice(b"2\r\n");
        input.extend_from_slice(&[b'a' + i % 26, b'0' + i % 10]);
        input.extend_from_slice(b"\r\n");
    }
    input.extend_from_slice(b"0\r\nX-T: 1\r\n\r\n");
    let mut p = RequestParser::new();
    let mut slices: [&[u8]; 16] = [&[]; 16];
    assert_eq!(p.parse_data(&input, &mut slices).map(|b| b.slices), Ok(0), "in the head: nothing");
    let consumed = p.parse(&input).unwrap().consumed;
    assert_eq!(consumed, head);
    let mut at = head;
    for expected in [16, 16, 8] {
        let b = p.parse_data(&input[at..], &mut slices).unwrap();
        assert_eq!(b.slices, expected);
        assert_eq!(slices[0].len(), 2);
        at += b.consumed;
    }
    assert_eq!(&input[at..], b"\r\n0\r\nX-T: 1\r\n\r\n");
    assert_eq!(p.parse_data(&input[at..], &mut slices).unwrap().slices, 0, "the last chunk is left to parse");
    assert!(matches!(p.parse(&input[at..]).unwrap().event, Some(Event::Trailers(_))));
}
