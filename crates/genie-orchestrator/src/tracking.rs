//! The experiment tracker a command logs to, from `MLFLOW_TRACKING_URI` (or
//! `--tracking-uri`): an MLflow server, a Databricks workspace's MLflow (credentials
//! resolved like every Databricks call), or — with neither — files under
//! `./genie-opt-runs/`, so nothing is lost.

use anyhow::Context as _;
use genie_core::ports::Tracker;
use genie_databricks::auth::{AuthEnvironment, AuthRequest, resolve};
use genie_mlflow::{FileTracker, TrackingUri, WorkspaceCredentials};

/// The tracker, and a sentence saying where runs go (for the command's output).
pub(crate) fn tracker(uri: Option<&str>) -> anyhow::Result<(Box<dyn Tracker>, String)> {
    let from_env = std::env::var("MLFLOW_TRACKING_URI").ok();
    let uri = TrackingUri::parse(uri.or(from_env.as_deref()))?;
    let token = std::env::var("MLFLOW_TRACKING_TOKEN")
        .ok()
        .filter(|token| !token.is_empty());
    let (workspace, place) = match &uri {
        TrackingUri::Files => (None, format!("files under {}", FileTracker::DEFAULT_DIR)),
        TrackingUri::Server(url) => (None, format!("MLflow at {url}")),
        TrackingUri::Databricks { profile } => {
            let request = AuthRequest {
                profile: profile.clone(),
                ..AuthRequest::default()
            };
            let credentials = resolve(&request, &AuthEnvironment::from_process())
                .context("MLFLOW_TRACKING_URI names a Databricks workspace")?;
            let place = format!("MLflow in {}", credentials.host);
            let workspace = WorkspaceCredentials {
                host: credentials.host,
                token: credentials.token.expose().to_owned(),
            };
            (Some(workspace), place)
        }
    };
    Ok((genie_mlflow::tracker(&uri, token, workspace)?, place))
}
