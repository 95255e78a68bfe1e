//! Column matching: which actual column holds each expected column's values.
//!
//! Columns meet by content, not by name or position, in three passes:
//!
//! 1. **Same content, by hash.** Each column's multiset of cell hashes gives an
//!    order-independent signature; columns with equal signatures hold the same values.
//!    When several columns share a signature (two count columns holding the same
//!    numbers in different rows), the candidate assignments of all such groups are
//!    searched together, in order of preference, for one under which the rows line up
//!    (the joint multiset of rows over the matched columns agrees on both sides).
//! 2. **Same content, within tolerance.** Columns whose values differ only by numeric
//!    noise hash differently; for the columns still unmatched, both sides are sorted
//!    and compared value by value with the real tolerance.
//! 3. **Fallback.** Remaining expected columns take a remaining actual column of a
//!    compatible type family, so a single differing cell or missing rows can still be
//!    described. An expected column left without a partner is missing.
//!
//! Within each pass, ties go to the case-insensitively equal name, then the name equal
//! up to punctuation and case, then the nearest position.

use std::collections::HashMap;

use super::prepared::{MultisetSignature, PreparedResult};
use super::value::{Tolerance, Value};
use crate::result::ColumnType;

/// Matches columns; returns, for each expected column, the index of its actual column.
pub(super) fn match_columns(
    expected: &PreparedResult<'_>,
    actual: &PreparedResult<'_>,
    tolerance: &Tolerance,
) -> Vec<Option<usize>> {
    let mut matcher = ColumnMatcher {
        expected,
        actual,
        mapping: vec![None; expected.hashes.len()],
        used: vec![false; actual.hashes.len()],
    };
    matcher.match_by_hashed_content();
    if expected.row_count() == actual.row_count() {
        matcher.match_by_tolerant_content(tolerance);
    }
    matcher.match_by_type_family();
    matcher.mapping
}

/// The broad kind of a column's declared type; only columns of compatible families
/// fall back onto each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TypeFamily {
    Boolean,
    Number,
    Text,
    Temporal,
    Other,
    /// An untyped `NULL` column, compatible with every family.
    Null,
}

impl TypeFamily {
    /// The family of a declared column type.
    pub(super) fn of(column_type: &ColumnType) -> Self {
        match column_type {
            ColumnType::Boolean => Self::Boolean,
            ColumnType::Byte
            | ColumnType::Short
            | ColumnType::Int
            | ColumnType::Long
            | ColumnType::Float
            | ColumnType::Double
            | ColumnType::Decimal { .. } => Self::Number,
            ColumnType::String => Self::Text,
            ColumnType::Date | ColumnType::Timestamp => Self::Temporal,
            ColumnType::Binary | ColumnType::Interval | ColumnType::Nested => Self::Other,
            ColumnType::Null => Self::Null,
        }
    }

    /// Whether columns of these families may be matched by the fallback pass.
    pub(super) fn is_compatible_with(self, other: Self) -> bool {
        self == other || self == Self::Null || other == Self::Null
    }
}

/// How many row hashes the search among ambiguous groups may compute (it is cut down
/// to fewer tries on large results).
const GROUP_WORK_BUDGET: usize = 8_000_000;
/// The most assignments the search among ambiguous groups checks.
const GROUP_MAX_TRIES: usize = 256;

struct ColumnMatcher<'p, 'a> {
    expected: &'p PreparedResult<'a>,
    actual: &'p PreparedResult<'a>,
    mapping: Vec<Option<usize>>,
    used: Vec<bool>,
}

impl ColumnMatcher<'_, '_> {
    fn assign(&mut self, expected_column: usize, actual_column: usize) {
        self.mapping[expected_column] = Some(actual_column);
        self.used[actual_column] = true;
    }

    fn unmatched_expected(&self) -> Vec<usize> {
        (0..self.mapping.len())
            .filter(|&column| self.mapping[column].is_none())
            .collect()
    }

