//! The one-shot head API, shaped like httparse's so moving over takes minutes.
//!
//! The caller owns the buffer and the header storage; the result borrows both.
//! Each call parses `buf` from its first byte, so this API suits callers that
//! have the whole head at once. A caller whose bytes arrive in pieces should
//! use [`RequestParser`](crate::RequestParser), which never validates a byte
//! twice. Only the head's syntax is checked here; the framing rules
//! (Content-Length, Transfer-Encoding, Host) belong to the message parser.

use super::machine::{HeadMachine, Section};
use super::{FieldSink, FieldSpan, FieldWriter, Header, Pushed, StartLine, slice};
use crate::config::Config;
use crate::error::{Error, ErrorKind, Fault};
use crate::uninit::{Prefix, Pusher};
use crate::version::Version;
use core::mem::MaybeUninit;

/// Whether a head was complete.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status<T> {
    /// The head is complete; the value is its length in bytes.
    Complete(T),
    /// Every byte given is valid, but the head is not complete yet.
    Partial,
}

impl<T> Status<T> {
    /// True for `Complete`.
    pub fn is_complete(&self) -> bool {
        matches!(self, Status::Complete(_))
    }
}

/// Writes fields straight into the caller's storage.
struct Storage<'h, 'b> {
    headers: &'h mut [Header<'b>],
    len: usize,
    /// `cfg.limits.headers`.
    limit: usize,
}

impl<'b> FieldSink<'b> for Storage<'_, 'b> {
    fn start_line(&mut self, _buf: &'b [u8], _start: &StartLine) {}

    fn field(&mut self, buf: &'b [u8], span: FieldSpan) -> Result<(), Fault> {
        let Some(slot) = self.headers.get_mut(self.len).filter(|_| self.len < self.limit) else {
            return Err(Fault::new(ErrorKind::TooManyHeaders, span.name.0 as usize));
        };
        *slot = Header { name: slice(buf, span.name), value: slice(buf, span.value) };
        self.len += 1;
        Ok(())
    }

    fn reset(&mut self) {
        self.len = 0;
    }

    fn count(&self) -> usize {
        self.len
    }

    type Writer<'w>
        = StorageWriter<'w, 'b>
    where
        Self: 'w;

    #[inline(always)]
    fn writer(&mut self) -> StorageWriter<'_, 'b> {
        let (len, cap) = (self.len, self.limit.min(self.headers.len()));
        StorageWriter { headers: &mut *self.headers, len, cap, owner_len: &mut self.len }
    }
}

/// [`Storage`]'s writer: the count in a local, written back when dropped.
struct StorageWriter<'w, 'b> {
    headers: &'w mut [Header<'b>],
    len: usize,
    cap: usize,
    owner_len: &'w mut usize,
}

impl<'b> FieldWriter<'b> for StorageWriter<'_, 'b> {
    #[inline(always)]
    fn push(&mut self, buf: &'b [u8], span: FieldSpan) -> Pushed {
        match self.headers.get_mut(self.len).filter(|_| self.len < self.cap) {
            Some(slot) => {
                *slot = Header { name: slice(buf, span.name), value: slice(buf, span.value) };
                self.len += 1;
                Pushed::Stored
            }
            None => Pushed::Full,
        }
    }

    fn read(&mut self, _buf: &'b [u8], _span: FieldSpan) -> Result<(), Fault> {
        Ok(())
    }
}

impl Drop for StorageWriter<'_, '_> {
    #[inline(always)]
    fn drop(&mut self) {
        *self.owner_len = self.len;
    }
}

/// Writes fields into the caller's uninitialised storage: a slot is written
/// when a field is stored in it, never before.
struct UninitStorage<'h, 'b> {
    slots: Prefix<'h, Header<'b>>,
    /// `cfg.limits.headers`.
    limit: usize,
}

impl<'b> FieldSink<'b> for UninitStorage<'_, 'b> {
    fn start_line(&mut self, _buf: &'b [u8], _start: &StartLine) {}

    fn field(&mut self, buf: &'b [u8], span: FieldSpan) -> Result<(), Fault> {
        let header = Header { name: slice(buf, span.name), value: slice(buf, span.value) };
        if self.slots.len() >= self.limit || self.slots.push(header).is_err() {
            return Err(Fault::new(ErrorKind::TooManyHeaders, span.name.0 as usize));
        }
        Ok(())
    }

    fn reset(&mut self) {
        self.slots.clear();
    }

    fn count(&self) -> usize {
        self.slots.len()
    }

    type Writer<'w>
        = HeaderPusher<'w, 'b>
    where
        Self: 'w;

    #[inline(always)]
    fn writer(&mut self) -> HeaderPusher<'_, 'b> {
        HeaderPusher(self.slots.pusher(self.limit))
    }
}

/// [`UninitStorage`]'s writer.
struct HeaderPusher<'w, 'b>(Pusher<'w, Header<'b>>);

impl<'b> FieldWriter<'b> for HeaderPusher<'_, 'b> {
    #[inline(always)]
    fn push(&mut self, buf: &'b [u8], span: FieldSpan) -> Pushed {
        match self.0.push(Header { name: slice(buf, span.name), value: slice(buf, span.value) }) {
            Ok(()) => Pushed::Stored,
            Err(_) => Pushed::Full,
        }
    }

