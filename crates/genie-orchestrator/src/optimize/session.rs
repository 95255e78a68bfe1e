//! The session file, `optimization-progress.json`: genie-core's [`SessionState`] (the
//! seeds' schema) plus what this orchestrator needs to resume exactly — the run's
//! identity (space, benchmark content hash), the iteration in flight with its patch
//! set, apply base and apply log, the routed calls and the accounting. Written
//! atomically after every step.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use genie_core::canonical::ContentHash;
use genie_core::patch::{ApplyBase, ApplyLog, PatchSet};
use genie_core::session::SessionState;
use genie_core::workers::PromotionRecord;
use serde::{Deserialize, Serialize};

use crate::accounting::Counts;
use crate::files;
use crate::routes::RoutedCall;

use super::config::Strategy;

/// The session file's name in the output directory.
pub(crate) const SESSION_FILE: &str = "optimization-progress.json";

/// The whole session file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Session {
    /// The seeds' schema, at the top level of the file.
    #[serde(flatten)]
    pub state: SessionState,
    /// The orchestrator's own record, under `run`.
    pub run: RunRecord,
}

/// What the orchestrator keeps beside the seeds' schema.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct RunRecord {
    /// The run's id (in the clones' titles, so a resumed run finds them).
    pub run_id: String,
    /// The strategy.
    pub strategy: Strategy,
    /// The benchmark set's content hash: a session is only resumed on the same set.
    pub benchmark_hash: ContentHash,
    /// The benchmark set's questions, train and held out.
    pub train_questions: usize,
    /// Held-out questions.
    pub held_out_questions: usize,
    /// Production as the run found it (promotion checks it is unchanged).
    pub production_base: Option<ApplyBase>,
    /// The up-front estimate.
    pub estimate: Estimate,
    /// The iteration in flight, if any.
    pub pending: Option<Pending>,
    /// Index of the next lever to propose for, into the schedule 1–6.
    pub next_lever: usize,
    /// Levers in a row that had nothing new to propose.
    pub idle_levers: usize,
    /// Patch sets tried so far (never proposed twice).
    pub tried: Vec<ContentHash>,
    /// Rollbacks in a row.
    pub consecutive_rollbacks: u32,
    /// Each iteration's outcome, for results and reports.
    pub outcomes: Vec<IterationOutcome>,
    /// Baseline accuracies.
    pub baseline: Option<Accuracies>,
    /// Final accuracies.
    pub final_scores: Option<Accuracies>,
    /// Every routed call, in order.
    pub routed_calls: Vec<RoutedCall>,
    /// What the session spent so far, over every process that worked on it.
    pub spent: Counts,
    /// Wall milliseconds so far, over every process.
    pub wall_ms: u64,
    /// The promotion, when `--promote` was given.
    pub promotion: Option<PromotionRecord>,
    /// The bundle files the final export wrote.
    pub exported: Vec<String>,
    /// What the best config changes in production's (field by field).
    pub final_diff: Option<genie_core::space::ConfigDiff>,
    /// Whether the run finished (reports written).
    pub finished: bool,
}

/// An iteration in flight: enough to finish it after a crash without re-applying.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Pending {
    /// The iteration number.
    pub iteration: u32,
    /// The patches.
    pub patch_set: PatchSet,
    /// Dev-working's config when the set was planned (the apply request's base).
    pub base: ApplyBase,
    /// The apply request's time (with the base, the applier journal's key).
    pub now_ms: u64,
    /// The apply log, once applied.
    pub apply_log: Option<ApplyLog>,
    /// The decision, once made (keep or roll back), before it is carried out.
    pub decision: Option<Decision>,
}

/// Keep or roll back, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Decision {
    /// Whether the patches stay.
    pub keep: bool,
    /// Why.
    pub reason: String,
    /// Train accuracy measured (the full evaluation's, or the gate's slice when it
    /// failed).
    pub accuracy: Option<f64>,
    /// `McNemar` p against the previous best, when a full evaluation ran.
    pub p_value: Option<f64>,
    /// Questions fixed and broken against the previous best.
    pub fixed: usize,
    /// Questions broken.
    pub broken: usize,
}

/// One iteration's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct IterationOutcome {
    /// The iteration.
    pub iteration: u32,
    /// The lever, 1–6.
    pub lever: u8,
    /// Patches kept.
    pub patches_kept: usize,
    /// Patches rolled back.
    pub patches_rolled_back: usize,
    /// Train accuracy of the evaluated config (0–100), when a full evaluation ran.
    pub accuracy: Option<f64>,
    /// Best train accuracy after the iteration.
    pub best_accuracy: f64,
    /// `McNemar` p against the previous best.
    pub p_value: Option<f64>,
    /// Why kept or rolled back.
    pub reason: String,
    /// Config hash of dev-working after the apply.
    pub config_hash: Option<ContentHash>,
}

