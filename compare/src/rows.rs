//! The rows: one input each, the same bytes through every parser. Timing
//! (`main.rs`) and instruction counts (`callgrind.sh`, through `--profile`)
//! run the same runners.

use std::hint::black_box;

use h1parse::{Config, RequestParser};

use crate::measure::Runner;
use crate::{h1, peers};

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
const CHUNKED_64K_VAR: &[u8] = include_bytes!("../../benches/data/chunked_64k_var.chunked");

/// Header slots every parser gets: enough for the inputs of a row.
const SMALL: usize = 16;
const LARGE: usize = 100;
/// Requests in a pipeline.
pub const DEPTH: usize = 256;

/// Who runs a runner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Peer {
    H1parse,
    Httparse,
    Pico,
    Ntex,
    /// Restoring the buffer pico decodes in place: subtracted from pico's figure.
    PicoCopy,
    /// h1parse's head of a chunked row: subtracted from h1parse's figure,
    /// which then is the body alone, as the peers' loops are.
    H1Head,
}

impl Peer {
    pub fn name(self) -> &'static str {
        match self {
            Peer::H1parse => "h1parse",
            Peer::Httparse => "httparse",
            Peer::Pico => "pico",
            Peer::Ntex => "ntex",
            Peer::PicoCopy => "pico-copy",
            Peer::H1Head => "h1parse-head",
        }
    }
}

/// One row of the table.
pub struct Row<'a> {
    /// Short name for `--only` and `--profile`.
    pub id: &'static str,
    pub name: String,
    /// Bytes of one call's input (for GB/s).
    pub bytes: usize,
    /// Messages per call: figures are per message.
    pub messages: usize,
    pub runners: Vec<(Peer, Runner<'a>)>,
    pub note: &'static str,
}

/// Buffers the rows borrow.
pub struct Inputs {
    pipeline703: Vec<u8>,
    pipeline720: Vec<u8>,
    /// (id per event, id batched, name, whole message, head length)
    chunked: Vec<(&'static str, &'static str, &'static str, Vec<u8>, usize)>,
}

impl Inputs {
    pub fn new() -> Self {
        let chunked = [
            ("chunked_16k", "chunked_16k_batched", "chunked: 1 MiB in 16 KiB chunks", CHUNKED_1M_16K.to_vec()),
            ("chunked_16b", "chunked_16b_batched", "chunked: 64 KiB in 16 B chunks", CHUNKED_64K_16B.to_vec()),
            ("chunked_var", "chunked_var_batched", "chunked: 64 KiB in chunks of 1-31 B", CHUNKED_64K_VAR.to_vec()),
            (
                "chunked_ext",
                "chunked_ext_batched",
                "chunked: 64 KiB in 16 B chunks with extensions",
                chunked_with_extensions(),
            ),
        ];
        Inputs {
            pipeline703: PICO.repeat(DEPTH),
            pipeline720: HP_REQ.repeat(DEPTH),
            chunked: chunked
                .into_iter()
                .map(|(id, batched_id, name, body)| {
                    let mut m =
                        b"POST /upload HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
                    let head = m.len();
                    m.extend_from_slice(&body);
                    (id, batched_id, name, m, head)
                })
                .collect(),
        }
    }
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

/// A request runner for h1parse with its connection's parser.
fn h1_conn<'a, const N: usize>(work: impl Fn(&mut RequestParser<N>) -> usize + 'a) -> Runner<'a> {
    let mut parser = RequestParser::<N>::with_capacity(Config::new());
    Box::new(move || work(&mut parser))
}

macro_rules! sized {
    ($many:expr, |$N:ident| $body:expr) => {
        if $many {
            const $N: usize = LARGE;
            $body
        } else {
            const $N: usize = SMALL;
            $body
        }
    };
}

/// Every row, in table order.
pub fn all(inputs: &Inputs) -> Vec<Row<'_>> {
    let mut rows = Vec::new();
    head_rows(&mut rows);
    stream_rows(&mut rows, inputs);
    chunked_rows(&mut rows, inputs);
    rows
}

