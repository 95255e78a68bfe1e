//! Tests of metric views on an [`Engine`]: creating them in `schema.sql` and over
//! `execute`, querying them with `MEASURE()`, their errors, and their metadata.

use genie_core::result::Cell;

use super::super::tests::{failure, rows, run, text};
use crate::engine::Engine;

const SCHEMA: &str = "\
CREATE SCHEMA main.sales;
CREATE TABLE main.sales.orders (id INT, region STRING, amount DECIMAL(10,2), day DATE, paid BOOLEAN);
INSERT INTO main.sales.orders VALUES
  (1, 'EMEA', 10.50, DATE '2024-01-05', true), (2, 'AMER', 20.25, DATE '2024-02-10', true),
  (3, 'EMEA', 5.00, DATE '2024-02-11', false), (4, 'APAC', 7.00, DATE '2024-03-01', true);
CREATE VIEW main.sales.order_metrics
  WITH METRICS LANGUAGE YAML
  COMMENT 'Order metrics'
  AS $$
version: 0.1
source: main.sales.orders
filter: paid
dimensions:
  - name: region
    expr: region
    comment: Sales region
  - name: order_month
    expr: month(day)
measures:
  - name: total_amount
    expr: SUM(amount)
    comment: Paid amount
  - name: order_count
    expr: COUNT(1)
$$;
";

async fn engine() -> Engine {
    Engine::from_schema_sql(SCHEMA).await.unwrap()
}

#[test]
fn queries_use_dimensions_measures_and_the_filter() {
    run(async {
        let engine = engine().await;
        let result = engine
            .execute(
                "SELECT region, MEASURE(total_amount), MEASURE(`order_count`) AS n \
                 FROM main.sales.order_metrics GROUP BY ALL ORDER BY region",
            )
            .await
            .unwrap();
        let names: Vec<&str> = result.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["region", "measure(total_amount)", "n"]);
        assert_eq!(
            result.rows,
            [
                vec![
                    text("AMER"),
                    Cell::Decimal("20.25".into()),
                    Cell::Integer(1)
                ],
                vec![text("APAC"), Cell::Decimal("7.00".into()), Cell::Integer(1)],
                vec![
                    text("EMEA"),
                    Cell::Decimal("10.50".into()),
                    Cell::Integer(1)
                ],
            ]
        );
        // Qualified names, WHERE on a dimension, GROUP BY a dimension, ORDER BY an
        // output name, LIMIT; dimensions over Spark functions.
        assert_eq!(
            rows(
                &engine,
                "SELECT `mv`.order_month, MEASURE(mv.total_amount) AS total \
                 FROM main.sales.order_metrics AS mv WHERE mv.region <> 'APAC' \
                 GROUP BY order_month ORDER BY total DESC LIMIT 1",
            )
            .await,
            [vec![Cell::Integer(2), Cell::Decimal("20.25".into())]]
        );
        // No dimension: one row; the filter applies.
        assert_eq!(
            rows(
                &engine,
                "SELECT MEASURE(order_count) FROM main.sales.order_metrics"
            )
            .await,
            [vec![Cell::Integer(3)]]
        );
        // A metric view joined through a CTE.
        assert_eq!(
            rows(
                &engine,
                "WITH m AS (SELECT region, MEASURE(total_amount) AS total \
                 FROM main.sales.order_metrics GROUP BY ALL) \
                 SELECT o.id, m.total FROM main.sales.orders o JOIN m ON o.region = m.region \
                 WHERE o.id = 4",
            )
            .await,
            [vec![Cell::Integer(4), Cell::Decimal("7.00".into())]]
        );
    });
}

#[test]
fn misuse_fails_like_databricks() {
    run(async {
        let engine = engine().await;
        for (sql, class) in [
            (
                "SELECT o.id FROM main.sales.orders o JOIN main.sales.order_metrics m \
                 ON o.region = m.region",
                "[METRIC_VIEW_JOIN_NOT_SUPPORTED]",
            ),
            (
                "SELECT region FROM main.sales.order_metrics, main.sales.orders",
                "[METRIC_VIEW_JOIN_NOT_SUPPORTED]",
            ),
            (
                "SELECT MEASURE(amount) FROM main.sales.orders",
                "[UNSUPPORTED_METRIC_VIEW_USAGE.UNCATEGORIZED]",
            ),
            (
                "SELECT * FROM main.sales.order_metrics",
                "[UNSUPPORTED_METRIC_VIEW_USAGE.SELECT_STAR_NOT_SUPPORTED]",
            ),
            (
                "SELECT region, total_amount FROM main.sales.order_metrics GROUP BY ALL",
                "[METRIC_VIEW_MISSING_MEASURE_FUNCTION]",
            ),
            (
                "SELECT MEASURE(region) FROM main.sales.order_metrics",
                "[UNSUPPORTED_METRIC_VIEW_USAGE.MEASURE_REQUIRES_EXACTLY_ONE_COLUMN]",
            ),
        ] {
            let error = failure(&engine, sql).await;
            assert!(error.starts_with(class), "{sql}: {error}");
        }
        let error = failure(
            &engine,
            "SELECT 1 FROM main.sales.orders o JOIN main.sales.order_metrics m ON true",
        )
        .await;
        assert!(error.contains("main.sales.order_metrics"), "{error}");
    });
}

