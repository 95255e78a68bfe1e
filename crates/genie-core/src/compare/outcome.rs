//! What a comparison found: the verdict, the reasons and a structured diff.

use serde::{Deserialize, Serialize};

use crate::result::{Cell, ColumnType};

/// The outcome of comparing an expected (ground-truth) result with an actual (Genie) result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Whether both results give the same answer (no failing [`DifferenceReason`]).
    pub equal: bool,
    /// For each expected column, the index of the actual column matched to it by content
    /// (`None` when the column is missing).
    pub column_mapping: Vec<Option<usize>>,
    /// Every reason found, failing and informational (see [`DifferenceReason::is_failure`]),
    /// in declaration order.
    pub reasons: Vec<DifferenceReason>,
    /// The differences in detail.
    pub diff: ResultDiff,
}

impl Comparison {
    /// The reasons that make the results unequal (without the informational ones).
    pub fn failure_reasons(&self) -> impl Iterator<Item = DifferenceReason> + '_ {
        self.reasons
            .iter()
            .copied()
            .filter(|reason| reason.is_failure())
    }
}

/// Why two results differ, mirroring the `assessment_reasons` of Databricks' benchmark evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum DifferenceReason {
    /// Expected rows have no equal actual row (reported when neither
    /// [`Self::SingleCellDifference`] nor [`Self::EmptyResult`] says it better).
    ResultMissingRows,
    /// Actual rows have no equal expected row (unless [`Self::SingleCellDifference`] says it better).
    ResultExtraRows,
    /// Expected columns have no matching actual column.
    ResultMissingColumns,
    /// The actual result has unmatched columns and the options do not allow extra columns.
    /// (Extra columns are always listed in [`ResultDiff::extra_columns`].)
    ResultExtraColumns,
    /// Both results have the same number of rows and differ in exactly one cell.
    SingleCellDifference,
    /// Informational: matched columns whose declared type families differ (e.g. string vs number).
    ColumnTypeDifference,
    /// The actual result is empty and the expected one is not.
    EmptyResult,
    /// Informational: the expected (ground-truth) result is empty, which proves little.
    EmptyGoodSql,
    /// The rows are the same but the order, which matters here, is not.
    RowOrderDifference,
}

impl DifferenceReason {
    /// Whether this reason makes the results unequal; informational reasons do not.
    pub fn is_failure(self) -> bool {
        !matches!(self, Self::ColumnTypeDifference | Self::EmptyGoodSql)
    }
}

/// The differences between two results, structured so a judge can put them into words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultDiff {
    /// Number of expected rows.
    pub expected_row_count: usize,
    /// Number of actual rows.
    pub actual_row_count: usize,
    /// Names of the expected columns with no matching actual column.
    pub missing_columns: Vec<String>,
    /// Names of the actual columns matched to no expected column (allowed or not).
    pub extra_columns: Vec<String>,
    /// Matched columns whose declared type families differ.
    pub column_type_differences: Vec<ColumnTypeMismatch>,
    /// How many expected rows (counting duplicates) have no equal actual row.
    pub missing_row_count: usize,
    /// The first few missing rows, as full expected rows in expected column order.
    pub missing_rows: Vec<Vec<Cell>>,
    /// How many actual rows (counting duplicates) have no equal expected row.
    pub extra_row_count: usize,
    /// The first few extra rows, as full actual rows in actual column order.
    pub extra_rows: Vec<Vec<Cell>>,
    /// The one differing cell, when the results differ in exactly one cell.
    pub single_cell_difference: Option<CellDifference>,
    /// When only the order differs: the first row position where the sequences part.
    pub first_row_order_difference: Option<usize>,
    /// Whether either result was cut by a row or byte limit (only the returned rows were compared).
    pub truncated: bool,
}

/// The one cell in which two otherwise equal results differ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellDifference {
    /// Index of the row in the expected result.
    pub row: usize,
    /// Index of the differing row in the actual result.
    pub actual_row: usize,
    /// Name of the expected column.
    pub expected_column: String,
    /// Name of the actual column matched to it.
    pub actual_column: String,
    /// The expected cell.
    pub expected: Cell,
    /// The actual cell.
    pub actual: Cell,
}

/// A matched pair of columns whose declared types belong to different families.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnTypeMismatch {
    /// Name of the expected column.
    pub expected_column: String,
    /// Name of the actual column matched to it.
    pub actual_column: String,
    /// The expected column's type.
    pub expected_type: ColumnType,
    /// The actual column's type.
    pub actual_type: ColumnType,
}
