//! `h1parse-async-server`: the upload service's core on tokio, with
//! h1parse's `RequestParser` reading every request.
//!
//! ```text
//! cargo run --release -- [ADDR] [DIR] [--threads N]
//! ```
//!
//! `PUT /files/NAME` (Content-Length or chunked), `GET` and `HEAD` (with
//! `Upload-Offset` and `Upload-Complete`), `PATCH` with `Upload-Offset` to
//! resume, `GET /` (a listing); pipelining and keep-alive. What each request
//! does, the store, the error answers and the handling of every parser event
//! are the std server's own modules (`examples/server/{exchange,routes,store,
//! response}.rs`), compiled in here, so both servers answer alike; only the
//! connection loop (`conn.rs`) is async.

// The std server's modules, shared as they are; some of their items are used
// only by the std server.
#[allow(dead_code)]
#[path = "../../examples/server/exchange.rs"]
mod exchange;
#[allow(dead_code)]
#[path = "../../examples/server/response.rs"]
mod response;
#[allow(dead_code)]
#[path = "../../examples/server/routes.rs"]
mod routes;
#[allow(dead_code)]
#[path = "../../examples/server/store.rs"]
mod store;

mod conn;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

const USAGE: &str = "usage: h1parse-async-server [ADDR] [DIR] [--threads N]";

/// What every connection shares.
#[derive(Debug)]
pub struct Shared {
    /// The upload store (the std server's).
    pub store: Arc<store::Store>,
    /// Largest request body accepted (413 beyond).
    pub max_body: u64,
    /// Connections open now.
    open: AtomicUsize,
    /// Connections served at once; more get `503`.
    max_connections: usize,
}

fn main() -> ExitCode {
    let mut positional = Vec::new();
    let mut threads = 2;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--threads" => match args.next().and_then(|n| n.parse().ok()) {
                Some(n) => threads = n,
                None => return usage("--threads needs a number"),
            },
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            a if a.starts_with("--") => return usage(&format!("unknown option {a}")),
            _ => positional.push(arg),
        }
    }
    if positional.len() > 2 {
        return usage("too many arguments");
    }
    let addr = positional.first().cloned().unwrap_or_else(|| "127.0.0.1:8080".into());
    let dir = positional.get(1).map_or_else(|| std::env::temp_dir().join("h1parse-async-uploads"), PathBuf::from);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(threads).enable_all().build();
    let result = runtime.and_then(|rt| rt.block_on(run(&addr, dir)));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("h1parse-async-server: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage(why: &str) -> ExitCode {
    eprintln!("h1parse-async-server: {why}\n{USAGE}");
    ExitCode::from(2)
}

async fn run(addr: &str, dir: PathBuf) -> std::io::Result<()> {
    let limits = store::Limits { max_bytes: 64 << 30, partial_ttl: Duration::from_secs(24 * 3600) };
    let shared = Arc::new(Shared {
        store: Arc::new(store::Store::open(&dir, limits)?),
        max_body: 1 << 30,
        open: AtomicUsize::new(0),
        max_connections: 10_000,
    });
    let listener = TcpListener::bind(addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    println!("storing uploads in {}", dir.display());
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(conn) => conn,
            // Out of file descriptors and the like: back off a little.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            if shared.open.fetch_add(1, Ordering::Relaxed) >= shared.max_connections {
                refuse(stream).await;
            } else if let Err(e) = conn::serve(stream, &shared).await {
                // A client that resets or stops reading is not news.
                use std::io::ErrorKind::{BrokenPipe, ConnectionReset, TimedOut};
                if !matches!(e.kind(), BrokenPipe | ConnectionReset | TimedOut) {
                    eprintln!("connection: {e}");
                }
            }
            shared.open.fetch_sub(1, Ordering::Relaxed);
        });
    }
}

async fn refuse(mut stream: TcpStream) {
    let answer =
        b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\nRetry-After: 1\r\n\r\n";
    let _ = tokio::time::timeout(Duration::from_millis(200), stream.write_all(answer)).await;
}
