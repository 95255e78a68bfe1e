//! Ground-truth validation: a question is scored only when its SQL resolves, is one
//! read-only query ([`sql::sanitize`]) and returns rows on the warehouse.

use std::sync::Arc;

use genie_core::benchmark::{Benchmark, ExcludedBenchmark};
use genie_core::error::{PortError, PortErrorKind};
use genie_core::ports::{ExecuteOptions, Warehouse};
use genie_core::result::ResultSet;
use genie_core::sql::{self, TemplateVariables};

use crate::bounded::run_bounded;
use crate::error::Error;

/// What checking one ground truth found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// It runs and returns rows; the sanitized text, ready to run.
    Valid(String),
    /// It cannot be scored against.
    Invalid {
        /// The SQL as far as it was resolved (the original text when resolution failed).
        sql: String,
        /// Why, with the engine's message when the engine ran it.
        reason: String,
    },
}

/// The benchmarks kept for scoring and those left out.
#[derive(Debug, Default)]
pub(crate) struct Validated {
    /// Valid ground truths (their SQL resolved and sanitized), and invalid ones when
    /// `keep_invalid`; in input order.
    pub(crate) kept: Vec<Benchmark>,
    /// Invalid ground truths with the reason, in input order (none when `keep_invalid`).
    pub(crate) excluded: Vec<ExcludedBenchmark>,
}

/// Checks one ground truth: resolve `${…}`, sanitize, execute, require a non-empty
/// result. A warehouse failure that is about the statement (`StatementFailed`,
/// `InvalidRequest`, `NotFound`, `Timeout`) is an [`Verdict::Invalid`] carrying the
/// engine's message; any other port error is returned, since it says nothing about
/// this ground truth.
pub(crate) async fn check_ground_truth(
    warehouse: &dyn Warehouse,
    sql_text: &str,
    variables: &TemplateVariables,
    options: &ExecuteOptions,
) -> Result<Verdict, PortError> {
    let resolved = match sql::resolve_template(sql_text, variables) {
        Ok(resolved) => resolved,
        Err(error) => {
            return Ok(Verdict::Invalid {
                sql: sql_text.to_owned(),
                reason: error.to_string(),
            });
        }
    };
    let sanitized = match sql::sanitize(&resolved) {
        Ok(sanitized) => sanitized.as_str().to_owned(),
        Err(error) => {
            return Ok(Verdict::Invalid {
                sql: resolved,
                reason: error.to_string(),
            });
        }
    };
    match warehouse.execute(&sanitized, options).await {
        Ok(result) => Ok(match emptiness(&result) {
            None => Verdict::Valid(sanitized),
            Some(reason) => Verdict::Invalid {
                sql: sanitized,
                reason: reason.to_owned(),
            },
        }),
        Err(error) if is_about_the_statement(error.kind) => Ok(Verdict::Invalid {
            sql: sanitized,
            reason: format!("the warehouse rejected it: {}", error.message),
        }),
        Err(error) => Err(error),
    }
}

/// Validates every benchmark's ground truth, `concurrency` at a time. Valid ones get
/// their resolved, sanitized SQL; invalid ones are excluded with the reason, or kept
/// (SQL resolved as far as possible) when `keep_invalid`.
pub(crate) async fn validate_all(
    warehouse: &Arc<dyn Warehouse>,
    benchmarks: Vec<Benchmark>,
    variables: &TemplateVariables,
    options: &ExecuteOptions,
    concurrency: usize,
    keep_invalid: bool,
) -> Result<Validated, Error> {
    let checks = run_bounded(benchmarks, concurrency, |benchmark| {
        let warehouse = Arc::clone(warehouse);
        let variables = variables.clone();
        let options = options.clone();
        async move {
            let verdict = check_ground_truth(
                warehouse.as_ref(),
                &benchmark.expected_sql,
                &variables,
                &options,
            )
            .await;
            (benchmark, verdict)
        }
    })
    .await;
    let mut validated = Validated::default();
    for (mut benchmark, verdict) in checks {
        match verdict {
            Ok(Verdict::Valid(sql)) => {
                benchmark.expected_sql = sql;
                validated.kept.push(benchmark);
            }
            Ok(Verdict::Invalid { sql, reason }) => {
                if keep_invalid {
                    tracing::warn!(id = %benchmark.id, %reason, "invalid ground truth kept (keep_invalid)");
                    benchmark.expected_sql = sql;
                    validated.kept.push(benchmark);
                } else {
                    tracing::warn!(id = %benchmark.id, %reason, "invalid ground truth excluded");
                    validated.excluded.push(ExcludedBenchmark {
                        id: benchmark.id,
                        reason,
                    });
                }
            }
            Err(source) => {
                return Err(Error::Warehouse {
                    id: benchmark.id,
                    source,
                });
            }
        }
    }
    Ok(validated)
}

