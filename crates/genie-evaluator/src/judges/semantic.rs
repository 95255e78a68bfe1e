//! `semantic_equivalence` (same measure and grain) and completeness (every
//! ground-truth output column present), code forms.

use genie_core::evaluation::{Judge, JudgeVerdict};
use genie_core::taxonomy::FailureType;

use super::{Evidence, NO_ADMITTED_SQL, failing, from_findings, skipped};
use crate::diagnose::{self, Finding};

fn is_measure_or_grain(failure: FailureType) -> bool {
    matches!(
        failure,
        FailureType::MissingMeasure | FailureType::WrongAggregation | FailureType::WrongGrouping
    )
}

/// The semantic-equivalence verdict.
pub(crate) fn equivalence(evidence: &Evidence<'_>) -> JudgeVerdict {
    if evidence.genie.facts().is_none() {
        return skipped(Judge::SemanticEquivalence, NO_ADMITTED_SQL);
    }
    from_findings(
        Judge::SemanticEquivalence,
        &evidence.findings,
        is_measure_or_grain,
        "same measure at the same grain",
    )
}

/// The completeness verdict: judged on the result's columns (matched by content).
pub(crate) fn completeness(evidence: &Evidence<'_>) -> JudgeVerdict {
    let Some(comparison) = evidence.comparison else {
        return skipped(Judge::Completeness, "Genie's SQL did not run");
    };
    let missing = &comparison.diff.missing_columns;
    if missing.is_empty() {
        return from_findings(
            Judge::Completeness,
            &[],
            |_| false,
            "every ground-truth column is in Genie's result",
        );
    }
    let names = missing
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let cause = diagnose::primary(&evidence.findings, |failure| {
        is_measure_or_grain(failure)
            || matches!(
                failure,
                FailureType::WrongColumn | FailureType::MissingSynonym
            )
    })
    .cloned()
    .unwrap_or_else(|| Finding {
        failure_type: FailureType::WrongColumn,
        rationale: String::new(),
        blame_set: Vec::new(),
        counterfactual_fix: format!(
            "column descriptions or synonyms so the question's words map to {names}"
        ),
    });
    let mut verdict = failing(Judge::Completeness, &cause, &[&cause]);
    verdict.rationale = format!("Genie's result lacks the ground truth's column(s) {names}");
    verdict
}