    fn unmatched_actual(&self) -> Vec<usize> {
        (0..self.used.len())
            .filter(|&column| !self.used[column])
            .collect()
    }

    fn matched_pairs(&self) -> Vec<(usize, usize)> {
        self.mapping
            .iter()
            .enumerate()
            .filter_map(|(expected, actual)| actual.map(|actual| (expected, actual)))
            .collect()
    }

    /// The preference of pairing `expected_column` with `actual_column` (lower is better).
    fn preference(
        &self,
        expected_column: usize,
        actual_column: usize,
    ) -> (u8, usize, usize, usize) {
        let expected_name = &self.expected.result.columns[expected_column].name;
        let actual_name = &self.actual.result.columns[actual_column].name;
        (
            name_tier(expected_name, actual_name),
            expected_column.abs_diff(actual_column),
            expected_column,
            actual_column,
        )
    }

    /// Assigns `pairs` greedily, best preference first, each column at most once.
    fn assign_by_preference(&mut self, mut pairs: Vec<(usize, usize)>) {
        pairs.sort_by_key(|&(expected, actual)| self.preference(expected, actual));
        for (expected, actual) in pairs {
            if self.mapping[expected].is_none() && !self.used[actual] {
                self.assign(expected, actual);
            }
        }
    }

    fn family(result: &PreparedResult<'_>, column: usize) -> TypeFamily {
        TypeFamily::of(&result.result.columns[column].column_type)
    }

    fn families_compatible(&self, expected_column: usize, actual_column: usize) -> bool {
        Self::family(self.expected, expected_column)
            .is_compatible_with(Self::family(self.actual, actual_column))
    }

    /// Pass 1: columns whose multisets of cell hashes are equal.
    fn match_by_hashed_content(&mut self) {
        let actual_columns_by_signature = {
            let mut by_signature: HashMap<MultisetSignature, Vec<usize>> = HashMap::new();
            for (column, hashes) in self.actual.hashes.iter().enumerate() {
                by_signature
                    .entry(MultisetSignature::of(hashes.iter().copied()))
                    .or_default()
                    .push(column);
            }
            by_signature
        };
        let mut groups: Vec<(Vec<usize>, &Vec<usize>)> = Vec::new();
        let mut group_of_signature: HashMap<MultisetSignature, usize> = HashMap::new();
        for (column, hashes) in self.expected.hashes.iter().enumerate() {
            let signature = MultisetSignature::of(hashes.iter().copied());
            let Some(actual_columns) = actual_columns_by_signature.get(&signature) else {
                continue;
            };
            let group = *group_of_signature.entry(signature).or_insert_with(|| {
                groups.push((Vec::new(), actual_columns));
                groups.len() - 1
            });
            groups[group].0.push(column);
        }
        // Unambiguous pairs first: they anchor the ambiguous groups.
        for (expected_columns, actual_columns) in &groups {
            if let ([expected], [actual]) = (expected_columns.as_slice(), actual_columns.as_slice())
            {
                self.assign(*expected, *actual);
            }
        }
        let ambiguous: Vec<(&[usize], &[usize])> = groups
            .iter()
            .filter(|(expected_columns, actual_columns)| {
                expected_columns.len() > 1 || actual_columns.len() > 1
            })
            .map(|(expected_columns, actual_columns)| {
                (expected_columns.as_slice(), actual_columns.as_slice())
            })
            .collect();
        if !ambiguous.is_empty() {
            self.resolve_ambiguous_groups(&ambiguous);
        }
    }

