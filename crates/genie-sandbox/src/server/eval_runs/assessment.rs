//! How an eval run judges one answer: Genie's result against the benchmark's expected
//! result, compared by genie-core's [`compare_results`], and the comparison's
//! [`DifferenceReason`]s spelled as the SDK's `ScoreReason`s.

use genie_core::compare::{ComparisonOptions, DifferenceReason, compare_results};
use genie_core::result::ResultSet;

/// The SDK's `GenieEvalAssessment`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Assessment {
    /// Genie's result gives the expected answer.
    Good,
    /// It does not.
    Bad,
    /// The comparison proves nothing (the expected SQL is empty or failed, or Genie
    /// answered in text): a person must look.
    NeedsReview,
}

impl Assessment {
    /// The API's value.
    pub(crate) fn api_name(self) -> &'static str {
        match self {
            Self::Good => "GOOD",
            Self::Bad => "BAD",
            Self::NeedsReview => "NEEDS_REVIEW",
        }
    }
}

/// The SDK's `ScoreReason` values the sandbox produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScoreReason {
    /// Genie's result lacks expected rows.
    ResultMissingRows,
    /// Genie's result has rows the expected one does not.
    ResultExtraRows,
    /// Genie's result lacks expected columns.
    ResultMissingColumns,
    /// Genie's result has columns the expected one does not.
    ResultExtraColumns,
    /// The results differ in one cell.
    SingleCellDifference,
    /// Matched columns have different types.
    ColumnTypeDifference,
    /// Genie's result is empty (or its SQL produced none).
    EmptyResult,
    /// The expected SQL returned no rows.
    EmptyGoodSql,
    /// The rows are right but in the wrong order (the SDK's judge value that names
    /// ordering).
    LlmJudgeFormattingError,
    /// A difference the SDK has no deterministic value for.
    LlmJudgeOther,
}

impl ScoreReason {
    /// The API's value.
    pub(crate) fn api_name(self) -> &'static str {
        match self {
            Self::ResultMissingRows => "RESULT_MISSING_ROWS",
            Self::ResultExtraRows => "RESULT_EXTRA_ROWS",
            Self::ResultMissingColumns => "RESULT_MISSING_COLUMNS",
            Self::ResultExtraColumns => "RESULT_EXTRA_COLUMNS",
            Self::SingleCellDifference => "SINGLE_CELL_DIFFERENCE",
            Self::ColumnTypeDifference => "COLUMN_TYPE_DIFFERENCE",
            Self::EmptyResult => "EMPTY_RESULT",
            Self::EmptyGoodSql => "EMPTY_GOOD_SQL",
            Self::LlmJudgeFormattingError => "LLM_JUDGE_FORMATTING_ERROR",
            Self::LlmJudgeOther => "LLM_JUDGE_OTHER",
        }
    }
}

/// The `ScoreReason` of a comparison's `reason`.
pub(crate) fn score_reason(reason: DifferenceReason) -> ScoreReason {
    match reason {
        DifferenceReason::ResultMissingRows => ScoreReason::ResultMissingRows,
        DifferenceReason::ResultExtraRows => ScoreReason::ResultExtraRows,
        DifferenceReason::ResultMissingColumns => ScoreReason::ResultMissingColumns,
        DifferenceReason::ResultExtraColumns => ScoreReason::ResultExtraColumns,
        DifferenceReason::SingleCellDifference => ScoreReason::SingleCellDifference,
        DifferenceReason::ColumnTypeDifference => ScoreReason::ColumnTypeDifference,
        DifferenceReason::EmptyResult => ScoreReason::EmptyResult,
        DifferenceReason::EmptyGoodSql => ScoreReason::EmptyGoodSql,
        DifferenceReason::RowOrderDifference => ScoreReason::LlmJudgeFormattingError,
        _ => ScoreReason::LlmJudgeOther,
    }
}

/// What the benchmark's expected SQL gave.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Expected<'a> {
    /// Rows; `order_matters` when the SQL both orders and limits.
    Rows {
        /// The result.
        result: &'a ResultSet,
        /// Whether row order counts.
        order_matters: bool,
    },
    /// Nothing to compare with: no SQL answer, or it was refused or failed.
    Unusable,
}

/// What Genie gave.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Actual<'a> {
    /// Its SQL's rows.
    Rows(&'a ResultSet),
    /// Its SQL was refused or failed.
    SqlFailed,
    /// A text answer.
    Text,
}

/// An assessment and its reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// The assessment.
    pub(crate) assessment: Assessment,
    /// Why (empty for `GOOD`).
    pub(crate) reasons: Vec<ScoreReason>,
}

impl Verdict {
    fn new(assessment: Assessment, reasons: Vec<ScoreReason>) -> Self {
        Self {
            assessment,
            reasons,
        }
    }
}

