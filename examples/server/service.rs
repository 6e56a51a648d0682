//! The server: a listener, one thread per connection (bounded), and a clean
//! stop that tests rely on.
//!
//! [`Server::start`] binds, spawns the accept thread and returns at once with
//! the bound address (bind `127.0.0.1:0` to get a free port). [`Server::stop`]
//! (also run on drop) stops accepting, shuts every open connection down, ends
//! the event streams and joins every thread, so a test that stops its server
//! leaves nothing running.

use std::collections::HashMap;
use std::io::{self, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::conn;
use super::events::Hub;
use super::store::Store;

/// Everything the server can be told.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Address to listen on.
    pub addr: String,
    /// Storage directory; `None`: a fresh directory under the system temp dir.
    pub dir: Option<PathBuf>,
    /// Largest request body accepted (413 beyond).
    pub max_body: u64,
    /// Largest request head (431 beyond).
    pub max_head: u32,
    /// How long a connection may sit idle between requests.
    pub idle_timeout: Duration,
    /// How long a request head may take to arrive, from its first byte.
    pub head_timeout: Duration,
    /// How long one read inside a body may wait.
    pub body_timeout: Duration,
    /// How long one write may wait for the client to read.
    pub write_timeout: Duration,
    /// Minimum average rate of a body, in bytes per second, after `rate_grace`.
    pub min_rate: u64,
    /// Time before `min_rate` is enforced.
    pub rate_grace: Duration,
    /// Connections served at once; more get `503` and are closed.
    pub max_connections: usize,
    /// Time between `tick` events on `/events`.
    pub event_interval: Duration,
    /// Log one line per request to stderr.
    pub log: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            addr: "127.0.0.1:8080".into(),
            dir: None,
            max_body: 1 << 30,
            max_head: 32 * 1024,
            idle_timeout: Duration::from_secs(15),
            head_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(15),
            write_timeout: Duration::from_secs(15),
            min_rate: 1024,
            rate_grace: Duration::from_secs(10),
            max_connections: 512,
            event_interval: Duration::from_secs(1),
            log: false,
        }
    }
}

/// State shared by every connection thread.
#[derive(Debug)]
pub struct Shared {
    /// The settings in force.
    pub settings: Settings,
    /// The upload directory.
    pub store: Arc<Store>,
    /// Finished-upload events for `/events`.
    pub hub: Hub,
    /// Set when the server stops.
    pub stopping: AtomicBool,
    /// Open connections (a handle to shut each down on stop).
    open: Mutex<HashMap<u64, TcpStream>>,
    /// Connection threads not yet joined.
    workers: Mutex<Vec<JoinHandle<()>>>,
    next_id: AtomicU64,
}

/// A running server.
#[derive(Debug)]
pub struct Server {
    addr: SocketAddr,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A new directory under the system temp dir.
pub fn fresh_dir() -> PathBuf {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let n = COUNT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("h1parse-uploads-{}-{nanos:x}-{n}", std::process::id()))
}

impl Server {
    /// Binds and starts accepting in the background.
    pub fn start(settings: Settings) -> io::Result<Server> {
        let listener = TcpListener::bind(&settings.addr)?;
        let addr = listener.local_addr()?;
        let dir = settings.dir.clone().unwrap_or_else(fresh_dir);
        let store = Arc::new(Store::open(&dir)?);
        let shared = Arc::new(Shared {
            settings,
            store,
            hub: Hub::new(),
            stopping: AtomicBool::new(false),
            open: Mutex::new(HashMap::new()),
            workers: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(0),
        });
        let acceptor = {
            let shared = Arc::clone(&shared);
            thread::Builder::new().name("accept".into()).spawn(move || accept_loop(&listener, &shared))?
        };
        Ok(Server { addr, shared, acceptor: Some(acceptor) })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The storage directory.
    pub fn dir(&self) -> &Path {
        self.shared.store.root()
    }

    /// Runs until the accept thread ends (that is, forever, for `main`).
    pub fn wait(mut self) {
        if let Some(t) = self.acceptor.take() {
            let _ = t.join();
        }
    }

    /// Stops accepting, closes every connection, joins every thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let Some(acceptor) = self.acceptor.take() else {
            return;
        };
        self.shared.stopping.store(true, Ordering::SeqCst);
        self.shared.hub.close();
        // Wake the blocking accept() with a connection of our own.
        let mut wake = self.addr;
        if wake.ip().is_unspecified() {
            wake.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        let _ = TcpStream::connect_timeout(&wake, Duration::from_secs(1));
        let _ = acceptor.join();
        for stream in lock(&self.shared.open).values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        let workers = std::mem::take(&mut *lock(&self.shared.workers));
        for w in workers {
            let _ = w.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        match stream {
            Ok(stream) => admit(stream, shared),
            // Out of file descriptors and the like: back off a little.
            Err(_) => thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// Starts a thread for a new connection, or turns it away when full.
fn admit(mut stream: TcpStream, shared: &Arc<Shared>) {
    lock(&shared.workers).retain(|w| !w.is_finished());
    let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
    {
        let mut open = lock(&shared.open);
        let handle = match stream.try_clone() {
            Ok(h) if open.len() < shared.settings.max_connections => h,
            _ => {
                drop(open);
                let _ = stream.set_write_timeout(Some(Duration::from_millis(200)));
                let _ = stream.write_all(
                    b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\nRetry-After: 1\r\n\r\n",
                );
                let _ = stream.shutdown(Shutdown::Write);
                return;
            }
        };
        open.insert(id, handle);
    }
    let worker = {
        let shared = Arc::clone(shared);
        thread::Builder::new().name(format!("conn-{id}")).spawn(move || {
            let result = conn::serve(stream, &shared);
            if let (Err(e), true) = (result, shared.settings.log) {
                eprintln!("connection {id}: {e}");
            }
            lock(&shared.open).remove(&id);
        })
    };
    match worker {
        Ok(w) => lock(&shared.workers).push(w),
        Err(_) => {
            lock(&shared.open).remove(&id);
        }
    }
}
