//! The sandbox's HTTP server: Databricks' REST paths on 127.0.0.1.
//!
//! Served: `GET /.well-known/databricks-config`, `GET /api/2.0/sql/warehouses`, the
//! Genie spaces API (`/api/2.0/genie/spaces`), the Genie conversation API
//! (`/api/2.0/genie/spaces/{id}/start-conversation`, `…/conversations/…`), the Genie
//! benchmark eval-run API (`…/spaces/{id}/eval-runs`), the SQL
//! Statement Execution API (`/api/2.0/sql/statements`) and the sandbox's own audit log
//! (`GET /sandbox/audit`). Every request but the well-known one needs
//! `Authorization: Bearer <token>`; every error has Databricks' body
//! `{"error_code", "message"}` and status. [`Faults`] configures injected failures and
//! limits.

mod api_error;
mod audit;
mod auth;
mod body;
mod clock;
mod conversations;
mod eval_runs;
mod faults;
mod mix;
mod paging;
mod query_cache;
mod rate;
mod request_faults;
mod spaces;
mod statement_results;
mod statements;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use axum::Router;
use axum::routing::{delete, get, post};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::engine::{Engine, EngineError};
use crate::simulator::Catalog;
pub use api_error::ApiError;
pub use faults::{FaultKind, Faults, FaultsError};
pub use spaces::SeedSpace;

/// How a sandbox server runs.
#[derive(Debug, Clone, PartialEq)]
pub struct SandboxConfig {
    /// The port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// The bearer token every request must carry.
    pub token: String,
    /// Rows per result chunk of the statements API.
    pub chunk_rows: usize,
    /// Injected faults and limits (none by default).
    pub faults: Faults,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            port: 0,
            token: String::new(),
            chunk_rows: 10_000,
            faults: Faults::default(),
        }
    }
}

/// The id of the sandbox's one SQL warehouse.
pub const WAREHOUSE_ID: &str = "5a4d6b0c3e2f1a09";

/// What every handler shares.
pub(crate) struct AppState {
    pub(crate) engine: Engine,
    pub(crate) config: SandboxConfig,
    pub(crate) statements: statement_results::StatementStore,
    /// Outcomes of Genie's and benchmarks' read-only queries, by SQL text.
    pub(crate) query_cache: query_cache::QueryCache,
    pub(crate) spaces: spaces::SpaceStore,
    /// What the simulator knows of the warehouse; rebuilt by [`AppState::reload_catalog`].
    pub(crate) catalog: RwLock<Arc<Catalog>>,
    pub(crate) conversations: conversations::ConversationStore,
    pub(crate) eval_runs: eval_runs::EvalRunStore,
    pub(crate) audit: audit::AuditLog,
    pub(crate) faults: faults::FaultDice,
    /// The `genie_qpm` window, when there is a limit.
    pub(crate) genie_window: Mutex<Option<rate::RateWindow>>,
    /// Turns `true` when the server stops (stalled polls then end).
    pub(crate) stopping: watch::Receiver<bool>,
}

impl AppState {
    /// The current catalog.
    pub(crate) fn catalog(&self) -> Arc<Catalog> {
        Arc::clone(&self.catalog.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Reads the catalog again from the engine (after a statement changed metadata).
    pub(crate) async fn reload_catalog(&self) -> Result<(), EngineError> {
        let catalog = Arc::new(Catalog::load(&self.engine).await?);
        *self.catalog.write().unwrap_or_else(PoisonError::into_inner) = catalog;
        Ok(())
    }
}

/// A running server; dropping it does not stop it (see [`RunningSandbox::shutdown`]).
#[derive(Debug)]
pub struct RunningSandbox {
    address: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningSandbox {
    /// The address it listens on (always 127.0.0.1).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `http://127.0.0.1:PORT`, the workspace host clients use.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Stops accepting connections and waits for the server task to end.
    pub async fn shutdown(mut self) {
        if let Some(sender) = self.shutdown.take() {
            let _ = sender.send(());
        }
        let _ = (&mut self.task).await;
    }
}

/// Starts a server over `engine`, holding the `seeds` spaces, on 127.0.0.1.
pub async fn serve(
    engine: Engine,
    seeds: Vec<SeedSpace>,
    config: SandboxConfig,
) -> std::io::Result<RunningSandbox> {
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, config.port))).await?;
    let address = listener.local_addr()?;
    let catalog = Catalog::load(&engine)
        .await
        .map_err(|error| std::io::Error::other(format!("cannot read the catalog: {error}")))?;
    let faults = config.faults.clone();
    let genie_window = faults
        .genie_qpm
        .map(|limit| rate::RateWindow::new(limit, faults.scaled(60_000)));
    let (stop, stopping) = watch::channel(false);
    let state = Arc::new(AppState {
        engine,
        config,
        statements: statement_results::StatementStore::default(),
        query_cache: query_cache::QueryCache::default(),
        spaces: spaces::SpaceStore::new(seeds),
        catalog: RwLock::new(Arc::new(catalog)),
        conversations: conversations::ConversationStore::default(),
        eval_runs: eval_runs::EvalRunStore::default(),
        audit: audit::AuditLog::default(),
        faults: faults::FaultDice::new(faults),
        genie_window: Mutex::new(genie_window),
        stopping,
    });
    let (sender, receiver) = tokio::sync::oneshot::channel::<()>();
    let app = router(state);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = receiver.await;
                let _ = stop.send(true);
            })
            .await;
    });
    Ok(RunningSandbox {
        address,
        shutdown: Some(sender),
        task,
    })
}

