//! Port traits: what the workers need from the outside world.
//!
//! A worker never talks HTTP or SQL itself; it receives these traits as
//! `Arc<dyn …>`. `genie-databricks`, `genie-mlflow` and the sandbox implement them,
//! and a team embedding one worker can bring its own implementation (say, a Genie
//! client with its own auth). They are `async_trait` object-safe traits, `Send +
//! Sync`, so one client can be shared by every concurrent task and held in the
//! orchestrator's routing table. Every method returns [`PortError`], whose
//! [`PortErrorKind`](crate::error::PortErrorKind) tells the caller whether retrying can help.

mod bundle;

use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::PortError;
use crate::evaluation::Answer;
use crate::result::ResultSet;
use crate::space::{GenieSpace, SpaceConfig};

pub use bundle::{BundleFile, BundleLayout, BundlePathError};

/// A space as listed (no config).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpaceSummary {
    /// The space id (32 hex).
    pub space_id: String,
    /// Its title.
    pub title: String,
    /// Its description.
    pub description: Option<String>,
    /// The warehouse it runs SQL on.
    pub warehouse_id: Option<String>,
}

/// What a new space needs.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSpace {
    /// The title.
    pub title: String,
    /// The description.
    pub description: Option<String>,
    /// The warehouse it runs SQL on.
    pub warehouse_id: String,
    /// The workspace folder it lives in.
    pub parent_path: Option<String>,
    /// Its configuration.
    pub config: SpaceConfig,
}

/// Genie: the spaces API and asking questions.
///
/// `ask` is one call rather than start/poll/fetch because every caller wants the
/// same thing (a final answer with its result) and the polling policy (backoff,
/// deadline, re-execution of expired results, the workspace-wide rate limit) belongs
/// to the client that knows the API's rules, not to each worker.
#[async_trait]
pub trait GenieApi: Send + Sync {
    /// Lists the spaces the credentials can see (all pages).
    async fn list_spaces(&self) -> Result<Vec<SpaceSummary>, PortError>;

    /// Gets a space with its configuration.
    async fn get_space(&self, space_id: &str) -> Result<GenieSpace, PortError>;

    /// Creates a space; returns it with its new id.
    async fn create_space(&self, space: &NewSpace) -> Result<GenieSpace, PortError>;

    /// Replaces a space's configuration. With `etag`, fails with
    /// [`PortErrorKind::Conflict`](crate::error::PortErrorKind::Conflict) when someone
    /// else changed the space since it was read: another writer's change is never
    /// overwritten.
    async fn update_space(
        &self,
        space_id: &str,
        config: &SpaceConfig,
        etag: Option<&str>,
    ) -> Result<GenieSpace, PortError>;

    /// Moves a space to the trash.
    async fn trash_space(&self, space_id: &str) -> Result<(), PortError>;

    /// Asks one question in a new conversation and waits for the final answer.
    /// Genie-side failures (no SQL, `FAILED` messages) are an [`Answer`] with that
    /// status, not an error: errors are for when no answer could be had at all.
    async fn ask(&self, space_id: &str, question: &str) -> Result<Answer, PortError>;

    /// Starts a benchmark eval run over the space's own benchmark questions (all of
    /// them when `question_ids` is empty). Eval runs are optional: a client without
    /// them keeps this default, which fails with
    /// [`PortErrorKind::InvalidRequest`](crate::error::PortErrorKind::InvalidRequest).
    async fn create_eval_run(
        &self,
        space_id: &str,
        question_ids: &[String],
    ) -> Result<EvalRun, PortError> {
        let _ = question_ids;
        Err(no_eval_runs(space_id))
    }

    /// Reads an eval run's progress.
    async fn get_eval_run(&self, space_id: &str, eval_run_id: &str) -> Result<EvalRun, PortError> {
        let _ = eval_run_id;
        Err(no_eval_runs(space_id))
    }

    /// Every result of an eval run (all pages), each with its details (assessment,
    /// reasons, Genie's response).
    async fn list_eval_results(
        &self,
        space_id: &str,
        eval_run_id: &str,
    ) -> Result<Vec<EvalResult>, PortError> {
        let _ = eval_run_id;
        Err(no_eval_runs(space_id))
    }
}

