//! h1parse vs httparse vs picohttpparser, side by side in one run.
//!
//! `cargo run --release --manifest-path compare/Cargo.toml [-- --samples N] [--only SUBSTRING]`
//!
//! Every row runs the same bytes through each parser. Timing: each runner is
//! calibrated to ~1 ms per sample, then the runners of a row are sampled in
//! turn (round robin, so background noise hits them alike) and the median
//! sample is reported. Output: a markdown table (ns per message, GB/s, how
//! many times faster h1parse is than each peer), then the issue 4 targets.

mod peers;

use std::hint::black_box;
use std::time::Instant;

use h1parse::{Config, Event, RequestParser, ResponseParser};

const CURL: &[u8] = include_bytes!("../../benches/data/curl.http");
const PICO: &[u8] = include_bytes!("../../benches/data/pico.http");
const HP_REQ: &[u8] = include_bytes!("../../benches/data/hp_req.http");
const HP_REQ_SHORT: &[u8] = include_bytes!("../../benches/data/hp_req_short.http");
const HP_RESP: &[u8] = include_bytes!("../../benches/data/hp_resp.http");
const HP_RESP_SHORT: &[u8] = include_bytes!("../../benches/data/hp_resp_short.http");
const RESP301: &[u8] = include_bytes!("../../benches/data/resp301.http");
const MANY: &[u8] = include_bytes!("../../benches/data/many.http");
const CHUNKED_1M_16K: &[u8] = include_bytes!("../../benches/data/chunked_1m_16k.chunked");
const CHUNKED_64K_16B: &[u8] = include_bytes!("../../benches/data/chunked_64k_16b.chunked");

/// Header slots every parser gets: enough for the inputs of a row.
const SMALL: usize = 16;
const LARGE: usize = 100;
const DEPTH: usize = 256;

type Runner<'a> = Box<dyn FnMut() -> usize + 'a>;

/// One table row: the same input through several runners.
struct Row<'a> {
    name: String,
    bytes: usize,
    messages: usize,
    h1: Runner<'a>,
    httparse: Option<Runner<'a>>,
    pico: Option<Runner<'a>>,
    /// Subtracted from pico's time (restoring the buffer it decodes in place).
    pico_overhead: Option<Runner<'a>>,
    note: &'static str,
}

