//! What the server does with a request, decided from its head alone.
//!
//! The connection loop (`conn.rs`) hands every request head to [`plan`] and
//! gets back a [`Plan`]: answer at the end of the message, stream the body
//! into an upload, start the event stream, or refuse at once (and close,
//! because the body that may follow is not going to be read).

use std::sync::Arc;

use h1parse::{Fields, Framing, RequestHead, Version};

use super::response::Reply;
use super::store::{self, BeginError, Store, Upload};

/// The parts of a request head the server keeps once the head's bytes are
/// dropped from the buffer (the head borrows the buffer; this owns).
#[derive(Clone, Debug)]
pub struct RequestInfo {
    /// Method as sent.
    pub method: String,
    /// Path of the target (query removed).
    pub path: String,
    /// Query of the target, without `?`.
    pub query: String,
    /// HTTP version.
    pub version: Version,
    /// How the body is delimited.
    pub framing: Framing,
    /// `Expect`, if present.
    pub expect: Option<String>,
    /// `Upload-Offset`, if present.
    pub upload_offset: Option<String>,
    /// `Upload-Complete`, if present.
    pub upload_complete: Option<String>,
    /// The first transfer coding other than `chunked`, if any: h1parse frames
    /// `Transfer-Encoding: gzip, chunked` as chunked and leaves the decoding of
    /// the other codings to the application, which here supports none.
    pub unsupported_coding: Option<String>,
    /// A field the server needs appears more than once.
    pub duplicate: Option<&'static str>,
}

impl RequestInfo {
    /// Copies what the server needs out of a parsed head.
    pub fn from_head(head: &RequestHead<'_>, fields: Fields<'_, '_>) -> RequestInfo {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let (path, query) = split_target(&String::from_utf8_lossy(head.target));
        let mut info = RequestInfo {
            method: text(head.method),
            path,
            query,
            version: head.version,
            framing: head.framing,
            expect: None,
            upload_offset: None,
            upload_complete: None,
            unsupported_coding: None,
            duplicate: None,
        };
        for field in fields {
            let slot = if field.is("expect") {
                Some((&mut info.expect, "Expect"))
            } else if field.is("upload-offset") {
                Some((&mut info.upload_offset, "Upload-Offset"))
            } else if field.is("upload-complete") {
                Some((&mut info.upload_complete, "Upload-Complete"))
            } else {
                None
            };
            if let Some((slot, name)) = slot {
                if slot.is_some() {
                    info.duplicate = Some(name);
                }
                *slot = Some(text(field.value));
            }
            if field.is("transfer-encoding") && info.unsupported_coding.is_none() {
                info.unsupported_coding = unsupported_coding(field.value).map(text);
            }
        }
        info
    }

    /// True when the request carries a body that the server would have to read.
    pub fn has_body(&self) -> bool {
        !matches!(self.framing, Framing::None | Framing::Length(0))
    }

    /// True for `Expect: 100-continue` on an HTTP/1.1 request (RFC 9110 10.1.1:
    /// a server ignores it in HTTP/1.0).
    pub fn expects_continue(&self) -> bool {
        self.version == Version::Http11
            && self.expect.as_deref().is_some_and(|e| e.eq_ignore_ascii_case("100-continue"))
    }
}

/// Origin-form `/p?q`, or absolute-form `scheme://host/p?q` (RFC 9112 3.2.2).
/// Only a target that starts with a scheme is absolute-form: `://` later in
/// a path or query is data.
fn split_target(target: &str) -> (String, String) {
    let origin = match absolute_form_rest(target) {
        Some(rest) => rest.find(['/', '?']).map_or("/", |i| &rest[i..]),
        None => target,
    };
    let origin = if origin.starts_with('?') { format!("/{origin}") } else { origin.to_string() };
    match origin.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (origin, String::new()),
    }
}

/// For `scheme://rest`, with `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`
/// (RFC 3986 3.1): `rest`.
fn absolute_form_rest(target: &str) -> Option<&str> {
    let (scheme, rest) = target.split_once("://")?;
    let mut bytes = scheme.bytes();
    let first_ok = bytes.next().is_some_and(|b| b.is_ascii_alphabetic());
    let rest_ok = bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    (first_ok && rest_ok).then_some(rest)
}

