//! The optimizer's contract: from failing train rows and a metadata snapshot, a
//! patch set for one lever — or nothing, with why.
//!
//! The request is built so that held-out data cannot reach the optimizer: failing rows
//! come as [`TrainFailures`], which no held-out row can enter; the space config comes
//! inside a [`MetadataSnapshot`], which drops the space's `benchmarks` section; and the
//! benchmarks themselves come only inside a [`LeakageGuard`], which answers "does this
//! text leak a benchmark?" and nothing else.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::leakage::LeakageGuard;
use crate::benchmark::Split;
use crate::catalog::CatalogSnapshot;
use crate::error::WorkerError;
use crate::evaluation::{BlameItem, EvalReport, EvaluationRow};
use crate::patch::{ClusterId, PatchSet};
use crate::session::PatchHistoryEntry;
use crate::space::SpaceConfig;
use crate::taxonomy::{FailureType, Lever};

/// A failing, scored row of the train split: the only kind of row the optimizer sees.
///
/// Made only by [`TrainFailure::try_from`] (or [`TrainFailures::from_report`]), which
/// refuse held-out, excluded and correct rows; deserializing goes through the same
/// check, so no file can smuggle a held-out row in either.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "EvaluationRow", into = "EvaluationRow")]
pub struct TrainFailure(EvaluationRow);

/// Why a row is not a [`TrainFailure`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotATrainFailure {
    /// The row is held out: only the overfitting check may see it.
    #[error("question `{0}` is held out; the optimizer never sees held-out rows")]
    HeldOut(String),
    /// The row is not scored.
    #[error("question `{0}` is excluded from scoring, so it is no failure")]
    Excluded(String),
    /// The row was answered correctly.
    #[error("question `{0}` was answered correctly")]
    Correct(String),
}

impl TryFrom<EvaluationRow> for TrainFailure {
    type Error = NotATrainFailure;

    fn try_from(row: EvaluationRow) -> Result<Self, Self::Error> {
        if row.split == Split::HeldOut {
            Err(NotATrainFailure::HeldOut(row.id))
        } else if !row.is_scored() {
            Err(NotATrainFailure::Excluded(row.id))
        } else if row.correct {
            Err(NotATrainFailure::Correct(row.id))
        } else {
            Ok(Self(row))
        }
    }
}

impl From<TrainFailure> for EvaluationRow {
    fn from(failure: TrainFailure) -> Self {
        failure.0
    }
}

impl TrainFailure {
    /// The row.
    pub fn row(&self) -> &EvaluationRow {
        &self.0
    }
}

/// The failing train rows of an evaluation.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TrainFailures(Vec<TrainFailure>);

impl TrainFailures {
    /// The report's failing, scored train rows; every other row (held-out ones first of
    /// all) is left behind.
    pub fn from_report(report: &EvalReport) -> Self {
        report
            .rows
            .iter()
            .filter_map(|row| TrainFailure::try_from(row.clone()).ok())
            .collect()
    }