    fn read(&mut self, _buf: &'b [u8], _span: FieldSpan) -> Result<(), Fault> {
        Ok(())
    }
}

/// The machine that ran and the head's length when it is complete.
type Parsed = Result<(HeadMachine, Option<usize>), Error>;

/// As [`parse_head`], storing fields in uninitialised slots; also returns
/// the fields stored (all of them when complete, those found so far
/// otherwise).
fn parse_head_uninit<'h, 'b>(
    section: Section,
    buf: &'b [u8],
    cfg: &Config,
    headers: &'h mut [MaybeUninit<Header<'b>>],
) -> (Parsed, &'h mut [Header<'b>]) {
    let mut machine = HeadMachine::new(section, cfg);
    let mut sink = UninitStorage { slots: Prefix::new(headers), limit: usize::from(cfg.limits.headers) };
    let result = machine.advance(buf, cfg, &mut sink);
    let result = result.map(|done| (machine, done)).map_err(|f| Error::new(f.kind, f.at as u64));
    (result, sink.slots.into_init())
}

/// Runs a fresh machine over `buf`; on success the storage is cut to the
/// fields found.
fn parse_head<'b>(
    section: Section,
    buf: &'b [u8],
    cfg: &Config,
    headers: &mut &mut [Header<'b>],
) -> Result<(HeadMachine, Option<usize>), Error> {
    let mut machine = HeadMachine::new(section, cfg);
    let limit = usize::from(cfg.limits.headers);
    let mut sink = Storage { headers: core::mem::take(headers), len: 0, limit };
    let result = machine.advance(buf, cfg, &mut sink);
    let len = sink.len;
    let storage = sink.headers;
    match result {
        Ok(Some(n)) => {
            *headers = storage.get_mut(..len).unwrap_or_default();
            Ok((machine, Some(n)))
        }
        Ok(None) => {
            *headers = storage;
            Ok((machine, None))
        }
        Err(f) => {
            *headers = storage;
            Err(Error::new(f.kind, f.at as u64))
        }
    }
}

/// A request head parsed in one go.
///
/// ```
/// let mut headers = [h1parse::Header::EMPTY; 16];
/// let mut req = h1parse::Request::new(&mut headers);
/// let buf = b"GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n";
/// assert_eq!(req.parse(buf), Ok(h1parse::Status::Complete(buf.len())));
/// assert_eq!(req.method, Some(&b"GET"[..]));
/// assert_eq!(req.target, Some(&b"/index.html"[..]));
/// assert_eq!(req.headers[0].value, b"example.com");
/// ```
#[derive(Debug)]
pub struct Request<'h, 'b> {
    /// The method token, once parsed.
    pub method: Option<&'b [u8]>,
    /// The request-target as sent, once parsed.
    pub target: Option<&'b [u8]>,
    /// The version, once parsed.
    pub version: Option<Version>,
    /// The caller's storage; after a complete parse, exactly the fields found.
    pub headers: &'h mut [Header<'b>],
}

impl<'h, 'b> Request<'h, 'b> {
    /// A request that will store at most `headers.len()` fields.
    pub fn new(headers: &'h mut [Header<'b>]) -> Self {
        Request { method: None, target: None, version: None, headers }
    }

    /// Parses `buf` with strict rules and default limits.
    pub fn parse(&mut self, buf: &'b [u8]) -> Result<Status<usize>, Error> {
        self.parse_with(buf, &Config::new())
    }

    /// Parses `buf` with the given limits and leniencies.
    pub fn parse_with(&mut self, buf: &'b [u8], cfg: &Config) -> Result<Status<usize>, Error> {
        let (m, done) = parse_head(Section::Request, buf, cfg, &mut self.headers)?;
        self.fill(buf, &m.start);
        Ok(done.map_or(Status::Partial, Status::Complete))
    }

    /// Parses `buf` with strict rules and default limits, storing fields in
    /// `headers`, which need not be initialised: a slot is written only when
    /// a field is stored in it, so unused slots cost nothing. Afterwards
    /// `self.headers` holds the fields stored (on `Partial` or an error,
    /// those found so far). The storage this `Request` was built with is
    /// not used.
    ///
    /// ```
    /// use core::mem::MaybeUninit;
    /// use h1parse::{Header, Request, Status};
    ///
    /// let mut headers = [const { MaybeUninit::<Header<'_>>::uninit() }; 100];
    /// let mut req = Request::new(&mut []);
    /// let buf = b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n";
    /// assert_eq!(req.parse_uninit(buf, &mut headers), Ok(Status::Complete(buf.len())));
    /// assert_eq!(req.target, Some(&b"/"[..]));
    /// assert_eq!(req.headers.len(), 1);
    /// assert_eq!(req.headers[0].value, b"example.com");
    /// ```
    #[doc(alias = "parse_with_uninit_headers")]
    pub fn parse_uninit(
        &mut self,
        buf: &'b [u8],
        headers: &'h mut [MaybeUninit<Header<'b>>],
    ) -> Result<Status<usize>, Error> {
        self.parse_uninit_with(buf, headers, &Config::new())
    }

    /// As [`Request::parse_uninit`], with the given limits and leniencies.
    pub fn parse_uninit_with(
        &mut self,
        buf: &'b [u8],
        headers: &'h mut [MaybeUninit<Header<'b>>],
        cfg: &Config,
    ) -> Result<Status<usize>, Error> {
        let (result, stored) = parse_head_uninit(Section::Request, buf, cfg, headers);
        self.headers = stored;
        let (m, done) = result?;
        self.fill(buf, &m.start);
        Ok(done.map_or(Status::Partial, Status::Complete))
    }

    /// Method, target and version, each as soon as it is parsed (also on
    /// `Partial`, as httparse does: a caller can route before the head is
    /// complete).
    fn fill(&mut self, buf: &'b [u8], start: &StartLine) {
        let part = |span: (u32, u32)| (span.1 > span.0).then(|| slice(buf, span));
        self.method = part(start.method);
        self.target = part(start.target);
        self.version = part(start.version_bytes).map(|_| start.version());
    }
}

