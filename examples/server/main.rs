//! `server`: an upload service built on h1parse, std only (threads and
//! `std::net`).
//!
//! ```text
//! cargo run --release --example server -- [ADDR] [DIR] [--max-body BYTES] [--max-stored BYTES]
//!     [--partial-ttl SECONDS] [--max-per-address N] [--quiet]
//! ```
//!
//! Defaults: `127.0.0.1:8080` and a fresh directory under the system temp dir.
//!
//! | request                      | answer                                                     |
//! |------------------------------|------------------------------------------------------------|
//! | `PUT /files/NAME`            | body streamed to disk (length or chunked); `201`, body = bytes stored |
//! | `HEAD /files/NAME`           | `Content-Length` and `Upload-Offset` = bytes stored, `Upload-Complete: ?1/?0` |
//! | `PATCH /files/NAME`          | with `Upload-Offset: N`: appends if N is the stored length, else `409` |
//! | `GET /files/NAME`            | the file                                                   |
//! | `GET /`                      | a text list of the files                                   |
//! | `GET /events[?limit=N]`      | Server-Sent Events: one per finished upload, a `tick` each second |
//!
//! Modules: `service` (listener, threads, stop), `conn` (the read loop around
//! `RequestParser`: start there), `exchange` (one parser call turned into an
//! owned step: every use of h1parse's events), `routes` (what each request does),
//! `store` (files, partial uploads), `response` (writing responses),
//! `events` (the SSE hub).

pub mod conn;
pub mod events;
pub mod exchange;
pub mod response;
pub mod routes;
pub mod service;
pub mod store;

use std::process::ExitCode;

const USAGE: &str = "usage: server [ADDR] [DIR] [--max-body BYTES] [--max-stored BYTES] \
                     [--partial-ttl SECONDS] [--max-per-address N] [--quiet]";

fn main() -> ExitCode {
    let mut settings = service::Settings { log: true, ..service::Settings::default() };
    let mut positional = 0;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--max-body" | "--max-stored" | "--partial-ttl" | "--max-per-address" => {
                let Some(n) = args.next().and_then(|n| n.parse::<u64>().ok()) else {
                    return usage(&format!("{arg} needs a number"));
                };
                match arg.as_str() {
                    "--max-body" => settings.max_body = n,
                    "--max-stored" => settings.max_stored = n,
                    "--partial-ttl" => settings.partial_ttl = std::time::Duration::from_secs(n),
                    _ => settings.max_per_address = n as usize,
                }
            }
            "--quiet" => settings.log = false,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            a if a.starts_with("--") => return usage(&format!("unknown option {a}")),
            _ if positional == 0 => {
                settings.addr = arg;
                positional += 1;
            }
            _ if positional == 1 => {
                settings.dir = Some(arg.into());
                positional += 1;
            }
            _ => return usage("too many arguments"),
        }
    }
    let server = match service::Server::start(settings) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("server: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("listening on http://{}", server.addr());
    println!("storing uploads in {}", server.dir().display());
    server.wait();
    ExitCode::SUCCESS
}

fn usage(why: &str) -> ExitCode {
    eprintln!("server: {why}\n{USAGE}");
    ExitCode::from(2)
}