/// Train and held-out accuracy (0–100) and their gap.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct Accuracies {
    /// Train accuracy.
    pub train: f64,
    /// Held-out accuracy (`None`: no held-out question).
    pub held_out: Option<f64>,
    /// Train minus held out.
    pub overfitting_gap: Option<f64>,
}

impl Accuracies {
    /// The two accuracies and their gap.
    pub(crate) fn new(train: f64, held_out: Option<f64>) -> Self {
        Self {
            train,
            held_out,
            overfitting_gap: held_out.map(|held_out| train - held_out),
        }
    }
}

/// The up-front estimate of a run's cost.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct Estimate {
    /// Genie questions at most.
    pub genie_questions: u64,
    /// Minutes at the questions-per-minute limit (`None`: no limit).
    pub minutes: Option<f64>,
}

impl Estimate {
    /// The plan's cost at most: baseline (train and held out), per iteration a slice
    /// (at most the train set), the P0 questions and the train set, then
    /// repeatability and held out again.
    pub(crate) fn of_plan(
        train: usize,
        held_out: usize,
        p0: usize,
        max_iterations: u32,
        repeatability_runs: u32,
        sequential: bool,
        qpm: Option<u32>,
    ) -> Self {
        let train = train as u64;
        let held_out = held_out as u64;
        let per_iteration = if sequential {
            train
        } else {
            train + p0 as u64 + train
        };
        let genie_questions = train
            + held_out
            + per_iteration * u64::from(max_iterations)
            + train * u64::from(repeatability_runs)
            + held_out;
        #[expect(
            clippy::cast_precision_loss,
            reason = "question counts are far below 2^52"
        )]
        let minutes = qpm.map(|qpm| genie_questions as f64 / f64::from(qpm.max(1)));
        Self {
            genie_questions,
            minutes,
        }
    }
}

impl Session {
    /// The session file in `output_dir`.
    pub(crate) fn path(output_dir: &Path) -> PathBuf {
        output_dir.join(SESSION_FILE)
    }

    /// Reads a session file.
    pub(crate) fn load(path: &Path) -> anyhow::Result<Self> {
        let text = files::read_text(path)?;
        serde_json::from_str(&text)
            .with_context(|| format!("`{}` is not a genie-opt session file", path.display()))
    }

    /// Writes the session atomically.
    pub(crate) fn save(&self, path: &Path) -> anyhow::Result<()> {
        let mut text = serde_json::to_string_pretty(self).context("cannot render the session")?;
        text.push('\n');
        files::write_atomic(path, text.as_bytes())
    }

    /// Refuses to resume a session of another space or benchmark set.
    pub(crate) fn check_identity(
        &self,
        space_id: &str,
        benchmark_hash: &ContentHash,
        path: &Path,
    ) -> anyhow::Result<()> {
        if self.state.space_id != space_id {
            bail!(
                "`{}` is a session of space {}, not {space_id}: resume it with that space, or start afresh with another --output-dir",
                path.display(),
                self.state.space_id
            );
        }
        if &self.run.benchmark_hash != benchmark_hash {
            bail!(
                "`{}` was made with other benchmarks (content hash {}, now {}): the benchmarks file changed since; start afresh with another --output-dir",
                path.display(),
                self.run.benchmark_hash.short(),
                benchmark_hash.short()
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_follows_the_plan() {
        let estimate = Estimate::of_plan(30, 10, 3, 5, 2, false, Some(5));
        // 30 + 10 + (30 + 3 + 30) * 5 + 30 * 2 + 10
        assert_eq!(estimate.genie_questions, 425);
        assert_eq!(estimate.minutes, Some(85.0));
        let sequential = Estimate::of_plan(30, 10, 3, 5, 2, true, None);
        assert_eq!(sequential.genie_questions, 30 + 10 + 150 + 60 + 10);
        assert_eq!(sequential.minutes, None);
    }

    #[test]
    fn the_gap_is_train_minus_held_out() {
        let accuracies = Accuracies::new(90.0, Some(80.0));
        assert_eq!(accuracies.overfitting_gap, Some(10.0));
        assert_eq!(Accuracies::new(90.0, None).overfitting_gap, None);
    }
}
