//! The `fetch` example (`examples/fetch.rs`, compiled in as a module) against
//! servers from other projects: Python's `http.server` (HTTP/1.0 responses
//! that close; HTTP/1.1 close-delimited and length-framed responses) and nginx
//! (files, and a chunked SSI response with trailers), plus the example
//! server's event stream. python3 and nginx must be installed (`.ci/run`
//! installs them); a missing one fails the test with a message.

mod embed_support;

#[allow(dead_code)]
#[path = "../examples/fetch.rs"]
mod fetch;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use embed_support::*;
use fetch::Fetched;
use h1parse::{Disposition, Framing};

fn run_fetch(args: &[String]) -> (Vec<Fetched>, Vec<u8>, String) {
    let mut all = vec!["--timeout".to_string(), "20".into(), "-v".into()];
    all.extend_from_slice(args);
    let opts = fetch::parse_args(all).expect("arguments");
    let (mut out, mut log) = (Vec::new(), Vec::new());
    let result = fetch::run(&opts, &mut out, &mut log);
    let log = String::from_utf8_lossy(&log).into_owned();
    let fetched = result.unwrap_or_else(|e| panic!("fetch failed: {e}\n{log}"));
    (fetched, out, log)
}

/// Starts `python3 ARGS`; its first line of output must contain the port.
fn python_server(args: &[&str], dir: &std::path::Path) -> (ChildGuard, u16) {
    require("python3", "--version");
    let mut child = Command::new("python3")
        .arg("-u")
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start python3");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let guard = ChildGuard(child);
    // Either just the port, or "Serving HTTP on 127.0.0.1 port 41235 (http://...".
    let port = match line.split_once(" port ") {
        Some((_, rest)) => rest.split(' ').next().unwrap_or_default(),
        None => line.trim(),
    };
    let port = port.parse().unwrap_or_else(|_| panic!("no port in python's output: {line:?}"));
    (guard, port)
}