fn router(state: Arc<AppState>) -> Router {
    let authenticated = Router::new()
        .route("/api/2.0/sql/warehouses", get(warehouses))
        .route(
            "/api/2.0/genie/spaces",
            get(spaces::list).post(spaces::create),
        )
        .route(
            "/api/2.0/genie/spaces/{space_id}",
            get(spaces::get).patch(spaces::update).delete(spaces::trash),
        )
        .route("/api/2.0/sql/statements", post(statements::execute))
        .route(
            "/api/2.0/sql/statements/{statement_id}",
            get(statements::get),
        )
        .route(
            "/api/2.0/sql/statements/{statement_id}/cancel",
            post(statements::cancel),
        )
        .route(
            "/api/2.0/sql/statements/{statement_id}/result/chunks/{chunk_index}",
            get(statements::chunk),
        )
        .merge(conversation_routes())
        .merge(eval_run_routes())
        .route_layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            request_faults::inject,
        ))
        .route_layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            audit::record_calls,
        ))
        .route_layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            auth::require_token,
        ));
    let sandbox = Router::new()
        .route("/sandbox/audit", get(audit::list))
        .route_layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            auth::require_token,
        ));
    Router::new()
        .route("/.well-known/databricks-config", get(well_known))
        .merge(authenticated)
        .merge(sandbox)
        .fallback(not_found)
        .layer(axum::middleware::map_response(with_request_id))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            api_error::panic_response,
        ))
        .with_state(state)
}

/// Tags every answer with an `x-request-id`, as Databricks does, so clients can log it.
async fn with_request_id(mut response: axum::response::Response) -> axum::response::Response {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let id = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if let Ok(value) = axum::http::HeaderValue::from_str(&format!("sandbox-{id:016x}")) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

/// The Genie conversation API's routes.
fn conversation_routes() -> Router<Arc<AppState>> {
    const SPACE: &str = "/api/2.0/genie/spaces/{space_id}";
    const CONVERSATION: &str = "/api/2.0/genie/spaces/{space_id}/conversations/{conversation_id}";
    const MESSAGE: &str =
        "/api/2.0/genie/spaces/{space_id}/conversations/{conversation_id}/messages/{message_id}";
    Router::new()
        .route(
            &format!("{SPACE}/start-conversation"),
            post(conversations::start),
        )
        .route(
            &format!("{SPACE}/conversations"),
            get(conversations::list_conversations),
        )
        .route(CONVERSATION, delete(conversations::delete_conversation))
        .route(
            &format!("{CONVERSATION}/messages"),
            get(conversations::list_messages).post(conversations::create_message),
        )
        .route(
            MESSAGE,
            get(conversations::get_message).delete(conversations::delete_message),
        )
        .route(
            &format!("{MESSAGE}/attachments/{{attachment_id}}/query-result"),
            get(conversations::attachment_result),
        )
        .route(
            &format!("{MESSAGE}/attachments/{{attachment_id}}/execute-query"),
            post(conversations::execute_attachment),
        )
        .route(
            &format!("{MESSAGE}/query-result"),
            get(conversations::message_result),
        )
        .route(
            &format!("{MESSAGE}/query-result/{{attachment_id}}"),
            get(conversations::attachment_result),
        )
        .route(
            &format!("{MESSAGE}/execute-query"),
            post(conversations::execute_message),
        )
        .route(
            &format!("{MESSAGE}/feedback"),
            post(conversations::feedback),
        )
}

/// The Genie benchmark eval-run API's routes.
fn eval_run_routes() -> Router<Arc<AppState>> {
    const RUNS: &str = "/api/2.0/genie/spaces/{space_id}/eval-runs";
    const RUN: &str = "/api/2.0/genie/spaces/{space_id}/eval-runs/{eval_run_id}";
    Router::new()
        .route(RUNS, get(eval_runs::list).post(eval_runs::create))
        .route(RUN, get(eval_runs::get))
        .route(&format!("{RUN}/results"), get(eval_runs::list_results))
        .route(
            &format!("{RUN}/results/{{result_id}}"),
            get(eval_runs::result_details),
        )
}

/// The unauthenticated host metadata Databricks SDKs ask for first.
async fn well_known() -> axum::Json<serde_json::Value> {
    axum::Json(json!({"workspace_id": "1234567890123456", "cloud": "sandbox"}))
}

async fn warehouses() -> axum::Json<serde_json::Value> {
    axum::Json(json!({"warehouses": [{
        "id": WAREHOUSE_ID,
        "name": "Sandbox SQL warehouse",
        "state": "RUNNING",
        "warehouse_type": "PRO",
        "enable_serverless_compute": true,
        "cluster_size": "2X-Small",
    }]}))
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::not_found(
        "ENDPOINT_NOT_FOUND",
        format!("no API found for `{}`", uri.path()),
    )
}
