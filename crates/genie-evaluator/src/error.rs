//! The evaluator's errors: what stops a whole evaluation. A single question's trouble
//! (Genie failing, a statement failing) is never an error: it is a row with a failure
//! type or an exclusion, so the denominator stays explicit.

use genie_core::error::{PortError, WorkerError};

/// Why an evaluation could not produce a report.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EvaluatorError {
    /// The benchmark set has no question in the requested scope.
    #[error("no benchmark question is in scope `{scope}`")]
    EmptyScope {
        /// The scope's name (`p0`, `held_out`, …).
        scope: String,
    },
    /// Repeatability was asked for with fewer than two attempts.
    #[error("repeatability needs at least 2 attempts per question, got `{n}`")]
    TooFewAttempts {
        /// The attempts asked for.
        n: u32,
    },
    /// The `Official` judge backend needs eval-run methods the `GenieApi` port does not
    /// have yet.
    #[error(
        "the `official` judge backend (benchmark eval runs of dev space `{dev_space_id}`) is \
         not available: the GenieApi port has no eval-run methods; use the `local` or `llm` \
         backend"
    )]
    OfficialBackendUnavailable {
        /// The dev space the eval run would have used.
        dev_space_id: String,
    },
    /// A backend failed in a way that concerns the whole run (not one question).
    #[error("backend failed: {0}")]
    Port(#[from] PortError),
}

impl From<EvaluatorError> for WorkerError {
    fn from(error: EvaluatorError) -> Self {
        Self::new("evaluator", error)
    }
}
