//! The sandbox with the retail fixture, the real clients, temporary bundle
//! directories and fault-injecting wrappers around the real clients.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use genie_applier::{Config, FileBundleRepo, GenieApplier};
use genie_core::error::{PortError, PortErrorKind};
use genie_core::patch::{ApplyBase, Patch, PatchOp, PatchSet, Risk};
use genie_core::ports::{BundleRepo, GenieApi, Warehouse};
use genie_core::result::ResultSet;
use genie_core::space::{SpaceConfig, SpaceDocument, SpaceId};
use genie_core::taxonomy::Lever;
use genie_core::workers::{Applier, ApplyRequest, CloneRequest, DevSpace, DevSpaces, UcWrites};
use genie_databricks::auth::{CredentialSource, Credentials};
use genie_databricks::{
    DatabricksGenie, DatabricksWarehouse, PollPolicy, RateLimiter, RestClient, RetryPolicy, Token,
};
use genie_sandbox::fixture::Fixture;
use genie_sandbox::server::{
    Faults, RunningSandbox, SandboxConfig, SeedSpace, WAREHOUSE_ID, serve,
};
use serde_json::Value;

pub(crate) const TOKEN: &str = "dapi-applier-test";
/// The production space's id.
pub(crate) const PRODUCTION: &str = "01f0ee00000000000000000000000a01";
pub(crate) const DOMAIN: &str = "retail";

pub(crate) fn fixture_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/retail"
    ))
}

pub(crate) fn production_config() -> SpaceConfig {
    let path = fixture_dir().join("space.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("`{}`: {error}", path.display()));
    SpaceDocument::parse(&text)
        .expect("retail space parses")
        .into_config()
}

/// The sandbox with the retail data and its production space.
pub(crate) async fn sandbox(faults: Faults) -> RunningSandbox {
    let fixture = Fixture::load(&fixture_dir())
        .await
        .expect("retail fixture loads");
    serve(
        fixture.engine,
        vec![SeedSpace {
            space_id: PRODUCTION.to_owned(),
            title: "Retail".to_owned(),
            config: production_config(),
        }],
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
            request_timeout: Duration::from_secs(10),
        },
    )
    .expect("client builds")
}

