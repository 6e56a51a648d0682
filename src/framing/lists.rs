//! The elements of the list-valued fields a server reads itself (RFC 9110
//! 5.6.1): Connection options, transfer codings, expectations.
//!
//! `#element` lists are split at the commas outside quoted strings; each
//! element loses its surrounding whitespace (and folds, which stand for SP);
//! empty elements are skipped, as RFC 9110 5.6.1 has recipients do.

use super::fields::{skip_ows, skip_token};

/// The non-empty elements of one list value, in order.
#[derive(Clone, Debug)]
pub(crate) struct ListElements<'a> {
    rest: &'a [u8],
}

impl<'a> ListElements<'a> {
    pub(crate) fn new(value: &'a [u8]) -> Self {
        ListElements { rest: value }
    }
}

impl<'a> Iterator for ListElements<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        while !self.rest.is_empty() {
            let end = element_end(self.rest);
            let (element, rest) = self.rest.split_at(end);
            self.rest = rest.get(1..).unwrap_or_default();
            let element = trim(element);
            if !element.is_empty() {
                return Some(element);
            }
        }
        None
    }
}

/// The index of the first comma outside a quoted string, or the length.
fn element_end(v: &[u8]) -> usize {
    let mut quoted = false;
    let mut i = 0;
    while let Some(&b) = v.get(i) {
        match b {
            b'"' => quoted = !quoted,
            b'\\' if quoted => i += 1,
            b',' if !quoted => return i,
            _ => {}
        }
        i += 1;
    }
    v.len()
}

fn trim(mut v: &[u8]) -> &[u8] {
    let start = skip_ows(v, 0);
    v = v.get(start..).unwrap_or_default();
    while let [rest @ .., last] = v {
        if !matches!(last, b' ' | b'\t' | b'\r' | b'\n') {
            break;
        }
        v = rest;
    }
    v
}

/// The coding name of one transfer-coding element (its parameters dropped).
pub(crate) fn coding_name(element: &[u8]) -> &[u8] {
    element.get(..skip_token(element, 0)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn elements(v: &[u8]) -> std::vec::Vec<&[u8]> {
        ListElements::new(v).collect()
    }

    #[test]
    fn lists_split_outside_quotes_and_skip_empty_elements() {
        assert_eq!(elements(b"close"), [&b"close"[..]]);
        assert_eq!(elements(b" keep-alive ,, Upgrade,"), [&b"keep-alive"[..], b"Upgrade"]);
        assert_eq!(elements(b"foo;q=\"1,2\", chunked"), [&b"foo;q=\"1,2\""[..], b"chunked"]);
        assert_eq!(elements(b"a;x=\"\\\",\", b"), [&b"a;x=\"\\\",\""[..], b"b"]);
        assert_eq!(elements(b"keep-alive,\r\n close"), [&b"keep-alive"[..], b"close"]);
        assert!(elements(b" , ,").is_empty());
        assert_eq!(coding_name(b"gzip;level=9"), b"gzip");
        assert_eq!(coding_name(b"chunked"), b"chunked");
    }
}
