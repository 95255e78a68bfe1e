//! The knobs of a result-set comparison: numeric tolerances, row order, extra columns.

use serde::{Deserialize, Serialize};

/// How [`compare_results`](super::compare_results) decides that two result sets give the same answer.
///
/// The defaults suit the `result_correctness` judge: numbers equal within a relative
/// tolerance of one part in a million, row order ignored, extra Genie columns allowed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ComparisonOptions {
    /// Two numbers are equal when they differ by at most this fraction of the larger magnitude.
    pub relative_tolerance: f64,
    /// Two numbers are always equal when they differ by at most this much (numbers near zero).
    pub absolute_tolerance: f64,
    /// Whether the sequence of rows must match too; the caller sets it only when the
    /// ground truth has both `ORDER BY` and `LIMIT`.
    pub order_matters: bool,
    /// Whether the actual result may have columns the expected result does not.
    pub allow_extra_columns: bool,
    /// How many example rows a [`ResultDiff`](super::ResultDiff) keeps for each kind of difference.
    pub max_examples: usize,
}

impl Default for ComparisonOptions {
    fn default() -> Self {
        Self {
            relative_tolerance: 1e-6,
            absolute_tolerance: 1e-9,
            order_matters: false,
            allow_extra_columns: true,
            max_examples: 5,
        }
    }
}
