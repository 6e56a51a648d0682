//! How long is the body, and what does the connection do afterwards?
//!
//! Everything RFC 9112 section 6 says about framing lives here, in two parts:
//!
//! * `fields`: the few fields that decide framing and persistence
//!   (Content-Length, Transfer-Encoding, Connection, Upgrade, Host), read as
//!   each field line completes and reduced to `FramingFields`. Errors no
//!   later field can undo are reported at the field that causes them.
//! * this file: one pure function per role that turns the start line and
//!   those fields into a `FramingDecision`, following the numbered steps of
//!   RFC 9112 section 6.3 in order, then section 9.3 (persistence), RFC 9110
//!   7.8 (Upgrade) and 9.3.6 (CONNECT). Where the RFC lets a recipient either
//!   reject or accept, the strict choice is made, unless a named leniency
//!   says otherwise.
//!
//! The output is a [`Framing`] and a [`Disposition`], never a sentinel
//! number. Nothing here depends on how the head was parsed: the head machine
//! hands field spans to the message parser, which hands them here.

pub(crate) mod fields;
pub(crate) mod lists;

use crate::config::{Config, Leniency};
use crate::error::{ErrorKind, Fault};
use crate::version::Version;
pub(crate) use fields::FramingFields;

/// How the body of a message is delimited (RFC 9112 6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Framing {
    /// No body by the rules (a request without Content-Length or
    /// Transfer-Encoding; a response to HEAD; 1xx, 204, 304; CONNECT).
    None,
    /// Exactly this many bytes (`Content-Length`).
    Length(u64),
    /// The chunked transfer coding (RFC 9112 7.1).
    Chunked,
    /// A response body that ends when the connection closes.
    CloseDelimited,
}

/// What the connection does after a message (RFC 9112 9.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Disposition {
    /// Another message may follow on this connection.
    KeepAlive,
    /// The connection closes after this message. Empty lines after it are
    /// skipped; any other byte is [`ErrorKind::DataAfterClose`], since some
    /// peer could read it as a request that must not be processed.
    Close,
    /// The connection now carries another protocol (Upgrade, CONNECT); the
    /// bytes after this message belong to it and are not parsed.
    Upgrade,
}

/// The request method as far as framing cares (RFC 9112 6.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) enum MethodKind {
    /// `HEAD`: the response has no body.
    Head,
    /// `CONNECT`: a 2xx response switches to a tunnel.
    Connect,
    /// Any other method.
    #[default]
    Other,
}

impl MethodKind {
    /// Classifies a method token (methods are case-sensitive, RFC 9110 9.1).
    pub(crate) fn of(method: &[u8]) -> Self {
        match method {
            b"HEAD" => MethodKind::Head,
            b"CONNECT" => MethodKind::Connect,
            _ => MethodKind::Other,
        }
    }
}

/// Framing and disposition of one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FramingDecision {
    pub(crate) framing: Framing,
    pub(crate) disposition: Disposition,
    /// What the connection does if a request's upgrade (`disposition` is
    /// `Upgrade`) is declined: the request's own persistence. Otherwise
    /// `disposition` again.
    pub(crate) declined: Disposition,
    /// Leniencies the decision needed.
    pub(crate) used: Leniency,
}

impl FramingDecision {
    /// Before any head: no body, keep alive.
    pub(crate) const NONE: FramingDecision = FramingDecision {
        framing: Framing::None,
        disposition: Disposition::KeepAlive,
        declined: Disposition::KeepAlive,
        used: Leniency::NONE,
    };
}

/// What the start line says about how the framing fields are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FramingContext {
    pub(crate) request: bool,
    pub(crate) version: Version,
    /// A response that has no body whatever its fields say (RFC 9112 6.3
    /// steps 1-2: to HEAD, 1xx, 204, 304, 2xx to CONNECT): Content-Length
    /// and Transfer-Encoding are ignored, not validated.
    pub(crate) fields_ignored: bool,
    /// A CONNECT request, which has no content (RFC 9110 9.3.6).
    pub(crate) connect: bool,
}

impl Default for FramingContext {
    fn default() -> Self {
        FramingContext::request(MethodKind::Other, Version::Http11)
    }
}

impl FramingContext {
    #[inline]
    pub(crate) fn request(method: MethodKind, version: Version) -> Self {
        FramingContext { request: true, version, fields_ignored: false, connect: method == MethodKind::Connect }
    }

