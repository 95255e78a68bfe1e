//! repeatability: the same question asked n times; the share of answers whose
//! normalised SQL (or result hash) agrees with the question's majority. Between
//! iterations, a changed SQL for a question the previous report had correct is
//! flagged.

use std::collections::{BTreeMap, HashMap};

use genie_core::evaluation::{
    BlameItem, EvaluationRow, Judge, JudgeVerdict, Outcome, RepeatabilitySummary, VerdictSource,
};
use genie_core::sql::normalize;
use genie_core::taxonomy::FailureType;

use crate::run::{Attempt, GenieSql};

/// The keys of one question's answers: normalised SQL and result hash.
#[derive(Debug, Clone, Default)]
pub(crate) struct Answers {
    /// Normalised SQL of each attempt (`-` for none).
    pub(crate) sql: Vec<String>,
    /// Result hash of each attempt (`-` for none).
    pub(crate) results: Vec<String>,
}

impl Answers {
    /// The keys of `attempts`.
    pub(crate) fn of(attempts: &[Attempt]) -> Self {
        let mut answers = Self::default();
        for attempt in attempts {
            let (sql, result) = match attempt {
                Attempt::Answered { genie, .. } => (
                    sql_key(genie),
                    genie
                        .result_hash()
                        .map_or_else(|| "-".to_owned(), |hash| hash.as_str().to_owned()),
                ),
                Attempt::GenieError { .. } => ("-".to_owned(), "-".to_owned()),
            };
            answers.sql.push(sql);
            answers.results.push(result);
        }
        answers
    }
}

/// The normalised text of Genie's SQL (`-` when there is none).
pub(crate) fn sql_key(genie: &GenieSql) -> String {
    genie.text().map_or_else(
        || "-".to_owned(),
        |sql| normalize(sql).unwrap_or_else(|_| sql.trim().to_owned()),
    )
}

/// How many keys agree with the majority.
fn majority(keys: &[String]) -> usize {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for key in keys {
        *counts.entry(key).or_default() += 1;
    }
    counts.into_values().max().unwrap_or_default()
}

/// The per-question verdict.
pub(crate) fn judge(answers: &Answers, tables: Vec<BlameItem>) -> JudgeVerdict {
    let n = answers.sql.len();
    let sql = majority(&answers.sql);
    let results = majority(&answers.results);
    if sql == n || results == n {
        return JudgeVerdict {
            judge: Judge::Repeatability,
            outcome: Outcome::Pass,
            rationale: format!(
                "{n} answers agree ({} on SQL, {} on result)",
                if sql == n { "all" } else { "not all" },
                if results == n { "all" } else { "not all" }
            ),
            failure_type: None,
            blame_set: Vec::new(),
            counterfactual_fix: None,
            source: VerdictSource::Code,
        };
    }
    JudgeVerdict {
        judge: Judge::Repeatability,
        outcome: Outcome::Fail,
        rationale: format!(
            "of {n} answers, {sql} agree with the majority SQL and {results} with the majority \
             result"
        ),
        failure_type: Some(FailureType::RepeatabilityIssue),
        blame_set: tables,
        counterfactual_fix: Some(
            "descriptions and synonyms that leave one reading of the question (Genie picks \
             between tied readings)"
                .to_owned(),
        ),
        source: VerdictSource::Code,
    }
}

/// The flag between iterations: the previous report had the question correct and its
/// SQL changed since. `None` when there is nothing to compare.
pub(crate) fn against_previous(
    previous: Option<&EvaluationRow>,
    previous_iteration: u32,
    genie: &GenieSql,
) -> Option<JudgeVerdict> {
    let previous = previous.filter(|row| row.is_scored() && row.correct)?;
    let before = previous
        .genie_sql
        .as_deref()
        .map(|sql| normalize(sql).unwrap_or_else(|_| sql.trim().to_owned()))?;
    let now = sql_key(genie);
    let (outcome, rationale, failure_type, fix) = if before == now {
        (
            Outcome::Pass,
            format!("same SQL as iteration {previous_iteration}, where it was correct"),
            None,
            None,
        )
    } else {
        (
            Outcome::Fail,
            format!("the SQL changed since iteration {previous_iteration}, where it was correct"),
            Some(FailureType::RepeatabilityIssue),
            Some(
                "descriptions and synonyms that keep the correct reading of the question"
                    .to_owned(),
            ),
        )
    };
    Some(JudgeVerdict {
        judge: Judge::Repeatability,
        outcome,
        rationale,
        failure_type,
        blame_set: Vec::new(),
        counterfactual_fix: fix,
        source: VerdictSource::Code,
    })
}

/// The overall summary over the scored questions' answers.
pub(crate) fn summary(attempts: u32, per_question: &[(String, Answers)]) -> RepeatabilitySummary {
    let mut answers = 0;
    let mut sql_agreeing = 0;
    let mut result_agreeing = 0;
    let mut per = BTreeMap::new();
    for (id, keys) in per_question {
        let n = keys.sql.len();
        let sql = majority(&keys.sql);
        answers += n;
        sql_agreeing += sql;
        result_agreeing += majority(&keys.results);
        per.insert(id.clone(), percentage(sql, n));
    }
    RepeatabilitySummary {
        attempts,
        sql_agreement: percentage(sql_agreeing, answers),
        result_agreement: percentage(result_agreeing, answers),
        per_question: per,
    }
}

/// `part / whole` in percent, two decimals; 0 for an empty whole.
fn percentage(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    #[expect(
        clippy::cast_precision_loss,
        reason = "answer counts are far below 2^52"
    )]
    let ratio = part as f64 / whole as f64;
    (ratio * 10_000.0).round() / 100.0
}
