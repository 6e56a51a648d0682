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
use std::net::{IpAddr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::conn;
use super::events::Hub;
use super::store::{self, Store};

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
    /// Connections served at once; more get `503` and are closed. Lowered at
    /// start to what the open-file limit allows (see [`connection_cap`]).
    pub max_connections: usize,
    /// Connections one client address may hold at once.
    pub max_per_address: usize,
    /// Slots kept for addresses that hold no connection: once only this many
    /// are free, an address that already has one gets `503`.
    pub new_client_slots: usize,
    /// When the server is full, a keep-alive connection idle at least this
    /// long is closed to make room for a new one.
    pub evict_idle_after: Duration,
    /// Event streams open at once (`503` beyond), so they cannot take every slot.
    pub max_event_streams: usize,
    /// Time between `tick` events on `/events`.
    pub event_interval: Duration,
    /// Events queued for one `/events` reader; a reader that falls this far
    /// behind is disconnected.
    pub event_backlog: usize,
    /// Most bytes stored, uploads in progress included (`507` beyond).
    pub max_stored: u64,
    /// An incomplete upload untouched this long is deleted.
    pub partial_ttl: Duration,
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
            max_per_address: 64,
            new_client_slots: 64,
            evict_idle_after: Duration::from_secs(1),
            max_event_streams: 128,
            event_interval: Duration::from_secs(1),
            event_backlog: 64,
            max_stored: 64 << 30,
            partial_ttl: Duration::from_secs(24 * 3600),
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
    /// Event streams open now.
    pub event_streams: std::sync::atomic::AtomicUsize,
    /// When the server started (connections' idle times count from it).
    started: std::time::Instant,
    /// Open connections (to shut each down on stop) and who holds them.
    open: Mutex<Slots>,
    /// Connections served at once (`max_connections`, lowered to what the
    /// open-file limit allows).
    cap: usize,
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

/// What the server knows of an open connection.
#[derive(Debug)]
pub struct Handle {
    /// The connection's socket, shared with its thread.
    pub stream: Arc<TcpStream>,
    ip: IpAddr,
    /// When the connection began to wait for a new request (milliseconds
    /// since the server started, at least 1); 0 while a request is under way.
    idle_since: AtomicU64,
}

impl Handle {
    /// The connection waits for a new request.
    pub fn mark_idle(&self, shared: &Shared) {
        let now = shared.started.elapsed().as_millis() as u64;
        self.idle_since.store(now.max(1), Ordering::Relaxed);
    }

    /// A request is under way.
    pub fn mark_busy(&self) {
        self.idle_since.store(0, Ordering::Relaxed);
    }
}

/// The open connections, by id, and how many each client address holds.
#[derive(Debug, Default)]
struct Slots {
    conns: HashMap<u64, Arc<Handle>>,
    per_address: HashMap<IpAddr, usize>,
}

impl Slots {
    /// Closes the connection idle the longest, if one has been idle for
    /// `min_idle_ms`; true if one was closed. (A request arriving just then
    /// is lost with it, as when any keep-alive connection closes.)
    fn evict_idle(&mut self, now_ms: u64, min_idle_ms: u64) -> bool {
        let oldest = self
            .conns
            .iter()
            .map(|(id, h)| (h.idle_since.load(Ordering::Relaxed), *id))
            .filter(|&(since, _)| since != 0 && now_ms.saturating_sub(since) >= min_idle_ms)
            .min();
        let Some((_, id)) = oldest else {
            return false;
        };
        if let Some(h) = self.conns.get(&id) {
            let _ = h.stream.shutdown(Shutdown::Both);
        }
        self.remove(id);
        true
    }

    fn remove(&mut self, id: u64) {
        if let Some(Handle { ip, .. }) = self.conns.remove(&id).as_deref() {
            if let Some(n) = self.per_address.get_mut(ip) {
                *n -= 1;
                if *n == 0 {
                    self.per_address.remove(ip);
                }
            }
        }
    }
}

/// File descriptors one connection may hold: its socket, and a file while it
/// uploads or downloads.
pub const FDS_PER_CONNECTION: u64 = 2;
/// File descriptors kept for the rest of the process (listener, standard
/// streams, directories being listed, the test harness...).
pub const FDS_KEPT: u64 = 64;

/// The soft limit on open files (`ulimit -n`), from `/proc/self/limits`.
pub fn open_file_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line["Max open files".len()..].split_whitespace().next()?.parse().ok()
}

