//! Finished SQL statements, shared by the SQL Statement Execution API and Genie's query
//! attachments: how a query runs on the engine, where its outcome is kept, and how it
//! renders as Databricks' `StatementResponse` (manifest, chunks, `data_array`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use genie_core::result::{Cell, ColumnType, ResultSet};
use serde_json::{Value, json};

use super::mix::splitmix64;
use crate::engine::Engine;

/// Finished statements, by id.
#[derive(Debug, Default)]
pub(crate) struct StatementStore {
    statements: Mutex<HashMap<String, Stored>>,
    next: AtomicU64,
}

/// One statement as kept.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    /// How it ended.
    pub(crate) outcome: Outcome,
    /// Whether a `0s` submission has not been polled yet (it then reads `PENDING`).
    pub(crate) pending: bool,
}

/// How a statement ended.
#[derive(Debug, Clone)]
pub(crate) enum Outcome {
    /// It ran; `chunk_rows` rows per result chunk.
    Succeeded {
        /// Its rows.
        result: ResultSet,
        /// Rows per chunk.
        chunk_rows: usize,
    },
    /// It failed or was refused.
    Failed {
        /// Why.
        message: String,
    },
}

impl Outcome {
    /// The `status.state` it renders with.
    pub(crate) fn state(&self) -> &'static str {
        match self {
            Self::Succeeded { .. } => "SUCCEEDED",
            Self::Failed { .. } => "FAILED",
        }
    }
}

impl StatementStore {
    /// A new dashed-UUID statement id.
    pub(crate) fn new_id(&self) -> String {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let hex = format!("01ef{:012x}{:016x}", n, splitmix64(n));
        format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        )
    }

    /// The statements, locked.
    pub(crate) fn lock(&self) -> MutexGuard<'_, HashMap<String, Stored>> {
        self.statements
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The outcome of statement `id`, if it exists.
    pub(crate) fn outcome(&self, id: &str) -> Option<Outcome> {
        self.lock().get(id).map(|stored| stored.outcome.clone())
    }
}

/// Runs the query `sql` on `engine`, keeping at most `row_limit` rows (and marking
/// the result truncated when rows were cut).
pub(crate) async fn run(
    engine: &Engine,
    sql: &str,
    row_limit: Option<usize>,
    chunk_rows: usize,
) -> Outcome {
    limited(engine.query(sql).await, row_limit, chunk_rows)
}

/// Runs any statement the SQL Statement Execution API accepts — queries and Unity
/// Catalog metadata statements — like [`run`].
pub(crate) async fn run_statement(
    engine: &Engine,
    sql: &str,
    row_limit: Option<usize>,
    chunk_rows: usize,
) -> Outcome {
    limited(engine.execute(sql).await, row_limit, chunk_rows)
}

fn limited(
    result: Result<ResultSet, crate::engine::EngineError>,
    row_limit: Option<usize>,
    chunk_rows: usize,
) -> Outcome {
    match result {
        Ok(mut result) => {
            if let Some(limit) = row_limit
                && result.rows.len() > limit
            {
                result.rows.truncate(limit);
                result.truncated = true;
            }
            Outcome::Succeeded {
                result,
                chunk_rows: chunk_rows.max(1),
            }
        }
        Err(error) => Outcome::Failed {
            message: error.to_string(),
        },
    }
}

pub(crate) fn chunk_count(result: &ResultSet, chunk_rows: usize) -> usize {
    result.rows.len().div_ceil(chunk_rows).max(1)
}

/// The full response for a finished statement (first chunk inline).
pub(crate) fn render(id: &str, outcome: &Outcome) -> Value {
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
pub(crate) fn result_data(id: &str, result: &ResultSet, chunk_rows: usize, index: usize) -> Value {
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
pub(crate) fn cell_json(cell: &Cell) -> Value {
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
    let (type_name, type_text) = crate::engine::type_names(column_type);
    let mut column =
        json!({"name": name, "type_text": type_text, "type_name": type_name, "position": position});
    if let ColumnType::Decimal { precision, scale } = column_type {
        column["type_precision"] = json!(precision);
        column["type_scale"] = json!(scale);
    }
    column
}
