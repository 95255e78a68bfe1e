//! The guards: held-out rows never reach the optimizer, nothing copying a benchmark
//! is offered, and nothing rolled back is proposed again.

use genie_core::benchmark::Split;
use genie_core::patch::{Patch, PatchOp};
use genie_core::session::PatchHistoryEntry;
use genie_core::taxonomy::Lever;
use genie_core::workers::{LeakedPart, NotATrainFailure, Proposal, TrainFailure, TrainFailures};
use genie_optimizer::{GenieOptimizer, LeakageOutcome};

use crate::support::{benchmark, guard, request, rows};

fn patches(proposal: &Proposal) -> Vec<Patch> {
    proposal
        .patch_set()
        .map(|set| set.patches.clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_held_out_row_cannot_reach_the_optimizer() {
    let mut row = rows().remove(0);
    row.split = Split::HeldOut;
    assert_eq!(
        TrainFailure::try_from(row.clone()),
        Err(NotATrainFailure::HeldOut(row.id.clone()))
    );
    let mut json = serde_json::to_value(rows()).unwrap();
    json[0]["split"] = serde_json::json!("held_out");
    let error = serde_json::from_value::<TrainFailures>(json).unwrap_err();
    assert!(error.to_string().contains("held out"), "{error}");
}

#[tokio::test]
async fn proposals_copying_a_train_or_held_out_benchmark_are_rewritten_or_dropped() {
    let optimizer = GenieOptimizer::default();
    let plain = optimizer
        .propose_with_report(&request(Lever::SpaceInstructions))
        .await
        .unwrap();
    let examples: Vec<(String, String)> = patches(&plain.proposal)
        .into_iter()
        .filter_map(|patch| match patch.op {
            PatchOp::AddExampleSql { question, sql, .. } => Some((question, sql)),
            _ => None,
        })
        .collect();
    assert!(examples.len() >= 2, "{examples:?}");
    // Benchmarks the proposals would copy: a held-out one asking an example's question,
    // and a held-out one whose ground truth is another example's SQL. A train
    // benchmark (every failing row's) is guarded as well.
    let (copied_question, _) = &examples[0];
    let (_, copied_sql) = &examples[1];
    let mut leaky = request(Lever::SpaceInstructions);
    leaky.leakage = guard(vec![
        benchmark(
            "held_out_question",
            Split::HeldOut,
            copied_question,
            "SELECT nm FROM main.elsewhere.thing WHERE flag = 7",
        ),
        benchmark(
            "held_out_sql",
            Split::HeldOut,
            "An unrelated question about something",
            copied_sql,
        ),
    ]);
    let report = optimizer.propose_with_report(&leaky).await.unwrap();
    let by_id = |id: &str| {
        report
            .leakage
            .iter()
            .find(|action| action.leaks.iter().any(|leak| leak.benchmark_id == id))
            .unwrap_or_else(|| panic!("no action for {id}: {:?}", report.leakage))
    };
    let question = by_id("held_out_question");
    assert_eq!(question.leaks[0].split, Split::HeldOut);
    assert_eq!(question.leaks[0].part, LeakedPart::Question);
    match &question.outcome {
        LeakageOutcome::Rewritten { patch } => {
            let PatchOp::AddExampleSql {
                question: rewritten,
                ..
            } = &patch.op
            else {
                panic!("{patch:?}")
            };
            assert_ne!(rewritten, copied_question);
        }
        LeakageOutcome::Dropped => {}
    }
    let sql = by_id("held_out_sql");
    assert_eq!(sql.leaks[0].part, LeakedPart::GroundTruthSql);
    if let LeakageOutcome::Rewritten { patch } = &sql.outcome {
        let PatchOp::AddExampleSql { sql: rewritten, .. } = &patch.op else {
            panic!("{patch:?}")
        };
        assert_ne!(rewritten, copied_sql);
    }
    // Whatever is offered copies no benchmark, and the copies are gone.
    let offered = patches(&report.proposal);
    for patch in &offered {
        assert!(leaky.leakage.patch_leaks(patch).is_empty(), "{patch}");
        if let PatchOp::AddExampleSql { question, sql, .. } = &patch.op {
            assert_ne!(question, copied_question);
            assert_ne!(sql, copied_sql);
        }
    }
    // The concepts survive: the guard touched only the copies.
    assert_eq!(
        offered
            .iter()
            .filter(|p| matches!(p.op, PatchOp::AddJoinSpec { .. }))
            .count(),
        patches(&plain.proposal)
            .iter()
            .filter(|p| matches!(p.op, PatchOp::AddJoinSpec { .. }))
            .count()
    );
}

#[tokio::test]
async fn a_rolled_back_patch_is_not_proposed_again() {
    let optimizer = GenieOptimizer::default();
    let first = patches(
        &optimizer
            .propose_with_report(&request(Lever::SpaceInstructions))
            .await
            .unwrap()
            .proposal,
    );
    let rolled_back = first[0].clone();
    let mut again = request(Lever::SpaceInstructions);
    again.history = vec![PatchHistoryEntry {
        iteration: 3,
        patches: vec![rolled_back.clone()],
        kept: false,
        reason: Some("slice accuracy fell from 60 to 55".to_owned()),
    }];
    let report = optimizer.propose_with_report(&again).await.unwrap();
    let second = patches(&report.proposal);
    assert!(!second.iter().any(|patch| patch.op == rolled_back.op));
    assert_eq!(second.len(), first.len() - 1);
    let skipped = report
        .skipped
        .iter()
        .find(|skipped| {
            skipped
                .patches
                .iter()
                .any(|patch| patch.op == rolled_back.op)
        })
        .unwrap();
    assert!(
        skipped.reason.contains("rolled back in iteration 3"),
        "{}",
        skipped.reason
    );

    // When every candidate was tried, the optimizer says it has nothing new.
    again.history = vec![PatchHistoryEntry {
        iteration: 3,
        patches: first,
        kept: false,
        reason: None,
    }];
    match optimizer
        .propose_with_report(&again)
        .await
        .unwrap()
        .proposal
    {
        Proposal::Nothing { reason } => assert!(reason.contains("tried before"), "{reason}"),
        Proposal::Patches { patch_set, .. } => panic!("{patch_set:?}"),
    }
}
