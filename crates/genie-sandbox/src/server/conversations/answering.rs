//! Asking Genie: the rate limit, the space config as Genie sees it (late by the
//! propagation delay), the simulator's answer, the message faults (failed messages,
//! unsafe SQL), and running the answer's SQL — only when it is one read-only query.
//! Conversations and benchmark eval runs both ask through [`ask_genie`].

use axum::http::Method;
use genie_core::space::SpaceConfig;
use genie_core::sql::SanitizedSql;

use crate::simulator::{self, Draw, QueryReply, Reply, TextReply, Thought, ThoughtKind};

use super::super::api_error::ApiError;
use super::super::audit::StatementSource;
use super::super::clock::now_millis;
use super::super::faults::{FaultKind, draw};
use super::super::mix::hash_bytes;
use super::super::rate::retry_after_seconds;
use super::super::statement_results::{self, Outcome, Stored};
use super::super::{AppState, WAREHOUSE_ID};
use super::store::{Answer, Message, normalized_question};

/// Genie returns at most this many rows of a query.
pub(crate) const MAX_RESULT_ROWS: usize = 5_000;

/// Where a question is asked (for the audit of faults).
pub(crate) struct Asked<'a> {
    /// The space.
    pub(crate) space_id: &'a str,
    /// The conversation.
    pub(crate) conversation_id: &'a str,
    /// The question.
    pub(crate) content: &'a str,
    /// Whether visualizations are enabled.
    pub(crate) visualization: bool,
    /// The request path.
    pub(crate) path: &'a str,
}

/// Admits a question under `genie_qpm`, or answers 429 with `Retry-After`.
pub(crate) fn admit_question(state: &AppState, path: &str) -> Result<(), ApiError> {
    let mut window = state
        .genie_window
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let Some(window) = window.as_mut() else {
        return Ok(());
    };
    window.admit(now_millis()).map_err(|wait_ms| {
        state.audit.fault(FaultKind::QpmLimit, &Method::POST, path);
        ApiError::too_many_requests(
            retry_after_seconds(wait_ms),
            "Genie question rate limit exceeded (`genie_qpm`); retry later",
        )
    })
}

/// Checks a question's text: it must not be blank.
pub(crate) fn check_content(content: &str) -> Result<(), ApiError> {
    if content.trim().is_empty() {
        return Err(ApiError::bad_request(
            "INVALID_PARAMETER_VALUE",
            "`content` must not be empty",
        ));
    }
    Ok(())
}

/// What Genie made of a question, its SQL (if any) already run.
#[derive(Debug)]
pub(crate) enum GenieAnswer {
    /// SQL, run (or refused) as statement `statement_id`.
    Query {
        /// The simulator's reply.
        reply: Box<QueryReply>,
        /// The statement holding its result.
        statement_id: String,
    },
    /// Text only.
    Text(TextReply),
    /// No answer.
    Failed {
        /// What went wrong.
        error: String,
        /// The `MessageErrorType`.
        error_type: &'static str,
    },
}

/// Where a question is put to Genie (conversations and eval runs alike).
pub(crate) struct Question<'a> {
    /// The space.
    pub(crate) space_id: &'a str,
    /// The question.
    pub(crate) content: &'a str,
    /// When it was asked, epoch milliseconds.
    pub(crate) asked_ms: u64,
    /// The request path (for the audit of faults).
    pub(crate) path: &'a str,
}

/// Asks Genie `question` as the conversation API does: the space config as Genie sees
/// it then, the question's `attempt`, the message faults, and Genie's SQL run only when
/// it is one read-only query.
pub(crate) async fn ask_genie(
    state: &AppState,
    question: &Question<'_>,
) -> Result<GenieAnswer, ApiError> {
    let faults = state.faults.faults();
    let view = state.spaces.genie_view(
        question.space_id,
        question
            .asked_ms
            .saturating_sub(faults.scaled(faults.propagation_delay_ms)),
    )?;
    let attempt =
        state
            .conversations
            .next_attempt(question.space_id, view.version, question.content);
    let normalized = normalized_question(question.content);
    if view.warehouse_id.as_deref() != Some(WAREHOUSE_ID) {
        return Ok(GenieAnswer::Failed {
            error: format!(
                "warehouse `{}` does not exist",
                view.warehouse_id.unwrap_or_default()
            ),
            error_type: "WAREHOUSE_NOT_FOUND_EXCEPTION",
        });
    }
    if state
        .faults
        .roll_for_question(FaultKind::FailedMessage, &normalized, attempt)
    {
        state
            .audit
            .fault(FaultKind::FailedMessage, &Method::POST, question.path);
        return Ok(GenieAnswer::Failed {
            error: "Genie did not answer in time".to_owned(),
            error_type: "REPLY_PROCESS_TIMEOUT_EXCEPTION",
        });
    }
    let catalog = state.catalog();
    let mut reply = simulator::answer(
        &catalog,
        &view.config,
        question.content,
        Draw::with_noise(faults.seed, attempt, faults.reading_noise),
    );
    if state
        .faults
        .roll_for_question(FaultKind::UnsafeSql, &normalized, attempt)
    {
        state
            .audit
            .fault(FaultKind::UnsafeSql, &Method::POST, question.path);
        let key = hash_bytes(attempt, normalized.as_bytes());
        reply = Reply::Query(unsafe_reply(
            reply,
            &view.config,
            draw(faults.seed, FaultKind::UnsafeSql, !key) < 0.5,
        ));
    }
    Ok(match reply {
        Reply::Query(mut reply) => {
            let statement_id = run_genie_sql(state, &reply.sql).await;
            if let Some(outcome) = state.statements.outcome(&statement_id) {
                reply.summary = summary(&outcome, &reply.summary);
            }
            GenieAnswer::Query {
                reply: Box::new(reply),
                statement_id,
            }
        }
        Reply::Text(reply) => GenieAnswer::Text(reply),
    })
}

