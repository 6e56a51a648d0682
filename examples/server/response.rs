//! Responses: a status, a few fields and a body, written in HTTP/1.1 syntax.
//!
//! Every response the server writes has an explicit length (`Content-Length`)
//! except the event stream, which is chunked (or close-delimited for an
//! HTTP/1.0 client). `Connection: close` is sent whenever the server is going
//! to close afterwards, so the client never has to guess.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, Read, Write};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use h1parse::Version;

/// A field value: most are constants, some are made per response.
pub type Value = Cow<'static, str>;

/// The body of a [`Reply`].
#[derive(Debug)]
pub enum Body {
    /// Bytes in memory (short texts).
    Bytes(Vec<u8>),
    /// A stored file of the given length, streamed from disk.
    File(File, u64),
}

/// A response to one request.
#[derive(Debug)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Extra fields (`Content-Length`, `Date`, `Connection` are added when written).
    pub fields: Vec<(&'static str, Value)>,
    /// The body (sent only when the request was not `HEAD`).
    pub body: Body,
    /// The server closes the connection after this response.
    pub close: bool,
    /// What went wrong inside the server: logged, never sent.
    pub detail: Option<String>,
}

impl Reply {
    /// A `text/plain` response.
    pub fn text(status: u16, text: impl Into<String>) -> Reply {
        let fields = vec![("Content-Type", Cow::Borrowed("text/plain; charset=utf-8"))];
        Reply { status, fields, body: Body::Bytes(text.into().into_bytes()), close: false, detail: None }
    }

    /// A `500` for a failure inside the server: the client gets a generic
    /// text, the log gets `error`.
    pub fn internal(error: &dyn std::fmt::Display) -> Reply {
        Reply { detail: Some(error.to_string()), ..Reply::fatal(500, "internal server error\n") }
    }

    /// A `text/plain` error response after which the connection closes.
    pub fn fatal(status: u16, text: impl Into<String>) -> Reply {
        Reply { close: true, ..Reply::text(status, text) }
    }

    /// Adds a field.
    pub fn with(mut self, name: &'static str, value: impl Into<Value>) -> Reply {
        self.fields.push((name, value.into()));
        self
    }

    /// The length of the body (sent as `Content-Length`).
    pub fn body_len(&self) -> u64 {
        match &self.body {
            Body::Bytes(b) => b.len() as u64,
            Body::File(_, len) => *len,
        }
    }
}

/// The reason phrase the server sends with `code`.
pub fn reason(code: u16) -> &'static str {
    match code {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Content Too Large",
        414 => "URI Too Long",
        417 => "Expectation Failed",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        507 => "Insufficient Storage",
        _ => "Unknown",
    }
}

