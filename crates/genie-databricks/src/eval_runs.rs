//! Genie's benchmark evaluation API (`…/spaces/{id}/eval-runs`): create a run over the
//! space's `benchmarks` section, poll it with backoff until it ends, then read every
//! result's details (Genie's answer, the expected SQL, the assessment and its reasons).

use std::time::Instant;

use genie_core::error::{PortError, PortErrorKind};
use genie_core::evaluation::OfficialEvalResult;
use reqwest::Method;
use serde_json::{Value, json};

use crate::genie::PollPolicy;
use crate::http::{Idempotency, RestClient};

/// Run statuses after which nothing changes.
const FINAL: [&str; 4] = [
    "DONE",
    "EVALUATION_FAILED",
    "EVALUATION_CANCELLED",
    "EVALUATION_TIMEOUT",
];

/// Runs an evaluation of `question_ids` (all when empty) on `space_id` and returns
/// one result per question once the run is `DONE`.
pub(crate) async fn run(
    client: &RestClient,
    poll: &PollPolicy,
    space_id: &str,
    question_ids: &[String],
) -> Result<Vec<OfficialEvalResult>, PortError> {
    let base = format!("/api/2.0/genie/spaces/{space_id}/eval-runs");
    let body = if question_ids.is_empty() {
        json!({})
    } else {
        json!({ "benchmark_question_ids": question_ids })
    };
    let began = Instant::now();
    let mut run = client
        .call(Method::POST, &base, Some(&body), Idempotency::NotIdempotent)
        .await?;
    let run_id = run["eval_run_id"]
        .as_str()
        .ok_or_else(|| {
            PortError::new(
                PortErrorKind::Other,
                "eval-runs: the answer has no `eval_run_id`".to_owned(),
            )
        })?
        .to_owned();
    let mut wait = poll.initial_interval;
    loop {
        let status = run["eval_run_status"].as_str().unwrap_or_default();
        if FINAL.contains(&status) {
            if status != "DONE" {
                return Err(PortError::new(
                    PortErrorKind::Other,
                    format!("eval run {run_id} on space {space_id} ended {status}"),
                ));
            }
            break;
        }
        if began.elapsed() + wait > poll.deadline {
            return Err(PortError::new(
                PortErrorKind::Timeout,
                format!(
                    "eval run {run_id} on space {space_id} did not finish within {:?}",
                    poll.deadline
                ),
            ));
        }
        tokio::time::sleep(wait).await;
        wait = (wait * 2).min(poll.max_interval);
        run = client
            .call(
                Method::GET,
                &format!("{base}/{run_id}"),
                None,
                Idempotency::Idempotent,
            )
            .await?;
    }
    let mut results = Vec::new();
    let mut page_token: Option<String> = None;
    loop {
        let mut path = format!("{base}/{run_id}/results?page_size=100");
        if let Some(token) = &page_token {
            path.push_str("&page_token=");
            path.push_str(token);
        }
        let page = client
            .call(Method::GET, &path, None, Idempotency::Idempotent)
            .await?;
        for summary in page["eval_results"].as_array().into_iter().flatten() {
            let result_id = summary["result_id"].as_str().unwrap_or_default();
            let details = client
                .call(
                    Method::GET,
                    &format!("{base}/{run_id}/results/{result_id}"),
                    None,
                    Idempotency::Idempotent,
                )
                .await?;
            results.push(result(summary, &details));
        }
        page_token = page["next_page_token"]
            .as_str()
            .filter(|token| !token.is_empty())
            .map(str::to_owned);
        if page_token.is_none() {
            break;
        }
    }
    Ok(results)
}

/// One result from its summary and details.
fn result(summary: &Value, details: &Value) -> OfficialEvalResult {
    let text = |value: &Value| value.as_str().map(str::to_owned);
    let responses = |field: &str, kind: &str| {
        details[field]
            .as_array()
            .into_iter()
            .flatten()
            .find(|response| response["response_type"] == kind)
            .and_then(|response| text(&response["response"]))
    };
    OfficialEvalResult {
        question_id: text(&details["benchmark_question_id"])
            .or_else(|| text(&summary["benchmark_question_id"]))
            .unwrap_or_default(),
        question: text(&summary["question"]),
        status: text(&details["eval_run_status"])
            .or_else(|| text(&summary["status"]))
            .unwrap_or_default(),
        assessment: text(&details["assessment"]),
        assessment_reasons: details["assessment_reasons"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(&text)
            .collect(),
        genie_sql: responses("actual_response", "SQL"),
        genie_text: responses("actual_response", "TEXT"),
        expected_sql: responses("expected_response", "SQL")
            .or_else(|| text(&summary["benchmark_answer"])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_read_answers_assessment_and_reasons() {
        let summary = json!({"result_id": "r1", "benchmark_question_id": "q1", "question": "How many?", "status": "DONE", "benchmark_answer": "SELECT 1"});
        let details = json!({
            "benchmark_question_id": "q1", "eval_run_status": "DONE", "assessment": "BAD",
            "assessment_reasons": ["RESULT_MISSING_ROWS", "EMPTY_RESULT"],
            "actual_response": [{"response": "SELECT 2", "response_type": "SQL"}],
            "expected_response": [{"response": "SELECT 1", "response_type": "SQL"}]
        });
        let result = result(&summary, &details);
        assert_eq!(result.question_id, "q1");
        assert_eq!(result.question.as_deref(), Some("How many?"));
        assert_eq!(result.assessment.as_deref(), Some("BAD"));
        assert_eq!(
            result.assessment_reasons,
            ["RESULT_MISSING_ROWS", "EMPTY_RESULT"]
        );
        assert_eq!(result.genie_sql.as_deref(), Some("SELECT 2"));
        assert_eq!(result.genie_text, None);
        assert_eq!(result.expected_sql.as_deref(), Some("SELECT 1"));
    }
}