    /// Assigns the columns of groups of same-content columns. Each group's candidate
    /// assignments are tried in order of preference, and groups are searched together
    /// (backtracking) for a choice under which the rows agree on every matched column:
    /// a group that looks symmetric alone (two columns holding `{false, NULL}`) is
    /// only told apart by the columns of another group. When the search finds nothing
    /// within its budget, each group takes its first assignment that agrees with the
    /// columns matched before it, or else its preferred one.
    fn resolve_ambiguous_groups(&mut self, groups: &[(&[usize], &[usize])]) {
        let anchors = self.matched_pairs();
        let rows = self.expected.row_count().max(1);
        let widest = anchors.len() + self.expected.hashes.len().min(self.actual.hashes.len());
        let tries = (GROUP_WORK_BUDGET / (rows * widest.max(1))).clamp(1, GROUP_MAX_TRIES);
        let candidates: Vec<Vec<Vec<(usize, usize)>>> = groups
            .iter()
            .map(|(expected_columns, actual_columns)| {
                let preferred = self.preferred_assignment(expected_columns, actual_columns);
                let mut candidates = vec![preferred.clone()];
                if tries > 1 {
                    candidates.extend(
                        self.assignments(expected_columns, actual_columns, tries)
                            .into_iter()
                            .filter(|assignment| *assignment != preferred),
                    );
                }
                candidates
            })
            .collect();

        let mut chosen = anchors.clone();
        let mut budget = tries;
        let chosen = if tries > 1 && self.search_groups(&candidates, &mut chosen, &mut budget) {
            chosen
        } else {
            let mut chosen = anchors;
            for group_candidates in &candidates {
                let assignment = group_candidates
                    .iter()
                    .take(tries)
                    .find(|assignment| tries > 1 && self.rows_agree(&chosen, assignment))
                    .unwrap_or(&group_candidates[0]);
                chosen.extend_from_slice(assignment);
            }
            chosen
        };
        for (expected, actual) in chosen {
            if self.mapping[expected].is_none() {
                self.assign(expected, actual);
            }
        }
    }

    /// Depth-first search for one candidate per group (in `candidates` order) such that
    /// the rows agree on `chosen` plus every pick; spends one unit of `budget` per check.
    fn search_groups(
        &self,
        candidates: &[Vec<Vec<(usize, usize)>>],
        chosen: &mut Vec<(usize, usize)>,
        budget: &mut usize,
    ) -> bool {
        let Some((group_candidates, later)) = candidates.split_first() else {
            return true;
        };
        for assignment in group_candidates {
            if *budget == 0 {
                return false;
            }
            *budget -= 1;
            if self.rows_agree(chosen, assignment) {
                let length = chosen.len();
                chosen.extend_from_slice(assignment);
                if self.search_groups(later, chosen, budget) {
                    return true;
                }
                chosen.truncate(length);
            }
        }
        false
    }

    /// The assignment of a group that prefers equal names, then near positions.
    fn preferred_assignment(
        &self,
        expected_columns: &[usize],
        actual_columns: &[usize],
    ) -> Vec<(usize, usize)> {
        let mut pairs: Vec<(usize, usize)> = expected_columns
            .iter()
            .flat_map(|&expected| actual_columns.iter().map(move |&actual| (expected, actual)))
            .collect();
        pairs.sort_by_key(|&(expected, actual)| self.preference(expected, actual));
        greedy_assignment(pairs)
    }

    /// Up to `limit` one-to-one assignments between the two groups (as many pairs as the
    /// smaller group has columns), each sorted by expected column, in preference order.
    fn assignments(
        &self,
        expected_columns: &[usize],
        actual_columns: &[usize],
        limit: usize,
    ) -> Vec<Vec<(usize, usize)>> {
        let expected_is_smaller = expected_columns.len() <= actual_columns.len();
        let (smaller, larger) = if expected_is_smaller {
            (expected_columns, actual_columns)
        } else {
            (actual_columns, expected_columns)
        };
        let as_pair = |small: usize, large: usize| {
            if expected_is_smaller {
                (small, large)
            } else {
                (large, small)
            }
        };
        // For each column of the smaller group, the larger group's columns in preference order.
        let options: Vec<Vec<usize>> = smaller
            .iter()
            .map(|&small| {
                let mut order = larger.to_vec();
                order.sort_by_key(|&large| {
                    let (expected, actual) = as_pair(small, large);
                    self.preference(expected, actual)
                });
                order
            })
            .collect();
        let mut results = Vec::new();
        let mut chosen = Vec::with_capacity(smaller.len());
        let mut taken = vec![false; larger.len()];
        enumerate_injections(
            &options,
            larger,
            &mut taken,
            &mut chosen,
            &mut results,
            limit,
        );
        results
            .into_iter()
            .map(|choice| {
                let mut pairs: Vec<(usize, usize)> = smaller
                    .iter()
                    .zip(choice)
                    .map(|(&small, large)| as_pair(small, large))
                    .collect();
                pairs.sort_unstable();
                pairs
            })
            .collect()
    }

