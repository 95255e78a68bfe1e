//! Row matching: the rows of one side that have no equal row on the other, counting duplicates.
//!
//! Rows are multisets. A first pass pairs rows through a hash table keyed by the row
//! hash (linear in rows), confirming every pair with the real cell equality. Rows
//! left over can still be equal within tolerance when a number's hash fell on the
//! other side of a rounding boundary, so a second pass pairs the leftovers in groups
//! of equal exact cells and equal coarse number buckets (small groups, linear work).
//! The few rows with a number near a coarse boundary then meet in groups of equal
//! exact cells alone, where each column's numbers are sorted and cut into clusters of
//! values equal within tolerance; rows whose cells fall into the same clusters are
//! candidates, again confirmed cell by cell. Sorting costs `n log n` in those rows only.

use super::prepared::PreparedResult;
use super::value::{Tolerance, Value, mix};

/// The rows of each side left without a partner, ascending.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct RowMatching {
    /// Indices of expected rows with no equal actual row.
    pub(super) missing: Vec<usize>,
    /// Indices of actual rows with no equal expected row.
    pub(super) extra: Vec<usize>,
}

/// The columns two rows are compared over: pairs of (expected column, actual column).
pub(super) struct RowComparer<'p, 'a> {
    expected: &'p PreparedResult<'a>,
    actual: &'p PreparedResult<'a>,
    expected_columns: Vec<usize>,
    actual_columns: Vec<usize>,
    tolerance: Tolerance,
    expected_keys: RowKeys,
    actual_keys: RowKeys,
}

/// One side's mapped cells laid out row by row, so confirming a hash match touches
/// two small, adjacent pieces of memory per row instead of one array per column.
struct RowKeys {
    /// Per row: a hash of its non-numeric cells and of where its numbers are.
    exact: Vec<u64>,
    /// Per row, `width` numbers: each mapped cell's number (0 where not a number).
    numbers: Vec<f64>,
    /// Mapped columns per row.
    width: usize,
}

impl RowKeys {
    fn new(side: &PreparedResult<'_>, columns: &[usize]) -> Self {
        let rows = side.row_count();
        let mut exact = Vec::with_capacity(rows);
        let mut numbers = Vec::with_capacity(rows * columns.len());
        for row in 0..rows {
            let mut hash = EXACT_SEED;
            for &column in columns {
                let cell_hash = if side.numeric[column][row] {
                    numbers.push(side.numbers[column][row]);
                    NUMBER_MARK
                } else {
                    numbers.push(0.0);
                    side.hashes[column][row]
                };
                hash = mix(hash.rotate_left(17) ^ cell_hash);
            }
            exact.push(hash);
        }
        Self {
            exact,
            numbers,
            width: columns.len(),
        }
    }

    fn numbers(&self, row: usize) -> &[f64] {
        &self.numbers[row * self.width..(row + 1) * self.width]
    }
}

/// The most candidate pairs a leftover group checks directly before clustering its numbers.
const DIRECT_GROUP_PAIRS: usize = 256;
const NUMBER_SHAPE_SEED: u64 = 0x6e75_6d73_0000_000a;
const CLUSTER_SEED: u64 = 0x636c_7573_0000_000b;
const COARSE_SEED: u64 = 0x636f_6172_0000_000c;
const EXACT_SEED: u64 = 0x6578_6163_0000_000d;
const NUMBER_MARK: u64 = 0x6e75_6d62_0000_000e;

impl<'p, 'a> RowComparer<'p, 'a> {
    /// Compares rows over the mapped `pairs` of (expected column, actual column).
    pub(super) fn new(
        expected: &'p PreparedResult<'a>,
        actual: &'p PreparedResult<'a>,
        pairs: &[(usize, usize)],
        tolerance: Tolerance,
    ) -> Self {
        let (expected_columns, actual_columns): (Vec<usize>, Vec<usize>) =
            pairs.iter().copied().unzip();
        Self {
            expected_keys: RowKeys::new(expected, &expected_columns),
            actual_keys: RowKeys::new(actual, &actual_columns),
            expected,
            actual,
            expected_columns,
            actual_columns,
            tolerance,
        }
    }

