//! A short, bounded load test: 64 keep-alive connections for 2 seconds
//! against the in-process example server, zero errors allowed. The 10-second
//! figures in the README come from the same generator run by hand:
//! `cargo run --release --example load -- --seconds 10 http://127.0.0.1:8080/files/NAME`.

mod embed_support;

#[allow(dead_code)]
#[path = "../examples/load.rs"]
mod load;

use std::io::Write;
use std::time::Duration;

use embed_support::*;

#[test]
fn sixty_four_keep_alive_connections_without_errors() {
    let srv = start_with(|s| {
        s.max_connections = 256;
        s.max_per_address = 256;
    });
    let mut s = connect(srv.addr);
    s.write_all(b"PUT /files/small.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 13\r\n\r\nhello, world\n").unwrap();
    assert_eq!(read_response(&mut s, "PUT").status, 201);
    drop(s);
    let report = load::run(srv.addr, "t", "/files/small.txt", 64, Duration::from_secs(2));
    println!("load: {} requests, {} errors, {:.0} requests/s", report.requests, report.errors, report.rate());
    assert_eq!(report.errors, 0, "{report:?}");
    // Even a slow debug build on a busy machine does far more than this.
    assert!(report.requests > 500, "{report:?}");
}