    /// Whether the multisets of rows over `anchors` plus `assignment` agree on both sides.
    fn rows_agree(&self, anchors: &[(usize, usize)], assignment: &[(usize, usize)]) -> bool {
        let (expected_columns, actual_columns): (Vec<usize>, Vec<usize>) =
            anchors.iter().chain(assignment).copied().unzip();
        self.expected.multiset_signature(&expected_columns)
            == self.actual.multiset_signature(&actual_columns)
    }

    /// Pass 2: columns whose sorted values are pairwise equal within tolerance.
    fn match_by_tolerant_content(&mut self, tolerance: &Tolerance) {
        let unmatched_expected = self.unmatched_expected();
        let unmatched_actual = self.unmatched_actual();
        if unmatched_expected.is_empty() || unmatched_actual.is_empty() {
            return;
        }
        let mut sorted_actual: HashMap<usize, Vec<Value<'_>>> = HashMap::new();
        let mut pairs = Vec::new();
        for &expected in &unmatched_expected {
            let mut sorted_expected = None;
            for &actual in &unmatched_actual {
                if !self.families_compatible(expected, actual) {
                    continue;
                }
                let expected_values =
                    sorted_expected.get_or_insert_with(|| sorted_values(self.expected, expected));
                let actual_values = sorted_actual
                    .entry(actual)
                    .or_insert_with(|| sorted_values(self.actual, actual));
                let equal = expected_values
                    .iter()
                    .zip(actual_values.iter())
                    .all(|(left, right)| tolerance.values_equal(*left, *right));
                if equal {
                    pairs.push((expected, actual));
                }
            }
        }
        self.assign_by_preference(pairs);
    }

    /// Pass 3: remaining columns of compatible type families, by name then position.
    fn match_by_type_family(&mut self) {
        let unmatched_actual = self.unmatched_actual();
        let pairs = self
            .unmatched_expected()
            .into_iter()
            .flat_map(|expected| {
                unmatched_actual
                    .iter()
                    .map(move |&actual| (expected, actual))
            })
            .filter(|&(expected, actual)| self.families_compatible(expected, actual))
            .collect();
        self.assign_by_preference(pairs);
    }
}

/// Keeps each pair (already in preference order) whose columns are both still free.
fn greedy_assignment(pairs: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    let mut chosen: Vec<(usize, usize)> = Vec::new();
    for (expected, actual) in pairs {
        if chosen.iter().all(|&(taken_expected, taken_actual)| {
            taken_expected != expected && taken_actual != actual
        }) {
            chosen.push((expected, actual));
        }
    }
    chosen.sort_unstable();
    chosen
}

/// Depth-first enumeration of injections from `options.len()` items into `larger`:
/// item `i` takes one of `options[i]`, never one already taken.
fn enumerate_injections(
    options: &[Vec<usize>],
    larger: &[usize],
    taken: &mut [bool],
    chosen: &mut Vec<usize>,
    results: &mut Vec<Vec<usize>>,
    limit: usize,
) {
    if results.len() >= limit {
        return;
    }
    let Some(item_options) = options.get(chosen.len()) else {
        results.push(chosen.clone());
        return;
    };
    for &option in item_options {
        let slot = larger
            .iter()
            .position(|&column| column == option)
            .unwrap_or_default();
        if taken[slot] {
            continue;
        }
        taken[slot] = true;
        chosen.push(option);
        enumerate_injections(options, larger, taken, chosen, results, limit);
        chosen.pop();
        taken[slot] = false;
        if results.len() >= limit {
            return;
        }
    }
}

