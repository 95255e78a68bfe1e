//! The sandbox's HTTP server: Databricks' REST paths on 127.0.0.1.
//!
//! Served so far: `GET /.well-known/databricks-config`, `GET /api/2.0/sql/warehouses`,
//! the Genie spaces API (`/api/2.0/genie/spaces`) and the SQL Statement Execution API
//! (`/api/2.0/sql/statements`). Every request but
//! the well-known one needs `Authorization: Bearer <token>`; every error has
//! Databricks' body `{"error_code", "message"}` and status.

mod api_error;
mod auth;
mod clock;
mod spaces;
mod statements;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use serde_json::json;
use tokio::net::TcpListener;

use crate::engine::Engine;
pub use api_error::ApiError;
pub use spaces::SeedSpace;

/// How a sandbox server runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxConfig {
    /// The port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// The bearer token every request must carry.
    pub token: String,
    /// Rows per result chunk of the statements API.
    pub chunk_rows: usize,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            port: 0,
            token: String::new(),
            chunk_rows: 10_000,
        }
    }
}

/// The id of the sandbox's one SQL warehouse.
pub const WAREHOUSE_ID: &str = "5a4d6b0c3e2f1a09";

/// What every handler shares.
pub(crate) struct AppState {
    pub(crate) engine: Engine,
    pub(crate) config: SandboxConfig,
    pub(crate) statements: statements::StatementStore,
    pub(crate) spaces: spaces::SpaceStore,
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
    let state = Arc::new(AppState {
        engine,
        config,
        statements: statements::StatementStore::default(),
        spaces: spaces::SpaceStore::new(seeds),
    });
    let (sender, receiver) = tokio::sync::oneshot::channel::<()>();
    let app = router(state);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = receiver.await;
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
        .route_layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            auth::require_token,
        ));
    Router::new()
        .route("/.well-known/databricks-config", get(well_known))
        .merge(authenticated)
        .fallback(not_found)
        .with_state(state)
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
