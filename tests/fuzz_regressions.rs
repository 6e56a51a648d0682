//! Replays the fuzz inputs that matter with a plain `cargo test`: every
//! minimized crasher in `fuzz/regressions/<target>/` and every seed in
//! `fuzz/seeds/<target>/`, through the checks the fuzz target itself runs
//! (`fuzz/src/checks.rs` is included below, not copied). The sample streams
//! in `samples/` are replayed too, whole and at every split point, and every
//! fixture case goes through the same invariant checks under strict rules and
//! with every leniency on.

#[path = "../fuzz/src/batched.rs"]
mod batched;
#[path = "../fuzz/src/checks.rs"]
mod checks;
#[path = "support/fixture.rs"]
mod fixture;

use std::path::{Path, PathBuf};

/// Runs the check of fuzz target `target` on `data`.
fn replay(target: &str, data: &[u8]) {
    match target {
        "request_stream" => checks::request_stream(data),
        "response_stream" => checks::response_stream(data),
        "chunked_body" => checks::chunked_body(data),
        "chunked_batched" => batched::chunked_batched(data),
        "head_oneshot" => checks::head_oneshot(data),
        // The httparse half needs httparse, a fuzz-crate dependency only; the
        // h1parse half of the comparison is the one-shot check.
        "vs_httparse" => checks::head_oneshot(data),
        "split_vs_whole" => checks::split_vs_whole(data),
        "leniency" => checks::leniency(data),
        "simd_vs_scalar" => checks::simd_vs_scalar(data),
        other => panic!("{other}: not a fuzz target (see fuzz/Cargo.toml)"),
    }
}

/// The input files under `root/<target>/`, as (target, file) pairs.
fn inputs(root: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let Ok(dirs) = std::fs::read_dir(root) else { return out };
    for dir in dirs.map(|d| d.expect("dir entry").path()).filter(|p| p.is_dir()) {
        let target = dir.file_name().expect("name").to_string_lossy().into_owned();
        for file in std::fs::read_dir(&dir).expect("read target dir") {
            let file = file.expect("dir entry").path();
            if file.is_file() && file.file_name().is_some_and(|n| !n.to_string_lossy().starts_with('.')) {
                out.push((target.clone(), file));
            }
        }
    }
    out.sort();
    out
}

fn replay_all(root: &Path) -> usize {
    let all = inputs(root);
    for (target, file) in &all {
        let data = std::fs::read(file).expect("read input");
        let run = std::panic::catch_unwind(|| replay(target, &data));
        assert!(run.is_ok(), "{target}: {} fails its check", file.display());
    }
    all.len()
}

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

#[test]
fn minimized_crashers_stay_fixed() {
    // Each file fails its target's check on the code before its fix (see
    // fuzz/regressions/README.md); a folder that is not a target fails too.
    let n = replay_all(&fuzz_dir().join("regressions"));
    assert!(n >= 2, "expected the committed regression inputs, found {n}");
}

#[test]
fn every_seed_passes_its_target() {
    let n = replay_all(&fuzz_dir().join("seeds"));
    assert!(n >= 40, "expected the committed seed corpus, found {n} files");
}

#[test]
fn samples_parse_the_same_at_every_split() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut n = 0;
    for file in std::fs::read_dir(dir).expect("samples/").map(|e| e.expect("entry").path()) {
        let stream = std::fs::read(&file).expect("read sample");
        let role =
            if stream.starts_with(b"HTTP/") { checks::Role::Response(b"GET".to_vec()) } else { checks::Role::Request };
        let cfg = h1parse::Config::new();
        let whole = checks::trace(&role, cfg, [&stream[..]]);
        checks::check_trace(&whole, &stream, &role, &cfg);
        assert!(matches!(whole.outcome, checks::Outcome::Finish(_)), "{}: {:?}", file.display(), whole.outcome);
        for k in 0..=stream.len() {
            let split = checks::trace(&role, cfg, [&stream[..k], &stream[k..]]);
            assert_eq!(split.log(), whole.log(), "{} split at {k}", file.display());
        }
        n += 1;
    }
    assert!(n > 0, "no sample streams");
}

