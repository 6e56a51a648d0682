//! Timing: each runner calibrated to about 1 ms per sample, the runners of a
//! row sampled in turn (round robin, so background noise hits them alike),
//! the median sample reported.

use std::hint::black_box;
use std::time::Instant;

/// A parser's work on one row's input; returns something derived from its
/// output.
pub type Runner<'a> = Box<dyn FnMut() -> usize + 'a>;

/// Median nanoseconds per call of each runner.
pub fn medians(runners: &mut [&mut Runner<'_>], samples: usize) -> Vec<f64> {
    let iters: Vec<u64> = runners.iter_mut().map(|r| calibrate(r)).collect();
    let mut times = vec![Vec::with_capacity(samples); runners.len()];
    for _ in 0..samples {
        for (k, r) in runners.iter_mut().enumerate() {
            let t = Instant::now();
            for _ in 0..iters[k] {
                black_box(r());
            }
            times[k].push(t.elapsed().as_nanos() as f64 / iters[k] as f64);
        }
    }
    times
        .into_iter()
        .map(|mut t| {
            t.sort_by(f64::total_cmp);
            t[t.len() / 2]
        })
        .collect()
}

/// Calls per ~1 ms sample.
fn calibrate(r: &mut Runner<'_>) -> u64 {
    let mut n = 1u64;
    loop {
        let t = Instant::now();
        for _ in 0..n {
            black_box(r());
        }
        let e = t.elapsed().as_nanos() as u64;
        if e > 1_000_000 || n > 1 << 30 {
            return (n * 1_000_000 / e.max(1)).max(1);
        }
        n *= 2;
    }
}