#[test]
fn fetch_from_python_http_server_module() {
    let dir = TempDir::new("pyhttp");
    let big = pattern(200_000, 9);
    std::fs::write(dir.path().join("big.bin"), &big).unwrap();
    std::fs::write(dir.path().join("small.txt"), b"small file\n").unwrap();
    let (_py, port) = python_server(&["-m", "http.server", "0", "--bind", "127.0.0.1"], dir.path());
    let base = format!("http://127.0.0.1:{port}");
    let urls = [format!("{base}/small.txt"), format!("{base}/big.bin"), format!("{base}/small.txt")];
    let (got, out, log) = run_fetch(&urls);
    let mut expected = b"small file\n".to_vec();
    expected.extend_from_slice(&big);
    expected.extend_from_slice(b"small file\n");
    assert!(out == expected, "bodies differ\n{log}");
    // http.server answers HTTP/1.0 with Content-Length and closes: one
    // connection per URL.
    assert!(got.iter().all(|f| f.status == 200 && f.end == Disposition::Close), "{got:?}");
    assert_eq!(got.iter().map(|f| f.connection).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(got[1].framing, Framing::Length(200_000));
    assert!(log.contains("< HTTP/1.0 200 OK"), "{log}");
}

const PY_CLOSE_DELIMITED: &str = r#"
import http.server
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        if self.path == "/close":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            for i in range(2000):
                self.wfile.write(b"line %d\n" % i)
            self.close_connection = True
        elif self.path == "/silent-close":
            # Keep-alive by the rules, but the server closes anyway, unannounced.
            body = b"then gone\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True
        else:
            body = b"framed by length\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
    def log_message(self, *args):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
"#;

#[test]
fn fetch_close_delimited_and_length_from_python() {
    let dir = TempDir::new("pyclose");
    let (_py, port) = python_server(&["-c", PY_CLOSE_DELIMITED], dir.path());
    let base = format!("http://127.0.0.1:{port}");
    let urls = [format!("{base}/len"), format!("{base}/len"), format!("{base}/close"), format!("{base}/len")];
    let (got, out, log) = run_fetch(&urls);
    let lines: String = (0..2000).map(|i| format!("line {i}\n")).collect();
    let expected = format!("framed by length\nframed by length\n{lines}framed by length\n");
    assert!(out == expected.as_bytes(), "bodies differ\n{log}");
    let framings: Vec<Framing> = got.iter().map(|f| f.framing).collect();
    assert_eq!(framings, [Framing::Length(17), Framing::Length(17), Framing::CloseDelimited, Framing::Length(17)]);
    // Kept alive until the close-delimited body, then a new connection.
    assert_eq!(got.iter().map(|f| f.connection).collect::<Vec<_>>(), [1, 1, 1, 2]);
    assert_eq!(got[2].end, Disposition::Close);
}

#[test]
fn fetch_retries_when_a_kept_alive_connection_was_closed_silently() {
    let dir = TempDir::new("pysilent");
    let (_py, port) = python_server(&["-c", PY_CLOSE_DELIMITED], dir.path());
    let base = format!("http://127.0.0.1:{port}");
    let urls = [format!("{base}/silent-close"), format!("{base}/len")];
    let (got, out, log) = run_fetch(&urls);
    assert_eq!(out, b"then gone\nframed by length\n");
    assert_eq!(got[0].end, Disposition::KeepAlive, "the response said nothing about closing");
    assert_eq!((got[1].status, got[1].connection), (200, 2), "{log}");
    assert!(log.contains("retrying on a new one"), "{log}");
}

/// nginx on a free loopback port with its own prefix; killed on drop.
struct Nginx {
    _child: ChildGuard,
    port: u16,
    _dir: TempDir,
}

/// The nginx binary: on PATH, or where Debian puts it (`/usr/sbin` is not on
/// every user's PATH).
fn nginx_binary() -> &'static str {
    let runs = |b: &str| Command::new(b).arg("-v").stderr(Stdio::null()).status().is_ok();
    if runs("nginx") {
        return "nginx";
    }
    if runs("/usr/sbin/nginx") {
        return "/usr/sbin/nginx";
    }
    require("nginx", "-v"); // fails with the message saying how to install it
    unreachable!()
}

