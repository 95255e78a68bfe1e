//! Query results of Genie's answers: `…/attachments/{id}/query-result`, the re-run
//! `…/attachments/{id}/execute-query`, and the deprecated message-level variants. Each
//! answers `{"statement_response": StatementResponse}`, rendered exactly as the SQL
//! Statement Execution API renders it.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use serde_json::{Value, json};

use super::super::AppState;
use super::super::api_error::ApiError;
use super::super::clock::now_millis;
use super::super::statement_results::render;
use super::answering::run_genie_sql;
use super::render::{result_readable, status_of};
use super::store::{Answer, Message};

/// `GET …/messages/{message_id}/attachments/{attachment_id}/query-result`.
pub(crate) async fn attachment_result(
    State(state): State<Arc<AppState>>,
    path: Result<Path<(String, String, String, String)>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path((space_id, conversation_id, message_id, attachment_id)) = path?;
    result_of(
        &state,
        &space_id,
        &conversation_id,
        &message_id,
        Some(&attachment_id),
    )
}

/// `GET …/messages/{message_id}/query-result` (deprecated): the message's query.
pub(crate) async fn message_result(
    State(state): State<Arc<AppState>>,
    path: Result<Path<(String, String, String)>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path((space_id, conversation_id, message_id)) = path?;
    result_of(&state, &space_id, &conversation_id, &message_id, None)
}

/// `POST …/messages/{message_id}/attachments/{attachment_id}/execute-query`: runs the
/// attachment's SQL again and answers the new result.
pub(crate) async fn execute_attachment(
    State(state): State<Arc<AppState>>,
    path: Result<Path<(String, String, String, String)>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path((space_id, conversation_id, message_id, attachment_id)) = path?;
    rerun(
        &state,
        &space_id,
        &conversation_id,
        &message_id,
        Some(&attachment_id),
    )
    .await
}

/// `POST …/messages/{message_id}/execute-query` (deprecated).
pub(crate) async fn execute_message(
    State(state): State<Arc<AppState>>,
    path: Result<Path<(String, String, String)>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path((space_id, conversation_id, message_id)) = path?;
    rerun(&state, &space_id, &conversation_id, &message_id, None).await
}

/// The SQL and statement of the query attachment (`attachment_id`, or the message's
/// only query), when the message has progressed far enough to have a result.
fn query_of(message: &Message, attachment_id: Option<&str>) -> Result<(String, String), ApiError> {
    let Answer::Query {
        attachment_id: query_id,
        reply,
        statement_id,
        ..
    } = &message.answer
    else {
        return Err(no_query(message, attachment_id));
    };
    if attachment_id.is_some_and(|wanted| wanted != query_id) {
        return Err(no_query(message, attachment_id));
    }
    if !result_readable(message, now_millis()) {
        return Err(ApiError::bad_request(
            "INVALID_PARAMETER_VALUE",
            format!(
                "message `{}` has no query result yet (status {})",
                message.id,
                status_of(message, now_millis()).0.api_name()
            ),
        ));
    }
    Ok((reply.sql.clone(), statement_id.clone()))
}

fn no_query(message: &Message, attachment_id: Option<&str>) -> ApiError {
    match attachment_id {
        Some(id) => ApiError::not_found(
            "RESOURCE_DOES_NOT_EXIST",
            format!("message `{}` has no query attachment `{id}`", message.id),
        ),
        None => ApiError::not_found(
            "RESOURCE_DOES_NOT_EXIST",
            format!("message `{}` has no query attachment", message.id),
        ),
    }
}

fn result_of(
    state: &AppState,
    space_id: &str,
    conversation_id: &str,
    message_id: &str,
    attachment_id: Option<&str>,
) -> Result<Json<Value>, ApiError> {
    state.spaces.check_live(space_id)?;
    let (_, statement_id) =
        state
            .conversations
            .with_message(space_id, conversation_id, message_id, |message| {
                query_of(message, attachment_id)
            })??;
    statement_response(state, &statement_id)
}

async fn rerun(
    state: &AppState,
    space_id: &str,
    conversation_id: &str,
    message_id: &str,
    attachment_id: Option<&str>,
) -> Result<Json<Value>, ApiError> {
    state.spaces.check_live(space_id)?;
    let (sql, _) =
        state
            .conversations
            .with_message(space_id, conversation_id, message_id, |message| {
                query_of(message, attachment_id)
            })??;
    let new_id = run_genie_sql(state, &sql).await;
    state
        .conversations
        .with_message(space_id, conversation_id, message_id, |message| {
            if let Answer::Query { statement_id, .. } = &mut message.answer {
                statement_id.clone_from(&new_id);
            }
        })?;
    statement_response(state, &new_id)
}

fn statement_response(state: &AppState, statement_id: &str) -> Result<Json<Value>, ApiError> {
    let outcome = state.statements.outcome(statement_id).ok_or_else(|| {
        ApiError::not_found(
            "RESOURCE_DOES_NOT_EXIST",
            format!("statement `{statement_id}` does not exist"),
        )
    })?;
    Ok(Json(
        json!({"statement_response": render(statement_id, &outcome)}),
    ))
}