/// Connections the server can hold at once: `wanted`, or fewer if the
/// open-file limit cannot give each its descriptors.
pub fn connection_cap(wanted: usize, open_files: Option<u64>) -> usize {
    match open_files {
        Some(n) => wanted.min((n.saturating_sub(FDS_KEPT) / FDS_PER_CONNECTION) as usize),
        None => wanted,
    }
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
        let limits = store::Limits { max_bytes: settings.max_stored, partial_ttl: settings.partial_ttl };
        let store = Arc::new(Store::open(&dir, limits)?);
        let cap = connection_cap(settings.max_connections, open_file_limit());
        if cap < settings.max_connections && settings.log {
            eprintln!("server: at most {cap} connections (the open-file limit allows no more)");
        }
        let shared = Arc::new(Shared {
            hub: Hub::new(settings.event_backlog),
            settings,
            store,
            stopping: AtomicBool::new(false),
            event_streams: std::sync::atomic::AtomicUsize::new(0),
            started: std::time::Instant::now(),
            open: Mutex::new(Slots::default()),
            cap,
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

    /// Connections being served now.
    pub fn open_connections(&self) -> usize {
        lock(&self.shared.open).conns.len()
    }

    /// Connections the server holds at most (see [`connection_cap`]).
    pub fn connection_cap(&self) -> usize {
        self.shared.cap
    }

    /// The event hub behind `/events`.
    pub fn hub(&self) -> &Hub {
        &self.shared.hub
    }

    /// The upload store.
    pub fn store(&self) -> &Store {
        &self.shared.store
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
        // Reads end first (idle connections wake, uploads are cut off) while
        // writes go on, so a response being written, such as an event stream
        // writing its last chunk, can finish within STOP_GRACE; what is still
        // writing after it is cut off.
        let streams: Vec<Arc<Handle>> = lock(&self.shared.open).conns.values().cloned().collect();
        for handle in &streams {
            let _ = handle.stream.shutdown(Shutdown::Read);
        }
        let workers = std::mem::take(&mut *lock(&self.shared.workers));
        let deadline = Instant::now() + STOP_GRACE;
        while Instant::now() < deadline && !workers.iter().all(JoinHandle::is_finished) {
            thread::sleep(Duration::from_millis(5));
        }
        for handle in &streams {
            let _ = handle.stream.shutdown(Shutdown::Both);
        }
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

/// The refusal that making room can lift.
const FULL: &str = "the server is full";

/// How long a stopping server lets responses being written finish.
const STOP_GRACE: Duration = Duration::from_secs(1);

/// Why a connection is turned away.
fn refusal(slots: &Slots, ip: IpAddr, settings: &Settings, cap: usize) -> Option<&'static str> {
    let open = slots.conns.len();
    let held = slots.per_address.get(&ip).copied().unwrap_or(0);
    if open >= cap {
        return Some(FULL);
    }
    if held >= settings.max_per_address {
        return Some("too many connections from this address");
    }
    if held > 0 && open + settings.new_client_slots.min(cap / 2) >= cap {
        return Some("the remaining slots are kept for new clients");
    }
    None
}

/// Starts a thread for a new connection, or turns it away (`503`).
fn admit(stream: TcpStream, shared: &Arc<Shared>) {
    lock(&shared.workers).retain(|w| !w.is_finished());
    let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
    let ip = match stream.peer_addr() {
        Ok(a) => a.ip(),
        Err(_) => return,
    };
    let stream = Arc::new(stream);
    let handle = Arc::new(Handle { stream: Arc::clone(&stream), ip, idle_since: AtomicU64::new(0) });
    {
        let mut slots = lock(&shared.open);
        let mut refused = refusal(&slots, ip, &shared.settings, shared.cap);
        if refused == Some(FULL) {
            let now = shared.started.elapsed().as_millis() as u64;
            if slots.evict_idle(now, shared.settings.evict_idle_after.as_millis() as u64) {
                refused = refusal(&slots, ip, &shared.settings, shared.cap);
            }
        }
        if let Some(why) = refused {
            drop(slots);
            if shared.settings.log {
                eprintln!("{ip}: 503 ({why})");
            }
            let _ = stream.set_write_timeout(Some(Duration::from_millis(200)));
            let _ = (&*stream).write_all(
                b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\nRetry-After: 1\r\n\r\n",
            );
            let _ = stream.shutdown(Shutdown::Write);
            return;
        }
        slots.conns.insert(id, Arc::clone(&handle));
        *slots.per_address.entry(ip).or_insert(0) += 1;
    }
    let worker = {
        let shared = Arc::clone(shared);
        thread::Builder::new().name(format!("conn-{id}")).spawn(move || {
            let result = conn::serve(&handle, &shared);
            if let (Err(e), true) = (result, shared.settings.log) {
                eprintln!("connection {id}: {e}");
            }
            lock(&shared.open).remove(id);
        })
    };
    match worker {
        Ok(w) => lock(&shared.workers).push(w),
        Err(_) => lock(&shared.open).remove(id),
    }
}
