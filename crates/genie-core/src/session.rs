//! The optimisation session state (DESIGN §8), written to `optimization-progress.json`.
//!
//! Field names follow the seeds' `optimization-progress.json` schema where it has
//! them (`space_id`, `iterations`, `best_iteration`, `lever_audit`, …), so existing
//! dashboards keep reading it. The orchestrator writes the file atomically after every
//! step; [`SessionState::steps`] records what is done, so `--resume` continues without
//! re-applying anything. Timestamps are passed in (this crate has no clock).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::canonical::ContentHash;
use crate::patch::{ApplyLog, Patch};
use crate::space::SpaceId;
use crate::workers::{DevSpaces, DevSpacesError};

/// The schema version written to new session files.
pub const SESSION_SCHEMA_VERSION: u32 = 1;

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionStatus {
    /// The loop is running (or was interrupted: resume it).
    InProgress,
    /// Every target met.
    Converged,
    /// No improvement in two consecutive iterations.
    Stalled,
    /// The iteration budget ran out.
    MaxIterations,
    /// Only an evaluation was asked for.
    Evaluated,
}

/// Why the loop stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConvergenceReason {
    /// Every judge met its target.
    TargetsMet,
    /// `max_iterations` reached.
    MaxIterations,
    /// No improvement in two consecutive iterations.
    NoImprovement,
    /// Three consecutive iterations rolled back.
    ConsecutiveRollbacks,
    /// No lever had anything new to propose.
    NothingToPropose,
}

/// The spaces of one session: production is only ever read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSpaces {
    /// The user's space (read only).
    pub production: SpaceId,
    /// The clone holding the best config so far.
    pub dev_best: Option<SpaceId>,
    /// The clone patches are applied to.
    pub dev_working: Option<SpaceId>,
}

impl SessionSpaces {
    /// The run's [`DevSpaces`] once both clones exist (`None` before), checked: a
    /// session file naming production as a clone is an error.
    pub fn dev_spaces(&self) -> Result<Option<DevSpaces>, DevSpacesError> {
        let (Some(best), Some(working)) = (&self.dev_best, &self.dev_working) else {
            return Ok(None);
        };
        DevSpaces::new(self.production.clone(), best.clone(), working.clone()).map(Some)
    }
}

/// One iteration's results (the seeds' `iterations[]` entry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IterationRecord {
    /// 0 = baseline, then 1, 2, …
    pub iteration: u32,
    /// RFC 3339 time the iteration finished.
    pub timestamp: String,
    /// The lever this iteration pulled (none for the baseline).
    pub lever: Option<u8>,
    /// The logged model of this iteration's config.
    pub model_id: Option<String>,
    /// The MLflow run of its evaluation.
    pub mlflow_run_id: Option<String>,
    /// The config's content hash.
    pub config_hash: Option<ContentHash>,
    /// Per-judge scores (0–100), keyed by judge name.
    pub scores: BTreeMap<String, f64>,
    /// Overall accuracy, 0–100.
    pub overall_accuracy: f64,
    /// Questions in scope.
    pub total_questions: usize,
    /// Correct answers.
    pub correct_count: usize,
    /// Failing question ids.
    pub failures: Vec<String>,
    /// Question ids still failing after this iteration.
    pub remaining_failures: Vec<String>,
    /// Patches applied in this iteration.
    pub proposals_applied: Vec<Patch>,
    /// Benchmark corrections the arbiter proposed.
    pub arbiter_corrections: Vec<String>,
    /// Whether the iteration's changes were kept (false: rolled back).
    pub kept: bool,
    /// Why they were kept or rolled back (`slice accuracy fell from 80 to 75`, `P0
    /// question q7 failed`).
    #[serde(default)]
    pub decision_reason: Option<String>,
    /// Questions fixed and broken relative to the previous best.
    #[serde(default)]
    pub regressions: Vec<String>,
    /// What the loop does next.
    pub next_action: String,
}

/// One iteration's score vector (the seeds' `score_history` entry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreSnapshot {
    /// The iteration.
    pub iteration: u32,
    /// Per-judge scores (0–100), keyed by judge name.
    pub scores: BTreeMap<String, f64>,
    /// Overall accuracy, 0–100.
    pub overall_accuracy: f64,
}

/// The patches one iteration applied (the seeds' `patch_history` entry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatchHistoryEntry {
    /// The iteration.
    pub iteration: u32,
    /// The patches applied.
    pub patches: Vec<Patch>,
    /// Whether they were kept.
    pub kept: bool,
    /// Why they were kept or rolled back.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Per-lever bookkeeping (the seeds' `lever_audit` entry).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LeverAudit {
    /// Whether the lever was tried.
    pub attempted: bool,
    /// Patches proposed.
    pub proposals_generated: usize,
    /// Patches kept.
    pub proposals_applied: usize,
    /// Why it was skipped, when it was.
    pub skip_reason: Option<String>,
}