#[test]
fn split_invariance_check_catches_a_difference() {
    // The check is not vacuous: two different streams give different logs.
    let a = checks::trace(&checks::Role::Request, h1parse::Config::new(), [&b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"[..]]);
    let b = checks::trace(&checks::Role::Request, h1parse::Config::new(), [&b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n"[..]]);
    assert_ne!(a.log(), b.log());
}

#[test]
fn every_fixture_passes_the_fuzz_checks() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut n = 0;
    for file in fixture::files(&dir) {
        for case in fixture::parse(&file) {
            let method = case.method.clone().unwrap_or_else(|| "GET".into());
            let role = if case.response { checks::Role::Response(method.into_bytes()) } else { checks::Role::Request };
            for leniency in [h1parse::Leniency::NONE, h1parse::Leniency::ALL] {
                let cfg = h1parse::Config { leniency, ..h1parse::Config::new() };
                let stream = &case.input[..];
                let run = std::panic::catch_unwind(|| {
                    let t = checks::trace(&role, cfg, [stream]);
                    checks::check_trace(&t, stream, &role, &cfg);
                });
                assert!(run.is_ok(), "{} / {}: fails the fuzz checks ({leniency:?})", file.display(), case.name);
            }
            // The leniency target's own check, with every switch on, in pieces of 3.
            checks::leniency(&[&[0xff, 0xff, 0x10 | u8::from(case.response)][..], &case.input].concat());
            n += 1;
        }
    }
    assert!(n >= 50, "expected the fixture cases, found {n}");
}

#[test]
fn leading_empty_lines_do_not_count_towards_the_start_line_limit() {
    // Found while reviewing the limits the fuzz targets exercise: 8 KiB of
    // empty lines before a request line (RFC 9112 2.2 lets a server skip
    // them) made a valid request fail with `FieldLineTooLong`. They count
    // towards the head limit only.
    let stream = [&b"\r\n".repeat(4100)[..], b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"].concat();
    let cfg = h1parse::Config::new();
    let t = checks::trace(&checks::Role::Request, cfg, [&stream[..]]);
    checks::check_trace(&t, &stream, &checks::Role::Request, &cfg);
    assert_eq!(t.outcome, checks::Outcome::Finish(h1parse::Finish::Idle));
    // A request line that is itself too long still is, after empty lines too.
    let long = [&b"\r\n".repeat(10)[..], b"GET /", &b"a".repeat(9000), b" HTTP/1.1\r\n"].concat();
    let t = checks::trace(&checks::Role::Request, cfg, [&long[..]]);
    let checks::Outcome::Error(e) = t.outcome else { panic!("{:?}", t.outcome) };
    assert_eq!((e.kind(), e.offset()), (h1parse::ErrorKind::StartLineTooLong, 20 + 8192));
}

#[test]
fn a_bare_cr_at_a_line_limit_is_a_bare_cr() {
    // Found the same way: when the byte after a CR fell past the line
    // limit, a bare CR was reported as `FieldLineTooLong` (even on the
    // start line). It is a bare CR, at the CR, whatever the limits.
    let small = h1parse::Limits { start_line: 14, field_line: 4, ..h1parse::Limits::new() };
    for limits in [small, h1parse::Limits::new()] {
        let cfg = h1parse::Config { limits, ..h1parse::Config::new() };
        for (input, at) in [(&b"GET / HTTP/1.1\rX"[..], 14), (b"GET / HTTP/1.1\r\nA: b\rX", 20)] {
            let t = checks::trace(&checks::Role::Request, cfg, [input]);
            let checks::Outcome::Error(e) = t.outcome else { panic!("{:?}", t.outcome) };
            assert_eq!((e.kind(), e.offset()), (h1parse::ErrorKind::BareCr, at), "{limits:?}");
        }
    }
}

#[test]
fn the_line_limit_check_fails_on_what_the_old_code_reported() {
    // What the code before each fix reported for the two committed inputs
    // (fuzz/regressions/split_vs_whole/): the check that replays them must
    // reject it, or those files would replay nothing.
    let cfg = h1parse::Config { limits: checks::small_limits(), ..h1parse::Config::new() };
    let dir = fuzz_dir().join("regressions/split_vs_whole");
    for (file, kind) in [
        ("bare-cr-at-the-start-line-limit", h1parse::ErrorKind::StartLineTooLong),
        ("empty-lines-before-a-request-line-past-the-start-line-limit", h1parse::ErrorKind::StartLineTooLong),
    ] {
        let data = std::fs::read(dir.join(file)).expect("regression input");
        let stream = &data[1..];
        // Both were reported at offset 48, the limit counted from byte 0.
        let old = checks::Trace { steps: Vec::new(), outcome: checks::Outcome::Error(h1parse::Error::new(kind, 48)) };
        let run = std::panic::catch_unwind(|| checks::check_trace(&old, stream, &checks::Role::Request, &cfg));
        assert!(run.is_err(), "{file}: the old outcome passes the checks");
    }
}
