//! [`Comparison::explain`]: a comparison told in one paragraph, for reports and judges.

use std::fmt::Write as _;

use super::outcome::{Comparison, DifferenceReason};
use crate::result::{Cell, ColumnType};

/// How many example rows a sentence quotes.
const QUOTED_EXAMPLES: usize = 3;

impl Comparison {
    /// One paragraph saying whether the results agree and, if not, how they differ.
    pub fn explain(&self) -> String {
        let diff = &self.diff;
        let mut text = String::new();
        let compared_columns = self.column_mapping.iter().flatten().count();
        if self.equal {
            let _ = write!(
                text,
                "Same answer: all {} match on {}.",
                count(diff.expected_row_count, "row"),
                count(compared_columns, "expected column"),
            );
        } else {
            let _ = write!(
                text,
                "Different answer: the ground truth has {} and {}, Genie's result {} and {}.",
                count(diff.expected_row_count, "row"),
                count(self.column_mapping.len(), "column"),
                count(diff.actual_row_count, "row"),
                count(diff.extra_columns.len() + compared_columns, "column"),
            );
        }
        if !diff.missing_columns.is_empty() {
            let _ = write!(
                text,
                " Missing {}: {}.",
                noun(diff.missing_columns.len(), "column"),
                names(&diff.missing_columns)
            );
        }
        if !diff.extra_columns.is_empty() {
            let allowed = if self.reasons.contains(&DifferenceReason::ResultExtraColumns) {
                "not allowed"
            } else {
                "allowed"
            };
            let _ = write!(
                text,
                " Genie also returned {} ({allowed}): {}.",
                count(diff.extra_columns.len(), "extra column"),
                names(&diff.extra_columns)
            );
        }
        if self.reasons.contains(&DifferenceReason::EmptyResult) {
            text.push_str(" Genie's result is empty.");
        } else if let Some(cell) = &diff.single_cell_difference {
            let _ = write!(
                text,
                " Only one cell differs: in the row at index {}, column `{}` (Genie's `{}`) should be {} but is {}.",
                cell.row,
                cell.expected_column,
                cell.actual_column,
                describe_cell(&cell.expected),
                describe_cell(&cell.actual),
            );
        } else {
            if diff.missing_row_count > 0 {
                let _ = write!(
                    text,
                    " {} of the ground truth {} missing, e.g. {}.",
                    count(diff.missing_row_count, "row"),
                    if diff.missing_row_count == 1 {
                        "is"
                    } else {
                        "are"
                    },
                    describe_rows(&diff.missing_rows),
                );
            }
            if diff.extra_row_count > 0 {
                let _ = write!(
                    text,
                    " {} of Genie's result {} not in the ground truth, e.g. {}.",
                    count(diff.extra_row_count, "row"),
                    if diff.extra_row_count == 1 {
                        "is"
                    } else {
                        "are"
                    },
                    describe_rows(&diff.extra_rows),
                );
            }
        }
        if let Some(position) = diff.first_row_order_difference {
            let _ = write!(
                text,
                " The rows are the same but their order differs, first at position {position}."
            );
        }
        for mismatch in &diff.column_type_differences {
            let _ = write!(
                text,
                " Column `{}` is {} in the ground truth but Genie's `{}` is {}.",
                mismatch.expected_column,
                type_name(&mismatch.expected_type),
                mismatch.actual_column,
                type_name(&mismatch.actual_type),
            );
        }
        if self.reasons.contains(&DifferenceReason::EmptyGoodSql) {
            text.push_str(
                " The ground truth returned no rows, so agreement with it proves little.",
            );
        }
        if diff.truncated {
            text.push_str(" A result was truncated, so only the returned rows were compared.");
        }
        text
    }
}

/// `1 row`, `3 rows`.
fn count(number: usize, singular: &str) -> String {
    format!("{number} {}", noun(number, singular))
}

fn noun(number: usize, singular: &str) -> String {
    if number == 1 {
        singular.to_owned()
    } else {
        format!("{singular}s")
    }
}