fn head_rows(rows: &mut Vec<Row<'_>>) {
    let requests: [(&str, &str, &'static [u8]); 5] = [
        ("curl", "curl request", CURL),
        ("req_short", "short request (httparse REQ_SHORT)", HP_REQ_SHORT),
        ("req_703", "picohttpparser bench request", PICO),
        ("req_720", "httparse REQ", HP_REQ),
        ("many", "64-field request", MANY),
    ];
    for (id, name, input) in requests {
        let runners: Vec<(Peer, Runner<'_>)> = sized!(input.len() > 1000, |N| vec![
            (Peer::H1parse, h1_conn::<N>(move |p| h1::request_message(p, black_box(input)))),
            (Peer::Httparse, Box::new(move || peers::httparse::request::<N>(black_box(input)))),
            (Peer::Pico, Box::new(move || peers::pico::request::<N>(black_box(input)))),
            (Peer::Ntex, Box::new(move || peers::ntex::request::<N>(black_box(input)))),
        ]);
        rows.push(Row {
            id,
            name: format!("{name}, {} B", input.len()),
            bytes: input.len(),
            messages: 1,
            runners,
            note: "requests: h1parse keeps the connection's parser and goes on to the call that yields End",
        });
    }
    let responses: [(&str, &str, &'static [u8]); 3] = [
        ("resp_short", "short response (httparse RESP_SHORT)", HP_RESP_SHORT),
        ("resp_535", "google 301 response", RESP301),
        ("resp_699", "httparse RESP", HP_RESP),
    ];
    for (id, name, input) in responses {
        rows.push(Row {
            id,
            name: format!("{name}, {} B", input.len()),
            bytes: input.len(),
            messages: 1,
            runners: vec![
                (Peer::H1parse, Box::new(move || h1::response_message::<SMALL>(black_box(input)))),
                (Peer::Httparse, Box::new(move || peers::httparse::response::<SMALL>(black_box(input)))),
                (Peer::Pico, Box::new(move || peers::pico::response::<SMALL>(black_box(input)))),
                (Peer::Ntex, Box::new(move || peers::ntex::response::<SMALL>(black_box(input)))),
            ],
            note: "responses: h1parse builds a new parser per response, parses the head and calls finish",
        });
    }
}

/// Runners for requests back to back arriving `piece` bytes at a time.
fn drive_runners(stream: &[u8], piece: usize) -> Vec<(Peer, Runner<'_>)> {
    vec![
        (Peer::H1parse, h1_conn::<SMALL>(move |p| h1::drive(p, black_box(stream), piece))),
        (Peer::Httparse, Box::new(move || peers::httparse::drive::<SMALL>(black_box(stream), piece))),
        (Peer::Pico, Box::new(move || peers::pico::drive::<SMALL>(black_box(stream), piece))),
        (Peer::Ntex, Box::new(move || peers::ntex::drive::<SMALL>(black_box(stream), piece))),
    ]
}

fn stream_rows<'a>(rows: &mut Vec<Row<'a>>, inputs: &'a Inputs) {
    let p703 = &inputs.pipeline703[..];
    rows.push(Row {
        id: "pipeline_703",
        name: format!("pipeline: {DEPTH} x 703 B request, per request"),
        bytes: p703.len(),
        messages: DEPTH,
        runners: drive_runners(p703, p703.len()),
        note: "pipelines: h1parse drives the connection's parser over the whole buffer, the peers parse request after request",
    });
    for (id, name, piece) in [("bytewise", "one byte a call", 1usize), ("pieces_64", "64 B pieces", 64)] {
        rows.push(Row {
            id,
            name: format!("720 B request, {name}"),
            bytes: HP_REQ.len(),
            messages: 1,
            runners: drive_runners(HP_REQ, piece),
            note: "incremental: pico gets last_len, ntex saved state, httparse parses from the start each call",
        });
    }
    let p720 = &inputs.pipeline720[..];
    rows.push(Row {
        id: "segments_1388",
        name: format!("pipeline: {DEPTH} x 720 B request in 1388 B segments, per request"),
        bytes: p720.len(),
        messages: DEPTH,
        runners: drive_runners(p720, 1388),
        note: "incremental: pico gets last_len, ntex saved state, httparse parses from the start each call",
    });
}

