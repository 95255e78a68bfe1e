//! Evaluation types: Genie's answers, judge verdicts, evaluation rows and reports.
//!
//! The evaluator produces one [`EvaluationRow`] per question with every judge's
//! [`JudgeVerdict`]; [`EvalReport::from_rows`] turns rows into per-judge scores and the
//! overall accuracy with an explicit denominator ("N scored of M"), so every backend
//! (local judges, LLM judges, Databricks' official eval runs) yields the same report.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::benchmark::{AssetType, Priority, Split};
use crate::canonical::ContentHash;
use crate::compare::Comparison;
use crate::contamination::Contamination;
use crate::result::ResultSet;
use crate::taxonomy::FailureType;

/// How Genie's reply to one question ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum AnswerStatus {
    /// Genie answered (with SQL, text, or both).
    Completed,
    /// Genie reported a failure (`error` says which).
    Failed,
    /// The message was cancelled.
    Cancelled,
    /// The query result expired and could not be re-executed.
    QueryResultExpired,
    /// Polling gave up at the client's deadline.
    TimedOut,
}

/// An error Genie reported for a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerError {
    /// Genie's `MessageErrorType`, e.g. `SQL_EXECUTION_EXCEPTION`.
    pub error_type: String,
    /// Genie's message.
    pub message: String,
}

/// Genie's answer to one question, as a [`GenieApi`](crate::ports::GenieApi) returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    /// The question as asked.
    pub question: String,
    /// How the message ended.
    pub status: AnswerStatus,
    /// The SQL of the query attachment, when there is one.
    pub sql: Option<String>,
    /// The text attachment (answer or clarification), when there is one.
    pub text: Option<String>,
    /// Genie's error, when it failed.
    pub error: Option<AnswerError>,
    /// The conversation the question was asked in (one conversation per question).
    pub conversation_id: Option<String>,
    /// The message id.
    pub message_id: Option<String>,
    /// The statement that produced the result.
    pub statement_id: Option<String>,
    /// The query result Genie fetched, when the query ran.
    pub result: Option<ResultSet>,
    /// True when Genie answered from a trusted asset (a parameterised example SQL or a function).
    #[serde(default)]
    pub verified: bool,
    /// Wall-clock milliseconds from the first POST to the final status.
    pub elapsed_ms: u64,
    /// Status polls made.
    pub polls: u32,
    /// HTTP attempts made for the POST (more than 1 after retries).
    pub attempts: u32,
}

/// The judges of DESIGN §5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Judge {
    /// Genie's SQL parses and `EXPLAIN` succeeds.
    SyntaxValidity,
    /// Tables and columns referenced match the ground truth's.
    SchemaAccuracy,
    /// Aggregations, grouping, filters, ordering and limit match structurally.
    LogicalAccuracy,
    /// Same measure and grain.
    SemanticEquivalence,
    /// Every ground-truth output column is present.
    Completeness,
    /// Both SQLs executed; result sets equal (see [`crate::compare`]).
    ResultCorrectness,
    /// The expected asset type was used.
    AssetRouting,
    /// The same question asked n times gives the same SQL or result.
    Repeatability,
}

impl Judge {
    /// Every judge, in report order.
    pub const ALL: [Self; 8] = [
        Self::SyntaxValidity,
        Self::SchemaAccuracy,
        Self::LogicalAccuracy,
        Self::SemanticEquivalence,
        Self::Completeness,
        Self::ResultCorrectness,
        Self::AssetRouting,
        Self::Repeatability,
    ];

    /// The snake-case name used in metrics (`syntax_validity`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SyntaxValidity => "syntax_validity",
            Self::SchemaAccuracy => "schema_accuracy",
            Self::LogicalAccuracy => "logical_accuracy",
            Self::SemanticEquivalence => "semantic_equivalence",
            Self::Completeness => "completeness",
            Self::ResultCorrectness => "result_correctness",
            Self::AssetRouting => "asset_routing",
            Self::Repeatability => "repeatability",
        }
    }

    /// The default target score (0–100) of DESIGN §5.
    pub fn default_target(self) -> f64 {
        match self {
            Self::SyntaxValidity => 98.0,
            Self::SchemaAccuracy | Self::AssetRouting => 95.0,
            Self::LogicalAccuracy
            | Self::SemanticEquivalence
            | Self::Completeness
            | Self::Repeatability => 90.0,
            Self::ResultCorrectness => 85.0,
        }
    }
}

