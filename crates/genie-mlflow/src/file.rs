//! [`FileTracker`]: the [`Tracker`] port as JSON files under one directory, for when no
//! tracking server is configured.
//!
//! Layout (every id is a string, as in MLflow):
//!
//! ```text
//! <root>/experiments/<experiment_id>.json   {"experiment_id","name","tags"}
//! <root>/runs/<run_id>/run.json             {"run_id","experiment_id","run_name","status",
//!                                            "start_time","end_time","params","tags","inputs"}
//! <root>/runs/<run_id>/metrics.json         [{"key","value","timestamp","step","model_id"?,
//!                                             "dataset_name"?,"dataset_digest"?}, …]
//! <root>/runs/<run_id>/artifacts/<path>     the artifact's bytes
//! <root>/models/<model_id>.json             {"model_id","experiment_id","name","source_run_id",
//!                                            "status","params","tags","metrics"}
//! ```
//!
//! Writes go through a temporary file and a rename, one tracker-wide lock at a time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use genie_core::error::{PortError, PortErrorKind};
use genie_core::ports::{
    DatasetRef, LoggedModel, Metric, ModelMetric, ModelQuery, NewLoggedModel, RunStatus, Tracker,
};
use serde::{Deserialize, Serialize};

use crate::limits;
use crate::mlflow::status_name;

/// The [`Tracker`] port over a directory of JSON files.
#[derive(Debug, Clone)]
pub struct FileTracker {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    root: PathBuf,
    lock: Mutex<()>,
}

/// One experiment's file.
#[derive(Debug, Serialize, Deserialize)]
struct ExperimentFile {
    experiment_id: String,
    name: String,
    #[serde(default)]
    tags: BTreeMap<String, String>,
}

/// One run's file.
#[derive(Debug, Serialize, Deserialize)]
struct RunFile {
    run_id: String,
    experiment_id: String,
    run_name: String,
    status: String,
    start_time: u64,
    end_time: Option<u64>,
    #[serde(default)]
    params: BTreeMap<String, String>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    /// The datasets the run read.
    #[serde(default)]
    inputs: Vec<DatasetInput>,
}

/// A dataset a run read.
#[derive(Debug, Serialize, Deserialize)]
struct DatasetInput {
    name: String,
    digest: String,
    source: String,
}

/// One metric value in `metrics.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct MetricEntry {
    key: String,
    /// `None` for NaN and infinities, which JSON cannot hold; see `text`.
    value: Option<f64>,
    /// `NaN`, `Infinity` or `-Infinity` when `value` is `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    timestamp: u64,
    step: u64,
    /// The logged model the metric measures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    model_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dataset_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dataset_digest: Option<String>,
}

impl MetricEntry {
    /// The entry for `metric`, linked to a model and dataset when given.
    fn new(
        metric: &Metric,
        model_id: Option<&str>,
        dataset: Option<&DatasetRef>,
    ) -> Result<Self, PortError> {
        limits::check_key("metric", &metric.key)?;
        let finite = metric.value.is_finite();
        Ok(Self {
            key: metric.key.clone(),
            value: finite.then_some(metric.value),
            text: (!finite).then(|| non_finite_text(metric.value).to_owned()),
            timestamp: metric.timestamp_ms,
            step: metric.step,
            model_id: model_id.map(str::to_owned),
            dataset_name: dataset.map(|dataset| dataset.name.clone()),
            dataset_digest: dataset.map(|dataset| dataset.digest.clone()),
        })
    }

    /// The value, with the non-finite ones restored from their text.
    fn number(&self) -> f64 {
        self.value.unwrap_or(match self.text.as_deref() {
            Some("Infinity") => f64::INFINITY,
            Some("-Infinity") => f64::NEG_INFINITY,
            _ => f64::NAN,
        })
    }
}

/// A metric linked to a logged model, in the model's file.
#[derive(Debug, Serialize, Deserialize)]
struct ModelMetricEntry {
    run_id: String,
    #[serde(flatten)]
    metric: MetricEntry,
}

