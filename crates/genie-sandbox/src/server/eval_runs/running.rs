//! Evaluating a run when it is created: each benchmark question is asked of Genie as
//! the conversation API asks it, the benchmark's expected SQL runs on the engine, and
//! the two results are judged (see [`assess`]).

use genie_core::result::ResultSet;
use genie_core::space::BenchmarkQuestion;
use genie_core::sql::extract_from;

use super::super::AppState;
use super::super::api_error::ApiError;
use super::super::audit::StatementSource;
use super::super::clock::now_millis;
use super::super::conversations::{GenieAnswer, Question, ask_genie, run_read_only};
use super::super::statement_results::Outcome;
use super::assessment::{Actual, Expected, assess};
use super::store::{ActualResponse, EvalResult, EvalRun};

/// Evaluates the benchmark questions of `space_id` named by `question_ids` (all of
/// them when empty), asked at the request `path`.
pub(crate) async fn evaluate(
    state: &AppState,
    space_id: &str,
    question_ids: &[String],
    path: &str,
) -> Result<EvalRun, ApiError> {
    let config = state.spaces.config(space_id)?;
    let questions = selected(config.benchmark_questions(), question_ids, space_id)?;
    let asked_ms = now_millis();
    let mut results = Vec::with_capacity(questions.len());
    for question in questions {
        results.push(evaluate_one(state, space_id, question, asked_ms, path).await?);
    }
    let faults = state.faults.faults();
    Ok(EvalRun {
        id: state.eval_runs.new_id(),
        space_id: space_id.to_owned(),
        // The run's clock starts as the POST answers, so its progress is revealed
        // however long the evaluation took.
        created_ms: now_millis(),
        step_ms: faults.scaled(faults.status_latency_ms),
        results,
    })
}

/// The questions to evaluate, in the space's order: all, or those `ids` names.
fn selected<'a>(
    questions: &'a [BenchmarkQuestion],
    ids: &[String],
    space_id: &str,
) -> Result<Vec<&'a BenchmarkQuestion>, ApiError> {
    if questions.is_empty() {
        return Err(ApiError::bad_request(
            "INVALID_PARAMETER_VALUE",
            format!("Genie space `{space_id}` has no benchmark questions"),
        ));
    }
    if let Some(unknown) = ids
        .iter()
        .find(|id| !questions.iter().any(|question| &question.id == *id))
    {
        return Err(ApiError::bad_request(
            "INVALID_PARAMETER_VALUE",
            format!("benchmark question `{unknown}` does not exist in Genie space `{space_id}`"),
        ));
    }
    Ok(questions
        .iter()
        .filter(|question| ids.is_empty() || ids.contains(&question.id))
        .collect())
}

/// Asks one question, runs its expected SQL and judges the answer.
async fn evaluate_one(
    state: &AppState,
    space_id: &str,
    question: &BenchmarkQuestion,
    asked_ms: u64,
    path: &str,
) -> Result<EvalResult, ApiError> {
    let text = question.question.joined();
    let genie = ask_genie(
        state,
        &Question {
            space_id,
            content: &text,
            asked_ms,
            path,
        },
    )
    .await?;
    let (expected, order_matters) = match question.answer_sql() {
        Some(sql) => {
            let (statement_id, admitted) =
                run_read_only(state, StatementSource::Benchmark, &sql).await;
            let order_matters = admitted.is_some_and(|admitted| {
                let facts = extract_from(&admitted);
                !facts.order_by.is_empty() && facts.limit.is_some()
            });
            (Some((sql, statement_id)), order_matters)
        }
        None => (None, false),
    };
    let expected_rows = expected
        .as_ref()
        .and_then(|(_, statement_id)| rows_of(state, statement_id));
    let actual = match genie {
        GenieAnswer::Query {
            reply,
            statement_id,
        } => ActualResponse::Sql {
            sql: reply.sql,
            statement_id,
        },
        GenieAnswer::Text(reply) => ActualResponse::Text(reply.content),
        GenieAnswer::Failed { .. } => ActualResponse::Failed,
    };
    let actual_rows = match &actual {
        ActualResponse::Sql { statement_id, .. } => rows_of(state, statement_id),
        ActualResponse::Text(_) | ActualResponse::Failed => None,
    };
    let judged_expected =
        expected_rows
            .as_ref()
            .map_or(Expected::Unusable, |result| Expected::Rows {
                result,
                order_matters,
            });
    let verdict = match &actual {
        ActualResponse::Failed => None,
        ActualResponse::Text(_) => Some(assess(judged_expected, Actual::Text)),
        ActualResponse::Sql { .. } => Some(assess(
            judged_expected,
            actual_rows.as_ref().map_or(Actual::SqlFailed, Actual::Rows),
        )),
    };
    Ok(EvalResult {
        id: state.eval_runs.new_id(),
        question_id: question.id.clone(),
        question: text,
        expected,
        actual,
        verdict,
    })
}

/// The rows of statement `statement_id`, if it succeeded.
fn rows_of(state: &AppState, statement_id: &str) -> Option<ResultSet> {
    match state.statements.outcome(statement_id)? {
        Outcome::Succeeded { result, .. } => Some(result),
        Outcome::Failed { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn questions(ids: &[&str]) -> Vec<BenchmarkQuestion> {
        ids.iter()
            .map(|id| {
                serde_json::from_value(serde_json::json!({"id": id, "question": ["q"]}))
                    .expect("a benchmark question")
            })
            .collect()
    }

    fn ids(selected: &[&BenchmarkQuestion]) -> Vec<String> {
        selected
            .iter()
            .map(|question| question.id.clone())
            .collect()
    }

    #[test]
    fn selects_all_or_the_named_questions_in_space_order() {
        let questions = questions(&["a", "b", "c"]);
        assert_eq!(
            ids(&selected(&questions, &[], "s").unwrap()),
            ["a", "b", "c"]
        );
        let named = ["c".to_owned(), "a".to_owned()];
        assert_eq!(ids(&selected(&questions, &named, "s").unwrap()), ["a", "c"]);
    }

    #[test]
    fn refuses_unknown_ids_and_spaces_without_benchmarks() {
        let questions = questions(&["a"]);
        let error = selected(&questions, &["z".to_owned()], "s").unwrap_err();
        assert_eq!(error.error_code, "INVALID_PARAMETER_VALUE");
        assert!(error.message.contains("`z`"), "{}", error.message);
        let error = selected(&[], &[], "s").unwrap_err();
        assert_eq!(error.status.as_u16(), 400);
    }
}
