//! A Statement Execution API answer (`manifest` and `result.data_array` of JSON
//! strings) read into genie-core's typed [`ResultSet`].

use genie_core::error::{PortError, PortErrorKind};
use genie_core::result::{Cell, Column, ColumnType, ResultSet};
use serde_json::Value;

/// The columns the manifest declares.
pub(crate) fn columns(manifest: &Value) -> Vec<Column> {
    manifest["schema"]["columns"]
        .as_array()
        .map(|columns| {
            columns
                .iter()
                .map(|column| Column {
                    name: column["name"].as_str().unwrap_or_default().to_owned(),
                    column_type: column_type(column),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn column_type(column: &Value) -> ColumnType {
    let precision = |key: &str| {
        column[key]
            .as_u64()
            .and_then(|value| u8::try_from(value).ok())
            .unwrap_or(0)
    };
    match column["type_name"].as_str().unwrap_or("STRING") {
        "BOOLEAN" => ColumnType::Boolean,
        "BYTE" => ColumnType::Byte,
        "SHORT" => ColumnType::Short,
        "INT" => ColumnType::Int,
        "LONG" => ColumnType::Long,
        "FLOAT" => ColumnType::Float,
        "DOUBLE" => ColumnType::Double,
        "DECIMAL" => ColumnType::Decimal {
            precision: precision("type_precision"),
            scale: precision("type_scale"),
        },
        "DATE" => ColumnType::Date,
        "TIMESTAMP" | "TIMESTAMP_NTZ" => ColumnType::Timestamp,
        "BINARY" => ColumnType::Binary,
        "INTERVAL" => ColumnType::Interval,
        "NULL" => ColumnType::Null,
        "ARRAY" | "MAP" | "STRUCT" => ColumnType::Nested,
        _ => ColumnType::String,
    }
}

/// The rows of one chunk (`data_array`), typed by `columns`.
pub(crate) fn rows(data: &Value, columns: &[Column]) -> Result<Vec<Vec<Cell>>, PortError> {
    let Some(rows) = data["data_array"].as_array() else {
        return Ok(Vec::new());
    };
    rows.iter()
        .map(|row| {
            let cells = row
                .as_array()
                .ok_or_else(|| malformed("a row is not an array"))?;
            if cells.len() != columns.len() {
                return Err(malformed(
                    "a row's length differs from the manifest's columns",
                ));
            }
            Ok(cells
                .iter()
                .zip(columns)
                .map(|(cell, column)| typed(cell, &column.column_type))
                .collect())
        })
        .collect()
}

/// One JSON cell (a string, or `null`) as a typed [`Cell`]; text that does not parse
/// as its type is kept as [`Cell::Other`].
fn typed(cell: &Value, column_type: &ColumnType) -> Cell {
    let text = match cell {
        Value::Null => return Cell::Null,
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    match column_type {
        ColumnType::Boolean => match text.as_str() {
            "true" => Cell::Boolean(true),
            "false" => Cell::Boolean(false),
            _ => Cell::Other(text),
        },
        ColumnType::Byte | ColumnType::Short | ColumnType::Int | ColumnType::Long => {
            text.parse().map_or(Cell::Other(text), Cell::Integer)
        }
        ColumnType::Float | ColumnType::Double => {
            text.parse().map_or(Cell::Other(text), Cell::Float)
        }
        ColumnType::Decimal { .. } => Cell::Decimal(text),
        ColumnType::Date => Cell::Date(text),
        ColumnType::Timestamp => Cell::Timestamp(text),
        ColumnType::String => Cell::String(text),
        _ => Cell::Other(text),
    }
}

fn malformed(message: &str) -> PortError {
    PortError::new(
        PortErrorKind::Other,
        format!("malformed statement result: {message}"),
    )
}

/// An empty result with the manifest's columns.
pub(crate) fn empty(manifest: &Value) -> ResultSet {
    ResultSet {
        columns: columns(manifest),
        rows: Vec::new(),
        truncated: manifest["truncated"].as_bool().unwrap_or(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cells_are_typed_by_the_manifest() {
        let manifest = json!({"schema": {"columns": [
            {"name": "a", "type_name": "INT"}, {"name": "b", "type_name": "DECIMAL", "type_precision": 10, "type_scale": 2},
            {"name": "c", "type_name": "BOOLEAN"}, {"name": "d", "type_name": "DATE"}, {"name": "e", "type_name": "DOUBLE"}]}});
        let columns = columns(&manifest);
        assert_eq!(
            columns[1].column_type,
            ColumnType::Decimal {
                precision: 10,
                scale: 2
            }
        );
        let data = json!({"data_array": [["1", "10.50", "true", "2024-01-05", "0.5"], [null, null, null, null, "x"]]});
        let rows = rows(&data, &columns).unwrap();
        assert_eq!(
            rows[0],
            [
                Cell::Integer(1),
                Cell::Decimal("10.50".into()),
                Cell::Boolean(true),
                Cell::Date("2024-01-05".into()),
                Cell::Float(0.5)
            ]
        );
        assert!(rows[1][..4].iter().all(Cell::is_null));
        assert_eq!(rows[1][4], Cell::Other("x".into()));
        assert!(super::rows(&json!({"data_array": [["1"]]}), &columns).is_err());
    }
}
