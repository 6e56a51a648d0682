//! The peers' runners (httparse, picohttpparser) and the limit pass.
//!
//! Each does what its library's documentation says a caller does, with the
//! fastest option it offers: uninitialised header storage where the API
//! allows it, `last_len` for picohttpparser's incremental parsing.

use std::hint::black_box;
use std::mem::MaybeUninit;

use picohttpparser_sys as pico;

pub fn httparse_request<const N: usize>(input: &[u8]) -> usize {
    let mut headers = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; N];
    let mut req = httparse::Request::new(&mut []);
    match req.parse_with_uninit_headers(input, &mut headers) {
        Ok(httparse::Status::Complete(n)) => n,
        other => panic!("httparse: {other:?}"),
    }
}

pub fn httparse_response<const N: usize>(input: &[u8]) -> usize {
    let mut headers = [httparse::EMPTY_HEADER; N];
    let mut res = httparse::Response::new(&mut headers);
    match res.parse(input) {
        Ok(httparse::Status::Complete(n)) => n,
        other => panic!("httparse: {other:?}"),
    }
}

/// Requests back to back in one buffer.
pub fn httparse_pipeline<const N: usize>(stream: &[u8]) -> usize {
    let mut at = 0;
    let mut count = 0;
    while at < stream.len() {
        at += httparse_request::<N>(&stream[at..]);
        count += 1;
    }
    count
}

/// One request arriving `piece` bytes at a time: httparse has no memory of
/// earlier calls, so each call parses from the first byte again.
pub fn httparse_pieces<const N: usize>(input: &[u8], piece: usize) -> usize {
    let mut received = 0;
    loop {
        received = (received + piece).min(input.len());
        let mut headers = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; N];
        let mut req = httparse::Request::new(&mut []);
        match req.parse_with_uninit_headers(&input[..received], &mut headers) {
            Ok(httparse::Status::Complete(n)) => return n,
            Ok(httparse::Status::Partial) => {}
            Err(e) => panic!("httparse: {e:?}"),
        }
    }
}

