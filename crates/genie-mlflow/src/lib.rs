//! Experiment tracking for genie-optimizer: genie-core's [`Tracker`] port over MLflow.
//!
//! - [`MlflowTracker`]: MLflow's REST API on an `http(s)://` tracking server (a local
//!   `mlflow server`, or any server with the `mlflow-artifacts` proxy) or on a
//!   Databricks workspace: experiments got or created by name (a deleted one is
//!   restored; on Databricks under `/Users/<you>/` with the folders created), named
//!   runs, params, metrics and tags in batches within MLflow's limits, evaluation
//!   datasets, artifacts up and down, and MLflow 3 logged models with linked metrics
//!   and search.
//! - [`FileTracker`]: the same records as JSON files under a directory
//!   (`./genie-opt-runs/` by default), so nothing is lost without a tracking server.
//!
//! [`tracker()`] picks one from a parsed [`TrackingUri`]. Both check keys and values against
//! MLflow's rules first (see [`limits`]), so a run that works with one works with the
//! other. Everything fails with a [`PortError`].
//!
//! ```no_run
//! use std::collections::BTreeMap;
//! use genie_core::ports::{Metric, RunStatus, Tracker};
//!
//! # async fn demo() -> Result<(), genie_core::error::PortError> {
//! let uri = genie_mlflow::TrackingUri::parse(std::env::var("MLFLOW_TRACKING_URI").ok().as_deref())?;
//! let tracker = genie_mlflow::tracker(&uri, None, None)?;
//! let experiment = tracker.experiment("genie-opt/sales").await?;
//! let run = tracker.start_run(&experiment, "iter-0", 1_795_370_592_433).await?;
//! tracker
//!     .log_params(&run, &BTreeMap::from([("space_id".into(), "01ef".into())]))
//!     .await?;
//! let metric = Metric { key: "accuracy".into(), value: 0.62, timestamp_ms: 1_795_370_592_500, step: 0 };
//! tracker.log_metrics(&run, &[metric]).await?;
//! tracker.log_artifact(&run, "evaluation/results.json", b"{}").await?;
//! tracker.end_run(&run, RunStatus::Finished, 1_795_370_593_000).await?;
//! # Ok(())
//! # }
//! ```

mod databricks;
mod file;
pub mod limits;
mod mlflow;
mod models;
mod rest;

use std::fmt;

pub use file::FileTracker;
pub use mlflow::MlflowTracker;

use genie_core::error::{PortError, PortErrorKind};
use genie_core::ports::Tracker;

/// What a tracking URI (`MLFLOW_TRACKING_URI`) names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrackingUri {
    /// None set: runs are written as files under [`FileTracker::DEFAULT_DIR`].
    Files,
    /// An MLflow tracking server at this `http(s)://` URL.
    Server(String),
    /// The MLflow service of a Databricks workspace (`databricks`, or
    /// `databricks://<profile>` to use that `~/.databrickscfg` profile).
    Databricks {
        /// The profile named in the URI.
        profile: Option<String>,
    },
}

impl TrackingUri {
    /// Reads a tracking URI; unset or blank means [`TrackingUri::Files`]. Schemes this
    /// tool cannot write to (`file:`, `sqlite:`, …) are a `Configuration` error rather
    /// than a silent fallback.
    pub fn parse(uri: Option<&str>) -> Result<Self, PortError> {
        let Some(uri) = uri.map(str::trim).filter(|uri| !uri.is_empty()) else {
            return Ok(Self::Files);
        };
        if uri.starts_with("http://") || uri.starts_with("https://") {
            return Ok(Self::Server(uri.to_owned()));
        }
        if uri == "databricks" {
            return Ok(Self::Databricks { profile: None });
        }
        if let Some(profile) = uri.strip_prefix("databricks://") {
            // `databricks://profile` or, as MLflow also accepts, `databricks://scope:prefix`.
            let profile = profile.split(':').next().unwrap_or_default().trim();
            return Ok(Self::Databricks {
                profile: (!profile.is_empty()).then(|| profile.to_owned()),
            });
        }
        Err(PortError::new(
            PortErrorKind::Configuration,
            format!(
                "tracking URI `{uri}` is not supported: use an http(s):// MLflow server, \
                 `databricks` (or `databricks://<profile>`), or none to write runs under {}",
                FileTracker::DEFAULT_DIR
            ),
        ))
    }
}

