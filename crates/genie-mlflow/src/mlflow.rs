//! [`MlflowTracker`]: the [`Tracker`] port over MLflow's REST API
//! (`/api/2.0/mlflow/…`), on an open-source server (artifacts through its
//! `mlflow-artifacts` proxy) or a Databricks workspace (experiments under the user's
//! workspace folder, artifacts through the Files API or signed URLs).

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use async_trait::async_trait;
use genie_core::error::{PortError, PortErrorKind};
use genie_core::ports::{
    DatasetRef, LoggedModel, Metric, ModelQuery, NewLoggedModel, RunStatus, Tracker,
};
use reqwest::Method;
use serde_json::{Value, json};

use crate::databricks::Workspace;
use crate::limits::{self, MAX_METRICS_PER_BATCH, MAX_PARAMS_PER_BATCH, MAX_TAGS_PER_BATCH};
use crate::models;
use crate::rest::{Rest, Retry, encode};

/// The tag MLflow reads a run's name from.
const RUN_NAME_TAG: &str = "mlflow.runName";
/// The tag MLflow reads a run's source from.
const SOURCE_TAG: &str = "mlflow.source.name";
/// The tag a logged model's parent (the previous iteration's model) is recorded under.
pub(crate) const PARENT_MODEL_TAG: &str = "genie.parent_model_id";

/// A new logged model's tags (its parent as [`PARENT_MODEL_TAG`]), after checking its
/// params and tags against MLflow's limits.
pub(crate) fn logged_model_tags(
    model: &NewLoggedModel,
) -> Result<BTreeMap<String, String>, PortError> {
    limits::check_entries("model param", &model.params, limits::MAX_PARAM_VALUE_CHARS)?;
    let mut tags = model.tags.clone();
    if let Some(parent) = &model.parent_model_id {
        tags.insert(PARENT_MODEL_TAG.to_owned(), parent.clone());
    }
    limits::check_entries("model tag", &tags, limits::MAX_TAG_VALUE_CHARS)?;
    Ok(tags)
}
/// The `model_type` of every logged model (a Genie space configuration).
const MODEL_TYPE: &str = "genie-space";
/// The scheme of artifact locations served by the artifact proxy.
const PROXY_SCHEME: &str = "mlflow-artifacts:/";

/// The [`Tracker`] port over an MLflow tracking server.
///
/// On an open-source server, artifacts need its artifact proxy (`mlflow server
/// --serve-artifacts`, the default): runs whose `artifact_uri` is not
/// `mlflow-artifacts:/…` get a `Configuration` error from [`Tracker::log_artifact`].
/// On Databricks ([`MlflowTracker::databricks`]) a relative experiment name is placed
/// under `/Users/<you>/` with its folders created, and artifacts go through the
/// workspace's Files API, or signed URLs where that is closed.
#[derive(Debug)]
pub struct MlflowTracker {
    rest: Rest,
    /// Set when the server is a Databricks workspace.
    workspace: Option<Workspace>,
    /// Each run's artifact root, once looked up: below the proxy
    /// (`1/<run_id>/artifacts`) or, on Databricks, the run's experiment id.
    artifact_roots: Mutex<HashMap<String, String>>,
}

impl MlflowTracker {
    /// A tracker for the server at `tracking_uri` (`http(s)://host:port`), without
    /// authentication.
    pub fn new(tracking_uri: &str) -> Result<Self, PortError> {
        Self::with_token(tracking_uri, None)
    }

    /// A tracker that sends `token` as a bearer token on every call (the token never
    /// appears in errors or `Debug` output).
    pub fn with_token(tracking_uri: &str, token: Option<String>) -> Result<Self, PortError> {
        Ok(Self {
            rest: Rest::new(tracking_uri, token)?,
            workspace: None,
            artifact_roots: Mutex::new(HashMap::new()),
        })
    }

