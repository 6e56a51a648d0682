//! h1parse vs httparse, picohttpparser and ntex-httparse, side by side in
//! one run.
//!
//! ```text
//! cargo run --release --manifest-path compare/Cargo.toml                  # the tables
//! cargo run --release --manifest-path compare/Cargo.toml -- --only curl,req_703 --samples 31
//! cargo run --release --manifest-path compare/Cargo.toml -- --list        # row ids
//! compare/target/release/h1parse-compare --profile ROW N [--peer NAME]    # for callgrind
//! ```
//!
//! Output: a markdown table (ns per message, GB/s, how many times faster
//! h1parse is than each peer), h1parse against itself, the floor rows, and
//! the goals with their measured ratios. `compare/callgrind.sh` counts
//! instructions for the same rows.

mod h1;
mod measure;
mod peers;
mod rows;

use std::hint::black_box;

use measure::{Runner, medians};
use rows::{Inputs, Peer, Row};

/// Median ns per message of each peer on a row.
struct Measured {
    id: &'static str,
    ns: Vec<(Peer, f64)>,
}

impl Measured {
    fn of(&self, peer: Peer) -> Option<f64> {
        self.ns.iter().find(|(p, _)| *p == peer).map(|(_, t)| *t)
    }

    /// How many times faster h1parse is than `peer`.
    fn ratio(&self, peer: Peer) -> Option<f64> {
        Some(self.of(peer)? / self.of(Peer::H1parse)?)
    }
}

fn arg(name: &str, k: usize) -> Option<String> {
    std::env::args().skip_while(|a| a != name).nth(k)
}

fn measure_row(mut row: Row<'_>, samples: usize) -> Measured {
    let mut runners: Vec<&mut Runner<'_>> = row.runners.iter_mut().map(|(_, r)| r).collect();
    let t = medians(&mut runners, samples);
    let per = row.messages as f64;
    let time_of = |peer: Peer| row.runners.iter().zip(&t).find(|((p, _), _)| *p == peer).map_or(0.0, |(_, t)| *t);
    let (copy, head) = (time_of(Peer::PicoCopy), time_of(Peer::H1Head));
    let ns = row
        .runners
        .iter()
        .zip(&t)
        .filter(|((p, _), _)| !matches!(p, Peer::PicoCopy | Peer::H1Head))
        .map(|((p, _), t)| {
            let overhead = match p {
                Peer::Pico => copy,
                Peer::H1parse => head,
                _ => 0.0,
            };
            (*p, (t - overhead) / per)
        })
        .collect();
    Measured { id: row.id, ns }
}

/// `--profile ROW N [--peer NAME]`: one runner, N calls, nothing printed.
fn profile(rows: Vec<Row<'_>>, inputs: &Inputs) {
    let id = arg("--profile", 1).expect("--profile ROW N");
    let n: usize = arg("--profile", 2).and_then(|n| n.parse().ok()).expect("--profile ROW N");
    let peer = arg("--peer", 1).unwrap_or_else(|| "h1parse".into());
    let mut runner: Runner<'_> = if let Some(row) = rows.into_iter().find(|r| r.id == id) {
        row.runners.into_iter().find(|(p, _)| p.name() == peer).expect("no such peer in this row").1
    } else if let Some(own) = rows::own(inputs).into_iter().find(|o| o.0 == id) {
        if peer == "baseline" { own.3 } else { own.2 }
    } else {
        rows::floors().into_iter().find(|f| f.0 == id).expect("no such row").2
    };
    for _ in 0..n {
        black_box(runner());
    }
}

