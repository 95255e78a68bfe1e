//! The evaluation's artifact files (DESIGN §8): the full report, the failures the
//! optimizer reads, and the arbiter's actions (proposed benchmark corrections).

use genie_core::canonical::to_canonical_json_pretty;
use genie_core::evaluation::{ArbiterDecision, EvalReport};
use genie_core::workers::BenchmarkCorrection;
use serde_json::json;

/// The arbiter's `genie_correct` decisions as benchmark corrections (Genie's SQL as the
/// new ground truth, the arbiter's rationale as the reason), for the generator to turn
/// into a new benchmark version.
pub fn benchmark_corrections(report: &EvalReport) -> Vec<BenchmarkCorrection> {
    report
        .rows
        .iter()
        .filter_map(|row| {
            let arbiter = row.arbiter.as_ref()?;
            (arbiter.decision == ArbiterDecision::GenieCorrect).then_some(())?;
            Some(BenchmarkCorrection {
                id: row.id.clone(),
                corrected_sql: row.genie_sql.clone()?,
                rationale: arbiter.rationale.clone(),
            })
        })
        .collect()
}

/// `evaluation/eval_results.json`, `evaluation/failures.json` and
/// `evaluation/arbiter_actions.json`, as pretty canonical JSON.
pub fn report_artifacts(report: &EvalReport) -> Vec<(String, Vec<u8>)> {
    let failures: Vec<_> = report
        .rows
        .iter()
        .filter(|row| row.is_scored() && !row.correct)
        .map(|row| {
            let primary = row
                .verdicts
                .iter()
                .find(|verdict| verdict.judge == genie_core::evaluation::Judge::ResultCorrectness);
            json!({
                "id": row.id,
                "question": row.question,
                "split": row.split,
                "priority": row.priority,
                "failure_type": row.failure_type,
                "blame_set": primary.map(|verdict| verdict.blame_set.clone()).unwrap_or_default(),
                "counterfactual_fix": primary.and_then(|verdict| verdict.counterfactual_fix.clone()),
                "rationale": primary.map(|verdict| verdict.rationale.clone()),
                "expected_sql": row.expected_sql,
                "genie_sql": row.genie_sql,
                "failing_judges": row.verdicts.iter()
                    .filter(|verdict| verdict.outcome == genie_core::evaluation::Outcome::Fail)
                    .map(|verdict| json!({"judge": verdict.judge, "failure_type": verdict.failure_type}))
                    .collect::<Vec<_>>(),
            })
        })
        .collect();
    let arbiter: Vec<_> = report
        .rows
        .iter()
        .filter_map(|row| {
            let verdict = row.arbiter.as_ref()?;
            Some(json!({
                "id": row.id,
                "question": row.question,
                "decision": verdict.decision,
                "rationale": verdict.rationale,
                "source": verdict.source,
                "correction": (verdict.decision == ArbiterDecision::GenieCorrect)
                    .then(|| row.genie_sql.clone()).flatten(),
            }))
        })
        .collect();
    vec![
        (
            "evaluation/eval_results.json".to_owned(),
            to_canonical_json_pretty(report).into_bytes(),
        ),
        (
            "evaluation/failures.json".to_owned(),
            to_canonical_json_pretty(&json!({
                "denominator": report.denominator(),
                "failures": failures,
            }))
            .into_bytes(),
        ),
        (
            "evaluation/arbiter_actions.json".to_owned(),
            to_canonical_json_pretty(&json!({ "actions": arbiter })).into_bytes(),
        ),
    ]
}
