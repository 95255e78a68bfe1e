//! Asking Genie and executing both SQLs.
//!
//! Ground truths run once per evaluation (deduplicated by [`sql_hash`]). Genie's SQL
//! runs only after [`sanitize`] admitted it, and then as the sanitized text (comments
//! and trailing semicolons removed). Anything `sanitize` refuses — a second statement,
//! a write, a template left in — is never sent to the warehouse. The result Genie
//! fetched itself ([`Answer::result`]) is not used: its SQL was not sanitized by us,
//! and running both sides on one warehouse with one row limit keeps the comparison
//! even.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use futures::StreamExt as _;
use genie_core::canonical::{ContentHash, to_canonical_json};
use genie_core::error::PortError;
use genie_core::evaluation::{Answer, AnswerStatus};
use genie_core::ports::{ExecuteOptions, GenieApi, Warehouse};
use genie_core::result::ResultSet;
use genie_core::sql::{SqlError, SqlFacts, extract_from, sanitize, sql_hash};

use crate::diagnose::LiteralPresence;

/// An executed ground truth.
#[derive(Debug, Clone)]
pub(crate) struct GroundTruth {
    /// The sanitized text that ran.
    pub(crate) sql: String,
    /// Its structure.
    pub(crate) facts: SqlFacts,
    /// Its rows.
    pub(crate) result: ResultSet,
    /// Hash of its rows (order-insensitive).
    pub(crate) result_hash: ContentHash,
}

/// A ground truth that ran, or why it did not.
pub(crate) type GroundTruthOutcome = Result<Arc<GroundTruth>, String>;

/// What became of Genie's SQL in one attempt.
#[derive(Debug, Clone)]
pub(crate) enum GenieSql {
    /// Genie gave no SQL.
    Missing,
    /// `sanitize` refused it as not one read-only query; never run.
    Unsafe {
        /// The SQL as Genie wrote it.
        sql: String,
        /// Why it was refused.
        error: SqlError,
    },
    /// It does not parse; never run.
    Unparseable {
        /// The SQL as Genie wrote it.
        sql: String,
        /// The parser's error.
        error: SqlError,
    },
    /// It was admitted but failed on the warehouse.
    Failed {
        /// The sanitized text.
        sql: String,
        /// Its structure.
        facts: Box<SqlFacts>,
        /// The engine's error.
        error: String,
        /// `EXPLAIN`'s error, when `EXPLAIN` failed too (a compile error rather than a
        /// runtime one).
        explain_error: Option<String>,
    },
    /// It ran.
    Ran {
        /// The sanitized text.
        sql: String,
        /// Its structure.
        facts: Box<SqlFacts>,
        /// Its rows.
        result: ResultSet,
        /// Hash of its rows (order-insensitive).
        result_hash: ContentHash,
    },
}

impl GenieSql {
    /// The SQL, as Genie wrote it or as sanitized.
    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Self::Missing => None,
            Self::Unsafe { sql, .. }
            | Self::Unparseable { sql, .. }
            | Self::Failed { sql, .. }
            | Self::Ran { sql, .. } => Some(sql),
        }
    }

    /// The structure, when the SQL was admitted.
    pub(crate) fn facts(&self) -> Option<&SqlFacts> {
        match self {
            Self::Failed { facts, .. } | Self::Ran { facts, .. } => Some(facts),
            _ => None,
        }
    }

    /// The result, when it ran.
    pub(crate) fn result(&self) -> Option<&ResultSet> {
        match self {
            Self::Ran { result, .. } => Some(result),
            _ => None,
        }
    }

    /// The result hash, when it ran.
    pub(crate) fn result_hash(&self) -> Option<&ContentHash> {
        match self {
            Self::Ran { result_hash, .. } => Some(result_hash),
            _ => None,
        }
    }
}

/// One ask of one question.
#[derive(Debug, Clone)]
pub(crate) enum Attempt {
    /// Genie answered (possibly without SQL).
    Answered {
        /// The answer.
        answer: Box<Answer>,
        /// What became of its SQL.
        genie: GenieSql,
    },
    /// No answer could be had (after the client's retries), or Genie failed without
    /// producing SQL: outside the space's control.
    GenieError {
        /// Why.
        error: String,
    },
}

