//! Exact accounting of what a run spends: every Genie question, SQL statement and
//! model call goes through a counting wrapper around the real client, so the counts
//! are what was sent, not what a worker says it sent. [`Counts`] are snapshots; the
//! difference of two is what one step cost.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use genie_core::error::PortError;
use genie_core::evaluation::Answer;
use genie_core::ports::{
    ChatRequest, ChatResponse, EvalResult, EvalRun, ExecuteOptions, GenieApi, Llm, NewSpace,
    SpaceSummary, Warehouse,
};
use genie_core::result::ResultSet;
use genie_core::space::{GenieSpace, SpaceConfig};
use serde::{Deserialize, Serialize};

/// What a run (or a step of it) spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub(crate) struct Counts {
    /// Genie questions asked.
    pub genie_questions: u64,
    /// SQL statements sent to the warehouse (queries, `EXPLAIN`s and DDL).
    pub sql_statements: u64,
    /// Chat completions requested.
    pub llm_calls: u64,
    /// Prompt plus completion tokens the model reported.
    pub llm_tokens: u64,
}

impl Counts {
    /// What was spent between `earlier` and `self`.
    pub(crate) fn since(self, earlier: Self) -> Self {
        Self {
            genie_questions: self.genie_questions.saturating_sub(earlier.genie_questions),
            sql_statements: self.sql_statements.saturating_sub(earlier.sql_statements),
            llm_calls: self.llm_calls.saturating_sub(earlier.llm_calls),
            llm_tokens: self.llm_tokens.saturating_sub(earlier.llm_tokens),
        }
    }

    /// The sum of two counts (a resumed run adds what the earlier process spent).
    pub(crate) fn plus(self, other: Self) -> Self {
        Self {
            genie_questions: self.genie_questions + other.genie_questions,
            sql_statements: self.sql_statements + other.sql_statements,
            llm_calls: self.llm_calls + other.llm_calls,
            llm_tokens: self.llm_tokens + other.llm_tokens,
        }
    }
}

/// The live counters the wrappers increment.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    genie_questions: AtomicU64,
    sql_statements: AtomicU64,
    llm_calls: AtomicU64,
    llm_tokens: AtomicU64,
}

impl Counters {
    /// The counts now.
    pub(crate) fn snapshot(&self) -> Counts {
        Counts {
            genie_questions: self.genie_questions.load(Ordering::Relaxed),
            sql_statements: self.sql_statements.load(Ordering::Relaxed),
            llm_calls: self.llm_calls.load(Ordering::Relaxed),
            llm_tokens: self.llm_tokens.load(Ordering::Relaxed),
        }
    }
}

/// A client wrapped so that its calls are counted.
pub(crate) struct Counted<T: ?Sized> {
    inner: Arc<T>,
    counters: Arc<Counters>,
}

impl<T: ?Sized> Counted<T> {
    /// `inner`, counted into `counters`.
    pub(crate) fn new(inner: Arc<T>, counters: Arc<Counters>) -> Self {
        Self { inner, counters }
    }
}

#[async_trait]
impl GenieApi for Counted<dyn GenieApi> {
    async fn list_spaces(&self) -> Result<Vec<SpaceSummary>, PortError> {
        self.inner.list_spaces().await
    }

    async fn get_space(&self, space_id: &str) -> Result<GenieSpace, PortError> {
        self.inner.get_space(space_id).await
    }

    async fn create_space(&self, space: &NewSpace) -> Result<GenieSpace, PortError> {
        self.inner.create_space(space).await
    }

    async fn update_space(
        &self,
        space_id: &str,
        config: &SpaceConfig,
        etag: Option<&str>,
    ) -> Result<GenieSpace, PortError> {
        self.inner.update_space(space_id, config, etag).await
    }

    async fn trash_space(&self, space_id: &str) -> Result<(), PortError> {
        self.inner.trash_space(space_id).await
    }

    async fn ask(&self, space_id: &str, question: &str) -> Result<Answer, PortError> {
        self.counters
            .genie_questions
            .fetch_add(1, Ordering::Relaxed);
        self.inner.ask(space_id, question).await
    }

    async fn create_eval_run(
        &self,
        space_id: &str,
        question_ids: &[String],
    ) -> Result<EvalRun, PortError> {
        self.inner.create_eval_run(space_id, question_ids).await
    }

    async fn get_eval_run(&self, space_id: &str, eval_run_id: &str) -> Result<EvalRun, PortError> {
        self.inner.get_eval_run(space_id, eval_run_id).await
    }

    async fn list_eval_results(
        &self,
        space_id: &str,
        eval_run_id: &str,
    ) -> Result<Vec<EvalResult>, PortError> {
        self.inner.list_eval_results(space_id, eval_run_id).await
    }
}

#[async_trait]
impl Warehouse for Counted<dyn Warehouse> {
    async fn execute(&self, sql: &str, options: &ExecuteOptions) -> Result<ResultSet, PortError> {
        self.counters.sql_statements.fetch_add(1, Ordering::Relaxed);
        self.inner.execute(sql, options).await
    }

    async fn explain(&self, sql: &str) -> Result<String, PortError> {
        self.counters.sql_statements.fetch_add(1, Ordering::Relaxed);
        self.inner.explain(sql).await
    }

    async fn execute_ddl(&self, statement: &str) -> Result<(), PortError> {
        self.counters.sql_statements.fetch_add(1, Ordering::Relaxed);
        self.inner.execute_ddl(statement).await
    }
}

#[async_trait]
impl Llm for Counted<dyn Llm> {
    async fn complete(&self, request: &ChatRequest) -> Result<ChatResponse, PortError> {
        self.counters.llm_calls.fetch_add(1, Ordering::Relaxed);
        let response = self.inner.complete(request).await?;
        self.counters.llm_tokens.fetch_add(
            response.usage.prompt_tokens + response.usage.completion_tokens,
            Ordering::Relaxed,
        );
        Ok(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_and_sums_of_counts() {
        let earlier = Counts {
            genie_questions: 3,
            sql_statements: 10,
            llm_calls: 0,
            llm_tokens: 0,
        };
        let later = Counts {
            genie_questions: 8,
            sql_statements: 25,
            llm_calls: 2,
            llm_tokens: 900,
        };
        let step = later.since(earlier);
        assert_eq!(
            (
                step.genie_questions,
                step.sql_statements,
                step.llm_calls,
                step.llm_tokens
            ),
            (5, 15, 2, 900)
        );
        assert_eq!(step.plus(earlier), later);
    }
}
