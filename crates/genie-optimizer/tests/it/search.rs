//! The lever-6 search with an injected evaluation callback: a test double that marks a
//! question correct when the set holds a patch claiming to fix it, except that one
//! gene (the instruction's cluster) breaks every question it touches.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;
use genie_core::patch::{PatchOp, PatchSet};
use genie_core::taxonomy::Lever;
use genie_optimizer::{GenieOptimizer, OptimizerError, SliceEvaluator};

use crate::support::{request, rows};

struct Oracle {
    slice: Vec<String>,
    calls: Mutex<usize>,
}

#[async_trait]
impl SliceEvaluator for Oracle {
    async fn evaluate(&self, set: &PatchSet) -> Result<BTreeMap<String, bool>, String> {
        *self.calls.lock().unwrap() += 1;
        let harmful = set
            .patches
            .iter()
            .any(|patch| matches!(patch.op, PatchOp::AddInstruction { .. }));
        Ok(self
            .slice
            .iter()
            .map(|id| {
                let fixed = set.patches.iter().any(|patch| patch.fixes.contains(id));
                (id.clone(), fixed && !harmful)
            })
            .collect())
    }
}

fn oracle() -> Oracle {
    Oracle {
        slice: rows().into_iter().map(|row| row.id).collect(),
        calls: Mutex::new(0),
    }
}

#[tokio::test]
async fn the_search_keeps_a_pareto_frontier_within_its_budget() {
    let oracle = oracle();
    let optimizer = GenieOptimizer::default();
    let outcome = optimizer
        .search_lever_six(&request(Lever::UcMetadata), &oracle, 12)
        .await
        .unwrap();
    assert_eq!(outcome.evaluations, *oracle.calls.lock().unwrap());
    assert!(
        outcome.evaluations <= 12 && outcome.evaluations > 3,
        "{}",
        outcome.evaluations
    );
    assert_eq!(
        outcome.questions_asked,
        outcome.evaluations * oracle.slice.len()
    );
    let best = outcome.best.clone().unwrap();
    assert_eq!(best.patch_set.lever, Lever::SpaceInstructions);
    assert!(
        !best
            .patch_set
            .patches
            .iter()
            .any(|patch| matches!(patch.op, PatchOp::AddInstruction { .. })),
        "the gene that breaks questions is left out"
    );
    // Nothing on the frontier is dominated by another member.
    for a in &outcome.frontier {
        for b in &outcome.frontier {
            let superset = a.correct.iter().all(|id| b.correct.contains(id));
            let better = b.correct.len() > a.correct.len()
                || b.patch_set.patches.len() < a.patch_set.patches.len();
            assert!(
                !(a != b && superset && better),
                "{:?} dominated by {:?}",
                a.genes,
                b.genes
            );
        }
    }
    assert!(outcome.frontier.contains(&best));
    let again = optimizer
        .search_lever_six(&request(Lever::UcMetadata), &oracle, 12)
        .await
        .unwrap();
    assert_eq!(again, outcome, "the search is deterministic");
}

#[tokio::test]
async fn the_budget_is_the_callers() {
    let optimizer = GenieOptimizer::default();
    let small = optimizer
        .search_lever_six(&request(Lever::SpaceInstructions), &oracle(), 2)
        .await
        .unwrap();
    assert_eq!(small.evaluations, 2);
    assert!(matches!(
        optimizer
            .search_lever_six(&request(Lever::SpaceInstructions), &oracle(), 0)
            .await,
        Err(OptimizerError::NoSearchBudget { budget: 0 })
    ));
}

struct Failing;

#[async_trait]
impl SliceEvaluator for Failing {
    async fn evaluate(&self, _set: &PatchSet) -> Result<BTreeMap<String, bool>, String> {
        Err("the dev space is gone".to_owned())
    }
}

#[tokio::test]
async fn a_failing_evaluation_stops_the_search() {
    let error = GenieOptimizer::default()
        .search_lever_six(&request(Lever::SpaceInstructions), &Failing, 5)
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("the dev space is gone"),
        "{error}"
    );
}