/// A lever's effect (the seeds' `lever_impacts` entry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeverImpact {
    /// Scores before the lever's patches.
    pub before: BTreeMap<String, f64>,
    /// Scores after.
    pub after: BTreeMap<String, f64>,
    /// The patches applied.
    pub proposals: Vec<Patch>,
    /// Change in overall accuracy.
    pub delta: f64,
}

/// One candidate on the Pareto frontier: more correct, more repeatable, fewer
/// regressions, cheaper.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParetoPoint {
    /// The iteration (or lever-6 candidate) it came from.
    pub iteration: u32,
    /// Its config's hash.
    pub config_hash: Option<ContentHash>,
    /// Accuracy, 0–100 (higher is better).
    pub correctness: f64,
    /// Repeatability, 0–100 (higher is better).
    pub repeatability: f64,
    /// Questions broken relative to the baseline (lower is better).
    pub regressions: usize,
    /// Patches applied to get there (lower is better).
    pub patch_cost: usize,
}

impl ParetoPoint {
    /// Whether `self` is at least as good as `other` everywhere and better somewhere.
    pub fn dominates(&self, other: &Self) -> bool {
        let no_worse = self.correctness >= other.correctness
            && self.repeatability >= other.repeatability
            && self.regressions <= other.regressions
            && self.patch_cost <= other.patch_cost;
        let better = self.correctness > other.correctness
            || self.repeatability > other.repeatability
            || self.regressions < other.regressions
            || self.patch_cost < other.patch_cost;
        no_worse && better
    }
}

/// A step of the loop, recorded once done so a resumed session skips it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRecord {
    /// A stable name, e.g. `iter2/lever1/apply`.
    pub name: String,
    /// RFC 3339 time it finished.
    pub finished_at: String,
    /// The apply log, for an apply step (what rollback needs after a crash).
    pub apply_log: Option<ApplyLog>,
}

/// The whole session (written to `optimization-progress.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionState {
    /// Schema version of this file.
    pub schema_version: u32,
    /// The production space being optimised.
    pub space_id: String,
    /// The domain (used in names).
    pub domain: String,
    /// RFC 3339 start time.
    pub started_at: String,
    /// The last iteration started (0 = baseline).
    pub current_iteration: u32,
    /// The iteration budget.
    pub max_iterations: u32,
    /// Where the session stands.
    pub status: SessionStatus,
    /// Production and its two clones.
    pub spaces: SessionSpaces,
    /// Per-iteration results.
    pub iterations: Vec<IterationRecord>,
    /// The best iteration so far.
    pub best_iteration: u32,
    /// Its accuracy.
    pub best_overall_accuracy: f64,
    /// Question ids still failing at the best iteration.
    pub remaining_failures: Vec<String>,
    /// Why the loop stopped.
    pub convergence_reason: Option<ConvergenceReason>,
    /// The logged model promoted at the end.
    pub promoted_model_id: Option<String>,
    /// Every iteration's scores, in order.
    pub score_history: Vec<ScoreSnapshot>,
    /// Every iteration's applied patches, in order.
    pub patch_history: Vec<PatchHistoryEntry>,
    /// Non-dominated candidates.
    pub pareto_frontier: Vec<ParetoPoint>,
    /// Patches being evaluated now.
    pub current_patch_set: Option<Vec<Patch>>,
    /// Objects the current patch set changes.
    pub patched_objects: Vec<String>,
    /// `L1` greedy, `L2` population search, `L3` multi-objective.
    pub maturity_level: String,
    /// Benchmark corrections (question ids with their new SQL).
    pub benchmark_corrections: Vec<BTreeMap<String, String>>,
    /// Per-lever effects, keyed `"1"`–`"6"`.
    pub lever_impacts: BTreeMap<String, LeverImpact>,
    /// The benchmark dataset's name.
    pub eval_dataset_name: Option<String>,
    /// Latest repeatability, 0–100.
    pub repeatability_pct: f64,
    /// Best repeatability seen.
    pub best_repeatability: f64,
    /// Repeatability target.
    pub repeatability_target: f64,
    /// Per-lever bookkeeping, keyed `"1"`–`"6"`.
    pub lever_audit: BTreeMap<String, LeverAudit>,
    /// Completed steps, in order.
    pub steps: Vec<StepRecord>,
}

