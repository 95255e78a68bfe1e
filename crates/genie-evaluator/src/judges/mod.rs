//! The judges of DESIGN §5, code forms (the language-model forms are in
//! [`crate::llm`]). Each judge reads one question's [`Evidence`] and returns a
//! [`JudgeVerdict`]; a failing verdict carries the failure type, blame set and
//! counterfactual fix of the highest-precedence [`Finding`] among the types that
//! judge is about.

pub(crate) mod arbiter;
pub(crate) mod logical;
pub(crate) mod repeatability;
pub(crate) mod result;
pub(crate) mod routing;
pub(crate) mod schema;
pub(crate) mod semantic;
pub(crate) mod syntax;

use genie_core::benchmark::Benchmark;
use genie_core::compare::Comparison;
use genie_core::evaluation::{BlameItem, Judge, JudgeVerdict, Outcome, VerdictSource};
use genie_core::taxonomy::FailureType;

use crate::diagnose::{self, Finding, LiteralPresence, Pair};
use crate::run::{GenieSql, GroundTruth};

/// Everything known about one question's answer.
pub(crate) struct Evidence<'a> {
    /// The benchmark.
    pub(crate) benchmark: &'a Benchmark,
    /// The executed ground truth.
    pub(crate) expected: &'a GroundTruth,
    /// Genie's text reply, when there is one.
    pub(crate) text: Option<&'a str>,
    /// What became of Genie's SQL.
    pub(crate) genie: &'a GenieSql,
    /// The result comparison, when Genie's SQL ran.
    pub(crate) comparison: Option<&'a Comparison>,
    /// Every finding, structural and otherwise.
    pub(crate) findings: Vec<Finding>,
}

impl<'a> Evidence<'a> {
    /// Gathers the findings for one answer.
    pub(crate) fn new(
        benchmark: &'a Benchmark,
        expected: &'a GroundTruth,
        text: Option<&'a str>,
        genie: &'a GenieSql,
        comparison: Option<&'a Comparison>,
        presence: &LiteralPresence,
    ) -> Self {
        let mut findings = Vec::new();
        match genie {
            GenieSql::Missing => findings.push(Finding {
                failure_type: FailureType::NoSqlGenerated,
                rationale: match text {
                    Some(text) => format!("Genie answered in text only: {}", excerpt(text)),
                    None => "Genie gave neither SQL nor text".to_owned(),
                },
                blame_set: vec![BlameItem::Instruction],
                counterfactual_fix: format!(
                    "an instruction or example SQL for this question's intent, naming the \
                     tables it needs ({})",
                    table_list(expected)
                ),
            }),
            GenieSql::Unsafe { error, .. } => findings.push(Finding {
                failure_type: FailureType::UnsafeSql,
                rationale: format!("Genie's SQL was refused and never executed: {error}"),
                blame_set: vec![BlameItem::Instruction],
                counterfactual_fix: "an instruction that answers are single read-only queries"
                    .to_owned(),
            }),
            GenieSql::Unparseable { error, .. } => findings.push(Finding {
                failure_type: FailureType::SqlError,
                rationale: format!("Genie's SQL does not parse: {error}"),
                blame_set: vec![BlameItem::Instruction],
                counterfactual_fix: "an example SQL showing valid Databricks SQL for questions \
                                     like this"
                    .to_owned(),
            }),
            GenieSql::Failed { error, facts, .. } => {
                findings.push(Finding {
                    failure_type: FailureType::SqlError,
                    rationale: format!("Genie's SQL failed on the warehouse: {error}"),
                    blame_set: tables_blame(facts),
                    counterfactual_fix: "column descriptions (or an example SQL) with the types \
                                         and names the query needs"
                        .to_owned(),
                });
                findings.extend(diagnose::structural_findings(&Pair {
                    benchmark,
                    expected: &expected.facts,
                    genie: facts,
                    comparison: None,
                    presence,
                }));
            }
            GenieSql::Ran { facts, .. } => {
                findings.extend(diagnose::structural_findings(&Pair {
                    benchmark,
                    expected: &expected.facts,
                    genie: facts,
                    comparison,
                    presence,
                }));
                let wrong = comparison.is_some_and(|comparison| !comparison.equal);
                if wrong
                    && diagnose::primary(&findings, |failure| {
                        !matches!(failure, FailureType::AssetRoutingError)
                    })
                    .is_none()
                {
                    findings.push(diagnose::unexplained(&expected.facts));
                }
            }
        }
        Self {
            benchmark,
            expected,
            text,
            genie,
            comparison,
            findings,
        }
    }