impl fmt::Display for Judge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A judge's outcome for one question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The judge is satisfied.
    Pass,
    /// The judge found a fault.
    Fail,
    /// The judge could not judge (e.g. no SQL to parse); not counted in its score.
    Skipped,
}

/// Who produced a verdict.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum VerdictSource {
    /// Deterministic code, no model.
    Code,
    /// A language model, with the prompt file's version.
    Llm {
        /// The prompt's version (recorded in the tracker).
        prompt_version: String,
    },
    /// Databricks' benchmark eval-run API.
    Official,
}

/// A metadata object implicated in a failure: what the optimizer may patch.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BlameItem {
    /// A table or view, by three-part identifier.
    Table {
        /// `catalog.schema.table`.
        identifier: String,
    },
    /// A column of a table.
    Column {
        /// The table's three-part identifier.
        table: String,
        /// The column name.
        column: String,
    },
    /// A metric view.
    MetricView {
        /// `catalog.schema.view`.
        identifier: String,
    },
    /// A SQL function.
    Function {
        /// `catalog.schema.function`.
        identifier: String,
    },
    /// A join relationship between two tables.
    Join {
        /// The left table.
        left: String,
        /// The right table.
        right: String,
    },
    /// A SQL snippet (filter, expression or measure), by its display name or alias.
    Snippet {
        /// The snippet's display name or alias.
        name: String,
    },
    /// The text instruction block.
    Instruction,
    /// An example question SQL, by id.
    ExampleSql {
        /// The example's id.
        id: String,
    },
    /// The benchmark itself (its ground truth is suspect).
    Benchmark,
}

/// One judge's verdict on one question, with the side information the optimizer acts on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JudgeVerdict {
    /// Which judge.
    pub judge: Judge,
    /// Pass, fail or skipped.
    pub outcome: Outcome,
    /// Why, in a sentence a person can check.
    pub rationale: String,
    /// The failure type, when failing.
    pub failure_type: Option<FailureType>,
    /// The metadata implicated, when failing.
    #[serde(default)]
    pub blame_set: Vec<BlameItem>,
    /// What metadata would have led to the ground truth, when failing
    /// (e.g. "column `cust_seg` needs synonym `customer segment`").
    pub counterfactual_fix: Option<String>,
    /// Who judged.
    pub source: VerdictSource,
}

/// The arbiter's decision when the results disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArbiterDecision {
    /// Genie is right; the ground truth should be corrected.
    GenieCorrect,
    /// The ground truth is right; Genie is wrong.
    GroundTruthCorrect,
    /// Neither is right.
    BothWrong,
    /// The question allows both readings.
    Ambiguous,
}

/// The arbiter's verdict with its reasoning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArbiterVerdict {
    /// The decision.
    pub decision: ArbiterDecision,
    /// Why.
    pub rationale: String,
    /// Who decided.
    pub source: VerdictSource,
}

/// Why a question is left out of the accuracy denominator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Exclusion {
    /// The ground truth fails or is not a read-only query.
    InvalidGroundTruth {
        /// The engine's or the sanitizer's error.
        error: String,
    },
    /// Both the ground truth and Genie's SQL returned no rows.
    BothEmpty,
    /// The ground truth returns no rows because its dates are stale.
    TemporalStale,
    /// Genie kept failing for reasons outside the space (rate limits, timeouts).
    GenieError {
        /// The error after retries.
        error: String,
    },
}

impl fmt::Display for Exclusion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidGroundTruth { error } => write!(f, "invalid ground truth: {error}"),
            Self::BothEmpty => f.write_str("both results are empty"),
            Self::TemporalStale => f.write_str("ground truth returns no rows (stale dates)"),
            Self::GenieError { error } => write!(f, "genie error after retries: {error}"),
        }
    }
}

