//! The evaluator's configuration and its progress callback.

use genie_core::evaluation::Targets;
use serde::{Deserialize, Serialize};

/// How an evaluation is run and judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Questions in flight at once (asking and executing); 0 counts as 1. The
    /// workspace-wide rate limit is the Genie client's job, not this.
    pub concurrency: usize,
    /// How many times a question is asked when asking fails in a way a retry can
    /// fix (rate limits, 5xx, dropped connections, timeouts) after the Genie client's
    /// own retries; 0 counts as 1. A question still failing is excluded
    /// (`genie_error`), never dropped.
    pub ask_attempts: u32,
    /// Who judges: code, a language model (falling back to code), or Databricks.
    pub judges: JudgeBackend,
    /// Target score per judge.
    pub targets: Targets,
    /// Whether Genie's result may have columns the ground truth does not.
    pub allow_extra_columns: bool,
    /// Numbers are equal within this fraction of the larger magnitude.
    pub relative_tolerance: f64,
    /// Rows fetched per statement at most (`None`: all); a cut result is compared on
    /// the rows returned and reported as truncated.
    pub row_limit: Option<u64>,
    /// Per-statement timeout in milliseconds (`None`: the warehouse's default).
    pub statement_timeout_ms: Option<u64>,
    /// How long an official eval run may take, in milliseconds.
    pub official_timeout_ms: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            concurrency: 4,
            ask_attempts: 4,
            judges: JudgeBackend::Local,
            targets: Targets::default(),
            allow_extra_columns: true,
            relative_tolerance: 1e-6,
            row_limit: None,
            statement_timeout_ms: None,
            official_timeout_ms: 30 * 60 * 1000,
        }
    }
}

/// Who judges the answers (DESIGN §5).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "backend", rename_all = "snake_case")]
pub enum JudgeBackend {
    /// Deterministic code judges only; no model.
    #[default]
    Local,
    /// The language-model forms of semantic equivalence, completeness and the arbiter
    /// when an [`Llm`](genie_core::ports::Llm) is configured; each falls back to its code
    /// form when the model fails or none is configured.
    Llm,
    /// Databricks' benchmark eval runs on a dev space decide result correctness (the
    /// dev space must carry the benchmark questions); the code judges explain it.
    Official {
        /// The dev space whose benchmarks the eval run uses.
        dev_space_id: String,
    },
}

/// Progress of one evaluation, for a progress bar. Called from the evaluation's task;
/// implementations must be cheap and must not block.
pub trait Progress: Send + Sync {
    /// The evaluation starts with `total` questions (excluded ones included).
    fn started(&self, total: usize);
    /// A question is done: `Some(correct)` when scored, `None` when excluded.
    fn finished_question(&self, id: &str, correct: Option<bool>);
}