fn start_nginx(files: &[(&str, &[u8])]) -> Nginx {
    let nginx = nginx_binary();
    let dir = TempDir::new("nginx");
    let p = dir.path();
    for sub in ["html/ssi", "tmp", "logs"] {
        std::fs::create_dir_all(p.join(sub)).unwrap();
    }
    for (name, content) in files {
        std::fs::write(p.join("html").join(name), content).unwrap();
    }
    let port = free_port();
    let conf = format!(
        "daemon off;\nmaster_process off;\nworker_processes 1;\npid {p}/nginx.pid;\nerror_log {p}/logs/error.log;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n  access_log off;\n  default_type application/octet-stream;\n\
           client_body_temp_path {p}/tmp/body;\n  proxy_temp_path {p}/tmp/proxy;\n  fastcgi_temp_path {p}/tmp/fcgi;\n\
           uwsgi_temp_path {p}/tmp/uwsgi;\n  scgi_temp_path {p}/tmp/scgi;\n\
           server {{\n    listen 127.0.0.1:{port};\n    root {p}/html;\n\
             # SSI output has no length known in advance: nginx sends it chunked.\n\
             location /ssi/ {{ ssi on; ssi_types text/plain; chunked_transfer_encoding on;\n\
                               add_trailer X-Trailer-Test done; }}\n  }}\n}}\n",
        p = p.display()
    );
    std::fs::write(p.join("nginx.conf"), conf).unwrap();
    let child = Command::new(nginx)
        .arg("-p")
        .arg(p)
        .arg("-c")
        .arg(p.join("nginx.conf"))
        .arg("-e")
        .arg(p.join("logs/error.log"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start nginx");
    let guard = ChildGuard(child);
    wait_for_port(port);
    Nginx { _child: guard, port, _dir: dir }
}

#[test]
fn fetch_files_and_chunked_with_trailers_from_nginx() {
    let big = pattern(1_000_000, 21);
    let ssi = b"before <!--# set var=\"x\" value=\"from-ssi\" --><!--# echo var=\"x\" --> after\n";
    let nginx = start_nginx(&[("big.bin", &big), ("hello.txt", b"hello from nginx\n"), ("ssi/page.html", ssi)]);
    let base = format!("http://127.0.0.1:{}", nginx.port);

    // Check that nginx really answers the SSI page chunked, with the trailer.
    let mut s = connect(std::net::SocketAddr::from(([127, 0, 0, 1], nginx.port)));
    s.write_all(b"GET /ssi/page.html HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8_lossy(&raw);
    assert!(raw.contains("\r\nTransfer-Encoding: chunked\r\n"), "nginx did not send chunked:\n{raw}");
    assert!(raw.contains("\r\nX-Trailer-Test: done\r\n"), "no trailer from nginx:\n{raw}");

    let urls = [
        format!("{base}/hello.txt"),
        format!("{base}/ssi/page.html"),
        format!("{base}/big.bin"),
        format!("{base}/missing"),
        format!("{base}/hello.txt"),
    ];
    let (got, out, log) = run_fetch(&urls);
    let statuses: Vec<u16> = got.iter().map(|f| f.status).collect();
    assert_eq!(statuses, [200, 200, 200, 404, 200], "{log}");
    assert!(got.iter().all(|f| f.connection == 1), "one keep-alive connection for all: {got:?}");
    assert_eq!(got[1].framing, Framing::Chunked);
    assert_eq!(got[1].trailers, [("X-Trailer-Test".to_string(), "done".to_string())]);
    assert_eq!(got[2].framing, Framing::Length(1_000_000));
    let out_text = String::from_utf8_lossy(&out);
    assert!(out_text.starts_with("hello from nginx\nbefore from-ssi after\n"), "{}", &out_text[..60]);
    assert!(out.windows(big.len()).any(|w| w == big.as_slice()), "big.bin differs");
    assert!(out.ends_with(b"hello from nginx\n"));

    // HEAD: no body whatever Content-Length says, and the connection goes on.
    let head_urls = [format!("{base}/big.bin"), format!("{base}/hello.txt")];
    let (got, out, log) = run_fetch(&[vec!["-I".to_string()], head_urls.to_vec()].concat());
    assert!(out.is_empty(), "HEAD responses have no body");
    assert!(got.iter().all(|f| f.framing == Framing::None && f.connection == 1), "{got:?}");
    assert!(log.contains("< Content-Length: 1000000"), "{log}");
}

#[test]
fn fetch_follows_the_servers_event_stream() {
    let srv = start_with(|s| s.event_interval = Duration::from_millis(30));
    let urls = [srv.url("/events"), srv.url("/")];
    let dir = TempDir::new("fetch-out");
    let args = [vec!["--events".to_string(), "3".into(), "-o".into(), dir.path().display().to_string()], urls.to_vec()];
    let (got, _, log) = run_fetch(&args.concat());
    assert_eq!(got[0].events, 3, "{log}");
    assert_eq!(got[0].framing, Framing::Chunked);
    let events = std::fs::read_to_string(dir.path().join("1")).unwrap();
    assert_eq!(events, "id: 1\nevent: tick\ndata: 1\n\nid: 2\nevent: tick\ndata: 2\n\nid: 3\nevent: tick\ndata: 3\n\n");
    // The stream was cut, so the next URL needs a new connection.
    assert_eq!((got[1].status, got[1].connection), (200, 2));
    assert!(std::fs::read_to_string(dir.path().join("2")).unwrap().starts_with("0 file(s)"));
}