    /// Whether the results agree (result correctness).
    pub(crate) fn correct(&self) -> bool {
        self.comparison.is_some_and(|comparison| comparison.equal)
    }

    /// The row's primary failure, when the answer is wrong.
    pub(crate) fn primary(&self) -> Option<&Finding> {
        if self.correct() {
            return None;
        }
        diagnose::primary(&self.findings, |_| true)
    }
}

/// A verdict from the findings a judge is about: fail with the first in precedence,
/// else pass.
pub(crate) fn from_findings(
    judge: Judge,
    findings: &[Finding],
    accept: impl Fn(FailureType) -> bool,
    pass: &str,
) -> JudgeVerdict {
    let relevant: Vec<&Finding> = findings
        .iter()
        .filter(|finding| accept(finding.failure_type))
        .collect();
    let Some(first) = diagnose::primary(findings, accept) else {
        return JudgeVerdict {
            judge,
            outcome: Outcome::Pass,
            rationale: pass.to_owned(),
            failure_type: None,
            blame_set: Vec::new(),
            counterfactual_fix: None,
            source: VerdictSource::Code,
        };
    };
    failing(judge, first, &relevant)
}

/// A failing verdict led by `first`, its rationale listing every relevant finding.
pub(crate) fn failing(judge: Judge, first: &Finding, relevant: &[&Finding]) -> JudgeVerdict {
    let rationale = if relevant.len() > 1 {
        relevant
            .iter()
            .map(|finding| format!("{}: {}", finding.failure_type, finding.rationale))
            .collect::<Vec<_>>()
            .join("; ")
    } else {
        first.rationale.clone()
    };
    JudgeVerdict {
        judge,
        outcome: Outcome::Fail,
        rationale,
        failure_type: Some(first.failure_type),
        blame_set: first.blame_set.clone(),
        counterfactual_fix: Some(first.counterfactual_fix.clone()),
        source: VerdictSource::Code,
    }
}

/// A verdict for a judge that cannot judge this answer.
pub(crate) fn skipped(judge: Judge, why: &str) -> JudgeVerdict {
    JudgeVerdict {
        judge,
        outcome: Outcome::Skipped,
        rationale: why.to_owned(),
        failure_type: None,
        blame_set: Vec::new(),
        counterfactual_fix: None,
        source: VerdictSource::Code,
    }
}

/// The reason structural judges skip when Genie's SQL was not admitted.
pub(crate) const NO_ADMITTED_SQL: &str =
    "Genie's SQL was not admitted, so there is no structure to judge";

fn excerpt(text: &str) -> String {
    const MAX: usize = 200;
    let trimmed = text.trim();
    if trimmed.chars().count() <= MAX {
        trimmed.to_owned()
    } else {
        format!("{}…", trimmed.chars().take(MAX).collect::<String>())
    }
}

fn table_list(expected: &GroundTruth) -> String {
    expected
        .facts
        .tables
        .iter()
        .map(|table| format!("`{}`", table.name))
        .collect::<Vec<_>>()
        .join(", ")
}

fn tables_blame(facts: &genie_core::sql::SqlFacts) -> Vec<BlameItem> {
    facts
        .tables
        .iter()
        .map(|table| BlameItem::Table {
            identifier: table.name.clone(),
        })
        .collect()
}
