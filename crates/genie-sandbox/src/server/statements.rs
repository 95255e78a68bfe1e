//! The SQL Statement Execution API: execute, get, cancel, result chunks.
//!
//! Statements run to completion when they are submitted (the engine answers small
//! fixtures in milliseconds), so a `wait_timeout` of `5s`–`50s` returns the final
//! state at once; `0s` returns `PENDING` and the next poll sees the final state, as
//! an asynchronous client expects. Failures are HTTP 200 with `status.state =
//! FAILED`, as Databricks answers them; malformed requests are 4xx errors.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};
use sqlparser::dialect::DatabricksDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

use super::api_error::ApiError;
use super::audit::StatementSource;
use super::body::JsonBody;
use super::statement_results::{self, Outcome, Stored, chunk_count, render, result_data};
use super::{AppState, WAREHOUSE_ID};

/// The body of `POST /api/2.0/sql/statements`.
#[derive(Debug, Deserialize)]
pub(crate) struct ExecuteRequest {
    statement: String,
    warehouse_id: String,
    #[serde(default)]
    parameters: Vec<StatementParameter>,
    wait_timeout: Option<String>,
    on_wait_timeout: Option<String>,
    disposition: Option<String>,
    format: Option<String>,
    row_limit: Option<u64>,
    /// Completes one- and two-part table names.
    catalog: Option<String>,
    /// Completes one-part table names.
    schema: Option<String>,
}

/// A named parameter (`:name` in the statement).
#[derive(Debug, Deserialize)]
struct StatementParameter {
    name: String,
    value: Option<String>,
    #[serde(rename = "type")]
    type_name: Option<String>,
}

/// `POST /api/2.0/sql/statements`.
pub(crate) async fn execute(
    State(state): State<Arc<AppState>>,
    JsonBody(request): JsonBody<ExecuteRequest>,
) -> Result<Json<Value>, ApiError> {
    if request.warehouse_id != WAREHOUSE_ID {
        return Err(ApiError::not_found(
            "RESOURCE_DOES_NOT_EXIST",
            format!("warehouse `{}` does not exist", request.warehouse_id),
        ));
    }
    let asynchronous = check_wait_timeout(request.wait_timeout.as_deref())?;
    check_choice(
        "on_wait_timeout",
        request.on_wait_timeout.as_deref(),
        &["CONTINUE", "CANCEL"],
    )?;
    check_choice("disposition", request.disposition.as_deref(), &["INLINE"])?;
    check_choice("format", request.format.as_deref(), &["JSON_ARRAY"])?;
    let outcome = match bind_parameters(&request.statement, &request.parameters) {
        Err(message) => Outcome::Failed { message },
        Ok(sql) => {
            let sql =
                crate::engine::qualify(&sql, request.catalog.as_deref(), request.schema.as_deref());
            let row_limit = request
                .row_limit
                .and_then(|limit| usize::try_from(limit).ok());
            let version = state.engine.metadata_version();
            let outcome = statement_results::run_statement(
                &state.engine,
                &sql,
                row_limit,
                state.config.chunk_rows,
            )
            .await;
            if genie_core::sql::sanitize(&sql).is_err() {
                // It may have changed the data or a view: cached query outcomes may be stale.
                state.query_cache.clear();
            }
            if state.engine.metadata_version() != version
                && let Err(error) = state.reload_catalog().await
            {
                return Err(ApiError::new(
                    axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                    "INTERNAL_ERROR",
                    format!("metadata changed but the catalog could not be read again: {error}"),
                ));
            }
            outcome
        }
    };
    let id = state.statements.new_id();
    state.audit.statement(
        StatementSource::Statements,
        &request.statement,
        &id,
        outcome.state(),
        false,
    );
    let stored = Stored {
        outcome,
        pending: asynchronous,
    };
    let response = if asynchronous {
        json!({"statement_id": id, "status": {"state": "PENDING"}})
    } else {
        render(&id, &stored.outcome)
    };
    state.statements.lock().insert(id, stored);
    Ok(Json(response))
}

/// `GET /api/2.0/sql/statements/{statement_id}`.
pub(crate) async fn get(
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path(id) = path?;
    let mut statements = state.statements.lock();
    let stored = statements
        .get_mut(&id)
        .ok_or_else(|| unknown_statement(&id))?;
    stored.pending = false;
    Ok(Json(render(&id, &stored.outcome)))
}

