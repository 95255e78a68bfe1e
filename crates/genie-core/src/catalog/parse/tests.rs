//! Canned result sets in the shapes the sandbox and Databricks return.

use super::*;
use crate::catalog::CatalogScope;
use crate::error::PortErrorKind;
use crate::result::{Column, ColumnType};
use crate::space::{SpaceConfig, TableConfig};

fn result(columns: &[&str], rows: &[&[Option<&str>]]) -> ResultSet {
    ResultSet {
        columns: columns
            .iter()
            .map(|name| Column {
                name: (*name).to_owned(),
                column_type: ColumnType::String,
            })
            .collect(),
        rows: rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|cell| cell.map_or(Cell::Null, |text| Cell::String(text.to_owned())))
                    .collect()
            })
            .collect(),
        truncated: false,
    }
}

fn scope() -> CatalogScope {
    let mut config = SpaceConfig::default();
    config
        .tables_mut()
        .push(TableConfig::new("main.sales.orders"));
    CatalogScope::of_space(&config)
}

fn statement_failed(message: &str) -> PortError {
    PortError::new(PortErrorKind::StatementFailed, message)
}

/// What the sandbox answers: the columns its `information_schema` has, positions
/// counted from 0 as integers; no definitions, parameters, routine columns or views.
fn sandbox_answer(query: CatalogQuery) -> CatalogAnswer {
    let some = Some;
    let result = match &query.source {
        CatalogSource::Tables { .. } => Ok(result(
            &[
                "table_catalog",
                "table_schema",
                "table_name",
                "table_type",
                "comment",
            ],
            &[
                &[
                    some("main"),
                    some("sales"),
                    some("orders"),
                    some("MANAGED"),
                    some("Orders"),
                ],
                &[
                    some("main"),
                    some("sales"),
                    some("revenue"),
                    some("METRIC_VIEW"),
                    None,
                ],
            ],
        )),
        CatalogSource::Columns { .. } => {
            let mut columns = result(
                &[
                    "table_catalog",
                    "table_schema",
                    "table_name",
                    "column_name",
                    "ordinal_position",
                    "data_type",
                    "full_data_type",
                    "is_nullable",
                    "comment",
                ],
                &[
                    &[
                        some("main"),
                        some("sales"),
                        some("orders"),
                        some("region"),
                        None,
                        some("STRING"),
                        some("string"),
                        some("YES"),
                        some("Sales region"),
                    ],
                    &[
                        some("main"),
                        some("sales"),
                        some("orders"),
                        some("amount"),
                        None,
                        some("DECIMAL"),
                        some("decimal(10,2)"),
                        some("YES"),
                        some(""),
                    ],
                ],
            );
            // The sandbox's `ordinal_position` is an INT column, counted from 0.
            columns.columns[4].column_type = ColumnType::Int;
            columns.rows[0][4] = Cell::Integer(1);
            columns.rows[1][4] = Cell::Integer(0);
            Ok(columns)
        }
        CatalogSource::TableTags { .. } => Ok(result(
            &[
                "catalog_name",
                "schema_name",
                "table_name",
                "tag_name",
                "tag_value",
            ],
            &[&[
                some("main"),
                some("sales"),
                some("orders"),
                some("domain"),
                some("sales"),
            ]],
        )),
        CatalogSource::ColumnTags { .. } => Ok(result(
            &[
                "catalog_name",
                "schema_name",
                "table_name",
                "column_name",
                "tag_name",
                "tag_value",
            ],
            &[&[
                some("main"),
                some("sales"),
                some("orders"),
                some("amount"),
                some("unit"),
                some("usd"),
            ]],
        )),
        CatalogSource::Routines { .. } => Ok(result(
            &[
                "routine_catalog",
                "routine_schema",
                "routine_name",
                "routine_type",
                "data_type",
                "comment",
            ],
            &[&[
                some("main"),
                some("sales"),
                some("top_customers"),
                some("FUNCTION"),
                some("TABLE"),
                some("Best customers"),
            ]],
        )),
        CatalogSource::Properties { .. } => Ok(result(
            &["key", "value"],
            &[&[some("quality"), some("gold")]],
        )),
        CatalogSource::RoutineDefinitions { .. } => Err(statement_failed(
            "[UNRESOLVED_COLUMN] `routine_definition` cannot be resolved",
        )),
        _ => Err(statement_failed("[TABLE_OR_VIEW_NOT_FOUND] no such view")),
    };
    CatalogAnswer { query, result }
}

#[test]
fn sandbox_shaped_results_make_a_snapshot_that_says_what_it_lacks() {
    let answers = scope().queries().into_iter().map(sandbox_answer);
    let snapshot = CatalogSnapshot::from_results(answers).unwrap();
    let orders = snapshot.table("main.sales.orders").unwrap();
    assert_eq!(orders.comment.as_deref(), Some("Orders"));
    let names: Vec<&str> = orders.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["amount", "region"], "ordered by ordinal position");
    assert_eq!(
        orders.columns[0].comment, None,
        "a blank comment is no comment"
    );
    assert_eq!(orders.columns[0].tags["unit"], "usd");
    assert_eq!(
        orders.columns[0].full_data_type.as_deref(),
        Some("decimal(10,2)")
    );
    assert_eq!(orders.columns[1].nullable, Some(true));
    assert_eq!(orders.tags["domain"], "sales");
    assert_eq!(
        orders.properties.as_ref().unwrap()["quality"],
        "gold".to_owned()
    );
    let metric_views: Vec<&str> = snapshot
        .metric_views()
        .map(|view| view.identifier.as_str())
        .collect();
    assert_eq!(metric_views, ["main.sales.revenue"]);
    assert_eq!(
        snapshot
            .table("main.sales.revenue")
            .unwrap()
            .view_definition,
        None
    );
    let function = snapshot.routine("main.sales.top_customers").unwrap();
    assert!(function.is_table_function());
    assert_eq!(function.parameters, None);
    assert_eq!(function.returns, None);
    assert_eq!(function.definition, None);
    let missing: Vec<String> = snapshot
        .unavailable
        .iter()
        .map(|unavailable| unavailable.source.to_string())
        .collect();
    assert_eq!(
        missing,
        [
            "`main.information_schema.views`",
            "`main.information_schema.routines` definitions",
            "`main.information_schema.parameters`",
            "`main.information_schema.routine_columns`",
        ]
    );
    assert!(snapshot.is_unavailable(&CatalogSource::Views {
        catalog: "main".to_owned()
    }));
}

