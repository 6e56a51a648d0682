//! h1parse's runners, driving the public API as a server or client would.
//!
//! A server keeps one `RequestParser` per connection: the request runners
//! take the connection's parser and go on until the call that yields `End`,
//! so a keep-alive connection is back at a head after each message. A client
//! without connection reuse builds a `ResponseParser` per response.

use std::hint::black_box;
use std::mem::MaybeUninit;

use h1parse::{Config, Disposition, Event, Header, Limits, Request, RequestParser, ResponseParser};

/// One whole message from `input` (head, framing, body events, `End`);
/// returns the bytes consumed. After `End(Close)` the next message comes on
/// a new connection, with a new parser.
#[inline(always)]
pub fn request_message<const N: usize>(parser: &mut RequestParser<N>, input: &[u8]) -> usize {
    let mut at = 0;
    loop {
        let progress = parser.parse(&input[at..]).expect("valid");
        at += progress.consumed;
        match progress.event {
            Some(Event::End(Disposition::Close)) => {
                *parser = RequestParser::with_capacity(Config::new());
                return at;
            }
            Some(Event::End(_)) => return at,
            Some(e) => {
                black_box(&e);
            }
            None => unreachable!("whole message given"),
        }
    }
}

/// A response head from a new parser, then what the client's read of 0
/// bytes would say (`finish`: `End` for a body delimited by the end of the
/// stream, `Incomplete` for the 535 B head, whose body is not part of the
/// input); returns the bytes consumed.
pub fn response_message<const N: usize>(input: &[u8]) -> usize {
    let mut parser = ResponseParser::<N>::with_capacity(Config::new());
    let mut at = 0;
    loop {
        let progress = parser.parse(&input[at..]).expect("valid");
        at += progress.consumed;
        match progress.event {
            Some(Event::End(_)) => return at,
            Some(e) => {
                black_box(&e);
            }
            None => {
                black_box(parser.finish().expect("valid"));
                return at;
            }
        }
    }
}

/// `stream` arriving `piece` bytes at a time; the caller's buffer is the
/// window of bytes received and not consumed. Returns the events seen.
pub fn drive<const N: usize>(parser: &mut RequestParser<N>, stream: &[u8], piece: usize) -> usize {
    let (mut start, mut received, mut events) = (0, 0, 0);
    while received < stream.len() {
        received = (received + piece).min(stream.len());
        loop {
            let progress = parser.parse(&stream[start..received]).expect("valid");
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

/// A configuration that allows the extension row's 80 KB of extensions.
pub fn chunked_config() -> Config {
    Config { limits: Limits { chunk_extensions: 1 << 20, ..Limits::new() }, ..Config::new() }
}

/// A head from a new parser, up to its `Head` event: the bytes consumed.
pub fn head_only<const N: usize>(parser: &mut RequestParser<N>, head: &[u8]) -> usize {
    let progress = parser.parse(head).expect("valid");
    black_box(&progress.event);
    progress.consumed
}

/// A chunked message, one `Data` event per call: the payload length.
pub fn chunked<const N: usize>(parser: &mut RequestParser<N>, message: &[u8]) -> usize {
    let mut input = message;
    let mut data = 0;
    loop {
        let progress = parser.parse(input).expect("valid");
        input = &input[progress.consumed..];
        match progress.event {
            Some(Event::Data(d)) => data += black_box(d).len(),
            Some(Event::End(_)) => return data,
            Some(_) => {}
            None => unreachable!("whole body given"),
        }
    }
}

/// A chunked message with `parse_data`, 64 slices a call, and `parse` for
/// the rest (head, last chunk, `End`): the payload length.
pub fn chunked_batched<const N: usize>(parser: &mut RequestParser<N>, message: &[u8]) -> usize {
    let mut input = message;
    let mut data = 0;
    let mut slices: [&[u8]; 64] = [&[]; 64];
    loop {
        let batch = parser.parse_data(input, &mut slices).expect("valid");
        input = &input[batch.consumed..];
        if batch.slices > 0 {
            data += black_box(&slices[..batch.slices]).iter().map(|s| s.len()).sum::<usize>();
            continue;
        }
        let progress = parser.parse(input).expect("valid");
        input = &input[progress.consumed..];
        match progress.event {
            Some(Event::Data(d)) => data += black_box(d).len(),
            Some(Event::End(_)) => return data,
            Some(_) => {}
            None => unreachable!("whole body given"),
        }
    }
}

/// The one-shot `Request` over a 100-slot array the caller initialised.
pub fn oneshot_init(input: &[u8]) -> usize {
    let mut headers = [Header::EMPTY; 100];
    let mut req = Request::new(&mut headers);
    let status = req.parse(input).expect("valid");
    black_box(&req);
    status.is_complete() as usize
}

/// The one-shot `Request` over 100 uninitialised slots.
pub fn oneshot_uninit(input: &[u8]) -> usize {
    let mut headers = [const { MaybeUninit::<Header<'_>>::uninit() }; 100];
    let mut req = Request::new(&mut []);
    let status = req.parse_uninit(input, &mut headers).expect("valid");
    black_box(&req);
    status.is_complete() as usize
}
