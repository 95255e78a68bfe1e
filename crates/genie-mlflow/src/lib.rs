//! Experiment tracking for genie-optimizer: genie-core's [`Tracker`] port over MLflow.
//!
//! - [`MlflowTracker`]: MLflow's REST API on an `http(s)://` tracking server (a local
//!   `mlflow server`, or any server with the `mlflow-artifacts` proxy): experiments
//!   got or created by name (a deleted one is restored), named runs, params, metrics
//!   and tags in batches within MLflow's limits, artifacts through the proxy, and
//!   MLflow 3 logged models.
//! - [`FileTracker`]: the same records as JSON files under a directory
//!   (`./genie-opt-runs/` by default), so nothing is lost without a tracking server.
//!
//! [`tracker()`] picks one from a tracking URI. Both check keys and values against
//! MLflow's rules first (see [`limits`]), so a run that works with one works with the
//! other. Everything fails with a [`PortError`].
//!
//! ```no_run
//! use std::collections::BTreeMap;
//! use genie_core::ports::{Metric, RunStatus, Tracker};
//!
//! # async fn demo() -> Result<(), genie_core::error::PortError> {
//! let uri = std::env::var("MLFLOW_TRACKING_URI").ok();
//! let tracker = genie_mlflow::tracker(uri.as_deref(), None)?;
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

mod file;
pub mod limits;
mod mlflow;
mod rest;

pub use file::FileTracker;
pub use mlflow::MlflowTracker;

use genie_core::error::{PortError, PortErrorKind};
use genie_core::ports::Tracker;

/// The tracker for a tracking URI as `MLFLOW_TRACKING_URI` gives it: an
/// [`MlflowTracker`] for `http(s)://…` (with `token` as bearer token when given), a
/// [`FileTracker`] under [`FileTracker::DEFAULT_DIR`] when there is none (unset or
/// blank). Other schemes (`databricks`, `file:`, `sqlite:`) are a `Configuration`
/// error rather than a silent fallback.
pub fn tracker(
    tracking_uri: Option<&str>,
    token: Option<String>,
) -> Result<Box<dyn Tracker>, PortError> {
    match tracking_uri.map(str::trim).filter(|uri| !uri.is_empty()) {
        None => Ok(Box::new(FileTracker::new(FileTracker::DEFAULT_DIR))),
        Some(uri) if uri.starts_with("http://") || uri.starts_with("https://") => {
            Ok(Box::new(MlflowTracker::with_token(uri, token)?))
        }
        Some(uri) => Err(PortError::new(
            PortErrorKind::Configuration,
            format!(
                "tracking URI `{uri}` is not supported: use an http(s):// MLflow server, \
                 or none to write runs under {}",
                FileTracker::DEFAULT_DIR
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_uris_choose_the_tracker() {
        assert!(tracker(None, None).is_ok());
        assert!(tracker(Some("  "), None).is_ok());
        assert!(tracker(Some("http://127.0.0.1:5000"), Some("t".into())).is_ok());
        assert!(tracker(Some("https://mlflow.example.com"), None).is_ok());
        for refused in ["databricks", "file:./mlruns", "sqlite:///db"] {
            let Err(error) = tracker(Some(refused), None) else {
                panic!("{refused} accepted");
            };
            assert_eq!(error.kind, PortErrorKind::Configuration);
            assert!(error.message.contains(refused), "{}", error.message);
        }
    }
}
