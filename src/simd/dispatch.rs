//! Which kernels run: each target's `Backend`, chosen once per call, and the
//! work that runs with it.
//!
//! Work is a [`WithKernels`] value: one generic `run` that is compiled once
//! per backend, so the kernels are inlined into it. `Backend::run` is the one
//! `match` that picks the instantiation; under AVX2 it enters a function
//! compiled with AVX2 enabled (see `x86.rs`), so the whole work, not only each
//! kernel call, uses it.

use super::BlockMasks;
use super::swar::Swar;

/// What every backend offers: the three class scans (the contract in
/// `mod.rs`) and the block classifier of the index. Only this module's
/// backends implement it, each only where its instructions may run, so
/// holding one is the proof its code may run.
pub(crate) trait Kernels: Copy {
    /// First index in `from..end` whose byte is not a `tchar`, else `end`.
    fn skip_token(self, buf: &[u8], from: usize, end: usize) -> usize;
    /// First index in `from..end` whose byte may not be in a field value, else `end`.
    fn skip_value(self, buf: &[u8], from: usize, end: usize) -> usize;
    /// First index in `from..end` whose byte may not be in a request-target
    /// (`non_ascii`: obs-text may), else `end`.
    fn skip_target(self, buf: &[u8], from: usize, end: usize, non_ascii: bool) -> usize;
    /// The masks of one 64-byte block, exactly [`super::scalar::classify`].
    fn classify(self, block: &[u8; 64]) -> BlockMasks;
}

/// Work that uses [`Kernels`], run by [`with_kernels`] with the best ones.
pub(crate) trait WithKernels {
    /// What the work returns.
    type Output;
    /// Does the work with kernels `k`.
    fn run<K: Kernels>(self, k: K) -> Self::Output;
}

/// Runs `op` with the best kernels for this CPU (one dispatch per call).
#[inline(always)]
pub(crate) fn with_kernels<O: WithKernels>(op: O) -> O::Output {
    Backend::best().run(op)
}

cfg_x86! {
    use super::x86::{self, Avx2};

    /// A kernel family this CPU can run.
    #[derive(Clone, Copy, Debug)]
    pub(super) enum Backend {
        /// Portable SWAR (`swar.rs`).
        Swar,
        /// SSE2, part of every x86_64 CPU.
        Sse2,
        /// AVX2, only after the CPU check.
        Avx2(Avx2),
    }

    impl Backend {
        /// The fastest backend for this CPU.
        #[inline(always)]
        pub(super) fn best() -> Backend {
            match Avx2::detect() {
                Some(avx2) => Backend::Avx2(avx2),
                None => Backend::Sse2,
            }
        }

        /// Every backend this CPU can run, slowest first (for tests and fuzzing).
        pub(super) fn available() -> impl Iterator<Item = Backend> {
            [Some(Backend::Swar), Some(Backend::Sse2), Avx2::detect().map(Backend::Avx2)].into_iter().flatten()
        }

        /// `op` with this backend's kernels.
        #[inline(always)]
        pub(super) fn run<O: WithKernels>(self, op: O) -> O::Output {
            match self {
                Backend::Swar => op.run(Swar),
                Backend::Sse2 => op.run(x86::sse2()),
                Backend::Avx2(avx2) => avx2.run(op),
            }
        }
    }
}

cfg_neon! {
    /// A kernel family this CPU can run.
    #[derive(Clone, Copy, Debug)]
    pub(super) enum Backend {
        /// Portable SWAR (`swar.rs`).
        Swar,
        /// NEON, enabled at compile time.
        Neon,
    }

    impl Backend {
        /// The fastest backend for this CPU.
        #[inline(always)]
        pub(super) fn best() -> Backend {
            Backend::Neon
        }

        /// Every backend this CPU can run, slowest first (for tests and fuzzing).
        pub(super) fn available() -> impl Iterator<Item = Backend> {
            [Backend::Swar, Backend::Neon].into_iter()
        }

        /// `op` with this backend's kernels.
        #[inline(always)]
        pub(super) fn run<O: WithKernels>(self, op: O) -> O::Output {
            match self {
                Backend::Swar => op.run(Swar),
                Backend::Neon => op.run(super::neon::neon()),
            }
        }
    }
}

cfg_portable! {
    /// A kernel family this CPU can run: the portable one only.
    #[derive(Clone, Copy, Debug)]
    pub(super) enum Backend {
        /// Portable SWAR (`swar.rs`).
        Swar,
    }

    impl Backend {
        /// The only backend.
        #[inline(always)]
        pub(super) fn best() -> Backend {
            Backend::Swar
        }

        /// Every backend (for tests and fuzzing).
        pub(super) fn available() -> impl Iterator<Item = Backend> {
            [Backend::Swar].into_iter()
        }

        /// `op` with the portable kernels.
        #[inline(always)]
        pub(super) fn run<O: WithKernels>(self, op: O) -> O::Output {
            match self {
                Backend::Swar => op.run(Swar),
            }
        }
    }
}
