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
//! Both check keys and values against MLflow's rules first (see [`limits`]), so a run
//! that works with one works with the other. Everything fails with a [`PortError`].
//!
//! ```no_run
//! use std::collections::BTreeMap;
//! use genie_core::ports::{Metric, RunStatus, Tracker};
//! use genie_mlflow::{FileTracker, MlflowTracker};
//!
//! # async fn demo() -> Result<(), genie_core::error::PortError> {
//! let tracker: Box<dyn Tracker> = match std::env::var("MLFLOW_TRACKING_URI") {
//!     Ok(uri) => Box::new(MlflowTracker::new(&uri)?),
//!     Err(_) => Box::new(FileTracker::new(FileTracker::DEFAULT_DIR)),
//! };
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
//!
//! [`Tracker`]: genie_core::ports::Tracker
//! [`PortError`]: genie_core::error::PortError

mod file;
pub mod limits;
mod mlflow;
mod rest;

pub use file::FileTracker;
pub use mlflow::MlflowTracker;