    /// The rows, in report order.
    pub fn iter(&self) -> impl Iterator<Item = &EvaluationRow> {
        self.0.iter().map(TrainFailure::row)
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<TrainFailure> for TrainFailures {
    fn from_iter<I: IntoIterator<Item = TrainFailure>>(failures: I) -> Self {
        Self(failures.into_iter().collect())
    }
}

/// What the optimizer reads about the space: its config and the Unity Catalog
/// metadata of its schemas.
///
/// [`MetadataSnapshot::new`] drops the config's `benchmarks` section: a dev space can
/// carry every benchmark question with its SQL (for Databricks' own eval runs), and
/// Genie does not read it when answering, so no patch should either. A patch set planned
/// on [`config`](Self::config) applies to the full config unchanged, since no op touches
/// that section.
#[derive(Debug, Clone, PartialEq)]
pub struct MetadataSnapshot {
    config: SpaceConfig,
    catalog: CatalogSnapshot,
}

impl MetadataSnapshot {
    /// The snapshot of `config` (without its benchmarks) and `catalog`.
    pub fn new(mut config: SpaceConfig, catalog: CatalogSnapshot) -> Self {
        config.benchmarks = None;
        Self { config, catalog }
    }

    /// The space's config, without its `benchmarks` section.
    pub fn config(&self) -> &SpaceConfig {
        &self.config
    }

    /// The Unity Catalog metadata: table and column comments, types, tags, table
    /// properties, functions and metric views of the space's schemas.
    pub fn catalog(&self) -> &CatalogSnapshot {
        &self.catalog
    }
}

/// What the optimizer works from.
#[derive(Debug, Clone, PartialEq)]
pub struct ProposalRequest {
    /// The failing train rows.
    pub failures: TrainFailures,
    /// The space's config and catalog metadata.
    pub metadata: MetadataSnapshot,
    /// The lever to propose for.
    pub lever: Lever,
    /// Every benchmark (of every split), usable only to check that a proposal does not
    /// copy one.
    pub leakage: LeakageGuard,
    /// The session's patches so far: what was tried, kept or rolled back, and why (so
    /// a rolled-back patch is not proposed again unchanged).
    pub history: Vec<PatchHistoryEntry>,
}

/// Failing rows that share a root cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureCluster {
    /// Its id, stable across runs ([`ClusterId::of`]); patches name it.
    pub id: ClusterId,
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
#[serde(tag = "proposal", rename_all = "snake_case")]
pub enum Proposal {
    /// Patches to try. The set is not empty, and each patch names the cluster it came
    /// from, its risk, its rationale and the questions it should fix.
    Patches {
        /// The clusters the patches address.
        clusters: Vec<FailureCluster>,
        /// The patches.
        patch_set: PatchSet,
    },
    /// Nothing to try for this lever.
    Nothing {
        /// Why (recorded as the lever's skip reason).
        reason: String,
    },
}

impl Proposal {
    /// The patch set, when there is one.
    pub fn patch_set(&self) -> Option<&PatchSet> {
        match self {
            Self::Patches { patch_set, .. } => Some(patch_set),
            Self::Nothing { .. } => None,
        }
    }
}

/// Clusters failures and proposes patches for one lever.
///
/// One call per lever, because the loop evaluates and keeps or rolls back each lever's
/// set before asking for the next. A proposal must apply
/// ([`apply_patch_set`](crate::patch::apply_patch_set) on the snapshot's config accepts
/// it) and must not leak a benchmark ([`LeakageGuard::set_leaks`] finds nothing).
#[async_trait]
pub trait Optimizer: Send + Sync {
    /// Proposes a patch set for the request's lever.
    async fn propose(&self, request: &ProposalRequest) -> Result<Proposal, WorkerError>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::benchmark::{AssetType, Priority};
    use crate::evaluation::{Exclusion, ReportContext, Scope, Targets};
    use crate::space::{BenchmarkQuestion, TableConfig};

    fn row(id: &str, split: Split, correct: bool, excluded: bool) -> EvaluationRow {
        EvaluationRow {
            id: id.to_owned(),
            question: format!("question {id}"),
            split,
            priority: Priority::P1,
            category: None,
            expected_asset: AssetType::Table,
            expected_sql: "SELECT 1".to_owned(),
            genie_sql: None,
            answer_status: None,
            correct,
            excluded: excluded.then_some(Exclusion::BothEmpty),
            failure_type: (!correct).then_some(FailureType::WrongColumn),
            verdicts: Vec::new(),
            comparison: None,
            arbiter: None,
            expected_result_hash: None,
            genie_result_hash: None,
        }
    }

    #[test]
    fn only_failing_scored_train_rows_get_in() {
        let rows = vec![
            row("train_fail", Split::Train, false, false),
            row("held_out_fail", Split::HeldOut, false, false),
            row("train_pass", Split::Train, true, false),
            row("train_excluded", Split::Train, false, true),
        ];
        let context = ReportContext {
            space_id: "s".to_owned(),
            config_hash: None,
            dataset: "d".to_owned(),
            scope: Scope::Full,
            iteration: 0,
        };
        let report = EvalReport::from_rows(context, rows.clone(), &Targets::default(), None);
        let failures = TrainFailures::from_report(&report);
        let ids: Vec<&str> = failures.iter().map(|row| row.id.as_str()).collect();
        assert_eq!(ids, ["train_fail"]);
        assert_eq!(failures.len(), 1);

        let refusals: Vec<NotATrainFailure> = rows
            .into_iter()
            .skip(1)
            .map(|row| TrainFailure::try_from(row).unwrap_err())
            .collect();
        assert_eq!(
            refusals,
            [
                NotATrainFailure::HeldOut("held_out_fail".to_owned()),
                NotATrainFailure::Correct("train_pass".to_owned()),
                NotATrainFailure::Excluded("train_excluded".to_owned()),
            ]
        );
    }

    #[test]
    fn a_held_out_row_cannot_be_deserialized_in() {
        let held_out = serde_json::to_value(row("h", Split::HeldOut, false, false)).unwrap();
        let error =
            serde_json::from_value::<TrainFailures>(serde_json::json!([held_out])).unwrap_err();
        assert!(error.to_string().contains("held out"), "{error}");
        let train = row("t", Split::Train, false, false);
        let failure = TrainFailure::try_from(train.clone()).unwrap();
        let json = serde_json::to_value(&failure).unwrap();
        assert_eq!(json, serde_json::to_value(&train).unwrap());
        assert_eq!(
            serde_json::from_value::<TrainFailure>(json).unwrap(),
            failure
        );
    }

    #[test]
    fn the_snapshot_drops_the_benchmarks_section() {
        let mut config = SpaceConfig::default();
        config.tables_mut().push(TableConfig::new("main.s.t"));
        config.benchmark_questions_mut().push(BenchmarkQuestion {
            id: "0".repeat(32),
            question: "secret held-out question".into(),
            ..BenchmarkQuestion::default()
        });
        let snapshot = MetadataSnapshot::new(config, CatalogSnapshot::default());
        assert!(snapshot.config().benchmark_questions().is_empty());
        assert!(!snapshot.config().to_json().contains("secret"));
        assert_eq!(snapshot.config().tables().len(), 1);
        assert!(snapshot.catalog().tables.is_empty());
    }

    #[test]
    fn proposals_are_either_patches_or_a_reason() {
        let nothing = Proposal::Nothing {
            reason: "no failure maps to lever 2".to_owned(),
        };
        assert_eq!(nothing.patch_set(), None);
        assert_eq!(
            serde_json::to_value(&nothing).unwrap(),
            serde_json::json!({"proposal": "nothing", "reason": "no failure maps to lever 2"})
        );
    }
}