/// The execute options of a validation statement.
pub(crate) fn execute_options(row_limit: u64, timeout_ms: Option<u64>) -> ExecuteOptions {
    ExecuteOptions {
        row_limit: Some(row_limit),
        timeout_ms,
        ..ExecuteOptions::default()
    }
}

/// Why a result cannot serve as a ground truth, if it cannot: no rows, or (complete)
/// rows of nothing but NULLs, as an aggregate over no rows gives.
fn emptiness(result: &ResultSet) -> Option<&'static str> {
    if result.is_empty() {
        return Some("the ground truth returned no rows");
    }
    let all_null = result
        .rows
        .iter()
        .flatten()
        .all(genie_core::result::Cell::is_null);
    (all_null && !result.truncated)
        .then_some("the ground truth returned only NULL values (an aggregate over no rows)")
}

/// Whether a port error is the statement's own failure rather than the warehouse's.
fn is_about_the_statement(kind: PortErrorKind) -> bool {
    matches!(
        kind,
        PortErrorKind::StatementFailed
            | PortErrorKind::InvalidRequest
            | PortErrorKind::NotFound
            | PortErrorKind::Timeout
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    use async_trait::async_trait;
    use genie_core::result::{Cell, Column, ColumnType};

    use super::*;
    use crate::load::tests::benchmark;

    /// A warehouse answering by exact SQL text; unknown SQL fails as the engine would.
    #[derive(Default)]
    pub(crate) struct ScriptedWarehouse {
        pub(crate) answers: BTreeMap<String, Result<ResultSet, PortError>>,
        pub(crate) seen: Mutex<Vec<String>>,
    }

    impl ScriptedWarehouse {
        pub(crate) fn answer(mut self, sql: &str, answer: Result<ResultSet, PortError>) -> Self {
            self.answers.insert(sql.to_owned(), answer);
            self
        }
    }

    /// One column `c` of integers.
    pub(crate) fn rows(values: &[Option<i64>]) -> ResultSet {
        ResultSet {
            columns: vec![Column {
                name: "c".into(),
                column_type: ColumnType::Long,
            }],
            rows: values
                .iter()
                .map(|v| vec![v.map_or(Cell::Null, Cell::Integer)])
                .collect(),
            truncated: false,
        }
    }

    #[async_trait]
    impl Warehouse for ScriptedWarehouse {
        async fn execute(&self, sql: &str, _: &ExecuteOptions) -> Result<ResultSet, PortError> {
            self.seen.lock().unwrap().push(sql.to_owned());
            self.answers.get(sql).cloned().unwrap_or_else(|| {
                Err(PortError::new(
                    PortErrorKind::StatementFailed,
                    format!("no such query: {sql}"),
                ))
            })
        }
        async fn explain(&self, _: &str) -> Result<String, PortError> {
            Err(PortError::new(PortErrorKind::Other, "not scripted"))
        }
        async fn execute_ddl(&self, _: &str) -> Result<(), PortError> {
            Err(PortError::new(PortErrorKind::Other, "not scripted"))
        }
    }

    async fn check(warehouse: &ScriptedWarehouse, sql: &str) -> Result<Verdict, PortError> {
        let variables = TemplateVariables::default().with("catalog", "main");
        check_ground_truth(warehouse, sql, &variables, &execute_options(10, None)).await
    }

    #[tokio::test]
    async fn resolves_sanitizes_runs_and_requires_rows() {
        let warehouse = ScriptedWarehouse::default()
            .answer("SELECT 1 FROM main.s.t", Ok(rows(&[Some(1)])))
            .answer("SELECT 2 FROM main.s.t", Ok(rows(&[])))
            .answer("SELECT 3 FROM main.s.t", Ok(rows(&[None, None])));
        assert_eq!(
            check(&warehouse, "-- note\nSELECT 1 FROM ${catalog}.s.t;").await,
            Ok(Verdict::Valid("SELECT 1 FROM main.s.t".into()))
        );
        let invalid = |sql: &str, reason: &str| {
            Ok(Verdict::Invalid {
                sql: sql.into(),
                reason: reason.into(),
            })
        };
        assert_eq!(
            check(&warehouse, "SELECT 2 FROM ${catalog}.s.t").await,
            invalid(
                "SELECT 2 FROM main.s.t",
                "the ground truth returned no rows"
            )
        );
        assert_eq!(
            check(&warehouse, "SELECT 3 FROM ${catalog}.s.t").await,
            invalid(
                "SELECT 3 FROM main.s.t",
                "the ground truth returned only NULL values (an aggregate over no rows)"
            )
        );
        assert_eq!(
            check(&warehouse, "SELECT 4 FROM ${catalog}.${schema}.t").await,
            invalid(
                "SELECT 4 FROM ${catalog}.${schema}.t",
                "unresolved template variable `${schema}`"
            )
        );
        assert_eq!(
            check(&warehouse, "DELETE FROM ${catalog}.s.t").await,
            invalid(
                "DELETE FROM main.s.t",
                "only a read-only query may run, found a `DELETE` statement"
            )
        );
        assert_eq!(
            check(&warehouse, "SELECT 5 FROM ${catalog}.s.t").await,
            invalid(
                "SELECT 5 FROM main.s.t",
                "the warehouse rejected it: no such query: SELECT 5 FROM main.s.t"
            )
        );
        let seen = warehouse.seen.lock().unwrap().clone();
        assert_eq!(
            seen.len(),
            4,
            "unresolved and write statements never run: {seen:?}"
        );
    }

    #[tokio::test]
    async fn outage_aborts_and_keep_invalid_keeps() {
        let down = ScriptedWarehouse::default().answer(
            "SELECT 'a' AS id",
            Err(PortError::new(
                PortErrorKind::Unauthorized,
                "token rejected",
            )),
        );
        let down: Arc<dyn Warehouse> = Arc::new(down);
        let variables = TemplateVariables::default();
        let options = execute_options(10, None);
        let error = validate_all(
            &down,
            vec![benchmark("a", None)],
            &variables,
            &options,
            2,
            false,
        )
        .await
        .unwrap_err();
        assert!(
            matches!(&error, Error::Warehouse { id, .. } if id == "a"),
            "{error}"
        );

        let warehouse: Arc<dyn Warehouse> =
            Arc::new(ScriptedWarehouse::default().answer("SELECT 'a' AS id", Ok(rows(&[Some(1)]))));
        let both = vec![benchmark("a", None), benchmark("b", None)];
        let strict = validate_all(&warehouse, both.clone(), &variables, &options, 2, false)
            .await
            .unwrap();
        assert_eq!(strict.kept.len(), 1);
        assert_eq!(strict.excluded[0].id, "b");
        assert!(
            strict.excluded[0].reason.contains("no such query"),
            "{:?}",
            strict.excluded
        );
        let lenient = validate_all(&warehouse, both, &variables, &options, 2, true)
            .await
            .unwrap();
        assert_eq!(lenient.kept.len(), 2);
        assert!(lenient.excluded.is_empty());
    }
}
