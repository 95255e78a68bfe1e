//! `schema_accuracy`: the tables and columns Genie's SQL reads, against the ground
//! truth's (from both ASTs).

use genie_core::evaluation::{Judge, JudgeVerdict};
use genie_core::taxonomy::FailureType;

use super::{Evidence, NO_ADMITTED_SQL, from_findings, skipped};

/// The schema verdict.
pub(crate) fn judge(evidence: &Evidence<'_>) -> JudgeVerdict {
    if evidence.genie.facts().is_none() {
        return skipped(Judge::SchemaAccuracy, NO_ADMITTED_SQL);
    }
    from_findings(
        Judge::SchemaAccuracy,
        &evidence.findings,
        |failure| {
            matches!(
                failure,
                FailureType::WrongTable
                    | FailureType::MissingJoin
                    | FailureType::WrongColumn
                    | FailureType::MissingSynonym
            )
        },
        "reads the ground truth's tables and columns",
    )
}