/// A pipeline arriving in `segment`-byte reads.
pub fn httparse_segments<const N: usize>(stream: &[u8], segment: usize) -> usize {
    let (mut start, mut received, mut count) = (0, 0, 0);
    while received < stream.len() {
        received = (received + segment).min(stream.len());
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
pub fn httparse_chunked(body: &[u8]) -> usize {
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

/// `phr_parse_request` on `input[..len]` with `last_len`; returns its result.
fn pico_parse_request<const N: usize>(input: &[u8], last_len: usize) -> i32 {
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

pub fn pico_request<const N: usize>(input: &[u8], last_len: usize) -> usize {
    let r = pico_parse_request::<N>(input, last_len);
    assert!(r > 0, "pico: {r}");
    r as usize
}

pub fn pico_response<const N: usize>(input: &[u8]) -> usize {
    let mut minor = 0;
    let mut status = 0;
    let mut msg = std::ptr::null();
    let mut msg_len = 0;
    let mut headers = [const { MaybeUninit::<pico::phr_header>::uninit() }; N];
    let mut num_headers = N;
    // SAFETY: as in `pico_parse_request`.
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

pub fn pico_pipeline<const N: usize>(stream: &[u8]) -> usize {
    let mut at = 0;
    let mut count = 0;
    while at < stream.len() {
        at += pico_request::<N>(&stream[at..], 0);
        count += 1;
    }
    count
}

/// One request arriving `piece` bytes at a time, with `last_len` so pico
/// only looks for the end of the head in the new bytes.
pub fn pico_pieces<const N: usize>(input: &[u8], piece: usize) -> usize {
    let mut received = 0;
    let mut last_len = 0;
    loop {
        received = (received + piece).min(input.len());
        let r = pico_parse_request::<N>(&input[..received], last_len);
        match r {
            -2 => last_len = received,
            n if n > 0 => return n as usize,
            e => panic!("pico: {e}"),
        }
    }
}

pub fn pico_segments<const N: usize>(stream: &[u8], segment: usize) -> usize {
    let (mut start, mut received, mut count, mut last_len) = (0, 0, 0, 0);
    while received < stream.len() {
        received = (received + segment).min(stream.len());
        loop {
            match pico_parse_request::<N>(&stream[start..received], last_len) {
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
pub fn pico_chunked(body: &[u8], scratch: &mut [u8]) -> usize {
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

pub fn limit_available() -> bool {
    std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("popcnt")
}

/// One AVX2 pass over `buf` that classifies every byte — line ends (LF) and
/// bytes forbidden in a head (CTLs other than HTAB, and DEL; CR counts here
/// too) — and does nothing else. Returns how many it found, so the pass
/// cannot be optimised away.
pub fn limit_pass(buf: &[u8]) -> usize {
    assert!(limit_available());
    // SAFETY: AVX2 and POPCNT were checked just above.
    unsafe { limit_avx2(buf) }
}

// popcnt: every AVX2 CPU has it; without it `count_ones` is a slow software loop.
#[target_feature(enable = "avx2,popcnt")]
unsafe fn limit_avx2(buf: &[u8]) -> usize {
    use std::arch::x86_64::*;
    let mut found = 0u32;
    let mut chunks = buf.chunks_exact(32);
    let ctl_max = _mm256_set1_epi8(0x1f);
    let htab = _mm256_set1_epi8(b'\t' as i8);
    let del = _mm256_set1_epi8(0x7f);
    let lf = _mm256_set1_epi8(b'\n' as i8);
    for c in &mut chunks {
        // SAFETY: `c` has 32 readable bytes.
        let v = unsafe { _mm256_loadu_si256(c.as_ptr().cast()) };
        let ctl = _mm256_cmpeq_epi8(_mm256_min_epu8(v, ctl_max), v);
        let bad = _mm256_or_si256(_mm256_xor_si256(ctl, _mm256_cmpeq_epi8(v, htab)), _mm256_cmpeq_epi8(v, del));
        let ends = _mm256_cmpeq_epi8(v, lf);
        found += (_mm256_movemask_epi8(bad) as u32).count_ones() + (_mm256_movemask_epi8(ends) as u32).count_ones();
    }
    let rest = chunks.remainder().iter().filter(|&&b| b == b'\n' || (b < 0x20 && b != b'\t') || b == 0x7f).count();
    found as usize + rest
}

/// A floor for any parser that finds field lines from bitmasks (h1parse's
/// design), in two passes as simdjson-style parsers do: every 64-byte block
/// turned into "CR" and "colon" masks with AVX2, then the set bits walked in
/// order (a trailing-zero count and clearing the lowest bit; no search per
/// line) to store each field's four offsets. Nothing else: no byte is
/// checked against the token or field-value classes, no limit, no OWS
/// beyond one SP, no known field read, the request line only skipped. A
/// parser that validates cannot beat it. Heads up to 2 KiB; returns the
/// head length.
pub fn line_walk<const N: usize>(buf: &[u8]) -> usize {
    assert!(limit_available() && buf.len() <= 2048);
    // SAFETY: AVX2 and POPCNT were checked just above.
    unsafe { line_walk_avx2::<N>(buf) }
}

/// The set bits of one mask per 64-byte block, in order, as byte offsets.
struct Bits<'m> {
    masks: &'m [u64],
    block: usize,
    rest: u64,
}

impl Bits<'_> {
    #[inline(always)]
    fn next(&mut self) -> usize {
        while self.rest == 0 {
            self.block += 1;
            match self.masks.get(self.block) {
                Some(&m) => self.rest = m,
                None => return usize::MAX,
            }
        }
        let at = self.block * 64 + self.rest.trailing_zeros() as usize;
        self.rest &= self.rest - 1;
        at
    }
}

#[target_feature(enable = "avx2,popcnt")]
unsafe fn line_walk_avx2<const N: usize>(buf: &[u8]) -> usize {
    use std::arch::x86_64::*;
    // Pass 1: CR and colon masks of every block; zero past the end.
    let blocks = buf.len().div_ceil(64);
    let (mut cr_masks, mut colon_masks) = ([0u64; 32], [0u64; 32]);
    for k in 0..blocks {
        let mut padded = [0u8; 64];
        let src = &buf[k * 64..];
        let block: &[u8] = if src.len() >= 64 {
            &src[..64]
        } else {
            padded[..src.len()].copy_from_slice(src);
            &padded
        };
        // SAFETY: `block` has 64 readable bytes.
        let (lo, hi) =
            unsafe { (_mm256_loadu_si256(block.as_ptr().cast()), _mm256_loadu_si256(block[32..].as_ptr().cast())) };
        let (cr, colon) = (_mm256_set1_epi8(b'\r' as i8), _mm256_set1_epi8(b':' as i8));
        let cr_lo = _mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, cr)) as u32;
        let cr_hi = _mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, cr)) as u32;
        let colon_lo = _mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, colon)) as u32;
        let colon_hi = _mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, colon)) as u32;
        cr_masks[k] = u64::from(cr_lo) | u64::from(cr_hi) << 32;
        colon_masks[k] = u64::from(colon_lo) | u64::from(colon_hi) << 32;
    }
    // Pass 2: one CR per line; a line's colon is the first one after its start.
    let mut crs = Bits { masks: &cr_masks[..blocks], block: 0, rest: cr_masks[0] };
    let mut colons = Bits { masks: &colon_masks[..blocks], block: 0, rest: colon_masks[0] };
    let mut spans = [(0u32, 0u32, 0u32, 0u32); N];
    let mut n = 0;
    let mut start = crs.next().saturating_add(2);
    let mut colon = colons.next();
    while start < buf.len() && buf.get(start) != Some(&b'\r') {
        let cr = crs.next();
        while colon < start {
            colon = colons.next();
        }
        let value = colon + 1 + usize::from(buf.get(colon + 1) == Some(&b' '));
        if n < N {
            spans[n] = (start as u32, colon as u32, value as u32, cr as u32);
            n += 1;
        }
        start = cr.saturating_add(2);
    }
    black_box(&spans);
    start + 2
}