/// One question's evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvaluationRow {
    /// The benchmark id.
    pub id: String,
    /// The question.
    pub question: String,
    /// Train or held-out.
    pub split: Split,
    /// Priority.
    pub priority: Priority,
    /// The benchmark's category.
    pub category: Option<String>,
    /// The asset type expected to answer it.
    pub expected_asset: AssetType,
    /// The resolved ground-truth SQL.
    pub expected_sql: String,
    /// Genie's SQL, when it produced one.
    pub genie_sql: Option<String>,
    /// Genie's answer status.
    pub answer_status: Option<AnswerStatus>,
    /// Whether the answer counts as correct (result correctness passed).
    pub correct: bool,
    /// Set when the question is not scored.
    pub excluded: Option<Exclusion>,
    /// The failure type of a failing row (the most specific judge's).
    pub failure_type: Option<FailureType>,
    /// Every judge's verdict.
    pub verdicts: Vec<JudgeVerdict>,
    /// The result comparison, when both SQLs ran (the structured diff judges explain).
    pub comparison: Option<Comparison>,
    /// The arbiter's verdict when results disagreed and an arbiter ran.
    pub arbiter: Option<ArbiterVerdict>,
    /// Hash of the ground truth's result (for repeatability and caching).
    pub expected_result_hash: Option<ContentHash>,
    /// Hash of Genie's result.
    pub genie_result_hash: Option<ContentHash>,
}

impl EvaluationRow {
    /// Whether the row counts in the accuracy denominator.
    pub fn is_scored(&self) -> bool {
        self.excluded.is_none()
    }

    /// The verdict of `judge`, if it ran.
    pub fn verdict(&self, judge: Judge) -> Option<&JudgeVerdict> {
        self.verdicts.iter().find(|verdict| verdict.judge == judge)
    }
}

/// What part of the benchmarks an evaluation covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "scope", rename_all = "snake_case")]
pub enum Scope {
    /// Every question.
    Full,
    /// Questions whose blame set touches the patched objects, plus those a patch set
    /// claims to fix.
    Slice {
        /// The objects the patch set changed.
        patched_objects: Vec<BlameItem>,
        /// The questions the patch set claims to fix.
        target_questions: Vec<String>,
    },
    /// Only P0 questions.
    P0,
    /// Only held-out questions.
    HeldOut,
    /// Every question asked `n` times.
    Repeatability {
        /// How many times each question is asked.
        n: u32,
    },
}

impl Scope {
    /// The name logged as the `eval_scope` param.
    pub fn name(&self) -> String {
        match self {
            Self::Full => "full".to_owned(),
            Self::Slice { .. } => "slice".to_owned(),
            Self::P0 => "p0".to_owned(),
            Self::HeldOut => "held_out".to_owned(),
            Self::Repeatability { n } => format!("repeatability({n})"),
        }
    }
}

/// Target scores per judge (0–100).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Targets(pub BTreeMap<Judge, f64>);

impl Default for Targets {
    fn default() -> Self {
        Self(
            Judge::ALL
                .into_iter()
                .map(|judge| (judge, judge.default_target()))
                .collect(),
        )
    }
}

/// Whether one judge met its target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdResult {
    /// The judge.
    pub judge: Judge,
    /// Its score, 0–100.
    pub score: f64,
    /// Its target, 0–100.
    pub target: f64,
    /// `score >= target`.
    pub passed: bool,
}

/// Agreement of repeated answers with their majority.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepeatabilitySummary {
    /// Answers per question.
    pub attempts: u32,
    /// Share (0–100) of answers whose normalised SQL agrees with the question's majority.
    pub sql_agreement: f64,
    /// Share (0–100) of answers whose result hash agrees with the majority.
    pub result_agreement: f64,
    /// Per question: its SQL agreement (0–100).
    pub per_question: BTreeMap<String, f64>,
}

