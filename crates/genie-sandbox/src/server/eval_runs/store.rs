//! Where eval runs and their per-question results are kept.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::super::api_error::ApiError;
use super::super::clock::now_millis;
use super::super::mix::time_ordered_id;
use super::assessment::Verdict;

/// One eval run, complete from its creation.
#[derive(Debug, Clone)]
pub(crate) struct EvalRun {
    /// Its id.
    pub(crate) id: String,
    /// Its space.
    pub(crate) space_id: String,
    /// When it was created, epoch milliseconds.
    pub(crate) created_ms: u64,
    /// How long each step lasts, in milliseconds.
    pub(crate) step_ms: u64,
    /// One result per question, in the order they are evaluated.
    pub(crate) results: Vec<EvalResult>,
}

/// One benchmark question's evaluation.
#[derive(Debug, Clone)]
pub(crate) struct EvalResult {
    /// Its id.
    pub(crate) id: String,
    /// The benchmark question's id.
    pub(crate) question_id: String,
    /// The question's text.
    pub(crate) question: String,
    /// The benchmark's expected SQL and the statement that ran it, if it has one.
    pub(crate) expected: Option<(String, String)>,
    /// What Genie answered.
    pub(crate) actual: ActualResponse,
    /// The judgement; `None` when Genie gave no answer.
    pub(crate) verdict: Option<Verdict>,
}

/// Genie's answer to a benchmark question.
#[derive(Debug, Clone)]
pub(crate) enum ActualResponse {
    /// SQL, run as statement `statement_id`.
    Sql {
        /// The SQL.
        sql: String,
        /// The statement holding its result.
        statement_id: String,
    },
    /// Text.
    Text(String),
    /// No answer (the message failed).
    Failed,
}

/// Every eval run, oldest first.
#[derive(Debug, Default)]
pub(crate) struct EvalRunStore {
    runs: Mutex<Vec<EvalRun>>,
    sequence: AtomicU64,
}

impl EvalRunStore {
    fn lock(&self) -> MutexGuard<'_, Vec<EvalRun>> {
        self.runs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A new time-ordered id (runs and results).
    pub(crate) fn new_id(&self) -> String {
        time_ordered_id(now_millis(), self.sequence.fetch_add(1, Ordering::Relaxed))
    }

    /// Adds a run.
    pub(crate) fn insert(&self, run: EvalRun) {
        self.lock().push(run);
    }

    /// The runs of `space_id`, newest first.
    pub(crate) fn of_space(&self, space_id: &str) -> Vec<EvalRun> {
        self.lock()
            .iter()
            .rev()
            .filter(|run| run.space_id == space_id)
            .cloned()
            .collect()
    }

    /// Run `run_id` of `space_id`.
    pub(crate) fn get(&self, space_id: &str, run_id: &str) -> Result<EvalRun, ApiError> {
        self.lock()
            .iter()
            .find(|run| run.space_id == space_id && run.id == run_id)
            .cloned()
            .ok_or_else(|| {
                ApiError::not_found(
                    "RESOURCE_DOES_NOT_EXIST",
                    format!("evaluation run `{run_id}` does not exist in space `{space_id}`"),
                )
            })
    }
}