    /// Whether expected row `expected_row` equals actual row `actual_row` on every mapped column.
    ///
    /// Reads prepared keys, not the rows: when the rows' non-numeric cells hash alike
    /// (exact hashes, so only a 2^-64 collision could mislead) only their numbers are
    /// compared, within tolerance; otherwise cell by cell.
    pub(super) fn rows_equal(&self, expected_row: usize, actual_row: usize) -> bool {
        if self.expected_keys.exact[expected_row] == self.actual_keys.exact[actual_row] {
            return self
                .expected_keys
                .numbers(expected_row)
                .iter()
                .zip(self.actual_keys.numbers(actual_row))
                .all(|(&expected, &actual)| self.tolerance.numbers_equal(expected, actual));
        }
        self.rows_equal_by_cells(expected_row, actual_row)
    }

    /// [`Self::rows_equal`] cell by cell: two numbers compare within tolerance, two
    /// non-numeric cells with equal hashes are equal, anything else compares the cells.
    fn rows_equal_by_cells(&self, expected_row: usize, actual_row: usize) -> bool {
        self.expected_columns.iter().zip(&self.actual_columns).all(
            |(&expected_column, &actual_column)| {
                let expected_numeric = self.expected.numeric[expected_column][expected_row];
                let actual_numeric = self.actual.numeric[actual_column][actual_row];
                match (expected_numeric, actual_numeric) {
                    (true, true) => self.tolerance.numbers_equal(
                        self.expected.numbers[expected_column][expected_row],
                        self.actual.numbers[actual_column][actual_row],
                    ),
                    (false, false)
                        if self.expected.hashes[expected_column][expected_row]
                            == self.actual.hashes[actual_column][actual_row] =>
                    {
                        true
                    }
                    _ => self.tolerance.cells_equal(
                        self.expected.cell(expected_row, expected_column),
                        self.actual.cell(actual_row, actual_column),
                    ),
                }
            },
        )
    }

    /// The mapped columns (index into the pairs) on which two rows differ.
    pub(super) fn differing_pairs(&self, expected_row: usize, actual_row: usize) -> Vec<usize> {
        (0..self.expected_columns.len())
            .filter(|&pair| {
                !self.tolerance.cells_equal(
                    self.expected
                        .cell(expected_row, self.expected_columns[pair]),
                    self.actual.cell(actual_row, self.actual_columns[pair]),
                )
            })
            .collect()
    }

    /// The first position where the two sides' rows differ, when both have the same rows.
    pub(super) fn first_order_difference(&self) -> Option<usize> {
        (0..self.expected.row_count().min(self.actual.row_count()))
            .find(|&row| !self.rows_equal(row, row))
    }

    /// Pairs equal rows as multisets and returns the rows left over on each side.
    pub(super) fn match_rows(&self) -> RowMatching {
        let mut matching = self.match_by_hash();
        if !matching.missing.is_empty() && !matching.extra.is_empty() {
            self.match_leftovers(&mut matching);
        }
        matching
    }

    /// First pass: rows with equal hashes, confirmed cell by cell.
    fn match_by_hash(&self) -> RowMatching {
        let mut chains = HashChains::with_capacity(self.actual.row_count());
        for row in (0..self.actual.row_count()).rev() {
            chains.push(self.actual.row_hash(row, &self.actual_columns), row);
        }
        let mut matched_actual = vec![false; self.actual.row_count()];
        let mut missing = Vec::new();
        for row in 0..self.expected.row_count() {
            let hash = self.expected.row_hash(row, &self.expected_columns);
            match chains.take_first(hash, |actual_row| self.rows_equal(row, actual_row)) {
                Some(actual_row) => matched_actual[actual_row] = true,
                None => missing.push(row),
            }
        }
        let extra = (0..matched_actual.len())
            .filter(|&row| !matched_actual[row])
            .collect();
        RowMatching { missing, extra }
    }