/// Answers a question: the new message (its SQL, if any, already run).
pub(crate) async fn answer_question(
    state: &AppState,
    asked: &Asked<'_>,
) -> Result<Message, ApiError> {
    let faults = state.faults.faults();
    let created_ms = now_millis();
    let genie = ask_genie(
        state,
        &Question {
            space_id: asked.space_id,
            content: asked.content,
            asked_ms: created_ms,
            path: asked.path,
        },
    )
    .await?;
    let answer = match genie {
        GenieAnswer::Query {
            reply,
            statement_id,
        } => Answer::Query {
            attachment_id: state.conversations.new_id(),
            text_attachment_id: state.conversations.new_id(),
            viz_attachment_id: asked.visualization.then(|| state.conversations.new_id()),
            reply,
            statement_id,
        },
        GenieAnswer::Text(reply) => Answer::Text {
            attachment_id: state.conversations.new_id(),
            reply,
        },
        GenieAnswer::Failed { error, error_type } => Answer::Failed { error, error_type },
    };
    Ok(Message {
        id: state.conversations.new_id(),
        conversation_id: asked.conversation_id.to_owned(),
        space_id: asked.space_id.to_owned(),
        content: asked.content.to_owned(),
        created_ms,
        step_ms: faults.scaled(faults.status_latency_ms),
        answer,
        feedback: None,
    })
}

/// Runs Genie's SQL if it is one read-only query (else keeps it `FAILED`, unrun);
/// returns the statement id. The audit records either way.
pub(crate) async fn run_genie_sql(state: &AppState, sql: &str) -> String {
    run_read_only(state, StatementSource::Genie, sql).await.0
}

/// Runs `sql` from `source` if it is one read-only query (else keeps it `FAILED`,
/// unrun), at most [`MAX_RESULT_ROWS`] rows; stores and audits the statement. Returns
/// its id, and the admitted query when `sql` was one.
pub(crate) async fn run_read_only(
    state: &AppState,
    source: StatementSource,
    sql: &str,
) -> (String, Option<SanitizedSql>) {
    let (outcome, admitted) = match genie_core::sql::sanitize(sql) {
        Ok(admitted) => (run_cached(state, admitted.as_str()).await, Some(admitted)),
        Err(error) => (
            Outcome::Failed {
                message: format!("{} refused to run the query: {error}", source.who()),
            },
            None,
        ),
    };
    let id = state.statements.new_id();
    state
        .audit
        .statement(source, sql, &id, outcome.state(), admitted.is_none());
    state.statements.lock().insert(
        id.clone(),
        Stored {
            outcome,
            pending: false,
        },
    );
    (id, admitted)
}

/// Runs the admitted query `sql`, or takes its outcome from the query cache.
async fn run_cached(state: &AppState, sql: &str) -> Outcome {
    let generation = match state.query_cache.get(sql) {
        Ok(outcome) => return outcome,
        Err(generation) => generation,
    };
    let outcome = statement_results::run(
        &state.engine,
        sql,
        Some(MAX_RESULT_ROWS),
        state.config.chunk_rows,
    )
    .await;
    state.query_cache.insert(sql, &outcome, generation);
    outcome
}

/// The text Genie shows with a query: the single value, the row count, or why the
/// query did not run (`fallback` when the query succeeded with nothing to say).
fn summary(outcome: &Outcome, fallback: &str) -> String {
    match outcome {
        Outcome::Succeeded { result, .. } => {
            match (result.rows.as_slice(), result.columns.as_slice()) {
                ([row], [column]) => format!(
                    "The {} is **{}**.",
                    column.name.replace('_', " "),
                    row.first().map_or_else(String::new, cell_text)
                ),
                ([], _) => "The query returned no rows.".to_owned(),
                (rows, _) if rows.len() > 1 => format!("The query returned {} rows.", rows.len()),
                _ => fallback.to_owned(),
            }
        }
        Outcome::Failed { message } => format!("The query could not run: {message}"),
    }
}

fn cell_text(cell: &genie_core::result::Cell) -> String {
    match statement_results::cell_json(cell) {
        serde_json::Value::String(text) => text,
        _ => "no value".to_owned(),
    }
}

/// The unsafe answer that replaces `reply`: `DROP TABLE` of a table of the space, or
/// (when `append` and the reply was a query) its SQL followed by that statement.
fn unsafe_reply(reply: Reply, config: &SpaceConfig, append: bool) -> QueryReply {
    let table = config.tables().first().map_or_else(
        || "main.default.t".to_owned(),
        |table| table.identifier.clone(),
    );
    let drop = format!("DROP TABLE {table}");
    match reply {
        Reply::Query(mut query) if append => {
            query.sql = format!("{};\n{drop}", query.sql.trim_end().trim_end_matches(';'));
            query
        }
        _ => QueryReply {
            sql: drop,
            title: format!("Remove {table}"),
            description: "You want to remove the table.".to_owned(),
            thoughts: vec![Thought {
                kind: ThoughtKind::Steps,
                content: format!("- Drop {table}"),
            }],
            parameters: Vec::new(),
            trusted_asset: None,
            summary: format!("I dropped {table}."),
        },
    }
}
