//! The hub behind `GET /events`: finished uploads are published here and
//! every open Server-Sent Events stream receives them.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Mutex, PoisonError};

/// Fan-out of event lines to the open SSE streams.
#[derive(Debug, Default)]
pub struct Hub {
    /// `None` once the server stops: subscribers see the channel close.
    subscribers: Mutex<Option<Vec<Sender<String>>>>,
}

impl Hub {
    /// A hub with no subscribers.
    pub fn new() -> Hub {
        Hub { subscribers: Mutex::new(Some(Vec::new())) }
    }

    /// A new stream's receiving end (already closed if the server stopped).
    pub fn subscribe(&self) -> Receiver<String> {
        let (tx, rx) = channel();
        if let Some(subs) = self.subscribers.lock().unwrap_or_else(PoisonError::into_inner).as_mut() {
            subs.push(tx);
        }
        rx
    }

    /// Sends `event` (an SSE `data` payload) to every stream still open.
    pub fn publish(&self, event: &str) {
        if let Some(subs) = self.subscribers.lock().unwrap_or_else(PoisonError::into_inner).as_mut() {
            subs.retain(|tx| tx.send(event.to_string()).is_ok());
        }
    }

    /// Closes every stream's channel: they end at once.
    pub fn close(&self) {
        self.subscribers.lock().unwrap_or_else(PoisonError::into_inner).take();
    }
}
