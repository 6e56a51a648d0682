//! Where uploads live on disk, and the rules that keep a broken upload from
//! looking complete.
//!
//! Layout of the storage directory:
//!
//! ```text
//! DIR/NAME            complete uploads
//! DIR/.partial/NAME   uploads in progress, or cut short (the client may resume them)
//! ```
//!
//! An upload is always written into `.partial/` and renamed into `DIR/` only
//! once its request body ended as the framing said it would. A client that
//! disconnects (or times out) mid-body leaves the bytes it sent in `.partial/`,
//! and `HEAD` reports that length with `Upload-Complete: ?0`, so the client can
//! `PATCH` the rest. A request the server *rejects* mid-body (413, 400) is
//! rolled back instead: a request either took effect or it did not.
//!
//! A partial upload shadows a complete file of the same name: the resource is
//! whatever the newest upload to that name has made of it. One upload per name
//! at a time; a second one gets `409 Conflict`.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

/// The upload directory.
#[derive(Debug)]
pub struct Store {
    root: PathBuf,
    partial: PathBuf,
    /// Names with an upload in progress.
    busy: Mutex<HashSet<String>>,
}

/// What a name currently refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stat {
    /// Bytes stored.
    pub len: u64,
    /// False while the newest upload to this name has not finished.
    pub complete: bool,
}

/// Why an upload could not start.
#[derive(Debug)]
pub enum BeginError {
    /// Another upload to this name is in progress.
    Busy,
    /// `PATCH` of a name that does not exist.
    NotFound,
    /// `PATCH` at an offset that is not the current length (which is given).
    OffsetMismatch(u64),
    /// The file system said no.
    Io(io::Error),
}

impl From<io::Error> for BeginError {
    fn from(e: io::Error) -> Self {
        BeginError::Io(e)
    }
}

/// True for names made of `A-Z a-z 0-9 . _ -`, 1 to 200 bytes, not starting
/// with a dot: they map to a file in the directory and nowhere else.
pub fn valid_name(name: &str) -> bool {
    let ok_byte = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-');
    !name.is_empty() && name.len() <= 200 && !name.starts_with('.') && name.bytes().all(ok_byte)
}

impl Store {
    /// Opens (creating if needed) the storage directory `root`.
    pub fn open(root: &Path) -> io::Result<Store> {
        let partial = root.join(".partial");
        fs::create_dir_all(&partial)?;
        Ok(Store { root: root.to_path_buf(), partial, busy: Mutex::new(HashSet::new()) })
    }

    /// The storage directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn complete_path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    fn partial_path(&self, name: &str) -> PathBuf {
        self.partial.join(name)
    }

    /// The state of `name`, if anything is stored under it.
    pub fn stat(&self, name: &str) -> io::Result<Option<Stat>> {
        for (path, complete) in [(self.partial_path(name), false), (self.complete_path(name), true)] {
            match fs::metadata(&path) {
                Ok(m) => return Ok(Some(Stat { len: m.len(), complete })),
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    /// Opens `name` for reading: the file, its length and whether it is complete.
    pub fn open_read(&self, name: &str) -> io::Result<Option<(File, Stat)>> {
        for (path, complete) in [(self.partial_path(name), false), (self.complete_path(name), true)] {
            match File::open(&path) {
                Ok(f) => {
                    let len = f.metadata()?.len();
                    return Ok(Some((f, Stat { len, complete })));
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    /// Every stored name with its state, sorted by name.
    pub fn list(&self) -> io::Result<Vec<(String, Stat)>> {
        let mut names = Vec::new();
        for dir in [&self.partial, &self.root] {
            for entry in fs::read_dir(dir)? {
                let entry = entry?;
                if !entry.file_type()?.is_file() {
                    continue;
                }
                if let Some(name) = entry.file_name().to_str().filter(|n| valid_name(n)) {
                    names.push(name.to_string());
                }
            }
        }
        names.sort();
        names.dedup();
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            if let Some(stat) = self.stat(&name)? {
                out.push((name, stat));
            }
        }
        Ok(out)
    }

    fn claim(self: &Arc<Self>, name: &str) -> Result<Claim, BeginError> {
        let mut busy = self.busy.lock().unwrap_or_else(PoisonError::into_inner);
        if !busy.insert(name.to_string()) {
            return Err(BeginError::Busy);
        }
        Ok(Claim { store: Arc::clone(self), name: name.to_string() })
    }

    /// Starts a `PUT`: a new upload of `name` from byte 0.
    pub fn begin_put(self: &Arc<Self>, name: &str) -> Result<Upload, BeginError> {
        let claim = self.claim(name)?;
        let file = File::create(self.partial_path(name))?;
        Ok(Upload { claim, file, start: 0, written: 0, was_complete: false, replaces: true })
    }

    /// Starts a `PATCH`: appends to `name` if `offset` is its current length.
    pub fn begin_patch(self: &Arc<Self>, name: &str, offset: u64) -> Result<Upload, BeginError> {
        let claim = self.claim(name)?;
        let Some(stat) = self.stat(name)? else {
            return Err(BeginError::NotFound);
        };
        if stat.len != offset {
            return Err(BeginError::OffsetMismatch(stat.len));
        }
        if stat.complete {
            // Appending reopens the upload: until this body ends, it is partial.
            fs::rename(self.complete_path(name), self.partial_path(name))?;
        }
        let file = OpenOptions::new().append(true).open(self.partial_path(name))?;
        Ok(Upload { claim, file, start: offset, written: 0, was_complete: stat.complete, replaces: false })
    }
}

/// Holds a name's upload slot; frees it when dropped.
#[derive(Debug)]
struct Claim {
    store: Arc<Store>,
    name: String,
}

impl Drop for Claim {
    fn drop(&mut self) {
        let mut busy = self.store.busy.lock().unwrap_or_else(PoisonError::into_inner);
        busy.remove(&self.name);
    }
}

/// An upload in progress. Dropping it without [`Upload::commit`] or
/// [`Upload::roll_back`] is what a broken connection does: the bytes written
/// so far stay, marked incomplete.
#[derive(Debug)]
pub struct Upload {
    claim: Claim,
    file: File,
    /// Length of the stored data when this request began.
    start: u64,
    /// Bytes this request has written.
    written: u64,
    /// A `PATCH` that reopened a complete file.
    was_complete: bool,
    /// A `PUT`: on roll-back the partial file goes away entirely.
    replaces: bool,
}

impl Upload {
    /// The name being uploaded.
    pub fn name(&self) -> &str {
        &self.claim.name
    }

    /// Appends body bytes as they arrive.
    pub fn write(&mut self, data: &[u8]) -> io::Result<()> {
        self.file.write_all(data)?;
        self.written += data.len() as u64;
        Ok(())
    }

    /// Bytes this request has written.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// The body ended as framed. Marks the upload complete (moves it out of
    /// `.partial/`) when `complete`; returns the stored length.
    pub fn commit(self, complete: bool) -> io::Result<u64> {
        self.file.sync_data()?;
        let store = &self.claim.store;
        let name = &self.claim.name;
        if complete {
            fs::rename(store.partial_path(name), store.complete_path(name))?;
        }
        Ok(self.start + self.written)
    }

    /// The request was rejected: undo what it wrote.
    pub fn roll_back(self) -> io::Result<()> {
        let store = &self.claim.store;
        let name = &self.claim.name;
        if self.replaces {
            drop(self.file);
            return fs::remove_file(store.partial_path(name));
        }
        self.file.set_len(self.start)?;
        if self.was_complete {
            fs::rename(store.partial_path(name), store.complete_path(name))?;
        }
        Ok(())
    }
}