pub(crate) fn genie(server: &RunningSandbox) -> Arc<dyn GenieApi> {
    Arc::new(DatabricksGenie::new(
        rest(server),
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

/// A fast configuration: short waits, the journal in `dir`.
pub(crate) fn config(dir: &TempDir) -> Config {
    Config {
        visibility_timeout_ms: 5_000,
        poll_interval_ms: 10,
        propagation_wait_ms: 0,
        journal_dir: Some(dir.path().join("journal")),
        ..Config::default()
    }
}

pub(crate) fn applier_with(
    genie: Arc<dyn GenieApi>,
    warehouse: Arc<dyn Warehouse>,
    bundle: Arc<dyn BundleRepo>,
    config: Config,
) -> GenieApplier {
    GenieApplier::builder(genie, warehouse, bundle)
        .config(config)
        .build()
}

/// The applier over the real clients, the bundle in `dir/bundle`.
pub(crate) fn applier(server: &RunningSandbox, dir: &TempDir) -> GenieApplier {
    applier_with(
        genie(server),
        warehouse(server),
        Arc::new(FileBundleRepo::new(dir.bundle())),
        config(dir),
    )
}

/// Both clones of production for `run`, and the run's spaces.
pub(crate) async fn clones(applier: &GenieApplier, run: &str) -> DevSpaces {
    let mut ids = Vec::new();
    for clone in [DevSpace::Best, DevSpace::Working] {
        let cloned = applier
            .clone_space(&CloneRequest {
                source: SpaceId::new(PRODUCTION),
                clone,
                run_id: run.to_owned(),
            })
            .await
            .expect("clone made");
        ids.push(cloned.space_id);
    }
    let working = ids.pop().unwrap();
    let best = ids.pop().unwrap();
    DevSpaces::new(SpaceId::new(PRODUCTION), best, working).unwrap()
}

pub(crate) fn patch(op: PatchOp) -> Patch {
    Patch {
        lever: op.natural_lever(),
        op,
        risk: Risk::Low,
        rationale: "test".to_owned(),
        fixes: Vec::new(),
        cluster: None,
    }
}

pub(crate) fn set(ops: Vec<PatchOp>) -> PatchSet {
    PatchSet {
        lever: Lever::UcMetadata,
        patches: ops.into_iter().map(patch).collect(),
    }
}

/// An apply request for `set` on the working clone as it is now.
pub(crate) async fn request(
    genie: &dyn GenieApi,
    spaces: &DevSpaces,
    set: PatchSet,
    uc: UcWrites,
) -> ApplyRequest {
    let space = genie.get_space(spaces.working().as_str()).await.unwrap();
    ApplyRequest {
        spaces: spaces.clone(),
        patch_set: set,
        base: ApplyBase {
            config_hash: space.config().unwrap().content_hash(),
            etag: space.etag,
        },
        domain: DOMAIN.to_owned(),
        uc_writes: uc,
        now_ms: 1_790_000_000_000,
    }
}

/// The canonical JSON of a space's config.
pub(crate) async fn canonical(genie: &dyn GenieApi, space_id: &str) -> String {
    genie
        .get_space(space_id)
        .await
        .unwrap()
        .config()
        .unwrap()
        .canonicalized()
        .to_json()
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

/// The successful mutating calls on `space_id`, as `METHOD` strings.
pub(crate) async fn mutations(server: &RunningSandbox, space_id: &str) -> Vec<Value> {
    audit(server)
        .await
        .into_iter()
        .filter(|event| {
            event["event"] == "call" && event["space_id"] == space_id && event["status"] == 200
        })
        .collect()
}

/// A table's UC comment, read through `information_schema`.
pub(crate) async fn table_comment(warehouse: &dyn Warehouse, table: &str) -> Option<String> {
    let result: ResultSet = warehouse
        .execute(
            &format!("SELECT comment FROM main.information_schema.tables WHERE table_schema = 'retail' AND table_name = '{table}'"),
            &genie_core::ports::ExecuteOptions::default(),
        )
        .await
        .unwrap();
    let row = result.rows.first().expect("the table is listed");
    match &row[0] {
        genie_core::result::Cell::String(text) => Some(text.clone()),
        _ => None,
    }
}

/// A directory removed when dropped.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new(name: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "genie-applier-{name}-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(path.join("bundle")).unwrap();
        Self(path)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    pub(crate) fn bundle(&self) -> PathBuf {
        self.0.join("bundle")
    }

    /// Makes the bundle a git repository with one commit holding `files`.
    pub(crate) fn git_init(&self, files: &[(&str, &str)]) {
        let bundle = self.bundle();
        for (path, content) in files {
            let full = bundle.join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, content).unwrap();
        }
        git(&bundle, &["init", "-q"]);
        git(&bundle, &["add", "-A"]);
        git(
            &bundle,
            &[
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "commit",
                "-q",
                "--allow-empty",
                "-m",
                "start",
            ],
        );
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs git in `dir`; its standard output.
pub(crate) fn git(dir: &Path, arguments: &[&str]) -> String {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(arguments)
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {arguments:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A warehouse whose `execute_ddl` fails for statements containing `needle`
/// (everything else goes to the real client).
pub(crate) struct FailingDdl {
    pub(crate) inner: Arc<dyn Warehouse>,
    pub(crate) needle: String,
}

#[async_trait]
impl Warehouse for FailingDdl {
    async fn execute(
        &self,
        sql: &str,
        options: &genie_core::ports::ExecuteOptions,
    ) -> Result<ResultSet, PortError> {
        self.inner.execute(sql, options).await
    }

    async fn explain(&self, sql: &str) -> Result<String, PortError> {
        self.inner.explain(sql).await
    }

    async fn execute_ddl(&self, statement: &str) -> Result<(), PortError> {
        if statement.contains(&self.needle) {
            return Err(PortError::new(
                PortErrorKind::StatementFailed,
                "injected: PERMISSION_DENIED",
            ));
        }
        self.inner.execute_ddl(statement).await
    }
}

/// A bundle whose writes of paths containing `needle` fail (reads, removes and the
/// diff go to the real directory).
pub(crate) struct FailingWrite {
    pub(crate) inner: FileBundleRepo,
    pub(crate) needle: String,
}

#[async_trait]
impl BundleRepo for FailingWrite {
    async fn read(&self, path: &str) -> Result<Option<Vec<u8>>, PortError> {
        self.inner.read(path).await
    }

    async fn write(&self, path: &str, content: &[u8]) -> Result<(), PortError> {
        if path.contains(&self.needle) {
            return Err(PortError::new(
                PortErrorKind::Other,
                format!("injected: cannot write `{path}`: No space left on device"),
            ));
        }
        self.inner.write(path, content).await
    }

    async fn remove(&self, path: &str) -> Result<(), PortError> {
        self.inner.remove(path).await
    }

    async fn diff(&self) -> Result<String, PortError> {
        self.inner.diff().await
    }
}
