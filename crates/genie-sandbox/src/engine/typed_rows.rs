//! Text cells typed by a table's declared columns: the one way `schema.sql` data (CSV
//! files and literal `INSERT … VALUES` rows) becomes Arrow arrays, without planning SQL.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, StringArray};
use datafusion::arrow::compute::{CastOptions, cast_with_options};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;

use super::types::databricks_type;

/// A batch of `columns` from `texts` (one list per column, one entry per row; `None`
/// is NULL). A cell that is not a valid value of its column's type is an error naming
/// the row (0-based), the column and the value.
pub(crate) fn typed_batch(
    columns: &[(String, DataType)],
    texts: Vec<Vec<Option<&str>>>,
) -> Result<RecordBatch, (usize, String)> {
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(columns.len());
    for ((name, data_type), column) in columns.iter().zip(texts) {
        let strings = StringArray::from(column);
        let options = CastOptions {
            safe: true,
            ..CastOptions::default()
        };
        let typed = cast_with_options(&strings, data_type, &options)
            .map_err(|error| (0, format!("column `{name}`: {error}")))?;
        if let Some(row) =
            (0..strings.len()).find(|&row| strings.is_valid(row) && typed.is_null(row))
        {
            return Err((
                row,
                format!(
                    "column `{name}`: `{}` is not a valid {}",
                    strings.value(row),
                    databricks_type(data_type).1
                ),
            ));
        }
        arrays.push(typed);
    }
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, data_type)| Field::new(name, data_type.clone(), true))
        .collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays)
        .map_err(|error| (0, error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_typed_and_bad_ones_named() {
        let columns = vec![
            ("id".to_owned(), DataType::Int32),
            ("amount".to_owned(), DataType::Decimal128(10, 2)),
            ("day".to_owned(), DataType::Date32),
        ];
        let batch = typed_batch(
            &columns,
            vec![
                vec![Some("1"), Some("2")],
                vec![Some("10.50"), None],
                vec![Some("2024-01-05"), Some("2024-02-29")],
            ],
        )
        .unwrap();
        assert_eq!((batch.num_rows(), batch.num_columns()), (2, 3));
        assert!(batch.column(1).is_null(1));
        let error = typed_batch(&columns[..1], vec![vec![Some("1"), Some("x")]]).unwrap_err();
        assert_eq!(error, (1, "column `id`: `x` is not a valid INT".to_owned()));
    }
}