/// One logged model's file.
#[derive(Debug, Serialize, Deserialize)]
struct ModelFile {
    model_id: String,
    experiment_id: String,
    name: String,
    source_run_id: Option<String>,
    status: String,
    #[serde(default)]
    params: BTreeMap<String, String>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    #[serde(default)]
    metrics: Vec<ModelMetricEntry>,
}

impl ModelFile {
    /// The model as the port returns it.
    fn to_logged_model(&self) -> LoggedModel {
        LoggedModel {
            model_id: self.model_id.clone(),
            name: self.name.clone(),
            experiment_id: self.experiment_id.clone(),
            source_run_id: self.source_run_id.clone(),
            status: self.status.clone(),
            params: self.params.clone(),
            tags: self.tags.clone(),
            metrics: self
                .metrics
                .iter()
                .map(|entry| ModelMetric {
                    key: entry.metric.key.clone(),
                    value: entry.metric.number(),
                    step: entry.metric.step,
                    run_id: Some(entry.run_id.clone()),
                    dataset: entry
                        .metric
                        .dataset_name
                        .clone()
                        .zip(entry.metric.dataset_digest.clone())
                        .map(|(name, digest)| DatasetRef { name, digest }),
                })
                .collect(),
        }
    }
}

impl FileTracker {
    /// The directory used when none is given.
    pub const DEFAULT_DIR: &'static str = "./genie-opt-runs";

    /// A tracker writing under `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            inner: Arc::new(Inner {
                root: root.into(),
                lock: Mutex::new(()),
            }),
        }
    }

    /// The directory this tracker writes under.
    pub fn root(&self) -> &Path {
        &self.inner.root
    }

    /// Runs `work` on the blocking pool while holding the tracker's lock.
    async fn with<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Inner) -> Result<T, PortError> + Send + 'static,
    ) -> Result<T, PortError> {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let _guard = inner.lock.lock().unwrap_or_else(PoisonError::into_inner);
            work(&inner)
        })
        .await
        .map_err(|error| {
            PortError::new(PortErrorKind::Other, format!("file tracker task: {error}"))
        })?
    }
}

impl Inner {
    fn experiments(&self) -> PathBuf {
        self.root.join("experiments")
    }

    fn run_dir(&self, run_id: &str) -> Result<PathBuf, PortError> {
        Ok(self.root.join("runs").join(checked_id(run_id)?))
    }

    fn model_file(&self, model_id: &str) -> Result<PathBuf, PortError> {
        Ok(self
            .root
            .join("models")
            .join(format!("{}.json", checked_id(model_id)?)))
    }

    fn experiment_file(&self, experiment_id: &str) -> Result<PathBuf, PortError> {
        Ok(self
            .experiments()
            .join(format!("{}.json", checked_id(experiment_id)?)))
    }

    fn run(&self, run_id: &str) -> Result<(PathBuf, RunFile), PortError> {
        let path = self.run_dir(run_id)?.join("run.json");
        let run = read_json(&path, "run", run_id)?;
        Ok((path, run))
    }

    /// Appends entries to a run's `metrics.json`.
    fn append_metrics(&self, run_id: &str, entries: Vec<MetricEntry>) -> Result<(), PortError> {
        self.run(run_id)?;
        let path = self.run_dir(run_id)?.join("metrics.json");
        let mut all: Vec<MetricEntry> = read_json(&path, "metrics of run", run_id)?;
        all.extend(entries);
        write_json(&path, &all)
    }

    fn update_run(
        &self,
        run_id: &str,
        change: impl FnOnce(&mut RunFile) -> Result<(), PortError>,
    ) -> Result<(), PortError> {
        let (path, mut run) = self.run(run_id)?;
        change(&mut run)?;
        write_json(&path, &run)
    }
}

