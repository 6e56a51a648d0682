//! `inspect`: print every event h1parse finds in a raw HTTP/1.1 byte stream.
//!
//! ```text
//! cargo run --release --example inspect -- [--response [--method M]] [--split N]
//!     [--lenient NAME|all]... [--limit NAME=N]... [FILE]
//! ```
//!
//! Reads FILE (or stdin), parses it as requests (or responses to `M`, default
//! GET), feeding the parser N bytes at a time, and prints one line per event:
//! `request`/`response` (the start line), `header`, `body` (the framing),
//! `data`, `trailer`, `end` (what the connection does next), `incomplete`, or
//! `error KIND at OFFSET`. `--lenient NAME` (repeatable, or `all`) turns a
//! leniency on; each message that needed one then has a `lenient NAME...`
//! line before its `end`. `--limit NAME=N` sets a limit (`head`,
//! `start_line`, `field_line`, `headers`, `chunk_size_digits`,
//! `chunk_extensions`, `trailers`). Exit status: 0 parsed without error (even
//! if incomplete), 1 after an error, 2 on bad usage.

#[path = "../tests/support/render.rs"]
mod render;

use std::io::{Read, Write};
use std::process::ExitCode;

const USAGE: &str =
    "usage: inspect [--response [--method M]] [--split N] [--lenient NAME|all]... [--limit NAME=N]... [FILE]";

fn main() -> ExitCode {
    let (out, err, status) = run(std::env::args().skip(1), std::io::stdin());
    eprint!("{err}");
    let mut stdout = std::io::stdout().lock();
    if stdout.write_all(out.as_bytes()).and_then(|()| stdout.flush()).is_err() {
        return ExitCode::from(2);
    }
    ExitCode::from(status)
}

/// `inspect` with `args` (the program name left out), reading `stdin` when
/// no FILE is named: what it prints on stdout and on stderr, and its exit
/// status. A function, so the tests run the real command line.
pub fn run(args: impl IntoIterator<Item = String>, mut stdin: impl Read) -> (String, String, u8) {
    let usage = |why: &str| (String::new(), format!("inspect: {why}\n{USAGE}\n"), 2);
    let mut opts = render::Options::default();
    let mut file = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--response" => opts.response = true,
            "--method" => match args.next() {
                Some(m) => opts.method = m.into_bytes(),
                None => return usage("--method needs a value"),
            },
            "--split" => match args.next().and_then(|n| n.parse::<usize>().ok()).filter(|&n| n > 0) {
                Some(n) => opts.split = Some(n),
                None => return usage("--split needs a positive number"),
            },
            "-h" | "--help" => return (format!("{USAGE}\n"), String::new(), 0),
            "--lenient" | "--limit" => {
                let value = args.next();
                if let Err(why) = render::config_option(&mut opts.config, &arg, value.as_deref()) {
                    return usage(&why);
                }
            }
            a if a.starts_with("--") => return usage(&format!("unknown option {a}")),
            _ if file.is_none() => file = Some(arg),
            _ => return usage("more than one FILE"),
        }
    }
    let mut stream = Vec::new();
    let read = match &file {
        Some(path) => std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut stream)),
        None => stdin.read_to_end(&mut stream),
    };
    if let Err(e) = read {
        return (String::new(), format!("inspect: {}: {e}\n", file.as_deref().unwrap_or("stdin")), 2);
    }
    let (log, ok) = render::inspect(&stream, &opts);
    (log, String::new(), if ok { 0 } else { 1 })
}