    #[inline]
    pub(crate) fn response(method: MethodKind, code: u16, version: Version) -> Self {
        let no_body = method == MethodKind::Head
            || (100..200).contains(&code)
            || code == 204
            || code == 304
            || (method == MethodKind::Connect && (200..300).contains(&code));
        FramingContext { request: false, version, fields_ignored: no_body, connect: false }
    }
}

/// The framing errors that are final as soon as the fields causing them have
/// arrived (RFC 9112 6.1 and 6.3 steps 3-4). Checked after every
/// Content-Length or Transfer-Encoding line, so the first error in the stream
/// is the one reported, and again when the head ends.
pub(crate) fn check_coding_fields(ctx: &FramingContext, facts: &FramingFields, cfg: &Config) -> Result<(), ErrorKind> {
    if ctx.fields_ignored || facts.transfer_encoding_line.is_none() {
        return Ok(());
    }
    // RFC 9110 9.3.6: CONNECT has no content; a peer that reads one anyway
    // takes the tunnel's first bytes for a body.
    if ctx.connect {
        return Err(ErrorKind::ConnectWithBody);
    }
    // Step 3: TE with CL is how CL.TE / TE.CL smuggling starts. A response may
    // be read leniently (TE wins, the connection closes); a request never.
    let lenient = !ctx.request && cfg.leniency.contains(Leniency::TRANSFER_ENCODING_WITH_CONTENT_LENGTH_IN_RESPONSES);
    if facts.content_length.is_some() && !lenient {
        return Err(ErrorKind::TransferEncodingWithContentLength);
    }
    // RFC 9112 6.1: TE in HTTP/1.0 is faulty framing; reject it.
    if ctx.version == Version::Http10 {
        return Err(ErrorKind::TransferEncodingInHttp10);
    }
    // Step 4: in a request, once chunked is followed by another coding no
    // later line can make it final (chunked may not appear twice).
    if ctx.request && facts.chunked_seen && !facts.chunked_final {
        return Err(ErrorKind::ChunkedNotFinal);
    }
    Ok(())
}

/// Step 3-5 checks at the end of the head; returns the framing the coding
/// fields give, if any.
fn coded_framing(ctx: &FramingContext, facts: &FramingFields, cfg: &Config) -> Result<Option<Framing>, Fault> {
    let Some(te_line) = facts.transfer_encoding_line else {
        return Ok(facts.content_length.map(Framing::Length));
    };
    check_coding_fields(ctx, facts, cfg).map_err(|kind| {
        let line = if facts.content_length.is_some() { te_line.max(facts.content_length_line) } else { te_line };
        Fault::new(kind, line as usize)
    })?;
    Ok(Some(if facts.chunked_final { Framing::Chunked } else { Framing::CloseDelimited }))
}

/// RFC 9112 9.3: close option, else 1.1 persists, 1.0 only with keep-alive.
fn persistence(version: Version, facts: &FramingFields) -> Disposition {
    let persists = !facts.close && (version == Version::Http11 || facts.keep_alive);
    if persists { Disposition::KeepAlive } else { Disposition::Close }
}

/// Framing of a request as a server receives it; its start line is what
/// `facts.ctx` says. `head_end` is the offset of the blank line, where a
/// missing Host is reported.
pub(crate) fn request(facts: &FramingFields, head_end: usize, cfg: &Config) -> Result<FramingDecision, Fault> {
    let ctx = &facts.ctx;
    let version = ctx.version;
    // RFC 9112 3.2: exactly one Host in an HTTP/1.1 request.
    let mut used = facts.used;
    let host_error = if facts.hosts > 1 {
        Some(Fault::new(ErrorKind::DuplicateHost, facts.second_host_line as usize))
    } else if facts.hosts == 0 && version == Version::Http11 {
        Some(Fault::new(ErrorKind::MissingHost, head_end))
    } else {
        None
    };
    if let Some(fault) = host_error {
        if !cfg.leniency.contains(Leniency::MISSING_HOST) {
            return Err(fault);
        }
        used |= Leniency::MISSING_HOST;
    }
    let framing = coded_framing(ctx, facts, cfg)?;
    // Step 4: in a request, chunked must be the final coding.
    if framing == Some(Framing::CloseDelimited) {
        let line = facts.transfer_encoding_line.unwrap_or_default();
        return Err(Fault::new(ErrorKind::ChunkedNotFinal, line as usize));
    }
    if ctx.connect {
        // RFC 9110 9.3.6: CONNECT has no content; the tunnel starts after
        // the head. (A Transfer-Encoding was refused by `coded_framing`.)
        if let Some(Framing::Length(1..)) = framing {
            return Err(Fault::new(ErrorKind::ConnectWithBody, facts.content_length_line as usize));
        }
        let declined = persistence(version, facts);
        return Ok(FramingDecision { framing: Framing::None, disposition: Disposition::Upgrade, declined, used });
    }
    // Step 6: a request with neither has no body.
    let framing = framing.unwrap_or(Framing::None);
    // RFC 9110 7.8: HTTP/1.0 ignores Upgrade.
    let upgrade = facts.upgrade && facts.connection_upgrade && version == Version::Http11;
    let declined = persistence(version, facts);
    let disposition = if upgrade { Disposition::Upgrade } else { declined };
    Ok(FramingDecision { framing, disposition, declined, used })
}

