//! ntex-httparse 2.x, the resumable httparse fork used by ntex: the start
//! line, then one field line per call, each kept as positions; with a
//! `State` per part, a head in pieces resumes where it stopped.

use std::hint::black_box;
use std::mem::MaybeUninit;

use ntex_httparse::{Header, HeaderParsed, Request, Response, SlicePos, State, Status};

/// A field's name and value as positions in the head buffer.
type Field = (SlicePos, SlicePos);

/// The field lines from `buf[at..]` to the end of the head, stored as the
/// caller of a one-shot parse would; returns the head length.
#[inline(always)]
fn fields<const N: usize>(buf: &[u8], mut at: usize) -> usize {
    let mut stored = [const { MaybeUninit::<Field>::uninit() }; N];
    let mut n = 0;
    let mut header = Header::default();
    loop {
        match header.parse(&buf[at..]) {
            Ok(Status::Complete(HeaderParsed::Header(len))) => {
                let shift = |p: SlicePos| SlicePos { start: p.start + at, end: p.end + at };
                stored[n].write((shift(header.name), shift(header.value)));
                n += 1;
                at += len;
            }
            Ok(Status::Complete(HeaderParsed::Eof(len))) => {
                black_box(&stored[..n]);
                return at + len;
            }
            other => panic!("ntex-httparse: {other:?}"),
        }
    }
}

pub fn request<const N: usize>(input: &[u8]) -> usize {
    let mut req = Request::default();
    match req.parse(input) {
        Ok(Status::Complete(line)) => {
            black_box(&req);
            fields::<N>(input, line)
        }
        other => panic!("ntex-httparse: {other:?}"),
    }
}

pub fn response<const N: usize>(input: &[u8]) -> usize {
    let mut res = Response::default();
    match res.parse(input) {
        Ok(Status::Complete(line)) => {
            black_box(&res);
            fields::<N>(input, line)
        }
        other => panic!("ntex-httparse: {other:?}"),
    }
}

/// Where a request being received has got to.
struct Progress<const N: usize> {
    state: State,
    line_done: bool,
    /// Start of the next part (the field line being parsed), from the head start.
    at: usize,
    stored: [MaybeUninit<Field>; N],
    n: usize,
}

impl<const N: usize> Progress<N> {
    fn new() -> Self {
        Progress {
            state: State::default(),
            line_done: false,
            at: 0,
            stored: [const { MaybeUninit::uninit() }; N],
            n: 0,
        }
    }

    /// Goes on with `head` (the bytes of this request received so far);
    /// the head length once complete.
    #[inline(always)]
    fn resume(&mut self, head: &[u8], req: &mut Request, header: &mut Header) -> Option<usize> {
        if !self.line_done {
            match req.parse_with_state(head, &mut self.state) {
                Ok(Status::Complete(line)) => {
                    black_box(&*req);
                    (self.line_done, self.at, self.state) = (true, line, State::default());
                }
                Ok(Status::Partial) => return None,
                Err(e) => panic!("ntex-httparse: {e:?}"),
            }
        }
        loop {
            let at = self.at;
            match header.parse_with_state(&head[at..], &mut self.state) {
                Ok(Status::Complete(HeaderParsed::Header(len))) => {
                    let shift = |p: SlicePos| SlicePos { start: p.start + at, end: p.end + at };
                    self.stored[self.n].write((shift(header.name), shift(header.value)));
                    self.n += 1;
                    self.at += len;
                    self.state = State::default();
                }
                Ok(Status::Complete(HeaderParsed::Eof(len))) => {
                    black_box(&self.stored[..self.n]);
                    return Some(self.at + len);
                }
                Ok(Status::Partial) => return None,
                Err(e) => panic!("ntex-httparse: {e:?}"),
            }
        }
    }
}

/// Requests back to back arriving in `piece`-byte reads, each resumed where
/// it stopped; returns how many.
pub fn drive<const N: usize>(stream: &[u8], piece: usize) -> usize {
    let (mut start, mut received, mut count) = (0, 0, 0);
    let mut progress = Progress::<N>::new();
    let (mut req, mut header) = (Request::default(), Header::default());
    while received < stream.len() {
        received = (received + piece).min(stream.len());
        while let Some(len) = progress.resume(&stream[start..received], &mut req, &mut header) {
            start += len;
            count += 1;
            progress = Progress::new();
        }
    }
    count
}

/// A chunked body through `ntex_httparse::parse_chunk_size`, as the
/// httparse runner does.
pub fn chunked(body: &[u8]) -> usize {
    let mut at = 0;
    let mut total = 0;
    loop {
        match ntex_httparse::parse_chunk_size(&body[at..]) {
            Ok(Status::Complete((line, 0))) => {
                assert_eq!(&body[at + line..at + line + 2], b"\r\n");
                return total;
            }
            Ok(Status::Complete((line, size))) => {
                let size = size as usize;
                black_box(&body[at + line..at + line + size]);
                assert_eq!(&body[at + line + size..at + line + size + 2], b"\r\n");
                total += size;
                at += line + size + 2;
            }
            other => panic!("ntex-httparse chunk: {other:?}"),
        }
    }
}
