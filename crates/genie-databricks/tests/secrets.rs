//! A whole client session — spaces, questions, statements, failures and conflicts —
//! with every log line captured at TRACE: the token appears in no log line and no
//! error message.
//!
//! This test is its own binary: capturing every log line needs a subscriber that no
//! concurrently running test can race (tracing caches per-callsite interest globally).

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use genie_core::ports::{ExecuteOptions, GenieApi, NewSpace, Warehouse};
use genie_core::space::SpaceConfig;
use genie_databricks::auth::{AuthEnvironment, AuthRequest, resolve};
use genie_databricks::{
    DatabricksGenie, DatabricksWarehouse, PollPolicy, RateLimiter, RestClient, RetryPolicy,
};
use genie_sandbox::engine::Engine;
use genie_sandbox::server::{Faults, SandboxConfig, WAREHOUSE_ID, serve};

const SECRET: &str = "dapi-3c0ffee-session-secret";

/// Log lines, shared with the subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_token_in_any_log_line_or_error() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let engine = Engine::from_schema_sql(
        "CREATE SCHEMA main.sales;\nCREATE TABLE main.sales.orders (id INT);\nINSERT INTO main.sales.orders VALUES (1), (2);",
    )
    .await
    .unwrap();
    let server = serve(
        engine,
        Vec::new(),
        SandboxConfig {
            token: SECRET.to_owned(),
            faults: Faults {
                seed: 3,
                error_rate_503: 0.2,
                ..Faults::default()
            },
            ..SandboxConfig::default()
        },
    )
    .await
    .unwrap();
    let environment = AuthEnvironment {
        variables: [
            ("DATABRICKS_HOST".to_owned(), server.url()),
            ("DATABRICKS_TOKEN".to_owned(), SECRET.to_owned()),
        ]
        .into(),
        ..AuthEnvironment::default()
    };
    let credentials = resolve(&AuthRequest::default(), &environment).unwrap();
    let retry = RetryPolicy {
        initial_backoff: Duration::from_millis(2),
        ..RetryPolicy::default()
    };
    let client = RestClient::new(credentials, retry).unwrap();
    let polls = PollPolicy {
        initial_interval: Duration::from_millis(2),
        ..PollPolicy::default()
    };
    let genie = DatabricksGenie::new(
        client.clone(),
        Arc::new(RateLimiter::new(100, Duration::from_secs(1))),
        polls,
    );
    let warehouse = DatabricksWarehouse::new(client, WAREHOUSE_ID);
    let mut shown = Vec::new();
    let config = SpaceConfig::from_json(
        r#"{"version": 2, "data_sources": {"tables": [{"identifier": "main.sales.orders"}]}}"#,
    )
    .unwrap();
    let created = genie
        .create_space(&NewSpace {
            title: "Session".into(),
            description: None,
            warehouse_id: WAREHOUSE_ID.into(),
            parent_path: None,
            config: config.clone(),
        })
        .await;
    shown.push(format!("{created:?}"));
    if let Ok(space) = &created {
        let id = space.space_id.clone().unwrap();
        shown.push(format!(
            "{:?}",
            genie.ask(&id, "How many orders are there?").await
        ));
        shown.push(format!(
            "{:?}",
            genie.update_space(&id, &config, Some("stale-etag")).await
        ));
        shown.push(format!("{:?}", genie.trash_space(&id).await));
    }
    shown.push(format!(
        "{:?}",
        genie.get_space("00000000000000000000000000000000").await
    ));
    shown.push(format!(
        "{:?}",
        warehouse
            .execute(
                "SELECT COUNT(*) FROM main.sales.orders",
                &ExecuteOptions::default()
            )
            .await
    ));
    shown.push(format!(
        "{:?}",
        warehouse
            .execute("SELECT nope FROM nowhere", &ExecuteOptions::default())
            .await
    ));
    server.shutdown().await;
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("databricks"),
        "the session logged nothing: {logs}"
    );
    assert!(
        logs.contains("request_id=\"sandbox-"),
        "each call's span carries the service's request id"
    );
    assert!(!logs.contains(SECRET), "a log line holds the token");
    for text in &shown {
        assert!(!text.contains(SECRET), "{text}");
    }
}
