//! Every evaluation flags the benchmarks the space itself carries — a question as a
//! sample question, a ground truth as example SQL, an example whose result is a ground
//! truth's — and states the accuracy without them.

use genie_core::contamination::LeakKind;
use genie_core::evaluation::Scope;
use genie_core::space::SpaceDocument;
use genie_sandbox::server::{Faults, SeedSpace};
use serde_json::json;

use crate::support;

const LEAKY: &str = "01f0ee000000000000000000000000c1";

/// The weak space with three benchmarks leaked into it, in three ways.
fn leaky_space() -> genie_core::space::SpaceConfig {
    let mut space: serde_json::Value = serde_json::from_str(&support::read("space.json")).unwrap();
    space["config"]["sample_questions"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": "00000194674284019184219d4d5f3f07",
            "question": ["How many orders were placed in March 2025?"]}));
    space["instructions"]["example_question_sqls"] = json!([
        {"id": "01f0ff00000000000000000000000001", "question": ["cancellations this year"],
         "sql": ["SELECT COUNT(*) AS cancelled_orders\n",
                 "FROM main.retail.ord_hdr AS o\n",
                 "WHERE o.sts_cd = 'CNL'\n",
                 "  AND o.ord_dt BETWEEN DATE '2025-01-01' AND DATE '2025-12-31'"]},
        {"id": "01f0ff00000000000000000000000002", "question": ["channel quality"],
         "sql": ["SELECT chnl, AVG(CASE WHEN sts_cd IN ('CNL') THEN 1.0 ELSE 0.0 END) ",
                 "FROM main.retail.ord_hdr GROUP BY chnl"]}
    ]);
    SpaceDocument::parse(&space.to_string())
        .unwrap()
        .into_config()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leaked_benchmarks_are_flagged_and_accuracy_is_given_without_them() {
    let server = support::sandbox_with(
        Faults::default(),
        vec![SeedSpace {
            space_id: LEAKY.to_owned(),
            title: "retail (leaky)".to_owned(),
            config: leaky_space(),
        }],
    )
    .await;
    let leaky = support::evaluate(
        &server,
        &support::request(LEAKY, support::benchmarks(), Scope::P0),
    )
    .await;
    let clean = support::evaluate(
        &server,
        &support::request(support::WEAK, support::benchmarks(), Scope::P0),
    )
    .await;
    server.shutdown().await;

    let contamination = leaky
        .contamination
        .expect("every evaluation checks the space");
    assert_eq!(contamination.unavailable, None);
    assert_eq!(
        contamination.flagged,
        [
            "cancellation_rate_by_channel",
            "cancelled_orders_2025",
            "orders_placed_march_2025"
        ]
    );
    let found: Vec<(&str, LeakKind, &str)> = contamination
        .leaks
        .iter()
        .map(|leak| (leak.question_id.as_str(), leak.kind, leak.location.as_str()))
        .collect();
    assert!(
        found.contains(&(
            "orders_placed_march_2025",
            LeakKind::QuestionText,
            "config.sample_questions[1].question"
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            "cancelled_orders_2025",
            LeakKind::GroundTruthSql,
            "instructions.example_question_sqls[0].sql"
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            "cancellation_rate_by_channel",
            LeakKind::GroundTruthResult,
            "instructions.example_question_sqls[1].sql"
        )),
        "{found:?}"
    );
    // Two of the three are P0 questions: the clean accuracy leaves them out. (Result
    // leaks are looked for among the questions in scope, whose ground truths ran.)
    let flagged_in_scope = leaky
        .rows
        .iter()
        .filter(|row| row.is_scored() && contamination.flagged.contains(&row.id))
        .count();
    assert_eq!(flagged_in_scope, 2);
    assert_eq!(contamination.scored_clean, leaky.scored - 2);
    let correct_flagged = leaky
        .rows
        .iter()
        .filter(|row| row.correct && contamination.flagged.contains(&row.id))
        .count();
    assert_eq!(
        contamination.correct_clean,
        leaky.correct_count - correct_flagged
    );

    let clean = clean.contamination.expect("checked");
    assert!(clean.flagged.is_empty(), "{:?}", clean.leaks);
    assert_eq!(clean.scored_clean, leaky.scored);
}