/// The first coding in a Transfer-Encoding value that is not `chunked`.
fn unsupported_coding(value: &[u8]) -> Option<&[u8]> {
    value
        .split(|&b| b == b',')
        .map(|c| c.split(|&b| b == b';').next().unwrap_or_default().trim_ascii())
        .find(|c| !c.is_empty() && !c.eq_ignore_ascii_case(b"chunked"))
}

/// Which upload method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UploadKind {
    /// `PUT`: replace.
    Put,
    /// `PATCH`: append; the flag says whether this body completes the upload.
    Patch {
        /// `Upload-Complete: ?0` keeps the upload open for more `PATCH`es.
        completes: bool,
    },
}

/// What to do with a request.
#[derive(Debug)]
pub enum Plan {
    /// Answer with this once the message ends (a body, if any, is discarded).
    Respond(Reply),
    /// Stream the body into this upload.
    Upload(Upload, UploadKind),
    /// `GET /events`: stream events, at most this many if given.
    Events(Option<u64>),
    /// Answer now and close: the body is not going to be read.
    Refuse(Reply),
}

/// Decides what to do with a request from its head.
pub fn plan(req: &RequestInfo, store: &Arc<Store>, max_body: u64) -> Plan {
    if let Some(coding) = &req.unsupported_coding {
        return Plan::Refuse(Reply::fatal(501, format!("transfer coding {coding:?} is not supported\n")));
    }
    if let Some(name) = req.duplicate {
        return Plan::Refuse(Reply::fatal(400, format!("more than one {name} field\n")));
    }
    if req.expect.is_some() && !req.expects_continue() && req.version == Version::Http11 {
        return Plan::Refuse(Reply::fatal(417, "only 100-continue is supported\n"));
    }
    if matches!(req.framing, Framing::Length(n) if n > max_body) {
        return Plan::Refuse(too_large(max_body));
    }
    let plan = route(req, store);
    match plan {
        // Refusing a request whose body is on its way: close rather than read it.
        Plan::Respond(reply) if req.has_body() && reply.status >= 300 => Plan::Refuse(Reply { close: true, ..reply }),
        other => other,
    }
}

/// The 413 response.
pub fn too_large(max_body: u64) -> Reply {
    Reply::fatal(413, format!("request bodies are limited to {max_body} bytes\n"))
}

fn route(req: &RequestInfo, store: &Arc<Store>) -> Plan {
    let method = req.method.as_str();
    match req.path.as_str() {
        "/" => match method {
            "GET" | "HEAD" => Plan::Respond(listing(store)),
            _ => Plan::Respond(not_allowed("GET, HEAD")),
        },
        "/events" => match method {
            "GET" => match events_limit(&req.query) {
                Ok(limit) => Plan::Events(limit),
                Err(()) => Plan::Respond(Reply::text(400, "limit must be a number\n")),
            },
            _ => Plan::Respond(not_allowed("GET")),
        },
        path => match path.strip_prefix("/files/") {
            Some(name) if store::valid_name(name) => file_route(method, name, req, store),
            Some(_) => Plan::Respond(Reply::text(400, "file names are 1-200 bytes of A-Z a-z 0-9 . _ -\n")),
            None => Plan::Respond(Reply::text(404, "not found\n")),
        },
    }
}

fn file_route(method: &str, name: &str, req: &RequestInfo, store: &Arc<Store>) -> Plan {
    match method {
        "GET" | "HEAD" => Plan::Respond(download(store, name)),
        "PUT" => match store.begin_put(name, declared_length(req.framing)) {
            Ok(up) => Plan::Upload(up, UploadKind::Put),
            Err(e) => Plan::Respond(begin_error(e)),
        },
        "PATCH" => {
            let Some(offset) = req.upload_offset.as_deref().and_then(parse_decimal) else {
                return Plan::Respond(Reply::text(400, "PATCH needs Upload-Offset: <bytes stored>\n"));
            };
            let completes = match req.upload_complete.as_deref() {
                None | Some("?1") => true,
                Some("?0") => false,
                Some(_) => return Plan::Respond(Reply::text(400, "Upload-Complete is ?0 or ?1\n")),
            };
            match store.begin_patch(name, offset) {
                Ok(up) => Plan::Upload(up, UploadKind::Patch { completes }),
                Err(e) => Plan::Respond(begin_error(e)),
            }
        }
        _ => Plan::Respond(not_allowed("GET, HEAD, PUT, PATCH")),
    }
}

