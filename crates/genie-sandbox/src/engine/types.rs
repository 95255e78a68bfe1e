//! Types: `schema.sql` column types to Arrow, and Arrow to Databricks' `type_name`s.

use datafusion::arrow::datatypes::{DataType, TimeUnit};
use genie_core::result::ColumnType;
use sqlparser::ast::{DataType as SqlType, ExactNumberInfo};

/// The Arrow type for a `schema.sql` column type, or `None` outside the binding format
/// (INT, BIGINT, SMALLINT, DOUBLE, FLOAT, DECIMAL(p,s), VARCHAR, STRING, BOOLEAN, DATE,
/// TIMESTAMP, and their usual spellings).
pub(crate) fn arrow_type(sql_type: &SqlType) -> Option<DataType> {
    Some(match sql_type {
        SqlType::TinyInt(_) => DataType::Int8,
        SqlType::SmallInt(_) => DataType::Int16,
        SqlType::Int(_) | SqlType::Integer(_) => DataType::Int32,
        SqlType::BigInt(_) | SqlType::Int64 => DataType::Int64,
        SqlType::Float(_) | SqlType::Real => DataType::Float32,
        SqlType::Double(_) | SqlType::Float64 | SqlType::DoublePrecision => DataType::Float64,
        SqlType::Decimal(info) | SqlType::Numeric(info) => {
            let (precision, scale) = match info {
                ExactNumberInfo::None => (10, 0),
                ExactNumberInfo::Precision(precision) => (*precision, 0),
                ExactNumberInfo::PrecisionAndScale(precision, scale) => (*precision, *scale),
            };
            DataType::Decimal128(u8::try_from(precision).ok()?, i8::try_from(scale).ok()?)
        }
        SqlType::Varchar(_) | SqlType::Char(_) | SqlType::String(_) | SqlType::Text => {
            DataType::Utf8
        }
        SqlType::Boolean | SqlType::Bool => DataType::Boolean,
        SqlType::Date => DataType::Date32,
        SqlType::Timestamp(_, _) => DataType::Timestamp(TimeUnit::Microsecond, None),
        _ => return None,
    })
}

/// The Databricks column type of an Arrow type.
pub(crate) fn column_type(data_type: &DataType) -> ColumnType {
    match data_type {
        DataType::Boolean => ColumnType::Boolean,
        DataType::Int8 | DataType::UInt8 => ColumnType::Byte,
        DataType::Int16 | DataType::UInt16 => ColumnType::Short,
        DataType::Int32 | DataType::UInt32 => ColumnType::Int,
        DataType::Int64 | DataType::UInt64 => ColumnType::Long,
        DataType::Float16 | DataType::Float32 => ColumnType::Float,
        DataType::Float64 => ColumnType::Double,
        DataType::Decimal32(precision, scale)
        | DataType::Decimal64(precision, scale)
        | DataType::Decimal128(precision, scale)
        | DataType::Decimal256(precision, scale) => ColumnType::Decimal {
            precision: *precision,
            scale: u8::try_from(*scale).unwrap_or(0),
        },
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => ColumnType::String,
        DataType::Date32 | DataType::Date64 => ColumnType::Date,
        DataType::Timestamp(_, _) => ColumnType::Timestamp,
        DataType::Binary
        | DataType::LargeBinary
        | DataType::BinaryView
        | DataType::FixedSizeBinary(_) => ColumnType::Binary,
        DataType::Interval(_) | DataType::Duration(_) => ColumnType::Interval,
        DataType::Null => ColumnType::Null,
        _ => ColumnType::Nested,
    }
}

/// Databricks' name (`type_name`, as in `information_schema.columns.data_type`) and SQL
/// text (`DECIMAL(10,2)`) of an Arrow type.
pub(crate) fn databricks_type(data_type: &DataType) -> (&'static str, String) {
    type_names(&column_type(data_type))
}

/// Databricks' `type_name` and SQL type text of a column type (nested types are sent as
/// their JSON text, so as `STRING`).
pub(crate) fn type_names(column_type: &ColumnType) -> (&'static str, String) {
    match column_type {
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
        _ => ("STRING", "STRING".to_owned()),
    }
}