/// A column's values, normalised and sorted by [`Value::total_cmp`].
fn sorted_values<'a>(result: &PreparedResult<'a>, column: usize) -> Vec<Value<'a>> {
    let mut values: Vec<Value<'a>> = (0..result.row_count())
        .map(|row| Value::of(result.cell(row, column)))
        .collect();
    values.sort_unstable_by(Value::total_cmp);
    values
}

/// How alike two column names are: 0 equal ignoring case, 1 equal ignoring case and
/// everything but letters and digits (`total_sales` and `TotalSales`), 2 otherwise.
fn name_tier(left: &str, right: &str) -> u8 {
    let lowercase = |name: &str| {
        name.chars()
            .flat_map(char::to_lowercase)
            .collect::<Vec<_>>()
    };
    let (left, right) = (lowercase(left), lowercase(right));
    if left == right {
        0
    } else if left
        .iter()
        .filter(|c| c.is_alphanumeric())
        .eq(right.iter().filter(|c| c.is_alphanumeric()))
    {
        1
    } else {
        2
    }
}

#[cfg(test)]
mod tests {
    use super::{match_columns, name_tier};
    use crate::compare::ComparisonOptions;
    use crate::compare::prepared::PreparedResult;
    use crate::compare::value::Tolerance;
    use crate::result::{Cell, Column, ColumnType, ResultSet};

    fn column(name: &str, column_type: ColumnType) -> Column {
        Column {
            name: name.to_owned(),
            column_type,
        }
    }

    /// Matches the columns of two result sets with the default options.
    fn check(expected: &ResultSet, actual: &ResultSet) -> Vec<Option<usize>> {
        let tolerance = Tolerance::new(&ComparisonOptions::default());
        let expected = PreparedResult::new(expected, &tolerance);
        let actual = PreparedResult::new(actual, &tolerance);
        match_columns(&expected, &actual, &tolerance)
    }

    fn integers(names: &[&str], rows: &[&[i64]]) -> ResultSet {
        ResultSet {
            columns: names
                .iter()
                .map(|name| column(name, ColumnType::Long))
                .collect(),
            rows: rows
                .iter()
                .map(|row| row.iter().map(|value| Cell::Integer(*value)).collect())
                .collect(),
            truncated: false,
        }
    }

    #[test]
    fn names_compare_ignoring_case_then_punctuation() {
        assert_eq!(name_tier("Region", "region"), 0);
        assert_eq!(name_tier("total_sales", "TotalSales"), 1);
        assert_eq!(name_tier("total", "revenue"), 2);
    }

    #[test]
    fn columns_meet_by_content_whatever_their_names_and_positions() {
        let expected = integers(&["a", "b", "c"], &[&[1, 10, 100], &[2, 20, 200]]);
        let actual = integers(&["x", "y", "z"], &[&[200, 2, 20], &[100, 1, 10]]);
        assert_eq!(check(&expected, &actual), vec![Some(1), Some(2), Some(0)]);
    }

    #[test]
    fn same_content_ties_go_to_the_same_name() {
        let expected = integers(&["first", "second"], &[&[1, 1], &[2, 2]]);
        let actual = integers(&["SECOND", "First"], &[&[1, 1], &[2, 2]]);
        assert_eq!(check(&expected, &actual), vec![Some(1), Some(0)]);
    }

