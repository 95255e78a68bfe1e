//! Result sets: the typed rows a warehouse returns for one statement.
//!
//! Databricks' statement API sends every non-null cell as a string and names each
//! column's type (`type_name`). Backends turn that into a [`ResultSet`] of typed
//! [`Cell`]s once, so every judge compares the same values the same way.

use serde::{Deserialize, Serialize};

/// The type of one result column, following Databricks' `type_name` values.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum ColumnType {
    /// `BOOLEAN`.
    Boolean,
    /// `BYTE` (TINYINT).
    Byte,
    /// `SHORT` (SMALLINT).
    Short,
    /// `INT`.
    Int,
    /// `LONG` (BIGINT).
    Long,
    /// `FLOAT`.
    Float,
    /// `DOUBLE`.
    Double,
    /// `DECIMAL(precision, scale)`.
    Decimal {
        /// Total number of digits.
        precision: u8,
        /// Digits after the decimal point.
        scale: u8,
    },
    /// `STRING` (also VARCHAR and CHAR).
    String,
    /// `DATE`.
    Date,
    /// `TIMESTAMP`.
    Timestamp,
    /// `BINARY`.
    Binary,
    /// `INTERVAL`.
    Interval,
    /// `ARRAY`, `MAP`, `STRUCT` and any other nested type, kept as its JSON text.
    Nested,
    /// `NULL` (an untyped null literal).
    Null,
}

impl ColumnType {
    /// Whether cells of this type are compared numerically (with tolerance).
    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            Self::Byte
                | Self::Short
                | Self::Int
                | Self::Long
                | Self::Float
                | Self::Double
                | Self::Decimal { .. }
        )
    }
}

/// One named, typed column of a [`ResultSet`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Column {
    /// The column's name as the query produced it (aliases included).
    pub name: String,
    /// The column's type.
    #[serde(rename = "type")]
    pub column_type: ColumnType,
}

/// One typed cell value.
///
/// Numbers keep the kind the engine produced; comparison decides how kinds meet
/// (an `Int` 3 equals a `Decimal` "3.00" within tolerance).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Cell {
    /// SQL `NULL`.
    Null,
    /// A boolean.
    Boolean(bool),
    /// An integer of any width.
    Integer(i64),
    /// A binary floating-point number.
    Float(f64),
    /// An exact decimal, kept as the engine's text (`"10.50"`), so nothing is rounded on the way in.
    Decimal(String),
    /// A string.
    String(String),
    /// A date as `YYYY-MM-DD`.
    Date(String),
    /// A timestamp as the engine printed it (ISO 8601).
    Timestamp(String),
    /// Anything else (binary, interval, nested), as text.
    Other(String),
}

impl Cell {
    /// The cell as a number when it is one (integer, float or decimal).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Self::Integer(i) => {
                #[expect(
                    clippy::cast_precision_loss,
                    reason = "comparison is tolerance-based; i64 beyond 2^53 loses only sub-tolerance digits"
                )]
                let f = *i as f64;
                Some(f)
            }
            Self::Float(f) => Some(*f),
            Self::Decimal(text) => text.trim().parse().ok(),
            _ => None,
        }
    }

    /// Whether the cell is SQL `NULL`.
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }
}

/// The result of one statement: columns and rows, plus whether the engine cut rows.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ResultSet {
    /// The columns, in the order the query produced them.
    pub columns: Vec<Column>,
    /// The rows; every row has one cell per column.
    pub rows: Vec<Vec<Cell>>,
    /// True when a row or byte limit cut the result (the comparison then reports it).
    #[serde(default)]
    pub truncated: bool,
}

impl ResultSet {
    /// Number of rows.
    pub fn row_count(&self) -> usize {
        self.rows.len()
    }

    /// Whether the result has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}
