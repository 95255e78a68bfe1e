//! Arrow record batches to genie-core's typed rows.

use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{
    DataType, Decimal128Type, Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type,
    UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};
use genie_core::result::Cell;

use super::error::EngineError;

/// Appends every row of `batch` to `rows`, one [`Cell`] per column.
pub(crate) fn append_rows(
    batch: &RecordBatch,
    rows: &mut Vec<Vec<Cell>>,
) -> Result<(), EngineError> {
    let columns: Vec<Vec<Cell>> = batch
        .columns()
        .iter()
        .map(|array| column_cells(array.as_ref()))
        .collect::<Result<_, _>>()?;
    for row in 0..batch.num_rows() {
        rows.push(columns.iter().map(|column| column[row].clone()).collect());
    }
    Ok(())
}

/// The cells of one column.
fn column_cells(array: &dyn Array) -> Result<Vec<Cell>, EngineError> {
    let length = array.len();
    let cell = |row: usize, value: &dyn Fn(usize) -> Cell| {
        if array.is_null(row) {
            Cell::Null
        } else {
            value(row)
        }
    };
    let integers = |values: &dyn Fn(usize) -> i64| {
        (0..length)
            .map(|row| cell(row, &|r| Cell::Integer(values(r))))
            .collect()
    };
    Ok(match array.data_type() {
        DataType::Null => vec![Cell::Null; length],
        DataType::Boolean => {
            let values = array.as_boolean();
            (0..length)
                .map(|row| cell(row, &|r| Cell::Boolean(values.value(r))))
                .collect()
        }
        DataType::Int8 => integers(&|r| i64::from(array.as_primitive::<Int8Type>().value(r))),
        DataType::Int16 => integers(&|r| i64::from(array.as_primitive::<Int16Type>().value(r))),
        DataType::Int32 => integers(&|r| i64::from(array.as_primitive::<Int32Type>().value(r))),
        DataType::Int64 => integers(&|r| array.as_primitive::<Int64Type>().value(r)),
        DataType::UInt8 => integers(&|r| i64::from(array.as_primitive::<UInt8Type>().value(r))),
        DataType::UInt16 => integers(&|r| i64::from(array.as_primitive::<UInt16Type>().value(r))),
        DataType::UInt32 => integers(&|r| i64::from(array.as_primitive::<UInt32Type>().value(r))),
        DataType::UInt64 => {
            let values = array.as_primitive::<UInt64Type>();
            (0..length)
                .map(|row| {
                    cell(row, &|r| {
                        i64::try_from(values.value(r)).map_or_else(
                            |_| Cell::Decimal(values.value(r).to_string()),
                            Cell::Integer,
                        )
                    })
                })
                .collect()
        }
        DataType::Float32 => {
            let values = array.as_primitive::<Float32Type>();
            (0..length)
                .map(|row| cell(row, &|r| Cell::Float(f64::from(values.value(r)))))
                .collect()
        }
        DataType::Float64 => {
            let values = array.as_primitive::<Float64Type>();
            (0..length)
                .map(|row| cell(row, &|r| Cell::Float(values.value(r))))
                .collect()
        }
        DataType::Decimal128(_, _) => {
            let values = array.as_primitive::<Decimal128Type>();
            (0..length)
                .map(|row| cell(row, &|r| Cell::Decimal(values.value_as_string(r))))
                .collect()
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            let text = formatted(array)?;
            (0..length)
                .map(|row| cell(row, &|r| Cell::String(text[r].clone())))
                .collect()
        }
        DataType::Date32 | DataType::Date64 => {
            let text = formatted(array)?;
            (0..length)
                .map(|row| cell(row, &|r| Cell::Date(text[r].clone())))
                .collect()
        }
        DataType::Timestamp(_, _) => {
            let text = formatted(array)?;
            (0..length)
                .map(|row| cell(row, &|r| Cell::Timestamp(text[r].clone())))
                .collect()
        }
        _ => {
            let text = formatted(array)?;
            (0..length)
                .map(|row| cell(row, &|r| Cell::Other(text[r].clone())))
                .collect()
        }
    })
}

/// Every value of `array` as Arrow displays it (ISO dates and timestamps).
fn formatted(array: &dyn Array) -> Result<Vec<String>, EngineError> {
    let formatter = ArrayFormatter::try_new(array, &FormatOptions::default())
        .map_err(|error| EngineError::Execution(error.to_string()))?;
    Ok((0..array.len())
        .map(|row| formatter.value(row).to_string())
        .collect())
}
