//! The routing table of DESIGN §3, encoded once as data: every call the loop makes
//! to a worker names one [`Situation`], and [`ROUTES`] says which worker serves it,
//! with what and for what. `genie-opt routes` prints the table; the session records
//! each routed call ([`RoutedCall`]) with a summary of its inputs and outputs and what
//! it cost.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::accounting::Counts;

/// The workers calls are routed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Worker {
    /// Benchmarks: load, validate, split, synthesise, correct.
    Generator,
    /// Reports: ask Genie, run both SQLs, judge.
    Evaluator,
    /// Patch sets, one lever at a time.
    Optimizer,
    /// Applies, rolls back, clones, copies, promotes, deploys.
    Applier,
}

impl Worker {
    /// The worker's name as the table prints it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Generator => "generator",
            Self::Evaluator => "evaluator",
            Self::Optimizer => "optimizer",
            Self::Applier => "applier",
        }
    }
}

/// A situation of the loop in which a worker is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Situation {
    /// Benchmarks are needed.
    NeedBenchmarks,
    /// The run starts: the two clones of production are found or made.
    StartRun,
    /// The baseline, or a re-evaluation after a change.
    FullEvaluation,
    /// Scores are below target.
    BelowTarget,
    /// A patch set is applied to dev-working.
    Apply,
    /// After an apply: the slice gate.
    AfterApply,
    /// The slice passed: the P0 gate.
    SlicePasses,
    /// A gate failed or the full evaluation regressed.
    Regressed,
    /// The full evaluation improved: dev-working becomes dev-best.
    Improved,
    /// The arbiter found enough wrong ground truths.
    ArbiterCorrections,
    /// After the loop: repeatability and held-out evaluation.
    AfterLoop,
    /// Promotion, bundle export, deployment.
    PromoteDeploy,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Route {
    /// When.
    pub situation: Situation,
    /// The situation as the table prints it.
    pub when: &'static str,
    /// Who is called.
    pub worker: Worker,
    /// With what.
    pub inputs: &'static str,
    /// For what.
    pub outputs: &'static str,
}

/// The routing table (DESIGN §3, plus the two applier calls §4's flow implies: the
/// clones at the start and the keep copy).
pub(crate) const ROUTES: [Route; 12] = [
    Route {
        situation: Situation::NeedBenchmarks,
        when: "Need benchmarks",
        worker: Worker::Generator,
        inputs: "space, domain, benchmarks file or none",
        outputs: "benchmark set, dataset name",
    },
    Route {
        situation: Situation::StartRun,
        when: "Start of a run",
        worker: Worker::Applier,
        inputs: "production, run id",
        outputs: "dev-best and dev-working clones",
    },
    Route {
        situation: Situation::FullEvaluation,
        when: "Baseline / re-evaluation",
        worker: Worker::Evaluator,
        inputs: "space, benchmarks, scope=full, iteration",
        outputs: "report, failures",
    },
    Route {
        situation: Situation::BelowTarget,
        when: "Scores below target",
        worker: Worker::Optimizer,
        inputs: "failing rows, snapshot, target lever",
        outputs: "patch set",
    },
    Route {
        situation: Situation::Apply,
        when: "Apply",
        worker: Worker::Applier,
        inputs: "space (dev-working), patch set",
        outputs: "apply log",
    },
    Route {
        situation: Situation::AfterApply,
        when: "After apply",
        worker: Worker::Evaluator,
        inputs: "scope=slice(patched objects + targeted questions)",
        outputs: "slice report",
    },
    Route {
        situation: Situation::SlicePasses,
        when: "Slice passes",
        worker: Worker::Evaluator,
        inputs: "scope=p0",
        outputs: "p0 report (a P0 question broken = gate fails)",
    },
    Route {
        situation: Situation::Regressed,
        when: "Gate fails or full eval regresses",
        worker: Worker::Applier,
        inputs: "rollback(apply log)",
        outputs: "restored config (hash-checked)",
    },
    Route {
        situation: Situation::Improved,
        when: "Full eval improves",
        worker: Worker::Applier,
        inputs: "copy dev-working -> dev-best",
        outputs: "copy record (field-level diff)",
    },
    Route {
        situation: Situation::ArbiterCorrections,
        when: "Arbiter says ground truth wrong >= 3 times",
        worker: Worker::Generator,
        inputs: "corrected questions",
        outputs: "new benchmark version",
    },
    Route {
        situation: Situation::AfterLoop,
        when: "After the loop",
        worker: Worker::Evaluator,
        inputs: "scope=repeatability(n), scope=held_out",
        outputs: "repeatability %, overfitting gap",
    },
    Route {
        situation: Situation::PromoteDeploy,
        when: "Promote / deploy",
        worker: Worker::Applier,
        inputs: "best config",
        outputs: "promoted space, bundle files, deploy status",
    },
];

/// The route of a situation (every situation has exactly one).
pub(crate) fn route(situation: Situation) -> &'static Route {
    ROUTES
        .iter()
        .find(|route| route.situation == situation)
        .unwrap_or_else(|| unreachable!("every situation is in ROUTES"))
}

/// One routed call, as the session records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct RoutedCall {
    /// The step it served (`iter2/apply`).
    pub step: String,
    /// The situation.
    pub situation: Situation,
    /// The worker called (from the table).
    pub worker: Worker,
    /// What went in, in a line.
    pub inputs: String,
    /// What came out, in a line (or the error).
    pub outputs: String,
    /// Whether the call succeeded.
    pub ok: bool,
    /// What it cost.
    pub spent: Counts,
    /// How long it took, in milliseconds.
    pub millis: u64,
}

/// The table as `genie-opt routes` prints it (Markdown).
pub(crate) fn table() -> String {
    let mut text = String::from("| Situation | Worker | Inputs | Outputs |\n|---|---|---|---|\n");
    for route in &ROUTES {
        let _ = writeln!(
            text,
            "| {} | {} | {} | {} |",
            route.when,
            route.worker.name(),
            route.inputs,
            route.outputs
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_situation_has_exactly_one_route() {
        for route in &ROUTES {
            let count = ROUTES
                .iter()
                .filter(|other| other.situation == route.situation)
                .count();
            assert_eq!(count, 1, "{:?}", route.situation);
            assert_eq!(super::route(route.situation), route);
        }
    }

    #[test]
    fn the_table_follows_the_design() {
        let table = table();
        assert!(table.contains("| Apply | applier | space (dev-working), patch set | apply log |"));
        assert!(table.contains("| Scores below target | optimizer |"));
        assert_eq!(table.lines().count(), ROUTES.len() + 2);
    }
}
