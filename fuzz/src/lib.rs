//! The checks behind h1parse's fuzz targets. Each target in `fuzz_targets/`
//! is one line that calls the function of the same name here, so a crash
//! found by one target can be replayed anywhere (see `README.md`).

pub mod batched;
pub mod checks;
pub mod interop;
