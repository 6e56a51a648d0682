//! Reads the fixture files in `tests/fixtures/*.md`.
//!
//! A fixture file is documentation first: one topic per file, a `# Title` and
//! prose, then cases. A case is a `## Name` heading, a paragraph giving its
//! reason (the RFC section or the attack), an optional `options:` line
//! (`--response`, `--method M`, and the configuration options `--lenient
//! NAME` and `--limit NAME=N` of `inspect`), the raw input in an
//! ```` ```http ```` block, and the expected `inspect` log in a
//! ```` ```log ```` block.
//!
//! In an `http` block the file's own line breaks are *not* part of the input:
//! every byte is written out, with `\r`, `\n`, `\t`, `\0`, `\\` and `\xHH`
//! escapes, so a bare LF or a stray CR is as visible as any other byte.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// One case of a fixture file.
#[derive(Clone, Debug)]
pub struct Case {
    /// File it came from.
    pub file: PathBuf,
    /// The `##` heading.
    pub name: String,
    /// `--response`, `--method M`.
    pub response: bool,
    /// Method the responses answer.
    pub method: Option<String>,
    /// Configuration options with their values (`--lenient NAME`, `--limit NAME=N`).
    pub config: Vec<(String, String)>,
    /// The decoded input bytes.
    pub input: Vec<u8>,
    /// The expected log, or `None` if the file has no `log` block yet.
    pub expected: Option<String>,
    /// Line (0-based) of the `log` block's opening fence, if any, and of the
    /// closing fence of the `http` block.
    pub log_fence: Option<(usize, usize)>,
    /// Line of the closing fence of the `http` block.
    pub http_end: usize,
}

/// Every `*.md` file in `dir`, sorted, so new files are never skipped.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    v.sort();
    v
}

/// Decodes the escapes of an `http` block line.
pub fn unescape(line: &str) -> Vec<u8> {
    let b = line.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        let esc = *b.get(i + 1).unwrap_or_else(|| panic!("dangling \\ in {line:?}"));
        i += 2;
        match esc {
            b'r' => out.push(b'\r'),
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'0' => out.push(0),
            b'\\' => out.push(b'\\'),
            b'x' => {
                let hex = std::str::from_utf8(&b[i..i + 2]).expect("hex");
                out.push(u8::from_str_radix(hex, 16).unwrap_or_else(|_| panic!("bad \\x in {line:?}")));
                i += 2;
            }
            other => panic!("unknown escape \\{} in {line:?}", other as char),
        }
    }
    out
}

/// All cases of one file.
pub fn parse(file: &Path) -> Vec<Case> {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let lines: Vec<&str> = text.lines().collect();
    let mut cases = Vec::new();
    let mut cur: Option<Case> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(name) = line.strip_prefix("## ") {
            cases.extend(cur.take());
            cur = Some(Case {
                file: file.to_path_buf(),
                name: name.trim().to_string(),
                response: false,
                method: None,
                config: Vec::new(),
                input: Vec::new(),
                expected: None,
                log_fence: None,
                http_end: 0,
            });
        } else if let (Some(c), Some(opts)) = (cur.as_mut(), line.strip_prefix("options:")) {
            let mut words = opts.split_whitespace();
            while let Some(w) = words.next() {
                match w {
                    "--response" => c.response = true,
                    "--method" => c.method = Some(words.next().expect("--method value").to_string()),
                    "--lenient" | "--limit" => {
                        let value = words.next().unwrap_or_else(|| panic!("{}: {w} needs a value", file.display()));
                        c.config.push((w.to_string(), value.to_string()));
                    }
                    other => panic!("{}: unknown option {other}", file.display()),
                }
            }
        } else if line.trim_end() == "```http" {
            let c = cur.as_mut().unwrap_or_else(|| panic!("{}:{}: http block outside a case", file.display(), i + 1));
            i += 1;
            while lines[i].trim_end() != "```" {
                c.input.extend(unescape(lines[i]));
                i += 1;
            }
            c.http_end = i;
        } else if line.trim_end() == "```log" {
            let c = cur.as_mut().unwrap_or_else(|| panic!("{}:{}: log block outside a case", file.display(), i + 1));
            let start = i;
            let mut log = String::new();
            i += 1;
            while lines[i].trim_end() != "```" {
                log.push_str(lines[i]);
                log.push('\n');
                i += 1;
            }
            c.expected = Some(log);
            c.log_fence = Some((start, i));
        }
        i += 1;
    }
    cases.extend(cur);
    cases
}

/// Rewrites the `log` blocks of `file` with `actual[k]` for case k
/// (`H1PARSE_BLESS=1`): adds a block after the `http` block where none exists.
pub fn bless(file: &Path, cases: &[Case], actual: &[String]) {
    let text = std::fs::read_to_string(file).expect("read");
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut k = 0;
    while i < lines.len() {
        out.push_str(lines[i]);
        out.push('\n');
        if let Some(c) = cases.get(k) {
            let replace_from = c.log_fence.map(|(s, _)| s);
            if c.log_fence.is_none() && i == c.http_end {
                out.push_str("\n```log\n");
                out.push_str(&actual[k]);
                out.push_str("```\n");
                k += 1;
            } else if Some(i + 1) == replace_from {
                out.push_str("```log\n");
                out.push_str(&actual[k]);
                out.push_str("```\n");
                i = c.log_fence.map(|(_, e)| e).unwrap_or(i) + 1;
                k += 1;
                continue;
            }
        }
        i += 1;
    }
    std::fs::write(file, out).expect("write");
}