fn no_eval_runs(space_id: &str) -> PortError {
    PortError::new(
        crate::error::PortErrorKind::InvalidRequest,
        format!("this Genie client has no benchmark eval runs (space `{space_id}`)"),
    )
}

/// A benchmark eval run: Databricks' own evaluation of a space on its benchmark
/// questions (`GenieEvalRunResponse`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvalRun {
    /// The run's id.
    pub eval_run_id: String,
    /// `NOT_STARTED`, `RUNNING`, `DONE` or `EVALUATION_FAILED`.
    pub status: String,
    /// Questions in the run.
    pub num_questions: u64,
    /// Questions evaluated so far.
    pub num_done: u64,
    /// Questions assessed `GOOD` so far.
    pub num_correct: u64,
    /// Questions assessed `NEEDS_REVIEW` so far.
    pub num_needs_review: u64,
}

impl EvalRun {
    /// Whether the run will not change any more.
    pub fn is_finished(&self) -> bool {
        matches!(
            self.status.as_str(),
            "DONE" | "EVALUATION_FAILED" | "CANCELLED" | "FAILED"
        )
    }
}

/// One question's result in an eval run, with its details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvalResult {
    /// The result's id.
    pub result_id: String,
    /// The space's benchmark question id.
    pub benchmark_question_id: String,
    /// The question's text, when the service gives it.
    pub question: Option<String>,
    /// `DONE`, `EVALUATION_FAILED`, …
    pub status: String,
    /// `GOOD`, `BAD` or `NEEDS_REVIEW`, once assessed.
    pub assessment: Option<String>,
    /// The service's `assessment_reasons` (`RESULT_MISSING_ROWS`, …).
    pub assessment_reasons: Vec<String>,
    /// The SQL Genie answered with, when it did.
    pub genie_sql: Option<String>,
    /// The text Genie answered with, when it did.
    pub genie_text: Option<String>,
}

/// Limits and context of one statement.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExecuteOptions {
    /// At most this many rows (the result is marked truncated beyond).
    pub row_limit: Option<u64>,
    /// Give up (and cancel) after this many milliseconds.
    pub timeout_ms: Option<u64>,
    /// Default catalog for unqualified names.
    pub catalog: Option<String>,
    /// Default schema for unqualified names.
    pub schema: Option<String>,
    /// Named parameters (`:name` markers) with their values.
    pub parameters: BTreeMap<String, String>,
}

/// A SQL warehouse.
///
/// `execute` returns typed rows ([`ResultSet`]) because every judge compares typed
/// values; a statement the engine rejects is
/// [`PortErrorKind::StatementFailed`](crate::error::PortErrorKind::StatementFailed)
/// carrying the engine's message, so the evaluator can report it per question.
/// Callers sanitize untrusted SQL first ([`crate::sql::sanitize`]); `execute_ddl` is
/// separate so that only the applier's metadata statements ever reach it.
#[async_trait]
pub trait Warehouse: Send + Sync {
    /// Runs one read-only query and returns its rows.
    async fn execute(&self, sql: &str, options: &ExecuteOptions) -> Result<ResultSet, PortError>;

    /// Returns the engine's plan for a query (the syntax judge's check).
    async fn explain(&self, sql: &str) -> Result<String, PortError>;

    /// Runs one Unity Catalog metadata statement (`COMMENT ON`, `ALTER TABLE … SET
    /// TBLPROPERTIES`, `CREATE OR REPLACE VIEW/FUNCTION`, …).
    async fn execute_ddl(&self, statement: &str) -> Result<(), PortError>;
}

/// A chat message's author.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChatRole {
    /// Instructions.
    System,
    /// The request.
    User,
    /// A previous reply.
    Assistant,
}

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    /// Who speaks.
    pub role: ChatRole,
    /// What is said.
    pub content: String,
}

/// A chat completion request in the OpenAI-compatible shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatRequest {
    /// The conversation so far.
    pub messages: Vec<ChatMessage>,
    /// Cap on the reply's tokens.
    pub max_tokens: Option<u32>,
    /// Sampling temperature (0 for judges).
    pub temperature: Option<f32>,
}

