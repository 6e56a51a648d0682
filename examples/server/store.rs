//! Where uploads live on disk, and the rules that keep every request all or
//! nothing and every reader consistent.
//!
//! Layout of the storage directory:
//!
//! ```text
//! DIR/NAME            complete uploads
//! DIR/.partial/NAME   uploads cut short or kept open (the client may resume them)
//! DIR/.tmp/N-NAME     the body of a PUT in progress
//! ```
//!
//! The rules:
//!
//! * A `PUT` writes a fresh file in `.tmp/` and renames it into place when its
//!   body ended as framed. A file a reader holds is never truncated or
//!   rewritten: a download in flight keeps reading the inode it opened.
//! * A `PATCH` appends to the stored file; readers were promised only the
//!   length stored before it, so the bytes it appends are invisible to them.
//! * A request the server *rejects* (400, 413...) leaves what was stored as
//!   it was: the fresh file of a `PUT` is deleted, a `PATCH` is cut back to
//!   where it started (if that fails, the next `PATCH` cuts the file back
//!   before it appends). A client that disconnects mid-body keeps what it sent,
//!   as an incomplete upload it can resume with `PATCH`.
//! * The state of every name (length, complete or not) is kept in one index
//!   under one lock. Readers take the length and open the file under it, and
//!   every change of state (with the renames it needs) happens under it too,
//!   so a reader sees one committed state, never a half-made one.
//! * Nothing is followed: the files are opened only if they are regular files
//!   (checked with `symlink_metadata`, then the opened file is checked to be the
//!   same one), and a name taken by a link or a directory answers `409`.
//! * Bounds: incomplete uploads untouched for `partial_ttl` are deleted, and
//!   the bytes stored (uploads in progress included) never exceed `max_bytes`.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

/// The storage bounds.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Most bytes stored at once, uploads in progress included.
    pub max_bytes: u64,
    /// An incomplete upload untouched this long is deleted.
    pub partial_ttl: Duration,
}

/// The upload directory.
#[derive(Debug)]
pub struct Store {
    root: PathBuf,
    partial: PathBuf,
    scratch: PathBuf,
    limits: Limits,
    /// Readers share it; every change of state takes it alone.
    index: RwLock<Index>,
    /// When the index was last swept of expired uploads (ms since `opened`).
    last_sweep: AtomicU64,
    opened: Instant,
    /// Bytes on disk: stored files plus what uploads in progress reserved.
    used: AtomicU64,
    next_scratch: AtomicU64,
}

#[derive(Debug)]
struct Index {
    files: HashMap<String, Entry>,
    /// Names with an upload in progress (one at a time per name).
    busy: HashSet<String>,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    stat: Stat,
    /// When an incomplete upload last changed (for expiry).
    touched: Instant,
}

/// What a name currently refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stat {
    /// Bytes stored.
    pub len: u64,
    /// False while the newest upload to this name has not finished.
    pub complete: bool,
}

/// Why an upload could not start or go on.
#[derive(Debug)]
pub enum BeginError {
    /// Another upload to this name is in progress.
    Busy,
    /// `PATCH` of a name that does not exist.
    NotFound,
    /// `PATCH` at an offset that is not the current length (which is given).
    OffsetMismatch(u64),
    /// The name is taken by something that is not an upload (a link, a directory).
    NotAFile,
    /// Storing this would pass the storage bound.
    Full,
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

/// A real directory at `path` (created if missing; a link there is refused).
fn own_dir(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_dir() => Ok(()),
        Ok(_) => Err(io::Error::other(format!("{} is not a directory", path.display()))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => fs::create_dir(path),
        Err(e) => Err(e),
    }
}

/// The kernel's `O_NOFOLLOW` where this code knows its value (std has no
/// constant for it, and this crate takes no dependency for one).
#[cfg(all(target_os = "linux", any(target_arch = "x86_64", target_arch = "x86")))]
const O_NOFOLLOW: Option<i32> = Some(0x20000);
#[cfg(all(target_os = "linux", any(target_arch = "aarch64", target_arch = "arm")))]
const O_NOFOLLOW: Option<i32> = Some(0x8000);
#[cfg(not(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "x86", target_arch = "aarch64", target_arch = "arm")
)))]
const O_NOFOLLOW: Option<i32> = None;

