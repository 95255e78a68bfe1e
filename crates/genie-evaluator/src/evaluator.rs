//! [`GenieEvaluator`]: the [`Evaluator`] worker — select the scope, ask, execute,
//! judge, and build the [`EvalReport`].

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_trait::async_trait;
use futures::StreamExt as _;
use genie_core::benchmark::{AssetType, Benchmark, Priority, Split};
use genie_core::compare::{ComparisonOptions, compare_results};
use genie_core::error::WorkerError;
use genie_core::evaluation::{
    AnswerStatus, BlameItem, EvalReport, EvaluationRow, Exclusion, Judge, ReportContext, Scope,
};
use genie_core::ports::{EvalResult, ExecuteOptions, GenieApi, Llm, Warehouse};
use genie_core::sql::SqlFacts;
use genie_core::workers::{EvaluationRequest, Evaluator};

use crate::config::{Config, JudgeBackend, Progress};
use crate::contamination;
use crate::diagnose::{self, LiteralPresence, is_date};
use crate::error::EvaluatorError;
use crate::judges::{self, Evidence, repeatability};
use crate::llm::LlmJudges;
use crate::official;
use crate::run::{Attempt, GenieSql, GroundTruth, GroundTruthOutcome, Runner};
use crate::scope;

/// The evaluator worker: asks Genie every question in scope, runs both SQLs, judges
/// the answers and reports. Build it with [`GenieEvaluator::builder`].
pub struct GenieEvaluator {
    genie: Arc<dyn GenieApi>,
    warehouse: Arc<dyn Warehouse>,
    config: Config,
    llm: Option<Arc<dyn Llm>>,
    progress: Option<Arc<dyn Progress>>,
}

/// Builds a [`GenieEvaluator`].
pub struct EvaluatorBuilder {
    genie: Arc<dyn GenieApi>,
    warehouse: Arc<dyn Warehouse>,
    config: Config,
    llm: Option<Arc<dyn Llm>>,
    progress: Option<Arc<dyn Progress>>,
}

impl EvaluatorBuilder {
    /// Sets the configuration (default: [`Config::default`]).
    #[must_use]
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Sets the language model the [`JudgeBackend::Llm`] judges use.
    #[must_use]
    pub fn llm(mut self, llm: Arc<dyn Llm>) -> Self {
        self.llm = Some(llm);
        self
    }

    /// Sets the progress callback.
    #[must_use]
    pub fn progress(mut self, progress: Arc<dyn Progress>) -> Self {
        self.progress = Some(progress);
        self
    }

    /// The evaluator.
    pub fn build(self) -> GenieEvaluator {
        GenieEvaluator {
            genie: self.genie,
            warehouse: self.warehouse,
            config: self.config,
            llm: self.llm,
            progress: self.progress,
        }
    }
}

/// What Genie replied, apart from its SQL's fate.
pub(crate) struct Reply<'a> {
    /// The text attachment.
    pub(crate) text: Option<&'a str>,
    /// How the message ended (unknown for official results).
    pub(crate) status: Option<AnswerStatus>,
    /// The SQL as Genie wrote it.
    pub(crate) sql: Option<&'a str>,
}

/// One question's outcome before the report is assembled.
struct QuestionOutcome {
    index: usize,
    row: EvaluationRow,
    answers: Option<repeatability::Answers>,
}