fn chunked_rows<'a>(rows: &mut Vec<Row<'a>>, inputs: &'a Inputs) {
    for (per_event_id, batched_id, name, message, head) in &inputs.chunked {
        let body = &message[*head..];
        for (batch, how) in [(false, "per event"), (true, "batched")] {
            let id = if batch { *batched_id } else { *per_event_id };
            let new = || RequestParser::<SMALL>::with_capacity(h1::chunked_config());
            let h1: Runner<'a> = if batch {
                Box::new(move || h1::chunked_batched(&mut new(), black_box(message)))
            } else {
                Box::new(move || h1::chunked(&mut new(), black_box(message)))
            };
            let head = &message[..*head];
            let (mut scratch, mut copy) = (body.to_vec(), body.to_vec());
            rows.push(Row {
                id,
                name: format!("{name}, {} B, {how}", body.len()),
                bytes: body.len(),
                messages: 1,
                runners: vec![
                    (Peer::H1parse, h1),
                    (Peer::H1Head, Box::new(move || h1::head_only(&mut new(), black_box(head)))),
                    (Peer::Httparse, Box::new(move || peers::httparse::chunked(black_box(body)))),
                    (Peer::Pico, Box::new(move || peers::pico::chunked(black_box(body), &mut scratch))),
                    (Peer::Ntex, Box::new(move || peers::ntex::chunked(black_box(body)))),
                    (
                        Peer::PicoCopy,
                        Box::new(move || {
                            copy.copy_from_slice(black_box(body));
                            copy.len()
                        }),
                    ),
                ],
                note: "chunked: body alone (h1parse's head measured and subtracted); batched is parse_data with 64 slices a call; pico decodes in place (restoring its buffer measured and subtracted); httparse and ntex: a parse_chunk_size loop",
            });
        }
    }
}

/// h1parse against itself: (id, name, runner, baseline runner).
pub fn own(inputs: &Inputs) -> Vec<(&'static str, &'static str, Runner<'_>, Runner<'_>)> {
    let _ = inputs;
    vec![
        (
            "own_pieces",
            "720 B request: 64 B pieces / whole buffer",
            h1_conn::<SMALL>(|p| h1::drive(p, black_box(HP_REQ), 64)),
            h1_conn::<SMALL>(|p| h1::drive(p, black_box(HP_REQ), HP_REQ.len())),
        ),
        (
            "own_oneshot_curl",
            "one-shot Request, 100 slots, curl request: uninitialised / initialised",
            Box::new(|| h1::oneshot_uninit(black_box(CURL))),
            Box::new(|| h1::oneshot_init(black_box(CURL))),
        ),
        (
            "own_oneshot_703",
            "one-shot Request, 100 slots, 703 B request: uninitialised / initialised",
            Box::new(|| h1::oneshot_uninit(black_box(PICO))),
            Box::new(|| h1::oneshot_init(black_box(PICO))),
        ),
    ]
}

/// The floor rows (AVX2 only): (id, name, runner).
pub fn floors() -> Vec<(&'static str, String, Runner<'static>)> {
    if !peers::floor::limit_available() {
        return Vec::new();
    }
    let mut v: Vec<(&'static str, String, Runner<'static>)> = vec![(
        "floor_pass",
        "one AVX2 pass classifying every byte (line ends, forbidden bytes), 703 B request".to_string(),
        Box::new(|| peers::floor::limit_pass(black_box(PICO))),
    )];
    for (id, name, input) in
        [("floor_curl", "curl", CURL), ("floor_703", "703 B", PICO), ("floor_many", "64-field", MANY)]
    {
        let runner: Runner<'static> =
            sized!(input.len() > 1000, |N| Box::new(move || { peers::floor::line_walk::<N>(black_box(input)) }));
        v.push((id, format!("field lines from AVX2 CR and colon masks, nothing validated, {name} request"), runner));
    }
    for (id, name, input) in [("valid_curl", "curl", CURL), ("valid_703", "703 B", PICO), ("valid_many", "64-field", MANY)] {
        let runner: Runner<'static> =
            sized!(input.len() > 1000, |N| Box::new(move || { peers::floor::valid_walk::<N>(black_box(input)) }));
        v.push((id, format!("the walk over the block masks, validating, nothing else, {name} request"), runner));
    }
    v
}
