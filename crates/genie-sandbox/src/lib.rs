//! The sandbox workspace (not built yet).
//!
//! Will serve Databricks' REST APIs on 127.0.0.1 over a real embedded SQL engine,
//! with a deterministic, lever-sensitive Genie simulator and fault injection, so
//! everything runs without a workspace. Until then this crate exports nothing, so
//! nothing can mistake it for working.
