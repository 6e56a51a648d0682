//! The part of the read loop both connection loops share (the std one in
//! `conn.rs` and the tokio one in `async-server/`): one parser call, its
//! event turned into an owned [`Step`] before the buffer is touched again.
//! Every use of h1parse's events is here.

use std::time::Instant;

use h1parse::{Disposition, Event, RequestParser};

use super::response::Reply;
use super::routes::{self, RequestInfo, UploadKind};
use super::store::{Upload, WriteError};

/// A request whose head has been read and whose response is not written yet.
#[derive(Debug)]
pub struct Exchange {
    /// What the server kept of the head.
    pub req: RequestInfo,
    /// What the request does.
    pub work: Work,
    /// When the head arrived (for the minimum body rate).
    pub started: Instant,
    /// Body bytes so far.
    pub body_len: u64,
    /// Names of the trailer fields.
    pub trailers: Vec<String>,
}

impl Exchange {
    /// A request whose head just arrived.
    pub fn new(req: RequestInfo, work: Work) -> Exchange {
        Exchange { req, work, started: Instant::now(), body_len: 0, trailers: Vec::new() }
    }
}

/// What a request does while its body arrives.
#[derive(Debug)]
pub enum Work {
    /// Answer with this once the message ends (a body is discarded).
    Respond(Reply),
    /// Stream the body into this upload.
    Upload(Upload, UploadKind),
    /// `GET /events`, at most this many events if given.
    Events(Option<u64>),
}

/// Whether a connection goes on after a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Go on with the next step.
    Continue,
    /// Stop: the peer closed, was too slow, or a response ended with
    /// `Connection: close`.
    Stop,
}

/// What one parser call produced, owned, so the buffer can be refilled.
#[derive(Debug)]
pub enum Step {
    /// Every byte given is validated: read more.
    NeedMore,
    /// A head arrived.
    Head(RequestInfo),
    /// Body data was stored or discarded; `Err`: refuse the request now.
    Data(Result<(), Reply>),
    /// The trailer section arrived (its names are in the exchange).
    Trailers,
    /// The message ended.
    End(Disposition),
    /// The input is not HTTP/1.1 as the parser accepts it: answer and close.
    Failed(h1parse::Error),
}

/// Parses `input` once. Returns the step and how many bytes of `input` to
/// drop. Body data goes to the exchange's upload through `store` while it is
/// still a slice of `input` (the async loop wraps the write in
/// `block_in_place`); at most `max_body` bytes are accepted.
pub fn parse_step(
    parser: &mut RequestParser,
    input: &[u8],
    exchange: Option<&mut Exchange>,
    max_body: u64,
    store: impl FnOnce(&mut Upload, &[u8]) -> Result<(), WriteError>,
) -> (Step, usize) {
    let progress = match parser.parse(input) {
        Ok(p) => p,
        Err(e) => return (Step::Failed(e), 0),
    };
    let step = match progress.event {
        None => Step::NeedMore,
        Some(Event::Head(head)) => Step::Head(RequestInfo::from_head(&head, parser.fields(&head))),
        Some(Event::Data(data)) => Step::Data(body_data(exchange, data, max_body, store)),
        Some(Event::Trailers(trailers)) => {
            if let Some(ex) = exchange {
                ex.trailers.extend(parser.trailers(&trailers).iter().map(|f| f.name_str().to_string()));
            }
            Step::Trailers
        }
        // An `Upgrade` request or a CONNECT: this server speaks no other
        // protocol, so it answers in HTTP/1.1 and goes on reading HTTP/1.1
        // (RFC 9110 7.8: a server may ignore Upgrade).
        Some(Event::End(Disposition::Upgrade)) => Step::End(parser.decline_upgrade().unwrap_or(Disposition::Close)),
        Some(Event::End(d)) => Step::End(d),
    };
    (step, progress.consumed)
}

/// Body bytes: count them against the limit and store or discard them.
fn body_data(
    exchange: Option<&mut Exchange>,
    data: &[u8],
    max_body: u64,
    store: impl FnOnce(&mut Upload, &[u8]) -> Result<(), WriteError>,
) -> Result<(), Reply> {
    let Some(ex) = exchange else {
        return Ok(());
    };
    ex.body_len += data.len() as u64;
    if ex.body_len > max_body {
        return Err(routes::too_large(max_body));
    }
    match &mut ex.work {
        Work::Upload(up, _) => store(up, data).map_err(|e| match e {
            WriteError::Full => routes::storage_full(),
            WriteError::Io(e) => Reply::internal(&e),
        }),
        Work::Respond(_) | Work::Events(_) => Ok(()),
    }
}
