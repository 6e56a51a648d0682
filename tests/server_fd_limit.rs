//! The example server under a low open-file limit (`ulimit -n`), lowered for
//! this process alone (its own test binary): connections past what its
//! descriptors allow are answered `503`, none is dropped without an answer.

mod embed_support;

use std::process::Command;
use std::time::Duration;

use embed_support::*;

#[test]
fn past_the_open_file_limit_every_connection_is_answered() {
    require("python3", "--version");
    use embed_support::server::service::{FDS_KEPT, FDS_PER_CONNECTION};
    // Room for 8 connections; the hard limit stays, so children can raise theirs.
    let limit = FDS_KEPT + 8 * FDS_PER_CONNECTION;
    let lower = "import resource,sys\n\
        pid,soft=int(sys.argv[1]),int(sys.argv[2])\n\
        hard=resource.prlimit(pid,resource.RLIMIT_NOFILE)[1]\n\
        resource.prlimit(pid,resource.RLIMIT_NOFILE,(soft,hard))\n";
    let lowered = Command::new("python3")
        .args(["-c", lower, &std::process::id().to_string(), &limit.to_string()])
        .status()
        .unwrap();
    assert!(lowered.success(), "python3 could not lower this process's open-file limit");
    let srv = start_with(|s| {
        s.max_per_address = 1000;
        s.new_client_slots = 0;
        s.evict_idle_after = Duration::from_secs(3600);
        s.idle_timeout = Duration::from_secs(30);
    });
    assert_eq!(srv.server.as_ref().unwrap().connection_cap(), 8);
    // 100 clients in another process (its own limit), one after another, each
    // keeping its connection open: the status each got, 0 for no answer.
    let script = "import resource,socket,sys\n\
        soft,hard=resource.getrlimit(resource.RLIMIT_NOFILE)\n\
        want=4096 if hard==resource.RLIM_INFINITY else min(hard,4096)\n\
        resource.setrlimit(resource.RLIMIT_NOFILE,(want,hard))\n\
        held=[]; out=[]\n\
        for _ in range(100):\n\
        \x20   s=socket.socket(); s.settimeout(1); held.append(s)\n\
        \x20   try:\n\
        \x20       s.connect(('127.0.0.1',int(sys.argv[1])))\n\
        \x20       s.sendall(b'GET / HTTP/1.1\\r\\nHost: t\\r\\n\\r\\n')\n\
        \x20       out.append(s.recv(100).split(b' ')[1].decode())\n\
        \x20   except Exception:\n\
        \x20       out.append('0')\n\
        print(' '.join(out))\n";
    let run = Command::new("python3").args(["-c", script, &srv.addr.port().to_string()]).output().unwrap();
    let text = String::from_utf8_lossy(&run.stdout);
    let statuses: Vec<u16> = text.split_whitespace().map(|s| s.parse().unwrap_or(0)).collect();
    let count = |code: u16| statuses.iter().filter(|&&s| s == code).count();
    assert_eq!(statuses.len(), 100, "client output: {text} {}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(count(0), 0, "connections dropped without an answer: {statuses:?}");
    assert_eq!((count(200), count(503)), (8, 92), "{statuses:?}");
}
