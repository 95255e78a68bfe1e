//! Integration tests of genie-generator against the sandbox over HTTP on 127.0.0.1:
//! the retail fixture's benchmarks and space, and a small schema of another domain.

mod corrections;
mod retail;
mod small_schema;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use std::sync::Mutex;

use async_trait::async_trait;
use genie_core::benchmark::{BenchmarkFile, parse_benchmark_file};
use genie_core::error::PortError;
use genie_core::ports::{ChatRequest, ChatResponse, ExecuteOptions, Llm, TokenUsage, Warehouse};
use genie_core::result::ResultSet;
use genie_core::space::SpaceConfig;
use genie_core::workers::GenerateRequest;
use genie_databricks::auth::{CredentialSource, Credentials};
use genie_databricks::{DatabricksWarehouse, RestClient, RetryPolicy, Token};
use genie_generator::{BenchmarkGenerator, Config};
use genie_sandbox::engine::Engine;
use genie_sandbox::fixture::Fixture;
use genie_sandbox::server::{RunningSandbox, SandboxConfig, WAREHOUSE_ID, serve};

const TOKEN: &str = "dapi-generator-test";

/// The retail fixture's directory.
fn retail_dir() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/retail"
    ))
}

/// A sandbox serving `engine` on 127.0.0.1.
async fn sandbox(engine: Engine) -> RunningSandbox {
    serve(
        engine,
        Vec::new(),
        SandboxConfig {
            token: TOKEN.to_owned(),
            ..SandboxConfig::default()
        },
    )
    .await
    .expect("sandbox starts")
}

/// The retail fixture's production space, and a sandbox serving its data.
async fn retail_sandbox() -> (SpaceConfig, RunningSandbox) {
    let Fixture {
        engine, production, ..
    } = Fixture::load(retail_dir())
        .await
        .expect("retail fixture loads");
    (production.config, sandbox(engine).await)
}

/// The retail fixture's benchmark file, parsed.
fn retail_benchmarks() -> BenchmarkFile {
    let path = retail_dir().join("benchmarks.yaml");
    let text = std::fs::read_to_string(&path).expect("benchmarks.yaml reads");
    parse_benchmark_file("benchmarks.yaml", &text).unwrap_or_else(|error| panic!("{error}"))
}

/// A request for `config`'s space from `file` (synthesis when `None`).
fn request(config: SpaceConfig, file: Option<BenchmarkFile>) -> GenerateRequest {
    GenerateRequest {
        space_id: "0".repeat(32),
        config,
        file,
        domain: None,
        extra_p0: Vec::new(),
        keep_invalid: false,
    }
}

/// A generator with the default config over `warehouse`.
fn generator(warehouse: &Arc<CountingWarehouse>) -> BenchmarkGenerator {
    BenchmarkGenerator::new(warehouse.clone(), Config::default())
        .expect("the default config is valid")
}

/// A model that answers any question with a row count of the first table its prompt
/// lists, and records the questions.
#[derive(Default)]
struct FirstTableLlm {
    questions: Mutex<Vec<String>>,
}

#[async_trait]
impl Llm for FirstTableLlm {
    async fn complete(&self, request: &ChatRequest) -> Result<ChatResponse, PortError> {
        let system = &request.messages[0].content;
        let table = system
            .lines()
            .find_map(|line| line.strip_prefix("- "))
            .and_then(|line| line.split([':', ' ']).next())
            .expect("the prompt lists tables");
        let question = request.messages.last().expect("a question").content.clone();
        self.questions.lock().unwrap().push(question);
        Ok(ChatResponse {
            content: format!("```sql\nSELECT COUNT(*) AS n FROM {table}\n```"),
            model: "first-table".into(),
            usage: TokenUsage::default(),
        })
    }
}

/// The sandbox's SQL warehouse through the real Statement Execution client, counting
/// the statements in flight.
fn warehouse(server: &RunningSandbox) -> Arc<CountingWarehouse> {
    let credentials = Credentials {
        host: server.url(),
        token: Token::new(TOKEN),
        source: CredentialSource::Explicit,
    };
    let retry = RetryPolicy {
        initial_backoff: Duration::from_millis(5),
        max_backoff: Duration::from_millis(50),
        max_attempts: 6,
        request_timeout: Duration::from_secs(30),
    };
    let mut inner =
        DatabricksWarehouse::new(RestClient::new(credentials, retry).unwrap(), WAREHOUSE_ID);
    inner.poll_interval = Duration::from_millis(5);
    Arc::new(CountingWarehouse {
        inner,
        statements: AtomicUsize::new(0),
        running: AtomicUsize::new(0),
        peak: AtomicUsize::new(0),
    })
}

/// A warehouse that counts statements and the most run at once.
struct CountingWarehouse {
    inner: DatabricksWarehouse,
    statements: AtomicUsize,
    running: AtomicUsize,
    peak: AtomicUsize,
}

impl CountingWarehouse {
    fn statements(&self) -> usize {
        self.statements.load(Ordering::SeqCst)
    }

    fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl Warehouse for CountingWarehouse {
    async fn execute(&self, sql: &str, options: &ExecuteOptions) -> Result<ResultSet, PortError> {
        self.statements.fetch_add(1, Ordering::SeqCst);
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        let result = self.inner.execute(sql, options).await;
        self.running.fetch_sub(1, Ordering::SeqCst);
        result
    }

    async fn explain(&self, sql: &str) -> Result<String, PortError> {
        self.inner.explain(sql).await
    }

    async fn execute_ddl(&self, statement: &str) -> Result<(), PortError> {
        self.inner.execute_ddl(statement).await
    }
}
