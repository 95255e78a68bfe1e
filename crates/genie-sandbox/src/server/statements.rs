//! The SQL Statement Execution API: execute, get, cancel, result chunks.
//!
//! Statements run to completion when they are submitted (the engine answers small
//! fixtures in milliseconds), so a `wait_timeout` of `5s`–`50s` returns the final
//! state at once; `0s` returns `PENDING` and the next poll sees the final state, as
//! an asynchronous client expects. Failures are HTTP 200 with `status.state =
//! FAILED`, as Databricks answers them; malformed requests are 4xx errors.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use genie_core::result::{Cell, ColumnType, ResultSet};
use serde::Deserialize;
use serde_json::{Value, json};
use sqlparser::dialect::DatabricksDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

use super::api_error::ApiError;
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
}

/// A named parameter (`:name` in the statement).
#[derive(Debug, Deserialize)]
struct StatementParameter {
    name: String,
    value: Option<String>,
    #[serde(rename = "type")]
    type_name: Option<String>,
}

/// Finished statements, by id.
#[derive(Debug, Default)]
pub(crate) struct StatementStore {
    statements: Mutex<HashMap<String, Stored>>,
    next: AtomicU64,
}

#[derive(Debug, Clone)]
struct Stored {
    outcome: Outcome,
    /// Whether a `0s` submission has not been polled yet (it then reads `PENDING`).
    pending: bool,
}

#[derive(Debug, Clone)]
enum Outcome {
    Succeeded {
        result: ResultSet,
        chunk_rows: usize,
    },
    Failed {
        message: String,
    },
}

impl StatementStore {
    fn new_id(&self) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let hex = format!("01ef{:012x}{:016x}", n, mix(n));
        format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        )
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Stored>> {
        self.statements
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// `POST /api/2.0/sql/statements`.
pub(crate) async fn execute(
    State(state): State<Arc<AppState>>,
    body: Result<Json<ExecuteRequest>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(request) = body?;
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
        Ok(sql) => match state.engine.execute(&sql).await {
            Ok(mut result) => {
                if let Some(limit) = request
                    .row_limit
                    .and_then(|limit| usize::try_from(limit).ok())
                    && result.rows.len() > limit
                {
                    result.rows.truncate(limit);
                    result.truncated = true;
                }
                Outcome::Succeeded {
                    result,
                    chunk_rows: state.config.chunk_rows.max(1),
                }
            }
            Err(error) => Outcome::Failed {
                message: error.to_string(),
            },
        },
    };
    let id = state.statements.new_id();
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

fn chunk_count(result: &ResultSet, chunk_rows: usize) -> usize {
    result.rows.len().div_ceil(chunk_rows).max(1)
}

/// The full response for a finished statement (first chunk inline).
fn render(id: &str, outcome: &Outcome) -> Value {
    match outcome {
        Outcome::Failed { message } => json!({
            "statement_id": id,
            "status": {"state": "FAILED", "error": {"error_code": "BAD_REQUEST", "message": message}},
        }),
        Outcome::Succeeded { result, chunk_rows } => {
            let count = chunk_count(result, *chunk_rows);
            let chunks: Vec<Value> = (0..count)
                .map(|index| {
                    let (offset, rows) = chunk_bounds(result, *chunk_rows, index);
                    json!({"chunk_index": index, "row_offset": offset, "row_count": rows})
                })
                .collect();
            let columns: Vec<Value> = result
                .columns
                .iter()
                .enumerate()
                .map(|(position, column)| column_json(&column.name, &column.column_type, position))
                .collect();
            json!({
                "statement_id": id,
                "status": {"state": "SUCCEEDED"},
                "manifest": {
                    "format": "JSON_ARRAY",
                    "schema": {"column_count": columns.len(), "columns": columns},
                    "total_chunk_count": count,
                    "chunks": chunks,
                    "total_row_count": result.rows.len(),
                    "truncated": result.truncated,
                },
                "result": result_data(id, result, *chunk_rows, 0),
            })
        }
    }
}

fn chunk_bounds(result: &ResultSet, chunk_rows: usize, index: usize) -> (usize, usize) {
    let offset = (index * chunk_rows).min(result.rows.len());
    (offset, (result.rows.len() - offset).min(chunk_rows))
}

/// One chunk's `ResultData`.
fn result_data(id: &str, result: &ResultSet, chunk_rows: usize, index: usize) -> Value {
    let (offset, count) = chunk_bounds(result, chunk_rows, index);
    let rows: Vec<Vec<Value>> = result.rows[offset..offset + count]
        .iter()
        .map(|row| row.iter().map(cell_json).collect())
        .collect();
    let mut data =
        json!({"chunk_index": index, "row_offset": offset, "row_count": count, "data_array": rows});
    if index + 1 < chunk_count(result, chunk_rows) {
        data["next_chunk_index"] = json!(index + 1);
        data["next_chunk_internal_link"] = json!(format!(
            "/api/2.0/sql/statements/{id}/result/chunks/{}",
            index + 1
        ));
    }
    data
}

/// Every non-null cell is a string, as Databricks sends it.
#[expect(
    clippy::match_same_arms,
    reason = "the arms bind values of different types"
)]
fn cell_json(cell: &Cell) -> Value {
    match cell {
        Cell::Null => Value::Null,
        Cell::Boolean(value) => Value::String(value.to_string()),
        Cell::Integer(value) => Value::String(value.to_string()),
        Cell::Float(value) => Value::String(value.to_string()),
        Cell::Decimal(text)
        | Cell::String(text)
        | Cell::Date(text)
        | Cell::Timestamp(text)
        | Cell::Other(text) => Value::String(text.clone()),
        _ => Value::Null,
    }
}

/// A manifest column: `name`, `type_text`, `type_name`, `position` (and precision/scale).
fn column_json(name: &str, column_type: &ColumnType, position: usize) -> Value {
    let (type_name, type_text) = match column_type {
        ColumnType::Boolean => ("BOOLEAN", "BOOLEAN".to_owned()),
        ColumnType::Byte => ("BYTE", "TINYINT".to_owned()),
        ColumnType::Short => ("SHORT", "SMALLINT".to_owned()),
        ColumnType::Int => ("INT", "INT".to_owned()),
        ColumnType::Long => ("LONG", "BIGINT".to_owned()),
        ColumnType::Float => ("FLOAT", "FLOAT".to_owned()),
        ColumnType::Double => ("DOUBLE", "DOUBLE".to_owned()),
        ColumnType::Decimal { precision, scale } => {
            ("DECIMAL", format!("DECIMAL({precision},{scale})"))
        }
        ColumnType::Date => ("DATE", "DATE".to_owned()),
        ColumnType::Timestamp => ("TIMESTAMP", "TIMESTAMP".to_owned()),
        ColumnType::Binary => ("BINARY", "BINARY".to_owned()),
        ColumnType::Interval => ("INTERVAL", "INTERVAL".to_owned()),
        ColumnType::Null => ("NULL", "VOID".to_owned()),
        // STRING, and nested types, which are sent as their JSON text.
        _ => ("STRING", "STRING".to_owned()),
    };
    let mut column =
        json!({"name": name, "type_text": type_text, "type_name": type_name, "position": position});
    if let ColumnType::Decimal { precision, scale } = column_type {
        column["type_precision"] = json!(precision);
        column["type_scale"] = json!(scale);
    }
    column
}
