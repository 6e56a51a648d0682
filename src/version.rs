//! The HTTP version of a message, as it affects parsing.

/// The protocol version of a message, as it affects parsing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Version {
    /// `HTTP/1.0`.
    Http10,
    /// `HTTP/1.1`, and any other `HTTP/1.x` (RFC 9110 2.5: a higher minor
    /// version is processed as the highest one the recipient implements).
    Http11,
}

impl Version {
    pub(crate) fn from_digits(major: u8, minor: u8) -> Self {
        if major == 1 && minor == 0 { Version::Http10 } else { Version::Http11 }
    }
}