/// Judges Genie's answer against the expected one.
pub(crate) fn assess(expected: Expected<'_>, actual: Actual<'_>) -> Verdict {
    let Expected::Rows {
        result: expected,
        order_matters,
    } = expected
    else {
        return Verdict::new(Assessment::NeedsReview, Vec::new());
    };
    if expected.rows.is_empty() {
        return Verdict::new(Assessment::NeedsReview, vec![ScoreReason::EmptyGoodSql]);
    }
    let actual = match actual {
        Actual::Text => return Verdict::new(Assessment::NeedsReview, Vec::new()),
        Actual::SqlFailed => return Verdict::new(Assessment::Bad, vec![ScoreReason::EmptyResult]),
        Actual::Rows(actual) => actual,
    };
    let options = ComparisonOptions {
        order_matters,
        ..ComparisonOptions::default()
    };
    let comparison = compare_results(expected, actual, &options);
    if comparison.equal {
        return Verdict::new(Assessment::Good, Vec::new());
    }
    let mut reasons: Vec<ScoreReason> = comparison
        .reasons
        .iter()
        .map(|reason| score_reason(*reason))
        .collect();
    reasons.dedup();
    Verdict::new(Assessment::Bad, reasons)
}

#[cfg(test)]
mod tests {
    use genie_core::result::{Cell, Column, ColumnType};

    use super::*;

    fn result(columns: &[&str], rows: &[&[i64]]) -> ResultSet {
        ResultSet {
            columns: columns
                .iter()
                .map(|name| Column {
                    name: (*name).to_owned(),
                    column_type: ColumnType::Long,
                })
                .collect(),
            rows: rows
                .iter()
                .map(|row| row.iter().map(|value| Cell::Integer(*value)).collect())
                .collect(),
            truncated: false,
        }
    }

    fn rows(result: &ResultSet) -> Expected<'_> {
        Expected::Rows {
            result,
            order_matters: false,
        }
    }

    fn names(verdict: &Verdict) -> (&'static str, Vec<&'static str>) {
        (
            verdict.assessment.api_name(),
            verdict
                .reasons
                .iter()
                .map(|reason| reason.api_name())
                .collect(),
        )
    }

    #[test]
    fn equal_results_are_good() {
        let expected = result(&["n"], &[&[1], &[2]]);
        let shuffled = result(&["count"], &[&[2], &[1]]);
        assert_eq!(
            names(&assess(rows(&expected), Actual::Rows(&shuffled))),
            ("GOOD", vec![])
        );
    }

    #[test]
    fn differences_are_bad_with_the_sdk_reasons() {
        let expected = result(&["n"], &[&[1], &[2]]);
        let fewer = result(&["n"], &[&[1]]);
        assert_eq!(
            names(&assess(rows(&expected), Actual::Rows(&fewer))),
            ("BAD", vec!["RESULT_MISSING_ROWS"])
        );
        let one_cell = result(&["n"], &[&[1], &[3]]);
        assert_eq!(
            names(&assess(rows(&expected), Actual::Rows(&one_cell))),
            ("BAD", vec!["SINGLE_CELL_DIFFERENCE"])
        );
        let empty = result(&["n"], &[]);
        assert_eq!(
            names(&assess(rows(&expected), Actual::Rows(&empty))),
            ("BAD", vec!["EMPTY_RESULT"])
        );
        assert_eq!(
            names(&assess(rows(&expected), Actual::SqlFailed)),
            ("BAD", vec!["EMPTY_RESULT"])
        );
    }

    #[test]
    fn order_counts_only_when_asked() {
        let expected = result(&["n"], &[&[1], &[2]]);
        let reversed = result(&["n"], &[&[2], &[1]]);
        let ordered = Expected::Rows {
            result: &expected,
            order_matters: true,
        };
        assert_eq!(
            names(&assess(ordered, Actual::Rows(&reversed))),
            ("BAD", vec!["LLM_JUDGE_FORMATTING_ERROR"])
        );
        assert_eq!(
            assess(rows(&expected), Actual::Rows(&reversed)).assessment,
            Assessment::Good
        );
    }

    #[test]
    fn unprovable_comparisons_need_review() {
        let empty = result(&["n"], &[]);
        let some = result(&["n"], &[&[1]]);
        assert_eq!(
            names(&assess(rows(&empty), Actual::Rows(&some))),
            ("NEEDS_REVIEW", vec!["EMPTY_GOOD_SQL"])
        );
        assert_eq!(
            names(&assess(Expected::Unusable, Actual::Rows(&some))),
            ("NEEDS_REVIEW", vec![])
        );
        assert_eq!(
            names(&assess(rows(&some), Actual::Text)),
            ("NEEDS_REVIEW", vec![])
        );
    }

    #[test]
    fn every_comparison_reason_has_an_sdk_spelling() {
        let spelled: Vec<&str> = [
            DifferenceReason::ResultMissingRows,
            DifferenceReason::ResultExtraRows,
            DifferenceReason::ResultMissingColumns,
            DifferenceReason::ResultExtraColumns,
            DifferenceReason::SingleCellDifference,
            DifferenceReason::ColumnTypeDifference,
            DifferenceReason::EmptyResult,
            DifferenceReason::EmptyGoodSql,
        ]
        .into_iter()
        .map(|reason| score_reason(reason).api_name())
        .collect();
        assert_eq!(
            spelled,
            [
                "RESULT_MISSING_ROWS",
                "RESULT_EXTRA_ROWS",
                "RESULT_MISSING_COLUMNS",
                "RESULT_EXTRA_COLUMNS",
                "SINGLE_CELL_DIFFERENCE",
                "COLUMN_TYPE_DIFFERENCE",
                "EMPTY_RESULT",
                "EMPTY_GOOD_SQL"
            ]
        );
    }
}
