//! MLflow tracking backend (not built yet).
//!
//! Will implement genie-core's `Tracker` port trait over MLflow's REST API
//! (experiments, runs, params, metrics, artifacts, logged models), plus a file
//! tracker for when no tracking server is configured. Until then this crate exports
//! nothing, so nothing can mistake it for working.
