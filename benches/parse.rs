//! Criterion benchmarks of h1parse through its public API only.
//!
//! Inputs: `benches/data/` (the standard inputs described in
//! `benches/data/SOURCES.md`) plus generated ladders. Every benchmark reports
//! `Throughput::Bytes` of the input it parses. Run with `cargo bench`; one
//! group with `cargo bench --bench parse -- incremental`. `benches/README.md`
//! says what each group measures and where the HTML report is.

// `criterion_group!` generates an undocumented `pub fn`.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::mem::MaybeUninit;

use h1parse::{Config, Event, Header, Limits, Request, RequestParser, ResponseParser};

const CURL: &[u8] = include_bytes!("data/curl.http");
const PICO: &[u8] = include_bytes!("data/pico.http");
const HP_REQ: &[u8] = include_bytes!("data/hp_req.http");
const HP_REQ_SHORT: &[u8] = include_bytes!("data/hp_req_short.http");
const HP_RESP: &[u8] = include_bytes!("data/hp_resp.http");
const HP_RESP_SHORT: &[u8] = include_bytes!("data/hp_resp_short.http");
const RESP301: &[u8] = include_bytes!("data/resp301.http");
const MANY: &[u8] = include_bytes!("data/many.http");
const CHUNKED_1M_16K: &[u8] = include_bytes!("data/chunked_1m_16k.chunked");
const CHUNKED_64K_16B: &[u8] = include_bytes!("data/chunked_64k_16b.chunked");
const CHUNKED_64K_VAR: &[u8] = include_bytes!("data/chunked_64k_var.chunked");

/// Requests in the pipeline benchmarks.
const PIPELINE_DEPTH: usize = 256;

/// Parses one request head from a fresh parser; returns its length.
fn request_head(input: &[u8]) -> usize {
    let mut parser = RequestParser::new();
    let progress = parser.parse(input).expect("valid request");
    assert!(matches!(progress.event, Some(Event::Head(_))));
    progress.consumed
}

/// Parses one response head from a fresh parser; returns its length.
fn response_head(input: &[u8]) -> usize {
    let mut parser = ResponseParser::new();
    let progress = parser.parse(input).expect("valid response");
    assert!(matches!(progress.event, Some(Event::Head(_))));
    progress.consumed
}

/// Feeds `stream` to `parser` as if it arrived in `piece`-byte reads: the
/// caller's buffer is the window `start..received` of `stream` (no copying,
/// as with a ring buffer). Returns the number of events, so nothing is
/// optimised away.
fn drive<const N: usize>(parser: &mut RequestParser<N>, stream: &[u8], piece: usize) -> usize {
    let mut start = 0;
    let mut received = 0;
    let mut events = 0;
    while received < stream.len() {
        received = (received + piece).min(stream.len());
        loop {
            let progress = parser.parse(&stream[start..received]).expect("valid stream");
            start += progress.consumed;
            match progress.event {
                Some(event) => {
                    black_box(&event);
                    events += 1;
                }
                None => break,
            }
        }
    }
    events
}

fn config_for(fields: usize) -> Config {
    Config { limits: Limits { headers: fields as u16, ..Limits::new() }, ..Config::new() }
}

/// A GET request with `fields` field lines (Host plus `X-Field-i`), each
/// about 30 bytes.
fn with_fields(fields: usize) -> Vec<u8> {
    let mut r = b"GET /api/items HTTP/1.1\r\nHost: example.com\r\n".to_vec();
    for i in 1..fields {
        r.extend_from_slice(format!("X-Field-{i:03}: value-{i:05}-abcdefgh\r\n").as_bytes());
    }
    r.extend_from_slice(b"\r\n");
    r
}

/// A GET request whose one long field value is `len` bytes.
fn with_value(len: usize) -> Vec<u8> {
    let mut r = b"GET /api/items HTTP/1.1\r\nHost: example.com\r\nX-Long: ".to_vec();
    r.extend((0..len).map(|i| b"abcdefghijklmnopqrstuvwxyz0123456789-_.~ ;=/"[i % 44]));
    r.extend_from_slice(b"\r\n\r\n");
    r
}

