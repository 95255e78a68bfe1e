//! The benchmark generator worker (not built yet).
//!
//! Will implement `genie_core::workers::Generator`: load and resolve benchmark
//! files, validate each ground truth by executing it, split train/held-out, mark P0,
//! synthesise benchmarks from a space's own metadata, and apply arbiter corrections.
//! Until then this crate exports nothing, so nothing can mistake it for working.