/// What Databricks answers for the optional views (more columns than selected, in
/// another order, upper-case names).
fn databricks_answer(query: CatalogQuery) -> CatalogAnswer {
    let some = Some;
    let result = match &query.source {
        CatalogSource::RoutineDefinitions { .. } => Ok(result(
            &[
                "ROUTINE_NAME",
                "ROUTINE_SCHEMA",
                "ROUTINE_CATALOG",
                "ROUTINE_DEFINITION",
            ],
            &[&[
                some("top_customers"),
                some("sales"),
                some("main"),
                some("SELECT name FROM main.sales.customers LIMIT n"),
            ]],
        )),
        CatalogSource::Parameters { .. } => Ok(result(
            &[
                "specific_catalog",
                "specific_schema",
                "specific_name",
                "ordinal_position",
                "parameter_mode",
                "parameter_name",
                "data_type",
                "full_data_type",
                "parameter_default",
                "comment",
            ],
            &[
                &[
                    some("main"),
                    some("sales"),
                    some("top_customers"),
                    some("2"),
                    some("IN"),
                    some("region"),
                    some("STRING"),
                    some("STRING"),
                    some("'EMEA'"),
                    None,
                ],
                &[
                    some("main"),
                    some("sales"),
                    some("top_customers"),
                    some("1"),
                    some("IN"),
                    some("n"),
                    some("INT"),
                    some("INT"),
                    None,
                    some("How many"),
                ],
            ],
        )),
        CatalogSource::RoutineColumns { .. } => Ok(result(
            &[
                "specific_catalog",
                "specific_schema",
                "specific_name",
                "ordinal_position",
                "column_name",
                "data_type",
                "full_data_type",
                "comment",
            ],
            &[&[
                some("main"),
                some("sales"),
                some("top_customers"),
                some("1"),
                some("name"),
                some("STRING"),
                some("STRING"),
                None,
            ]],
        )),
        CatalogSource::Views { .. } => Ok(result(
            &[
                "table_catalog",
                "table_schema",
                "table_name",
                "view_definition",
                "is_updatable",
            ],
            &[&[
                some("main"),
                some("sales"),
                some("revenue"),
                some("version: 1.1\nsource: main.sales.orders\n"),
                some("NO"),
            ]],
        )),
        _ => return sandbox_answer(query),
    };
    CatalogAnswer { query, result }
}

#[test]
fn databricks_shaped_results_fill_the_optional_parts() {
    let answers = scope().queries().into_iter().map(databricks_answer);
    let snapshot = CatalogSnapshot::from_results(answers).unwrap();
    assert_eq!(snapshot.unavailable, []);
    let function = snapshot.routine("main.sales.top_customers").unwrap();
    let parameters: Vec<(&str, Option<&str>)> = function
        .parameters
        .as_ref()
        .unwrap()
        .iter()
        .map(|parameter| (parameter.name.as_str(), parameter.default.as_deref()))
        .collect();
    assert_eq!(parameters, [("n", None), ("region", Some("'EMEA'"))]);
    assert_eq!(function.returns.as_ref().unwrap()[0].name, "name");
    assert!(
        function
            .definition
            .as_deref()
            .unwrap()
            .starts_with("SELECT name")
    );
    let revenue = snapshot.table("main.sales.revenue").unwrap();
    assert!(
        revenue
            .view_definition
            .as_deref()
            .unwrap()
            .contains("source:")
    );
}

#[test]
fn a_failed_required_source_is_an_error_naming_it() {
    let answers = scope().queries().into_iter().map(|query| {
        if matches!(query.source, CatalogSource::Columns { .. }) {
            CatalogAnswer {
                query,
                result: Err(PortError::new(
                    PortErrorKind::Unauthorized,
                    "no USE CATALOG",
                )),
            }
        } else {
            sandbox_answer(query)
        }
    });
    let error = CatalogSnapshot::from_results(answers).unwrap_err();
    assert_eq!(
        error.to_string(),
        "cannot read `main.information_schema.columns`: unauthorized: no USE CATALOG"
    );
}

#[test]
fn a_result_without_an_expected_column_is_an_error() {
    let answers = scope().queries().into_iter().map(|query| {
        if matches!(query.source, CatalogSource::Tables { .. }) {
            CatalogAnswer {
                query,
                result: Ok(result(&["table_catalog", "table_name"], &[])),
            }
        } else {
            sandbox_answer(query)
        }
    });
    let error = CatalogSnapshot::from_results(answers).unwrap_err();
    assert_eq!(
        error.to_string(),
        "`main.information_schema.tables` has no column `table_schema`"
    );
}
