//! Property tests of [`compare_results`] over random small tables of mixed typed cells.

use proptest::prelude::*;
use proptest::test_runner::Config;

use super::value::Tolerance;
use super::{ComparisonOptions, DifferenceReason, compare_results};
use crate::result::{Cell, Column, ColumnType, ResultSet};

/// What a generated column holds.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Boolean,
    Integer,
    Float,
    Decimal,
    Text,
    Date,
    Timestamp,
    /// Cells of every kind in one column.
    Mixed,
}

impl Kind {
    fn column_type(self) -> ColumnType {
        match self {
            Self::Boolean => ColumnType::Boolean,
            Self::Integer => ColumnType::Long,
            Self::Float => ColumnType::Double,
            Self::Decimal => ColumnType::Decimal {
                precision: 10,
                scale: 2,
            },
            Self::Text | Self::Mixed => ColumnType::String,
            Self::Date => ColumnType::Date,
            Self::Timestamp => ColumnType::Timestamp,
        }
    }

    /// Cells from small domains, so duplicates and equal columns are common.
    fn cells(self) -> BoxedStrategy<Cell> {
        let value = match self {
            Self::Boolean => any::<bool>().prop_map(Cell::Boolean).boxed(),
            Self::Integer => (-3_i64..6).prop_map(Cell::Integer).boxed(),
            Self::Float => prop_oneof![
                (-20_i32..20).prop_map(|quarter| Cell::Float(f64::from(quarter) * 0.25)),
                (-1000.0..1000.0_f64).prop_map(Cell::Float),
            ]
            .boxed(),
            Self::Decimal => (-400_i32..400)
                .prop_map(|cents| Cell::Decimal(format!("{:.2}", f64::from(cents) / 100.0)))
                .boxed(),
            Self::Text => prop::sample::select(vec!["a", "b", "A", "ab", "East", ""])
                .prop_map(|text| Cell::String(text.to_owned()))
                .boxed(),
            Self::Date => (1_u32..4)
                .prop_map(|day| Cell::Date(format!("2024-01-0{day}")))
                .boxed(),
            Self::Timestamp => prop_oneof![
                (1_u32..4).prop_map(|day| Cell::Timestamp(format!("2024-01-0{day}T00:00:00Z"))),
                (0_u32..3)
                    .prop_map(|hour| Cell::Timestamp(format!("2024-01-01 0{hour}:30:00.000"))),
            ]
            .boxed(),
            Self::Mixed => prop_oneof![
                Self::Boolean.cells(),
                Self::Integer.cells(),
                Self::Float.cells(),
                Self::Decimal.cells(),
                Self::Text.cells(),
                Self::Date.cells(),
            ]
            .boxed(),
        };
        prop_oneof![1 => Just(Cell::Null), 5 => value].boxed()
    }
}

fn kinds() -> impl Strategy<Value = Kind> {
    prop::sample::select(vec![
        Kind::Boolean,
        Kind::Integer,
        Kind::Float,
        Kind::Decimal,
        Kind::Text,
        Kind::Date,
        Kind::Timestamp,
        Kind::Mixed,
    ])
}

