//! The applier's configuration.

use std::path::PathBuf;

use genie_core::ports::BundleLayout;
use serde::{Deserialize, Serialize};

/// How the applier waits, retries, and where it writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// How long, in milliseconds, a written config may take to read back with the
    /// written content hash before the write counts as failed (and is undone).
    pub visibility_timeout_ms: u64,
    /// Milliseconds between read-backs while waiting.
    pub poll_interval_ms: u64,
    /// How long, in milliseconds after a space write, Genie takes to answer from the
    /// new config (Databricks: 30–90 s; the sandbox: its `propagation_delay_ms`). An
    /// apply, a rollback or a copy returns only after it, so the next evaluation
    /// measures the new config.
    pub propagation_wait_ms: u64,
    /// Re-reads and retries after an etag conflict, before the apply fails.
    pub conflict_retries: u32,
    /// Where each bundle file lives.
    pub layout: BundleLayout,
    /// Where unfinished applies are recorded, so a run interrupted mid-apply resumes
    /// it (neither losing nor repeating the change). `None`: not recorded; a resumed
    /// apply whose write went through is then refused, never repeated.
    pub journal_dir: Option<PathBuf>,
    /// Where to look for the `databricks` CLI when deploying (a `PATH` value);
    /// `None`: the process's `PATH`.
    pub cli_search_path: Option<String>,
    /// Attempts per deploy step (validate, deploy, run); 0 counts as 1.
    pub deploy_attempts: u32,
    /// Milliseconds between a deploy step's attempts.
    pub deploy_retry_delay_ms: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            visibility_timeout_ms: 120_000,
            poll_interval_ms: 1_000,
            propagation_wait_ms: 60_000,
            conflict_retries: 3,
            layout: BundleLayout::default(),
            journal_dir: None,
            cli_search_path: None,
            deploy_attempts: 3,
            deploy_retry_delay_ms: 5_000,
        }
    }
}
