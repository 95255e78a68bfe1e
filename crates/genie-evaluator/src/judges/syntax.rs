//! `syntax_validity`: Genie's SQL parses (Databricks dialect) and compiles. A query that
//! ran compiles; `EXPLAIN` is asked only after a failed run, to tell a compile error
//! from a runtime one.

use genie_core::evaluation::{Judge, JudgeVerdict};
use genie_core::taxonomy::FailureType;

use super::{Evidence, failing, skipped};
use crate::run::GenieSql;

/// The syntax verdict.
pub(crate) fn judge(evidence: &Evidence<'_>) -> JudgeVerdict {
    let pass =
        |rationale: &str| super::from_findings(Judge::SyntaxValidity, &[], |_| false, rationale);
    let first = |failure: FailureType| {
        evidence
            .findings
            .iter()
            .find(|finding| finding.failure_type == failure)
    };
    match evidence.genie {
        GenieSql::Missing => skipped(Judge::SyntaxValidity, "Genie gave no SQL"),
        GenieSql::Unsafe { .. } => first(FailureType::UnsafeSql).map_or_else(
            || skipped(Judge::SyntaxValidity, "unsafe"),
            |finding| failing(Judge::SyntaxValidity, finding, &[finding]),
        ),
        GenieSql::Unparseable { .. } => first(FailureType::SqlError).map_or_else(
            || skipped(Judge::SyntaxValidity, "unparseable"),
            |finding| failing(Judge::SyntaxValidity, finding, &[finding]),
        ),
        GenieSql::Failed {
            explain_error: Some(explain),
            ..
        } => {
            let mut verdict = first(FailureType::SqlError).map_or_else(
                || skipped(Judge::SyntaxValidity, "failed"),
                |finding| failing(Judge::SyntaxValidity, finding, &[finding]),
            );
            verdict.rationale = format!("EXPLAIN fails: {explain}");
            verdict
        }
        GenieSql::Failed {
            explain_error: None,
            ..
        } => pass("parses and EXPLAIN succeeds (the statement failed at run time)"),
        GenieSql::Ran { .. } => pass("parses and runs"),
    }
}
