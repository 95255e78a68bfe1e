//! [`DatabricksGenie`]: genie-core's [`GenieApi`] over the Genie spaces and conversation
//! APIs. A question is a new conversation: the POST waits for the workspace's shared
//! [`RateLimiter`] (and is re-sent only when Genie refused it before any work: 429 or
//! 503), the message is polled with backoff until it ends, and the query attachment's
//! result is fetched (re-executed when it expired).

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use genie_core::error::{PortError, PortErrorKind};
use genie_core::evaluation::{Answer, AnswerError, AnswerStatus};
use genie_core::ports::{EvalResult, EvalRun, GenieApi, NewSpace, SpaceSummary};
use genie_core::result::ResultSet;
use genie_core::space::{GenieSpace, SpaceConfig};
use reqwest::Method;
use serde_json::{Value, json};

use crate::http::{Idempotency, RestClient};
use crate::limiter::RateLimiter;
use crate::statement_result;

/// How questions are polled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollPolicy {
    /// The first wait between polls; it doubles up to `max_interval`.
    pub initial_interval: Duration,
    /// The longest wait between polls.
    pub max_interval: Duration,
    /// When to give up on a message (its answer is then `TimedOut`).
    pub deadline: Duration,
    /// How many times a refused question (429, 503) is sent again.
    pub max_attempts: u32,
}

impl Default for PollPolicy {
    fn default() -> Self {
        Self {
            initial_interval: Duration::from_secs(1),
            max_interval: Duration::from_mins(1),
            deadline: Duration::from_mins(10),
            max_attempts: 8,
        }
    }
}

/// The Genie API of one workspace.
#[derive(Debug, Clone)]
pub struct DatabricksGenie {
    client: RestClient,
    limiter: Arc<RateLimiter>,
    poll: PollPolicy,
}

const SPACES: &str = "/api/2.0/genie/spaces";

impl DatabricksGenie {
    /// Genie through `client`, asking at most as fast as the shared `limiter` allows.
    pub fn new(client: RestClient, limiter: Arc<RateLimiter>, poll: PollPolicy) -> Self {
        Self {
            client,
            limiter,
            poll,
        }
    }

