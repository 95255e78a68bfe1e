//! The generator's contract: benchmark sets from a file or from the space itself.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::benchmark::{BenchmarkFile, BenchmarkSet};
use crate::error::WorkerError;
use crate::space::SpaceConfig;

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
