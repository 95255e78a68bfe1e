//! `JudgeBackend::Official`: the sandbox's benchmark eval runs decide correctness on a
//! dev space that carries the benchmark questions; the verdicts match a local
//! evaluation of the same space, and questions the space lacks are refused.

use genie_core::evaluation::{EvalReport, Judge, Scope, VerdictSource};
use genie_core::space::SpaceDocument;
use genie_evaluator::{Config, EvaluatorError, GenieEvaluator, JudgeBackend};
use genie_sandbox::server::{Faults, SeedSpace};
use serde_json::{Value, json};

use crate::support;

const DEV: &str = "01f0ee000000000000000000000000d1";

/// The weak space with every retail benchmark as a benchmark question.
fn dev_space() -> SeedSpace {
    let mut value: Value = serde_json::from_str(&support::read("space.json")).unwrap();
    let questions: Vec<Value> = support::benchmarks()
        .benchmarks
        .iter()
        .enumerate()
        .map(|(index, benchmark)| {
            json!({
                "id": format!("{:032x}", index + 1),
                "question": [benchmark.question],
                "answer": [{"format": "SQL", "content": [benchmark.expected_sql]}],
            })
        })
        .collect();
    value["benchmarks"] = json!({ "questions": questions });
    SeedSpace {
        space_id: DEV.to_owned(),
        title: "retail (dev, benchmarked)".to_owned(),
        config: SpaceDocument::parse(&value.to_string())
            .unwrap()
            .into_config(),
    }
}

fn outcomes(report: &EvalReport) -> Vec<String> {
    report
        .rows
        .iter()
        .map(|row| {
            format!(
                "{} {} {:?} {:?}",
                row.id, row.correct, row.excluded, row.failure_type
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_eval_runs_decide_correctness_and_agree_with_local_judges() {
    let request = support::request(DEV, support::benchmarks(), Scope::Full);
    let official_server = support::sandbox_with(
        Faults {
            status_latency_ms: 5,
            ..Faults::default()
        },
        vec![dev_space()],
    )
    .await;
    let official = GenieEvaluator::builder(
        support::patient_genie(&official_server),
        support::warehouse(&official_server),
    )
    .config(Config {
        judges: JudgeBackend::Official {
            dev_space_id: DEV.to_owned(),
        },
        ..Config::default()
    })
    .build()
    .run(&request)
    .await
    .unwrap();
    let events = support::audit(&official_server).await;
    assert!(
        events.iter().any(|event| event["event"] == "call"
            && event["path"]
                .as_str()
                .is_some_and(|path| path.ends_with("/eval-runs"))),
        "an eval run was created"
    );
    assert!(
        !events.iter().any(|event| event["event"] == "call"
            && event["path"]
                .as_str()
                .is_some_and(|path| path.ends_with("/start-conversation"))),
        "the official backend asks through the eval run only"
    );
    let mut extra = request.clone();
    extra.benchmarks.benchmarks[0].question = "A question the dev space does not have?".to_owned();
    let refused = GenieEvaluator::builder(
        support::patient_genie(&official_server),
        support::warehouse(&official_server),
    )
    .config(Config {
        judges: JudgeBackend::Official {
            dev_space_id: DEV.to_owned(),
        },
        ..Config::default()
    })
    .build()
    .run(&extra)
    .await
    .unwrap_err();
    assert!(
        matches!(&refused, EvaluatorError::OfficialQuestionsMissing { ids, .. } if ids == &[extra.benchmarks.benchmarks[0].id.clone()]),
        "{refused}"
    );
    official_server.shutdown().await;

    let local_server = support::sandbox_with(Faults::default(), vec![dev_space()]).await;
    let local = support::evaluate(&local_server, &request).await;
    local_server.shutdown().await;

    assert_eq!(official.denominator(), local.denominator());
    assert_eq!(official.correct_count, local.correct_count);
    assert_eq!(outcomes(&official), outcomes(&local));
    for row in official.rows.iter().filter(|row| row.is_scored()) {
        let verdict = row.verdict(Judge::ResultCorrectness).unwrap();
        assert_eq!(verdict.source, VerdictSource::Official, "{}", row.id);
        assert!(
            verdict.rationale.starts_with("Databricks assessed"),
            "{}",
            verdict.rationale
        );
        if !row.correct {
            assert!(verdict.counterfactual_fix.is_some() && !verdict.blame_set.is_empty());
        }
    }
}