/// `POST /api/2.0/sql/statements/{statement_id}/cancel`: statements here are always
/// finished, so cancelling is accepted and changes nothing.
pub(crate) async fn cancel(
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path(id) = path?;
    if !state.statements.lock().contains_key(&id) {
        return Err(unknown_statement(&id));
    }
    Ok(Json(json!({})))
}

/// `GET /api/2.0/sql/statements/{statement_id}/result/chunks/{chunk_index}`.
pub(crate) async fn chunk(
    State(state): State<Arc<AppState>>,
    path: Result<Path<(String, usize)>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path((id, index)) = path?;
    let statements = state.statements.lock();
    let stored = statements.get(&id).ok_or_else(|| unknown_statement(&id))?;
    match &stored.outcome {
        Outcome::Succeeded { result, chunk_rows } if index < chunk_count(result, *chunk_rows) => {
            Ok(Json(result_data(&id, result, *chunk_rows, index)))
        }
        Outcome::Succeeded { .. } => Err(ApiError::not_found(
            "NOT_FOUND",
            format!("statement `{id}` has no result chunk {index}"),
        )),
        Outcome::Failed { .. } => Err(ApiError::bad_request(
            "BAD_REQUEST",
            format!("statement `{id}` failed and has no result"),
        )),
    }
}

fn unknown_statement(id: &str) -> ApiError {
    ApiError::not_found("NOT_FOUND", format!("statement `{id}` does not exist"))
}

/// `None`/`5s`…`50s` wait, `0s` is asynchronous; anything else is rejected.
fn check_wait_timeout(wait_timeout: Option<&str>) -> Result<bool, ApiError> {
    let Some(text) = wait_timeout else {
        return Ok(false);
    };
    let seconds = text
        .strip_suffix('s')
        .and_then(|number| number.parse::<u32>().ok());
    match seconds {
        Some(0) => Ok(true),
        Some(5..=50) => Ok(false),
        _ => Err(ApiError::bad_request(
            "INVALID_PARAMETER_VALUE",
            format!("`wait_timeout` must be `0s` or between `5s` and `50s`, not `{text}`"),
        )),
    }
}

fn check_choice(field: &str, value: Option<&str>, allowed: &[&str]) -> Result<(), ApiError> {
    match value {
        Some(value) if !allowed.contains(&value) => Err(ApiError::bad_request(
            "INVALID_PARAMETER_VALUE",
            format!(
                "`{field}` `{value}` is not supported here; use {}",
                allowed.join(" or ")
            ),
        )),
        _ => Ok(()),
    }
}

/// Replaces each `:name` marker with its parameter as a typed SQL literal.
fn bind_parameters(sql: &str, parameters: &[StatementParameter]) -> Result<String, String> {
    if parameters.is_empty() && !sql.contains(':') {
        return Ok(sql.to_owned());
    }
    let tokens = Tokenizer::new(&DatabricksDialect {}, sql)
        .tokenize()
        .map_err(|error| error.to_string())?;
    let mut bound = String::with_capacity(sql.len());
    let mut tokens = tokens.into_iter().peekable();
    while let Some(token) = tokens.next() {
        // Databricks' tokenizer reads `:name` as a colon and a word.
        let name = match &token {
            Token::Placeholder(marker) if marker.starts_with(':') => Some(marker[1..].to_owned()),
            Token::Colon => match tokens.peek() {
                Some(Token::Word(word)) if word.quote_style.is_none() => {
                    let name = word.value.clone();
                    tokens.next();
                    Some(name)
                }
                _ => None,
            },
            _ => None,
        };
        match name {
            Some(name) => {
                let parameter = parameters
                    .iter()
                    .find(|parameter| parameter.name == name)
                    .ok_or_else(|| {
                        format!("[UNBOUND_SQL_PARAMETER] found the unbound parameter: `{name}`")
                    })?;
                bound.push_str(&literal(parameter));
            }
            None => bound.push_str(&token.to_string()),
        }
    }
    Ok(bound)
}

fn literal(parameter: &StatementParameter) -> String {
    let Some(value) = &parameter.value else {
        return "NULL".to_owned();
    };
    let quoted = format!("'{}'", value.replace('\'', "''"));
    match parameter
        .type_name
        .as_deref()
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        None | Some("STRING") => quoted,
        Some("DATE") => format!("DATE {quoted}"),
        Some("TIMESTAMP") => format!("TIMESTAMP {quoted}"),
        Some(other) => format!("CAST({quoted} AS {other})"),
    }
}