/// Median nanoseconds per call of each runner, sampled round robin.
fn measure(runners: &mut [&mut Runner<'_>], samples: usize) -> Vec<f64> {
    let iters: Vec<u64> = runners
        .iter_mut()
        .map(|r| {
            let mut n = 1u64;
            loop {
                let t = Instant::now();
                for _ in 0..n {
                    black_box(r());
                }
                let e = t.elapsed().as_nanos() as u64;
                if e > 1_000_000 || n > 1 << 30 {
                    return (n * 1_000_000 / e.max(1)).max(1);
                }
                n *= 2;
            }
        })
        .collect();
    let mut times = vec![Vec::with_capacity(samples); runners.len()];
    for _ in 0..samples {
        for (k, r) in runners.iter_mut().enumerate() {
            let t = Instant::now();
            for _ in 0..iters[k] {
                black_box(r());
            }
            times[k].push(t.elapsed().as_nanos() as f64 / iters[k] as f64);
        }
    }
    times
        .into_iter()
        .map(|mut t| {
            t.sort_by(f64::total_cmp);
            t[t.len() / 2]
        })
        .collect()
}

struct Result {
    name: String,
    bytes: usize,
    messages: usize,
    h1: f64,
    httparse: Option<f64>,
    pico: Option<f64>,
    note: &'static str,
}

fn run(mut row: Row<'_>, samples: usize) -> Result {
    let mut runners: Vec<&mut Runner<'_>> = vec![&mut row.h1];
    let has_hp = row.httparse.is_some();
    if let Some(r) = row.httparse.as_mut() {
        runners.push(r);
    }
    if let Some(r) = row.pico.as_mut() {
        runners.push(r);
    }
    if let Some(r) = row.pico_overhead.as_mut() {
        runners.push(r);
    }
    let t = measure(&mut runners, samples);
    let per = row.messages as f64;
    let mut k = 1;
    let mut next = |present: bool| {
        present.then(|| {
            k += 1;
            t[k - 1]
        })
    };
    let httparse = next(has_hp).map(|x| x / per);
    let pico = next(row.pico.is_some());
    let overhead = next(row.pico_overhead.is_some()).unwrap_or(0.0);
    Result {
        name: row.name,
        bytes: row.bytes,
        messages: row.messages,
        h1: t[0] / per,
        httparse,
        pico: pico.map(|p| (p - overhead) / per),
        note: row.note,
    }
}

// ---- h1parse runners ----------------------------------------------------

fn h1_request<const N: usize>(input: &[u8]) -> usize {
    let mut p = RequestParser::<N>::with_capacity(Config::new());
    let progress = p.parse(input).expect("valid");
    debug_assert!(matches!(progress.event, Some(Event::Head(_))));
    // The head must be built, as the peers must fill in their outputs.
    black_box(&progress.event);
    progress.consumed
}

fn h1_response<const N: usize>(input: &[u8]) -> usize {
    let mut p = ResponseParser::<N>::with_capacity(Config::new());
    let progress = p.parse(input).expect("valid");
    debug_assert!(matches!(progress.event, Some(Event::Head(_))));
    // The head must be built, as the peers must fill in their outputs.
    black_box(&progress.event);
    progress.consumed
}

/// The stream arriving `piece` bytes at a time, window of one buffer.
fn h1_drive<const N: usize>(stream: &[u8], piece: usize) -> usize {
    let mut p = RequestParser::<N>::with_capacity(Config::new());
    let (mut start, mut received, mut events) = (0, 0, 0);
    while received < stream.len() {
        received = (received + piece).min(stream.len());
        loop {
            let progress = p.parse(&stream[start..received]).expect("valid");
            start += progress.consumed;
            match progress.event {
                Some(e) => {
                    black_box(&e);
                    events += 1;
                }
                None => break,
            }
        }
    }
    events
}

/// One whole message from a fresh parser: every event up to and including
/// `End` (head, framing decision, body data, trailers, end).
fn h1_message<const N: usize>(input: &[u8]) -> usize {
    let mut p = RequestParser::<N>::with_capacity(Config::new());
    let mut at = 0;
    loop {
        let progress = p.parse(&input[at..]).expect("valid");
        at += progress.consumed;
        match progress.event {
            Some(Event::End(_)) => return at,
            Some(e) => {
                black_box(&e);
            }
            None => unreachable!("whole message given"),
        }
    }
}

/// A chunked body: the total length of the data slices it yields.
fn h1_chunked(message: &[u8]) -> usize {
    // The extension row carries 80 KB of extensions; the default limit is 16 KiB.
    let cfg =
        Config { limits: h1parse::Limits { chunk_extensions: 1 << 20, ..h1parse::Limits::new() }, ..Config::new() };
    let mut p = RequestParser::<SMALL>::with_capacity(cfg);
    let mut input = message;
    let mut data = 0;
    loop {
        let progress = p.parse(input).expect("valid");
        input = &input[progress.consumed..];
        match progress.event {
            Some(Event::Data(d)) => data += d.len(),
            Some(Event::End(_)) => return data,
            Some(_) => {}
            None => unreachable!("whole body given"),
        }
    }
}

fn chunked_message(body: &[u8]) -> (Vec<u8>, usize) {
    let mut m = b"POST /upload HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    let head = m.len();
    m.extend_from_slice(body);
    (m, head)
}

fn chunked_with_extensions() -> Vec<u8> {
    let mut body = Vec::new();
    for i in 0..4096u32 {
        body.extend_from_slice(format!("10;seq={i};sig=\"ab c\"\r\n").as_bytes());
        body.extend_from_slice(&[b'x'; 16]);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    body
}

fn head_rows<'a>(rows: &mut Vec<Row<'a>>) {
    let requests: [(&str, &'static [u8]); 5] = [
        ("curl request", CURL),
        ("httparse REQ_SHORT", HP_REQ_SHORT),
        ("pico bench request", PICO),
        ("httparse REQ", HP_REQ),
        ("64-field request", MANY),
    ];
    for (name, input) in requests {
        let many = input.len() > 1000;
        rows.push(Row {
            name: format!("{name}, {} B", input.len()),
            bytes: input.len(),
            messages: 1,
            h1: if many {
                Box::new(move || h1_request::<LARGE>(black_box(input)))
            } else {
                Box::new(move || h1_request::<SMALL>(black_box(input)))
            },
            httparse: Some(if many {
                Box::new(move || peers::httparse_request::<LARGE>(black_box(input)))
            } else {
                Box::new(move || peers::httparse_request::<SMALL>(black_box(input)))
            }),
            pico: Some(if many {
                Box::new(move || peers::pico_request::<LARGE>(black_box(input), 0))
            } else {
                Box::new(move || peers::pico_request::<SMALL>(black_box(input), 0))
            }),
            pico_overhead: None,
            note: "head",
        });
    }
    let responses: [(&str, &'static [u8]); 3] =
        [("httparse RESP_SHORT", HP_RESP_SHORT), ("google 301 response", RESP301), ("httparse RESP", HP_RESP)];
    for (name, input) in responses {
        rows.push(Row {
            name: format!("{name}, {} B", input.len()),
            bytes: input.len(),
            messages: 1,
            h1: Box::new(move || h1_response::<SMALL>(black_box(input))),
            httparse: Some(Box::new(move || peers::httparse_response::<SMALL>(black_box(input)))),
            pico: Some(Box::new(move || peers::pico_response::<SMALL>(black_box(input)))),
            pico_overhead: None,
            note: "head",
        });
    }
}

fn stream_rows<'a>(rows: &mut Vec<Row<'a>>, pipeline: &'a [u8], pipeline720: &'a [u8]) {
    rows.push(Row {
        name: format!("pipeline: {DEPTH} x pico request, {} B", pipeline.len()),
        bytes: pipeline.len(),
        messages: DEPTH,
        h1: Box::new(move || h1_drive::<SMALL>(black_box(pipeline), pipeline.len())),
        httparse: Some(Box::new(move || peers::httparse_pipeline::<SMALL>(black_box(pipeline)))),
        pico: Some(Box::new(move || peers::pico_pipeline::<SMALL>(black_box(pipeline)))),
        pico_overhead: None,
        note: "h1parse: Head + End events per request",
    });
    for (name, piece) in [("one byte at a time", 1usize), ("64 B pieces", 64)] {
        rows.push(Row {
            name: format!("httparse REQ {name}, 720 B"),
            bytes: HP_REQ.len(),
            messages: 1,
            h1: Box::new(move || h1_drive::<SMALL>(black_box(HP_REQ), piece)),
            httparse: Some(Box::new(move || peers::httparse_pieces::<SMALL>(black_box(HP_REQ), piece))),
            pico: Some(Box::new(move || peers::pico_pieces::<SMALL>(black_box(HP_REQ), piece))),
            pico_overhead: None,
            note: "pico: last_len; httparse: rescans",
        });
    }
    rows.push(Row {
        name: format!("pipeline: {DEPTH} x REQ in 1388 B segments, {} B", pipeline720.len()),
        bytes: pipeline720.len(),
        messages: DEPTH,
        h1: Box::new(move || h1_drive::<SMALL>(black_box(pipeline720), 1388)),
        httparse: Some(Box::new(move || peers::httparse_segments::<SMALL>(black_box(pipeline720), 1388))),
        pico: Some(Box::new(move || peers::pico_segments::<SMALL>(black_box(pipeline720), 1388))),
        pico_overhead: None,
        note: "pico: last_len; httparse: rescans",
    });
}

fn chunked_rows<'a>(rows: &mut Vec<Row<'a>>, inputs: &'a [(String, Vec<u8>, usize)]) {
    for (name, message, head) in inputs {
        let body = &message[*head..];
        rows.push(Row {
            name: format!("{name}, {} B", body.len()),
            bytes: body.len(),
            messages: 1,
            h1: Box::new(move || h1_chunked(black_box(message))),
            httparse: Some(Box::new(move || peers::httparse_chunked(black_box(body)))),
            pico: Some(Box::new({
                let mut scratch = body.to_vec();
                move || peers::pico_chunked(black_box(body), &mut scratch)
            })),
            pico_overhead: Some(Box::new({
                let mut scratch = body.to_vec();
                move || {
                    scratch.copy_from_slice(black_box(body));
                    scratch.len()
                }
            })),
            note: "h1parse yields slices (+ its head); pico decodes in place (copy time subtracted); httparse: parse_chunk_size loop",
        });
    }
}

fn gbps(bytes: usize, messages: usize, ns: f64) -> f64 {
    bytes as f64 / messages as f64 / ns
}

fn main() {
    let samples =
        std::env::args().skip_while(|a| a != "--samples").nth(1).and_then(|s| s.parse().ok()).unwrap_or(101usize);
    let pipeline = PICO.repeat(DEPTH);
    let pipeline720 = HP_REQ.repeat(DEPTH);
    let chunked = [
        ("chunked: 1 MiB in 16 KiB chunks".to_string(), chunked_message(CHUNKED_1M_16K)),
        ("chunked: 64 KiB in 16 B chunks".to_string(), chunked_message(CHUNKED_64K_16B)),
        ("chunked: 64 KiB in 16 B chunks, extensions".to_string(), chunked_message(&chunked_with_extensions())),
    ]
    .map(|(n, (m, h))| (n, m, h));

    let mut rows = Vec::new();
    head_rows(&mut rows);
    stream_rows(&mut rows, &pipeline, &pipeline720);
    chunked_rows(&mut rows, &chunked);

    // h1parse-only comparisons: the full message vs the head alone, whole vs pieces.
    let mut own: Vec<(String, Runner<'_>, Runner<'_>)> = vec![
        (
            "full message (head + framing + End event) vs head, pico request".into(),
            Box::new(|| h1_message::<SMALL>(black_box(PICO))),
            Box::new(|| h1_request::<SMALL>(black_box(PICO))),
        ),
        (
            "full message vs head, curl request".into(),
            Box::new(|| h1_message::<SMALL>(black_box(CURL))),
            Box::new(|| h1_request::<SMALL>(black_box(CURL))),
        ),
        (
            "64 B pieces vs whole buffer, httparse REQ".into(),
            Box::new(|| h1_drive::<SMALL>(black_box(HP_REQ), 64)),
            Box::new(|| h1_drive::<SMALL>(black_box(HP_REQ), HP_REQ.len())),
        ),
    ];

    println!(
        "| input | h1parse ns/msg | h1parse GB/s | httparse ns/msg | picohttpparser ns/msg | vs httparse | vs pico | notes |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---|");
    let only = std::env::args().skip_while(|a| a != "--only").nth(1);
    // `--profile SUBSTRING N [--peer pico|httparse]`: run only h1parse (or
    // the peer) on the first matching row, N times, for perf/callgrind.
    if let Some(what) = std::env::args().skip_while(|a| a != "--profile").nth(1) {
        let n: usize =
            std::env::args().skip_while(|a| a != "--profile").nth(2).and_then(|n| n.parse().ok()).unwrap_or(1);
        // A table row, or the first runner of an h1parse-only comparison.
        let peer = std::env::args().skip_while(|a| a != "--peer").nth(1);
        let mut runner = match rows.into_iter().find(|r| r.name.contains(what.as_str())) {
            // `--peer pico|httparse`: that parser's runner instead.
            Some(row) => match peer.as_deref() {
                Some("pico") => row.pico.expect("no pico runner"),
                Some("httparse") => row.httparse.expect("no httparse runner"),
                _ => row.h1,
            },
            None => own.into_iter().find(|o| o.0.contains(what.as_str())).expect("no such row").1,
        };
        for _ in 0..n {
            black_box(runner());
        }
        return;
    }
    let mut results = Vec::new();
    for row in rows {
        if only.as_ref().is_some_and(|o| !row.name.contains(o.as_str())) {
            continue;
        }
        let r = run(row, samples);
        let ratio = |peer: Option<f64>| peer.map_or("-".to_string(), |p| format!("{:.2}x", p / r.h1));
        let ns = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.1}"));
        println!(
            "| {} | {:.1} | {:.2} | {} | {} | {} | {} | {} |",
            r.name,
            r.h1,
            gbps(r.bytes, r.messages, r.h1),
            ns(r.httparse),
            ns(r.pico),
            ratio(r.httparse),
            ratio(r.pico),
            r.note
        );
        results.push(r);
    }
    let limit = peers::limit_available().then(|| {
        let mut f: Runner<'_> = Box::new(|| peers::limit_pass(black_box(PICO)));
        measure(&mut [&mut f], samples)[0]
    });
    if let Some(l) = limit {
        println!(
            "| limit: one AVX2 pass classifying every byte (line ends, forbidden bytes), pico request, {} B | {l:.1} | {:.2} | | | | | the floor |",
            PICO.len(),
            gbps(PICO.len(), 1, l)
        );
    }
    if limit.is_some() {
        for (name, input, many) in
            [("curl request", CURL, false), ("pico request", PICO, false), ("64-field request", MANY, true)]
        {
            let mut f: Runner<'_> = if many {
                Box::new(move || peers::line_walk::<LARGE>(black_box(input)))
            } else {
                Box::new(move || peers::line_walk::<SMALL>(black_box(input)))
            };
            assert_eq!(f(), input.len());
            let t = measure(&mut [&mut f], samples)[0];
            println!(
                "| floor: field lines found from AVX2 CR and colon masks, spans stored, nothing validated, {name}, {} B | {t:.1} | {:.2} | | | | | a floor for this design |",
                input.len(),
                gbps(input.len(), 1, t)
            );
        }
    }
    if only.is_some() {
        return;
    }
    println!();
    println!("| h1parse against itself | ns | baseline ns | ratio |");
    println!("|---|---:|---:|---:|");
    let mut own_ratios = Vec::new();
    for (name, a, b) in own.iter_mut() {
        let t = measure(&mut [a, b], samples);
        println!("| {name} | {:.1} | {:.1} | {:.2} |", t[0], t[1], t[0] / t[1]);
        own_ratios.push(t[0] / t[1]);
    }
    if only.is_none() {
        targets(&results, limit, &own_ratios);
    }
}