/// Framing of a response with status `code` to a request made with
/// `method`; the rest of its status line is what `facts.ctx` says.
pub(crate) fn response(
    method: MethodKind,
    code: u16,
    facts: &FramingFields,
    cfg: &Config,
) -> Result<FramingDecision, Fault> {
    let ctx = &facts.ctx;
    let version = ctx.version;
    debug_assert_eq!(*ctx, FramingContext::response(method, code, version));
    let te_with_cl = !ctx.fields_ignored && facts.transfer_encoding_line.is_some() && facts.content_length.is_some();
    let used =
        if te_with_cl { facts.used | Leniency::TRANSFER_ENCODING_WITH_CONTENT_LENGTH_IN_RESPONSES } else { facts.used };
    // A response's upgrade is final: nothing to decline.
    let decision = |framing, disposition| Ok(FramingDecision { framing, disposition, declined: disposition, used });
    // Step 1: HEAD, 1xx, 204 and 304 have no body whatever the fields say
    // (their Content-Length and Transfer-Encoding were not even read).
    if (100..200).contains(&code) {
        let disposition = if code == 101 { Disposition::Upgrade } else { Disposition::KeepAlive };
        return decision(Framing::None, disposition);
    }
    // Step 2: a 2xx to CONNECT turns the connection into a tunnel.
    if method == MethodKind::Connect && (200..300).contains(&code) {
        return decision(Framing::None, Disposition::Upgrade);
    }
    if method == MethodKind::Head || code == 204 || code == 304 {
        return decision(Framing::None, persistence(version, facts));
    }
    // Steps 3-5, then step 7: otherwise the body runs to the close.
    let framing = coded_framing(ctx, facts, cfg)?.unwrap_or(Framing::CloseDelimited);
    let disposition =
        if framing == Framing::CloseDelimited || te_with_cl { Disposition::Close } else { persistence(version, facts) };
    decision(framing, disposition)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(f: impl FnOnce(&mut FramingFields)) -> FramingFields {
        let mut x = FramingFields { hosts: 1, ..FramingFields::default() };
        f(&mut x);
        x
    }

    fn req(v: Version, f: FramingFields) -> Result<FramingDecision, ErrorKind> {
        let f = FramingFields { ctx: FramingContext::request(MethodKind::Other, v), ..f };
        request(&f, 0, &Config::new()).map_err(|e| e.kind)
    }

    fn res(m: MethodKind, code: u16, f: FramingFields) -> Result<FramingDecision, ErrorKind> {
        let f = FramingFields { ctx: FramingContext::response(m, code, Version::Http11), ..f };
        response(m, code, &f, &Config::new()).map_err(|e| e.kind)
    }

    const KA: Disposition = Disposition::KeepAlive;

    #[test]
    fn request_steps_rfc_9112_6_3() {
        use Version::*;
        let d = |framing, disposition| {
            Ok(FramingDecision { framing, disposition, declined: disposition, used: Leniency::NONE })
        };
        assert_eq!(req(Http11, facts(|_| {})), d(Framing::None, KA));
        assert_eq!(req(Http10, facts(|_| {})), d(Framing::None, Disposition::Close));
        assert_eq!(req(Http10, facts(|f| f.keep_alive = true)), d(Framing::None, KA));
        assert_eq!(req(Http11, facts(|f| f.content_length = Some(5))), d(Framing::Length(5), KA));
        let chunked = facts(|f| {
            f.transfer_encoding_line = Some(3);
            f.chunked_seen = true;
            f.chunked_final = true;
        });
        assert_eq!(req(Http11, chunked), d(Framing::Chunked, KA));
        // CL.TE and TE.CL: both present is an error (step 3, strict choice).
        let both = FramingFields { content_length: Some(5), ..chunked };
        assert_eq!(req(Http11, both), Err(ErrorKind::TransferEncodingWithContentLength));
        // Step 4: chunked not final in a request.
        let not_final = FramingFields { chunked_final: false, ..chunked };
        assert_eq!(req(Http11, not_final), Err(ErrorKind::ChunkedNotFinal));
        assert_eq!(req(Http10, chunked), Err(ErrorKind::TransferEncodingInHttp10));
        assert_eq!(req(Http11, facts(|f| f.hosts = 0)), Err(ErrorKind::MissingHost));
        assert_eq!(req(Http10, facts(|f| f.hosts = 0)), d(Framing::None, Disposition::Close));
        assert_eq!(req(Http11, facts(|f| f.hosts = 2)), Err(ErrorKind::DuplicateHost));
        let upgrade = facts(|f| {
            f.upgrade = true;
            f.connection_upgrade = true;
        });
        let proposal = |declined| Ok(FramingDecision { declined, ..d(Framing::None, Disposition::Upgrade).unwrap() });
        // An upgrade is a proposal: declined, the request's own persistence.
        assert_eq!(req(Http11, upgrade), proposal(KA));
        assert_eq!(req(Http11, FramingFields { close: true, ..upgrade }), proposal(Disposition::Close));
        assert_eq!(req(Http10, FramingFields { keep_alive: true, ..upgrade }), d(Framing::None, KA));
    }

    #[test]
    fn connect_has_no_content_rfc_9110_9_3_6() {
        let connect = |f: FramingFields| {
            let f = FramingFields { ctx: FramingContext::request(MethodKind::Connect, Version::Http11), ..f };
            request(&f, 0, &Config::new())
        };
        let tunnel = FramingDecision {
            framing: Framing::None,
            disposition: Disposition::Upgrade,
            declined: KA,
            used: Leniency::NONE,
        };
        assert_eq!(connect(facts(|_| {})), Ok(tunnel));
        assert_eq!(connect(facts(|f| f.content_length = Some(0))), Ok(tunnel));
        let with_length = connect(facts(|f| {
            f.content_length = Some(5);
            f.content_length_line = 40;
        }));
        assert_eq!(with_length, Err(Fault::new(ErrorKind::ConnectWithBody, 40)));
        let chunked = facts(|f| {
            f.transfer_encoding_line = Some(30);
            f.chunked_seen = true;
            f.chunked_final = true;
        });
        assert_eq!(connect(chunked), Err(Fault::new(ErrorKind::ConnectWithBody, 30)));
    }

    #[test]
    fn response_steps_rfc_9112_6_3() {
        use MethodKind::*;
        let d = |framing, disposition| {
            Ok(FramingDecision { framing, disposition, declined: disposition, used: Leniency::NONE })
        };
        let cl = facts(|f| f.content_length = Some(10));
        assert_eq!(res(Head, 200, cl), d(Framing::None, KA));
        assert_eq!(res(Other, 204, cl), d(Framing::None, KA));
        assert_eq!(res(Other, 304, cl), d(Framing::None, KA));
        assert_eq!(res(Other, 100, cl), d(Framing::None, KA));
        assert_eq!(res(Other, 101, cl), d(Framing::None, Disposition::Upgrade));
        assert_eq!(res(Connect, 200, cl), d(Framing::None, Disposition::Upgrade));
        assert_eq!(res(Connect, 407, cl), d(Framing::Length(10), KA));
        assert_eq!(res(Other, 200, cl), d(Framing::Length(10), KA));
        assert_eq!(res(Other, 200, facts(|_| {})), d(Framing::CloseDelimited, Disposition::Close));
        let gzip = facts(|f| f.transfer_encoding_line = Some(1));
        assert_eq!(res(Other, 200, gzip), d(Framing::CloseDelimited, Disposition::Close));
    }
}
