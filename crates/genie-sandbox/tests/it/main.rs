//! Integration tests of the sandbox server, driven over HTTP on 127.0.0.1.

mod audit;
mod conversations;
mod eval_runs;
mod faults;
mod genie;
mod metadata;
mod retail_fixture;
mod simulator_generality;
mod simulator_metric_views;
mod simulator_retail;
mod simulator_rules;
mod spaces;
mod statements;

use genie_sandbox::engine::Engine;
use genie_sandbox::server::{RunningSandbox, SandboxConfig, SeedSpace, serve};
use reqwest::Method;
use serde_json::Value;

/// The token every test request carries.
const TOKEN: &str = "dapi-sandbox-test-token";

const SCHEMA: &str = "\
CREATE SCHEMA main.sales;
CREATE TABLE main.sales.orders (id INT, region STRING, amount DECIMAL(10,2), day DATE);
INSERT INTO main.sales.orders VALUES
  (1, 'EMEA', 10.50, DATE '2024-01-05'), (2, 'AMER', 20.25, DATE '2024-02-10'),
  (3, 'EMEA', NULL, DATE '2024-02-11'), (4, 'APJ', 7.00, DATE '2024-03-01'),
  (5, 'AMER', 1.00, DATE '2024-03-02');
";

/// A server over the small schema above holding `seeds`.
async fn start_with(chunk_rows: usize, seeds: Vec<SeedSpace>) -> RunningSandbox {
    start_configured(
        SandboxConfig {
            chunk_rows,
            ..config()
        },
        seeds,
    )
    .await
}

/// The test configuration: any port, the test token, no faults.
fn config() -> SandboxConfig {
    SandboxConfig {
        port: 0,
        token: TOKEN.to_owned(),
        ..SandboxConfig::default()
    }
}

/// A server over the small schema with `config`, holding `seeds`.
async fn start_configured(config: SandboxConfig, seeds: Vec<SeedSpace>) -> RunningSandbox {
    let engine = Engine::from_schema_sql(SCHEMA).await.expect("schema loads");
    serve(engine, seeds, config).await.expect("binds 127.0.0.1")
}

/// A server over the small schema with no spaces.
async fn start(chunk_rows: usize) -> RunningSandbox {
    start_with(chunk_rows, Vec::new()).await
}

/// Sends an authenticated request; returns the status and the JSON body.
async fn call(
    server: &RunningSandbox,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut request = http()
        .request(method, format!("{}{path}", server.url()))
        .bearer_auth(TOKEN);
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.expect("request sent");
    (
        response.status().as_u16(),
        response.json().await.expect("JSON body"),
    )
}

async fn get(server: &RunningSandbox, path: &str) -> (u16, Value) {
    call(server, Method::GET, path, None).await
}

async fn post(server: &RunningSandbox, path: &str, body: &Value) -> (u16, Value) {
    call(server, Method::POST, path, Some(body)).await
}

async fn patch(server: &RunningSandbox, path: &str, body: &Value) -> (u16, Value) {
    call(server, Method::PATCH, path, Some(body)).await
}

async fn delete(server: &RunningSandbox, path: &str) -> (u16, Value) {
    call(server, Method::DELETE, path, None).await
}

/// An HTTP client. Clients need a TLS crypto provider even for `http://`; the
/// workspace's reqwest brings none of its own, so the tests install rustls' ring one.
fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}