    /// A tracker for the MLflow service of the Databricks workspace at `host`
    /// (`MLFLOW_TRACKING_URI=databricks`), calling as the owner of `token`.
    pub fn databricks(host: &str, token: String) -> Result<Self, PortError> {
        let rest = Rest::new(host, Some(token))?;
        Ok(Self {
            workspace: Some(Workspace::new(rest.clone())),
            rest,
            artifact_roots: Mutex::new(HashMap::new()),
        })
    }

    async fn get(&self, path: &str) -> Result<Value, PortError> {
        self.rest
            .json(Method::GET, path, None, Retry::Idempotent)
            .await
    }

    async fn post(&self, path: &str, body: &Value, retry: Retry) -> Result<Value, PortError> {
        self.rest.json(Method::POST, path, Some(body), retry).await
    }

    async fn patch(&self, path: &str, body: &Value) -> Result<Value, PortError> {
        self.rest
            .json(Method::PATCH, path, Some(body), Retry::Idempotent)
            .await
    }

    /// The experiment named `name`, when it exists (deleted or not).
    async fn experiment_by_name(&self, name: &str) -> Result<Option<Value>, PortError> {
        let path = format!(
            "/api/2.0/mlflow/experiments/get-by-name?experiment_name={}",
            encode(name)
        );
        match self.get(&path).await {
            Ok(answer) => Ok(Some(answer["experiment"].clone())),
            Err(error) if error.kind == PortErrorKind::NotFound => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// An existing experiment's id, restored first when it was deleted.
    async fn reuse(&self, experiment: &Value) -> Result<String, PortError> {
        let id = string(experiment, "experiment_id", "experiments/get-by-name")?;
        if experiment["lifecycle_stage"].as_str() == Some("deleted") {
            self.post(
                "/api/2.0/mlflow/experiments/restore",
                &json!({ "experiment_id": id }),
                Retry::Idempotent,
            )
            .await?;
        }
        Ok(id)
    }

    /// Sends `entries` to `runs/log-batch` under `field`, `chunk` at a time.
    async fn log_batch(
        &self,
        run_id: &str,
        field: &str,
        entries: &[Value],
        chunk: usize,
    ) -> Result<(), PortError> {
        for part in entries.chunks(chunk) {
            let mut body = json!({ "run_id": run_id });
            body[field] = Value::Array(part.to_vec());
            // Params and tags repeat harmlessly; a metric could be logged twice, so
            // metric batches are retried only when the server refused them outright.
            let retry = if field == "metrics" {
                Retry::OnlyIfRefused
            } else {
                Retry::Idempotent
            };
            self.post("/api/2.0/mlflow/runs/log-batch", &body, retry)
                .await?;
        }
        Ok(())
    }

    /// The run's artifact root below the proxy (`<experiment_id>/<run_id>/artifacts`).
    async fn artifact_root(&self, run_id: &str) -> Result<String, PortError> {
        if let Some(root) = self.roots().get(run_id) {
            return Ok(root.clone());
        }
        let answer = self
            .get(&format!(
                "/api/2.0/mlflow/runs/get?run_id={}",
                encode(run_id)
            ))
            .await?;
        if self.workspace.is_some() {
            let experiment = string(&answer["run"]["info"], "experiment_id", "runs/get")?;
            self.roots().insert(run_id.to_owned(), experiment.clone());
            return Ok(experiment);
        }
        let uri = string(&answer["run"]["info"], "artifact_uri", "runs/get")?;
        let Some(root) = uri.strip_prefix(PROXY_SCHEME) else {
            return Err(PortError::new(
                PortErrorKind::Configuration,
                format!(
                    "run {run_id} stores artifacts at `{uri}`, not behind the server's artifact proxy \
                     (start the server with --serve-artifacts)"
                ),
            ));
        };
        let root = root.trim_matches('/').to_owned();
        self.roots().insert(run_id.to_owned(), root.clone());
        Ok(root)
    }

    fn roots(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        self.artifact_roots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait]
impl Tracker for MlflowTracker {
    async fn experiment(&self, name: &str) -> Result<String, PortError> {
        let path;
        let name = match &self.workspace {
            Some(workspace) => {
                path = workspace.experiment_path(name).await?;
                path.as_str()
            }
            None => name,
        };
        if let Some(experiment) = self.experiment_by_name(name).await? {
            return self.reuse(&experiment).await;
        }
        if let Some(workspace) = &self.workspace {
            workspace.create_parent(name).await?;
        }
        let created = self
            .post(
                "/api/2.0/mlflow/experiments/create",
                &json!({ "name": name }),
                Retry::OnlyIfRefused,
            )
            .await;
        match created {
            Ok(answer) => string(&answer, "experiment_id", "experiments/create"),
            // Someone else created it in between: use theirs.
            Err(error) if error.kind == PortErrorKind::Conflict => {
                match self.experiment_by_name(name).await? {
                    Some(experiment) => self.reuse(&experiment).await,
                    None => Err(error),
                }
            }
            Err(error) => Err(error),
        }
    }

    async fn set_experiment_tags(
        &self,
        experiment_id: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<(), PortError> {
        limits::check_entries("experiment tag", tags, limits::MAX_TAG_VALUE_CHARS)?;
        // MLflow has no batch route for experiment tags.
        for (key, value) in tags {
            self.post(
                "/api/2.0/mlflow/experiments/set-experiment-tag",
                &json!({ "experiment_id": experiment_id, "key": key, "value": value }),
                Retry::Idempotent,
            )
            .await?;
        }
        Ok(())
    }

    async fn start_run(
        &self,
        experiment_id: &str,
        run_name: &str,
        start_ms: u64,
    ) -> Result<String, PortError> {
        let body = json!({
            "experiment_id": experiment_id,
            "run_name": run_name,
            "start_time": start_ms,
            "tags": [
                { "key": RUN_NAME_TAG, "value": run_name },
                { "key": SOURCE_TAG, "value": "genie-optimizer" },
            ],
        });
        let answer = self
            .post("/api/2.0/mlflow/runs/create", &body, Retry::OnlyIfRefused)
            .await?;
        let info = &answer["run"]["info"];
        let run_id = string(info, "run_id", "runs/create")?;
        if self.workspace.is_some() {
            self.roots()
                .insert(run_id.clone(), experiment_id.to_owned());
        } else if let Some(root) = info["artifact_uri"]
            .as_str()
            .and_then(|uri| uri.strip_prefix(PROXY_SCHEME))
        {
            self.roots()
                .insert(run_id.clone(), root.trim_matches('/').to_owned());
        }
        Ok(run_id)
    }

    async fn log_params(
        &self,
        run_id: &str,
        params: &BTreeMap<String, String>,
    ) -> Result<(), PortError> {
        limits::check_entries("param", params, limits::MAX_PARAM_VALUE_CHARS)?;
        self.log_batch(run_id, "params", &key_values(params), MAX_PARAMS_PER_BATCH)
            .await
    }

    async fn log_metrics(&self, run_id: &str, metrics: &[Metric]) -> Result<(), PortError> {
        let entries = metrics
            .iter()
            .map(metric_entry)
            .collect::<Result<Vec<_>, _>>()?;
        self.log_batch(run_id, "metrics", &entries, MAX_METRICS_PER_BATCH)
            .await
    }

    async fn set_tags(
        &self,
        run_id: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<(), PortError> {
        limits::check_entries("tag", tags, limits::MAX_TAG_VALUE_CHARS)?;
        self.log_batch(run_id, "tags", &key_values(tags), MAX_TAGS_PER_BATCH)
            .await
    }

    async fn log_artifact(
        &self,
        run_id: &str,
        path: &str,
        content: &[u8],
    ) -> Result<(), PortError> {
        let segments = limits::artifact_segments(path)?;
        let root = self.artifact_root(run_id).await?;
        if let Some(workspace) = &self.workspace {
            return workspace
                .upload_artifact(&root, run_id, &segments, content)
                .await;
        }
        self.rest
            .bytes(
                Method::PUT,
                &proxy_url(&root, &segments),
                Some(content.to_vec()),
            )
            .await?;
        Ok(())
    }

    async fn end_run(&self, run_id: &str, status: RunStatus, end_ms: u64) -> Result<(), PortError> {
        let status = status_name(status);
        self.post(
            "/api/2.0/mlflow/runs/update",
            &json!({ "run_id": run_id, "status": status, "end_time": end_ms }),
            Retry::Idempotent,
        )
        .await?;
        Ok(())
    }

    async fn create_logged_model(
        &self,
        experiment_id: &str,
        model: &NewLoggedModel,
    ) -> Result<String, PortError> {
        let tags = logged_model_tags(model)?;
        let params = key_values(&model.params);
        let tags = key_values(&tags);
        let mut body = json!({
            "experiment_id": experiment_id,
            "name": model.name,
            "model_type": MODEL_TYPE,
        });
        if let Some(run) = &model.source_run_id {
            body["source_run_id"] = json!(run);
        }
        // The first batches go with the creation, the rest through their own routes.
        let mut params = params.chunks(MAX_PARAMS_PER_BATCH);
        let mut tags = tags.chunks(MAX_TAGS_PER_BATCH);
        body["params"] = json!(params.next().unwrap_or_default());
        body["tags"] = json!(tags.next().unwrap_or_default());
        let answer = self
            .post("/api/2.0/mlflow/logged-models", &body, Retry::OnlyIfRefused)
            .await?;
        let model_id = string(&answer["model"]["info"], "model_id", "logged-models")?;
        let base = format!("/api/2.0/mlflow/logged-models/{}", encode(&model_id));
        for part in params {
            self.post(
                &format!("{base}/params"),
                &json!({ "model_id": model_id, "params": part }),
                Retry::Idempotent,
            )
            .await?;
        }
        for part in tags {
            self.patch(
                &format!("{base}/tags"),
                &json!({ "model_id": model_id, "tags": part }),
            )
            .await?;
        }
        // A space configuration has no files to upload: the model is complete now.
        self.patch(
            &base,
            &json!({ "model_id": model_id, "status": "LOGGED_MODEL_READY" }),
        )
        .await?;
        Ok(model_id)
    }

    async fn set_logged_model_tags(
        &self,
        model_id: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<(), PortError> {
        limits::check_entries("model tag", tags, limits::MAX_TAG_VALUE_CHARS)?;
        let path = format!("/api/2.0/mlflow/logged-models/{}/tags", encode(model_id));
        for part in key_values(tags).chunks(MAX_TAGS_PER_BATCH) {
            self.patch(&path, &json!({ "model_id": model_id, "tags": part }))
                .await?;
        }
        Ok(())
    }

    async fn log_model_metrics(
        &self,
        run_id: &str,
        model_id: &str,
        dataset: Option<&DatasetRef>,
        metrics: &[Metric],
    ) -> Result<(), PortError> {
        let mut entries = Vec::with_capacity(metrics.len());
        for metric in metrics {
            let mut entry = metric_entry(metric)?;
            entry["model_id"] = json!(model_id);
            if let Some(dataset) = dataset {
                entry["dataset_name"] = json!(dataset.name);
                entry["dataset_digest"] = json!(dataset.digest);
            }
            entries.push(entry);
        }
        self.log_batch(run_id, "metrics", &entries, MAX_METRICS_PER_BATCH)
            .await?;
        // The run's lineage: it measured this model.
        self.post(
            "/api/2.0/mlflow/runs/log-inputs",
            &json!({ "run_id": run_id, "models": [{ "model_id": model_id }] }),
            Retry::Idempotent,
        )
        .await?;
        Ok(())
    }

    async fn log_dataset(
        &self,
        run_id: &str,
        dataset: &DatasetRef,
        source: &str,
    ) -> Result<(), PortError> {
        let body = json!({
            "run_id": run_id,
            "datasets": [{
                "dataset": {
                    "name": dataset.name,
                    "digest": dataset.digest,
                    "source_type": "code",
                    "source": source,
                },
                "tags": [{ "key": "mlflow.data.context", "value": "evaluation" }],
            }],
        });
        self.post("/api/2.0/mlflow/runs/log-inputs", &body, Retry::Idempotent)
            .await?;
        Ok(())
    }

    async fn search_logged_models(
        &self,
        experiment_id: &str,
        query: &ModelQuery,
    ) -> Result<Vec<LoggedModel>, PortError> {
        let mut models = Vec::new();
        let mut page_token: Option<String> = None;
        loop {
            let body = models::search_body(experiment_id, query, page_token.as_deref());
            let answer = self
                .post(
                    "/api/2.0/mlflow/logged-models/search",
                    &body,
                    Retry::Idempotent,
                )
                .await?;
            for model in answer["models"].as_array().into_iter().flatten() {
                models.push(models::logged_model(model)?);
            }
            page_token = answer["next_page_token"]
                .as_str()
                .filter(|token| !token.is_empty())
                .map(str::to_owned);
            let enough = query.max_results > 0 && models.len() >= query.max_results;
            if page_token.is_none() || enough {
                break;
            }
        }
        Ok(models::order_and_limit(models, query))
    }

    async fn read_artifact(&self, run_id: &str, path: &str) -> Result<Vec<u8>, PortError> {
        let segments = limits::artifact_segments(path)?;
        let root = self.artifact_root(run_id).await?;
        if let Some(workspace) = &self.workspace {
            return workspace.download_artifact(&root, run_id, &segments).await;
        }
        self.rest
            .bytes(Method::GET, &proxy_url(&root, &segments), None)
            .await
    }
}

/// The proxy's URL of an artifact below a run's root.
fn proxy_url(root: &str, segments: &[&str]) -> String {
    let mut url = String::from("/api/2.0/mlflow-artifacts/artifacts");
    for segment in root.split('/').chain(segments.iter().copied()) {
        url.push('/');
        url.push_str(&encode(segment));
    }
    url
}

/// One metric as `runs/log-batch` takes it, its key checked.
fn metric_entry(metric: &Metric) -> Result<Value, PortError> {
    limits::check_key("metric", &metric.key)?;
    Ok(json!({
        "key": metric.key,
        "value": metric_value(metric.value),
        "timestamp": metric.timestamp_ms,
        "step": metric.step,
    }))
}

/// MLflow's name for a run status.
pub(crate) fn status_name(status: RunStatus) -> &'static str {
    match status {
        RunStatus::Finished => "FINISHED",
        RunStatus::Failed => "FAILED",
        RunStatus::Killed => "KILLED",
    }
}

/// `[{key, value}]`, MLflow's shape for params and tags.
fn key_values(entries: &BTreeMap<String, String>) -> Vec<Value> {
    entries
        .iter()
        .map(|(key, value)| json!({ "key": key, "value": value }))
        .collect()
}

/// A metric value as MLflow's JSON accepts it (non-finite values as strings).
fn metric_value(value: f64) -> Value {
    if value.is_nan() {
        json!("NaN")
    } else if value.is_infinite() {
        json!(if value > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        json!(value)
    }
}

/// A string field of an answer, or an error naming the call that lacked it.
fn string(value: &Value, field: &str, call: &str) -> Result<String, PortError> {
    value[field].as_str().map(str::to_owned).ok_or_else(|| {
        PortError::new(
            PortErrorKind::Other,
            format!("{call}: the answer has no `{field}`"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_metrics_are_sent_as_strings() {
        assert_eq!(metric_value(0.5), json!(0.5));
        assert_eq!(metric_value(f64::NAN), json!("NaN"));
        assert_eq!(metric_value(f64::INFINITY), json!("Infinity"));
        assert_eq!(metric_value(f64::NEG_INFINITY), json!("-Infinity"));
    }

    #[test]
    fn missing_fields_name_the_call() {
        let error = string(&json!({}), "run_id", "runs/create").unwrap_err();
        assert_eq!(error.message, "runs/create: the answer has no `run_id`");
    }
}
