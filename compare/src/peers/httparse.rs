//! httparse 1.x: the one-shot parser with uninitialised header storage (its
//! fastest entry point); no memory between calls, so a head in pieces is
//! parsed from its first byte on every call.

use std::hint::black_box;
use std::mem::MaybeUninit;

pub fn request<const N: usize>(input: &[u8]) -> usize {
    let mut headers = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; N];
    let mut req = httparse::Request::new(&mut []);
    match req.parse_with_uninit_headers(input, &mut headers) {
        Ok(httparse::Status::Complete(n)) => n,
        other => panic!("httparse: {other:?}"),
    }
}

pub fn response<const N: usize>(input: &[u8]) -> usize {
    // httparse has no uninitialised entry point for responses.
    let mut headers = [httparse::EMPTY_HEADER; N];
    let mut res = httparse::Response::new(&mut headers);
    match res.parse(input) {
        Ok(httparse::Status::Complete(n)) => n,
        other => panic!("httparse: {other:?}"),
    }
}

/// Requests back to back arriving in `piece`-byte reads; returns how many.
/// A head not complete yet is parsed again from its first byte next time.
pub fn drive<const N: usize>(stream: &[u8], piece: usize) -> usize {
    let (mut start, mut received, mut count) = (0, 0, 0);
    while received < stream.len() {
        received = (received + piece).min(stream.len());
        loop {
            let mut headers = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; N];
            let mut req = httparse::Request::new(&mut []);
            match req.parse_with_uninit_headers(&stream[start..received], &mut headers) {
                Ok(httparse::Status::Complete(n)) => {
                    start += n;
                    count += 1;
                }
                Ok(httparse::Status::Partial) => break,
                Err(e) => panic!("httparse: {e:?}"),
            }
        }
    }
    count
}

/// A chunked body through `httparse::parse_chunk_size`: size line, skip the
/// data, check its CRLF; returns the payload length.
pub fn chunked(body: &[u8]) -> usize {
    let mut at = 0;
    let mut total = 0;
    loop {
        match httparse::parse_chunk_size(&body[at..]) {
            Ok(httparse::Status::Complete((line, 0))) => {
                assert_eq!(&body[at + line..at + line + 2], b"\r\n");
                return total;
            }
            Ok(httparse::Status::Complete((line, size))) => {
                let size = size as usize;
                black_box(&body[at + line..at + line + size]);
                assert_eq!(&body[at + line + size..at + line + size + 2], b"\r\n");
                total += size;
                at += line + size + 2;
            }
            other => panic!("httparse chunk: {other:?}"),
        }
    }
}