/// Runs statements for one evaluation.
pub(crate) struct Runner {
    pub(crate) genie: Arc<dyn GenieApi>,
    pub(crate) warehouse: Arc<dyn Warehouse>,
    pub(crate) options: ExecuteOptions,
    pub(crate) concurrency: usize,
    pub(crate) ask_attempts: u32,
}

impl Runner {
    /// Runs every distinct ground truth once; keyed by the benchmark's SQL text.
    pub(crate) async fn ground_truths<'a>(
        &self,
        sqls: impl IntoIterator<Item = &'a str>,
    ) -> HashMap<String, GroundTruthOutcome> {
        let mut by_hash: HashMap<ContentHash, Vec<String>> = HashMap::new();
        let mut outcomes = HashMap::new();
        let mut distinct = Vec::new();
        let mut seen = HashSet::new();
        for sql in sqls {
            if !seen.insert(sql) {
                continue;
            }
            match sql_hash(sql) {
                Ok(hash) => {
                    let texts = by_hash.entry(hash.clone()).or_default();
                    if texts.is_empty() {
                        distinct.push((hash, sql.to_owned()));
                    }
                    texts.push(sql.to_owned());
                }
                Err(error) => {
                    outcomes.insert(sql.to_owned(), Err(error.to_string()));
                }
            }
        }
        let ran: Vec<(ContentHash, GroundTruthOutcome)> = futures::stream::iter(
            distinct
                .into_iter()
                .map(|(hash, sql)| async move { (hash, self.ground_truth(&sql).await) }),
        )
        .buffer_unordered(self.concurrency)
        .collect()
        .await;
        for (hash, outcome) in ran {
            for sql in by_hash.remove(&hash).unwrap_or_default() {
                outcomes.insert(sql, outcome.clone());
            }
        }
        outcomes
    }

    async fn ground_truth(&self, sql: &str) -> GroundTruthOutcome {
        let sanitized = sanitize(sql).map_err(|error| error.to_string())?;
        let facts = extract_from(&sanitized);
        let (text, _) = sanitized.into_parts();
        let result = self
            .warehouse
            .execute(&text, &self.options)
            .await
            .map_err(|error| error.to_string())?;
        Ok(Arc::new(GroundTruth {
            sql: text,
            facts,
            result_hash: result_hash(&result),
            result,
        }))
    }

    /// Asks `question` once and runs Genie's SQL if it is admitted. `cache` keeps
    /// the results of SQL already run for this question (repeated asks).
    pub(crate) async fn attempt(
        &self,
        space_id: &str,
        question: &str,
        cache: &mut HashMap<ContentHash, GenieSql>,
    ) -> Attempt {
        let mut tries = 0;
        let (answer, sql) = loop {
            tries += 1;
            let last_try = tries >= self.ask_attempts;
            let answer = match self.genie.ask(space_id, question).await {
                Ok(answer) => answer,
                // The client retries what is safe to repeat inside one ask; a
                // non-idempotent start that failed (a 500, a dropped connection) comes
                // back here and is asked again in a new conversation.
                Err(error) if error.kind.is_retryable() && !last_try => {
                    tracing::info!(question, %error, tries, "asking again");
                    continue;
                }
                Err(error) => {
                    tracing::warn!(question, %error, tries, "genie gave no answer after retries");
                    return Attempt::GenieError {
                        error: error.to_string(),
                    };
                }
            };
            if let Some(sql) = answer.sql.clone().filter(|sql| !sql.trim().is_empty()) {
                break (answer, sql);
            }
            if answer.status == AnswerStatus::Completed {
                return Attempt::Answered {
                    answer: Box::new(answer),
                    genie: GenieSql::Missing,
                };
            }
            // A message that failed, timed out or was cancelled without SQL says
            // nothing about the space: ask again, then exclude.
            let detail = answer.error.as_ref().map_or_else(String::new, |error| {
                format!(": {} {}", error.error_type, error.message)
            });
            let error = format!("message ended {:?}{detail}", answer.status);
            if last_try {
                tracing::warn!(question, error, tries, "genie failed after retries");
                return Attempt::GenieError { error };
            }
            tracing::info!(question, error, tries, "asking again");
        };
        let genie = self.genie_sql(&sql, cache).await;
        Attempt::Answered {
            answer: Box::new(answer),
            genie,
        }
    }

    /// Admits and runs Genie's SQL (once per normalised text, through `cache`).
    pub(crate) async fn genie_sql(
        &self,
        sql: &str,
        cache: &mut HashMap<ContentHash, GenieSql>,
    ) -> GenieSql {
        let sanitized = match sanitize(sql) {
            Ok(sanitized) => sanitized,
            Err(error @ (SqlError::Parse { .. } | SqlError::Empty)) => {
                return GenieSql::Unparseable {
                    sql: sql.to_owned(),
                    error,
                };
            }
            Err(error) => {
                tracing::warn!(%error, "genie's sql refused; not executed");
                return GenieSql::Unsafe {
                    sql: sql.to_owned(),
                    error,
                };
            }
        };
        let hash = sql_hash(sanitized.as_str()).ok();
        if let Some(known) = hash.as_ref().and_then(|hash| cache.get(hash)) {
            return known.clone();
        }
        let facts = Box::new(extract_from(&sanitized));
        let (text, _) = sanitized.into_parts();
        let outcome = match self.warehouse.execute(&text, &self.options).await {
            Ok(result) => GenieSql::Ran {
                sql: text,
                facts,
                result_hash: result_hash(&result),
                result,
            },
            Err(error) => {
                let explain_error = self.explain_error(&text).await;
                GenieSql::Failed {
                    sql: text,
                    facts,
                    error: error.message,
                    explain_error,
                }
            }
        };
        if let Some(hash) = hash {
            cache.insert(hash, outcome.clone());
        }
        outcome
    }

    /// `EXPLAIN`'s error, if it fails (only asked after a failed execution: a query
    /// that ran compiles).
    async fn explain_error(&self, sql: &str) -> Option<String> {
        self.warehouse
            .explain(sql)
            .await
            .err()
            .map(|error: PortError| error.message)
    }
}

