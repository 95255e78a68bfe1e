//! [`JudgeBackend::Official`](crate::JudgeBackend::Official): Databricks' benchmark
//! eval runs decide result correctness; the code judges explain it.
//!
//! The dev space must carry the benchmark questions itself (`benchmarks.questions`,
//! put there by whoever prepares the space); the evaluator matches the request's
//! questions to them by text, never writes to the space, starts one eval run over
//! the matched ids, waits for it, and reads every result with its details. Genie's
//! SQL from a result runs on the warehouse only after `sanitize` admitted it (for the
//! code judges); the ground truth the evaluator runs is the request's.

use std::collections::HashMap;
use std::time::Duration;

use genie_core::benchmark::Benchmark;
use genie_core::evaluation::{
    EvaluationRow, Exclusion, Judge, JudgeVerdict, Outcome, VerdictSource,
};
use genie_core::ports::EvalResult;

use crate::diagnose;
use crate::error::EvaluatorError;
use crate::evaluator::{GenieEvaluator, Reply, excluded_row};
use crate::judges::Evidence;
use crate::run::{GenieSql, GroundTruthOutcome, Runner};

/// The first and the longest wait between polls of a run.
const FIRST_POLL: Duration = Duration::from_millis(100);
const LONGEST_POLL: Duration = Duration::from_secs(5);

/// The rows of the questions to ask, judged by an eval run on `dev_space_id`.
pub(crate) async fn rows(
    evaluator: &GenieEvaluator,
    runner: &Runner,
    dev_space_id: &str,
    to_ask: &[(usize, &Benchmark)],
    ground_truths: &HashMap<String, GroundTruthOutcome>,
    previous: &HashMap<&str, &EvaluationRow>,
    previous_iteration: u32,
) -> Result<Vec<(usize, EvaluationRow)>, EvaluatorError> {
    let space = runner.genie.get_space(dev_space_id).await?;
    let config = space
        .config()
        .map_err(|error| EvaluatorError::OfficialSpace {
            dev_space_id: dev_space_id.to_owned(),
            message: error.to_string(),
        })?;
    let by_text: HashMap<String, String> = config
        .benchmark_questions()
        .iter()
        .map(|question| (key(&question.question.joined()), question.id.clone()))
        .collect();
    let mut ids = Vec::new();
    let mut missing = Vec::new();
    for (_, benchmark) in to_ask {
        if ground_truths[benchmark.expected_sql.as_str()].is_err() {
            continue;
        }
        match by_text.get(&key(&benchmark.question)) {
            Some(id) if !ids.contains(id) => ids.push(id.clone()),
            Some(_) => {}
            None => missing.push(benchmark.id.clone()),
        }
    }
    if !missing.is_empty() {
        return Err(EvaluatorError::OfficialQuestionsMissing {
            dev_space_id: dev_space_id.to_owned(),
            ids: missing,
        });
    }
    let results = if ids.is_empty() {
        HashMap::new()
    } else {
        run_to_end(evaluator, runner, dev_space_id, &ids).await?
    };
    let mut rows = Vec::new();
    let mut cache = HashMap::new();
    for (index, benchmark) in to_ask {
        let expected = match &ground_truths[benchmark.expected_sql.as_str()] {
            Ok(expected) => expected,
            Err(error) => {
                rows.push((
                    *index,
                    excluded_row(
                        benchmark,
                        Exclusion::InvalidGroundTruth {
                            error: error.clone(),
                        },
                    ),
                ));
                continue;
            }
        };
        let result = by_text
            .get(&key(&benchmark.question))
            .and_then(|id| results.get(id));
        let Some(result) = result.filter(|result| result.status != "EVALUATION_FAILED") else {
            let error = result.map_or_else(
                || "the eval run has no result for the question".to_owned(),
                |result| format!("the eval run could not evaluate it ({})", result.status),
            );
            rows.push((
                *index,
                excluded_row(benchmark, Exclusion::GenieError { error }),
            ));
            continue;
        };
        let genie = match &result.genie_sql {
            Some(sql) => runner.genie_sql(sql, &mut cache).await,
            None => GenieSql::Missing,
        };
        let row = evaluator
            .judge_row(
                runner,
                benchmark,
                expected,
                &Reply {
                    text: result.genie_text.as_deref(),
                    status: None,
                    sql: result.genie_sql.as_deref(),
                },
                &genie,
                None,
                (
                    previous.get(benchmark.id.as_str()).copied(),
                    previous_iteration,
                ),
                Some(result),
            )
            .await;
        rows.push((*index, row));
    }
    Ok(rows)
}

/// Starts the run, waits for it to finish, and reads its results by question id.
async fn run_to_end(
    evaluator: &GenieEvaluator,
    runner: &Runner,
    dev_space_id: &str,
    ids: &[String],
) -> Result<HashMap<String, EvalResult>, EvaluatorError> {
    let started = tokio::time::Instant::now();
    let deadline = Duration::from_millis(evaluator.config().official_timeout_ms);
    let mut run = runner.genie.create_eval_run(dev_space_id, ids).await?;
    tracing::info!(
        eval_run_id = run.eval_run_id,
        questions = ids.len(),
        "eval run started"
    );
    let mut wait = FIRST_POLL;
    while !run.is_finished() {
        if started.elapsed() >= deadline {
            return Err(EvaluatorError::OfficialTimeout {
                eval_run_id: run.eval_run_id,
            });
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(LONGEST_POLL);
        run = runner
            .genie
            .get_eval_run(dev_space_id, &run.eval_run_id)
            .await?;
    }
    if run.status != "DONE" {
        return Err(EvaluatorError::OfficialRunFailed {
            eval_run_id: run.eval_run_id,
            status: run.status,
        });
    }
    let results = runner
        .genie
        .list_eval_results(dev_space_id, &run.eval_run_id)
        .await?;
    Ok(results
        .into_iter()
        .map(|result| (result.benchmark_question_id.clone(), result))
        .collect())
}

/// Whether Databricks assessed the answer correct.
pub(crate) fn is_good(result: &EvalResult) -> bool {
    result.assessment.as_deref() == Some("GOOD")
}

/// The result-correctness verdict of an official result: Databricks' assessment,
/// with the code diagnosis' failure type, blame and fix when it is not `GOOD`.
pub(crate) fn result_verdict(result: &EvalResult, evidence: &Evidence<'_>) -> JudgeVerdict {
    let assessment = result.assessment.as_deref().unwrap_or("unassessed");
    let reasons = if result.assessment_reasons.is_empty() {
        String::new()
    } else {
        format!(" ({})", result.assessment_reasons.join(", "))
    };
    let rationale = format!("Databricks assessed {assessment}{reasons}");
    if is_good(result) {
        return JudgeVerdict {
            judge: Judge::ResultCorrectness,
            outcome: Outcome::Pass,
            rationale,
            failure_type: None,
            blame_set: Vec::new(),
            counterfactual_fix: None,
            source: VerdictSource::Official,
        };
    }
    let cause = diagnose::primary(&evidence.findings, |_| true)
        .cloned()
        .unwrap_or_else(|| diagnose::unexplained(&evidence.expected.facts));
    JudgeVerdict {
        judge: Judge::ResultCorrectness,
        outcome: Outcome::Fail,
        rationale: format!("{rationale}: {}", cause.rationale),
        failure_type: Some(cause.failure_type),
        blame_set: cause.blame_set,
        counterfactual_fix: Some(cause.counterfactual_fix),
        source: VerdictSource::Official,
    }
}

/// A question's text as a matching key: lower case, single spaces.
fn key(question: &str) -> String {
    question
        .split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}