    /// Second pass over the leftovers.
    ///
    /// Rows first meet in groups of equal exact cells and equal coarse number buckets
    /// ([`Tolerance::coarse_number_key`]), which keeps groups small. Two rows equal
    /// within tolerance can only miss each other there when both have a number near a
    /// coarse bucket boundary, so the few such rows left over then meet again in groups
    /// of equal exact cells alone, where numbers are clustered.
    fn match_leftovers(&self, matching: &mut RowMatching) {
        let expected_keys: Vec<(u64, bool)> = matching
            .missing
            .iter()
            .map(|&row| self.coarse_shape(self.expected, &self.expected_columns, row))
            .collect();
        let actual_keys: Vec<(u64, bool)> = matching
            .extra
            .iter()
            .map(|&row| self.coarse_shape(self.actual, &self.actual_columns, row))
            .collect();
        let expected_shapes: Vec<u64> = expected_keys.iter().map(|key| key.0).collect();
        let actual_shapes: Vec<u64> = actual_keys.iter().map(|key| key.0).collect();
        let (mut matched_missing, mut matched_extra) = self.match_groups(
            &matching.missing,
            &matching.extra,
            &expected_shapes,
            &actual_shapes,
        );

        let near_expected: Vec<usize> = (0..matching.missing.len())
            .filter(|&slot| !matched_missing[slot] && expected_keys[slot].1)
            .collect();
        let near_actual: Vec<usize> = (0..matching.extra.len())
            .filter(|&slot| !matched_extra[slot] && actual_keys[slot].1)
            .collect();
        if !near_expected.is_empty() && !near_actual.is_empty() {
            let expected_rows: Vec<usize> = near_expected
                .iter()
                .map(|&slot| matching.missing[slot])
                .collect();
            let actual_rows: Vec<usize> = near_actual
                .iter()
                .map(|&slot| matching.extra[slot])
                .collect();
            let expected_shapes: Vec<u64> = expected_rows
                .iter()
                .map(|&row| Self::exact_shape(self.expected, &self.expected_columns, row))
                .collect();
            let actual_shapes: Vec<u64> = actual_rows
                .iter()
                .map(|&row| Self::exact_shape(self.actual, &self.actual_columns, row))
                .collect();
            let (expected_flags, actual_flags) = self.match_groups(
                &expected_rows,
                &actual_rows,
                &expected_shapes,
                &actual_shapes,
            );
            for (index, &slot) in near_expected.iter().enumerate() {
                matched_missing[slot] |= expected_flags[index];
            }
            for (index, &slot) in near_actual.iter().enumerate() {
                matched_extra[slot] |= actual_flags[index];
            }
        }
        retain_unmatched(&mut matching.missing, &matched_missing);
        retain_unmatched(&mut matching.extra, &matched_extra);
    }

    /// Pairs `expected_rows` with `actual_rows` inside groups of equal shape hashes:
    /// small groups directly (each expected row tries the group's actual rows), a group
    /// with more than [`DIRECT_GROUP_PAIRS`] candidate pairs by clustering its numbers.
    /// Returns which rows of each list found a partner.
    fn match_groups(
        &self,
        expected_rows: &[usize],
        actual_rows: &[usize],
        expected_shapes: &[u64],
        actual_shapes: &[u64],
    ) -> (Vec<bool>, Vec<bool>) {
        let mut expected_groups = HashChains::with_capacity(expected_rows.len());
        for slot in (0..expected_rows.len()).rev() {
            expected_groups.push(expected_shapes[slot], slot);
        }
        let mut actual_groups = HashChains::with_capacity(actual_rows.len());
        for slot in (0..actual_rows.len()).rev() {
            actual_groups.push(actual_shapes[slot], slot);
        }
        let mut matched_expected = vec![false; expected_rows.len()];
        let mut matched_actual = vec![false; actual_rows.len()];
        let mut clustered = vec![false; expected_rows.len()];
        for slot in 0..expected_rows.len() {
            let shape = expected_shapes[slot];
            let candidates = actual_groups.length(shape);
            if clustered[slot] || candidates == 0 {
                continue;
            }
            if expected_groups.length(shape) * candidates <= DIRECT_GROUP_PAIRS {
                let expected_row = expected_rows[slot];
                let found = actual_groups.take_first(shape, |actual_slot| {
                    self.rows_equal(expected_row, actual_rows[actual_slot])
                });
                if let Some(actual_slot) = found {
                    matched_expected[slot] = true;
                    matched_actual[actual_slot] = true;
                }
                continue;
            }
            let expected_slots = expected_groups.items(shape);
            let actual_slots = actual_groups.items(shape);
            let group_expected: Vec<usize> = expected_slots
                .iter()
                .map(|&slot| expected_rows[slot])
                .collect();
            let group_actual: Vec<usize> =
                actual_slots.iter().map(|&slot| actual_rows[slot]).collect();
            for (expected_index, actual_index) in
                self.match_group_by_clusters(&group_expected, &group_actual)
            {
                matched_expected[expected_slots[expected_index]] = true;
                matched_actual[actual_slots[actual_index]] = true;
            }
            for &slot in &expected_slots {
                clustered[slot] = true;
            }
        }
        (matched_expected, matched_actual)
    }