/// An evaluation's report: rows, scores and the explicit denominator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    /// The space evaluated.
    pub space_id: String,
    /// The config's content hash at evaluation time.
    pub config_hash: Option<ContentHash>,
    /// The benchmark dataset's name.
    pub dataset: String,
    /// The scope.
    pub scope: Scope,
    /// The loop iteration (0 = baseline).
    pub iteration: u32,
    /// Percentage (0–100) of scored questions answered correctly.
    pub overall_accuracy: f64,
    /// Questions in scope.
    pub total_questions: usize,
    /// Questions in the denominator.
    pub scored: usize,
    /// Scored questions answered correctly.
    pub correct_count: usize,
    /// Per-judge scores, 0–100, over the questions the judge did not skip.
    pub scores: BTreeMap<Judge, f64>,
    /// Each judge's target and whether it was met.
    pub thresholds: Vec<ThresholdResult>,
    /// Failing scored rows per failure type.
    pub failures_by_type: BTreeMap<FailureType, usize>,
    /// Repeatability, when measured.
    pub repeatability: Option<RepeatabilitySummary>,
    /// One row per question.
    pub rows: Vec<EvaluationRow>,
    /// Benchmarks whose question or ground truth the space itself carries, and the
    /// accuracy without them (set by the evaluator; `None` when not checked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contamination: Option<Contamination>,
}

/// Where an evaluation report comes from: the identity fields the rows don't carry.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportContext {
    /// The space evaluated.
    pub space_id: String,
    /// The config's content hash.
    pub config_hash: Option<ContentHash>,
    /// The benchmark dataset's name.
    pub dataset: String,
    /// The scope.
    pub scope: Scope,
    /// The loop iteration.
    pub iteration: u32,
}

impl EvalReport {
    /// Builds a report from rows: accuracy over scored rows, each judge's score over
    /// the scored rows it did not skip, thresholds against `targets`, failures by type.
    pub fn from_rows(
        context: ReportContext,
        rows: Vec<EvaluationRow>,
        targets: &Targets,
        repeatability: Option<RepeatabilitySummary>,
    ) -> Self {
        let scored: Vec<&EvaluationRow> = rows.iter().filter(|row| row.is_scored()).collect();
        let correct_count = scored.iter().filter(|row| row.correct).count();
        let mut scores = BTreeMap::new();
        for judge in Judge::ALL {
            let (passed, judged) = scored.iter().filter_map(|row| row.verdict(judge)).fold(
                (0, 0),
                |(passed, judged), verdict| match verdict.outcome {
                    Outcome::Pass => (passed + 1, judged + 1),
                    Outcome::Fail => (passed, judged + 1),
                    Outcome::Skipped => (passed, judged),
                },
            );
            if judged > 0 {
                scores.insert(judge, percentage(passed, judged));
            }
        }
        if let Some(summary) = &repeatability {
            scores.insert(Judge::Repeatability, summary.sql_agreement);
        }
        let thresholds = scores
            .iter()
            .filter_map(|(judge, score)| {
                let target = *targets.0.get(judge)?;
                Some(ThresholdResult {
                    judge: *judge,
                    score: *score,
                    target,
                    passed: *score >= target,
                })
            })
            .collect();
        let mut failures_by_type = BTreeMap::new();
        for row in scored.iter().filter(|row| !row.correct) {
            if let Some(failure) = row.failure_type {
                *failures_by_type.entry(failure).or_insert(0) += 1;
            }
        }
        Self {
            space_id: context.space_id,
            config_hash: context.config_hash,
            dataset: context.dataset,
            scope: context.scope,
            iteration: context.iteration,
            overall_accuracy: percentage(correct_count, scored.len()),
            total_questions: rows.len(),
            scored: scored.len(),
            correct_count,
            scores,
            thresholds,
            failures_by_type,
            repeatability,
            rows,
            contamination: None,
        }
    }

    /// "N scored of M", the denominator stated in every report.
    pub fn denominator(&self) -> String {
        format!("{} scored of {}", self.scored, self.total_questions)
    }

    /// Whether every judge with a target met it.
    pub fn all_thresholds_passed(&self) -> bool {
        self.thresholds.iter().all(|threshold| threshold.passed)
    }
}

