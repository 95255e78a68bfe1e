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
    /// The `Official` backend covers no repeated asks.
    #[error(
        "scope `{scope}` cannot be judged by the `official` backend (one eval run per question)"
    )]
    OfficialScope {
        /// The scope's name.
        scope: String,
    },
    /// The dev space's config could not be read.
    #[error("dev space `{dev_space_id}`: {message}")]
    OfficialSpace {
        /// The dev space.
        dev_space_id: String,
        /// Why its config is unreadable.
        message: String,
    },
    /// Questions in scope are not benchmark questions of the dev space.
    #[error(
        "dev space `{dev_space_id}` has no benchmark question with the text of {}",
        ids.iter().map(|id| format!("`{id}`")).collect::<Vec<_>>().join(", ")
    )]
    OfficialQuestionsMissing {
        /// The dev space.
        dev_space_id: String,
        /// The benchmark ids not found.
        ids: Vec<String>,
    },
    /// The eval run ended without finishing.
    #[error("eval run `{eval_run_id}` ended `{status}`")]
    OfficialRunFailed {
        /// The run.
        eval_run_id: String,
        /// Its final status.
        status: String,
    },
    /// The eval run did not finish in time.
    #[error("eval run `{eval_run_id}` did not finish before the deadline")]
    OfficialTimeout {
        /// The run.
        eval_run_id: String,
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
