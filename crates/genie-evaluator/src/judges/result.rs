//! `result_correctness`: both results compared with genie-core's
//! [`compare_results`](genie_core::compare::compare_results); order only when the
//! ground truth orders and limits. A failing verdict carries the row's primary cause.

use genie_core::evaluation::{Judge, JudgeVerdict, Outcome, VerdictSource};

use super::{Evidence, failing};

/// The result verdict.
pub(crate) fn judge(evidence: &Evidence<'_>) -> JudgeVerdict {
    if evidence.correct() {
        let extra = evidence
            .comparison
            .map(|comparison| comparison.diff.extra_columns.len())
            .unwrap_or_default();
        return JudgeVerdict {
            judge: Judge::ResultCorrectness,
            outcome: Outcome::Pass,
            rationale: if extra == 0 {
                "same rows as the ground truth".to_owned()
            } else {
                format!("same rows as the ground truth ({extra} extra column(s) allowed)")
            },
            failure_type: None,
            blame_set: Vec::new(),
            counterfactual_fix: None,
            source: VerdictSource::Code,
        };
    }
    let primary = evidence
        .primary()
        .cloned()
        .unwrap_or_else(|| crate::diagnose::unexplained(&evidence.expected.facts));
    let mut verdict = failing(Judge::ResultCorrectness, &primary, &[&primary]);
    if let Some(comparison) = evidence.comparison {
        let reasons: Vec<String> = comparison
            .failure_reasons()
            .map(|reason| format!("{reason:?}"))
            .collect();
        verdict.rationale = format!(
            "results differ ({}; {} expected row(s), {} from Genie): {}",
            reasons.join(", "),
            comparison.diff.expected_row_count,
            comparison.diff.actual_row_count,
            primary.rationale
        );
    }
    verdict
}
