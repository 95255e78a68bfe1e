//! [`compare_results`]: whether two result sets give the same answer, and how they differ.

use super::columns::{TypeFamily, match_columns};
use super::options::ComparisonOptions;
use super::outcome::{
    CellDifference, ColumnTypeMismatch, Comparison, DifferenceReason, ResultDiff,
};
use super::prepared::PreparedResult;
use super::rows::{RowComparer, RowMatching};
use super::value::Tolerance;
use crate::result::{Cell, ResultSet};

/// Compares the `expected` (ground-truth) result with the `actual` (Genie) result.
///
/// Columns are matched by content, not by name or position; rows are compared as
/// multisets (duplicates count), or as sequences when [`ComparisonOptions::order_matters`];
/// numbers of every kind compare numerically within the options' tolerances. The work
/// is linear in rows: cells are hashed once, and only rows the hashes cannot pair are
/// sorted.
pub fn compare_results(
    expected: &ResultSet,
    actual: &ResultSet,
    options: &ComparisonOptions,
) -> Comparison {
    let tolerance = Tolerance::new(options);
    let expected_side = PreparedResult::new(expected, &tolerance);
    let actual_side = PreparedResult::new(actual, &tolerance);
    let column_mapping = match_columns(&expected_side, &actual_side, &tolerance);
    let pairs: Vec<(usize, usize)> = column_mapping
        .iter()
        .enumerate()
        .filter_map(|(expected_column, actual_column)| {
            actual_column.map(|actual_column| (expected_column, actual_column))
        })
        .collect();

    let comparer = RowComparer::new(&expected_side, &actual_side, &pairs, tolerance);
    let matching = comparer.match_rows();
    let rows_equal = matching.missing.is_empty() && matching.extra.is_empty();
    let first_row_order_difference = if options.order_matters && rows_equal {
        comparer.first_order_difference()
    } else {
        None
    };
    let single_cell_difference = if expected.row_count() == actual.row_count() {
        single_cell_difference(expected, actual, &pairs, &comparer, &matching)
    } else {
        None
    };

    let diff = ResultDiff {
        expected_row_count: expected.row_count(),
        actual_row_count: actual.row_count(),
        missing_columns: column_mapping
            .iter()
            .zip(&expected.columns)
            .filter(|(actual_column, _)| actual_column.is_none())
            .map(|(_, column)| column.name.clone())
            .collect(),
        extra_columns: actual
            .columns
            .iter()
            .enumerate()
            .filter(|(index, _)| !column_mapping.contains(&Some(*index)))
            .map(|(_, column)| column.name.clone())
            .collect(),
        column_type_differences: column_type_differences(expected, actual, &pairs),
        missing_row_count: matching.missing.len(),
        missing_rows: examples(expected, &matching.missing, options.max_examples),
        extra_row_count: matching.extra.len(),
        extra_rows: examples(actual, &matching.extra, options.max_examples),
        single_cell_difference,
        first_row_order_difference,
        truncated: expected.truncated || actual.truncated,
    };
    let reasons = reasons(&diff, options);
    Comparison {
        equal: reasons.iter().all(|reason| !reason.is_failure()),
        column_mapping,
        reasons,
        diff,
    }
}

/// The reasons the diff shows, in declaration order.
fn reasons(diff: &ResultDiff, options: &ComparisonOptions) -> Vec<DifferenceReason> {
    let mut reasons = Vec::new();
    if !diff.missing_columns.is_empty() {
        reasons.push(DifferenceReason::ResultMissingColumns);
    }
    if !diff.extra_columns.is_empty() && !options.allow_extra_columns {
        reasons.push(DifferenceReason::ResultExtraColumns);
    }
    let actual_is_empty = diff.actual_row_count == 0 && diff.expected_row_count > 0;
    if actual_is_empty {
        reasons.push(DifferenceReason::EmptyResult);
    } else if diff.single_cell_difference.is_some() {
        reasons.push(DifferenceReason::SingleCellDifference);
    } else {
        if diff.missing_row_count > 0 {
            reasons.push(DifferenceReason::ResultMissingRows);
        }
        if diff.extra_row_count > 0 {
            reasons.push(DifferenceReason::ResultExtraRows);
        }
    }
    if !diff.column_type_differences.is_empty() {
        reasons.push(DifferenceReason::ColumnTypeDifference);
    }
    if diff.expected_row_count == 0 {
        reasons.push(DifferenceReason::EmptyGoodSql);
    }
    if diff.first_row_order_difference.is_some() {
        reasons.push(DifferenceReason::RowOrderDifference);
    }
    reasons.sort_unstable();
    reasons
}