fn repeat(message: &[u8], times: usize) -> Vec<u8> {
    message.repeat(times)
}

/// 64 KiB in 16 B chunks, each size line carrying an extension.
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

fn chunked_message(body: &[u8]) -> Vec<u8> {
    let mut m = b"POST /upload HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    m.extend_from_slice(body);
    m
}

fn head(c: &mut Criterion) {
    let mut g = c.benchmark_group("head");
    let requests: [(&str, &[u8]); 5] = [
        ("req_curl_74", CURL),
        ("req_short_68", HP_REQ_SHORT),
        ("req_pico_703", PICO),
        ("req_720", HP_REQ),
        ("req_many_1540", MANY),
    ];
    for (name, input) in requests {
        g.throughput(Throughput::Bytes(input.len() as u64));
        g.bench_function(name, |b| b.iter(|| request_head(black_box(input))));
    }
    let responses: [(&str, &[u8]); 3] =
        [("resp_short_91", HP_RESP_SHORT), ("resp_301_535", RESP301), ("resp_699", HP_RESP)];
    for (name, input) in responses {
        g.throughput(Throughput::Bytes(input.len() as u64));
        g.bench_function(name, |b| b.iter(|| response_head(black_box(input))));
    }
    g.finish();
}

/// The one-shot `Request` with 100 header slots: an initialised array
/// (`[Header::EMPTY; 100]`, 3.2 KB written per call) against uninitialised
/// slots (`parse_uninit`, only the slots used are written).
fn oneshot(c: &mut Criterion) {
    let mut g = c.benchmark_group("oneshot");
    for (name, input) in [("curl_74", CURL), ("pico_703", PICO)] {
        g.throughput(Throughput::Bytes(input.len() as u64));
        g.bench_function(format!("{name}_init_100"), |b| {
            b.iter(|| {
                let mut headers = [Header::EMPTY; 100];
                let mut req = Request::new(&mut headers);
                let status = req.parse(black_box(input)).expect("valid");
                black_box(&req);
                status
            })
        });
        g.bench_function(format!("{name}_uninit_100"), |b| {
            b.iter(|| {
                let mut headers = [const { MaybeUninit::<Header<'_>>::uninit() }; 100];
                let mut req = Request::new(&mut []);
                let status = req.parse_uninit(black_box(input), &mut headers).expect("valid");
                black_box(&req);
                status
            })
        });
    }
    g.finish();
}

fn header_count(c: &mut Criterion) {
    let mut g = c.benchmark_group("header_count");
    for fields in [1usize, 8, 32, 64, 128] {
        let input = with_fields(fields);
        let cfg = config_for(128);
        g.throughput(Throughput::Bytes(input.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(fields), &input, |b, input| {
            b.iter(|| {
                let mut parser = RequestParser::<128>::with_capacity(cfg);
                parser.parse(black_box(input)).expect("valid").consumed
            })
        });
    }
    g.finish();
}

fn value_length(c: &mut Criterion) {
    let mut g = c.benchmark_group("value_length");
    for len in [16usize, 64, 256, 1024, 4096] {
        let input = with_value(len);
        g.throughput(Throughput::Bytes(input.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(len), &input, |b, input| {
            b.iter(|| request_head(black_box(input)))
        });
    }
    g.finish();
}

fn pipeline(c: &mut Criterion) {
    let mut g = c.benchmark_group("pipeline");
    for (name, message) in [("pico_703_x256", PICO), ("req_720_x256", HP_REQ), ("curl_74_x256", CURL)] {
        let stream = repeat(message, PIPELINE_DEPTH);
        g.throughput(Throughput::Bytes(stream.len() as u64));
        g.bench_function(name, |b| b.iter(|| drive(&mut RequestParser::new(), black_box(&stream), stream.len())));
    }
    g.finish();
}

fn incremental(c: &mut Criterion) {
    let mut g = c.benchmark_group("incremental");
    for (name, piece) in [("req_720_bytewise", 1usize), ("req_720_64b", 64), ("req_720_whole", HP_REQ.len())] {
        g.throughput(Throughput::Bytes(HP_REQ.len() as u64));
        g.bench_function(name, |b| b.iter(|| drive(&mut RequestParser::new(), black_box(HP_REQ), piece)));
    }
    let stream = repeat(HP_REQ, PIPELINE_DEPTH);
    g.throughput(Throughput::Bytes(stream.len() as u64));
    g.bench_function("pipeline_720_x256_1388b", |b| {
        b.iter(|| drive(&mut RequestParser::new(), black_box(&stream), 1388))
    });
    g.finish();
}

fn message(c: &mut Criterion) {
    let mut g = c.benchmark_group("message");
    // Bodiless: head, framing decision and the End event.
    for (name, input) in [("get_pico_703", PICO), ("get_720", HP_REQ), ("get_curl_74", CURL)] {
        g.throughput(Throughput::Bytes(input.len() as u64));
        g.bench_function(name, |b| b.iter(|| drive(&mut RequestParser::new(), black_box(input), input.len())));
    }
    let mut post = b"POST /upload HTTP/1.1\r\nHost: example.com\r\nContent-Length: 4096\r\n\r\n".to_vec();
    post.extend_from_slice(&[b'x'; 4096]);
    g.throughput(Throughput::Bytes(post.len() as u64));
    g.bench_function("post_length_4k", |b| b.iter(|| drive(&mut RequestParser::new(), black_box(&post), post.len())));
    let chunked = chunked_message(b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    g.throughput(Throughput::Bytes(chunked.len() as u64));
    g.bench_function("post_chunked_small", |b| {
        b.iter(|| drive(&mut RequestParser::new(), black_box(&chunked), chunked.len()))
    });
    g.finish();
}

fn chunked(c: &mut Criterion) {
    let mut g = c.benchmark_group("chunked");
    let inputs = [
        ("1m_in_16k", chunked_message(CHUNKED_1M_16K)),
        ("64k_in_16b", chunked_message(CHUNKED_64K_16B)),
        ("64k_in_1_to_31b", chunked_message(CHUNKED_64K_VAR)),
        ("64k_in_16b_with_extensions", chunked_message(&chunked_with_extensions())),
    ];
    // The extension input carries 80 KB of extensions; the default limit is 16 KiB.
    let cfg = Config { limits: Limits { chunk_extensions: 1 << 20, ..Limits::new() }, ..Config::new() };
    for (name, input) in &inputs {
        g.throughput(Throughput::Bytes(input.len() as u64));
        g.bench_function(*name, |b| {
            b.iter(|| drive(&mut RequestParser::with_config(cfg), black_box(input), input.len()))
        });
        g.bench_function(format!("{name}_batched"), |b| {
            b.iter(|| drive_batched(&mut RequestParser::with_config(cfg), black_box(input)))
        });
    }
    g.finish();
}

/// One whole message with `parse_data` (64 slices a call) for body data and
/// `parse` for everything else; returns the body length.
fn drive_batched(parser: &mut RequestParser, mut input: &[u8]) -> usize {
    let mut slices: [&[u8]; 64] = [&[]; 64];
    let mut body = 0;
    loop {
        let batch = parser.parse_data(input, &mut slices).expect("valid stream");
        input = &input[batch.consumed..];
        if batch.slices > 0 {
            body += black_box(&slices[..batch.slices]).iter().map(|s| s.len()).sum::<usize>();
            continue;
        }
        let progress = parser.parse(input).expect("valid stream");
        input = &input[progress.consumed..];
        match progress.event {
            Some(Event::Data(d)) => body += d.len(),
            Some(Event::End(_)) => return body,
            Some(_) => {}
            None => unreachable!("the whole message is given"),
        }
    }
}

fn config() -> Criterion {
    Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2))
}

criterion_group! {
    name = benches;
    config = config();
    targets = head, oneshot, header_count, value_length, pipeline, incremental, message, chunked
}
criterion_main!(benches);
