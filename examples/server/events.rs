//! `GET /events`: finished uploads are published to a hub, and every open
//! Server-Sent Events stream receives them.
//!
//! Bounds: a stream's subscription is removed when the stream ends, however
//! it ends (its [`Subscription`] is dropped). Each subscriber has a backlog of
//! at most `event_backlog` events; a subscriber whose backlog is full when an
//! event is published is disconnected (its stream ends and the connection
//! closes), so a reader that does not keep up costs a bounded amount of
//! memory. Writes to the client are held to the minimum rate (bytes written
//! over the time spent writing them, after the grace period) and each to the
//! write timeout: a reader that accepts events too slowly is cut off too.

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use h1parse::Version;

use super::response::{self, Pace};
use super::service::Shared;

/// Fan-out of event lines to the open SSE streams.
#[derive(Debug)]
pub struct Hub {
    /// `None` once the server stops: subscribers see the channel close.
    subscribers: Mutex<Option<HashMap<u64, SyncSender<String>>>>,
    next_id: Mutex<u64>,
    backlog: usize,
}

/// One stream's receiving end; unsubscribes when dropped.
#[derive(Debug)]
pub struct Subscription<'h> {
    hub: &'h Hub,
    id: u64,
    /// The published events, in order.
    pub events: Receiver<String>,
}

impl Drop for Subscription<'_> {
    fn drop(&mut self) {
        if let Some(subs) = self.hub.subscribers().as_mut() {
            subs.remove(&self.id);
        }
    }
}

impl Hub {
    /// A hub with no subscribers, where each holds at most `backlog` events.
    pub fn new(backlog: usize) -> Hub {
        Hub { subscribers: Mutex::new(Some(HashMap::new())), next_id: Mutex::new(0), backlog: backlog.max(1) }
    }

    fn subscribers(&self) -> MutexGuard<'_, Option<HashMap<u64, SyncSender<String>>>> {
        self.subscribers.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A new stream's subscription (its channel already closed if the server stopped).
    pub fn subscribe(&self) -> Subscription<'_> {
        let (tx, events) = sync_channel(self.backlog);
        let id = {
            let mut next = self.next_id.lock().unwrap_or_else(PoisonError::into_inner);
            *next += 1;
            *next
        };
        if let Some(subs) = self.subscribers().as_mut() {
            subs.insert(id, tx);
        }
        Subscription { hub: self, id, events }
    }

    /// Sends `event` (an SSE `data` payload) to every subscriber; one whose
    /// backlog is full is disconnected.
    pub fn publish(&self, event: &str) {
        if let Some(subs) = self.subscribers().as_mut() {
            subs.retain(|_, tx| match tx.try_send(event.to_string()) {
                Ok(()) => true,
                Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => false,
            });
        }
    }

    /// Subscribers now.
    pub fn subscriber_count(&self) -> usize {
        self.subscribers().as_ref().map_or(0, HashMap::len)
    }

    /// Closes every stream's channel: they end at once.
    pub fn close(&self) {
        self.subscribers().take();
    }
}

/// One `GET /events` response.
#[derive(Clone, Copy, Debug)]
pub struct Stream {
    /// The request's version: HTTP/1.1 gets a chunked stream, HTTP/1.0 a
    /// close-delimited one.
    pub version: Version,
    /// Events to send before the stream ends (`?limit=N`).
    pub limit: Option<u64>,
    /// The request allows another one on the connection afterwards.
    pub keep_alive: bool,
}

impl Stream {
    /// Writes the stream: one event per finished upload, a `tick` each
    /// interval. Returns whether the connection can carry another request.
    pub fn run(self, out: &mut impl Write, shared: &Shared) -> io::Result<bool> {
        let chunked = self.version == Version::Http11;
        let mut fields = vec![("Content-Type", "text/event-stream".into()), ("Cache-Control", "no-cache".into())];
        if chunked {
            fields.push(("Transfer-Encoding", "chunked".into()));
        }
        response::write_head(out, 200, &fields, self.version, !chunked || !self.keep_alive)?;
        out.write_all(b"\r\n")?;
        out.flush()?;
        let pace = Pace { grace: shared.settings.rate_grace, min_rate: shared.settings.min_rate };
        let (mut written, mut writing) = (0u64, Duration::ZERO);
        let mut sent = 0u64;
        let mut ended_by_limit = self.limit == Some(0);
        if !ended_by_limit {
            let subscription = shared.hub.subscribe();
            while !shared.stopping.load(Ordering::Relaxed) {
                let id = sent + 1;
                let event = match subscription.events.recv_timeout(shared.settings.event_interval) {
                    Ok(data) => format!("id: {id}\nevent: upload\ndata: {data}\n\n"),
                    Err(RecvTimeoutError::Timeout) => format!("id: {id}\nevent: tick\ndata: {id}\n\n"),
                    // The server stops, or this reader fell behind.
                    Err(RecvTimeoutError::Disconnected) => break,
                };
                let started = Instant::now();
                if chunked {
                    write!(out, "{:x}\r\n{event}\r\n", event.len())?;
                } else {
                    out.write_all(event.as_bytes())?;
                }
                out.flush()?;
                (written, writing) = (written + event.len() as u64, writing + started.elapsed());
                if pace.too_slow(written, writing) {
                    return Err(io::Error::new(io::ErrorKind::TimedOut, "the event reader is too slow"));
                }
                sent += 1;
                if self.limit.is_some_and(|l| sent >= l) {
                    ended_by_limit = true;
                    break;
                }
            }
        }
        if chunked {
            out.write_all(b"0\r\n\r\n")?;
        }
        out.flush()?;
        Ok(chunked && self.keep_alive && ended_by_limit && !shared.stopping.load(Ordering::Relaxed))
    }
}