    #[test]
    fn same_content_ties_without_names_go_to_the_nearest_position() {
        let expected = integers(&["a", "b"], &[&[1, 1], &[2, 2]]);
        let actual = integers(&["x", "y"], &[&[1, 1], &[2, 2]]);
        assert_eq!(check(&expected, &actual), vec![Some(0), Some(1)]);
    }

    #[test]
    fn same_multiset_in_different_rows_is_resolved_by_row_alignment() {
        // Both columns hold {1, 2, 3}; only the swapped assignment lines the rows up.
        let expected = integers(&["a", "b"], &[&[1, 3], &[2, 1], &[3, 2]]);
        let actual = integers(&["x", "y"], &[&[3, 1], &[1, 2], &[2, 3]]);
        assert_eq!(check(&expected, &actual), vec![Some(1), Some(0)]);
    }

    #[test]
    fn groups_that_look_symmetric_alone_are_resolved_together() {
        // `a`/`d` hold {1, NULL} and `b`/`c` hold {7, 8}; each pair alone lines up either way,
        // only together do the rows tell which is which.
        let cells = |row: &[Option<i64>]| {
            row.iter()
                .map(|value| value.map_or(Cell::Null, Cell::Integer))
                .collect()
        };
        let table = |names: &[&str], rows: &[&[Option<i64>]]| ResultSet {
            columns: names
                .iter()
                .map(|name| column(name, ColumnType::Long))
                .collect(),
            rows: rows.iter().map(|row| cells(row)).collect(),
            truncated: false,
        };
        let expected = table(
            &["a", "b", "c", "d"],
            &[
                &[Some(1), Some(8), Some(8), None],
                &[None, Some(7), Some(7), Some(1)],
            ],
        );
        // Actual columns: d, a, c, b.
        let actual = table(
            &["w", "x", "y", "z"],
            &[
                &[None, Some(1), Some(8), Some(8)],
                &[Some(1), None, Some(7), Some(7)],
            ],
        );
        let mapping = check(&expected, &actual);
        assert_eq!(mapping[0], Some(1));
        assert_eq!(mapping[3], Some(0));
    }

    #[test]
    fn noisy_numbers_match_within_tolerance() {
        let float_column = |name: &str, values: &[f64]| ResultSet {
            columns: vec![
                column(name, ColumnType::Double),
                column("k", ColumnType::String),
            ],
            rows: values
                .iter()
                .enumerate()
                .map(|(row, value)| vec![Cell::Float(*value), Cell::String(row.to_string())])
                .collect(),
            truncated: false,
        };
        let expected = float_column("average", &[1.0, 2.5, 3.25]);
        let mut actual = float_column("avg", &[1.000_000_1, 2.500_000_2, 3.25]);
        actual.columns.reverse();
        for row in &mut actual.rows {
            row.reverse();
        }
        assert_eq!(check(&expected, &actual), vec![Some(1), Some(0)]);
    }

    #[test]
    fn a_differing_column_falls_back_to_type_and_name() {
        let expected = integers(&["id", "total"], &[&[1, 10], &[2, 20]]);
        let mut actual = integers(&["id", "count", "TOTAL"], &[&[1, 7, 10], &[2, 8, 21]]);
        actual.columns[1].column_type = ColumnType::String;
        for row in &mut actual.rows {
            row[1] = Cell::String("x".to_owned());
        }
        assert_eq!(check(&expected, &actual), vec![Some(0), Some(2)]);
    }

    #[test]
    fn a_column_without_a_compatible_partner_is_missing() {
        let expected = integers(&["id", "total"], &[&[1, 10], &[2, 20]]);
        let actual = ResultSet {
            columns: vec![
                column("id", ColumnType::Long),
                column("total", ColumnType::String),
            ],
            rows: vec![
                vec![Cell::Integer(1), Cell::String("10".to_owned())],
                vec![Cell::Integer(2), Cell::String("20".to_owned())],
            ],
            truncated: false,
        };
        assert_eq!(check(&expected, &actual), vec![Some(0), None]);
    }
}
