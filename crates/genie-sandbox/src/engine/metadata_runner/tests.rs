//! Tests of metadata statements run on an [`Engine`]: every statement form and its errors.

use genie_core::result::Cell;

use super::*;
use crate::engine::EngineError;

const SCHEMA: &str = "\
CREATE SCHEMA main.sales;
CREATE TABLE main.sales.orders (id INT, region STRING, amount DECIMAL(10,2), day DATE);
INSERT INTO main.sales.orders VALUES
  (1, 'EMEA', 10.50, DATE '2024-01-05'), (2, 'AMER', 20.25, DATE '2024-02-10'),
  (3, 'EMEA', 5.00, DATE '2024-02-11');
";

/// Runs `future` to completion on a fresh single-threaded runtime.
pub(super) fn run<T>(future: impl Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

async fn engine() -> Engine {
    Engine::from_schema_sql(SCHEMA).await.unwrap()
}

/// The rows `sql` returns (panics naming the SQL when it fails).
pub(super) async fn rows(engine: &Engine, sql: &str) -> Vec<Vec<Cell>> {
    engine
        .execute(sql)
        .await
        .unwrap_or_else(|error| panic!("{sql}: {error}"))
        .rows
}

/// The engine's message for `sql`, which must fail.
pub(super) async fn failure(engine: &Engine, sql: &str) -> String {
    match engine.execute(sql).await {
        Err(EngineError::Execution(message)) => message,
        other => panic!("{sql}: {other:?}"),
    }
}

/// A string cell.
pub(super) fn text(value: &str) -> Cell {
    Cell::String(value.to_owned())
}

#[test]
fn comments_reach_information_schema_and_describe() {
    run(async {
        let engine = engine().await;
        let before = engine.metadata_version();
        for sql in [
            "COMMENT ON TABLE main.sales.orders IS 'One row per order'",
            "COMMENT ON COLUMN main.sales.orders.amount IS 'Net amount'",
            "ALTER TABLE main.sales.orders ALTER COLUMN region COMMENT 'Sales region'",
            "ALTER TABLE main.sales.orders SET TBLPROPERTIES ('quality' = 'gold')",
            "ALTER TABLE main.sales.orders SET TAGS ('domain' = 'sales')",
            "ALTER TABLE main.sales.orders ALTER COLUMN region SET TAGS ('kind' = 'code')",
        ] {
            let result = engine.execute(sql).await.unwrap();
            assert!(result.columns.is_empty() && result.rows.is_empty());
        }
        assert_eq!(engine.metadata_version(), before + 6);
        assert_eq!(
            rows(
                &engine,
                "SELECT table_name, table_type, comment FROM main.information_schema.tables"
            )
            .await,
            [vec![
                text("orders"),
                text("MANAGED"),
                text("One row per order")
            ]]
        );
        assert_eq!(
            rows(
                &engine,
                "SELECT column_name, ordinal_position, data_type, full_data_type, is_nullable, comment \
                 FROM main.information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position"
            )
            .await[1..3],
            [
                vec![text("region"), Cell::Integer(1), text("STRING"), text("string"), text("YES"), text("Sales region")],
                vec![text("amount"), Cell::Integer(2), text("DECIMAL"), text("decimal(10,2)"), text("YES"), text("Net amount")],
            ]
        );
        assert_eq!(
            rows(
                &engine,
                "SELECT tag_name, tag_value FROM main.information_schema.table_tags"
            )
            .await,
            [vec![text("domain"), text("sales")]]
        );
        assert_eq!(
            rows(
                &engine,
                "SELECT column_name, tag_name FROM main.information_schema.column_tags"
            )
            .await,
            [vec![text("region"), text("kind")]]
        );
        assert_eq!(
            rows(&engine, "DESCRIBE TABLE main.sales.orders").await[2],
            [text("amount"), text("decimal(10,2)"), text("Net amount")]
        );
        assert_eq!(
            rows(&engine, "SHOW TABLES IN main.sales").await,
            [vec![text("sales"), text("orders"), Cell::Boolean(false)]]
        );
        let message = failure(&engine, "SHOW TABLES IN main.nope").await;
        assert!(
            message.starts_with("[SCHEMA_NOT_FOUND] The schema `main`.`nope`"),
            "{message}"
        );
        assert_eq!(
            rows(&engine, "SHOW TBLPROPERTIES main.sales.orders").await,
            [vec![text("quality"), text("gold")]]
        );
        assert_eq!(
            engine.comments().table("main.sales.orders"),
            Some("One row per order")
        );
        engine
            .execute("COMMENT ON TABLE main.sales.orders IS NULL")
            .await
            .unwrap();
        assert_eq!(
            rows(
                &engine,
                "SELECT comment FROM main.information_schema.tables"
            )
            .await,
            [vec![Cell::Null]]
        );
    });
}

#[test]
fn unknown_names_fail_like_databricks() {
    run(async {
        let engine = engine().await;
        let version = engine.metadata_version();
        for sql in [
            "COMMENT ON TABLE main.sales.nope IS 'x'",
            "DESCRIBE TABLE main.sales.nope",
            "ALTER TABLE main.sales.nope SET TAGS ('a' = 'b')",
            "SELECT * FROM main.sales.nope",
        ] {
            let message = failure(&engine, sql).await;
            assert!(
                message.starts_with("[TABLE_OR_VIEW_NOT_FOUND] The table or view `main`.`sales`.`nope` cannot be found."),
                "{sql}: {message}"
            );
        }
        let message = failure(&engine, "COMMENT ON COLUMN main.sales.orders.nope IS 'x'").await;
        assert!(
            message.starts_with("[UNRESOLVED_COLUMN.WITH_SUGGESTION]"),
            "{message}"
        );
        let message = failure(&engine, "COMMENT ON TABLE main.sales.orders IS").await;
        assert!(message.starts_with("[PARSE_SYNTAX_ERROR]"), "{message}");
        for sql in [
            "CREATE TABLE main.sales.more (a INT)",
            "DROP TABLE main.sales.orders",
            "ALTER TABLE main.sales.orders ADD COLUMN b INT",
            "CREATE SCHEMA main.other",
        ] {
            let message = failure(&engine, sql).await;
            assert!(
                message.starts_with("[NOT_SUPPORTED_COMMAND]"),
                "{sql}: {message}"
            );
        }
        assert_eq!(
            rows(&engine, "SELECT COUNT(*) FROM main.sales.orders").await,
            [vec![Cell::Integer(3)]]
        );
        let message = failure(
            &engine,
            "COPY INTO main.sales.orders FROM 'x.csv' FILEFORMAT = CSV",
        )
        .await;
        assert!(message.starts_with("[NOT_SUPPORTED_COMMAND]"), "{message}");
        assert_eq!(engine.metadata_version(), version);
    });
}

#[test]
fn views_are_relations_over_the_data() {
    run(async {
        let engine = engine().await;
        engine
            .execute(
                "CREATE OR REPLACE VIEW main.sales.emea COMMENT 'EMEA orders' AS \
                 SELECT id, amount, year(day) AS y FROM main.sales.orders WHERE region = 'EMEA'",
            )
            .await
            .unwrap();
        assert_eq!(engine.tables(), ["main.sales.orders", "main.sales.emea"]);
        assert_eq!(engine.views(), ["main.sales.emea"]);
        assert_eq!(
            rows(&engine, "SELECT id, y FROM main.sales.emea ORDER BY id").await,
            [
                vec![Cell::Integer(1), Cell::Integer(2024)],
                vec![Cell::Integer(3), Cell::Integer(2024)]
            ]
        );
        assert_eq!(
            rows(&engine, "SELECT table_type, comment FROM main.information_schema.tables WHERE table_name = 'emea'").await,
            [vec![text("VIEW"), text("EMEA orders")]]
        );
        engine
            .execute("COMMENT ON COLUMN main.sales.emea.amount IS 'Net'")
            .await
            .unwrap();
        assert_eq!(
            engine.comments().column("main.sales.emea", "amount"),
            Some("Net")
        );
        let message = failure(&engine, "CREATE VIEW main.sales.emea AS SELECT 1 AS a").await;
        assert!(
            message.starts_with("[TABLE_OR_VIEW_ALREADY_EXISTS]"),
            "{message}"
        );
        let version = engine.metadata_version();
        engine
            .execute("CREATE VIEW IF NOT EXISTS main.sales.emea AS SELECT 1 AS a")
            .await
            .unwrap();
        assert_eq!(engine.metadata_version(), version, "nothing changed");
        let message = failure(
            &engine,
            "CREATE OR REPLACE VIEW main.sales.orders AS SELECT 1 AS a",
        )
        .await;
        assert!(
            message.starts_with("[TABLE_OR_VIEW_ALREADY_EXISTS]"),
            "{message}"
        );
        let message = failure(&engine, "CREATE VIEW main.nope.v AS SELECT 1 AS a").await;
        assert!(message.starts_with("[SCHEMA_NOT_FOUND]"), "{message}");
        engine
            .execute("CREATE OR REPLACE VIEW main.sales.emea AS SELECT id FROM main.sales.orders")
            .await
            .unwrap();
        assert_eq!(
            rows(&engine, "SELECT COUNT(*) FROM main.sales.emea").await,
            [vec![Cell::Integer(3)]]
        );
        assert_eq!(engine.comments().table("main.sales.emea"), None);
        let version = engine.metadata_version();
        engine.execute("DROP VIEW main.sales.emea").await.unwrap();
        assert_eq!(engine.tables(), ["main.sales.orders"]);
        assert_eq!(engine.metadata_version(), version + 1);
        let message = failure(&engine, "SELECT * FROM main.sales.emea").await;
        assert!(
            message.starts_with("[TABLE_OR_VIEW_NOT_FOUND]"),
            "{message}"
        );
        engine
            .execute("DROP VIEW IF EXISTS main.sales.emea")
            .await
            .unwrap();
        assert_eq!(engine.metadata_version(), version + 1);
        let message = failure(&engine, "DROP VIEW main.sales.emea").await;
        assert!(
            message.starts_with("[TABLE_OR_VIEW_NOT_FOUND]"),
            "{message}"
        );
        let message = failure(&engine, "DROP VIEW main.sales.orders").await;
        assert!(
            message.starts_with("[WRONG_COMMAND_FOR_OBJECT_TYPE]"),
            "{message}"
        );
    });
}

#[test]
fn table_functions_are_callable() {
    run(async {
        let engine = engine().await;
        engine
            .execute(
                "CREATE OR REPLACE FUNCTION main.sales.region_orders(p_region STRING COMMENT 'code', p_min DECIMAL(10,2) DEFAULT 0) \
                 RETURNS TABLE (id INT, amount DECIMAL(10,2)) COMMENT 'Orders of a region' \
                 RETURN SELECT id, amount FROM main.sales.orders WHERE region = p_region AND amount >= p_min",
            )
            .await
            .unwrap();
        assert_eq!(
            rows(
                &engine,
                "SELECT * FROM main.sales.region_orders('EMEA') ORDER BY id"
            )
            .await,
            [
                vec![Cell::Integer(1), Cell::Decimal("10.50".into())],
                vec![Cell::Integer(3), Cell::Decimal("5.00".into())]
            ]
        );
        assert_eq!(
            rows(
                &engine,
                "SELECT o.id FROM main.sales.region_orders(p_min => 6, p_region => 'EMEA') AS o"
            )
            .await,
            [vec![Cell::Integer(1)]]
        );
        assert_eq!(
            rows(&engine, "SELECT COUNT(*) FROM main.sales.orders WHERE id IN (SELECT id FROM main.sales.region_orders('AMER'))").await,
            [vec![Cell::Integer(1)]]
        );
        let described = rows(&engine, "DESCRIBE FUNCTION main.sales.region_orders").await;
        assert_eq!(
            described[0],
            [text("Function:    main.sales.region_orders")]
        );
        assert_eq!(
            described[2],
            [text("Input:       p_region STRING COMMENT 'code'")]
        );
        let message = failure(&engine, "DESCRIBE FUNCTION main.sales.nope").await;
        assert!(message.starts_with("[ROUTINE_NOT_FOUND]"), "{message}");
        let functions = engine.functions();
        assert_eq!(functions.len(), 1);
        assert_eq!(functions[0].name, "main.sales.region_orders");
        assert_eq!(functions[0].parameters[0].comment.as_deref(), Some("code"));
        assert_eq!(functions[0].returns[1].data_type, "DECIMAL(10,2)");
        assert_eq!(functions[0].comment.as_deref(), Some("Orders of a region"));
        assert_eq!(
            rows(
                &engine,
                "SELECT routine_name, data_type, comment FROM main.information_schema.routines"
            )
            .await,
            [vec![
                text("region_orders"),
                text("TABLE"),
                text("Orders of a region")
            ]]
        );
        let message = failure(&engine, "SELECT * FROM main.sales.region_orders()").await;
        assert!(
            message.starts_with("[REQUIRED_PARAMETER_NOT_FOUND]"),
            "{message}"
        );
        let message = failure(
            &engine,
            "CREATE FUNCTION main.sales.region_orders(p INT) RETURNS TABLE (a INT) RETURN SELECT 1",
        )
        .await;
        assert!(message.starts_with("[ROUTINE_ALREADY_EXISTS]"), "{message}");
        let message = failure(
            &engine,
            "CREATE FUNCTION main.sales.two(p INT) RETURNS TABLE (a INT) RETURN SELECT id, region FROM main.sales.orders",
        )
        .await;
        assert!(
            message.starts_with("[USER_DEFINED_FUNCTIONS.RETURN_COLUMN_COUNT_MISMATCH]"),
            "{message}"
        );
        let message = failure(
            &engine,
            "CREATE FUNCTION main.sales.bad(p INT) RETURNS TABLE (a INT) RETURN SELECT id FROM main.sales.nope",
        )
        .await;
        assert!(
            message.starts_with("[TABLE_OR_VIEW_NOT_FOUND]"),
            "{message}"
        );
        // Functions that call each other stop instead of recursing forever.
        engine
            .execute("CREATE FUNCTION main.sales.f() RETURNS TABLE (id INT) RETURN SELECT id FROM main.sales.orders")
            .await
            .unwrap();
        engine
            .execute("CREATE FUNCTION main.sales.g() RETURNS TABLE (id INT) RETURN SELECT id FROM main.sales.f()")
            .await
            .unwrap();
        let message = failure(
            &engine,
            "CREATE OR REPLACE FUNCTION main.sales.f() RETURNS TABLE (id INT) RETURN SELECT id FROM main.sales.g()",
        )
        .await;
        assert!(message.starts_with("[ROUTINE_RECURSION]"), "{message}");
        engine
            .execute("DROP FUNCTION main.sales.region_orders")
            .await
            .unwrap();
        assert_eq!(engine.functions().len(), 2);
        let message = failure(&engine, "SELECT * FROM main.sales.region_orders('EMEA')").await;
        assert!(!message.is_empty());
        let message = failure(&engine, "DROP FUNCTION main.sales.region_orders").await;
        assert!(
            message.starts_with("[ROUTINE_NOT_FOUND] The routine `main`.`sales`.`region_orders`"),
            "{message}"
        );
        engine
            .execute("DROP FUNCTION IF EXISTS main.sales.region_orders")
            .await
            .unwrap();
        assert_eq!(
            rows(&engine, "SELECT COUNT(*) FROM main.sales.g()").await,
            [vec![Cell::Integer(3)]]
        );
    });
}

#[test]
fn copy_into_loads_csv_beside_the_schema_file() {
    run(async {
        let directory =
            std::env::temp_dir().join(format!("genie-sandbox-copy-{}", std::process::id()));
        std::fs::create_dir_all(&directory).unwrap();
        std::fs::write(
            directory.join("schema.sql"),
            "CREATE SCHEMA main.s;\nCREATE TABLE main.s.t (id INT, name STRING, day DATE);\n\
             COPY INTO main.s.t FROM 't.csv' FILEFORMAT = CSV FORMAT_OPTIONS ('header' = 'true');\n",
        )
        .unwrap();
        std::fs::write(
            directory.join("t.csv"),
            "id,name,day\n1,a,2024-01-01\n2,,\n",
        )
        .unwrap();
        let engine = Engine::from_schema_file(&directory.join("schema.sql"))
            .await
            .unwrap();
        assert_eq!(
            rows(&engine, "SELECT id, name, day FROM main.s.t ORDER BY id").await,
            [
                vec![Cell::Integer(1), text("a"), Cell::Date("2024-01-01".into())],
                vec![Cell::Integer(2), Cell::Null, Cell::Null]
            ]
        );
        std::fs::write(
            directory.join("t.csv"),
            "id,name,day\n1,a,2024-01-01\nx,b,\n",
        )
        .unwrap();
        let error = Engine::from_schema_file(&directory.join("schema.sql"))
            .await
            .unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with("schema.sql line 3 (statement 3): `")
                && message.ends_with("t.csv` line 3: column `id`: `x` is not a valid INT"),
            "{message}"
        );
        let error = Engine::from_schema_sql(
            &std::fs::read_to_string(directory.join("schema.sql")).unwrap(),
        )
        .await
        .unwrap_err();
        assert!(
            error.to_string().contains("Engine::from_schema_file"),
            "{error}"
        );
        std::fs::remove_dir_all(&directory).unwrap();
    });
}
