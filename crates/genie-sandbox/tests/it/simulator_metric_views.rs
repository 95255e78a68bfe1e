//! The simulator's metric view rule (`docs/sandbox-genie.md`), shown by listing a
//! metric view in the space or not and watching the answer change. The schema is not
//! the retail fixture's: the rule names no fixture's tables or words.

use genie_core::result::Cell;
use genie_core::space::SpaceConfig;
use genie_sandbox::engine::Engine;
use genie_sandbox::simulator::{Catalog, Draw, Reply, answer};
use serde_json::{Value, json};

const SCHEMA: &str = "\
CREATE SCHEMA grid.ops;
CREATE TABLE grid.ops.rdg (rdg_id INT, site STRING, rdg_dt DATE, kwh DOUBLE, peak BOOLEAN);
INSERT INTO grid.ops.rdg VALUES
  (1, 'North', DATE '2024-01-03', 120.5, true), (2, 'North', DATE '2024-02-11', 80.0, false),
  (3, 'South', DATE '2024-02-20', 40.0, true), (4, 'South', DATE '2025-03-05', 300.0, false),
  (5, 'East', DATE '2024-06-09', 12.5, false);
CREATE VIEW grid.ops.energy_metrics WITH METRICS LANGUAGE YAML AS $$
version: 0.1
source: grid.ops.rdg
dimensions:
  - name: site
    expr: site
    comment: Site name
  - name: reading_date
    expr: rdg_dt
measures:
  - name: consumption
    expr: SUM(kwh)
    comment: Energy consumed in kWh
$$;
";

struct Bench {
    engine: Engine,
    catalog: Catalog,
}

impl Bench {
    async fn new() -> Self {
        let engine = Engine::from_schema_sql(SCHEMA).await.expect("schema loads");
        let catalog = Catalog::load(&engine).await.expect("catalog loads");
        Self { engine, catalog }
    }

    /// The SQL answered and its rows, after checking it runs; `None` for text.
    async fn answer(&self, space: &Value, question: &str) -> Option<(String, Vec<Vec<Cell>>)> {
        let config = SpaceConfig::from_json(&space.to_string()).expect("space parses");
        match answer(&self.catalog, &config, question, Draw::default()) {
            Reply::Query(query) => {
                let result =
                    self.engine.query(&query.sql).await.unwrap_or_else(|error| {
                        panic!("{question}: `{}` fails: {error}", query.sql)
                    });
                let steps = query
                    .thoughts
                    .iter()
                    .map(|thought| thought.content.clone())
                    .collect::<Vec<_>>()
                    .join("\n");
                Some((format!("{}\n-- {steps}", query.sql), result.rows))
            }
            Reply::Text(_) => None,
        }
    }
}

/// The readings table, and the metric view when `metric_views` lists it.
#[expect(
    clippy::needless_pass_by_value,
    reason = "callers build each part inline with `json!`"
)]
fn space(metric_views: Value) -> Value {
    json!({
        "version": 2,
        "data_sources": {
            "tables": [{"identifier": "grid.ops.rdg", "description": ["Meter readings: one row per reading"]}],
            "metric_views": metric_views
        }
    })
}

#[expect(
    clippy::needless_pass_by_value,
    reason = "callers build the configs inline with `json!`"
)]
fn listed(column_configs: Value) -> Value {
    json!([{"identifier": "grid.ops.energy_metrics",
            "description": ["Energy metrics of the sites"],
            "column_configs": column_configs}])
}

#[test]
fn catalog_reads_metric_views_with_their_measures() {
    let catalog = tokio_run(async { Bench::new().await.catalog });
    let view = catalog.table("grid.ops.energy_metrics").expect("listed");
    assert!(view.is_metric_view() && view.is_measure("CONSUMPTION") && !view.is_measure("site"));
    let names: Vec<&str> = view.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["site", "reading_date", "consumption"]);
    assert_eq!(view.columns[0].values, ["East", "North", "South"]);
    assert_eq!(
        view.columns[2].comment.as_deref(),
        Some("Energy consumed in kWh")
    );
    assert!(
        !catalog
            .table("grid.ops.rdg")
            .expect("table")
            .is_metric_view()
    );
}