/// Opens `path` only if it is a regular file (not a link, not a directory);
/// `None` otherwise. With `O_NOFOLLOW` the kernel refuses a link; without it
/// the path is inspected with `symlink_metadata` first and the opened file
/// must be the one inspected, so a link swapped in between is not followed.
fn open_regular(path: &Path, append: bool) -> io::Result<Option<File>> {
    let mut options = OpenOptions::new();
    options.read(!append).append(append);
    let seen = match O_NOFOLLOW {
        Some(flag) => {
            options.custom_flags(flag);
            None
        }
        None => match fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_file() => Some(m),
            Ok(_) => return Ok(None),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        },
    };
    let file = match options.open(path) {
        Ok(f) => f,
        // Gone, or a link (ELOOP under O_NOFOLLOW).
        Err(e) if e.kind() == io::ErrorKind::NotFound || foreign(path) => return Ok(None),
        Err(e) => return Err(e),
    };
    let opened = file.metadata()?;
    let same = seen.is_none_or(|seen| opened.dev() == seen.dev() && opened.ino() == seen.ino());
    Ok((same && opened.is_file()).then_some(file))
}

/// True when something other than a regular file sits at `path`.
fn foreign(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| !m.file_type().is_file())
}

fn remove_if_present(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

impl Store {
    /// Opens (creating if needed) the storage directory `root`, and indexes
    /// the regular files in it.
    pub fn open(root: &Path, limits: Limits) -> io::Result<Store> {
        fs::create_dir_all(root)?;
        let (partial, scratch) = (root.join(".partial"), root.join(".tmp"));
        own_dir(&partial)?;
        own_dir(&scratch)?;
        // Bodies of PUTs that never ended, from an earlier run.
        for entry in fs::read_dir(&scratch)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                fs::remove_file(entry.path())?;
            }
        }
        let mut files = HashMap::new();
        let now = Instant::now();
        // Complete files first: an incomplete upload of the same name shadows one.
        for (dir, complete) in [(root, true), (partial.as_path(), false)] {
            for entry in fs::read_dir(dir)? {
                let entry = entry?;
                let name = entry.file_name().to_str().filter(|n| valid_name(n)).map(str::to_string);
                // `DirEntry::file_type` does not follow links.
                if let (Some(name), true) = (name, entry.file_type()?.is_file()) {
                    let stat = Stat { len: entry.metadata()?.len(), complete };
                    files.insert(name, Entry { stat, touched: now });
                }
            }
        }
        let used = files.values().map(|e| e.stat.len).sum();
        Ok(Store {
            root: root.to_path_buf(),
            partial,
            scratch,
            limits,
            index: RwLock::new(Index { files, busy: HashSet::new() }),
            last_sweep: AtomicU64::new(0),
            opened: now,
            used: AtomicU64::new(used),
            next_scratch: AtomicU64::new(0),
        })
    }

    /// The storage directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Bytes stored now, uploads in progress included.
    pub fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    fn path(&self, name: &str, complete: bool) -> PathBuf {
        if complete { self.root.join(name) } else { self.partial.join(name) }
    }

    /// The index to change, with expired incomplete uploads swept out first.
    fn index(&self) -> RwLockWriteGuard<'_, Index> {
        let mut index = self.index.write().unwrap_or_else(PoisonError::into_inner);
        if self.sweep_due() {
            self.sweep(&mut index);
        }
        index
    }

    /// The index to read (swept first when a sweep is due).
    fn read_index(&self) -> RwLockReadGuard<'_, Index> {
        if self.sweep_due() {
            self.sweep(&mut self.index.write().unwrap_or_else(PoisonError::into_inner));
        }
        self.index.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// A sweep at most once per `partial_ttl` or second, whichever is shorter.
    fn sweep_due(&self) -> bool {
        let every = self.limits.partial_ttl.min(Duration::from_secs(1)).as_millis() as u64;
        let now = self.opened.elapsed().as_millis() as u64;
        let last = self.last_sweep.load(Ordering::Relaxed);
        now >= last + every && self.last_sweep.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_ok()
    }

    fn sweep(&self, index: &mut Index) {
        let ttl = self.limits.partial_ttl;
        let Index { files, busy } = index;
        files.retain(|name, e| {
            let keep = e.stat.complete || busy.contains(name) || e.touched.elapsed() < ttl;
            if !keep && remove_if_present(&self.path(name, false)).is_ok() {
                self.used.fetch_sub(e.stat.len, Ordering::Relaxed);
                return false;
            }
            true
        });
    }

    /// Takes `n` more bytes of the storage bound, if there is room.
    fn reserve(&self, n: u64) -> bool {
        let max = self.limits.max_bytes;
        self.used.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |u| u.checked_add(n).filter(|&t| t <= max)).is_ok()
    }

    fn release(&self, n: u64) {
        self.used.fetch_sub(n, Ordering::Relaxed);
    }

    /// The state of `name`, if anything is stored under it.
    pub fn stat(&self, name: &str) -> Option<Stat> {
        self.read_index().files.get(name).map(|e| e.stat)
    }

    /// Opens `name` for reading: the file and the state it is in. Read no more
    /// than `len` bytes of it (an append in progress may be behind them).
    pub fn open_read(&self, name: &str) -> io::Result<Option<(File, Stat)>> {
        let index = self.read_index();
        let Some(entry) = index.files.get(name) else {
            return Ok(None);
        };
        let file = open_regular(&self.path(name, entry.stat.complete), false)?;
        Ok(file.map(|f| (f, entry.stat)))
    }

    /// Every stored name with its state, sorted by name.
    pub fn list(&self) -> Vec<(String, Stat)> {
        let mut out: Vec<_> = self.read_index().files.iter().map(|(n, e)| (n.clone(), e.stat)).collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    fn claim(self: &Arc<Self>, index: &mut Index, name: &str) -> Result<Claim, BeginError> {
        if !index.busy.insert(name.to_string()) {
            return Err(BeginError::Busy);
        }
        Ok(Claim { store: Arc::clone(self), name: name.to_string() })
    }

    /// Starts a `PUT`: new content for `name`, written to a fresh file.
    /// `declared` is the body's length, when the head gave it.
    pub fn begin_put(self: &Arc<Self>, name: &str, declared: Option<u64>) -> Result<Upload, BeginError> {
        let mut index = self.index();
        if foreign(&self.path(name, true)) || foreign(&self.path(name, false)) {
            return Err(BeginError::NotAFile);
        }
        let reserved = declared.unwrap_or(0);
        if !self.reserve(reserved) {
            return Err(BeginError::Full);
        }
        let claim = self.claim(&mut index, name).inspect_err(|_| self.release(reserved))?;
        drop(index);
        let n = self.next_scratch.fetch_add(1, Ordering::Relaxed);
        let scratch = self.scratch.join(format!("{n}-{name}"));
        // `create_new` refuses anything already there, a link included.
        let file = OpenOptions::new().write(true).create_new(true).open(&scratch);
        let file = file.inspect_err(|_| self.release(reserved))?;
        Ok(Upload { claim, file, start: 0, written: 0, reserved, kind: Kind::Replace(scratch), done: false })
    }

    /// Starts a `PATCH`: appends to `name` if `offset` is its current length.
    pub fn begin_patch(self: &Arc<Self>, name: &str, offset: u64) -> Result<Upload, BeginError> {
        let mut index = self.index();
        let Some(stat) = index.files.get(name).map(|e| e.stat) else {
            return Err(BeginError::NotFound);
        };
        if stat.len != offset {
            return Err(BeginError::OffsetMismatch(stat.len));
        }
        let Some(file) = open_regular(&self.path(name, stat.complete), true)? else {
            return Err(BeginError::NotAFile);
        };
        let claim = self.claim(&mut index, name)?;
        // Released first: the claim takes the lock again if it is dropped.
        drop(index);
        // Bytes past the stored length were left by a roll-back that could
        // not cut the file back; appending after them would serve them.
        if file.metadata()?.len() > offset {
            file.set_len(offset)?;
        }
        Ok(Upload { claim, file, start: offset, written: 0, reserved: 0, kind: Kind::Append, done: false })
    }

    /// Records the new state of `name` (moving its file if its completeness
    /// changed) and releases what the old state held of the storage bound.
    fn settle(&self, name: &str, from: Option<&Path>, stat: Stat) -> io::Result<()> {
        let mut index = self.index();
        let old = index.files.get(name).map(|e| e.stat);
        let target = self.path(name, stat.complete);
        match (from, old) {
            (Some(fresh), _) => fs::rename(fresh, &target)?,
            (None, Some(old)) if old.complete != stat.complete => fs::rename(self.path(name, old.complete), &target)?,
            (None, _) => {}
        }
        if from.is_some() {
            // The new file replaced the old one; drop a copy in the other place.
            remove_if_present(&self.path(name, !stat.complete))?;
            self.release(old.map_or(0, |o| o.len));
        }
        index.files.insert(name.to_string(), Entry { stat, touched: Instant::now() });
        Ok(())
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
        self.store.index.write().unwrap_or_else(PoisonError::into_inner).busy.remove(&self.name);
    }
}