impl SessionState {
    /// A fresh session.
    pub fn new(space_id: &str, domain: &str, started_at: &str, max_iterations: u32) -> Self {
        Self {
            schema_version: SESSION_SCHEMA_VERSION,
            space_id: space_id.to_owned(),
            domain: domain.to_owned(),
            started_at: started_at.to_owned(),
            current_iteration: 0,
            max_iterations,
            status: SessionStatus::InProgress,
            spaces: SessionSpaces {
                production: SpaceId::new(space_id),
                dev_best: None,
                dev_working: None,
            },
            iterations: Vec::new(),
            best_iteration: 0,
            best_overall_accuracy: 0.0,
            remaining_failures: Vec::new(),
            convergence_reason: None,
            promoted_model_id: None,
            score_history: Vec::new(),
            patch_history: Vec::new(),
            pareto_frontier: Vec::new(),
            current_patch_set: None,
            patched_objects: Vec::new(),
            maturity_level: "L1".to_owned(),
            benchmark_corrections: Vec::new(),
            lever_impacts: BTreeMap::new(),
            eval_dataset_name: None,
            repeatability_pct: 0.0,
            best_repeatability: 0.0,
            repeatability_target: 90.0,
            lever_audit: (1..=6)
                .map(|lever: u8| (lever.to_string(), LeverAudit::default()))
                .collect(),
            steps: Vec::new(),
        }
    }

    /// Records a finished iteration: appends its scores and patches to the histories
    /// and updates the best iteration when this one is strictly better and kept.
    pub fn record_iteration(&mut self, record: IterationRecord) {
        self.current_iteration = self.current_iteration.max(record.iteration);
        self.score_history.push(ScoreSnapshot {
            iteration: record.iteration,
            scores: record.scores.clone(),
            overall_accuracy: record.overall_accuracy,
        });
        if !record.proposals_applied.is_empty() {
            self.patch_history.push(PatchHistoryEntry {
                iteration: record.iteration,
                patches: record.proposals_applied.clone(),
                kept: record.kept,
                reason: record.decision_reason.clone(),
            });
        }
        let is_best = self.iterations.is_empty()
            || (record.kept && record.overall_accuracy > self.best_overall_accuracy);
        if is_best {
            self.best_iteration = record.iteration;
            self.best_overall_accuracy = record.overall_accuracy;
            self.remaining_failures
                .clone_from(&record.remaining_failures);
        }
        self.iterations.push(record);
    }

    /// Adds a candidate to the Pareto frontier, dropping every point it dominates;
    /// a dominated candidate is not added. Returns whether it was added.
    pub fn offer_pareto_point(&mut self, point: ParetoPoint) -> bool {
        if self
            .pareto_frontier
            .iter()
            .any(|kept| kept.dominates(&point))
        {
            return false;
        }
        self.pareto_frontier.retain(|kept| !point.dominates(kept));
        self.pareto_frontier.push(point);
        true
    }

    /// Whether the loop should stop, and why: all targets met, the iteration budget
    /// spent, or no improvement of the best accuracy in the last two iterations.
    pub fn convergence(&self, targets_met: bool) -> Option<ConvergenceReason> {
        if targets_met {
            return Some(ConvergenceReason::TargetsMet);
        }
        if self.current_iteration >= self.max_iterations {
            return Some(ConvergenceReason::MaxIterations);
        }
        let improved =
            |record: &IterationRecord, before: f64| record.kept && record.overall_accuracy > before;
        let mut best = self.iterations.first()?.overall_accuracy;
        let mut stale = 0;
        for record in self.iterations.iter().skip(1) {
            if improved(record, best) {
                best = record.overall_accuracy;
                stale = 0;
            } else {
                stale += 1;
            }
        }
        (stale >= 2).then_some(ConvergenceReason::NoImprovement)
    }

