//! How long is the body, and what does the connection do afterwards?
//!
//! One pure function per role answers both, following the numbered steps of
//! RFC 9112 section 6.3 in order, then section 9.3 (persistence), RFC 9110
//! 7.8 (Upgrade) and 9.3.6 (CONNECT). Where the RFC lets a recipient either
//! reject or accept, the strict choice is made here (see DESIGN.md section 2).
//!
//! The inputs are the start line and the facts gathered while the fields
//! were parsed; the output is a [`Framing`] and a [`Disposition`], never a
//! sentinel number.

use crate::config::{Config, Leniency};
use crate::error::ErrorKind;
use crate::head::Version;
use crate::head::known_fields::Facts;
use crate::head::machine::Fault;

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

/// The request method as far as response framing cares (RFC 9112 6.3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum MethodKind {
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
    pub fn of(method: &[u8]) -> Self {
        match method {
            b"HEAD" => MethodKind::Head,
            b"CONNECT" => MethodKind::Connect,
            _ => MethodKind::Other,
        }
    }
}

/// Framing and disposition of one message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Decision {
    pub(crate) framing: Framing,
    pub(crate) disposition: Disposition,
    /// Leniencies the decision needed.
    pub(crate) used: Leniency,
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
}

impl FramingContext {
    pub(crate) fn request(version: Version) -> Self {
        FramingContext { request: true, version, fields_ignored: false }
    }

    pub(crate) fn response(method: MethodKind, code: u16, version: Version) -> Self {
        let no_body = method == MethodKind::Head
            || (100..200).contains(&code)
            || code == 204
            || code == 304
            || (method == MethodKind::Connect && (200..300).contains(&code));
        FramingContext { request: false, version, fields_ignored: no_body }
    }
}

/// The framing errors that are final as soon as the fields causing them have
/// arrived (RFC 9112 6.1 and 6.3 steps 3-4). Checked after every
/// Content-Length or Transfer-Encoding line, so the first error in the stream
/// is the one reported, and again when the head ends.
pub(crate) fn check_coding_fields(ctx: &FramingContext, facts: &Facts, cfg: &Config) -> Result<(), ErrorKind> {
    if ctx.fields_ignored || facts.transfer_encoding_line.is_none() {
        return Ok(());
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
fn coded_framing(ctx: &FramingContext, facts: &Facts, cfg: &Config) -> Result<Option<Framing>, Fault> {
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
fn persistence(version: Version, facts: &Facts) -> Disposition {
    let persists = !facts.close && (version == Version::Http11 || facts.keep_alive);
    if persists { Disposition::KeepAlive } else { Disposition::Close }
}

/// Framing of a request as a server receives it.
/// `head_end` is the offset of the blank line, where a missing Host is reported.
pub(crate) fn request(
    method: MethodKind,
    version: Version,
    facts: &Facts,
    head_end: usize,
    cfg: &Config,
) -> Result<Decision, Fault> {
    // RFC 9112 3.2: exactly one Host in an HTTP/1.1 request.
    let mut used = Leniency::NONE;
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
    let framing = coded_framing(&FramingContext::request(version), facts, cfg)?;
    // Step 4: in a request, chunked must be the final coding.
    if framing == Some(Framing::CloseDelimited) {
        let line = facts.transfer_encoding_line.unwrap_or_default();
        return Err(Fault::new(ErrorKind::ChunkedNotFinal, line as usize));
    }
    if method == MethodKind::Connect {
        // RFC 9110 9.3.6: CONNECT has no content; the tunnel starts after the head.
        return Ok(Decision { framing: Framing::None, disposition: Disposition::Upgrade, used });
    }
    // Step 6: a request with neither has no body.
    let framing = framing.unwrap_or(Framing::None);
    // RFC 9110 7.8: HTTP/1.0 ignores Upgrade.
    let upgrade = facts.upgrade && facts.connection_upgrade && version == Version::Http11;
    let disposition = if upgrade { Disposition::Upgrade } else { persistence(version, facts) };
    Ok(Decision { framing, disposition, used })
}

/// Framing of a response to a request made with `method`.
pub(crate) fn response(
    method: MethodKind,
    code: u16,
    version: Version,
    facts: &Facts,
    cfg: &Config,
) -> Result<Decision, Fault> {
    let ctx = FramingContext::response(method, code, version);
    let te_with_cl = !ctx.fields_ignored && facts.transfer_encoding_line.is_some() && facts.content_length.is_some();
    let used = if te_with_cl { Leniency::TRANSFER_ENCODING_WITH_CONTENT_LENGTH_IN_RESPONSES } else { Leniency::NONE };
    let decision = |framing, disposition| Ok(Decision { framing, disposition, used });
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
    let framing = coded_framing(&ctx, facts, cfg)?.unwrap_or(Framing::CloseDelimited);
    let disposition =
        if framing == Framing::CloseDelimited || te_with_cl { Disposition::Close } else { persistence(version, facts) };
    decision(framing, disposition)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(f: impl FnOnce(&mut Facts)) -> Facts {
        let mut x = Facts { hosts: 1, ..Facts::default() };
        f(&mut x);
        x
    }

    fn req(v: Version, f: Facts) -> Result<Decision, ErrorKind> {
        request(MethodKind::Other, v, &f, 0, &Config::new()).map_err(|e| e.kind)
    }

    fn res(m: MethodKind, code: u16, f: Facts) -> Result<Decision, ErrorKind> {
        response(m, code, Version::Http11, &f, &Config::new()).map_err(|e| e.kind)
    }

    const KA: Disposition = Disposition::KeepAlive;

    #[test]
    fn request_steps_rfc_9112_6_3() {
        use Version::*;
        let d = |framing, disposition| Ok(Decision { framing, disposition, used: Leniency::NONE });
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
        let both = Facts { content_length: Some(5), ..chunked };
        assert_eq!(req(Http11, both), Err(ErrorKind::TransferEncodingWithContentLength));
        // Step 4: chunked not final in a request.
        let not_final = Facts { chunked_final: false, ..chunked };
        assert_eq!(req(Http11, not_final), Err(ErrorKind::ChunkedNotFinal));
        assert_eq!(req(Http10, chunked), Err(ErrorKind::TransferEncodingInHttp10));
        assert_eq!(req(Http11, facts(|f| f.hosts = 0)), Err(ErrorKind::MissingHost));
        assert_eq!(req(Http10, facts(|f| f.hosts = 0)), d(Framing::None, Disposition::Close));
        assert_eq!(req(Http11, facts(|f| f.hosts = 2)), Err(ErrorKind::DuplicateHost));
        let upgrade = facts(|f| {
            f.upgrade = true;
            f.connection_upgrade = true;
        });
        assert_eq!(req(Http11, upgrade), d(Framing::None, Disposition::Upgrade));
        assert_eq!(req(Http10, Facts { keep_alive: true, ..upgrade }), d(Framing::None, KA));
    }

    #[test]
    fn response_steps_rfc_9112_6_3() {
        use MethodKind::*;
        let d = |framing, disposition| Ok(Decision { framing, disposition, used: Leniency::NONE });
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
