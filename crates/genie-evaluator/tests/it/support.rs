//! Starting the sandbox with the retail fixture and building the real clients.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use genie_core::benchmark::{BenchmarkSet, parse_benchmark_file};
use genie_core::evaluation::{EvalReport, Scope};
use genie_core::ports::{GenieApi, Warehouse};
use genie_core::space::{SpaceConfig, SpaceDocument};
use genie_core::sql::{TemplateVariables, resolve_template};
use genie_core::workers::{EvaluationRequest, Evaluator};
use genie_databricks::auth::{CredentialSource, Credentials};
use genie_databricks::{
    DatabricksGenie, DatabricksWarehouse, PollPolicy, RateLimiter, RestClient, RetryPolicy, Token,
};
use genie_evaluator::{Config, GenieEvaluator};
use genie_sandbox::fixture::Fixture;
use genie_sandbox::server::{
    Faults, RunningSandbox, SandboxConfig, SeedSpace, WAREHOUSE_ID, serve,
};
use serde_json::Value;

pub(crate) const TOKEN: &str = "dapi-evaluator-test";
/// The weak (production) space's id.
pub(crate) const WEAK: &str = "01f0ee00000000000000000000000001";
/// The improved space's id.
pub(crate) const IMPROVED: &str = "01f0ee00000000000000000000000002";

pub(crate) fn fixture_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/retail"
    ))
}

pub(crate) fn read(name: &str) -> String {
    let path = fixture_dir().join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read `{}`: {error}", path.display()))
}

pub(crate) fn space(name: &str) -> SpaceConfig {
    SpaceDocument::parse(&read(name))
        .unwrap_or_else(|error| panic!("`{name}`: {error}"))
        .into_config()
}

/// The sandbox with the retail data and both spaces.
pub(crate) async fn sandbox(faults: Faults) -> RunningSandbox {
    sandbox_with(faults, Vec::new()).await
}

/// The sandbox with the retail data, both spaces and `extra` ones.
pub(crate) async fn sandbox_with(faults: Faults, extra: Vec<SeedSpace>) -> RunningSandbox {
    let fixture = Fixture::load(&fixture_dir())
        .await
        .expect("retail fixture loads");
    let mut spaces = vec![
        SeedSpace {
            space_id: WEAK.to_owned(),
            title: "retail (weak)".to_owned(),
            config: space("space.json"),
        },
        SeedSpace {
            space_id: IMPROVED.to_owned(),
            title: "retail (improved)".to_owned(),
            config: space("space_improved.json"),
        },
    ];
    spaces.extend(extra);
    serve(
        fixture.engine,
        spaces,
        SandboxConfig {
            token: TOKEN.to_owned(),
            faults,
            ..SandboxConfig::default()
        },
    )
    .await
    .expect("sandbox starts")
}

fn rest(server: &RunningSandbox) -> RestClient {
    rest_with_timeout(server, Duration::from_secs(2))
}

fn rest_with_timeout(server: &RunningSandbox, request_timeout: Duration) -> RestClient {
    let _ = rustls::crypto::ring::default_provider().install_default();
    RestClient::new(
        Credentials {
            host: server.url(),
            token: Token::new(TOKEN),
            source: CredentialSource::Explicit,
        },
        RetryPolicy {
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(50),
            max_attempts: 12,
            request_timeout,
        },
    )
    .expect("client builds")
}

pub(crate) fn genie(server: &RunningSandbox) -> Arc<dyn GenieApi> {
    genie_over(rest(server))
}

/// A Genie client whose calls may take a minute: the sandbox computes a whole eval
/// run inside its create call, which takes seconds on a loaded machine.
pub(crate) fn patient_genie(server: &RunningSandbox) -> Arc<dyn GenieApi> {
    genie_over(rest_with_timeout(server, Duration::from_mins(1)))
}

fn genie_over(client: RestClient) -> Arc<dyn GenieApi> {
    Arc::new(DatabricksGenie::new(
        client,
        Arc::new(RateLimiter::new(10_000, Duration::from_secs(1))),
        PollPolicy {
            initial_interval: Duration::from_millis(5),
            max_interval: Duration::from_millis(20),
            deadline: Duration::from_secs(30),
            max_attempts: 12,
        },
    ))
}

pub(crate) fn warehouse(server: &RunningSandbox) -> Arc<dyn Warehouse> {
    let mut warehouse = DatabricksWarehouse::new(rest(server), WAREHOUSE_ID);
    warehouse.poll_interval = Duration::from_millis(5);
    Arc::new(warehouse)
}

/// The retail benchmarks, templates resolved.
pub(crate) fn benchmarks() -> BenchmarkSet {
    let file = parse_benchmark_file("benchmarks.yaml", &read("benchmarks.yaml")).unwrap();
    let variables = TemplateVariables::default()
        .with("catalog", file.catalog.clone().unwrap_or_default())
        .with("gold_schema", file.gold_schema.clone().unwrap_or_default());
    let benchmarks = file
        .benchmarks
        .into_iter()
        .map(|mut benchmark| {
            benchmark.expected_sql = resolve_template(&benchmark.expected_sql, &variables).unwrap();
            benchmark
        })
        .collect();
    BenchmarkSet::new(file.domain, benchmarks, Vec::new())
}

pub(crate) fn request(space_id: &str, benchmarks: BenchmarkSet, scope: Scope) -> EvaluationRequest {
    EvaluationRequest {
        space_id: space_id.to_owned(),
        config_hash: None,
        benchmarks,
        scope,
        iteration: 0,
        previous: None,
    }
}

/// Evaluates `space_id` on the sandbox with the default config.
pub(crate) async fn evaluate(server: &RunningSandbox, request: &EvaluationRequest) -> EvalReport {
    GenieEvaluator::builder(genie(server), warehouse(server))
        .config(Config::default())
        .build()
        .evaluate(request)
        .await
        .expect("evaluation runs")
}

/// The sandbox's audit events.
pub(crate) async fn audit(server: &RunningSandbox) -> Vec<Value> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let response = reqwest::Client::new()
        .get(format!("{}/sandbox/audit", server.url()))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    body["events"].as_array().cloned().unwrap_or_default()
}