/// The one differing cell, when exactly one row is left on each side and those rows
/// differ in exactly one mapped column.
fn single_cell_difference(
    expected: &ResultSet,
    actual: &ResultSet,
    pairs: &[(usize, usize)],
    comparer: &RowComparer<'_, '_>,
    matching: &RowMatching,
) -> Option<CellDifference> {
    let (&[expected_row], &[actual_row]) = (matching.missing.as_slice(), matching.extra.as_slice())
    else {
        return None;
    };
    let [pair] = comparer.differing_pairs(expected_row, actual_row)[..] else {
        return None;
    };
    let (expected_column, actual_column) = pairs[pair];
    let cell = |result: &ResultSet, row: usize, column: usize| {
        result.rows[row].get(column).cloned().unwrap_or(Cell::Null)
    };
    Some(CellDifference {
        row: expected_row,
        actual_row,
        expected_column: expected.columns[expected_column].name.clone(),
        actual_column: actual.columns[actual_column].name.clone(),
        expected: cell(expected, expected_row, expected_column),
        actual: cell(actual, actual_row, actual_column),
    })
}

fn column_type_differences(
    expected: &ResultSet,
    actual: &ResultSet,
    pairs: &[(usize, usize)],
) -> Vec<ColumnTypeMismatch> {
    pairs
        .iter()
        .map(|&(expected_column, actual_column)| {
            (
                &expected.columns[expected_column],
                &actual.columns[actual_column],
            )
        })
        .filter(|(expected_column, actual_column)| {
            TypeFamily::of(&expected_column.column_type)
                != TypeFamily::of(&actual_column.column_type)
        })
        .map(|(expected_column, actual_column)| ColumnTypeMismatch {
            expected_column: expected_column.name.clone(),
            actual_column: actual_column.name.clone(),
            expected_type: expected_column.column_type.clone(),
            actual_type: actual_column.column_type.clone(),
        })
        .collect()
}