/// `` `a`, `b` ``.
fn names(names: &[String]) -> String {
    names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `(1, 'East'); (2, NULL)`, at most [`QUOTED_EXAMPLES`] rows.
fn describe_rows(rows: &[Vec<Cell>]) -> String {
    rows.iter()
        .take(QUOTED_EXAMPLES)
        .map(|row| {
            let cells: Vec<String> = row.iter().map(describe_cell).collect();
            format!("({})", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A cell as SQL would print it: `NULL`, `42`, `'East'`.
fn describe_cell(cell: &Cell) -> String {
    match cell {
        Cell::Null => "NULL".to_owned(),
        Cell::Boolean(value) => value.to_string(),
        Cell::Integer(value) => value.to_string(),
        Cell::Float(value) => value.to_string(),
        Cell::String(text) => format!("'{text}'"),
        Cell::Decimal(text) | Cell::Date(text) | Cell::Timestamp(text) | Cell::Other(text) => {
            text.clone()
        }
    }
}

/// A column type as Databricks names it: `BIGINT`, `DECIMAL(10,2)`.
fn type_name(column_type: &ColumnType) -> String {
    let name = match column_type {
        ColumnType::Boolean => "BOOLEAN",
        ColumnType::Byte => "TINYINT",
        ColumnType::Short => "SMALLINT",
        ColumnType::Int => "INT",
        ColumnType::Long => "BIGINT",
        ColumnType::Float => "FLOAT",
        ColumnType::Double => "DOUBLE",
        ColumnType::Decimal { precision, scale } => return format!("DECIMAL({precision},{scale})"),
        ColumnType::String => "STRING",
        ColumnType::Date => "DATE",
        ColumnType::Timestamp => "TIMESTAMP",
        ColumnType::Binary => "BINARY",
        ColumnType::Interval => "INTERVAL",
        ColumnType::Nested => "a nested type",
        ColumnType::Null => "NULL",
    };
    name.to_owned()
}

#[cfg(test)]
mod tests {
    use crate::compare::{ComparisonOptions, compare_results};
    use crate::result::{Cell, Column, ColumnType, ResultSet};

    fn sales(columns: [&str; 2], rows: &[(&str, i64)]) -> ResultSet {
        ResultSet {
            columns: vec![
                Column {
                    name: columns[0].to_owned(),
                    column_type: ColumnType::String,
                },
                Column {
                    name: columns[1].to_owned(),
                    column_type: ColumnType::Long,
                },
            ],
            rows: rows
                .iter()
                .map(|(region, sales)| {
                    vec![Cell::String((*region).to_owned()), Cell::Integer(*sales)]
                })
                .collect(),
            truncated: false,
        }
    }

    /// Explains the comparison of two sales tables.
    fn check(expected: &ResultSet, actual: &ResultSet, options: &ComparisonOptions) -> String {
        compare_results(expected, actual, options).explain()
    }

    const COLUMNS: [&str; 2] = ["region", "sales"];

    #[test]
    fn explains_an_equal_result() {
        let expected = sales(COLUMNS, &[("East", 10), ("West", 20)]);
        let actual = sales(COLUMNS, &[("West", 20), ("East", 10)]);
        assert_eq!(
            check(&expected, &actual, &ComparisonOptions::default()),
            "Same answer: all 2 rows match on 2 expected columns."
        );
    }

    #[test]
    fn explains_a_single_cell_difference() {
        let expected = sales(COLUMNS, &[("East", 10), ("West", 20)]);
        let actual = sales(["region", "total"], &[("East", 10), ("West", 25)]);
        assert_eq!(
            check(&expected, &actual, &ComparisonOptions::default()),
            "Different answer: the ground truth has 2 rows and 2 columns, Genie's result 2 rows and 2 columns. \
             Only one cell differs: in the row at index 1, column `sales` (Genie's `total`) should be 20 but is 25."
        );
    }

    #[test]
    fn explains_missing_and_extra_rows() {
        let expected = sales(COLUMNS, &[("East", 10), ("West", 20), ("North", 30)]);
        let actual = sales(COLUMNS, &[("East", 10), ("South", 5)]);
        assert_eq!(
            check(&expected, &actual, &ComparisonOptions::default()),
            "Different answer: the ground truth has 3 rows and 2 columns, Genie's result 2 rows and 2 columns. \
             2 rows of the ground truth are missing, e.g. ('West', 20); ('North', 30). \
             1 row of Genie's result is not in the ground truth, e.g. ('South', 5)."
        );
    }

    #[test]
    fn explains_an_empty_result_and_a_missing_column() {
        let expected = sales(COLUMNS, &[("East", 10)]);
        let mut actual = sales(COLUMNS, &[]);
        actual.columns[1].column_type = ColumnType::Date;
        assert_eq!(
            check(&expected, &actual, &ComparisonOptions::default()),
            "Different answer: the ground truth has 1 row and 2 columns, Genie's result 0 rows and 2 columns. \
             Missing column: `sales`. Genie also returned 1 extra column (allowed): `sales`. Genie's result is empty."
        );
    }

    #[test]
    fn explains_order_extra_columns_and_truncation() {
        let expected = sales(COLUMNS, &[("East", 10), ("West", 20)]);
        let mut actual = sales(COLUMNS, &[("West", 20), ("East", 10)]);
        actual.columns.push(Column {
            name: "orders".to_owned(),
            column_type: ColumnType::Int,
        });
        for row in &mut actual.rows {
            row.push(Cell::Integer(1));
        }
        actual.truncated = true;
        let options = ComparisonOptions {
            order_matters: true,
            allow_extra_columns: false,
            ..ComparisonOptions::default()
        };
        assert_eq!(
            check(&expected, &actual, &options),
            "Different answer: the ground truth has 2 rows and 2 columns, Genie's result 2 rows and 3 columns. \
             Genie also returned 1 extra column (not allowed): `orders`. \
             The rows are the same but their order differs, first at position 0. \
             A result was truncated, so only the returned rows were compared."
        );
    }

    #[test]
    fn explains_informational_reasons_on_an_equal_result() {
        let expected = sales(COLUMNS, &[]);
        let mut actual = sales(COLUMNS, &[]);
        actual.columns[1].column_type = ColumnType::Decimal {
            precision: 10,
            scale: 2,
        };
        actual.columns[0].column_type = ColumnType::Null;
        assert_eq!(
            check(&expected, &actual, &ComparisonOptions::default()),
            "Same answer: all 0 rows match on 2 expected columns. \
             Column `region` is STRING in the ground truth but Genie's `region` is NULL. \
             The ground truth returned no rows, so agreement with it proves little."
        );
    }
}