/// `--list`: id, messages per call, peers, name; one row a line.
fn list(rows: &[Row<'_>], inputs: &Inputs) {
    for r in rows {
        let peers: Vec<&str> = r.runners.iter().map(|(p, _)| p.name()).collect();
        println!("{}\t{}\t{}\t{}", r.id, r.messages, peers.join(","), r.name);
    }
    for (id, name, _, _) in rows::own(inputs) {
        println!("{id}\t1\th1parse,baseline\t{name}");
    }
    for (id, name, _) in rows::floors() {
        println!("{id}\t1\th1parse\tfloor: {name}");
    }
}

fn main() {
    let samples = arg("--samples", 1).and_then(|s| s.parse().ok()).unwrap_or(101usize);
    let only: Option<Vec<String>> = arg("--only", 1).map(|s| s.split(',').map(String::from).collect());
    let wanted = |id: &str| only.as_ref().is_none_or(|o| o.iter().any(|w| w == id));
    let inputs = Inputs::new();
    let rows = rows::all(&inputs);
    if arg("--profile", 1).is_some() {
        return profile(rows, &inputs);
    }
    if std::env::args().any(|a| a == "--list") {
        return list(&rows, &inputs);
    }

    let fmt = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.1}"));
    let times = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.2}x"));
    println!(
        "| input | h1parse ns | h1parse GB/s | httparse ns | pico ns | ntex ns | vs httparse | vs pico | vs ntex |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut results = Vec::new();
    let mut notes: Vec<&str> = Vec::new();
    for row in rows {
        if !wanted(row.id) {
            continue;
        }
        let (name, bytes, messages, note) = (row.name.clone(), row.bytes, row.messages, row.note);
        if !notes.contains(&note) {
            notes.push(note);
        }
        let m = measure_row(row, samples);
        let h1 = m.of(Peer::H1parse).unwrap_or(f64::NAN);
        println!(
            "| {name} | {h1:.1} | {:.2} | {} | {} | {} | {} | {} | {} |",
            bytes as f64 / messages as f64 / h1,
            fmt(m.of(Peer::Httparse)),
            fmt(m.of(Peer::Pico)),
            fmt(m.of(Peer::Ntex)),
            times(m.ratio(Peer::Httparse)),
            times(m.ratio(Peer::Pico)),
            times(m.ratio(Peer::Ntex)),
        );
        results.push(m);
    }
    println!();
    for note in notes {
        println!("- {note}");
    }

    println!();
    println!("| h1parse against itself | ns | baseline ns | ratio |");
    println!("|---|---:|---:|---:|");
    let mut own_ratios = Vec::new();
    for (id, name, mut a, mut b) in rows::own(&inputs) {
        if !wanted(id) {
            continue;
        }
        let t = medians(&mut [&mut a, &mut b], samples);
        println!("| {name} | {:.1} | {:.1} | {:.2} |", t[0], t[1], t[0] / t[1]);
        own_ratios.push((id, t[0] / t[1]));
    }
    for (id, name, mut f) in rows::floors() {
        if wanted(id) {
            let t = medians(&mut [&mut f], samples)[0];
            println!("| floor: {name} | {t:.1} | | |");
        }
    }
    goals(&results, &own_ratios);
}

/// The speed goals, each with its measured ratio (rows not run show NaN).
fn goals(results: &[Measured], own: &[(&str, f64)]) {
    let vs = |id: &str, peer: Peer| results.iter().find(|m| m.id == id).and_then(|m| m.ratio(peer)).unwrap_or(f64::NAN);
    let own = |id: &str| own.iter().find(|o| o.0 == id).map_or(f64::NAN, |o| o.1);
    let (hp, pico) = (Peer::Httparse, Peer::Pico);
    // (what, measured, goal, true if at least)
    let mut lines = vec![
        ("703 B request vs pico (x faster)".to_string(), vs("req_703", pico), 1.8, true),
        ("703 B request vs httparse".to_string(), vs("req_703", hp), 2.5, true),
    ];
    for (id, what) in
        [("curl", "74 B curl request"), ("req_short", "68 B short request"), ("resp_short", "91 B short response")]
    {
        lines.push((format!("{what} vs pico"), vs(id, pico), 1.2, true));
        lines.push((format!("{what} vs httparse"), vs(id, hp), 1.2, true));
    }
    lines.extend([
        ("535 B response vs pico".to_string(), vs("resp_535", pico), 1.8, true),
        ("699 B response vs pico".to_string(), vs("resp_699", pico), 1.8, true),
        ("64-field request vs pico".to_string(), vs("many", pico), 2.2, true),
        ("pipelined 703 B vs pico".to_string(), vs("pipeline_703", pico), 1.8, true),
        ("one byte a call: h1parse time / pico time".to_string(), 1.0 / vs("bytewise", pico), 0.5, false),
        ("64 B pieces / own whole buffer".to_string(), own("own_pieces"), 1.5, false),
        ("1388 B segments vs pico".to_string(), vs("segments_1388", pico), 2.0, true),
        ("chunked 64 KiB / 16 B, batched, vs pico".to_string(), vs("chunked_16b_batched", pico), 2.0, true),
        ("chunked 64 KiB / 16 B, batched, vs httparse loop".to_string(), vs("chunked_16b_batched", hp), 1.5, true),
        ("chunked 1 MiB / 16 KiB, batched, vs httparse loop".to_string(), vs("chunked_16k_batched", hp), 1.0, true),
        ("chunked 1 MiB / 16 KiB, per event, vs httparse loop".to_string(), vs("chunked_16k", hp), 1.0, true),
    ]);
    println!();
    println!("| goal | measured | wanted | met |");
    println!("|---|---:|---:|---|");
    for (what, got, goal, at_least) in lines {
        if got.is_nan() {
            continue;
        }
        let met = if at_least { got >= goal } else { got <= goal };
        println!(
            "| {what} | {got:.2} | {} {goal} | {} |",
            if at_least { ">=" } else { "<=" },
            if met { "yes" } else { "no" }
        );
    }
}
