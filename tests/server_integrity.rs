//! The example server keeps the promise of its store: a request either took
//! effect or it did not, a reader sees one consistent state of a file, and
//! nothing outside the storage directory is ever read or written.

mod embed_support;

use std::io::{Read, Write};
use std::net::Shutdown;
use std::path::Path;
use std::time::{Duration, Instant};

use embed_support::*;

/// One request on a fresh connection; its response.
fn ask(srv: &TestServer, request: &[u8], method: &str) -> Resp {
    let mut s = connect(srv.addr);
    s.write_all(request).unwrap();
    read_response(&mut s, method)
}

fn head_of(srv: &TestServer, name: &str) -> Resp {
    ask(srv, format!("HEAD /files/{name} HTTP/1.1\r\nHost: t\r\n\r\n").as_bytes(), "HEAD")
}

fn put(srv: &TestServer, name: &str, body: &[u8]) -> Resp {
    let mut req =
        format!("PUT /files/{name} HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes();
    req.extend_from_slice(body);
    ask(srv, &req, "PUT")
}

/// `(Upload-Offset, Upload-Complete)` of a response.
fn state(r: &Resp) -> (u16, Option<&str>, Option<&str>) {
    (r.status, r.header("upload-offset"), r.header("upload-complete"))
}

/// Leaves `name` as an open (incomplete) upload: `PATCH` of nothing with
/// `Upload-Complete: ?0` at its current length.
fn reopen(srv: &TestServer, name: &str, len: usize) {
    let req = format!(
        "PATCH /files/{name} HTTP/1.1\r\nHost: t\r\nUpload-Offset: {len}\r\nUpload-Complete: ?0\r\nContent-Length: 0\r\n\r\n"
    );
    let r = ask(srv, req.as_bytes(), "PATCH");
    assert_eq!(state(&r), (200, Some(len.to_string().as_str()), Some("?0")));
}

#[test]
fn a_download_in_flight_is_not_mixed_with_a_later_upload() {
    let srv = start_with(|s| s.write_timeout = Duration::from_secs(20));
    // Larger than what loopback socket buffers hold, so the server is still
    // reading the file when the second upload lands.
    let first = pattern(24 << 20, 1);
    let second = pattern(24 << 20, 2);
    assert_eq!(put(&srv, "big", &first).status, 201);
    let mut download = connect(srv.addr);
    download.write_all(b"GET /files/big HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").unwrap();
    let mut got = vec![0u8; 64 * 1024];
    download.read_exact(&mut got).unwrap();
    // The stored upload is reopened, then replaced, while the download waits.
    reopen(&srv, "big", first.len());
    assert_eq!(put(&srv, "big", &second).status, 201);
    got.extend(read_to_close(&mut download));
    let resp = parse_responses(&got, &["GET"]).remove(0);
    assert_eq!(resp.body.len(), first.len());
    assert!(resp.body == first, "the download mixes two uploads");
    assert!(ask(&srv, b"GET /files/big HTTP/1.1\r\nHost: t\r\n\r\n", "GET").body == second);
}

#[test]
fn a_rejected_put_leaves_what_was_stored() {
    let srv = start();
    let bad_put = b"PUT /files/keep HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n";
    // A complete file...
    assert_eq!(put(&srv, "keep", b"hello").status, 201);
    assert_eq!(ask(&srv, bad_put, "PUT").status, 400);
    assert_eq!(state(&head_of(&srv, "keep")), (200, Some("5"), Some("?1")));
    // ...and an upload kept open by a PATCH.
    reopen(&srv, "keep", 5);
    assert_eq!(ask(&srv, bad_put, "PUT").status, 400);
    assert_eq!(state(&head_of(&srv, "keep")), (200, Some("5"), Some("?0")));
    // ...and an upload cut short.
    {
        let mut s = connect(srv.addr);
        s.write_all(b"PUT /files/cut HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n1234").unwrap();
        s.shutdown(Shutdown::Both).unwrap();
    }
    eventually(Duration::from_secs(5), || (state(&head_of(&srv, "cut")) == (200, Some("4"), Some("?0"))).then_some(()));
    let bad = b"PUT /files/cut HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
    assert_eq!(ask(&srv, bad, "PUT").status, 400);
    assert_eq!(state(&head_of(&srv, "cut")), (200, Some("4"), Some("?0")));
}

#[test]
fn readers_see_only_committed_state() {
    let srv = start();
    assert_eq!(put(&srv, "f", b"hello").status, 201);
    // A PATCH whose body has begun: readers still see the stored state.
    let mut patch = connect(srv.addr);
    patch
        .write_all(
            b"PATCH /files/f HTTP/1.1\r\nHost: t\r\nUpload-Offset: 5\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n",
        )
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(state(&head_of(&srv, "f")), (200, Some("5"), Some("?1")));
    let get = ask(&srv, b"GET /files/f HTTP/1.1\r\nHost: t\r\n\r\n", "GET");
    assert_eq!((get.body.as_slice(), get.header("upload-complete")), (&b"hello"[..], Some("?1")));
    // The PATCH is then rejected and rolled back: nothing changed.
    patch.write_all(b"zz\r\n").unwrap();
    assert_eq!(read_response(&mut patch, "PATCH").status, 400);
    assert_eq!(state(&head_of(&srv, "f")), (200, Some("5"), Some("?1")));
}

#[test]
fn a_file_that_always_exists_is_never_reported_missing() {
    let srv = start();
    assert_eq!(put(&srv, "flip", b"abc").status, 201);
    let addr = srv.addr;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // One client reopens and completes the upload over and over (the file
    // moves between complete and incomplete); the other asks for it.
    let writer = {
        let stop = std::sync::Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut s = connect(addr);
            let mut len = 3;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                for complete in ["?0", "?1"] {
                    let req = format!(
                        "PATCH /files/flip HTTP/1.1\r\nHost: t\r\nUpload-Offset: {len}\r\nUpload-Complete: {complete}\r\n\
                         Content-Length: 1\r\n\r\nx"
                    );
                    s.write_all(req.as_bytes()).unwrap();
                    assert_eq!(read_response(&mut s, "PATCH").status, 200);
                    len += 1;
                }
            }
        })
    };
    let mut s = connect(addr);
    let started = Instant::now();
    let mut missing = 0;
    let mut asked = 0;
    while started.elapsed() < Duration::from_secs(2) {
        s.write_all(b"HEAD /files/flip HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
        if read_response(&mut s, "HEAD").status != 200 {
            missing += 1;
        }
        asked += 1;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    writer.join().unwrap();
    assert_eq!(missing, 0, "{missing} of {asked} HEADs answered that an existing file is missing");
}

#[test]
fn only_a_target_that_starts_with_a_scheme_is_absolute_form() {
    let srv = start();
    for target in ["/upload?next=http://a/files/x", "/static://x/files/y"] {
        let req = format!("PUT {target} HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nhi");
        let r = ask(&srv, req.as_bytes(), "PUT");
        assert_eq!(r.status, 404, "{target}");
    }
    for name in ["x", "y"] {
        assert_eq!(head_of(&srv, name).status, 404, "{name} must not have been written");
    }
    // Real absolute-form still works (RFC 9112 3.2.2).
    let r = ask(&srv, b"PUT http://t/files/abs HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nok", "PUT");
    assert_eq!(r.status, 201);
    assert_eq!(state(&head_of(&srv, "abs")), (200, Some("2"), Some("?1")));
}

/// The storage directory of a test server.
fn storage(srv: &TestServer) -> std::path::PathBuf {
    srv.dir.path().join("files")
}

fn plant_symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

#[test]
fn symlinks_in_the_storage_directory_are_not_followed() {
    let srv = start();
    let outside = TempDir::new("outside");
    let secret = outside.path().join("secret");
    std::fs::write(&secret, b"secret").unwrap();
    let dir = storage(&srv);
    // A complete file that is a link: not read, not overwritten.
    plant_symlink(&secret, &dir.join("link"));
    let get = ask(&srv, b"GET /files/link HTTP/1.1\r\nHost: t\r\n\r\n", "GET");
    assert!(get.status == 404 || get.status == 409, "GET through a symlink: {} {:?}", get.status, get.text());
    let _ = put(&srv, "link", b"overwritten");
    // An incomplete upload that is a link: not appended to, not truncated.
    plant_symlink(&secret, &dir.join(".partial/plink"));
    let patch = b"PATCH /files/plink HTTP/1.1\r\nHost: t\r\nUpload-Offset: 6\r\nContent-Length: 3\r\n\r\nabc";
    let r = ask(&srv, patch, "PATCH");
    assert!(r.status == 404 || r.status == 409, "PATCH through a symlink: {}", r.status);
    let r = ask(&srv, b"HEAD /files/plink HTTP/1.1\r\nHost: t\r\n\r\n", "HEAD");
    assert!(r.status == 404 || r.status == 409, "HEAD through a symlink: {}", r.status);
    let _ = put(&srv, "plink", b"overwritten");
    let cut = b"PUT /files/plink HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nxyz";
    {
        let mut s = connect(srv.addr);
        s.write_all(cut).unwrap();
        s.shutdown(Shutdown::Both).unwrap();
    }
    std::thread::sleep(Duration::from_millis(200));
    // A stored file replaced by a link behind the server's back (the index
    // still names it): not read, not appended to.
    assert_eq!(put(&srv, "swapped", b"public").status, 201);
    std::fs::remove_file(dir.join("swapped")).unwrap();
    plant_symlink(&secret, &dir.join("swapped"));
    let get = ask(&srv, b"GET /files/swapped HTTP/1.1\r\nHost: t\r\n\r\n", "GET");
    let what = format!("{} {:?}", get.status, get.text());
    assert!(get.status == 404 || get.status == 409, "GET of a file swapped for a link: {what}");
    let patch = b"PATCH /files/swapped HTTP/1.1\r\nHost: t\r\nUpload-Offset: 6\r\nContent-Length: 3\r\n\r\nabc";
    let r = ask(&srv, patch, "PATCH");
    assert!(r.status == 404 || r.status == 409, "PATCH of a file swapped for a link: {}", r.status);
    assert_eq!(std::fs::read(&secret).unwrap(), b"secret", "a file outside the storage directory changed");
    let listing = ask(&srv, b"GET / HTTP/1.1\r\nHost: t\r\n\r\n", "GET").text();
    assert!(!listing.contains("secret"), "{listing}");
}

#[test]
fn a_directory_is_not_a_file() {
    let srv = start();
    std::fs::create_dir(storage(&srv).join("sub")).unwrap();
    std::fs::create_dir(storage(&srv).join(".partial/psub")).unwrap();
    for name in ["sub", "psub"] {
        for method in ["GET", "HEAD"] {
            let r = ask(&srv, format!("{method} /files/{name} HTTP/1.1\r\nHost: t\r\n\r\n").as_bytes(), method);
            assert!(r.status == 404 || r.status == 409, "{method} {name}: {}", r.status);
        }
        let r = put(&srv, name, b"data");
        assert!(r.status == 409 || r.status == 201, "PUT {name}: {}", r.status);
    }
    // A stored file replaced by a directory behind the server's back (the
    // index still names it).
    assert_eq!(put(&srv, "swapped", b"data").status, 201);
    let path = storage(&srv).join("swapped");
    std::fs::remove_file(&path).unwrap();
    std::fs::create_dir(&path).unwrap();
    for method in ["GET", "HEAD"] {
        let r = ask(&srv, format!("{method} /files/swapped HTTP/1.1\r\nHost: t\r\n\r\n").as_bytes(), method);
        assert!(r.status == 404 || r.status == 409, "{method} of a file swapped for a directory: {}", r.status);
    }
}

#[test]
fn a_client_that_stops_reading_is_dropped_at_the_write_timeout() {
    let timeout = Duration::from_secs(2);
    let srv = start_with(|s| s.write_timeout = timeout);
    assert_eq!(put(&srv, "big", &pattern(24 << 20, 3)).status, 201);
    let mut s = connect(srv.addr);
    s.write_all(b"GET /files/big HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
    let mut first = [0u8; 1024];
    s.read_exact(&mut first).unwrap();
    // Stop reading. Socket buffers fill within a few milliseconds; then the
    // server's write blocks and must give up after `timeout`.
    let started = Instant::now();
    let server = srv.server.as_ref().unwrap();
    eventually(Duration::from_secs(20), || (server.open_connections() == 0).then_some(()));
    let took = started.elapsed();
    println!("dropped after {took:?}");
    assert!(took < timeout + Duration::from_millis(700), "dropped after {took:?} (write timeout {timeout:?})");
    drop(s);
}

#[test]
fn continue_only_for_a_body_that_will_be_read() {
    let srv = start();
    // No body: nothing to wait for, so no interim response.
    let raw = exchange_raw(
        srv.addr,
        b"PUT /files/empty HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
    );
    let resps = parse_responses(&raw, &["PUT"]);
    assert_eq!(resps.iter().map(|r| r.status).collect::<Vec<_>>(), [201]);
    // A body the server reads and discards: the client is told to send it.
    let mut s = connect(srv.addr);
    s.write_all(b"GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n").unwrap();
    let interim = read_response(&mut s, "GET");
    assert_eq!(interim.status, 100);
    s.write_all(b"abc").unwrap();
    assert_eq!(read_response(&mut s, "GET").status, 200);
}

#[test]
fn answers_reveal_no_server_internals() {
    let srv = start();
    let listing = ask(&srv, b"GET / HTTP/1.1\r\nHost: t\r\n\r\n", "GET").text();
    let dir = storage(&srv);
    assert!(!listing.contains(dir.to_str().unwrap()), "the listing shows the storage path: {listing}");
    // A storage failure: the server's scratch directories are gone.
    for sub in [".partial", ".tmp"] {
        let _ = std::fs::remove_dir_all(dir.join(sub));
    }
    let r = put(&srv, "fails", b"data");
    assert_eq!(r.status, 500);
    let text = r.text();
    assert!(!text.contains("os error") && !text.contains("No such file"), "the answer shows an io::Error: {text}");
}

/// Makes a file append-only (`chattr +a`, root on ext4 and the like): appends
/// work, cutting it back fails, as a roll-back on a failing disk would.
struct AppendOnly(std::path::PathBuf);

impl AppendOnly {
    fn set(path: &Path) -> Option<AppendOnly> {
        let ok = std::process::Command::new("chattr").arg("+a").arg(path).status().is_ok_and(|s| s.success());
        ok.then(|| AppendOnly(path.to_path_buf()))
    }
}

impl Drop for AppendOnly {
    fn drop(&mut self) {
        let _ = std::process::Command::new("chattr").arg("-a").arg(&self.0).status();
    }
}

#[test]
fn a_rejected_patch_is_answered_even_if_its_roll_back_fails() {
    let srv = start();
    assert_eq!(put(&srv, "f", b"first").status, 201);
    let Some(append_only) = AppendOnly::set(&storage(&srv).join("f")) else {
        // CI runs as root on ext4 and sets H1PARSE_REQUIRE_CHATTR, so there
        // this test can never pass by skipping.
        assert!(
            std::env::var_os("H1PARSE_REQUIRE_CHATTR").is_none(),
            "`chattr +a` failed and H1PARSE_REQUIRE_CHATTR is set"
        );
        eprintln!("skipped: `chattr +a` is not permitted here (it needs root and a file system with the flag)");
        return;
    };
    // The body's first chunk is appended, then the request is rejected, and
    // cutting the file back fails: the client still gets its answer.
    let bad = b"PATCH /files/f HTTP/1.1\r\nHost: t\r\nUpload-Offset: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n";
    let raw = exchange_raw(srv.addr, bad);
    let statuses: Vec<u16> = parse_responses(&raw, &["PATCH"]).iter().map(|r| r.status).collect();
    assert_eq!(statuses, [400], "answer to a PATCH whose roll-back failed: {:?}", String::from_utf8_lossy(&raw));
    assert_eq!(state(&head_of(&srv, "f")), (200, Some("5"), Some("?1")));
    drop(append_only);
    // The bytes the roll-back left behind are not built on by the next PATCH.
    let patch = b"PATCH /files/f HTTP/1.1\r\nHost: t\r\nUpload-Offset: 5\r\nContent-Length: 5\r\n\r\nworld";
    assert_eq!(state(&ask(&srv, patch, "PATCH")), (200, Some("10"), Some("?1")));
    assert_eq!(ask(&srv, b"GET /files/f HTTP/1.1\r\nHost: t\r\n\r\n", "GET").body, b"firstworld");
}
