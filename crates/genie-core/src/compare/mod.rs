//! Result-set comparison for the `result_correctness` judge (DESIGN §5).
//!
//! [`compare_results`] decides whether Genie's result gives the same answer as the
//! ground truth's: columns matched by content, rows as multisets, numbers within a
//! tolerance, linear in rows. The [`Comparison`] it returns names the
//! [`DifferenceReason`]s and carries a [`ResultDiff`] a judge can explain.

mod columns;
mod comparison;
mod explain;
mod options;
mod outcome;
mod prepared;
mod rows;
mod temporal;
mod value;

#[cfg(test)]
mod property_tests;

pub use comparison::compare_results;
pub use options::ComparisonOptions;
pub use outcome::{CellDifference, ColumnTypeMismatch, Comparison, DifferenceReason, ResultDiff};