/// Writes the status line, the common fields and `fields` (not the blank
/// line that ends the head: the caller may add more).
pub fn write_head(
    out: &mut impl Write,
    status: u16,
    fields: &[(&'static str, Value)],
    version: Version,
    close: bool,
) -> io::Result<()> {
    out.write_all(b"HTTP/1.1 ")?;
    write_decimal(out, u64::from(status))?;
    out.write_all(b" ")?;
    out.write_all(reason(status).as_bytes())?;
    out.write_all(b"\r\nDate: ")?;
    with_http_date(|date| out.write_all(date.as_bytes()))?;
    out.write_all(b"\r\nServer: h1parse-example\r\n")?;
    for (name, value) in fields {
        for part in [name.as_bytes(), b": ", value.as_bytes(), b"\r\n"] {
            out.write_all(part)?;
        }
    }
    if close {
        out.write_all(b"Connection: close\r\n")?;
    } else if version == Version::Http10 {
        // An HTTP/1.0 client that asked for keep-alive is told it got it.
        out.write_all(b"Connection: keep-alive\r\n")?;
    }
    Ok(())
}

/// Writes `Content-Length: len` and the blank line that ends the head.
pub fn end_head_with_length(out: &mut impl Write, len: u64) -> io::Result<()> {
    out.write_all(b"Content-Length: ")?;
    write_decimal(out, len)?;
    out.write_all(b"\r\n\r\n")
}

/// Writes `n` in decimal without the formatting machinery (it is on every
/// response).
fn write_decimal(out: &mut impl Write, mut n: u64) -> io::Result<()> {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.write_all(&digits[at..])
}

/// Pacing for a body the client reads: how long a slow reader may take.
#[derive(Clone, Copy, Debug)]
pub struct Pace {
    /// Time allowed before the rate is checked.
    pub grace: std::time::Duration,
    /// Minimum average bytes per second after the grace period.
    pub min_rate: u64,
}

impl Pace {
    /// True when `bytes` in `elapsed` is below the minimum average rate
    /// (never during the grace period).
    pub fn too_slow(&self, bytes: u64, elapsed: std::time::Duration) -> bool {
        elapsed > self.grace && (bytes as f64) < self.min_rate as f64 * elapsed.as_secs_f64()
    }
}

/// Writes `reply` (its body too unless `head_only`).
pub fn write_reply(
    out: &mut impl Write,
    reply: Reply,
    head_only: bool,
    version: Version,
    pace: Pace,
) -> io::Result<()> {
    let len = reply.body_len();
    write_head(out, reply.status, &reply.fields, version, reply.close)?;
    end_head_with_length(out, len)?;
    if head_only {
        return Ok(());
    }
    match reply.body {
        Body::Bytes(b) => out.write_all(&b),
        Body::File(f, len) => copy_paced(f, len, out, pace),
    }
}

/// Streams exactly `len` bytes of `file` (the length announced) to `out`,
/// giving up when the reader falls below the minimum rate.
fn copy_paced(file: File, len: u64, out: &mut impl Write, pace: Pace) -> io::Result<()> {
    let started = Instant::now();
    let mut file = file.take(len);
    let mut piece = vec![0; 64 * 1024];
    let mut sent = 0u64;
    loop {
        let n = file.read(&mut piece)?;
        if n == 0 {
            break;
        }
        out.write_all(&piece[..n])?;
        sent += n as u64;
        let elapsed = started.elapsed();
        if pace.too_slow(sent, elapsed) {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "client reads too slowly"));
        }
    }
    if sent != len {
        // The file shrank under us: the announced length cannot be kept.
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "file shorter than announced"));
    }
    Ok(())
}

/// The current time as an IMF-fixdate (RFC 9110 5.6.7), e.g.
/// `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn http_date() -> String {
    with_http_date(str::to_string)
}

/// Calls `f` with the current date, formatted at most once a second per thread.
fn with_http_date<T>(f: impl FnOnce(&str) -> T) -> T {
    thread_local! {
        static DATE: std::cell::RefCell<(u64, String)> = const { std::cell::RefCell::new((u64::MAX, String::new())) };
    }
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    DATE.with_borrow_mut(|(at, date)| {
        if *at != secs {
            *date = format_http_date(secs);
            *at = secs;
        }
        f(date)
    })
}

/// Formats seconds since 1970 as an IMF-fixdate.
pub fn format_http_date(secs: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let days = secs / 86_400;
    let (hour, min, sec) = (secs % 86_400 / 3600, secs % 3600 / 60, secs % 60);
    // Gregorian date from a day count: shift to a calendar whose years start
    // in March (so the leap day comes last), then split 400-year eras.
    let z = days + 719_468;
    let era = z / 146_097;
    let day_of_era = z % 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153; // 0 = March
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 2 } else { month_index - 10 }; // 0 = January
    let year = year_of_era + era * 400 + u64::from(month < 2);
    let weekday = DAYS[(days % 7) as usize];
    let month = MONTHS[month as usize];
    format!("{weekday}, {day:02} {month} {year} {hour:02}:{min:02}:{sec:02} GMT")
}

#[cfg(test)]
mod tests {
    #[test]
    fn decimals() {
        for n in [0, 7, 10, 404, 65_535, u64::MAX] {
            let mut out = Vec::new();
            super::write_decimal(&mut out, n).unwrap();
            assert_eq!(out, n.to_string().as_bytes());
        }
    }

    #[test]
    fn dates() {
        assert_eq!(super::format_http_date(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(super::format_http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(super::format_http_date(951_782_400), "Tue, 29 Feb 2000 00:00:00 GMT");
    }
}