/// `part / whole` as a percentage rounded to two decimals; 0 when `whole` is 0.
pub(crate) fn percentage(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    #[expect(
        clippy::cast_precision_loss,
        reason = "question counts are far below 2^52"
    )]
    let ratio = part as f64 / whole as f64;
    (ratio * 10_000.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(judge: Judge, outcome: Outcome) -> JudgeVerdict {
        JudgeVerdict {
            judge,
            outcome,
            rationale: String::new(),
            failure_type: (outcome == Outcome::Fail).then_some(FailureType::WrongColumn),
            blame_set: Vec::new(),
            counterfactual_fix: None,
            source: VerdictSource::Code,
        }
    }

    fn row(id: &str, correct: bool, excluded: Option<Exclusion>) -> EvaluationRow {
        let outcome = if correct {
            Outcome::Pass
        } else {
            Outcome::Fail
        };
        EvaluationRow {
            id: id.to_owned(),
            question: format!("question {id}"),
            split: Split::Train,
            priority: Priority::P1,
            category: None,
            expected_asset: AssetType::Table,
            expected_sql: "SELECT 1".to_owned(),
            genie_sql: Some("SELECT 1".to_owned()),
            answer_status: Some(AnswerStatus::Completed),
            correct,
            excluded,
            failure_type: (!correct).then_some(FailureType::WrongColumn),
            verdicts: vec![
                verdict(Judge::ResultCorrectness, outcome),
                verdict(Judge::SyntaxValidity, Outcome::Pass),
                verdict(
                    Judge::AssetRouting,
                    if id == "c" {
                        Outcome::Skipped
                    } else {
                        Outcome::Pass
                    },
                ),
            ],
            comparison: None,
            arbiter: None,
            expected_result_hash: None,
            genie_result_hash: None,
        }
    }

    fn assert_close(actual: f64, expected: f64) {
        assert!((actual - expected).abs() < 1e-9, "{actual} != {expected}");
    }

    fn context() -> ReportContext {
        ReportContext {
            space_id: "space".to_owned(),
            config_hash: None,
            dataset: "genie-retail-benchmarks-000000000000".to_owned(),
            scope: Scope::Full,
            iteration: 0,
        }
    }

    #[test]
    fn accuracy_counts_only_scored_rows() {
        let rows = vec![
            row("a", true, None),
            row("b", false, None),
            row("c", true, None),
            row("d", false, Some(Exclusion::BothEmpty)),
        ];
        let report = EvalReport::from_rows(context(), rows, &Targets::default(), None);
        assert_eq!(report.total_questions, 4);
        assert_eq!(report.scored, 3);
        assert_eq!(report.correct_count, 2);
        assert_close(report.overall_accuracy, 66.67);
        assert_eq!(report.denominator(), "3 scored of 4");
        assert_close(report.scores[&Judge::SyntaxValidity], 100.0);
        // `c` skipped asset routing: 2 of 2 judged rows passed.
        assert_close(report.scores[&Judge::AssetRouting], 100.0);
        assert_close(report.scores[&Judge::ResultCorrectness], 66.67);
        assert_eq!(report.failures_by_type[&FailureType::WrongColumn], 1);
        let result = report
            .thresholds
            .iter()
            .find(|t| t.judge == Judge::ResultCorrectness)
            .unwrap();
        assert!(!result.passed);
        assert!(!report.all_thresholds_passed());
    }

    #[test]
    fn empty_report_is_zero_not_nan() {
        let report = EvalReport::from_rows(context(), Vec::new(), &Targets::default(), None);
        assert_close(report.overall_accuracy, 0.0);
        assert!(report.scores.is_empty());
        assert!(report.all_thresholds_passed());
    }

    #[test]
    fn repeatability_summary_sets_the_judge_score() {
        let summary = RepeatabilitySummary {
            attempts: 3,
            sql_agreement: 80.0,
            result_agreement: 90.0,
            per_question: BTreeMap::new(),
        };
        let report = EvalReport::from_rows(
            context(),
            vec![row("a", true, None)],
            &Targets::default(),
            Some(summary),
        );
        assert_close(report.scores[&Judge::Repeatability], 80.0);
        assert!(!report.all_thresholds_passed());
    }

    #[test]
    fn scope_names() {
        assert_eq!(Scope::Repeatability { n: 3 }.name(), "repeatability(3)");
        assert_eq!(Scope::HeldOut.name(), "held_out");
    }
}
