//! `DatabricksWarehouse` against the sandbox on 127.0.0.1: typed results across
//! chunks, parameters, failures, metadata statements, `EXPLAIN`, and retries through
//! injected 500/503/429 answers and dropped connections.

use std::time::Duration;

use genie_core::error::PortErrorKind;
use genie_core::ports::{ExecuteOptions, Warehouse};
use genie_core::result::{Cell, ColumnType};
use genie_databricks::auth::{CredentialSource, Credentials};
use genie_databricks::{DatabricksWarehouse, RestClient, RetryPolicy, Token};
use genie_sandbox::engine::Engine;
use genie_sandbox::server::{Faults, RunningSandbox, SandboxConfig, WAREHOUSE_ID, serve};

const TOKEN: &str = "dapi-warehouse-test";

const SCHEMA: &str = "\
CREATE SCHEMA main.sales;
CREATE TABLE main.sales.orders (id INT, region STRING, amount DECIMAL(10,2), day DATE, paid BOOLEAN);
INSERT INTO main.sales.orders VALUES
  (1, 'EMEA', 10.50, DATE '2024-01-05', true), (2, 'AMER', 20.25, DATE '2024-02-10', false),
  (3, 'EMEA', NULL, DATE '2024-02-11', NULL), (4, 'APJ', 7.00, DATE '2024-03-01', true),
  (5, 'AMER', 1.00, DATE '2024-03-02', true);
";

async fn sandbox(faults: Faults) -> RunningSandbox {
    let engine = Engine::from_schema_sql(SCHEMA).await.expect("schema loads");
    serve(
        engine,
        Vec::new(),
        SandboxConfig {
            token: TOKEN.to_owned(),
            chunk_rows: 2,
            faults,
            ..SandboxConfig::default()
        },
    )
    .await
    .expect("sandbox starts")
}

fn warehouse(server: &RunningSandbox) -> DatabricksWarehouse {
    let credentials = Credentials {
        host: server.url(),
        token: Token::new(TOKEN),
        source: CredentialSource::Explicit,
    };
    let retry = RetryPolicy {
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(50),
        max_attempts: 12,
        request_timeout: Duration::from_secs(5),
    };
    let mut warehouse =
        DatabricksWarehouse::new(RestClient::new(credentials, retry).unwrap(), WAREHOUSE_ID);
    warehouse.poll_interval = Duration::from_millis(5);
    warehouse
}

#[tokio::test]
async fn results_are_typed_and_read_across_chunks() {
    let server = sandbox(Faults::default()).await;
    let warehouse = warehouse(&server);
    let result = warehouse
        .execute(
            "SELECT id, region, amount, day, paid FROM main.sales.orders ORDER BY id",
            &ExecuteOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        result.rows.len(),
        5,
        "three chunks of two rows put together"
    );
    assert_eq!(
        result
            .columns
            .iter()
            .map(|c| c.column_type.clone())
            .collect::<Vec<_>>(),
        [
            ColumnType::Int,
            ColumnType::String,
            ColumnType::Decimal {
                precision: 10,
                scale: 2
            },
            ColumnType::Date,
            ColumnType::Boolean
        ]
    );
    assert_eq!(
        result.rows[0],
        [
            Cell::Integer(1),
            Cell::String("EMEA".into()),
            Cell::Decimal("10.50".into()),
            Cell::Date("2024-01-05".into()),
            Cell::Boolean(true)
        ]
    );
    assert!(result.rows[2][2].is_null() && result.rows[2][4].is_null());
    let limited = warehouse
        .execute(
            "SELECT id FROM orders",
            &ExecuteOptions {
                row_limit: Some(3),
                catalog: Some("main".into()),
                schema: Some("sales".into()),
                ..ExecuteOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!((limited.rows.len(), limited.truncated), (3, true));
    let parameters = ExecuteOptions {
        parameters: [("region".to_owned(), "EMEA".to_owned())].into(),
        ..ExecuteOptions::default()
    };
    let counted = warehouse
        .execute(
            "SELECT COUNT(*) AS n FROM main.sales.orders WHERE region = :region",
            &parameters,
        )
        .await
        .unwrap();
    assert_eq!(counted.rows, [vec![Cell::Integer(2)]]);
    server.shutdown().await;
}

#[tokio::test]
async fn failures_ddl_and_explain() {
    let server = sandbox(Faults::default()).await;
    let warehouse = warehouse(&server);
    let error = warehouse
        .execute(
            "SELECT nope FROM main.sales.orders",
            &ExecuteOptions::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind, PortErrorKind::StatementFailed, "{error}");
    assert!(error.message.contains("nope"), "{error}");
    warehouse
        .execute_ddl("COMMENT ON TABLE main.sales.orders IS 'One row per order'")
        .await
        .unwrap();
    let comment = warehouse
        .execute(
            "SELECT comment FROM main.information_schema.tables WHERE table_name = 'orders'",
            &ExecuteOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(
        comment.rows,
        [vec![Cell::String("One row per order".into())]]
    );
    let plan = warehouse
        .explain("SELECT region, SUM(amount) FROM main.sales.orders GROUP BY region")
        .await
        .unwrap();
    assert!(plan.to_lowercase().contains("aggregate"), "{plan}");
    server.shutdown().await;
}

#[tokio::test]
async fn transient_failures_are_retried_and_wrong_tokens_are_not() {
    let faults = Faults {
        seed: 11,
        error_rate_500: 0.2,
        error_rate_503: 0.2,
        error_rate_429: 0.2,
        dropped_connection_rate: 0.1,
        ..Faults::default()
    };
    let server = sandbox(faults).await;
    let warehouse = warehouse(&server);
    for _ in 0..20 {
        let result = warehouse
            .execute(
                "SELECT COUNT(*) FROM main.sales.orders",
                &ExecuteOptions::default(),
            )
            .await
            .unwrap();
        assert_eq!(result.rows, [vec![Cell::Integer(5)]]);
    }
    let credentials = Credentials {
        host: server.url(),
        token: Token::new("dapi-wrong"),
        source: CredentialSource::Explicit,
    };
    let wrong = DatabricksWarehouse::new(
        RestClient::new(credentials, RetryPolicy::default()).unwrap(),
        WAREHOUSE_ID,
    );
    let error = wrong
        .execute("SELECT 1", &ExecuteOptions::default())
        .await
        .unwrap_err();
    assert_eq!(error.kind, PortErrorKind::Unauthorized);
    assert!(!format!("{error} {error:?}").contains("dapi-wrong"));
    server.shutdown().await;
}
