//! Under the fault mix of the backends issue (429s, 500s, 503s, stalled polls,
//! dropped connections) an evaluation loses no question and reaches the verdicts of
//! a clean run.

use genie_core::evaluation::{EvalReport, Exclusion, Scope};
use genie_sandbox::server::Faults;

use crate::support;

/// What must match between the runs: per question, the outcome and the diagnosis.
fn verdicts(report: &EvalReport) -> Vec<String> {
    report
        .rows
        .iter()
        .map(|row| {
            format!(
                "{} correct={} excluded={:?} failure={:?} sql={:?}",
                row.id, row.correct, row.excluded, row.failure_type, row.genie_sql
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fault_mix_loses_no_question_and_changes_no_verdict() {
    let seed = 5;
    let clean_server = support::sandbox(Faults {
        seed,
        ..Faults::default()
    })
    .await;
    let clean = support::evaluate(
        &clean_server,
        &support::request(support::WEAK, support::benchmarks(), Scope::Full),
    )
    .await;
    clean_server.shutdown().await;

    let faulty_server = support::sandbox(Faults {
        seed,
        time_scale: 0.05,
        error_rate_429: 0.2,
        error_rate_500: 0.05,
        error_rate_503: 0.05,
        stalled_poll_rate: 0.02,
        dropped_connection_rate: 0.02,
        ..Faults::default()
    })
    .await;
    let faulty = support::evaluate(
        &faulty_server,
        &support::request(support::WEAK, support::benchmarks(), Scope::Full),
    )
    .await;
    let events = support::audit(&faulty_server).await;
    faulty_server.shutdown().await;

    let injected = events
        .iter()
        .filter(|event| event["event"] == "fault")
        .count();
    assert!(injected >= 10, "only {injected} faults were injected");
    assert!(
        !faulty
            .rows
            .iter()
            .any(|row| matches!(row.excluded, Some(Exclusion::GenieError { .. }))),
        "{:#?}",
        faulty
            .rows
            .iter()
            .filter(|row| row.excluded.is_some())
            .collect::<Vec<_>>()
    );
    assert_eq!(faulty.denominator(), "54 scored of 54");
    assert_eq!(verdicts(&faulty), verdicts(&clean));
    assert_eq!(faulty.scores, clean.scores);
}

/// Messages that end `FAILED` without SQL are asked again, so none is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_messages_are_asked_again() {
    let server = support::sandbox(Faults {
        seed: 11,
        failed_message_rate: 0.3,
        ..Faults::default()
    })
    .await;
    let report = genie_evaluator::GenieEvaluator::builder(
        support::genie(&server),
        support::warehouse(&server),
    )
    .config(genie_evaluator::Config {
        ask_attempts: 6,
        ..genie_evaluator::Config::default()
    })
    .build()
    .run(&support::request(
        support::IMPROVED,
        support::benchmarks(),
        Scope::Full,
    ))
    .await
    .unwrap();
    let events = support::audit(&server).await;
    server.shutdown().await;
    let failed = events
        .iter()
        .filter(|event| event["kind"] == "failed_message_rate")
        .count();
    assert!(failed >= 5, "only {failed} failed messages were injected");
    assert_eq!(report.denominator(), "54 scored of 54");
    assert_eq!(report.correct_count, 54, "the improved space answers all");
}