#[derive(Debug)]
enum Kind {
    /// A `PUT`: the new content is in this fresh file.
    Replace(PathBuf),
    /// A `PATCH`: appending to the stored file.
    Append,
}

/// An upload in progress. Dropping it without [`Upload::commit`] or
/// [`Upload::roll_back`] is what a broken connection does: the bytes written
/// so far are kept, as an incomplete upload.
#[derive(Debug)]
pub struct Upload {
    claim: Claim,
    file: File,
    /// Length of the stored data this request builds on.
    start: u64,
    /// Bytes this request has written.
    written: u64,
    /// Bytes of the storage bound taken and not yet written.
    reserved: u64,
    kind: Kind,
    done: bool,
}

/// Why body bytes could not be stored.
#[derive(Debug)]
pub enum WriteError {
    /// The storage bound is reached.
    Full,
    /// The file system said no.
    Io(io::Error),
}

impl Upload {
    /// The name being uploaded.
    pub fn name(&self) -> &str {
        &self.claim.name
    }

    /// Appends body bytes as they arrive.
    pub fn write(&mut self, data: &[u8]) -> Result<(), WriteError> {
        let n = data.len() as u64;
        if n > self.reserved {
            // Reserve ahead in steps, so the bound is not touched on every read.
            let step = (n - self.reserved).max(1 << 20);
            if !self.claim.store.reserve(step) {
                if !self.claim.store.reserve(n - self.reserved) {
                    return Err(WriteError::Full);
                }
                self.reserved = n;
            } else {
                self.reserved += step;
            }
        }
        self.file.write_all(data).map_err(WriteError::Io)?;
        self.reserved -= n;
        self.written += n;
        Ok(())
    }