impl Runner {
    /// Looks up whether each `(table, column, literal)` occurs in the data, with a
    /// query of our own (admitted by `sanitize` like any other). A lookup that fails
    /// is left out of the map.
    pub(crate) async fn literal_presence(
        &self,
        candidates: Vec<(String, String, String)>,
    ) -> LiteralPresence {
        let mut presence = LiteralPresence::new();
        for (table, column, literal) in candidates {
            let sql = format!(
                "SELECT 1 AS found FROM {} WHERE CAST({} AS STRING) = '{}' LIMIT 1",
                quoted_name(&table),
                quoted_identifier(&column),
                literal.replace('\'', "''")
            );
            let Ok(admitted) = sanitize(&sql) else {
                continue;
            };
            match self
                .warehouse
                .execute(admitted.as_str(), &self.options)
                .await
            {
                Ok(result) => {
                    presence.insert((table, column, literal), !result.is_empty());
                }
                Err(error) => {
                    tracing::debug!(%error, "literal lookup failed; left to the question's words");
                }
            }
        }
        presence
    }
}

/// A dotted name with each part backtick-quoted.
fn quoted_name(name: &str) -> String {
    name.split('.')
        .map(quoted_identifier)
        .collect::<Vec<_>>()
        .join(".")
}

fn quoted_identifier(identifier: &str) -> String {
    format!("`{}`", identifier.replace('`', "``"))
}

/// An order-insensitive fingerprint of a result: columns' types and the sorted rows.
pub(crate) fn result_hash(result: &ResultSet) -> ContentHash {
    let mut rows: Vec<String> = result.rows.iter().map(to_canonical_json).collect();
    rows.sort_unstable();
    let types: Vec<String> = result
        .columns
        .iter()
        .map(|column| to_canonical_json(&column.column_type))
        .collect();
    ContentHash::of(&(types, rows))
}
