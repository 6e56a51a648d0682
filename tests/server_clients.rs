//! The example server (`examples/server/`) against real clients: curl and
//! Python's `http.client`. They must be installed (`.ci/run` installs them);
//! a missing one fails the test with a message rather than skipping it.

mod embed_support;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use embed_support::*;

fn curl(args: &[&str]) -> Output {
    require("curl", "--version");
    let out = Command::new("curl").args(["-sS", "--max-time", "30"]).args(args).output().expect("run curl");
    assert!(out.status.success(), "curl {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    out
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn curl_upload_with_content_length_download_and_head() {
    let srv = start();
    let tmp = TempDir::new("curl");
    let data = pattern(2_500_000, 11);
    let file = tmp.path().join("up.bin");
    std::fs::write(&file, &data).unwrap();
    let url = srv.url("/files/up.bin");
    // -T sends PUT with Content-Length; ask for 100-continue explicitly so the
    // interim response is exercised whatever curl's size threshold is.
    let up = curl(&["-v", "-H", "Expect: 100-continue", "-T", file.to_str().unwrap(), "-w", "%{http_code}", &url]);
    assert_eq!(text(&up.stdout), "2500000\n201");
    assert!(text(&up.stderr).contains("< HTTP/1.1 100 Continue"), "{}", text(&up.stderr));
    let down = tmp.path().join("down.bin");
    curl(&["-o", down.to_str().unwrap(), &url]);
    assert!(std::fs::read(&down).unwrap() == data, "downloaded bytes differ from uploaded bytes");
    let head = text(&curl(&["-I", &url]).stdout);
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains("Content-Length: 2500000\r\n"), "{head}");
    assert!(head.contains("Upload-Offset: 2500000\r\n"), "{head}");
    assert!(head.contains("Upload-Complete: ?1\r\n"), "{head}");
}

#[test]
fn curl_chunked_upload_from_a_pipe() {
    require("curl", "--version");
    let srv = start();
    let data = pattern(700_001, 5);
    let url = srv.url("/files/piped.bin");
    let mut child = Command::new("curl")
        .args(["-sS", "--max-time", "30", "-v", "-T", "-", "-H", "Transfer-Encoding: chunked", "-w", "%{http_code}"])
        .arg(&url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run curl");
    let mut stdin = child.stdin.take().unwrap();
    let feed = {
        let data = data.clone();
        // Write in pieces, as a pipe from another program would.
        std::thread::spawn(move || {
            for piece in data.chunks(50_000) {
                stdin.write_all(piece).unwrap();
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        })
    };
    let out = child.wait_with_output().unwrap();
    feed.join().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("> Transfer-Encoding: chunked"), "{stderr}");
    // curl asks for 100-continue on a chunked upload of unknown size (and
    // would stall a second without the interim response).
    assert!(stderr.contains("> Expect: 100-continue") && stderr.contains("< HTTP/1.1 100 Continue"), "{stderr}");
    assert_eq!(text(&out.stdout), "700001\n201");
    let down = curl(&[&url]).stdout;
    assert!(down == data, "downloaded bytes differ from uploaded bytes");
}

#[test]
fn curl_reuses_one_connection_for_several_urls() {
    let srv = start();
    let tmp = TempDir::new("curl-many");
    let f = tmp.path().join("a");
    std::fs::write(&f, b"alpha").unwrap();
    curl(&["-T", f.to_str().unwrap(), &srv.url("/files/a")]);
    let (a, listing, missing) = (srv.url("/files/a"), srv.url("/"), srv.url("/files/missing"));
    let out = curl(&["-v", "-w", "[%{num_connects} %{http_code}]", &a, &listing, &missing, &a]);
    let stdout = text(&out.stdout);
    // num_connects is 1 for the first transfer, 0 for each that reused it.
    assert!(stdout.starts_with("alpha[1 200]"), "{stdout}");
    assert!(stdout.contains("a\t5\n[0 200]"), "{stdout}");
    assert!(stdout.contains("no such file\n[0 404]"), "{stdout}");
    assert!(stdout.ends_with("alpha[0 200]"), "{stdout}");
    assert_eq!(text(&out.stderr).matches("Re-using existing connection").count(), 3, "{}", text(&out.stderr));
}

#[test]
fn curl_resumes_an_upload_with_patch() {
    let srv = start();
    let tmp = TempDir::new("curl-resume");
    let data = pattern(300_000, 3);
    let (first, rest) = data.split_at(120_000);
    // A first PUT that breaks off after 120 000 bytes (a raw socket, dropped).
    {
        let mut s = connect(srv.addr);
        s.write_all(b"PUT /files/r.bin HTTP/1.1\r\nHost: t\r\nContent-Length: 300000\r\n\r\n").unwrap();
        s.write_all(first).unwrap();
    }
    let url = srv.url("/files/r.bin");
    let offset = eventually(std::time::Duration::from_secs(5), || {
        let head = text(&curl(&["-I", &url]).stdout);
        head.contains("Upload-Offset: 120000\r\n").then_some(120_000)
    });
    let rest_file = tmp.path().join("rest");
    std::fs::write(&rest_file, rest).unwrap();
    let patched = eventually(std::time::Duration::from_secs(5), || {
        let out = curl(&[
            "-X",
            "PATCH",
            "-H",
            &format!("Upload-Offset: {offset}"),
            "--data-binary",
            &format!("@{}", rest_file.display()),
            "-w",
            " %{http_code}",
            &url,
        ]);
        let t = text(&out.stdout);
        (!t.ends_with("409")).then_some(t)
    });
    assert_eq!(patched, "180000\n 200");
    assert!(curl(&[&url]).stdout == data, "resumed upload differs");
}

const PYTHON_ROUND_TRIP: &str = r#"
import http.client, sys
host, port = sys.argv[1], int(sys.argv[2])
data = bytes((i * 7 + 3) % 251 for i in range(300000))
c = http.client.HTTPConnection(host, port, timeout=20)
c.request("PUT", "/files/py.bin", body=data)
r = c.getresponse()
print("put", r.status, r.read().decode().strip())
sock = c.sock
def pieces():
    for i in range(0, len(data), 65536):
        yield data[i:i + 65536]
# An iterable body without a length: http.client sends it chunked.
c.request("PUT", "/files/py-chunked.bin", body=pieces())
r = c.getresponse()
print("put-chunked", r.status, r.read().decode().strip())
for name in ("py.bin", "py-chunked.bin"):
    c.request("GET", "/files/" + name)
    r = c.getresponse()
    print("get", name, r.status, r.read() == data)
c.request("HEAD", "/files/py.bin")
r = c.getresponse()
r.read()
print("head", r.status, r.getheader("Content-Length"), r.getheader("Upload-Offset"))
print("one connection", c.sock is sock)
"#;

#[test]
fn python_http_client_round_trip() {
    require("python3", "--version");
    let srv = start();
    let out = Command::new("python3")
        .args(["-c", PYTHON_ROUND_TRIP, "127.0.0.1", &srv.addr.port().to_string()])
        .output()
        .expect("run python3");
    assert!(out.status.success(), "python failed: {}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "put 201 300000\nput-chunked 201 300000\nget py.bin 200 True\nget py-chunked.bin 200 True\n\
         head 200 300000 300000\none connection True\n"
    );
    let expected: Vec<u8> = (0..300_000u32).map(|i| ((i * 7 + 3) % 251) as u8).collect();
    for name in ["py.bin", "py-chunked.bin"] {
        let stored = std::fs::read(srv.dir.path().join("files").join(name)).unwrap();
        assert!(stored == expected, "{name} stored wrongly");
    }
}