/// The workspace a [`TrackingUri::Databricks`] tracker calls, resolved by the caller
/// (with genie-databricks' auth, say). `Debug` never shows the token.
#[derive(Clone)]
pub struct WorkspaceCredentials {
    /// `https://<workspace-host>`.
    pub host: String,
    /// A personal access or OAuth token.
    pub token: String,
}

impl fmt::Debug for WorkspaceCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkspaceCredentials")
            .field("host", &self.host)
            .field("token", &"***")
            .finish()
    }
}

/// The tracker for a tracking URI: an [`MlflowTracker`] for a server (with `token`,
/// `MLFLOW_TRACKING_TOKEN`, as bearer token when given) or a Databricks workspace
/// (which needs `workspace`), a [`FileTracker`] under [`FileTracker::DEFAULT_DIR`]
/// when there is none.
pub fn tracker(
    uri: &TrackingUri,
    token: Option<String>,
    workspace: Option<WorkspaceCredentials>,
) -> Result<Box<dyn Tracker>, PortError> {
    match uri {
        TrackingUri::Files => {
            tracing::info!(
                dir = FileTracker::DEFAULT_DIR,
                "no MLFLOW_TRACKING_URI: runs are written as files"
            );
            Ok(Box::new(FileTracker::new(FileTracker::DEFAULT_DIR)))
        }
        TrackingUri::Server(url) => Ok(Box::new(MlflowTracker::with_token(url, token)?)),
        TrackingUri::Databricks { profile } => {
            let Some(workspace) = workspace else {
                let profile = profile
                    .as_deref()
                    .map_or_else(String::new, |profile| format!(" (profile `{profile}`)"));
                return Err(PortError::new(
                    PortErrorKind::Configuration,
                    format!(
                        "MLFLOW_TRACKING_URI names a Databricks workspace{profile} but no workspace \
                         credentials were found: set DATABRICKS_HOST and DATABRICKS_TOKEN or \
                         configure ~/.databrickscfg, or unset MLFLOW_TRACKING_URI to write runs under {}",
                        FileTracker::DEFAULT_DIR
                    ),
                ));
            };
            Ok(Box::new(MlflowTracker::databricks(
                &workspace.host,
                workspace.token,
            )?))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_uris_are_parsed() {
        assert_eq!(TrackingUri::parse(None).unwrap(), TrackingUri::Files);
        assert_eq!(TrackingUri::parse(Some("  ")).unwrap(), TrackingUri::Files);
        assert_eq!(
            TrackingUri::parse(Some("http://127.0.0.1:5000")).unwrap(),
            TrackingUri::Server("http://127.0.0.1:5000".into())
        );
        assert_eq!(
            TrackingUri::parse(Some("databricks")).unwrap(),
            TrackingUri::Databricks { profile: None }
        );
        assert_eq!(
            TrackingUri::parse(Some("databricks://dev")).unwrap(),
            TrackingUri::Databricks {
                profile: Some("dev".into())
            }
        );
        for refused in ["file:./mlruns", "sqlite:///db", "databricks-uc"] {
            let error = TrackingUri::parse(Some(refused)).unwrap_err();
            assert_eq!(error.kind, PortErrorKind::Configuration);
            assert!(error.message.contains(refused), "{}", error.message);
        }
    }

    #[test]
    fn trackers_are_chosen_and_databricks_needs_credentials() {
        assert!(tracker(&TrackingUri::Files, None, None).is_ok());
        let server = TrackingUri::Server("https://mlflow.example.com".into());
        assert!(tracker(&server, Some("t".into()), None).is_ok());
        let databricks = TrackingUri::Databricks {
            profile: Some("dev".into()),
        };
        let Err(error) = tracker(&databricks, None, None) else {
            panic!("a Databricks tracker without credentials");
        };
        assert_eq!(error.kind, PortErrorKind::Configuration);
        assert!(
            error.message.contains("DATABRICKS_HOST"),
            "{}",
            error.message
        );
        assert!(error.message.contains("`dev`"), "{}", error.message);
        let workspace = WorkspaceCredentials {
            host: "https://example.cloud.databricks.com".into(),
            token: "dapi-secret".into(),
        };
        assert!(!format!("{workspace:?}").contains("dapi-secret"));
        assert!(tracker(&databricks, None, Some(workspace)).is_ok());
    }
}
