//! `logical_accuracy`: joins, filters, aggregations, grouping, ordering and limit,
//! compared structurally.

use genie_core::evaluation::{Judge, JudgeVerdict};
use genie_core::taxonomy::FailureType;

use super::{Evidence, NO_ADMITTED_SQL, from_findings, skipped};

/// The failure types about query logic.
pub(crate) fn is_logical(failure: FailureType) -> bool {
    matches!(
        failure,
        FailureType::WrongJoin
            | FailureType::UnknownFilterValue
            | FailureType::WrongFilter
            | FailureType::MissingMeasure
            | FailureType::WrongAggregation
            | FailureType::WrongGrouping
            | FailureType::WrongOrderOrLimit
            | FailureType::ComplexPattern
    )
}

/// The logical verdict.
pub(crate) fn judge(evidence: &Evidence<'_>) -> JudgeVerdict {
    if evidence.genie.facts().is_none() {
        return skipped(Judge::LogicalAccuracy, NO_ADMITTED_SQL);
    }
    from_findings(
        Judge::LogicalAccuracy,
        &evidence.findings,
        is_logical,
        "same joins, filters, aggregations, grouping, ordering and limit",
    )
}