/// Random tables of 1 to 4 columns and `rows` rows.
fn tables(rows: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = ResultSet> {
    (prop::collection::vec(kinds(), 1..=4), rows).prop_flat_map(|(kinds, row_count)| {
        let row: Vec<BoxedStrategy<Cell>> = kinds.iter().map(|kind| kind.cells()).collect();
        let columns: Vec<Column> = kinds
            .iter()
            .enumerate()
            .map(|(index, kind)| Column {
                name: format!("column_{index}"),
                column_type: kind.column_type(),
            })
            .collect();
        prop::collection::vec(row, row_count).prop_map(move |rows| ResultSet {
            columns: columns.clone(),
            rows,
            truncated: false,
        })
    })
}

/// A table with a shuffled order of its row (or column) indices.
fn with_permutation(
    table: impl Strategy<Value = ResultSet>,
    of_columns: bool,
) -> impl Strategy<Value = (ResultSet, Vec<usize>)> {
    table.prop_flat_map(move |table| {
        let length = if of_columns {
            table.columns.len()
        } else {
            table.rows.len()
        };
        (
            Just(table),
            Just((0..length).collect::<Vec<_>>()).prop_shuffle(),
        )
    })
}

/// A table with the position of one of its cells.
fn with_cell(
    table: impl Strategy<Value = ResultSet>,
) -> impl Strategy<Value = (ResultSet, usize, usize)> {
    table.prop_flat_map(|table| {
        let (rows, columns) = (table.rows.len(), table.columns.len());
        (Just(table), 0..rows, 0..columns)
    })
}

/// A value no generated cell equals (within tolerance), of the same kind where possible.
fn far_from(cell: &Cell) -> Cell {
    match cell {
        Cell::Null => Cell::String("not null".to_owned()),
        Cell::Boolean(value) => Cell::Boolean(!value),
        Cell::Integer(value) => Cell::Integer(value + 1000),
        Cell::Float(value) => Cell::Float(value + 5000.5),
        Cell::Decimal(text) => Cell::Decimal(format!(
            "{:.2}",
            text.parse::<f64>().unwrap_or(0.0) + 5000.5
        )),
        Cell::String(text) => Cell::String(format!("{text}~")),
        Cell::Date(_) => Cell::Date("2099-12-31".to_owned()),
        Cell::Timestamp(_) => Cell::Timestamp("2099-12-31T12:34:56".to_owned()),
        Cell::Other(text) => Cell::Other(format!("{text}~")),
    }
}

/// Whether two rows of `table` are equal under the comparison's own equality.
fn has_duplicate_rows(table: &ResultSet) -> bool {
    let tolerance = Tolerance::new(&ComparisonOptions::default());
    let rows_equal = |left: &Vec<Cell>, right: &Vec<Cell>| {
        left.iter()
            .zip(right)
            .all(|(left, right)| tolerance.cells_equal(left, right))
    };
    table.rows.iter().enumerate().any(|(index, row)| {
        table.rows[index + 1..]
            .iter()
            .any(|other| rows_equal(row, other))
    })
}

/// Brute force: whether the rows of `expected` and of `actual` (read through `mapping`)
/// are equal multisets, trying every pair.
fn multisets_equal_under(
    expected: &ResultSet,
    actual: &ResultSet,
    mapping: &[Option<usize>],
) -> bool {
    let tolerance = Tolerance::new(&ComparisonOptions::default());
    if expected.rows.len() != actual.rows.len() || mapping.iter().any(Option::is_none) {
        return false;
    }
    let mut taken = vec![false; actual.rows.len()];
    expected.rows.iter().all(|expected_row| {
        let found = (0..actual.rows.len()).find(|&index| {
            !taken[index]
                && mapping.iter().enumerate().all(|(column, actual_column)| {
                    actual_column.is_some_and(|actual_column| {
                        tolerance
                            .cells_equal(&expected_row[column], &actual.rows[index][actual_column])
                    })
                })
        });
        found.inspect(|&index| taken[index] = true).is_some()
    })
}

/// Applies `change` to every float cell; returns whether there was one.
fn map_floats(table: &mut ResultSet, change: impl Fn(f64) -> f64) -> bool {
    let mut any = false;
    for cell in table.rows.iter_mut().flatten() {
        if let Cell::Float(value) = cell {
            *value = change(*value);
            any = true;
        }
    }
    any
}

fn config() -> Config {
    Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_row_permutation_is_equal((table, order) in with_permutation(tables(0..=8), false)) {
        let shuffled = ResultSet {
            rows: order.iter().map(|&row| table.rows[row].clone()).collect(),
            ..table.clone()
        };
        let comparison = compare_results(&table, &shuffled, &ComparisonOptions::default());
        prop_assert!(comparison.equal, "{comparison:#?}");
        prop_assert_eq!(comparison.diff.missing_row_count, 0);
    }

    #[test]
    fn any_column_permutation_with_renamed_columns_is_equal(
        (table, order) in with_permutation(tables(0..=8), true),
    ) {
        let shuffled = ResultSet {
            columns: order
                .iter()
                .map(|&column| Column {
                    name: format!("renamed_{column}_{}", order.len()),
                    column_type: table.columns[column].column_type.clone(),
                })
                .collect(),
            rows: table
                .rows
                .iter()
                .map(|row| order.iter().map(|&column| row[column].clone()).collect())
                .collect(),
            truncated: false,
        };
        let comparison = compare_results(&table, &shuffled, &ComparisonOptions::default());
        prop_assert!(comparison.equal, "{comparison:#?}");
        prop_assert!(multisets_equal_under(&table, &shuffled, &comparison.column_mapping));
        let mut mapped: Vec<usize> = comparison.column_mapping.iter().flatten().copied().collect();
        mapped.sort_unstable();
        prop_assert_eq!(mapped, (0..order.len()).collect::<Vec<_>>());
    }

    #[test]
    fn changing_one_cell_is_unequal((table, row, column) in with_cell(tables(1..=8))) {
        let mut changed = table.clone();
        changed.rows[row][column] = far_from(&table.rows[row][column]);
        let comparison = compare_results(&table, &changed, &ComparisonOptions::default());
        prop_assert!(!comparison.equal, "{comparison:#?}");
        if !has_duplicate_rows(&table) {
            prop_assert_eq!(&comparison.reasons, &vec![DifferenceReason::SingleCellDifference]);
            let difference = comparison.diff.single_cell_difference.as_ref().unwrap();
            prop_assert_eq!(difference.row, row);
            prop_assert_eq!(&difference.expected, &table.rows[row][column]);
            prop_assert_eq!(&difference.expected_column, &table.columns[column].name);
        }
    }

    #[test]
    fn adding_a_row_is_unequal((table, extra) in tables(0..=8).prop_flat_map(|table| {
        let row: Vec<BoxedStrategy<Cell>> =
            table.columns.iter().map(|_| Kind::Mixed.cells()).collect();
        (Just(table), row)
    })) {
        let mut longer = table.clone();
        longer.rows.push(extra);
        let comparison = compare_results(&table, &longer, &ComparisonOptions::default());
        prop_assert!(!comparison.equal);
        prop_assert!(comparison.reasons.contains(&DifferenceReason::ResultExtraRows), "{comparison:#?}");
        prop_assert_eq!(comparison.diff.extra_row_count, 1);
        prop_assert_eq!(comparison.diff.missing_row_count, 0);
    }

    #[test]
    fn removing_a_row_is_unequal((table, row, _) in with_cell(tables(2..=8))) {
        let mut shorter = table.clone();
        shorter.rows.remove(row);
        let comparison = compare_results(&table, &shorter, &ComparisonOptions::default());
        prop_assert!(!comparison.equal);
        prop_assert_eq!(&comparison.reasons, &vec![DifferenceReason::ResultMissingRows]);
        prop_assert_eq!(comparison.diff.missing_row_count, 1);
        prop_assert_eq!(comparison.diff.extra_row_count, 0);
    }

    #[test]
    fn different_duplicate_counts_are_unequal((table, row, _) in with_cell(tables(1..=8))) {
        let mut duplicated = table.clone();
        duplicated.rows.push(table.rows[row].clone());
        let comparison = compare_results(&table, &duplicated, &ComparisonOptions::default());
        prop_assert!(!comparison.equal);
        prop_assert_eq!(comparison.diff.extra_row_count, 1);

        // Same length, same distinct rows, different counts: one copy of a row traded
        // for a copy of another.
        let other = (row + 1) % table.rows.len();
        let mut traded = table.clone();
        traded.rows[other] = table.rows[row].clone();
        let tolerance = Tolerance::new(&ComparisonOptions::default());
        let same_row = table.rows[row]
            .iter()
            .zip(&table.rows[other])
            .all(|(left, right)| tolerance.cells_equal(left, right));
        let comparison = compare_results(&table, &traded, &ComparisonOptions::default());
        // Columns meet by content, so a table can equal its traded copy under another column
        // mapping (a date column and a timestamp column holding the same days can swap). Under
        // the identity mapping the verdict must be exact; under any mapping it must be sound.
        let identity: Vec<Option<usize>> = (0..table.columns.len()).map(Some).collect();
        if comparison.column_mapping == identity {
            prop_assert_eq!(comparison.equal, same_row, "{:#?}", comparison);
        }
        if comparison.equal {
            prop_assert!(multisets_equal_under(&table, &traded, &comparison.column_mapping));
        } else {
            prop_assert!(!same_row);
        }
    }

    #[test]
    fn floats_within_tolerance_are_equal_and_far_off_ones_are_not(table in tables(0..=8)) {
        let mut close = table.clone();
        let has_floats = map_floats(&mut close, |value| value * (1.0 + 4e-7));
        let comparison = compare_results(&table, &close, &ComparisonOptions::default());
        prop_assert!(comparison.equal, "{comparison:#?}");

        let mut far = table.clone();
        map_floats(&mut far, |value| value + 1.0 + value.abs());
        let comparison = compare_results(&table, &far, &ComparisonOptions::default());
        prop_assert_eq!(comparison.equal, !has_floats, "{:#?}", comparison);
    }
}
