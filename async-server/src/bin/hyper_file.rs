//! `hyper-file`: a minimal hyper 1.x server that answers `GET /files/NAME`
//! with the file `DIR/NAME`, read on each request, as the async upload
//! server does for a small file. It exists to be measured against that
//! server (`bench.sh`), on the same runtime settings.
//!
//! ```text
//! cargo run --release --bin hyper-file -- ADDR DIR [--threads N]
//! ```

use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

fn main() -> std::io::Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut threads = 2;
    if let Some(i) = args.iter().position(|a| a == "--threads") {
        threads = args.get(i + 1).and_then(|n| n.parse().ok()).unwrap_or(threads);
        args.drain(i..(i + 2).min(args.len()));
    }
    let addr = args.first().cloned().unwrap_or_else(|| "127.0.0.1:8081".into());
    let dir = Arc::new(PathBuf::from(args.get(1).cloned().unwrap_or_else(|| ".".into())));
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(threads).enable_all().build()?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(&addr).await?;
        println!("listening on http://{}", listener.local_addr()?);
        loop {
            let (stream, _) = listener.accept().await?;
            stream.set_nodelay(true)?;
            let dir = Arc::clone(&dir);
            tokio::spawn(async move {
                let service = service_fn(move |req| answer(req, Arc::clone(&dir)));
                let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
            });
        }
    })
}

async fn answer(req: Request<Incoming>, dir: Arc<PathBuf>) -> Result<Response<Full<Bytes>>, Infallible> {
    let file = req.uri().path().strip_prefix("/files/").filter(|n| valid_name(n)).map(|n| dir.join(n));
    let body = file.as_deref().map(Path::new).and_then(|path| std::fs::read(path).ok());
    Ok(match body {
        Some(bytes) => Response::new(Full::new(Bytes::from(bytes))),
        None => {
            let mut not_found = Response::new(Full::new(Bytes::from_static(b"no such file\n")));
            *not_found.status_mut() = StatusCode::NOT_FOUND;
            not_found
        }
    })
}

/// The upload server's rule: a name maps to a file in the directory only.
fn valid_name(name: &str) -> bool {
    let ok_byte = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-');
    !name.is_empty() && name.len() <= 200 && !name.starts_with('.') && name.bytes().all(ok_byte)
}