    /// Whether a step with this name is already done (resume skips it).
    pub fn is_done(&self, step: &str) -> bool {
        self.steps.iter().any(|record| record.name == step)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(iteration: u32, accuracy: f64, kept: bool) -> IterationRecord {
        IterationRecord {
            iteration,
            timestamp: "2026-11-23T12:00:00Z".to_owned(),
            lever: (iteration > 0).then_some(1),
            model_id: None,
            mlflow_run_id: None,
            config_hash: None,
            scores: BTreeMap::new(),
            overall_accuracy: accuracy,
            total_questions: 10,
            correct_count: 0,
            failures: Vec::new(),
            remaining_failures: vec![format!("q{iteration}")],
            proposals_applied: Vec::new(),
            arbiter_corrections: Vec::new(),
            kept,
            decision_reason: Some(if kept { "kept" } else { "rolled back" }.to_owned()),
            regressions: Vec::new(),
            next_action: String::new(),
        }
    }

    #[test]
    fn new_session_has_the_seed_schema_fields() {
        let session = SessionState::new("abc", "retail", "2026-11-23T12:00:00Z", 5);
        let value = serde_json::to_value(&session).unwrap();
        for field in [
            "space_id",
            "domain",
            "started_at",
            "current_iteration",
            "max_iterations",
            "status",
            "iterations",
            "best_iteration",
            "best_overall_accuracy",
            "remaining_failures",
            "convergence_reason",
            "promoted_model_id",
            "score_history",
            "patch_history",
            "pareto_frontier",
            "current_patch_set",
            "patched_objects",
            "maturity_level",
            "benchmark_corrections",
            "lever_impacts",
            "eval_dataset_name",
            "repeatability_pct",
            "best_repeatability",
            "repeatability_target",
            "lever_audit",
        ] {
            assert!(value.get(field).is_some(), "missing `{field}`");
        }
        assert_eq!(value["status"], "in_progress");
        assert_eq!(value["lever_audit"]["6"]["attempted"], false);
        let back: SessionState = serde_json::from_value(value).unwrap();
        assert_eq!(back, session);
    }

    #[test]
    fn best_iteration_tracks_kept_improvements_only() {
        let mut session = SessionState::new("abc", "retail", "t", 5);
        session.record_iteration(record(0, 50.0, true));
        session.record_iteration(record(1, 70.0, false));
        assert_eq!(session.best_iteration, 0);
        session.record_iteration(record(2, 60.0, true));
        assert_eq!(
            (session.best_iteration, session.best_overall_accuracy),
            (2, 60.0)
        );
        assert_eq!(session.remaining_failures, vec!["q2".to_owned()]);
    }

    #[test]
    fn patch_history_says_why_and_dev_spaces_are_checked() {
        let mut session = SessionState::new("prod", "retail", "t", 5);
        let mut rolled_back = record(1, 40.0, false);
        rolled_back.proposals_applied = vec![Patch {
            op: crate::patch::PatchOp::AddSampleQuestion {
                value: "How many?".to_owned(),
            },
            lever: crate::taxonomy::Lever::SpaceInstructions,
            risk: crate::patch::Risk::Low,
            rationale: String::new(),
            fixes: Vec::new(),
            cluster: None,
        }];
        rolled_back.decision_reason = Some("P0 question q7 failed".to_owned());
        session.record_iteration(rolled_back);
        assert_eq!(
            session.patch_history[0].reason.as_deref(),
            Some("P0 question q7 failed")
        );
        assert!(!session.patch_history[0].kept);

        assert_eq!(session.spaces.dev_spaces(), Ok(None));
        session.spaces.dev_best = Some(SpaceId::new("best"));
        session.spaces.dev_working = Some(SpaceId::new("prod"));
        assert!(session.spaces.dev_spaces().is_err());
        session.spaces.dev_working = Some(SpaceId::new("working"));
        let spaces = session.spaces.dev_spaces().unwrap().unwrap();
        assert_eq!(spaces.working().as_str(), "working");
    }

    #[test]
    fn convergence_reasons() {
        let mut session = SessionState::new("abc", "retail", "t", 5);
        assert_eq!(session.convergence(false), None);
        assert_eq!(
            session.convergence(true),
            Some(ConvergenceReason::TargetsMet)
        );
        session.record_iteration(record(0, 50.0, true));
        session.record_iteration(record(1, 60.0, true));
        session.record_iteration(record(2, 55.0, false));
        assert_eq!(session.convergence(false), None);
        session.record_iteration(record(3, 60.0, true));
        assert_eq!(
            session.convergence(false),
            Some(ConvergenceReason::NoImprovement)
        );
        session.max_iterations = 3;
        assert_eq!(
            session.convergence(false),
            Some(ConvergenceReason::MaxIterations)
        );
    }

    #[test]
    fn pareto_frontier_keeps_only_non_dominated_points() {
        let point = |iteration, correctness, repeatability, regressions, patch_cost| ParetoPoint {
            iteration,
            config_hash: None,
            correctness,
            repeatability,
            regressions,
            patch_cost,
        };
        let mut session = SessionState::new("abc", "retail", "t", 5);
        assert!(session.offer_pareto_point(point(0, 50.0, 80.0, 0, 0)));
        assert!(session.offer_pareto_point(point(1, 70.0, 70.0, 1, 3)));
        assert!(!session.offer_pareto_point(point(2, 60.0, 65.0, 2, 4)));
        assert!(session.offer_pareto_point(point(3, 75.0, 85.0, 0, 0)));
        let kept: Vec<u32> = session
            .pareto_frontier
            .iter()
            .map(|p| p.iteration)
            .collect();
        assert_eq!(kept, vec![3]);
    }
}