#[async_trait]
impl Tracker for FileTracker {
    async fn experiment(&self, name: &str) -> Result<String, PortError> {
        let name = name.to_owned();
        self.with(move |inner| {
            let dir = inner.experiments();
            let mut count = 0_u64;
            if dir.exists() {
                for entry in std::fs::read_dir(&dir).map_err(|error| io_error(&dir, &error))? {
                    let path = entry.map_err(|error| io_error(&dir, &error))?.path();
                    if path.extension().is_some_and(|ext| ext == "json") {
                        count += 1;
                        let experiment: ExperimentFile = read_json(&path, "experiment", &name)?;
                        if experiment.name == name {
                            return Ok(experiment.experiment_id);
                        }
                    }
                }
            }
            // Ids count up from 1, as on MLflow's SQL store.
            let mut id = count + 1;
            while dir.join(format!("{id}.json")).exists() {
                id += 1;
            }
            let experiment = ExperimentFile {
                experiment_id: id.to_string(),
                name,
                tags: BTreeMap::new(),
            };
            write_json(&dir.join(format!("{id}.json")), &experiment)?;
            Ok(experiment.experiment_id)
        })
        .await
    }

    async fn set_experiment_tags(
        &self,
        experiment_id: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<(), PortError> {
        limits::check_entries("experiment tag", tags, limits::MAX_TAG_VALUE_CHARS)?;
        let (experiment_id, tags) = (experiment_id.to_owned(), tags.clone());
        self.with(move |inner| {
            let path = inner.experiment_file(&experiment_id)?;
            let mut experiment: ExperimentFile = read_json(&path, "experiment", &experiment_id)?;
            experiment.tags.extend(tags);
            write_json(&path, &experiment)
        })
        .await
    }

    async fn start_run(
        &self,
        experiment_id: &str,
        run_name: &str,
        start_ms: u64,
    ) -> Result<String, PortError> {
        let (experiment_id, run_name) = (experiment_id.to_owned(), run_name.to_owned());
        self.with(move |inner| {
            let experiment = inner.experiment_file(&experiment_id)?;
            if !experiment.exists() {
                return Err(not_found("experiment", &experiment_id));
            }
            let run_id = new_id("");
            let run = RunFile {
                run_id: run_id.clone(),
                experiment_id,
                run_name: run_name.clone(),
                status: "RUNNING".to_owned(),
                start_time: start_ms,
                end_time: None,
                params: BTreeMap::new(),
                inputs: Vec::new(),
                tags: BTreeMap::from([
                    ("mlflow.runName".to_owned(), run_name),
                    (
                        "mlflow.source.name".to_owned(),
                        "genie-optimizer".to_owned(),
                    ),
                ]),
            };
            let dir = inner.run_dir(&run_id)?;
            write_json(&dir.join("run.json"), &run)?;
            write_json(&dir.join("metrics.json"), &Vec::<MetricEntry>::new())?;
            Ok(run_id)
        })
        .await
    }

    async fn log_params(
        &self,
        run_id: &str,
        params: &BTreeMap<String, String>,
    ) -> Result<(), PortError> {
        limits::check_entries("param", params, limits::MAX_PARAM_VALUE_CHARS)?;
        let (run_id, params) = (run_id.to_owned(), params.clone());
        self.with(move |inner| {
            inner.update_run(&run_id, |run| {
                // As MLflow: the same value again is fine, a new value is refused.
                for (key, value) in &params {
                    if let Some(old) = run.params.get(key).filter(|old| *old != value) {
                        return Err(PortError::new(
                            PortErrorKind::InvalidRequest,
                            format!("param `{key}` of run {run_id} is already `{old}`; params cannot change"),
                        ));
                    }
                }
                run.params.extend(params);
                Ok(())
            })
        })
        .await
    }

    async fn log_metrics(&self, run_id: &str, metrics: &[Metric]) -> Result<(), PortError> {
        let entries = metrics
            .iter()
            .map(|metric| MetricEntry::new(metric, None, None))
            .collect::<Result<Vec<_>, _>>()?;
        let run_id = run_id.to_owned();
        self.with(move |inner| inner.append_metrics(&run_id, entries))
            .await
    }

    async fn set_tags(
        &self,
        run_id: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<(), PortError> {
        limits::check_entries("tag", tags, limits::MAX_TAG_VALUE_CHARS)?;
        let (run_id, tags) = (run_id.to_owned(), tags.clone());
        self.with(move |inner| {
            inner.update_run(&run_id, |run| {
                run.tags.extend(tags);
                Ok(())
            })
        })
        .await
    }

    async fn log_artifact(
        &self,
        run_id: &str,
        path: &str,
        content: &[u8],
    ) -> Result<(), PortError> {
        let segments: Vec<String> = limits::artifact_segments(path)?
            .into_iter()
            .map(str::to_owned)
            .collect();
        let (run_id, content) = (run_id.to_owned(), content.to_vec());
        self.with(move |inner| {
            inner.run(&run_id)?;
            let mut target = inner.run_dir(&run_id)?.join("artifacts");
            target.extend(segments);
            write_atomically(&target, &content)
        })
        .await
    }

    async fn end_run(&self, run_id: &str, status: RunStatus, end_ms: u64) -> Result<(), PortError> {
        let run_id = run_id.to_owned();
        self.with(move |inner| {
            inner.update_run(&run_id, |run| {
                status_name(status).clone_into(&mut run.status);
                run.end_time = Some(end_ms);
                Ok(())
            })
        })
        .await
    }

    async fn create_logged_model(
        &self,
        experiment_id: &str,
        model: &NewLoggedModel,
    ) -> Result<String, PortError> {
        let tags = crate::mlflow::logged_model_tags(model)?;
        let file = ModelFile {
            model_id: new_id("m-"),
            experiment_id: experiment_id.to_owned(),
            name: model.name.clone(),
            source_run_id: model.source_run_id.clone(),
            status: "LOGGED_MODEL_READY".to_owned(),
            params: model.params.clone(),
            tags,
            metrics: Vec::new(),
        };
        self.with(move |inner| {
            if !inner.experiment_file(&file.experiment_id)?.exists() {
                return Err(not_found("experiment", &file.experiment_id));
            }
            write_json(&inner.model_file(&file.model_id)?, &file)?;
            Ok(file.model_id)
        })
        .await
    }

    async fn set_logged_model_tags(
        &self,
        model_id: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<(), PortError> {
        limits::check_entries("model tag", tags, limits::MAX_TAG_VALUE_CHARS)?;
        let (model_id, tags) = (model_id.to_owned(), tags.clone());
        self.with(move |inner| {
            let path = inner.model_file(&model_id)?;
            let mut model: ModelFile = read_json(&path, "logged model", &model_id)?;
            model.tags.extend(tags);
            write_json(&path, &model)
        })
        .await
    }

    async fn log_model_metrics(
        &self,
        run_id: &str,
        model_id: &str,
        dataset: Option<&DatasetRef>,
        metrics: &[Metric],
    ) -> Result<(), PortError> {
        let entries = metrics
            .iter()
            .map(|metric| MetricEntry::new(metric, Some(model_id), dataset))
            .collect::<Result<Vec<_>, _>>()?;
        let linked: Vec<ModelMetricEntry> = entries
            .iter()
            .map(|entry| ModelMetricEntry {
                run_id: run_id.to_owned(),
                metric: entry.clone(),
            })
            .collect();
        let (run_id, model_id) = (run_id.to_owned(), model_id.to_owned());
        self.with(move |inner| {
            let path = inner.model_file(&model_id)?;
            let mut model: ModelFile = read_json(&path, "logged model", &model_id)?;
            inner.append_metrics(&run_id, entries)?;
            model.metrics.extend(linked);
            write_json(&path, &model)
        })
        .await
    }

    async fn log_dataset(
        &self,
        run_id: &str,
        dataset: &DatasetRef,
        source: &str,
    ) -> Result<(), PortError> {
        let input = DatasetInput {
            name: dataset.name.clone(),
            digest: dataset.digest.clone(),
            source: source.to_owned(),
        };
        let run_id = run_id.to_owned();
        self.with(move |inner| {
            inner.update_run(&run_id, |run| {
                let known = run
                    .inputs
                    .iter()
                    .any(|old| old.name == input.name && old.digest == input.digest);
                if !known {
                    run.inputs.push(input);
                }
                Ok(())
            })
        })
        .await
    }

    async fn search_logged_models(
        &self,
        experiment_id: &str,
        query: &ModelQuery,
    ) -> Result<Vec<LoggedModel>, PortError> {
        let (experiment_id, query) = (experiment_id.to_owned(), query.clone());
        self.with(move |inner| {
            let dir = inner.root.join("models");
            let mut models = Vec::new();
            if dir.exists() {
                for entry in std::fs::read_dir(&dir).map_err(|error| io_error(&dir, &error))? {
                    let path = entry.map_err(|error| io_error(&dir, &error))?.path();
                    if path.extension().is_none_or(|ext| ext != "json") {
                        continue;
                    }
                    let model: ModelFile = read_json(&path, "logged model", "")?;
                    let matches = model.experiment_id == experiment_id
                        && query
                            .tags
                            .iter()
                            .all(|(key, value)| model.tags.get(key) == Some(value));
                    if matches {
                        models.push(model.to_logged_model());
                    }
                }
            }
            Ok(crate::models::order_and_limit(models, &query))
        })
        .await
    }

    async fn read_artifact(&self, run_id: &str, path: &str) -> Result<Vec<u8>, PortError> {
        let segments: Vec<String> = limits::artifact_segments(path)?
            .into_iter()
            .map(str::to_owned)
            .collect();
        let (run_id, path) = (run_id.to_owned(), path.to_owned());
        self.with(move |inner| {
            inner.run(&run_id)?;
            let mut source = inner.run_dir(&run_id)?.join("artifacts");
            source.extend(segments);
            match std::fs::read(&source) {
                Ok(bytes) => Ok(bytes),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                    Err(not_found(&format!("artifact {path} of run"), &run_id))
                }
                Err(error) => Err(io_error(&source, &error)),
            }
        })
        .await
    }
}

/// A new unique id: `prefix` + 32 hex digits from the clock, the process and a counter.
fn new_id(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_nanos());
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let low = (u64::from(std::process::id()) << 32) ^ count;
    #[expect(
        clippy::cast_possible_truncation,
        reason = "the low 64 bits of the clock vary enough"
    )]
    let high = nanos as u64;
    format!("{prefix}{high:016x}{low:016x}")
}