/// The issue 4 targets, each with its measured ratio.
fn targets(results: &[Result], limit: Option<f64>, own: &[f64]) {
    let find = |prefix: &str| results.iter().find(|r| r.name.starts_with(prefix));
    let vs = |r: Option<&Result>, peer: fn(&Result) -> Option<f64>| -> f64 {
        r.and_then(|r| peer(r).map(|p| p / r.h1)).unwrap_or(f64::NAN)
    };
    let pico = |r: &Result| r.pico;
    let hp = |r: &Result| r.httparse;
    let req703 = find("pico bench request");
    let lines: Vec<(String, f64, f64, bool)> = vec![
        ("703 B request vs pico (x faster)".into(), vs(req703, pico), 2.0, true),
        ("703 B request vs httparse (x faster)".into(), vs(req703, hp), 3.0, true),
        ("703 B request vs limit (x slower)".into(), req703.zip(limit).map_or(f64::NAN, |(r, l)| r.h1 / l), 3.0, false),
        ("74 B curl request vs pico".into(), vs(find("curl request"), pico), 1.4, true),
        ("64-field request vs pico".into(), vs(find("64-field request"), pico), 1.4, true),
        ("pipeline of 703 B vs pico (throughput ratio)".into(), vs(find("pipeline: 256 x pico"), pico), 2.0, true),
        (
            "720 B one byte at a time: h1parse / pico(last_len) (time ratio)".into(),
            1.0 / vs(find("httparse REQ one byte"), pico),
            0.5,
            false,
        ),
        ("720 B one byte at a time vs httparse (x faster)".into(), vs(find("httparse REQ one byte"), hp), 30.0, true),
        ("720 B in 64 B pieces / own whole buffer".into(), own[2], 1.5, false),
        (
            "chunked 64 KiB in 16 B chunks vs pico (x faster)".into(),
            vs(find("chunked: 64 KiB in 16 B chunks,"), pico),
            3.0,
            true,
        ),
        ("full message / head alone, bodiless 703 B".into(), own[0], 1.10, false),
    ];
    println!();
    println!("| target (issue 4) | measured | goal | met |");
    println!("|---|---:|---:|---|");
    for (name, got, goal, at_least) in lines {
        let met = if at_least { got >= goal } else { got <= goal };
        let op = if at_least { ">=" } else { "<=" };
        println!("| {name} | {got:.2} | {op} {goal} | {} |", if met { "yes" } else { "no" });
    }
}
