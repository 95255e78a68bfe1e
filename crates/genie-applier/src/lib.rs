//! The applier worker (not built yet).
//!
//! Will implement `genie_core::workers::Applier`: apply patch sets all-or-nothing
//! with exact rollback, keep production untouched through dev-best and dev-working
//! clones, persist every change to bundle files, promote and deploy. Until then this
//! crate exports nothing, so nothing can mistake it for working.
