//! Unsafe SQL from Genie (the sandbox's `unsafe_sql_rate`) is reported as
//! `unsafe_sql` and never reaches the warehouse: the sandbox's audit of every
//! statement proves it.

use genie_core::evaluation::{Judge, Outcome, Scope};
use genie_core::sql::sanitize;
use genie_core::taxonomy::FailureType;
use genie_sandbox::server::Faults;

use crate::support;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsafe_sql_is_reported_and_never_executed() {
    let server = support::sandbox(Faults {
        seed: 3,
        unsafe_sql_rate: 0.5,
        ..Faults::default()
    })
    .await;
    let report = support::evaluate(
        &server,
        &support::request(support::IMPROVED, support::benchmarks(), Scope::Full),
    )
    .await;
    let mut unsafe_sqls = Vec::new();
    for row in &report.rows {
        let Some(sql) = &row.genie_sql else { continue };
        if sanitize(sql).is_ok() {
            continue;
        }
        unsafe_sqls.push(sql.clone());
        assert_eq!(row.failure_type, Some(FailureType::UnsafeSql), "{}", row.id);
        assert!(!row.correct && row.is_scored(), "{}", row.id);
        let syntax = row.verdict(Judge::SyntaxValidity).unwrap();
        assert_eq!(syntax.outcome, Outcome::Fail);
        assert_eq!(syntax.failure_type, Some(FailureType::UnsafeSql));
        assert!(row.genie_result_hash.is_none() && row.comparison.is_none());
    }
    assert!(
        unsafe_sqls.len() >= 5,
        "the fault should make several answers unsafe, got {}",
        unsafe_sqls.len()
    );
    assert!(
        report.correct_count >= 10,
        "safe answers are still judged: {}",
        report.denominator()
    );
    assert_eq!(
        report.failures_by_type.get(&FailureType::UnsafeSql),
        Some(&unsafe_sqls.len())
    );

    let events = support::audit(&server).await;
    let statements: Vec<_> = events
        .iter()
        .filter(|event| event["event"] == "statement" && event["source"] == "statements")
        .collect();
    assert!(
        !statements.is_empty(),
        "the evaluator's statements are audited"
    );
    for statement in &statements {
        let sql = statement["sql"].as_str().unwrap_or_default();
        assert_eq!(statement["refused"], false, "sent to the warehouse: {sql}");
        assert!(
            sanitize(sql).is_ok(),
            "an unsafe statement reached the warehouse: {sql}"
        );
        assert!(!sql.to_uppercase().contains("DROP"), "{sql}");
    }
    for unsafe_sql in &unsafe_sqls {
        assert!(
            !events.iter().any(|event| event["event"] == "statement"
                && event["refused"] == false
                && event["sql"].as_str() == Some(unsafe_sql.as_str())),
            "executed: {unsafe_sql}"
        );
    }
    server.shutdown().await;
}
