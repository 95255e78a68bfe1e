//! The retail fixture end to end: the weak and the improved space evaluated over
//! HTTP; accuracy recounted independently; failure types against
//! `fixtures/retail/expected_failures.yaml`; the two reports compared.

use std::collections::BTreeMap;

use genie_core::benchmark::Split;
use genie_core::compare::{ComparisonOptions, compare_results};
use genie_core::evaluation::{EvalReport, Scope};
use genie_core::ports::{ExecuteOptions, Warehouse};
use genie_core::sql::sanitize;
use genie_core::taxonomy::FailureType;
use genie_evaluator::{Transition, compare_reports, mcnemar_exact};
use genie_sandbox::server::Faults;
use serde::Deserialize;

use crate::support;

/// Recounts correct answers from the rows' raw SQL: both statements re-run through
/// the warehouse and compared with genie-core directly (not through the evaluator).
async fn recount(warehouse: &dyn Warehouse, report: &EvalReport) -> (usize, usize) {
    let set = support::benchmarks();
    let mut correct = 0;
    let mut scored = 0;
    for row in report.rows.iter().filter(|row| row.is_scored()) {
        scored += 1;
        let benchmark = set.benchmarks.iter().find(|b| b.id == row.id).unwrap();
        let Some(genie_sql) = &row.genie_sql else {
            continue;
        };
        let Ok(admitted) = sanitize(genie_sql) else {
            continue;
        };
        let options = ExecuteOptions::default();
        let expected = warehouse
            .execute(&benchmark.expected_sql, &options)
            .await
            .unwrap();
        let Ok(actual) = warehouse.execute(admitted.as_str(), &options).await else {
            continue;
        };
        let comparison = compare_results(
            &expected,
            &actual,
            &ComparisonOptions {
                order_matters: benchmark.order_matters(),
                ..ComparisonOptions::default()
            },
        );
        if comparison.equal {
            correct += 1;
        }
    }
    (correct, scored)
}

fn split_counts(report: &EvalReport, split: Split) -> (usize, usize) {
    let rows: Vec<_> = report
        .rows
        .iter()
        .filter(|row| row.is_scored() && row.split == split)
        .collect();
    (rows.iter().filter(|row| row.correct).count(), rows.len())
}

#[derive(Deserialize)]
struct ExpectedFailures {
    failures: Vec<ExpectedFailure>,
}

#[derive(Deserialize)]
struct ExpectedFailure {
    id: String,
    failure_type: FailureType,
}

#[expect(clippy::print_stdout, reason = "the measured numbers, for the record")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weak_and_improved_spaces_are_scored_diagnosed_and_compared() {
    let server = support::sandbox(Faults::default()).await;
    let warehouse = support::warehouse(&server);
    let weak = support::evaluate(
        &server,
        &support::request(support::WEAK, support::benchmarks(), Scope::Full),
    )
    .await;
    let improved = support::evaluate(
        &server,
        &support::request(support::IMPROVED, support::benchmarks(), Scope::Full),
    )
    .await;

    // 1. Accuracy equals an independent recount.
    for report in [&weak, &improved] {
        let (correct, scored) = recount(warehouse.as_ref(), report).await;
        assert_eq!(
            (report.correct_count, report.scored),
            (correct, scored),
            "{}",
            report.space_id
        );
        assert_eq!(report.total_questions, 54);
        assert_eq!(report.denominator(), format!("{scored} scored of 54"));
    }
    let weak_train = split_counts(&weak, Split::Train);
    let improved_train = split_counts(&improved, Split::Train);
    let improved_held_out = split_counts(&improved, Split::HeldOut);
    println!(
        "weak: {:.2}% ({}), train {}/{}; improved: {:.2}% ({}), train {}/{}, held-out {}/{}",
        weak.overall_accuracy,
        weak.denominator(),
        weak_train.0,
        weak_train.1,
        improved.overall_accuracy,
        improved.denominator(),
        improved_train.0,
        improved_train.1,
        improved_held_out.0,
        improved_held_out.1
    );
    assert!(weak_train.0 * 100 / weak_train.1 <= 60, "{weak_train:?}");
    assert!(
        improved_train.0 * 10 >= improved_train.1 * 9,
        "{improved_train:?}"
    );

    // 2. Failure types against the fixture's model.
    let model: ExpectedFailures =
        serde_saphyr::from_str(&support::read("expected_failures.yaml")).unwrap();
    let expected: BTreeMap<&str, FailureType> = model
        .failures
        .iter()
        .map(|failure| (failure.id.as_str(), failure.failure_type))
        .collect();
    let failing: Vec<_> = weak
        .rows
        .iter()
        .filter(|row| row.is_scored() && !row.correct && row.split == Split::Train)
        .collect();
    let mut agreeing = 0;
    let mut disagreements = Vec::new();
    for row in &failing {
        let listed = expected.get(row.id.as_str()).copied();
        if listed.is_some() && listed == row.failure_type {
            agreeing += 1;
        } else {
            disagreements.push(format!(
                "{}: listed {listed:?}, found {:?}",
                row.id, row.failure_type
            ));
        }
        let result = row
            .verdict(genie_core::evaluation::Judge::ResultCorrectness)
            .unwrap();
        assert!(!result.blame_set.is_empty(), "{}: no blame", row.id);
        assert!(result.counterfactual_fix.is_some(), "{}: no fix", row.id);
    }
    println!(
        "failure types: {agreeing} of {} failing train questions agree with the model; {disagreements:#?}",
        failing.len()
    );
    assert!(!failing.is_empty());
    assert!(
        agreeing * 10 >= failing.len() * 9,
        "{agreeing} of {}: {disagreements:#?}",
        failing.len()
    );

    // 5 (end to end). The improved space fixes questions and breaks none.
    let comparison = compare_reports(&weak, &improved);
    assert_eq!(comparison.broken, 0, "{comparison:#?}");
    assert_eq!(
        comparison.fixed,
        improved.correct_count - weak.correct_count,
        "{comparison:#?}"
    );
    // All discordant pairs are fixes: p = 2 * 0.5^b, computed here independently.
    let exponent = 1 - i32::try_from(comparison.fixed).unwrap();
    let expected_p = 2.0_f64.powi(exponent).min(1.0);
    assert!(
        (comparison.p_value - expected_p).abs() <= expected_p * 1e-9,
        "{} vs {expected_p}",
        comparison.p_value
    );
    assert!((mcnemar_exact(comparison.fixed, 0) - comparison.p_value).abs() < f64::EPSILON);
    assert!(comparison.improved);
    assert!(
        comparison
            .transitions
            .iter()
            .filter(|t| t.transition == Transition::Fixed)
            .all(|t| weak.rows.iter().any(|row| row.id == t.id && !row.correct))
    );
    server.shutdown().await;
}
