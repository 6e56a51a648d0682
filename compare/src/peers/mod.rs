//! The peers' runners, one module each, and the floor rows.
//!
//! Each runner does what its library's documentation says a caller does,
//! with the fastest option it offers (uninitialised header storage where the
//! API allows it, `last_len` for picohttpparser, saved state for
//! ntex-httparse), and returns something derived from its output so nothing
//! is optimised away.

pub mod floor;
pub mod httparse;
pub mod ntex;
pub mod pico;
