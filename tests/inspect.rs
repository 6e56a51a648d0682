//! The `inspect` command line (`examples/inspect.rs`, compiled in as a
//! module and run with arguments and stdin as the shell gives them): the
//! commands the README shows, and `--lenient NAME|all`, which prints the
//! switches each message needed.

#[allow(dead_code)]
#[path = "../examples/inspect.rs"]
mod inspect;

/// Runs `inspect ARGS` with `stdin`; returns stdout, stderr and the status.
fn inspect(args: &[&str], stdin: &[u8]) -> (String, String, u8) {
    inspect::run(args.iter().map(|a| a.to_string()), stdin)
}

fn sample(name: &str) -> String {
    format!("{}/samples/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The README's sample comment: a response needs `--response`.
#[test]
fn the_response_sample_needs_response() {
    let (out, _, status) = inspect(&["--response", &sample("google-301.http")], b"");
    assert_eq!(status, 0);
    assert!(out.starts_with("response HTTP/1.1 301 Moved Permanently\n"), "{out}");
    assert!(out.contains("\nbody length 219\n") && out.ends_with("end keep-alive\n"), "{out}");
    // Read as requests, its first line is not a request line.
    let (out, _, status) = inspect(&[&sample("google-301.http")], b"");
    assert_eq!((status, out.lines().last()), (1, Some("error bad_method at 4")), "{out}");
}

/// The README's sample comment: the chunked upload's body comes out decoded
/// as `data`; its chunk extensions (`;part=1`) are checked, not printed.
#[test]
fn the_chunked_sample_shows_decoded_data_and_its_trailer() {
    let (out, _, status) = inspect(&[&sample("chunked-upload.http")], b"");
    assert_eq!(status, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[5..],
        [
            "body chunked",
            r"data \xff\xd8\xff\xe0JFIF\x00\x01\xff\xd9\x0d\x0a",
            "trailer Digest: sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
            "end keep-alive",
        ]
    );
    assert!(!out.contains("part="), "{out}");
}

/// The README's first command: the output is the same for every `--split`.
#[test]
fn split_does_not_change_the_output() {
    let whole = inspect(&[&sample("pipelined-keepalive.http")], b"");
    assert_eq!(whole.0.lines().filter(|l| l.starts_with("end ")).count(), 3);
    for n in ["1", "2", "7", "64"] {
        assert_eq!(inspect(&["--split", n, &sample("pipelined-keepalive.http")], b""), whole, "--split {n}");
    }
}

/// The README's `--lenient all` line: strict rules stop at the bare LF; with
/// every switch on the message parses and names the one it needed.
#[test]
fn lenient_all_names_the_switches_a_message_needed() {
    let input = b"HTTP/1.1 200 OK\nContent-Length: 2\n\nhi";
    assert_eq!(inspect(&["--response"], input), ("error bare_lf at 15\n".into(), String::new(), 1));
    let (out, err, status) = inspect(&["--response", "--lenient", "all"], input);
    assert_eq!((err.as_str(), status), ("", 0));
    assert_eq!(
        out,
        "response HTTP/1.1 200 OK\nheader Content-Length: 2\nbody length 2\ndata hi\n\
         lenient bare_lf_in_head\nend keep-alive\n"
    );
}

/// `--lenient` is repeatable, and the `lenient` line is per message: each
/// names what that message needed, and a strictly valid message has none.
#[test]
fn lenient_lines_are_per_message() {
    let stream = b"HTTP/1.1 200 OK\nContent-Length: 0\n\n\
                   HTTP/1.1  204 No Content\r\nX: a\r\n b\r\n\r\n\
                   HTTP/1.1 304 Not Modified\r\n\r\n";
    let args = [
        "--response",
        "--lenient",
        "bare_lf_in_head",
        "--lenient",
        "obs_fold_in_responses",
        "--lenient",
        "multiple_spaces_in_start_line",
    ];
    let (out, _, status) = inspect(&args, stream);
    assert_eq!(status, 0, "{out}");
    let verdicts: Vec<&str> = out.lines().filter(|l| l.starts_with("lenient ") || l.starts_with("end ")).collect();
    assert_eq!(
        verdicts,
        [
            "lenient bare_lf_in_head",
            "end keep-alive",
            "lenient obs_fold_in_responses multiple_spaces_in_start_line",
            "end keep-alive",
            "end keep-alive",
        ]
    );
    // One switch short: the second message is refused at its double space.
    let (out, _, status) = inspect(&args[..5], stream);
    assert_eq!((status, out.lines().last()), (1, Some("error bad_start_line at 44")), "{out}");
}

#[test]
fn bad_usage_exits_2_and_names_what_is_known() {
    let (out, err, status) = inspect(&["--lenient", "bogus"], b"");
    assert_eq!((out.as_str(), status), ("", 2));
    assert!(err.starts_with("inspect: unknown leniency bogus; known: all, bare_lf_in_head, "), "{err}");
    assert!(err.contains("empty_elements_in_transfer_encoding"), "{err}");
    let (_, err, status) = inspect(&["--limit", "head=x"], b"");
    assert_eq!(status, 2, "{err}");
    // And a limit lowered on the command line fires.
    let (out, _, status) = inspect(&["--limit", "headers=1"], b"GET / HTTP/1.1\r\nHost: a\r\nX: y\r\n\r\n");
    assert_eq!((status, out.lines().last()), (1, Some("error too_many_headers at 25")), "{out}");
}
