//! Scopes: P0, held-out, a slice from a previous report, repeatability(n), and the
//! change flag between iterations.

use genie_core::benchmark::{Priority, Split};
use genie_core::evaluation::{BlameItem, Judge, Outcome, Scope};
use genie_core::taxonomy::FailureType;
use genie_evaluator::{EvaluatorError, GenieEvaluator};
use genie_sandbox::server::Faults;

use crate::support;

#[expect(
    clippy::print_stdout,
    reason = "the measured repeatability, for the record"
)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scopes_select_their_questions_and_repeatability_is_measured() {
    let server = support::sandbox(Faults::default()).await;
    let set = support::benchmarks();

    let p0 = support::evaluate(
        &server,
        &support::request(support::WEAK, set.clone(), Scope::P0),
    )
    .await;
    assert_eq!(
        p0.total_questions,
        set.benchmarks
            .iter()
            .filter(|b| b.priority == Priority::P0)
            .count()
    );
    assert!(p0.rows.iter().all(|row| row.priority == Priority::P0));

    let held_out = support::evaluate(
        &server,
        &support::request(support::WEAK, set.clone(), Scope::HeldOut),
    )
    .await;
    assert_eq!(held_out.total_questions, 14);
    assert!(held_out.rows.iter().all(|row| row.split == Split::HeldOut));

    // A slice: the questions blaming a patched object in the previous report, plus
    // the targeted ones.
    let full = support::evaluate(
        &server,
        &support::request(support::WEAK, set.clone(), Scope::Full),
    )
    .await;
    let patched = BlameItem::Table {
        identifier: "main.retail.prod_dim".to_owned(),
    };
    let blamed: Vec<&str> = full
        .rows
        .iter()
        .filter(|row| {
            row.verdicts
                .iter()
                .flat_map(|v| &v.blame_set)
                .any(|item| match item {
                    BlameItem::Table { identifier } => identifier == "main.retail.prod_dim",
                    BlameItem::Column { table, .. } => table == "main.retail.prod_dim",
                    BlameItem::Join { left, right } => {
                        left == "main.retail.prod_dim" || right == "main.retail.prod_dim"
                    }
                    _ => false,
                })
        })
        .map(|row| row.id.as_str())
        .collect();
    assert!(!blamed.is_empty());
    let mut slice_request = support::request(
        support::WEAK,
        set.clone(),
        Scope::Slice {
            patched_objects: vec![patched],
            target_questions: vec!["gold_member_count".to_owned()],
        },
    );
    slice_request.previous = Some(full.clone());
    slice_request.iteration = 1;
    let slice = support::evaluate(&server, &slice_request).await;
    let mut expected_ids: Vec<&str> = blamed.clone();
    expected_ids.push("gold_member_count");
    expected_ids.sort_unstable();
    expected_ids.dedup();
    let mut slice_ids: Vec<&str> = slice.rows.iter().map(|row| row.id.as_str()).collect();
    slice_ids.sort_unstable();
    assert_eq!(slice_ids, expected_ids);
    // Between iterations a previously correct question is checked for changed SQL.
    for row in slice.rows.iter().filter(|row| {
        full.rows
            .iter()
            .any(|before| before.id == row.id && before.correct)
    }) {
        assert!(row.verdict(Judge::Repeatability).is_some(), "{}", row.id);
    }

    // Repeatability: three asks per question.
    let repeated = support::evaluate(
        &server,
        &support::request(
            support::IMPROVED,
            set.clone(),
            Scope::Repeatability { n: 3 },
        ),
    )
    .await;
    let summary = repeated.repeatability.as_ref().expect("a summary");
    assert_eq!(summary.attempts, 3);
    assert_eq!(summary.per_question.len(), repeated.scored);
    assert!((0.0..=100.0).contains(&summary.sql_agreement));
    assert!((repeated.scores[&Judge::Repeatability] - summary.sql_agreement).abs() < 1e-9);
    for row in repeated.rows.iter().filter(|row| row.is_scored()) {
        let verdict = row.verdict(Judge::Repeatability).unwrap();
        let agreement = summary.per_question[&row.id];
        if verdict.outcome == Outcome::Fail {
            assert_eq!(verdict.failure_type, Some(FailureType::RepeatabilityIssue));
        }
        if (agreement - 100.0).abs() < 1e-9 {
            assert_eq!(verdict.outcome, Outcome::Pass, "{}", row.id);
        }
    }
    println!(
        "repeatability(3) improved space: sql {:.2}%, result {:.2}%",
        summary.sql_agreement, summary.result_agreement
    );

    let refused = GenieEvaluator::builder(support::genie(&server), support::warehouse(&server))
        .build()
        .run(&support::request(
            support::WEAK,
            set,
            Scope::Repeatability { n: 1 },
        ))
        .await
        .unwrap_err();
    assert_eq!(refused, EvaluatorError::TooFewAttempts { n: 1 });
    server.shutdown().await;
}
