//! picohttpparser (C, SSE4.2) through picohttpparser-sys: `last_len` for a
//! head that arrives in pieces, `phr_decode_chunked` for chunked bodies.

use std::hint::black_box;
use std::mem::MaybeUninit;

use picohttpparser_sys as pico;

/// `phr_parse_request` on `input[..len]` with `last_len`; returns its result.
fn parse_request<const N: usize>(input: &[u8], last_len: usize) -> i32 {
    let mut method = std::ptr::null();
    let mut method_len = 0;
    let mut path = std::ptr::null();
    let mut path_len = 0;
    let mut minor = 0;
    let mut headers = [const { MaybeUninit::<pico::phr_header>::uninit() }; N];
    let mut num_headers = N;
    // SAFETY: every pointer is valid for the call; `headers` has `num_headers`
    // slots, which picohttpparser only writes.
    unsafe {
        pico::phr_parse_request(
            input.as_ptr().cast(),
            input.len(),
            &mut method,
            &mut method_len,
            &mut path,
            &mut path_len,
            &mut minor,
            headers.as_mut_ptr().cast(),
            &mut num_headers,
            last_len,
        )
    }
}

pub fn request<const N: usize>(input: &[u8]) -> usize {
    let r = parse_request::<N>(input, 0);
    assert!(r > 0, "pico: {r}");
    r as usize
}

pub fn response<const N: usize>(input: &[u8]) -> usize {
    let mut minor = 0;
    let mut status = 0;
    let mut msg = std::ptr::null();
    let mut msg_len = 0;
    let mut headers = [const { MaybeUninit::<pico::phr_header>::uninit() }; N];
    let mut num_headers = N;
    // SAFETY: as in `parse_request`.
    let r = unsafe {
        pico::phr_parse_response(
            input.as_ptr().cast(),
            input.len(),
            &mut minor,
            &mut status,
            &mut msg,
            &mut msg_len,
            headers.as_mut_ptr().cast(),
            &mut num_headers,
            0,
        )
    };
    assert!(r > 0, "pico: {r}");
    r as usize
}

/// Requests back to back arriving in `piece`-byte reads, with `last_len` so
/// pico only looks for the end of a head in the new bytes; returns how many.
pub fn drive<const N: usize>(stream: &[u8], piece: usize) -> usize {
    let (mut start, mut received, mut count, mut last_len) = (0, 0, 0, 0);
    while received < stream.len() {
        received = (received + piece).min(stream.len());
        loop {
            match parse_request::<N>(&stream[start..received], last_len) {
                -2 => {
                    last_len = received - start;
                    break;
                }
                n if n > 0 => {
                    start += n as usize;
                    count += 1;
                    last_len = 0;
                }
                e => panic!("pico: {e}"),
            }
        }
    }
    count
}

/// `phr_decode_chunked` in place on a copy of `body` (the caller's scratch
/// buffer, restored first: the copy's cost is measured separately and
/// subtracted). Returns the decoded length.
pub fn chunked(body: &[u8], scratch: &mut [u8]) -> usize {
    scratch.copy_from_slice(black_box(body));
    // SAFETY: the struct is plain data and "should be zero-filled before start".
    let mut decoder: pico::phr_chunked_decoder = unsafe { std::mem::zeroed() };
    decoder.consume_trailer = 1;
    let mut size = scratch.len();
    // SAFETY: `scratch` is valid for reads and writes of `size` bytes.
    let r = unsafe { pico::phr_decode_chunked(&mut decoder, scratch.as_mut_ptr().cast(), &mut size) };
    assert!(r >= 0, "pico chunked: {r}");
    size
}
