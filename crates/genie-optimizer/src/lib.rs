//! The optimizer worker (not built yet).
//!
//! Will implement `genie_core::workers::Optimizer`: cluster failing rows by root
//! cause, map each cluster to a lever and propose a `PatchSet` for it. Until then
//! this crate exports nothing, so nothing can mistake it for working.