    /// Sends a question (a new conversation), waiting for the limiter before each try.
    async fn start(&self, space_id: &str, question: &str) -> Result<(Value, u32), PortError> {
        let path = format!("{SPACES}/{space_id}/start-conversation");
        let body = json!({"content": question});
        let mut attempt = 0;
        loop {
            attempt += 1;
            let permit = self.limiter.acquire().await;
            let sent = self
                .client
                .call_once(Method::POST, &path, Some(&body))
                .await;
            permit.answered().await;
            match sent {
                Ok(started) => return Ok((started, attempt)),
                Err(error)
                    if attempt < self.poll.max_attempts
                        && (error.kind == PortErrorKind::RateLimited
                            || error.message.starts_with("TEMPORARILY_UNAVAILABLE")) =>
                {
                    let wait = error
                        .retry_after_ms
                        .map_or_else(|| self.client.backoff_for(attempt), Duration::from_millis);
                    tracing::debug!(
                        space_id,
                        attempt,
                        wait_ms = wait.as_millis(),
                        "question refused; asking again"
                    );
                    tokio::time::sleep(wait).await;
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// The result of a query attachment, re-executed once when it expired.
    async fn query_result(
        &self,
        message_path: &str,
        attachment_id: &str,
        expired: bool,
    ) -> Result<Option<ResultSet>, PortError> {
        let path = format!("{message_path}/attachments/{attachment_id}/query-result");
        let mut response = if expired {
            Value::Null
        } else {
            self.client
                .call(Method::GET, &path, None, Idempotency::Idempotent)
                .await?
        };
        if expired || response["statement_response"]["status"]["state"] == "CLOSED" {
            response = self
                .client
                .call(
                    Method::POST,
                    &format!("{message_path}/attachments/{attachment_id}/execute-query"),
                    Some(&json!({})),
                    Idempotency::Idempotent,
                )
                .await?;
        }
        let statement = &response["statement_response"];
        if statement["status"]["state"] != "SUCCEEDED" {
            return Ok(None);
        }
        let mut result = statement_result::empty(&statement["manifest"]);
        result.rows.extend(statement_result::rows(
            &statement["result"],
            &result.columns,
        )?);
        Ok(Some(result))
    }
}

fn summary(space: &Value) -> SpaceSummary {
    let text = |key: &str| space[key].as_str().map(str::to_owned);
    SpaceSummary {
        space_id: text("space_id").unwrap_or_default(),
        title: text("title").unwrap_or_default(),
        description: text("description"),
        warehouse_id: text("warehouse_id"),
    }
}

/// An eval run from a `GenieEvalRunResponse`.
fn eval_run(body: &Value) -> EvalRun {
    let count = |key: &str| body[key].as_u64().unwrap_or_default();
    EvalRun {
        eval_run_id: body["eval_run_id"].as_str().unwrap_or_default().to_owned(),
        status: body["eval_run_status"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        num_questions: count("num_questions"),
        num_done: count("num_done"),
        num_correct: count("num_correct"),
        num_needs_review: count("num_needs_review"),
    }
}

/// One result from its `GenieEvalResult` summary and its `GenieEvalResultDetails`.
fn eval_result(summary: &Value, details: &Value) -> EvalResult {
    let text = |value: &Value| value.as_str().map(str::to_owned);
    let responses = details["actual_response"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let response = |kind: &str| {
        responses
            .iter()
            .find(|response| response["response_type"] == kind)
            .and_then(|response| text(&response["response"]))
    };
    EvalResult {
        result_id: text(&summary["result_id"]).unwrap_or_default(),
        benchmark_question_id: text(&summary["benchmark_question_id"])
            .or_else(|| text(&details["benchmark_question_id"]))
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
            .filter_map(text)
            .collect(),
        genie_sql: response("SQL"),
        genie_text: response("TEXT"),
    }
}

/// The space of an answer, its config cleared of duplicate ids.
fn space(value: Value) -> Result<GenieSpace, PortError> {
    let mut space: GenieSpace = serde_json::from_value(value)
        .map_err(|error| PortError::new(PortErrorKind::Other, format!("invalid space: {error}")))?;
    if space.serialized_space.is_some()
        && let Ok(mut config) = space.config()
        && crate::dedupe::remove_duplicate_ids(&mut config) > 0
    {
        tracing::warn!(
            space_id = space.space_id.as_deref().unwrap_or(""),
            "the space repeated ids; later ones were dropped"
        );
        space.set_config(&config);
    }
    Ok(space)
}

/// The config canonicalized and checked as the API will check it.
fn checked(config: &SpaceConfig) -> Result<String, PortError> {
    let config = config.clone().canonicalized();
    let rejected: Vec<String> = config
        .validate()
        .into_iter()
        .filter(genie_core::space::Problem::is_rejected_by_api)
        .map(|problem| problem.to_string())
        .collect();
    if rejected.is_empty() {
        Ok(config.to_json())
    } else {
        Err(PortError::new(
            PortErrorKind::InvalidRequest,
            format!("the space would be rejected: {}", rejected.join("; ")),
        ))
    }
}

#[async_trait]
impl GenieApi for DatabricksGenie {
    async fn list_spaces(&self) -> Result<Vec<SpaceSummary>, PortError> {
        let mut spaces = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let path = match &token {
                Some(token) => format!("{SPACES}?page_size=100&page_token={token}"),
                None => format!("{SPACES}?page_size=100"),
            };
            let page = self
                .client
                .call(Method::GET, &path, None, Idempotency::Idempotent)
                .await?;
            spaces.extend(page["spaces"].as_array().into_iter().flatten().map(summary));
            match page["next_page_token"].as_str() {
                Some(next) if !next.is_empty() => token = Some(next.to_owned()),
                _ => return Ok(spaces),
            }
        }
    }

    async fn get_space(&self, space_id: &str) -> Result<GenieSpace, PortError> {
        let answer = self
            .client
            .call(
                Method::GET,
                &format!("{SPACES}/{space_id}?include_serialized_space=true"),
                None,
                Idempotency::Idempotent,
            )
            .await?;
        space(answer)
    }

    async fn create_space(&self, new: &NewSpace) -> Result<GenieSpace, PortError> {
        let mut body = json!({
            "title": new.title,
            "warehouse_id": new.warehouse_id,
            "serialized_space": checked(&new.config)?,
        });
        if let Some(description) = &new.description {
            body["description"] = json!(description);
        }
        if let Some(parent_path) = &new.parent_path {
            body["parent_path"] = json!(parent_path);
        }
        // Creating twice would leave a second space: never re-sent blindly.
        let answer = self
            .client
            .call(
                Method::POST,
                SPACES,
                Some(&body),
                Idempotency::NotIdempotent,
            )
            .await?;
        space(answer)
    }

    async fn update_space(
        &self,
        space_id: &str,
        config: &SpaceConfig,
        etag: Option<&str>,
    ) -> Result<GenieSpace, PortError> {
        let mut body = json!({"serialized_space": checked(config)?});
        if let Some(etag) = etag {
            body["etag"] = json!(etag);
        }
        // With an etag a repeated PATCH is refused rather than applied twice.
        let idempotency = if etag.is_some() {
            Idempotency::Idempotent
        } else {
            Idempotency::NotIdempotent
        };
        let answer = self
            .client
            .call(
                Method::PATCH,
                &format!("{SPACES}/{space_id}"),
                Some(&body),
                idempotency,
            )
            .await;
        match answer {
            Ok(answer) => space(answer),
            // Another writer changed the space: report what it is now, never overwrite.
            Err(error) if error.kind == PortErrorKind::Conflict => {
                let current = self.get_space(space_id).await?;
                Err(PortError {
                    message: format!(
                        "{}; the space now has etag `{}` (updated {})",
                        error.message,
                        current.etag.as_deref().unwrap_or("?"),
                        current.update_time.as_deref().unwrap_or("?")
                    ),
                    ..error
                })
            }
            Err(error) => Err(error),
        }
    }

    async fn trash_space(&self, space_id: &str) -> Result<(), PortError> {
        self.client
            .call(
                Method::DELETE,
                &format!("{SPACES}/{space_id}"),
                None,
                Idempotency::Idempotent,
            )
            .await
            .map(|_| ())
    }

    async fn create_eval_run(
        &self,
        space_id: &str,
        question_ids: &[String],
    ) -> Result<EvalRun, PortError> {
        let body = if question_ids.is_empty() {
            json!({})
        } else {
            json!({"benchmark_question_ids": question_ids})
        };
        // A second run would be harmless but wasteful: sent again only when refused.
        let answer = self
            .client
            .call(
                Method::POST,
                &format!("{SPACES}/{space_id}/eval-runs"),
                Some(&body),
                Idempotency::NotIdempotent,
            )
            .await?;
        Ok(eval_run(&answer))
    }

    async fn get_eval_run(&self, space_id: &str, eval_run_id: &str) -> Result<EvalRun, PortError> {
        let answer = self
            .client
            .call(
                Method::GET,
                &format!("{SPACES}/{space_id}/eval-runs/{eval_run_id}"),
                None,
                Idempotency::Idempotent,
            )
            .await?;
        Ok(eval_run(&answer))
    }

    async fn list_eval_results(
        &self,
        space_id: &str,
        eval_run_id: &str,
    ) -> Result<Vec<EvalResult>, PortError> {
        let base = format!("{SPACES}/{space_id}/eval-runs/{eval_run_id}/results");
        let mut summaries = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let path = match &token {
                Some(token) => format!("{base}?page_size=100&page_token={token}"),
                None => format!("{base}?page_size=100"),
            };
            let page = self
                .client
                .call(Method::GET, &path, None, Idempotency::Idempotent)
                .await?;
            summaries.extend(
                page["eval_results"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .cloned(),
            );
            match page["next_page_token"].as_str() {
                Some(next) if !next.is_empty() => token = Some(next.to_owned()),
                _ => break,
            }
        }
        let mut results = Vec::with_capacity(summaries.len());
        for summary in summaries {
            let result_id = summary["result_id"].as_str().unwrap_or_default();
            let details = self
                .client
                .call(
                    Method::GET,
                    &format!("{base}/{result_id}"),
                    None,
                    Idempotency::Idempotent,
                )
                .await?;
            results.push(eval_result(&summary, &details));
        }
        Ok(results)
    }

    async fn ask(&self, space_id: &str, question: &str) -> Result<Answer, PortError> {
        let began = Instant::now();
        let (started, attempts) = self.start(space_id, question).await?;
        let conversation_id = started["conversation_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let message_id = started["message_id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let message_path =
            format!("{SPACES}/{space_id}/conversations/{conversation_id}/messages/{message_id}");
        let mut answer = Answer {
            question: question.to_owned(),
            status: AnswerStatus::TimedOut,
            sql: None,
            text: None,
            error: None,
            conversation_id: Some(conversation_id),
            message_id: Some(message_id),
            statement_id: None,
            result: None,
            verified: false,
            elapsed_ms: 0,
            polls: 0,
            attempts,
        };
        let mut message = started["message"].clone();
        let mut wait = self.poll.initial_interval;
        loop {
            let status = message["status"].as_str().unwrap_or("");
            if matches!(
                status,
                "COMPLETED" | "FAILED" | "CANCELLED" | "QUERY_RESULT_EXPIRED"
            ) {
                break;
            }
            if began.elapsed() + wait > self.poll.deadline {
                answer.elapsed_ms = elapsed_ms(began);
                return Ok(answer);
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(self.poll.max_interval);
            answer.polls += 1;
            message = self
                .client
                .call(Method::GET, &message_path, None, Idempotency::Idempotent)
                .await?;
        }
        let expired = message["status"] == "QUERY_RESULT_EXPIRED";
        answer.status = match message["status"].as_str().unwrap_or("") {
            "FAILED" => AnswerStatus::Failed,
            "CANCELLED" => AnswerStatus::Cancelled,
            _ => AnswerStatus::Completed,
        };
        if let Some(error) = message.get("error").filter(|error| !error.is_null()) {
            answer.error = Some(AnswerError {
                error_type: error["type"].as_str().unwrap_or("UNKNOWN").to_owned(),
                message: error["error"].as_str().unwrap_or_default().to_owned(),
            });
        }
        for attachment in message["attachments"].as_array().into_iter().flatten() {
            if let Some(text) = attachment["text"]["content"].as_str() {
                answer.text = Some(text.to_owned());
            }
            let query = &attachment["query"];
            if let Some(sql) = query["query"].as_str() {
                answer.sql = Some(sql.to_owned());
                answer.statement_id = query["statement_id"].as_str().map(str::to_owned);
                answer.verified = query["parameters"]
                    .as_array()
                    .is_some_and(|p| !p.is_empty());
                if answer.status == AnswerStatus::Completed
                    && let Some(attachment_id) = attachment["attachment_id"].as_str()
                {
                    answer.result = self
                        .query_result(&message_path, attachment_id, expired)
                        .await?;
                }
            }
        }
        answer.elapsed_ms = elapsed_ms(began);
        Ok(answer)
    }
}

fn elapsed_ms(began: Instant) -> u64 {
    u64::try_from(began.elapsed().as_millis()).unwrap_or(u64::MAX)
}
