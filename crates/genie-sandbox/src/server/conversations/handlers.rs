//! The conversation endpoints: start a conversation, ask a follow-up, get a message
//! (which may stall, a fault), list conversations and messages, delete, feedback.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{Method, Uri};
use serde::Deserialize;
use serde_json::{Value, json};

use super::super::AppState;
use super::super::api_error::ApiError;
use super::super::body::JsonBody;
use super::super::clock::now_millis;
use super::super::faults::FaultKind;
use super::super::paging::page;
use super::answering::{Asked, admit_question, answer_question, check_content};
use super::render::{conversation_json, message_json};
use super::store::{Conversation, Feedback};

/// The body of start-conversation and create-message.
#[derive(Debug, Deserialize)]
pub(crate) struct AskRequest {
    content: String,
    #[serde(default)]
    enable_visualization: bool,
}

/// The body of `…/feedback`.
#[derive(Debug, Deserialize)]
pub(crate) struct FeedbackRequest {
    rating: String,
    comment: Option<String>,
}

/// Paging of the list endpoints.
#[derive(Debug, Deserialize)]
pub(crate) struct PageQuery {
    page_size: Option<usize>,
    page_token: Option<String>,
    /// Accepted for the SDK's sake: the sandbox has one user, so every conversation is
    /// the caller's.
    #[serde(default)]
    #[expect(dead_code, reason = "accepted and ignored: the sandbox has one user")]
    include_all: bool,
}

/// `POST /api/2.0/genie/spaces/{space_id}/start-conversation`.
pub(crate) async fn start(
    State(state): State<Arc<AppState>>,
    uri: Uri,
    path: Result<Path<String>, PathRejection>,
    JsonBody(request): JsonBody<AskRequest>,
) -> Result<Json<Value>, ApiError> {
    let Path(space_id) = path?;
    check_content(&request.content)?;
    state.spaces.check_live(&space_id)?;
    admit_question(&state, uri.path())?;
    let conversation_id = state.conversations.new_id();
    let message = answer_question(
        &state,
        &Asked {
            space_id: &space_id,
            conversation_id: &conversation_id,
            content: &request.content,
            visualization: request.enable_visualization,
            path: uri.path(),
        },
    )
    .await?;
    let now = now_millis();
    let message_body = message_json(&message, now, &state.statements, true);
    let conversation = Conversation {
        id: conversation_id.clone(),
        space_id,
        title: request.content.trim().to_owned(),
        created_ms: message.created_ms,
        messages: vec![message.clone()],
    };
    let conversation_body = conversation_json(&conversation);
    state.conversations.insert(conversation);
    Ok(Json(json!({
        "conversation_id": conversation_id,
        "message_id": message.id,
        "conversation": conversation_body,
        "message": message_body,
    })))
}

/// `POST …/spaces/{space_id}/conversations/{conversation_id}/messages`.
pub(crate) async fn create_message(
    State(state): State<Arc<AppState>>,
    uri: Uri,
    path: Result<Path<(String, String)>, PathRejection>,
    JsonBody(request): JsonBody<AskRequest>,
) -> Result<Json<Value>, ApiError> {
    let Path((space_id, conversation_id)) = path?;
    check_content(&request.content)?;
    state.spaces.check_live(&space_id)?;
    state
        .conversations
        .with_conversation(&space_id, &conversation_id, |_| ())?;
    admit_question(&state, uri.path())?;
    let message = answer_question(
        &state,
        &Asked {
            space_id: &space_id,
            conversation_id: &conversation_id,
            content: &request.content,
            visualization: request.enable_visualization,
            path: uri.path(),
        },
    )
    .await?;
    let body = message_json(&message, now_millis(), &state.statements, true);
    state
        .conversations
        .with_conversation(&space_id, &conversation_id, |conversation| {
            conversation.messages.push(message);
        })?;
    Ok(Json(body))
}

