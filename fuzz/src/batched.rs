//! `chunked_batched`: `parse_data`, which hands out the data of many chunks
//! per call, gives exactly what `parse`'s `Data` events give, whole and in
//! pieces, with any number of slices per call, strict or lenient.

use h1parse::{Config, DataBatch, Error, Finish, Leniency, RequestParser};

use crate::checks::{CHUNKED_HEAD, Drive, Ev, Outcome, Role, Trace, check_trace, drive, trace};

/// A request parser driven with `parse_data` first, then `parse` when it
/// hands out nothing; one batch is one `Data` event of its slices joined.
struct Batched {
    parser: RequestParser,
    slots: usize,
}

impl Drive for Batched {
    fn step(&mut self, input: &[u8]) -> Result<(usize, Option<Ev>), Error> {
        let mut out: Vec<&[u8]> = vec![&[]; self.slots];
        let DataBatch { consumed, slices } = self.parser.parse_data(input, &mut out)?;
        assert!(consumed <= input.len() && slices <= self.slots);
        if slices == 0 {
            assert_eq!(consumed, 0, "framing consumed without data");
            return Drive::step(&mut self.parser, input);
        }
        assert!(out[..slices].iter().all(|s| !s.is_empty()), "an empty slice");
        Ok((consumed, Some(Ev::Data(out[..slices].concat()))))
    }
    fn finish(&mut self) -> Result<Finish, Error> {
        self.parser.finish()
    }
    fn offset(&self) -> u64 {
        self.parser.offset()
    }
    fn used(&self) -> Leniency {
        self.parser.leniencies_used()
    }
    fn is_upgraded(&self) -> bool {
        self.parser.is_upgraded()
    }
    fn decline(&mut self) -> Option<h1parse::Disposition> {
        self.parser.decline_upgrade()
    }
}

/// The events with adjacent data joined, and the outcome.
fn joined(t: &Trace) -> (Vec<Ev>, Outcome) {
    let mut evs: Vec<Ev> = Vec::new();
    for step in &t.steps {
        match (evs.last_mut(), &step.ev) {
            (Some(Ev::Data(acc)), Ev::Data(d)) => acc.extend_from_slice(d),
            (_, ev) => evs.push(ev.clone()),
        }
    }
    (evs, t.outcome)
}

/// Byte 0: bits 0-3 slices per call (1-16), bits 4-6 a piece size (1-8),
/// bit 7 every leniency on. The rest is a chunked body after a fixed head.
pub fn chunked_batched(data: &[u8]) {
    let [ctl, body @ ..] = data else { return };
    let slots = usize::from(ctl & 15) + 1;
    let piece = usize::from((ctl >> 4) & 7) + 1;
    let leniency = if ctl & 128 != 0 { Leniency::ALL } else { Leniency::NONE };
    let cfg = Config { leniency, ..Config::new() };
    let stream = [CHUNKED_HEAD, body].concat();
    let reference = joined(&trace(&Role::Request, cfg, [&stream[..]]));
    let whole = drive(&mut Batched { parser: RequestParser::with_config(cfg), slots }, [&stream[..]]);
    check_trace(&whole, &stream, &Role::Request, &cfg);
    assert_eq!(joined(&whole), reference, "batched, whole");
    let pieces = drive(&mut Batched { parser: RequestParser::with_config(cfg), slots }, stream.chunks(piece));
    assert_eq!(joined(&pieces), reference, "batched, pieces of {piece}");
}
