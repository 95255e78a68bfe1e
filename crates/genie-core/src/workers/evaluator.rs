//! The evaluator's contract: a report on a space over benchmarks in a scope.

use async_trait::async_trait;

use crate::benchmark::BenchmarkSet;
use crate::canonical::ContentHash;
use crate::error::WorkerError;
use crate::evaluation::{EvalReport, Scope};

/// What to evaluate.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationRequest {
    /// The space to ask.
    pub space_id: String,
    /// Its config's hash (recorded in the report).
    pub config_hash: Option<ContentHash>,
    /// The benchmarks.
    pub benchmarks: BenchmarkSet,
    /// Which questions, how often.
    pub scope: Scope,
    /// The loop iteration (0 = baseline).
    pub iteration: u32,
    /// The previous report, to flag changed SQL for previously correct questions.
    pub previous: Option<EvalReport>,
}

/// Asks Genie, runs both SQLs, judges.
#[async_trait]
pub trait Evaluator: Send + Sync {
    /// Evaluates the space on the benchmarks in scope.
    async fn evaluate(&self, request: &EvaluationRequest) -> Result<EvalReport, WorkerError>;
}