#[test]
fn metadata_lists_metric_views() {
    run(async {
        let engine = engine().await;
        assert_eq!(
            rows(
                &engine,
                "SELECT table_type, comment FROM main.information_schema.tables \
                 WHERE table_name = 'order_metrics'",
            )
            .await,
            [vec![text("METRIC_VIEW"), text("Order metrics")]]
        );
        assert_eq!(
            rows(
                &engine,
                "SELECT column_name, data_type, comment FROM main.information_schema.columns \
                 WHERE table_name = 'order_metrics' ORDER BY ordinal_position",
            )
            .await,
            [
                vec![text("region"), text("STRING"), text("Sales region")],
                vec![text("order_month"), text("INT"), Cell::Null],
                vec![text("total_amount"), text("DECIMAL"), text("Paid amount")],
                vec![text("order_count"), text("LONG"), Cell::Null],
            ]
        );
        let described = rows(&engine, "DESCRIBE TABLE main.sales.order_metrics").await;
        assert_eq!(described.len(), 4);
        assert_eq!(
            described[0],
            [text("region"), text("string"), text("Sales region")]
        );
        let extended = rows(&engine, "DESCRIBE TABLE EXTENDED main.sales.order_metrics").await;
        assert!(extended.contains(&vec![text("Type"), text("METRIC_VIEW"), Cell::Null]));
        let views = engine.metric_views();
        assert_eq!(views.len(), 1);
        assert_eq!(views[0].name, "main.sales.order_metrics");
        assert_eq!(views[0].dimensions, ["region", "order_month"]);
        assert_eq!(views[0].measures, ["total_amount", "order_count"]);
        assert!(engine.has_table("main.sales.order_metrics"));
        assert!(engine.views().is_empty());
    });
}

#[test]
fn create_replace_and_drop_over_execute() {
    run(async {
        let engine = engine().await;
        let create = |or_replace: &str, measure: &str| {
            format!(
                "CREATE {or_replace}VIEW main.sales.amounts WITH METRICS LANGUAGE YAML AS $$\n\
                 version: 1.1\nsource: SELECT * FROM main.sales.orders WHERE region = 'EMEA'\n\
                 measures:\n  - name: total\n    expr: {measure}\n$$"
            )
        };
        let version = engine.metadata_version();
        rows(&engine, &create("", "SUM(amount)")).await;
        assert_eq!(engine.metadata_version(), version + 1);
        assert_eq!(
            rows(&engine, "SELECT MEASURE(total) FROM main.sales.amounts").await,
            [vec![Cell::Decimal("15.50".into())]]
        );
        let error = failure(&engine, &create("", "SUM(amount)")).await;
        assert!(
            error.starts_with("[TABLE_OR_VIEW_ALREADY_EXISTS]"),
            "{error}"
        );
        rows(&engine, &create("OR REPLACE ", "MAX(amount)")).await;
        assert_eq!(engine.metadata_version(), version + 2);
        assert_eq!(
            rows(&engine, "SELECT MEASURE(total) FROM main.sales.amounts").await,
            [vec![Cell::Decimal("10.50".into())]]
        );
        // A measure that does not plan over the source names the problem.
        let error = failure(&engine, &create("OR REPLACE ", "SUM(nope)")).await;
        assert!(
            error.starts_with("[METRIC_VIEW_INVALID_VIEW_DEFINITION]") && error.contains("nope"),
            "{error}"
        );
        let error = failure(
            &engine,
            "CREATE VIEW main.sales.bad WITH METRICS LANGUAGE YAML AS $$\nversion: 0.1\n\
             source: main.sales.orders\ndimensions:\n  - name: region\n$$",
        )
        .await;
        assert!(error.contains("expr"), "{error}");
        rows(&engine, "DROP VIEW main.sales.amounts").await;
        assert_eq!(engine.metadata_version(), version + 3);
        assert!(!engine.has_table("main.sales.amounts"));
        let error = failure(&engine, "SELECT MEASURE(total) FROM main.sales.amounts").await;
        assert!(
            error.starts_with("[UNSUPPORTED_METRIC_VIEW_USAGE"),
            "{error}"
        );
    });
}

#[test]
fn alter_view_sets_and_unsets_a_metric_views_tags_and_properties() {
    run(async {
        let engine = engine().await;
        for sql in [
            "ALTER VIEW main.sales.order_metrics SET TAGS ('certified' = 'yes')",
            "ALTER VIEW main.sales.order_metrics SET TBLPROPERTIES ('owner' = 'finance')",
        ] {
            engine.execute(sql).await.unwrap();
        }
        assert_eq!(
            rows(
                &engine,
                "SELECT table_name, tag_name, tag_value FROM main.information_schema.table_tags"
            )
            .await,
            [vec![text("order_metrics"), text("certified"), text("yes")]]
        );
        let properties = rows(&engine, "SHOW TBLPROPERTIES main.sales.order_metrics").await;
        assert!(
            properties.contains(&vec![text("owner"), text("finance")]),
            "{properties:?}"
        );
        engine
            .execute("ALTER VIEW main.sales.order_metrics UNSET TAGS ('certified')")
            .await
            .unwrap();
        assert!(
            rows(
                &engine,
                "SELECT tag_name FROM main.information_schema.table_tags"
            )
            .await
            .is_empty()
        );
    });
}