/// `GET …/conversations/{conversation_id}/messages/{message_id}`; a stalled poll (a
/// fault) hangs until the client gives up or the server stops.
pub(crate) async fn get_message(
    State(state): State<Arc<AppState>>,
    uri: Uri,
    path: Result<Path<(String, String, String)>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path((space_id, conversation_id, message_id)) = path?;
    state.spaces.check_live(&space_id)?;
    let body =
        state
            .conversations
            .with_message(&space_id, &conversation_id, &message_id, |message| {
                message_json(message, now_millis(), &state.statements, false)
            })?;
    if state.faults.roll(FaultKind::StalledPoll) {
        state
            .audit
            .fault(FaultKind::StalledPoll, &Method::GET, uri.path());
        let mut stopping = state.stopping.clone();
        let _ = stopping.wait_for(|stopping| *stopping).await;
        return Err(ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "TEMPORARILY_UNAVAILABLE",
            "the sandbox is shutting down",
        ));
    }
    Ok(Json(body))
}

/// `GET …/spaces/{space_id}/conversations`: newest first.
pub(crate) async fn list_conversations(
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path(space_id) = path?;
    let Query(query) = query?;
    state.spaces.check_live(&space_id)?;
    let conversations = state.conversations.of_space(&space_id);
    let (items, next) = page(
        &conversations,
        query.page_size,
        query.page_token.as_deref(),
        100,
    )?;
    let summaries: Vec<Value> = items
        .iter()
        .map(|conversation| {
            json!({
                "conversation_id": conversation.id,
                "title": conversation.title,
                "created_timestamp": conversation.created_ms,
            })
        })
        .collect();
    let mut body = json!({"conversations": summaries});
    if let Some(next) = next {
        body["next_page_token"] = json!(next);
    }
    Ok(Json(body))
}

/// `GET …/conversations/{conversation_id}/messages`: oldest first.
pub(crate) async fn list_messages(
    State(state): State<Arc<AppState>>,
    path: Result<Path<(String, String)>, PathRejection>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path((space_id, conversation_id)) = path?;
    let Query(query) = query?;
    state.spaces.check_live(&space_id)?;
    let messages =
        state
            .conversations
            .with_conversation(&space_id, &conversation_id, |conversation| {
                conversation.messages.clone()
            })?;
    let (items, next) = page(&messages, query.page_size, query.page_token.as_deref(), 100)?;
    let now = now_millis();
    let rendered: Vec<Value> = items
        .iter()
        .map(|message| message_json(message, now, &state.statements, false))
        .collect();
    let mut body = json!({"messages": rendered});
    if let Some(next) = next {
        body["next_page_token"] = json!(next);
    }
    Ok(Json(body))
}

/// `DELETE …/conversations/{conversation_id}`.
pub(crate) async fn delete_conversation(
    State(state): State<Arc<AppState>>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path((space_id, conversation_id)) = path?;
    state.spaces.check_live(&space_id)?;
    state.conversations.delete(&space_id, &conversation_id)?;
    Ok(Json(json!({})))
}

/// `DELETE …/conversations/{conversation_id}/messages/{message_id}`.
pub(crate) async fn delete_message(
    State(state): State<Arc<AppState>>,
    path: Result<Path<(String, String, String)>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path((space_id, conversation_id, message_id)) = path?;
    state.spaces.check_live(&space_id)?;
    state
        .conversations
        .with_message(&space_id, &conversation_id, &message_id, |_| ())?;
    state
        .conversations
        .with_conversation(&space_id, &conversation_id, |conversation| {
            conversation
                .messages
                .retain(|message| message.id != message_id);
        })?;
    Ok(Json(json!({})))
}

/// `POST …/messages/{message_id}/feedback` with `{"rating", "comment"?}`.
pub(crate) async fn feedback(
    State(state): State<Arc<AppState>>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    JsonBody(request): JsonBody<FeedbackRequest>,
) -> Result<Json<Value>, ApiError> {
    let Path((space_id, conversation_id, message_id)) = path?;
    if !["POSITIVE", "NEGATIVE", "NONE"].contains(&request.rating.as_str()) {
        return Err(ApiError::bad_request(
            "INVALID_PARAMETER_VALUE",
            format!(
                "`rating` must be POSITIVE, NEGATIVE or NONE, not `{}`",
                request.rating
            ),
        ));
    }
    state.spaces.check_live(&space_id)?;
    state
        .conversations
        .with_message(&space_id, &conversation_id, &message_id, |message| {
            message.feedback = Some(Feedback {
                rating: request.rating,
                comment: request.comment,
            });
        })?;
    Ok(Json(json!({})))
}
