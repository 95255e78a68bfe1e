//! Worker traits: the targets of the orchestrator's routing table (DESIGN §3).
//!
//! Each worker crate exposes one struct implementing one of these traits. The traits
//! take plain request structs and return domain types, so the orchestrator can hold
//! them as `Arc<dyn …>` and route to them by one table, and so another tool can embed
//! a single worker with its own backends. Workers report failure as a
//! [`WorkerError`], which wraps each worker's own error enum; callers that need the
//! detail downcast to it.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::benchmark::{BenchmarkFile, BenchmarkSet};
use crate::canonical::ContentHash;
use crate::error::WorkerError;
use crate::evaluation::{BlameItem, EvalReport, EvaluationRow, Scope};
use crate::patch::{ApplyLog, PatchSet};
use crate::space::SpaceConfig;
use crate::taxonomy::{FailureType, Lever};

/// What the generator should produce benchmarks from.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerateRequest {
    /// The space the benchmarks are for.
    pub space_id: String,
    /// The space's configuration (for synthesis when there is no file).
    pub config: SpaceConfig,
    /// The user's benchmark file, parsed; `None` to synthesise.
    pub file: Option<BenchmarkFile>,
    /// The domain name.
    pub domain: Option<String>,
    /// Question ids to mark P0 in addition to the file's.
    pub extra_p0: Vec<String>,
    /// Keep questions whose ground truth fails (normally excluded).
    pub keep_invalid: bool,
}

/// An arbiter correction: Genie's SQL replaces a ground truth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BenchmarkCorrection {
    /// The benchmark id.
    pub id: String,
    /// The ground truth to use from now on.
    pub corrected_sql: String,
    /// The arbiter's reason.
    pub rationale: String,
}

/// Builds benchmark sets: load, resolve, validate by execution, split, synthesise,
/// correct.
#[async_trait]
pub trait Generator: Send + Sync {
    /// Produces the benchmark set for a space.
    async fn generate(&self, request: &GenerateRequest) -> Result<BenchmarkSet, WorkerError>;

    /// Applies arbiter corrections, returning a new set version (the original is
    /// untouched).
    async fn apply_corrections(
        &self,
        set: &BenchmarkSet,
        corrections: &[BenchmarkCorrection],
    ) -> Result<BenchmarkSet, WorkerError>;
}

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

/// What the optimizer works from.
#[derive(Debug, Clone, PartialEq)]
pub struct ProposalRequest {
    /// The failing rows (train split only: held-out rows never reach the optimizer).
    pub failing_rows: Vec<EvaluationRow>,
    /// The current configuration.
    pub config: SpaceConfig,
    /// The lever to propose for.
    pub lever: Lever,
}

/// Failing rows that share a root cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureCluster {
    /// The shared failure type.
    pub failure_type: FailureType,
    /// The shared blame.
    pub blame_set: Vec<BlameItem>,
    /// The questions in the cluster.
    pub question_ids: Vec<String>,
    /// The lever the cluster maps to.
    pub lever: Lever,
}

/// The optimizer's answer for one lever.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proposal {
    /// The clusters found.
    pub clusters: Vec<FailureCluster>,
    /// The patches proposed (empty when nothing maps to the lever).
    pub patch_set: PatchSet,
    /// Why nothing was proposed, when nothing was.
    pub skip_reason: Option<String>,
}

/// Clusters failures and proposes patches for one lever.
#[async_trait]
pub trait Optimizer: Send + Sync {
    /// Proposes a patch set for the request's lever.
    async fn propose(&self, request: &ProposalRequest) -> Result<Proposal, WorkerError>;
}

/// Applies patch sets with exact rollback, clones spaces, persists and promotes.
#[async_trait]
pub trait Applier: Send + Sync {
    /// Applies a set to a (dev) space, all or nothing.
    async fn apply(&self, space_id: &str, patches: &PatchSet) -> Result<ApplyLog, WorkerError>;

    /// Restores the exact prior state; returns the restored config's hash, which
    /// equals the log's `config_hash_before`.
    async fn rollback(&self, log: &ApplyLog) -> Result<ContentHash, WorkerError>;

    /// Clones a space (the dev-best and dev-working copies); returns the new id.
    async fn clone_space(&self, source_space_id: &str, title: &str) -> Result<String, WorkerError>;

    /// Copies one space's config onto another (dev-working → dev-best, or the best
    /// config to production when promotion is asked for); returns the new hash.
    async fn promote(
        &self,
        from_space_id: &str,
        to_space_id: &str,
    ) -> Result<ContentHash, WorkerError>;
}