/// A response head parsed in one go.
///
/// ```
/// let mut headers = [h1parse::Header::EMPTY; 16];
/// let mut res = h1parse::Response::new(&mut headers);
/// let buf = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
/// assert!(res.parse(buf).unwrap().is_complete());
/// assert_eq!(res.code, Some(404));
/// assert_eq!(res.reason, Some(&b"Not Found"[..]));
/// ```
#[derive(Debug)]
pub struct Response<'h, 'b> {
    /// The version, once parsed.
    pub version: Option<Version>,
    /// The status code, once parsed.
    pub code: Option<u16>,
    /// The reason phrase as sent (possibly empty), once parsed.
    pub reason: Option<&'b [u8]>,
    /// The caller's storage; after a complete parse, exactly the fields found.
    pub headers: &'h mut [Header<'b>],
}

impl<'h, 'b> Response<'h, 'b> {
    /// A response that will store at most `headers.len()` fields.
    pub fn new(headers: &'h mut [Header<'b>]) -> Self {
        Response { version: None, code: None, reason: None, headers }
    }

    /// Parses `buf` with strict rules and default limits.
    pub fn parse(&mut self, buf: &'b [u8]) -> Result<Status<usize>, Error> {
        self.parse_with(buf, &Config::new())
    }

    /// Parses `buf` with the given limits and leniencies.
    pub fn parse_with(&mut self, buf: &'b [u8], cfg: &Config) -> Result<Status<usize>, Error> {
        let (m, done) = parse_head(Section::Response, buf, cfg, &mut self.headers)?;
        self.fill(buf, &m.start);
        Ok(done.map_or(Status::Partial, Status::Complete))
    }

    /// Parses `buf` with strict rules and default limits, storing fields in
    /// `headers`, which need not be initialised (see
    /// [`Request::parse_uninit`]).
    ///
    /// ```
    /// use core::mem::MaybeUninit;
    /// use h1parse::{Header, Response};
    ///
    /// let mut headers = [const { MaybeUninit::<Header<'_>>::uninit() }; 100];
    /// let mut res = Response::new(&mut []);
    /// let buf = b"HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n";
    /// assert!(res.parse_uninit(buf, &mut headers).unwrap().is_complete());
    /// assert_eq!(res.code, Some(204));
    /// assert_eq!(res.headers.len(), 1);
    /// ```
    #[doc(alias = "parse_with_uninit_headers")]
    pub fn parse_uninit(
        &mut self,
        buf: &'b [u8],
        headers: &'h mut [MaybeUninit<Header<'b>>],
    ) -> Result<Status<usize>, Error> {
        self.parse_uninit_with(buf, headers, &Config::new())
    }

    /// As [`Response::parse_uninit`], with the given limits and leniencies.
    pub fn parse_uninit_with(
        &mut self,
        buf: &'b [u8],
        headers: &'h mut [MaybeUninit<Header<'b>>],
        cfg: &Config,
    ) -> Result<Status<usize>, Error> {
        let (result, stored) = parse_head_uninit(Section::Response, buf, cfg, headers);
        self.headers = stored;
        let (m, done) = result?;
        self.fill(buf, &m.start);
        Ok(done.map_or(Status::Partial, Status::Complete))
    }

    /// Version, code and reason, each as soon as it is parsed (also on
    /// `Partial`, as httparse does).
    fn fill(&mut self, buf: &'b [u8], start: &StartLine) {
        self.version = (start.version_bytes.1 > start.version_bytes.0).then(|| start.version());
        self.code = (start.code_bytes.1 > start.code_bytes.0).then_some(start.code);
        // A reason may be empty: it is known once the status line ends.
        self.reason = (start.reason.1 > 0).then(|| slice(buf, start.reason));
    }
}