/// `1*DIGIT` without overflow.
fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn events_limit(query: &str) -> Result<Option<u64>, ()> {
    for pair in query.split('&') {
        if let Some(v) = pair.strip_prefix("limit=") {
            return parse_decimal(v).map(Some).ok_or(());
        }
    }
    Ok(None)
}

fn not_allowed(allow: &'static str) -> Reply {
    Reply::text(405, "method not allowed\n").with("Allow", allow)
}

fn declared_length(framing: Framing) -> Option<u64> {
    match framing {
        Framing::Length(n) => Some(n),
        _ => None,
    }
}

fn begin_error(e: BeginError) -> Reply {
    match e {
        BeginError::Busy => Reply::text(409, "an upload to this name is in progress\n"),
        BeginError::NotFound => Reply::text(404, "no such upload; PUT it first\n"),
        BeginError::OffsetMismatch(len) => {
            Reply::text(409, format!("upload offset is {len}\n")).with("Upload-Offset", len.to_string())
        }
        BeginError::NotAFile => Reply::text(409, "this name is taken by something that is not an upload\n"),
        BeginError::Full => storage_full(),
        BeginError::Io(e) => Reply::internal(&e),
    }
}

/// The 507 response: the storage bound is reached.
pub fn storage_full() -> Reply {
    Reply::fatal(507, "the server's storage is full\n")
}

fn complete_flag(complete: bool) -> &'static str {
    if complete { "?1" } else { "?0" }
}

fn download(store: &Store, name: &str) -> Reply {
    match store.open_read(name) {
        Ok(Some((file, stat))) => Reply {
            status: 200,
            fields: vec![
                ("Content-Type", "application/octet-stream".into()),
                ("Upload-Offset", stat.len.to_string().into()),
                ("Upload-Complete", complete_flag(stat.complete).into()),
            ],
            body: super::response::Body::File(file, stat.len),
            close: false,
            detail: None,
        },
        Ok(None) => Reply::text(404, "no such file\n"),
        Err(e) => Reply::internal(&e),
    }
}

fn listing(store: &Store) -> Reply {
    let files = store.list();
    let mut page = format!("{} file(s)\n", files.len());
    for (name, stat) in files {
        let state = if stat.complete { "" } else { " (incomplete)" };
        page.push_str(&format!("{name}\t{}{state}\n", stat.len));
    }
    Reply::text(200, page)
}

/// The answer to a finished upload.
pub fn uploaded(up: Upload, kind: UploadKind, trailers: &[String]) -> (Reply, Option<String>) {
    let name = up.name().to_string();
    let written = up.written();
    let complete = match kind {
        UploadKind::Put => true,
        UploadKind::Patch { completes } => completes,
    };
    let total = match up.commit(complete) {
        Ok(total) => total,
        Err(e) => return (Reply::internal(&e), None),
    };
    let status = if kind == UploadKind::Put { 201 } else { 200 };
    let mut reply = Reply::text(status, format!("{written}\n"))
        .with("Upload-Offset", total.to_string())
        .with("Upload-Complete", complete_flag(complete));
    if kind == UploadKind::Put {
        reply = reply.with("Location", format!("/files/{name}"));
    }
    if !trailers.is_empty() {
        reply = reply.with("Received-Trailers", trailers.join(", "));
    }
    let event = complete.then(|| format!("{{\"name\":\"{name}\",\"bytes\":{total}}}"));
    (reply, event)
}

/// The answer to a request h1parse rejected (always closes the connection).
pub fn parse_error(e: h1parse::Error) -> Reply {
    Reply::fatal(e.kind().status_hint(), format!("{e}\n"))
}

#[cfg(test)]
mod tests {
    use super::split_target;

    #[test]
    fn targets() {
        let cases = [
            ("/files/a?x=1", "/files/a", "x=1"),
            ("http://h/files/a?x", "/files/a", "x"),
            ("HTTPS://h:8080/files/a", "/files/a", ""),
            ("http://h", "/", ""),
            ("http://h?q", "/", "q"),
            ("/upload?next=http://a/files/x", "/upload", "next=http://a/files/x"),
            ("/static://x/files/y", "/static://x/files/y", ""),
            ("1http://h/files/a", "1http://h/files/a", ""),
        ];
        for (target, path, query) in cases {
            assert_eq!(split_target(target), (path.to_string(), query.to_string()), "{target}");
        }
    }
}
