//! The optimizer's errors: what stops a proposal. Nothing to propose is not an error
//! (it is [`Proposal::Nothing`](genie_core::workers::Proposal::Nothing) with a reason),
//! and a malformed model answer is dropped with a logged reason, never an error.

use genie_core::error::{PortError, WorkerError};
use genie_core::space::Problem;

/// Why the optimizer could not answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OptimizerError {
    /// The snapshot's space breaks a validation rule, so no patch set could apply.
    #[error("the space breaks {} validation rule(s), first `{}`", problems.len(), problems.first().map(ToString::to_string).unwrap_or_default())]
    InvalidSpace {
        /// The errors.
        problems: Vec<Problem>,
    },
    /// The lever-6 search was given no evaluation budget.
    #[error("the lever-6 search needs an evaluation budget of at least 1, got `{budget}`")]
    NoSearchBudget {
        /// The budget given.
        budget: usize,
    },
    /// The lever-6 search's evaluation callback failed.
    #[error("evaluating lever-6 candidate `{candidate}` failed: {message}")]
    Evaluation {
        /// The candidate's index.
        candidate: usize,
        /// The callback's message.
        message: String,
    },
    /// A backend failed in a way that concerns the whole proposal.
    #[error("backend failed: {0}")]
    Port(#[from] PortError),
}

impl From<OptimizerError> for WorkerError {
    fn from(error: OptimizerError) -> Self {
        Self::new("optimizer", error)
    }
}