/// Clones the first `limit` of the listed rows.
fn examples(result: &ResultSet, rows: &[usize], limit: usize) -> Vec<Vec<Cell>> {
    rows.iter()
        .take(limit)
        .map(|&row| result.rows[row].clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::compare_results;
    use crate::compare::{
        CellDifference, ColumnTypeMismatch, Comparison, ComparisonOptions, DifferenceReason,
    };
    use crate::result::{Cell, Column, ColumnType, ResultSet};

    use DifferenceReason::{
        ColumnTypeDifference, EmptyGoodSql, EmptyResult, ResultExtraColumns, ResultExtraRows,
        ResultMissingColumns, ResultMissingRows, RowOrderDifference, SingleCellDifference,
    };

    fn table(columns: &[(&str, ColumnType)], rows: Vec<Vec<Cell>>) -> ResultSet {
        ResultSet {
            columns: columns
                .iter()
                .map(|(name, column_type)| Column {
                    name: (*name).to_owned(),
                    column_type: column_type.clone(),
                })
                .collect(),
            rows,
            truncated: false,
        }
    }

    fn text(value: &str) -> Cell {
        Cell::String(value.to_owned())
    }

    fn decimal(value: &str) -> Cell {
        Cell::Decimal(value.to_owned())
    }

    /// Regions and their sales: `(region STRING, sales BIGINT)`.
    fn sales(rows: &[(&str, i64)]) -> ResultSet {
        table(
            &[("region", ColumnType::String), ("sales", ColumnType::Long)],
            rows.iter()
                .map(|(region, sales)| vec![text(region), Cell::Integer(*sales)])
                .collect(),
        )
    }

    /// Compares with the default options.
    fn check(expected: &ResultSet, actual: &ResultSet) -> Comparison {
        compare_results(expected, actual, &ComparisonOptions::default())
    }

    fn ordered() -> ComparisonOptions {
        ComparisonOptions {
            order_matters: true,
            ..ComparisonOptions::default()
        }
    }

    #[test]
    fn identical_results_are_equal() {
        let result = sales(&[("East", 10), ("West", 20)]);
        let comparison = check(&result, &result);
        assert!(comparison.equal);
        assert!(comparison.reasons.is_empty());
        assert_eq!(comparison.column_mapping, vec![Some(0), Some(1)]);
        assert_eq!(comparison.diff.expected_row_count, 2);
        assert_eq!(comparison.diff.actual_row_count, 2);
        assert_eq!(
            comparison.diff.missing_row_count + comparison.diff.extra_row_count,
            0
        );
    }

    #[test]
    fn row_order_is_ignored_unless_it_matters() {
        let expected = sales(&[("East", 10), ("West", 20), ("North", 30)]);
        let actual = sales(&[("North", 30), ("East", 10), ("West", 20)]);
        assert!(check(&expected, &actual).equal);

        let comparison = compare_results(&expected, &actual, &ordered());
        assert!(!comparison.equal);
        assert_eq!(comparison.reasons, vec![RowOrderDifference]);
        assert_eq!(comparison.diff.first_row_order_difference, Some(0));
        assert_eq!(comparison.diff.missing_row_count, 0);

        let comparison = compare_results(&expected, &expected, &ordered());
        assert!(comparison.equal, "{comparison:?}");
        assert_eq!(comparison.diff.first_row_order_difference, None);
    }

    #[test]
    fn order_matters_still_reports_different_rows_as_rows() {
        let expected = sales(&[("East", 10), ("West", 20)]);
        let actual = sales(&[("West", 20), ("East", 99)]);
        let comparison = compare_results(&expected, &actual, &ordered());
        assert_eq!(comparison.reasons, vec![SingleCellDifference]);
        assert_eq!(comparison.diff.first_row_order_difference, None);
    }

    #[test]
    fn renamed_and_reordered_columns_are_equal() {
        let expected = sales(&[("East", 10), ("West", 20)]);
        let actual = table(
            &[("total", ColumnType::Long), ("area", ColumnType::String)],
            vec![
                vec![Cell::Integer(20), text("West")],
                vec![Cell::Integer(10), text("East")],
            ],
        );
        let comparison = check(&expected, &actual);
        assert!(comparison.equal, "{comparison:?}");
        assert_eq!(comparison.column_mapping, vec![Some(1), Some(0)]);
        assert!(comparison.diff.extra_columns.is_empty());
    }

    #[test]
    fn numbers_of_every_kind_and_dates_of_every_spelling_meet() {
        let expected = table(
            &[
                ("day", ColumnType::Date),
                ("count", ColumnType::Long),
                (
                    "amount",
                    ColumnType::Decimal {
                        precision: 10,
                        scale: 2,
                    },
                ),
                ("ratio", ColumnType::Double),
            ],
            vec![
                vec![
                    Cell::Date("2024-01-01".to_owned()),
                    Cell::Integer(3),
                    decimal("10.50"),
                    Cell::Float(0.3),
                ],
                vec![
                    Cell::Date("2024-01-02".to_owned()),
                    Cell::Integer(4),
                    decimal("7.25"),
                    Cell::Null,
                ],
            ],
        );
        let actual = table(
            &[
                ("day", ColumnType::Timestamp),
                (
                    "count",
                    ColumnType::Decimal {
                        precision: 20,
                        scale: 0,
                    },
                ),
                ("amount", ColumnType::Double),
                ("ratio", ColumnType::Double),
            ],
            vec![
                vec![
                    Cell::Timestamp("2024-01-02 00:00:00".to_owned()),
                    decimal("4"),
                    Cell::Float(7.25),
                    Cell::Null,
                ],
                vec![
                    Cell::Timestamp("2024-01-01T00:00:00.000Z".to_owned()),
                    decimal("3.0"),
                    Cell::Float(10.5),
                    Cell::Float(0.1 + 0.2),
                ],
            ],
        );
        let comparison = check(&expected, &actual);
        assert!(comparison.equal, "{comparison:?}");
        assert_eq!(
            comparison.column_mapping,
            vec![Some(0), Some(1), Some(2), Some(3)]
        );
        assert!(
            comparison.reasons.is_empty(),
            "same families: {:?}",
            comparison.reasons
        );
    }

    #[test]
    fn numeric_text_does_not_match_numbers() {
        let expected = sales(&[("East", 10)]);
        let actual = table(
            &[
                ("region", ColumnType::String),
                ("sales", ColumnType::String),
            ],
            vec![vec![text("East"), text("10")]],
        );
        let comparison = check(&expected, &actual);
        assert!(!comparison.equal);
        assert_eq!(comparison.reasons, vec![ResultMissingColumns]);
        assert_eq!(comparison.diff.missing_columns, vec!["sales".to_owned()]);
        assert_eq!(comparison.diff.extra_columns, vec!["sales".to_owned()]);
    }

    #[test]
    fn string_case_matters() {
        let comparison = check(&sales(&[("East", 10)]), &sales(&[("EAST", 10)]));
        assert!(!comparison.equal);
        assert_eq!(comparison.reasons, vec![SingleCellDifference]);
    }

    #[test]
    fn extra_columns_are_reported_and_fail_only_when_disallowed() {
        let expected = sales(&[("East", 10), ("West", 20)]);
        let actual = table(
            &[
                ("region", ColumnType::String),
                ("orders", ColumnType::Long),
                ("sales", ColumnType::Long),
            ],
            vec![
                vec![text("East"), Cell::Integer(1), Cell::Integer(10)],
                vec![text("West"), Cell::Integer(2), Cell::Integer(20)],
            ],
        );
        let comparison = check(&expected, &actual);
        assert!(comparison.equal);
        assert!(comparison.reasons.is_empty());
        assert_eq!(comparison.column_mapping, vec![Some(0), Some(2)]);
        assert_eq!(comparison.diff.extra_columns, vec!["orders".to_owned()]);

        let strict = ComparisonOptions {
            allow_extra_columns: false,
            ..ComparisonOptions::default()
        };
        let comparison = compare_results(&expected, &actual, &strict);
        assert!(!comparison.equal);
        assert_eq!(comparison.reasons, vec![ResultExtraColumns]);
    }

    #[test]
    fn missing_columns_fail_and_the_rest_is_still_compared() {
        let expected = sales(&[("East", 10), ("West", 20)]);
        let actual = table(
            &[("region", ColumnType::String)],
            vec![vec![text("West")], vec![text("East")]],
        );
        let comparison = check(&expected, &actual);
        assert!(!comparison.equal);
        assert_eq!(comparison.reasons, vec![ResultMissingColumns]);
        assert_eq!(comparison.column_mapping, vec![Some(0), None]);
        assert_eq!(comparison.diff.missing_columns, vec!["sales".to_owned()]);
        assert_eq!(comparison.diff.missing_row_count, 0);
    }

    #[test]
    fn missing_and_extra_rows() {
        let expected = sales(&[("East", 10), ("West", 20), ("North", 30)]);
        let comparison = check(&expected, &sales(&[("West", 20)]));
        assert!(!comparison.equal);
        assert_eq!(comparison.reasons, vec![ResultMissingRows]);
        assert_eq!(comparison.diff.missing_row_count, 2);
        assert_eq!(
            comparison.diff.missing_rows,
            vec![
                vec![text("East"), Cell::Integer(10)],
                vec![text("North"), Cell::Integer(30)]
            ]
        );

        let actual = sales(&[("East", 10), ("West", 20), ("North", 30), ("South", 40)]);
        let comparison = check(&expected, &actual);
        assert_eq!(comparison.reasons, vec![ResultExtraRows]);
        assert_eq!(comparison.diff.extra_row_count, 1);
        assert_eq!(
            comparison.diff.extra_rows,
            vec![vec![text("South"), Cell::Integer(40)]]
        );
        // Rows that differ in both columns are a missing and an extra row, not a cell.
        let comparison = check(
            &expected,
            &sales(&[("East", 10), ("West", 20), ("South", 40)]),
        );
        assert_eq!(comparison.reasons, vec![ResultMissingRows, ResultExtraRows]);
        assert_eq!(comparison.diff.single_cell_difference, None);
    }

    #[test]
    fn duplicate_counts_matter() {
        let expected = sales(&[("East", 10), ("East", 10), ("West", 20)]);
        let actual = sales(&[("East", 10), ("West", 20), ("West", 20)]);
        let comparison = check(&expected, &actual);
        assert!(!comparison.equal);
        assert_eq!(comparison.reasons, vec![ResultMissingRows, ResultExtraRows]);
        assert_eq!(
            (
                comparison.diff.missing_row_count,
                comparison.diff.extra_row_count
            ),
            (1, 1)
        );

        let comparison = check(&sales(&[("East", 10), ("West", 20)]), &expected);
        assert_eq!(comparison.reasons, vec![ResultExtraRows]);
        assert!(
            check(
                &expected,
                &sales(&[("West", 20), ("East", 10), ("East", 10)])
            )
            .equal
        );
    }

    #[test]
    fn a_single_differing_cell_is_pinpointed() {
        let expected = sales(&[("East", 10), ("West", 20), ("North", 30)]);
        let actual = table(
            &[
                ("region", ColumnType::String),
                ("total_sales", ColumnType::Long),
            ],
            vec![
                vec![text("North"), Cell::Integer(30)],
                vec![text("West"), Cell::Integer(21)],
                vec![text("East"), Cell::Integer(10)],
            ],
        );
        let comparison = check(&expected, &actual);
        assert!(!comparison.equal);
        assert_eq!(comparison.reasons, vec![SingleCellDifference]);
        assert_eq!(comparison.column_mapping, vec![Some(0), Some(1)]);
        assert_eq!(
            comparison.diff.single_cell_difference,
            Some(CellDifference {
                row: 1,
                actual_row: 1,
                expected_column: "sales".to_owned(),
                actual_column: "total_sales".to_owned(),
                expected: Cell::Integer(20),
                actual: Cell::Integer(21),
            })
        );
        assert_eq!(
            (
                comparison.diff.missing_row_count,
                comparison.diff.extra_row_count
            ),
            (1, 1)
        );
    }

    #[test]
    fn two_differing_cells_are_not_a_single_cell_difference() {
        let expected = sales(&[("East", 10), ("West", 20)]);
        let comparison = check(&expected, &sales(&[("East", 11), ("West", 21)]));
        assert_eq!(comparison.reasons, vec![ResultMissingRows, ResultExtraRows]);
        assert_eq!(comparison.diff.single_cell_difference, None);
    }

    #[test]
    fn an_empty_actual_result() {
        let comparison = check(&sales(&[("East", 10)]), &sales(&[]));
        assert!(!comparison.equal);
        assert_eq!(comparison.reasons, vec![EmptyResult]);
        assert_eq!(comparison.diff.missing_row_count, 1);
        assert_eq!(comparison.column_mapping, vec![Some(0), Some(1)]);
    }

    #[test]
    fn an_empty_expected_result() {
        let comparison = check(&sales(&[]), &sales(&[]));
        assert!(comparison.equal);
        assert_eq!(comparison.reasons, vec![EmptyGoodSql]);

        let comparison = check(&sales(&[]), &sales(&[("East", 10)]));
        assert!(!comparison.equal);
        assert_eq!(comparison.reasons, vec![ResultExtraRows, EmptyGoodSql]);
    }

    #[test]
    fn column_type_differences_are_informational() {
        let expected = table(
            &[("note", ColumnType::String)],
            vec![vec![Cell::Null], vec![Cell::Null]],
        );
        let actual = table(
            &[("note", ColumnType::Int)],
            vec![vec![Cell::Null], vec![Cell::Null]],
        );
        let comparison = check(&expected, &actual);
        assert!(comparison.equal);
        assert_eq!(comparison.reasons, vec![ColumnTypeDifference]);
        assert_eq!(
            comparison.diff.column_type_differences,
            vec![ColumnTypeMismatch {
                expected_column: "note".to_owned(),
                actual_column: "note".to_owned(),
                expected_type: ColumnType::String,
                actual_type: ColumnType::Int,
            }]
        );
    }

    #[test]
    fn noise_below_the_tolerance_is_equal_and_above_it_is_not() {
        let values: Vec<f64> = (1..=200).map(|step| f64::from(step) / 7.0).collect();
        let result = |scale: f64| {
            table(
                &[("id", ColumnType::Long), ("value", ColumnType::Double)],
                values
                    .iter()
                    .enumerate()
                    .map(|(id, value)| {
                        vec![
                            Cell::Integer(i64::try_from(id).unwrap()),
                            Cell::Float(value * scale),
                        ]
                    })
                    .collect(),
            )
        };
        assert!(check(&result(1.0), &result(1.0 + 5e-7)).equal);
        let comparison = check(&result(1.0), &result(1.0 + 5e-6));
        assert!(!comparison.equal);
        assert_eq!(comparison.diff.missing_row_count, 200);
        assert_eq!(comparison.column_mapping, vec![Some(0), Some(1)]);
    }

    #[test]
    fn examples_are_capped_and_truncation_is_reported() {
        let expected = sales(&[("A", 1), ("B", 2), ("C", 3), ("D", 4)]);
        let mut actual = sales(&[]);
        actual.truncated = true;
        let options = ComparisonOptions {
            max_examples: 2,
            ..ComparisonOptions::default()
        };
        let comparison = compare_results(&expected, &actual, &options);
        assert_eq!(comparison.diff.missing_row_count, 4);
        assert_eq!(comparison.diff.missing_rows.len(), 2);
        assert!(comparison.diff.truncated);
    }

    #[test]
    fn malformed_short_rows_do_not_panic() {
        let expected = sales(&[("East", 10)]);
        let mut actual = sales(&[("East", 10)]);
        actual.rows[0].pop();
        let comparison = check(&expected, &actual);
        assert!(!comparison.equal);
        assert_eq!(comparison.reasons, vec![SingleCellDifference]);
    }

    #[test]
    fn reasons_serialise_in_screaming_snake_case() {
        let json =
            serde_json::to_string(&[ResultMissingRows, EmptyGoodSql, RowOrderDifference]).unwrap();
        assert_eq!(
            json,
            r#"["RESULT_MISSING_ROWS","EMPTY_GOOD_SQL","ROW_ORDER_DIFFERENCE"]"#
        );
    }

    #[test]
    fn a_realistic_comparison_serialises_to_a_stable_shape() {
        let expected = table(
            &[
                ("region", ColumnType::String),
                (
                    "total_revenue",
                    ColumnType::Decimal {
                        precision: 18,
                        scale: 2,
                    },
                ),
                ("order_count", ColumnType::Long),
            ],
            vec![
                vec![text("East"), decimal("1250.50"), Cell::Integer(10)],
                vec![text("West"), decimal("980.00"), Cell::Integer(7)],
                vec![text("North"), decimal("1100.25"), Cell::Integer(9)],
            ],
        );
        let actual = table(
            &[
                ("Region", ColumnType::String),
                ("revenue", ColumnType::Double),
                ("orders", ColumnType::Long),
                ("avg_order_value", ColumnType::Double),
            ],
            vec![
                vec![
                    text("West"),
                    Cell::Float(980.0),
                    Cell::Integer(7),
                    Cell::Float(140.0),
                ],
                vec![
                    text("North"),
                    Cell::Float(1100.25),
                    Cell::Integer(8),
                    Cell::Float(137.53),
                ],
                vec![
                    text("East"),
                    Cell::Float(1250.5),
                    Cell::Integer(10),
                    Cell::Float(125.05),
                ],
            ],
        );
        let comparison = check(&expected, &actual);
        assert_eq!(comparison.reasons, vec![SingleCellDifference]);
        insta::assert_json_snapshot!(comparison);
        let round_trip: Comparison =
            serde_json::from_value(serde_json::to_value(&comparison).unwrap()).unwrap();
        assert_eq!(round_trip, comparison);
    }
}
