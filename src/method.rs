//! The request method as an enum: the methods of RFC 9110 9.3 and PATCH
//! (RFC 5789) by name, any other token as it was sent.

use core::fmt;

use crate::head::Escaped;

/// A request method: the common ones by name, the rest as the token sent.
///
/// Methods are case-sensitive (RFC 9110 9.1): `get` is `Other(b"get")`.
///
/// ```
/// use h1parse::Method;
///
/// assert_eq!(Method::from_bytes(b"GET"), Method::Get);
/// assert_eq!(Method::from_bytes(b"PROPFIND"), Method::Other(b"PROPFIND"));
/// assert_eq!(Method::Post.as_bytes(), b"POST");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method<'a> {
    /// `GET` (RFC 9110 9.3.1).
    Get,
    /// `HEAD` (RFC 9110 9.3.2): the response has no body.
    Head,
    /// `POST` (RFC 9110 9.3.3).
    Post,
    /// `PUT` (RFC 9110 9.3.4).
    Put,
    /// `DELETE` (RFC 9110 9.3.5).
    Delete,
    /// `CONNECT` (RFC 9110 9.3.6): a tunnel; a 2xx response ends HTTP.
    Connect,
    /// `OPTIONS` (RFC 9110 9.3.7).
    Options,
    /// `TRACE` (RFC 9110 9.3.8).
    Trace,
    /// `PATCH` (RFC 5789).
    Patch,
    /// Any other method token, as sent.
    Other(&'a [u8]),
}

impl<'a> Method<'a> {
    /// The method a token names (case-sensitive).
    pub fn from_bytes(token: &'a [u8]) -> Method<'a> {
        match token {
            b"GET" => Method::Get,
            b"HEAD" => Method::Head,
            b"POST" => Method::Post,
            b"PUT" => Method::Put,
            b"DELETE" => Method::Delete,
            b"CONNECT" => Method::Connect,
            b"OPTIONS" => Method::Options,
            b"TRACE" => Method::Trace,
            b"PATCH" => Method::Patch,
            other => Method::Other(other),
        }
    }

    /// The method token.
    pub fn as_bytes(&self) -> &'a [u8] {
        match self {
            Method::Get => b"GET",
            Method::Head => b"HEAD",
            Method::Post => b"POST",
            Method::Put => b"PUT",
            Method::Delete => b"DELETE",
            Method::Connect => b"CONNECT",
            Method::Options => b"OPTIONS",
            Method::Trace => b"TRACE",
            Method::Patch => b"PATCH",
            Method::Other(token) => token,
        }
    }
}

impl fmt::Debug for Method<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Method::Other(token) => f.debug_tuple("Other").field(&Escaped(token)).finish(),
            known => f.write_str(core::str::from_utf8(known.as_bytes()).unwrap_or_default()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_method_round_trips_and_case_matters() {
        let named = [
            Method::Get,
            Method::Head,
            Method::Post,
            Method::Put,
            Method::Delete,
            Method::Connect,
            Method::Options,
            Method::Trace,
            Method::Patch,
        ];
        for m in named {
            assert_eq!(Method::from_bytes(m.as_bytes()), m);
            let lower = m.as_bytes().to_ascii_lowercase();
            assert_eq!(Method::from_bytes(&lower), Method::Other(&lower));
        }
        assert_eq!(Method::from_bytes(b"MKCOL").as_bytes(), b"MKCOL");
        assert_eq!(std::format!("{:?} {:?}", Method::Get, Method::Other(b"X\x01")), "GET Other(\"X\\x01\")");
    }
}
