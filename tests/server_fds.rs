//! Each connection costs the example server one file descriptor (its own
//! test binary, so no other test opens descriptors while this one counts).

mod embed_support;

use std::net::TcpStream;

use embed_support::*;

fn open_descriptors() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

#[test]
fn an_idle_connection_holds_one_descriptor_in_the_server() {
    let srv = start();
    let server = srv.server.as_ref().unwrap();
    let before = open_descriptors();
    let mut clients: Vec<TcpStream> = Vec::new();
    for _ in 0..20 {
        let mut s = connect(srv.addr);
        std::io::Write::write_all(&mut s, b"GET / HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
        assert_eq!(read_response(&mut s, "GET").status, 200);
        clients.push(s);
    }
    assert_eq!(server.open_connections(), 20);
    // The client's socket and the server's: two per connection, both in this process.
    let added = open_descriptors() - before;
    assert!(added <= 2 * 20, "{added} descriptors for 20 connections");
    drop(clients);
}
