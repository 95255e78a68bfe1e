//! The arbiter, code form: when the results disagree, decide who is right. Without a
//! model it is conservative: it sides with the ground truth only when a structural
//! difference explains Genie's answer, and otherwise says `ambiguous`. It never says
//! `genie_correct` (that would rewrite a benchmark on a guess).

use genie_core::evaluation::{ArbiterDecision, ArbiterVerdict, VerdictSource};
use genie_core::taxonomy::FailureType;

use super::Evidence;

/// The arbiter's verdict, when the results disagree.
pub(crate) fn judge(evidence: &Evidence<'_>) -> Option<ArbiterVerdict> {
    let comparison = evidence.comparison?;
    if comparison.equal {
        return None;
    }
    let explained = evidence.findings.iter().find(|finding| {
        !matches!(
            finding.failure_type,
            FailureType::MisreadIntent | FailureType::AssetRoutingError
        )
    });
    Some(match explained {
        Some(finding) => ArbiterVerdict {
            decision: ArbiterDecision::GroundTruthCorrect,
            rationale: format!(
                "Genie's query departs from the ground truth ({}: {})",
                finding.failure_type, finding.rationale
            ),
            source: VerdictSource::Code,
        },
        None => ArbiterVerdict {
            decision: ArbiterDecision::Ambiguous,
            rationale: "the results differ but no structural difference explains it; a \
                        person (or the model arbiter) should decide"
                .to_owned(),
            source: VerdictSource::Code,
        },
    })
}