    /// A hash of a row's exact cells and of the coarse buckets of its numbers, and
    /// whether any of its numbers is near a coarse bucket boundary.
    fn coarse_shape(
        &self,
        side: &PreparedResult<'_>,
        columns: &[usize],
        row: usize,
    ) -> (u64, bool) {
        let mut hash: u64 = 0;
        let mut near = false;
        for &column in columns {
            let cell_hash = if side.numeric[column][row] {
                match Value::of(side.cell(row, column)) {
                    Value::Number(number) => {
                        near |= self.tolerance.near_coarse_boundary(number);
                        mix(COARSE_SEED ^ self.tolerance.coarse_number_key(number))
                    }
                    _ => side.hashes[column][row],
                }
            } else {
                side.hashes[column][row]
            };
            hash = mix(hash.rotate_left(23) ^ cell_hash);
        }
        (hash, near)
    }

    /// A hash of a row's exact cells, with each number replaced by a marker: rows equal
    /// within tolerance always share it.
    fn exact_shape(side: &PreparedResult<'_>, columns: &[usize], row: usize) -> u64 {
        let mut hash: u64 = 0;
        for &column in columns {
            let cell_hash = if side.numeric[column][row] {
                mix(NUMBER_SHAPE_SEED)
            } else {
                side.hashes[column][row]
            };
            hash = mix(hash.rotate_left(23) ^ cell_hash);
        }
        hash
    }

    /// Pairing of a large group: each column's numbers are sorted and cut into clusters
    /// wherever neighbours differ by more than the tolerance, so equal numbers always
    /// share a cluster; rows are then paired through a hash of their cluster ids.
    fn match_group_by_clusters(
        &self,
        expected_rows: &[usize],
        actual_rows: &[usize],
    ) -> Vec<(usize, usize)> {
        let width = self.expected_columns.len();
        let slots = expected_rows.len() + actual_rows.len();
        let cell_at = |slot: usize, pair: usize| {
            if slot < expected_rows.len() {
                self.expected
                    .cell(expected_rows[slot], self.expected_columns[pair])
            } else {
                self.actual.cell(
                    actual_rows[slot - expected_rows.len()],
                    self.actual_columns[pair],
                )
            }
        };
        let mut clusters = vec![u64::MAX; slots * width];
        for pair in 0..width {
            let mut numbers: Vec<(f64, usize)> = (0..slots)
                .filter_map(|slot| match Value::of(cell_at(slot, pair)) {
                    Value::Number(number) => Some((number, slot)),
                    _ => None,
                })
                .collect();
            numbers.sort_unstable_by(|left, right| left.0.total_cmp(&right.0));
            let mut cluster = 0_u64;
            let mut previous = None;
            for (number, slot) in numbers {
                if previous.is_some_and(|previous| !self.tolerance.numbers_equal(previous, number))
                {
                    cluster += 1;
                }
                previous = Some(number);
                clusters[slot * width + pair] = cluster;
            }
        }
        let cluster_hash = |slot: usize| {
            (0..width).fold(0, |hash: u64, pair| {
                let cell_hash = match clusters[slot * width + pair] {
                    u64::MAX => self.tolerance.cell_hash(cell_at(slot, pair)),
                    cluster => mix(CLUSTER_SEED ^ cluster),
                };
                mix(hash.rotate_left(23) ^ cell_hash)
            })
        };
        let mut chains = HashChains::with_capacity(actual_rows.len());
        for index in (0..actual_rows.len()).rev() {
            chains.push(cluster_hash(expected_rows.len() + index), index);
        }
        let mut pairs = Vec::new();
        for (expected_index, &expected_row) in expected_rows.iter().enumerate() {
            let found = chains.take_first(cluster_hash(expected_index), |actual_index| {
                self.rows_equal(expected_row, actual_rows[actual_index])
            });
            if let Some(actual_index) = found {
                pairs.push((expected_index, actual_index));
            }
        }
        pairs
    }
}

/// Keeps the entries of `rows` whose `matched` flag is false.
fn retain_unmatched(rows: &mut Vec<usize>, matched: &[bool]) {
    let mut index = 0;
    rows.retain(|_| {
        let keep = !matched[index];
        index += 1;
        keep
    });
}