fn tokio_run<T>(future: impl Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

#[tokio::test]
async fn a_listed_metric_view_answers_with_measure() {
    let bench = Bench::new().await;
    let question = "What was the total consumption by site?";
    let (sql, rows) = bench
        .answer(&space(listed(json!([]))), question)
        .await
        .expect("a query");
    assert!(
        sql.contains("MEASURE(`consumption`) AS `consumption`")
            && sql.contains("FROM `grid`.`ops`.`energy_metrics`")
            && sql.contains("GROUP BY ALL"),
        "{sql}"
    );
    let (without, table_rows) = bench
        .answer(&space(json!([])), question)
        .await
        .expect("a query");
    assert!(
        !without.contains("MEASURE(") && without.contains("`rdg`"),
        "{without}"
    );
    // Both group the same readings by site.
    let mut sorted = rows.clone();
    sorted.sort_by_key(|row| format!("{row:?}"));
    let mut table_sorted = table_rows.clone();
    table_sorted.sort_by_key(|row| format!("{row:?}"));
    assert_eq!(sorted, table_sorted);
    assert_eq!(rows.len(), 3);
}

#[tokio::test]
async fn column_configs_and_periods_apply_to_metric_views() {
    let bench = Bench::new().await;
    // A synonym on the measure names it; without it, "usage" names nothing.
    let question = "What was the total usage by site?";
    let with_synonym = listed(json!([{"column_name": "consumption", "synonyms": ["usage"]}]));
    let (sql, _) = bench
        .answer(&space(with_synonym), question)
        .await
        .expect("a query");
    assert!(sql.contains("MEASURE(`consumption`)"), "{sql}");
    let plain = bench.answer(&space(listed(json!([]))), question).await;
    assert!(
        plain
            .as_ref()
            .is_none_or(|(sql, _)| !sql.contains("MEASURE(")),
        "{plain:?}"
    );
    // A period reads the metric view's date dimension.
    let (sql, rows) = bench
        .answer(
            &space(listed(json!([]))),
            "What was the total consumption in 2024 by site?",
        )
        .await
        .expect("a query");
    assert!(
        sql.contains("`energy_metrics`.`reading_date` BETWEEN DATE '2024-01-01'")
            && sql.contains("MEASURE("),
        "{sql}"
    );
    assert_eq!(rows.len(), 3);
    // A monthly grain on the date dimension, and a ranking, stay on the metric view.
    let (sql, rows) = bench
        .answer(
            &space(listed(json!([]))),
            "What was the total consumption each month in 2024?",
        )
        .await
        .expect("a query");
    assert!(
        sql.contains("month(`energy_metrics`.`reading_date`)") && sql.contains("GROUP BY ALL"),
        "{sql}"
    );
    assert_eq!(
        rows,
        [
            vec![Cell::Integer(1), Cell::Float(120.5)],
            vec![Cell::Integer(2), Cell::Float(120.0)],
            vec![Cell::Integer(6), Cell::Float(12.5)]
        ]
    );
    let (sql, rows) = bench
        .answer(
            &space(listed(json!([]))),
            "Which 2 sites had the most consumption?",
        )
        .await
        .expect("a query");
    assert!(
        sql.contains("FROM `grid`.`ops`.`energy_metrics`")
            && sql.contains("ORDER BY `consumption` DESC"),
        "{sql}"
    );
    assert_eq!(
        rows,
        [
            vec![Cell::String("South".into()), Cell::Float(340.0)],
            vec![Cell::String("North".into()), Cell::Float(200.5)]
        ]
    );
    // An excluded dimension is not grouped by.
    let hidden = listed(json!([{"column_name": "site", "exclude": true}]));
    let (sql, _) = bench
        .answer(&space(hidden), "What was the total consumption by site?")
        .await
        .expect("a query");
    assert!(!sql.contains("`energy_metrics`.`site`"), "{sql}");
}

#[tokio::test]
async fn parts_the_metric_view_lacks_send_the_answer_to_tables() {
    let bench = Bench::new().await;
    let (sql, _) = bench
        .answer(
            &space(listed(json!([]))),
            "What was the total consumption of peak readings by site?",
        )
        .await
        .expect("a query");
    assert!(
        !sql.contains("MEASURE(")
            && sql.contains("`rdg`.`peak` = true")
            && sql.contains("the metric view `energy_metrics` is left out"),
        "{sql}"
    );
}
