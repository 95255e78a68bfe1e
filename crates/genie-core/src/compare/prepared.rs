//! One side of a comparison, prepared once: every cell hashed, column by column.

use super::value::{Tolerance, Value, mix};
use crate::result::{Cell, ResultSet};

/// Stands in for the cells of a short (malformed) row, so a bad result never panics a judge.
static MISSING_CELL: Cell = Cell::Null;

/// A result set with the hash of each of its cells, stored column-major.
#[derive(Debug)]
pub(super) struct PreparedResult<'a> {
    /// The result set itself.
    pub(super) result: &'a ResultSet,
    /// `hashes[column][row]`: the [`Tolerance::cell_hash`] of each cell.
    pub(super) hashes: Vec<Vec<u64>>,
    /// `numeric[column][row]`: whether the cell is a number (compared within tolerance).
    pub(super) numeric: Vec<Vec<bool>>,
    /// `numbers[column][row]`: the cell's number when it is one (else 0), parsed once so
    /// confirming a hash match reads a flat array instead of re-parsing the cell.
    pub(super) numbers: Vec<Vec<f64>>,
}

impl<'a> PreparedResult<'a> {
    /// Hashes every cell of `result`.
    pub(super) fn new(result: &'a ResultSet, tolerance: &Tolerance) -> Self {
        let rows = result.rows.len();
        let columns = result.columns.len();
        let mut hashes = Vec::with_capacity(columns);
        let mut numeric = Vec::with_capacity(columns);
        let mut numbers = Vec::with_capacity(columns);
        for column in 0..columns {
            let mut column_hashes = Vec::with_capacity(rows);
            let mut column_numeric = Vec::with_capacity(rows);
            let mut column_numbers = Vec::with_capacity(rows);
            for row in &result.rows {
                let value = Value::of(row.get(column).unwrap_or(&MISSING_CELL));
                column_hashes.push(tolerance.value_hash(value));
                let number = match value {
                    Value::Number(number) => Some(number),
                    _ => None,
                };
                column_numeric.push(number.is_some());
                column_numbers.push(number.unwrap_or_default());
            }
            hashes.push(column_hashes);
            numeric.push(column_numeric);
            numbers.push(column_numbers);
        }
        Self {
            result,
            hashes,
            numeric,
            numbers,
        }
    }

    /// Number of rows.
    pub(super) fn row_count(&self) -> usize {
        self.result.rows.len()
    }

    /// The cell at `row` and `column`; `NULL` when a malformed row is too short.
    pub(super) fn cell(&self, row: usize, column: usize) -> &'a Cell {
        self.result.rows[row].get(column).unwrap_or(&MISSING_CELL)
    }

    /// The hash of `row` restricted to `columns`, in that order.
    pub(super) fn row_hash(&self, row: usize, columns: &[usize]) -> u64 {
        let mut hash = ROW_SEED;
        for &column in columns {
            hash = mix(hash.rotate_left(23) ^ self.hashes[column][row]);
        }
        hash
    }

    /// An order-independent signature of the multiset of rows restricted to `columns`.
    pub(super) fn multiset_signature(&self, columns: &[usize]) -> MultisetSignature {
        MultisetSignature::of((0..self.row_count()).map(|row| self.row_hash(row, columns)))
    }
}

const ROW_SEED: u64 = 0x726f_7773_0000_0008;

/// An order-independent signature of a multiset of hashes: two multisets of equal
/// values (almost always) have equal signatures, whatever their order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct MultisetSignature {
    count: usize,
    sum: u64,
    xor: u64,
}

impl MultisetSignature {
    /// Folds the hashes of a multiset's members.
    pub(super) fn of(hashes: impl IntoIterator<Item = u64>) -> Self {
        hashes.into_iter().fold(
            Self {
                count: 0,
                sum: 0,
                xor: 0,
            },
            |signature, hash| Self {
                count: signature.count + 1,
                sum: signature.sum.wrapping_add(mix(hash)),
                xor: signature.xor ^ mix(hash ^ 0x5bd1_e995_0000_0009),
            },
        )
    }
}