/// An id that is safe as a file name (ids come from callers).
fn checked_id(id: &str) -> Result<&str, PortError> {
    if !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        Ok(id)
    } else {
        Err(PortError::new(
            PortErrorKind::InvalidRequest,
            format!("`{id}` is not a file tracker id"),
        ))
    }
}

fn non_finite_text(value: f64) -> &'static str {
    if value.is_nan() {
        "NaN"
    } else if value > 0.0 {
        "Infinity"
    } else {
        "-Infinity"
    }
}

fn not_found(what: &str, id: &str) -> PortError {
    PortError::new(
        PortErrorKind::NotFound,
        format!("{what} {id} does not exist"),
    )
}

fn io_error(path: &Path, error: &std::io::Error) -> PortError {
    PortError::new(PortErrorKind::Other, format!("{}: {error}", path.display()))
}

fn read_json<T: for<'de> Deserialize<'de>>(
    path: &Path,
    what: &str,
    id: &str,
) -> Result<T, PortError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(not_found(what, id));
        }
        Err(error) => return Err(io_error(path, &error)),
    };
    serde_json::from_slice(&bytes).map_err(|error| {
        PortError::new(PortErrorKind::Other, format!("{}: {error}", path.display()))
    })
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), PortError> {
    let mut bytes = serde_json::to_vec_pretty(value).map_err(|error| {
        PortError::new(PortErrorKind::Other, format!("{}: {error}", path.display()))
    })?;
    bytes.push(b'\n');
    write_atomically(path, &bytes)
}

/// Writes `content` to `path` through a temporary sibling and a rename.
fn write_atomically(path: &Path, content: &[u8]) -> Result<(), PortError> {
    let parent = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(parent).map_err(|error| io_error(parent, &error))?;
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, content).map_err(|error| io_error(&temporary, &error))?;
    std::fs::rename(&temporary, path).map_err(|error| io_error(path, &error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_safe_as_file_names() {
        let a = new_id("m-");
        let b = new_id("m-");
        assert_ne!(a, b);
        assert!(checked_id(&a).is_ok());
        assert!(checked_id("../x").is_err());
        assert!(checked_id("").is_err());
    }
}
