//! Parsing never allocates: a counting global allocator shows zero
//! allocations across the whole parse of every fixture case, every sample
//! stream and every fuzz seed, under strict rules and with every leniency on,
//! fed whole and one byte at a time.
//!
//! The stream is read into memory before the measured region; inside it the
//! caller's side does nothing that allocates either (it only counts events),
//! so any allocation counted is the parser's.
// A global allocator is an `unsafe impl`; this test file is its only user.
#![allow(unsafe_code)]

#[path = "support/fixture.rs"]
mod fixture;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::Path;

use h1parse::{Config, Event, Leniency, RequestParser, ResponseParser};

/// Counts allocations made by the current thread while it is armed.
struct Counting;

thread_local! {
    static ARMED: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

fn note() {
    // `try_with`: the thread-locals may already be gone while a thread exits.
    let armed = ARMED.try_with(Cell::get).unwrap_or(false);
    if armed {
        let _ = COUNT.try_with(|c| c.set(c.get() + 1));
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged, so `System`'s guarantees are passed on; the bookkeeping touches
// only const-initialised thread-locals, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract for `layout`.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        // SAFETY: the caller guarantees `ptr` came from this allocator (hence
        // from `System`) with `layout`, and that `new_size` is valid.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns its result with the number of allocations it made.
fn allocations<T>(f: impl FnOnce() -> T) -> (T, usize) {
    COUNT.with(|c| c.set(0));
    ARMED.with(|a| a.set(true));
    let out = f();
    ARMED.with(|a| a.set(false));
    (out, COUNT.with(Cell::get))
}

/// What a parse found, counted without allocating.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Tally {
    heads: usize,
    /// Header fields, read through the parser while the head is held.
    fields: usize,
    data: usize,
    trailers: usize,
    ends: usize,
    error: bool,
}

/// Feeds `stream[..k]` for growing `k` (steps of `step` bytes) the way a
/// caller with a pre-sized buffer does: the unconsumed bytes are a window of
/// the stream, nothing is copied.
macro_rules! parse_all {
    ($parser:expr, $stream:expr, $step:expr) => {{
        let (p, stream, step): (_, &[u8], usize) = ($parser, $stream, $step);
        let mut t = Tally::default();
        let mut start = 0;
        let mut end = 0;
        'feed: while end < stream.len() {
            end = (end + step).min(stream.len());
            loop {
                let Ok(progress) = p.parse(&stream[start..end]) else {
                    t.error = true;
                    break 'feed;
                };
                start += progress.consumed;
                match progress.event {
                    None => break,
                    Some(Event::Head(h)) => {
                        t.heads += 1;
                        t.fields += p.fields(&h).iter().map(|f| f.name.len() + f.value.len()).sum::<usize>();
                    }
                    Some(Event::Data(d)) => t.data += d.len(),
                    Some(Event::Trailers(f)) => t.trailers += p.trailers(&f).len(),
                    Some(Event::End(_)) => {
                        t.ends += 1;
                        if p.is_upgraded() {
                            break 'feed;
                        }
                    }
                }
            }
        }
        if p.finish().is_err() {
            t.error = true;
        }
        t
    }};
}

/// Parses `stream` four ways (strict and all leniencies, whole and one byte
/// at a time) and asserts none allocates; returns the strict whole tally.
fn assert_no_allocation(name: &str, stream: &[u8], response: Option<&[u8]>) -> Tally {
    let mut first = None;
    for leniency in [Leniency::NONE, Leniency::ALL] {
        let cfg = Config { leniency, ..Config::new() };
        for step in [stream.len().max(1), 1] {
            // Parsers are built outside the measured region, like the stream.
            let (tally, n) = match response {
                None => {
                    let mut p = RequestParser::with_config(cfg);
                    allocations(|| parse_all!(&mut p, stream, step))
                }
                Some(method) => {
                    let mut p = ResponseParser::with_config(cfg);
                    p.set_request_method(method);
                    allocations(|| parse_all!(&mut p, stream, step))
                }
            };
            assert_eq!(n, 0, "{name}: {n} allocations ({leniency:?}, pieces of {step})");
            first.get_or_insert(tally);
        }
    }
    first.unwrap_or_default()
}

#[test]
fn the_counter_counts() {
    let (v, n) = allocations(|| vec![1u8; 64]);
    assert_eq!((v.len(), n), (64, 1));
    let (_, n) = allocations(|| ());
    assert_eq!(n, 0);
}

#[test]
fn every_fixture_parses_without_allocating() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cases = 0;
    let mut heads = 0;
    for file in fixture::files(&root.join("tests/fixtures")) {
        for case in fixture::parse(&file) {
            let method = case.method.clone().unwrap_or_else(|| "GET".into());
            let response = case.response.then_some(method.as_bytes());
            let name = format!("{} / {}", file.display(), case.name);
            heads += assert_no_allocation(&name, &case.input, response).heads;
            cases += 1;
        }
    }
    assert!(cases >= 50, "expected the fixture cases, found {cases}");
    assert!(heads >= cases / 2, "most fixtures should parse a head ({heads} of {cases})");
}

#[test]
fn every_sample_and_seed_parses_without_allocating() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut streams = 0;
    for entry in std::fs::read_dir(root.join("samples")).expect("samples/") {
        let path = entry.expect("entry").path();
        let stream = std::fs::read(&path).expect("read sample");
        let response = stream.starts_with(b"HTTP/").then_some(&b"GET"[..]);
        let t = assert_no_allocation(&path.display().to_string(), &stream, response);
        assert!(!t.error && t.ends > 0, "{}: {t:?}", path.display());
        streams += 1;
    }
    // The fuzz seeds that are plain streams.
    for (dir, response) in [("request_stream", None), ("chunked_body", None), ("head_oneshot", None)] {
        let dir = root.join("fuzz/seeds").join(dir);
        for entry in std::fs::read_dir(&dir).expect("fuzz seeds") {
            let path = entry.expect("entry").path();
            let stream = std::fs::read(&path).expect("read seed");
            assert_no_allocation(&path.display().to_string(), &stream, response);
            streams += 1;
        }
    }
    // A long pipeline and a large chunked body, so every path runs many times.
    let mut pipeline = Vec::new();
    for i in 0..200 {
        pipeline.extend_from_slice(format!("GET /{i} HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc").as_bytes());
    }
    let t = assert_no_allocation("pipeline", &pipeline, None);
    assert_eq!((t.heads, t.ends, t.data, t.error), (200, 200, 600, false));
    let mut chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..100 {
        chunked.extend_from_slice(b"10;ext=\"v\"\r\n0123456789abcdef\r\n");
    }
    chunked.extend_from_slice(b"0\r\nT: v\r\n\r\n");
    let t = assert_no_allocation("chunked", &chunked, Some(b"GET"));
    assert_eq!((t.data, t.trailers, t.ends), (1600, 1, 1));
    assert!(streams >= 10);
}