    /// Bytes this request has written.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Makes the new state visible: `complete` or open for more `PATCH`es.
    fn finish(&mut self, complete: bool) -> io::Result<u64> {
        self.done = true;
        let store = Arc::clone(&self.claim.store);
        store.release(self.reserved);
        self.reserved = 0;
        let stat = Stat { len: self.start + self.written, complete };
        let fresh = match &self.kind {
            Kind::Replace(path) => Some(path.as_path()),
            Kind::Append => None,
        };
        store.settle(&self.claim.name, fresh, stat)?;
        Ok(stat.len)
    }

    /// The body ended as framed: the upload is complete if `complete`, else
    /// kept open for more `PATCH`es. Returns the stored length.
    pub fn commit(mut self, complete: bool) -> io::Result<u64> {
        self.file.sync_data()?;
        self.finish(complete).inspect_err(|_| self.undo())
    }

    /// The request was rejected: undo what it wrote.
    pub fn roll_back(mut self) -> io::Result<()> {
        self.done = true;
        self.undo();
        match &self.kind {
            Kind::Replace(_) => Ok(()),
            Kind::Append => self.file.set_len(self.start),
        }
    }

    fn undo(&mut self) {
        self.done = true;
        self.claim.store.release(self.reserved + self.written);
        self.reserved = 0;
        if let Kind::Replace(path) = &self.kind {
            let _ = fs::remove_file(path);
        }
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        // Cut short: keep what arrived, as an incomplete upload.
        if !self.done && self.finish(false).is_err() {
            self.undo();
        }
    }
}