impl GenieEvaluator {
    /// A builder over the Genie client and the warehouse both SQLs run on.
    pub fn builder(genie: Arc<dyn GenieApi>, warehouse: Arc<dyn Warehouse>) -> EvaluatorBuilder {
        EvaluatorBuilder {
            genie,
            warehouse,
            config: Config::default(),
            llm: None,
            progress: None,
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Evaluates, with the evaluator's own error type (the [`Evaluator`] trait wraps
    /// it into a [`WorkerError`]).
    pub async fn run(&self, request: &EvaluationRequest) -> Result<EvalReport, EvaluatorError> {
        let official = match &self.config.judges {
            JudgeBackend::Official { dev_space_id } => {
                if matches!(request.scope, Scope::Repeatability { .. }) {
                    return Err(EvaluatorError::OfficialScope {
                        scope: request.scope.name(),
                    });
                }
                Some(dev_space_id.as_str())
            }
            JudgeBackend::Local | JudgeBackend::Llm => None,
        };
        let attempts = match request.scope {
            Scope::Repeatability { n } if n < 2 => {
                return Err(EvaluatorError::TooFewAttempts { n });
            }
            Scope::Repeatability { n } => n,
            _ => 1,
        };
        let set = &request.benchmarks;
        let selected = scope::select(set, &request.scope, request.previous.as_ref());
        let excluded: HashMap<&str, &str> = set
            .excluded
            .iter()
            .map(|excluded| (excluded.id.as_str(), excluded.reason.as_str()))
            .collect();
        let mut outcomes = Vec::new();
        let mut to_ask = Vec::new();
        for (index, benchmark) in selected.iter().enumerate() {
            match excluded.get(benchmark.id.as_str()) {
                Some(reason) => outcomes.push(QuestionOutcome {
                    index,
                    row: excluded_row(
                        benchmark,
                        Exclusion::InvalidGroundTruth {
                            error: (*reason).to_owned(),
                        },
                    ),
                    answers: None,
                }),
                None => to_ask.push((index, *benchmark)),
            }
        }
        if matches!(request.scope, Scope::Full | Scope::Repeatability { .. }) {
            let listed: HashSet<&str> = set.benchmarks.iter().map(|b| b.id.as_str()).collect();
            for excluded in set
                .excluded
                .iter()
                .filter(|e| !listed.contains(e.id.as_str()))
            {
                outcomes.push(QuestionOutcome {
                    index: selected.len() + outcomes.len(),
                    row: unlisted_excluded_row(&excluded.id, &excluded.reason),
                    answers: None,
                });
            }
        }
        let total = outcomes.len() + to_ask.len();
        if total == 0 {
            return Err(EvaluatorError::EmptyScope {
                scope: request.scope.name(),
            });
        }
        tracing::info!(
            space_id = request.space_id,
            scope = request.scope.name(),
            questions = total,
            attempts,
            "evaluation starts"
        );
        if let Some(progress) = &self.progress {
            progress.started(total);
            for outcome in &outcomes {
                progress.finished_question(&outcome.row.id, None);
            }
        }
        let runner = Runner {
            genie: Arc::clone(&self.genie),
            warehouse: Arc::clone(&self.warehouse),
            options: ExecuteOptions {
                row_limit: self.config.row_limit,
                timeout_ms: self.config.statement_timeout_ms,
                ..ExecuteOptions::default()
            },
            concurrency: self.config.concurrency.max(1),
            ask_attempts: self.config.ask_attempts.max(1),
        };
        let ground_truths = runner
            .ground_truths(
                to_ask
                    .iter()
                    .map(|(_, benchmark)| benchmark.expected_sql.as_str()),
            )
            .await;
        let previous_rows: HashMap<&str, &EvaluationRow> = request
            .previous
            .iter()
            .flat_map(|report| &report.rows)
            .map(|row| (row.id.as_str(), row))
            .collect();
        let previous_iteration = request
            .previous
            .as_ref()
            .map_or(0, |report| report.iteration);
        if let Some(dev_space_id) = official {
            let judged = official::rows(
                self,
                &runner,
                dev_space_id,
                &to_ask,
                &ground_truths,
                &previous_rows,
                previous_iteration,
            )
            .await?;
            for (index, row) in judged {
                if let Some(progress) = &self.progress {
                    progress.finished_question(&row.id, row.is_scored().then_some(row.correct));
                }
                outcomes.push(QuestionOutcome {
                    index,
                    row,
                    answers: None,
                });
            }
        } else {
            // Built in a loop rather than by `map`: a closure returning a borrowing future
            // is not general enough for the `Send` check of `async_trait`.
            let mut pending = Vec::with_capacity(to_ask.len());
            for (index, benchmark) in to_ask {
                let runner = &runner;
                let ground_truth = &ground_truths[benchmark.expected_sql.as_str()];
                let previous = previous_rows.get(benchmark.id.as_str()).copied();
                pending.push(async move {
                    let (row, answers) = self
                        .question(
                            runner,
                            &request.space_id,
                            benchmark,
                            ground_truth,
                            attempts,
                            (previous, previous_iteration),
                        )
                        .await;
                    if let Some(progress) = &self.progress {
                        progress.finished_question(&row.id, row.is_scored().then_some(row.correct));
                    }
                    QuestionOutcome {
                        index,
                        row,
                        answers,
                    }
                });
            }
            let asked: Vec<QuestionOutcome> = futures::stream::iter(pending)
                .buffer_unordered(runner.concurrency)
                .collect()
                .await;
            outcomes.extend(asked);
        }
        outcomes.sort_by_key(|outcome| outcome.index);
        let summary = (attempts > 1).then(|| {
            let per_question: Vec<(String, repeatability::Answers)> = outcomes
                .iter()
                .filter(|outcome| outcome.row.is_scored())
                .filter_map(|outcome| Some((outcome.row.id.clone(), outcome.answers.clone()?)))
                .collect();
            repeatability::summary(attempts, &per_question)
        });
        let rows: Vec<EvaluationRow> = outcomes.into_iter().map(|outcome| outcome.row).collect();
        let contamination = contamination::check(
            &runner,
            &request.space_id,
            &set.benchmarks,
            &ground_truths,
            &rows,
        )
        .await;
        let mut report = EvalReport::from_rows(
            ReportContext {
                space_id: request.space_id.clone(),
                config_hash: request.config_hash.clone(),
                dataset: set.dataset_name.clone(),
                scope: request.scope.clone(),
                iteration: request.iteration,
            },
            rows,
            &self.config.targets,
            summary,
        );
        report.contamination = Some(contamination);
        tracing::info!(
            accuracy = report.overall_accuracy,
            denominator = report.denominator(),
            "evaluation done"
        );
        Ok(report)
    }

    /// Asks one question (`attempts` times), judges the first answer.
    async fn question(
        &self,
        runner: &Runner,
        space_id: &str,
        benchmark: &Benchmark,
        ground_truth: &GroundTruthOutcome,
        attempts: u32,
        (previous, previous_iteration): (Option<&EvaluationRow>, u32),
    ) -> (EvaluationRow, Option<repeatability::Answers>) {
        let expected = match ground_truth {
            Ok(expected) => expected,
            Err(error) => {
                return (
                    excluded_row(
                        benchmark,
                        Exclusion::InvalidGroundTruth {
                            error: error.clone(),
                        },
                    ),
                    None,
                );
            }
        };
        let mut cache = HashMap::new();
        let mut answers = Vec::new();
        for _ in 0..attempts {
            answers.push(
                runner
                    .attempt(space_id, &benchmark.question, &mut cache)
                    .await,
            );
        }
        let keys = (attempts > 1).then(|| repeatability::Answers::of(&answers));
        let Some((answer, genie)) = answers.iter().find_map(|attempt| match attempt {
            Attempt::Answered { answer, genie } => Some((answer, genie)),
            Attempt::GenieError { .. } => None,
        }) else {
            let error = answers
                .iter()
                .find_map(|attempt| match attempt {
                    Attempt::GenieError { error } => Some(error.clone()),
                    Attempt::Answered { .. } => None,
                })
                .unwrap_or_default();
            return (
                excluded_row(benchmark, Exclusion::GenieError { error }),
                None,
            );
        };
        let row = self
            .judge_row(
                runner,
                benchmark,
                expected,
                &Reply {
                    text: answer.text.as_deref(),
                    status: Some(answer.status),
                    sql: answer.sql.as_deref(),
                },
                genie,
                keys.as_ref(),
                (previous, previous_iteration),
                None,
            )
            .await;
        (row, keys)
    }

    /// Judges one answer and builds its row. With an `official` result, correctness
    /// is Databricks' assessment and the code judges explain it.
    #[expect(clippy::too_many_arguments, reason = "one answer's parts, named")]
    pub(crate) async fn judge_row(
        &self,
        runner: &Runner,
        benchmark: &Benchmark,
        expected: &GroundTruth,
        reply: &Reply<'_>,
        genie: &GenieSql,
        keys: Option<&repeatability::Answers>,
        (previous, previous_iteration): (Option<&EvaluationRow>, u32),
        official: Option<&EvalResult>,
    ) -> EvaluationRow {
        let options = ComparisonOptions {
            relative_tolerance: self.config.relative_tolerance,
            order_matters: benchmark.order_matters(),
            allow_extra_columns: self.config.allow_extra_columns,
            ..ComparisonOptions::default()
        };
        let comparison = genie
            .result()
            .map(|result| compare_results(&expected.result, result, &options));
        let presence = match (genie.facts(), &comparison) {
            (Some(facts), Some(comparison)) if !comparison.equal => {
                runner
                    .literal_presence(diagnose::presence_candidates(&expected.facts, facts))
                    .await
            }
            _ => LiteralPresence::new(),
        };
        let evidence = Evidence::new(
            benchmark,
            expected,
            reply.text,
            genie,
            comparison.as_ref(),
            &presence,
        );
        let mut verdicts = vec![
            judges::syntax::judge(&evidence),
            judges::schema::judge(&evidence),
            judges::logical::judge(&evidence),
            judges::semantic::equivalence(&evidence),
            judges::semantic::completeness(&evidence),
            judges::result::judge(&evidence),
            judges::routing::judge(&evidence),
        ];
        let model = match (&self.config.judges, &self.llm) {
            (JudgeBackend::Llm, Some(llm)) => Some(LlmJudges {
                llm: Arc::clone(llm),
            }),
            _ => None,
        };
        let mut arbiter = judges::arbiter::judge(&evidence);
        if let Some(model) = &model {
            if genie.facts().is_some() {
                if let Some(verdict) = model.semantic_equivalence(&evidence).await {
                    verdicts[3] = verdict;
                }
                if evidence.comparison.is_some()
                    && let Some(verdict) = model.completeness(&evidence).await
                {
                    verdicts[4] = verdict;
                }
            }
            if arbiter.is_some()
                && let Some(verdict) = model.arbiter(&evidence).await
            {
                arbiter = Some(verdict);
            }
        }
        match keys {
            Some(keys) => verdicts.push(repeatability::judge(keys, tables_blame(&expected.facts))),
            None => verdicts.extend(repeatability::against_previous(
                previous,
                previous_iteration,
                genie,
            )),
        }
        let genie_result = genie.result();
        let excluded = if expected.result.is_empty() {
            if genie_result.is_some_and(genie_core::result::ResultSet::is_empty) {
                Some(Exclusion::BothEmpty)
            } else if has_date_filter(&expected.facts) {
                Some(Exclusion::TemporalStale)
            } else {
                None
            }
        } else {
            None
        };
        let assessed_correct = match official {
            Some(result) => {
                let verdict = official::result_verdict(result, &evidence);
                if let Some(slot) = verdicts
                    .iter_mut()
                    .find(|verdict| verdict.judge == Judge::ResultCorrectness)
                {
                    *slot = verdict;
                }
                official::is_good(result)
            }
            None => evidence.correct(),
        };
        let correct = excluded.is_none() && assessed_correct;
        let failure_type = if correct || excluded.is_some() {
            None
        } else {
            diagnose::primary(&evidence.findings, |_| true)
                .map(|finding| finding.failure_type)
                .or_else(|| Some(diagnose::unexplained(&expected.facts).failure_type))
        };
        EvaluationRow {
            id: benchmark.id.clone(),
            question: benchmark.question.clone(),
            split: benchmark.split,
            priority: benchmark.priority,
            category: benchmark.category.clone(),
            expected_asset: benchmark.expected_asset,
            expected_sql: benchmark.expected_sql.clone(),
            genie_sql: genie
                .text()
                .map(str::to_owned)
                .or_else(|| reply.sql.map(str::to_owned)),
            answer_status: reply.status,
            correct,
            excluded,
            failure_type,
            verdicts,
            comparison: comparison.clone(),
            arbiter,
            expected_result_hash: Some(expected.result_hash.clone()),
            genie_result_hash: genie.result_hash().cloned(),
        }
    }
}

#[async_trait]
impl Evaluator for GenieEvaluator {
    async fn evaluate(&self, request: &EvaluationRequest) -> Result<EvalReport, WorkerError> {
        self.run(request).await.map_err(WorkerError::from)
    }
}

/// Whether a query filters on dates (a date literal or a relative-date function), so
/// an empty result may be stale dates rather than a wrong query.
fn has_date_filter(facts: &SqlFacts) -> bool {
    const RELATIVE: [&str; 7] = [
        "CURRENT_DATE",
        "CURRENT_TIMESTAMP",
        "NOW(",
        "DATE_SUB",
        "DATE_ADD",
        "DATEADD",
        "INTERVAL",
    ];
    facts.filters.iter().any(|filter| {
        filter.literals.iter().any(|literal| is_date(literal))
            || RELATIVE
                .iter()
                .any(|name| filter.expression.to_uppercase().contains(name))
    })
}

fn tables_blame(facts: &SqlFacts) -> Vec<BlameItem> {
    facts
        .tables
        .iter()
        .map(|table| BlameItem::Table {
            identifier: table.name.clone(),
        })
        .collect()
}

/// A row left out of the denominator, with why.
pub(crate) fn excluded_row(benchmark: &Benchmark, exclusion: Exclusion) -> EvaluationRow {
    EvaluationRow {
        id: benchmark.id.clone(),
        question: benchmark.question.clone(),
        split: benchmark.split,
        priority: benchmark.priority,
        category: benchmark.category.clone(),
        expected_asset: benchmark.expected_asset,
        expected_sql: benchmark.expected_sql.clone(),
        genie_sql: None,
        answer_status: None,
        correct: false,
        excluded: Some(exclusion),
        failure_type: None,
        verdicts: Vec::new(),
        comparison: None,
        arbiter: None,
        expected_result_hash: None,
        genie_result_hash: None,
    }
}

/// A row for an excluded benchmark the set lists only by id.
fn unlisted_excluded_row(id: &str, reason: &str) -> EvaluationRow {
    EvaluationRow {
        id: id.to_owned(),
        question: String::new(),
        split: Split::Train,
        priority: Priority::P1,
        category: None,
        expected_asset: AssetType::Table,
        expected_sql: String::new(),
        genie_sql: None,
        answer_status: None,
        correct: false,
        excluded: Some(Exclusion::InvalidGroundTruth {
            error: reason.to_owned(),
        }),
        failure_type: None,
        verdicts: Vec::new(),
        comparison: None,
        arbiter: None,
        expected_result_hash: None,
        genie_result_hash: None,
    }
}