/// Tokens one call used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TokenUsage {
    /// Prompt tokens.
    pub prompt_tokens: u64,
    /// Completion tokens.
    pub completion_tokens: u64,
}

/// A chat completion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatResponse {
    /// The reply's text.
    pub content: String,
    /// The model that answered.
    pub model: String,
    /// Tokens used.
    pub usage: TokenUsage,
}

/// A language model. Optional everywhere: every judge and the optimizer have a
/// deterministic path without one, so this is the whole contract they may rely on.
#[async_trait]
pub trait Llm: Send + Sync {
    /// One chat completion.
    async fn complete(&self, request: &ChatRequest) -> Result<ChatResponse, PortError>;
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RunStatus {
    /// Completed normally.
    Finished,
    /// Failed.
    Failed,
    /// Killed (interrupted).
    Killed,
}

/// One metric value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    /// The metric's key (`result_correctness`).
    pub key: String,
    /// Its value.
    pub value: f64,
    /// Unix milliseconds (passed in; core has no clock).
    pub timestamp_ms: u64,
    /// The step (the loop iteration).
    pub step: u64,
}

/// A logged model to create: one per iteration's config.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NewLoggedModel {
    /// `genie-{domain}-iter{N}-{hash12}`.
    pub name: String,
    /// The run that created it.
    pub source_run_id: Option<String>,
    /// The previous iteration's model.
    pub parent_model_id: Option<String>,
    /// Params.
    pub params: BTreeMap<String, String>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
}

/// A dataset an evaluation read (the benchmark set), as the tracker records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetRef {
    /// The dataset's name (`retail_benchmarks`).
    pub name: String,
    /// Its content digest (the benchmark set's hash).
    pub digest: String,
}

/// Which logged models [`Tracker::search_logged_models`] returns.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModelQuery {
    /// Tags every returned model has with exactly these values.
    pub tags: BTreeMap<String, String>,
    /// A linked metric to sort by, highest first; models without it come last.
    pub order_by_metric: Option<String>,
    /// At most this many models (0 = no limit).
    pub max_results: usize,
}

/// A metric linked to a logged model, as read back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelMetric {
    /// The metric's key.
    pub key: String,
    /// Its value.
    pub value: f64,
    /// The step it was logged at.
    pub step: u64,
    /// The run that logged it.
    pub run_id: Option<String>,
    /// The dataset it was measured on.
    pub dataset: Option<DatasetRef>,
}

/// A logged model as read back from the tracker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedModel {
    /// Its id.
    pub model_id: String,
    /// Its name.
    pub name: String,
    /// The experiment it belongs to.
    pub experiment_id: String,
    /// The run that created it.
    pub source_run_id: Option<String>,
    /// `LOGGED_MODEL_READY`, `LOGGED_MODEL_PENDING` or `LOGGED_MODEL_UPLOAD_FAILED`.
    pub status: String,
    /// Its params.
    pub params: BTreeMap<String, String>,
    /// Its tags.
    pub tags: BTreeMap<String, String>,
    /// The metrics linked to it.
    pub metrics: Vec<ModelMetric>,
}

impl LoggedModel {
    /// The latest value of a linked metric (highest step), if any.
    pub fn metric(&self, key: &str) -> Option<f64> {
        self.metrics
            .iter()
            .filter(|metric| metric.key == key)
            .max_by_key(|metric| metric.step)
            .map(|metric| metric.value)
    }
}

/// Experiment tracking (MLflow or a local file tracker).
///
/// The methods mirror MLflow's REST operations one to one so an implementation is a
/// thin client; batching and MLflow's size limits are the implementation's job.
#[async_trait]
pub trait Tracker: Send + Sync {
    /// Gets or creates the experiment (restoring a deleted one); returns its id.
    async fn experiment(&self, name: &str) -> Result<String, PortError>;

