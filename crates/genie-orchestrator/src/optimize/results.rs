//! `results.json`: the run for machines — baseline and final accuracies with the
//! overfitting gap, the exact accounting (in total and per step), the stop reason,
//! each iteration's outcome and the dev spaces.

use serde::Serialize;

use super::session::{Accuracies, Estimate, IterationOutcome, Session};
use crate::accounting::Counts;

/// The document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Results {
    /// The production space.
    pub space_id: String,
    /// The domain.
    pub domain: String,
    /// `lever` or `sequential`.
    pub strategy: super::config::Strategy,
    /// Accuracies before any patch.
    pub baseline: Option<Accuracies>,
    /// Accuracies of the best config.
    #[serde(rename = "final")]
    pub final_scores: Option<Accuracies>,
    /// Genie questions asked.
    pub genie_questions: u64,
    /// SQL statements run.
    pub sql_statements: u64,
    /// Model calls.
    pub llm_calls: u64,
    /// Model tokens.
    pub llm_tokens: u64,
    /// Wall time over every process of the session.
    pub wall_seconds: f64,
    /// The up-front estimate.
    pub estimate: Estimate,
    /// Why the loop stopped.
    pub convergence_reason: Option<genie_core::session::ConvergenceReason>,
    /// The best iteration (0: the baseline).
    pub best_iteration: u32,
    /// Repeatability of the best config, 0–100 (0 when not measured).
    pub repeatability: f64,
    /// Each iteration.
    pub iterations: Vec<IterationOutcome>,
    /// What each step cost.
    pub steps: Vec<StepCost>,
    /// Production and its clones.
    pub dev_spaces: DevSpaceIds,
    /// Whether production was written (only with `--promote`).
    pub promoted: bool,
}

/// The spaces of the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct DevSpaceIds {
    /// Production (read only unless promoted).
    pub production: String,
    /// The best config.
    pub dev_best: Option<String>,
    /// The working clone.
    pub dev_working: Option<String>,
}

/// One step's cost, summed over its routed calls.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct StepCost {
    /// The step.
    pub step: String,
    /// What it spent.
    #[serde(flatten)]
    pub spent: Counts,
    /// Its minutes.
    pub minutes: f64,
}

impl Results {
    /// The results of `session`.
    pub(crate) fn of(session: &Session) -> Self {
        let mut steps: Vec<StepCost> = Vec::new();
        for call in &session.run.routed_calls {
            #[expect(clippy::cast_precision_loss, reason = "milliseconds far below 2^52")]
            let minutes = call.millis as f64 / 60_000.0;
            match steps.iter_mut().find(|s| s.step == call.step) {
                Some(step) => {
                    step.spent = step.spent.plus(call.spent);
                    step.minutes += minutes;
                }
                None => steps.push(StepCost {
                    step: call.step.clone(),
                    spent: call.spent,
                    minutes,
                }),
            }
        }
        let spent = session.run.spent;
        #[expect(clippy::cast_precision_loss, reason = "milliseconds far below 2^52")]
        let wall_seconds = session.run.wall_ms as f64 / 1000.0;
        Self {
            space_id: session.state.space_id.clone(),
            domain: session.state.domain.clone(),
            strategy: session.run.strategy,
            baseline: session.run.baseline,
            final_scores: session.run.final_scores,
            genie_questions: spent.genie_questions,
            sql_statements: spent.sql_statements,
            llm_calls: spent.llm_calls,
            llm_tokens: spent.llm_tokens,
            wall_seconds,
            estimate: session.run.estimate,
            convergence_reason: session.state.convergence_reason,
            best_iteration: session.state.best_iteration,
            repeatability: session.state.repeatability_pct,
            iterations: session.run.outcomes.clone(),
            steps,
            dev_spaces: DevSpaceIds {
                production: session.state.spaces.production.to_string(),
                dev_best: session
                    .state
                    .spaces
                    .dev_best
                    .as_ref()
                    .map(ToString::to_string),
                dev_working: session
                    .state
                    .spaces
                    .dev_working
                    .as_ref()
                    .map(ToString::to_string),
            },
            promoted: session.run.promotion.is_some(),
        }
    }

    /// As pretty JSON with a final newline.
    pub(crate) fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }
}