/// Items grouped by a precomputed 64-bit hash, as singly linked chains in insertion
/// order reversed, from which matching items are taken one at a time.
///
/// The chain heads live in a small open-addressing table (linear probing, at most
/// half full) rather than a `HashMap`: the keys already are well-mixed hashes, and the
/// plain loops over zero-initialised vectors stay fast in unoptimised builds. Items are
/// stored plus one, so that zero can mean "nothing".
struct HashChains {
    /// The hash held by each slot.
    hashes: Vec<u64>,
    /// Per slot: 0 when unused, [`EMPTY_CHAIN`] when every item was taken, else the first item plus one.
    heads: Vec<usize>,
    /// Per slot: how many items its chain holds.
    lengths: Vec<usize>,
    /// Per item: the next item of its chain plus one, or 0 at the end.
    next: Vec<usize>,
    /// The table size minus one (a power of two minus one), to wrap slot indices.
    mask: usize,
    /// `mask` as a `u64`, to pick a hash's first slot.
    hash_mask: u64,
}

/// A used slot whose chain has no items left.
const EMPTY_CHAIN: usize = usize::MAX;

impl HashChains {
    fn with_capacity(capacity: usize) -> Self {
        let size = (capacity * 2).next_power_of_two().max(8);
        Self {
            hashes: vec![0; size],
            heads: vec![0; size],
            lengths: vec![0; size],
            next: vec![0; capacity],
            mask: size - 1,
            hash_mask: u64::try_from(size - 1).unwrap_or(u64::MAX),
        }
    }

    /// The slot holding `hash`, or the unused slot where it belongs.
    fn slot_of(&self, hash: u64) -> usize {
        let mut index = usize::try_from(hash & self.hash_mask).unwrap_or_default();
        while self.heads[index] != 0 && self.hashes[index] != hash {
            index = (index + 1) & self.mask;
        }
        index
    }

    /// Adds `item` (below the capacity) at the front of the chain of `hash`.
    fn push(&mut self, hash: u64, item: usize) {
        let index = self.slot_of(hash);
        let head = self.heads[index];
        self.hashes[index] = hash;
        self.next[item] = if head == EMPTY_CHAIN { 0 } else { head };
        self.heads[index] = item + 1;
        self.lengths[index] += 1;
    }

    /// How many items the chain of `hash` holds.
    fn length(&self, hash: u64) -> usize {
        self.lengths[self.slot_of(hash)]
    }

    /// The items of the chain of `hash`, in chain order.
    fn items(&self, hash: u64) -> Vec<usize> {
        let index = self.slot_of(hash);
        let mut items = Vec::with_capacity(self.lengths[index]);
        let mut current = self.heads[index];
        while current != 0 && current != EMPTY_CHAIN {
            items.push(current - 1);
            current = self.next[current - 1];
        }
        items
    }

