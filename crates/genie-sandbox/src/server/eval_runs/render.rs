//! The JSON of eval runs and results as they stand at a given instant, in the SDK's
//! shapes: `GenieEvalRunResponse`, `GenieEvalResult` and `GenieEvalResultDetails`.

use serde_json::{Value, json};

use super::super::conversations::USER_ID;
use super::super::statement_results::{StatementStore, render};
use super::progress::{EvalStatus, Progress, progress_at};
use super::store::{ActualResponse, EvalResult, EvalRun};

/// The progress of `run` at `now_ms`.
pub(crate) fn progress_of(run: &EvalRun, now_ms: u64) -> Progress {
    progress_at(
        run.results.len(),
        now_ms.saturating_sub(run.created_ms),
        run.step_ms,
    )
}

/// A `GenieEvalRunResponse`: counts cover the questions done by `now_ms`.
pub(crate) fn run_json(run: &EvalRun, now_ms: u64) -> Value {
    let progress = progress_of(run, now_ms);
    let done = &run.results[..progress.done];
    let count = |assessment: &str| {
        done.iter()
            .filter(|result| {
                result
                    .verdict
                    .as_ref()
                    .is_some_and(|verdict| verdict.assessment.api_name() == assessment)
            })
            .count()
    };
    json!({
        "eval_run_id": run.id,
        "eval_run_status": progress.status.api_name(),
        "created_timestamp": run.created_ms,
        "last_updated_timestamp": run.created_ms + progress.changed_after_ms,
        "num_questions": run.results.len(),
        "num_done": progress.done,
        "num_correct": count("GOOD"),
        "num_needs_review": count("NEEDS_REVIEW"),
        "run_by_user": USER_ID,
    })
}

/// The status of result `index` of `run` at `now_ms`.
fn result_status(run: &EvalRun, index: usize, now_ms: u64) -> EvalStatus {
    let failed = matches!(run.results[index].actual, ActualResponse::Failed);
    progress_of(run, now_ms).result_status(index, failed)
}

/// A `GenieEvalResult` (with the sandbox's `assessment` once it is done).
pub(crate) fn result_summary_json(run: &EvalRun, index: usize, now_ms: u64) -> Value {
    let result = &run.results[index];
    let status = result_status(run, index, now_ms);
    let mut body = json!({
        "result_id": result.id,
        "space_id": run.space_id,
        "benchmark_question_id": result.question_id,
        "question": result.question,
        "created_by_user": USER_ID,
        "status": status.api_name(),
    });
    if let Some((sql, _)) = &result.expected {
        body["benchmark_answer"] = json!(sql);
    }
    if status == EvalStatus::Done
        && let Some(verdict) = &result.verdict
    {
        body["assessment"] = json!(verdict.assessment.api_name());
    }
    body
}

/// A `GenieEvalResultDetails`: responses and assessment appear once the result is done.
pub(crate) fn result_details_json(
    run: &EvalRun,
    index: usize,
    now_ms: u64,
    statements: &StatementStore,
) -> Value {
    let result = &run.results[index];
    let status = result_status(run, index, now_ms);
    let mut body = json!({
        "result_id": result.id,
        "space_id": run.space_id,
        "benchmark_question_id": result.question_id,
        "eval_run_status": status.api_name(),
        "manual_assessment": false,
    });
    if !matches!(status, EvalStatus::Done | EvalStatus::EvaluationFailed) {
        return body;
    }
    body["actual_response"] = json!(actual_responses(result, statements));
    body["expected_response"] = json!(
        result
            .expected
            .iter()
            .map(|(sql, statement_id)| sql_response(sql, statement_id, statements))
            .collect::<Vec<_>>()
    );
    if let Some(verdict) = &result.verdict {
        body["assessment"] = json!(verdict.assessment.api_name());
        body["assessment_reasons"] = verdict
            .reasons
            .iter()
            .map(|reason| reason.api_name())
            .collect();
    }
    body
}

fn actual_responses(result: &EvalResult, statements: &StatementStore) -> Vec<Value> {
    match &result.actual {
        ActualResponse::Sql { sql, statement_id } => {
            vec![sql_response(sql, statement_id, statements)]
        }
        ActualResponse::Text(text) => vec![json!({"response": text, "response_type": "TEXT"})],
        ActualResponse::Failed => Vec::new(),
    }
}

/// A `GenieEvalResponse` of SQL, with its statement rendered as the SQL Statement
/// Execution API renders it.
fn sql_response(sql: &str, statement_id: &str, statements: &StatementStore) -> Value {
    let mut response = json!({"response": sql, "response_type": "SQL"});
    if let Some(outcome) = statements.outcome(statement_id) {
        response["sql_execution_result"] = render(statement_id, &outcome);
    }
    response
}