    /// Sets tags on an experiment (the session summary).
    async fn set_experiment_tags(
        &self,
        experiment_id: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<(), PortError>;

    /// Starts a named run; returns its id.
    async fn start_run(
        &self,
        experiment_id: &str,
        run_name: &str,
        start_ms: u64,
    ) -> Result<String, PortError>;

    /// Logs params (immutable once set).
    async fn log_params(
        &self,
        run_id: &str,
        params: &BTreeMap<String, String>,
    ) -> Result<(), PortError>;

    /// Logs metrics.
    async fn log_metrics(&self, run_id: &str, metrics: &[Metric]) -> Result<(), PortError>;

    /// Sets run tags.
    async fn set_tags(
        &self,
        run_id: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<(), PortError>;

    /// Uploads one artifact at a relative path (`evaluation/eval_results.json`).
    async fn log_artifact(&self, run_id: &str, path: &str, content: &[u8])
    -> Result<(), PortError>;

    /// Ends a run.
    async fn end_run(&self, run_id: &str, status: RunStatus, end_ms: u64) -> Result<(), PortError>;

    /// Creates a logged model; returns its id.
    async fn create_logged_model(
        &self,
        experiment_id: &str,
        model: &NewLoggedModel,
    ) -> Result<String, PortError>;

    /// Sets tags on a logged model (e.g. `promoted`).
    async fn set_logged_model_tags(
        &self,
        model_id: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<(), PortError>;

    /// Logs metrics of a run that measure a logged model (optionally on a dataset), so
    /// they show on the run and on the model, where searches can sort by them.
    async fn log_model_metrics(
        &self,
        run_id: &str,
        model_id: &str,
        dataset: Option<&DatasetRef>,
        metrics: &[Metric],
    ) -> Result<(), PortError>;

    /// Records that a run read a dataset (the evaluation's benchmark set); `source`
    /// says where it came from (a file path or a JSON description).
    async fn log_dataset(
        &self,
        run_id: &str,
        dataset: &DatasetRef,
        source: &str,
    ) -> Result<(), PortError>;

    /// The experiment's logged models matching `query`.
    async fn search_logged_models(
        &self,
        experiment_id: &str,
        query: &ModelQuery,
    ) -> Result<Vec<LoggedModel>, PortError>;

    /// Downloads one of a run's artifacts.
    async fn read_artifact(&self, run_id: &str, path: &str) -> Result<Vec<u8>, PortError>;
}

/// Bundle files: the on-disk (usually git-tracked) copy of every change, so a run's
/// outcome can be reviewed and deployed like code.
///
/// An implementation provides plain reads and writes by path; the provided
/// [`read_file`](Self::read_file) and [`write_file`](Self::write_file) put every
/// [`BundleFile`] where the [`BundleLayout`] says, so workers never build paths.
#[async_trait]
pub trait BundleRepo: Send + Sync {
    /// Reads a file relative to the bundle root; `None` when absent.
    async fn read(&self, path: &str) -> Result<Option<Vec<u8>>, PortError>;

    /// Writes a file atomically (all or nothing).
    async fn write(&self, path: &str, content: &[u8]) -> Result<(), PortError>;

    /// Removes a file (undoing the write that created it); absent is no error.
    async fn remove(&self, path: &str) -> Result<(), PortError>;

    /// What changed since the last commit, as a unified diff.
    async fn diff(&self) -> Result<String, PortError>;

    /// Reads one bundle file; `None` when absent.
    async fn read_file(
        &self,
        layout: &BundleLayout,
        domain: &str,
        file: &BundleFile,
    ) -> Result<Option<Vec<u8>>, PortError> {
        self.read(&bundle_path(layout, domain, file)?).await
    }

    /// Writes one bundle file atomically; returns its path.
    async fn write_file(
        &self,
        layout: &BundleLayout,
        domain: &str,
        file: &BundleFile,
        content: &[u8],
    ) -> Result<String, PortError> {
        let path = bundle_path(layout, domain, file)?;
        self.write(&path, content).await?;
        Ok(path)
    }
}

fn bundle_path(
    layout: &BundleLayout,
    domain: &str,
    file: &BundleFile,
) -> Result<String, PortError> {
    layout.path(domain, file).map_err(|error| {
        PortError::new(
            crate::error::PortErrorKind::InvalidRequest,
            error.to_string(),
        )
    })
}