    /// Removes and returns the first item of the chain of `hash` that `accept`s.
    fn take_first(&mut self, hash: u64, mut accept: impl FnMut(usize) -> bool) -> Option<usize> {
        let index = self.slot_of(hash);
        let mut previous = 0;
        let mut current = self.heads[index];
        while current != 0 && current != EMPTY_CHAIN {
            let item = current - 1;
            if accept(item) {
                let following = self.next[item];
                if previous == 0 {
                    self.heads[index] = if following == 0 {
                        EMPTY_CHAIN
                    } else {
                        following
                    };
                } else {
                    self.next[previous - 1] = following;
                }
                self.lengths[index] -= 1;
                return Some(item);
            }
            previous = current;
            current = self.next[item];
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::{RowComparer, RowMatching};
    use crate::compare::ComparisonOptions;
    use crate::compare::prepared::PreparedResult;
    use crate::compare::value::Tolerance;
    use crate::result::{Cell, Column, ColumnType, ResultSet};

    fn table(rows: Vec<Vec<Cell>>) -> ResultSet {
        let width = rows.first().map_or(0, Vec::len);
        ResultSet {
            columns: (0..width)
                .map(|index| Column {
                    name: format!("column_{index}"),
                    column_type: ColumnType::Double,
                })
                .collect(),
            rows,
            truncated: false,
        }
    }

    /// Matches the rows of two tables over their columns in order.
    fn check(expected: &ResultSet, actual: &ResultSet) -> RowMatching {
        let tolerance = Tolerance::new(&ComparisonOptions::default());
        let expected = PreparedResult::new(expected, &tolerance);
        let actual = PreparedResult::new(actual, &tolerance);
        let pairs: Vec<(usize, usize)> = (0..expected.hashes.len())
            .map(|column| (column, column))
            .collect();
        RowComparer::new(&expected, &actual, &pairs, tolerance).match_rows()
    }

    /// How many expected rows the hash pass alone leaves unpaired (to show a test reaches the second pass).
    fn leftovers_after_hashing(expected: &ResultSet, actual: &ResultSet) -> usize {
        let tolerance = Tolerance::new(&ComparisonOptions::default());
        let expected = PreparedResult::new(expected, &tolerance);
        let actual = PreparedResult::new(actual, &tolerance);
        let pairs: Vec<(usize, usize)> = (0..expected.hashes.len())
            .map(|column| (column, column))
            .collect();
        RowComparer::new(&expected, &actual, &pairs, tolerance)
            .match_by_hash()
            .missing
            .len()
    }

    fn floats(values: &[f64]) -> ResultSet {
        table(
            values
                .iter()
                .map(|value| vec![Cell::Float(*value)])
                .collect(),
        )
    }

    #[test]
    fn duplicates_count() {
        let matching = check(&floats(&[1.0, 1.0, 2.0]), &floats(&[2.0, 1.0, 2.0]));
        assert_eq!(
            matching,
            RowMatching {
                missing: vec![1],
                extra: vec![2]
            }
        );
    }

    #[test]
    fn leftovers_split_by_a_rounding_boundary_still_match() {
        // Values within tolerance of each other but (for many of them) in different hash buckets.
        let expected: Vec<f64> = (1..=500).map(|step| f64::from(step) * 1.37).collect();
        let actual: Vec<f64> = expected
            .iter()
            .rev()
            .map(|value| value * (1.0 + 9e-7))
            .collect();
        let (expected, actual) = (floats(&expected), floats(&actual));
        assert!(leftovers_after_hashing(&expected, &actual) > 50);
        assert_eq!(check(&expected, &actual), RowMatching::default());
    }

    #[test]
    fn large_leftover_groups_are_clustered() {
        // Same text key on every row and numbers packed inside one coarse bucket (about
        // 0.5 wide around 1000), noisy near the tolerance: the leftovers form one group too
        // big to pair directly.
        let rows = |scale: f64| -> Vec<Vec<Cell>> {
            (1..=100)
                .map(|step| {
                    vec![
                        Cell::String("key".to_owned()),
                        Cell::Float((1000.0 + f64::from(step) * 0.002) * scale),
                    ]
                })
                .collect()
        };
        let expected = table(rows(1.0));
        let mut actual = table(rows(1.0 + 9e-7));
        actual.rows.reverse();
        assert!(leftovers_after_hashing(&expected, &actual) > 16);
        assert_eq!(check(&expected, &actual), RowMatching::default());
        let mut wrong = table(rows(1.0 + 9e-7));
        wrong.rows[7][1] = Cell::Float(-1.0);
        assert_eq!(
            check(&expected, &wrong),
            RowMatching {
                missing: vec![7],
                extra: vec![7]
            }
        );
    }

    #[test]
    fn clustering_pairs_numbers_equal_within_tolerance() {
        let tolerance = Tolerance::new(&ComparisonOptions::default());
        let values: Vec<f64> = (1..=40).map(|step| f64::from(step) * 0.5).collect();
        let noisy: Vec<f64> = values
            .iter()
            .rev()
            .map(|value| value * (1.0 + 9e-7))
            .collect();
        let (expected, mut actual) = (floats(&values), floats(&noisy));
        actual.rows[0][0] = Cell::Float(-3.0);
        let expected = PreparedResult::new(&expected, &tolerance);
        let actual = PreparedResult::new(&actual, &tolerance);
        let comparer = RowComparer::new(&expected, &actual, &[(0, 0)], tolerance);
        let rows: Vec<usize> = (0..40).collect();
        let mut pairs = comparer.match_group_by_clusters(&rows, &rows);
        pairs.sort_unstable();
        // Every expected row but the last (20.0, whose partner became -3.0) finds its mirror.
        assert_eq!(
            pairs,
            (0..39).map(|row| (row, 39 - row)).collect::<Vec<_>>()
        );
    }

    #[test]
    fn order_difference_is_found() {
        let tolerance = Tolerance::new(&ComparisonOptions::default());
        let expected = floats(&[1.0, 2.0, 3.0]);
        let actual = floats(&[1.0, 3.0, 2.0]);
        let expected = PreparedResult::new(&expected, &tolerance);
        let actual = PreparedResult::new(&actual, &tolerance);
        let comparer = RowComparer::new(&expected, &actual, &[(0, 0)], tolerance);
        assert_eq!(comparer.match_rows(), RowMatching::default());
        assert_eq!(comparer.first_order_difference(), Some(1));
    }
}
