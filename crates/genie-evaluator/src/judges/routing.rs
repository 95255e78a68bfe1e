//! `asset_routing`: the expected asset type (table, metric view, table function)
//! against the one Genie's SQL used.

use genie_core::evaluation::{Judge, JudgeVerdict};
use genie_core::taxonomy::FailureType;

use super::{Evidence, NO_ADMITTED_SQL, from_findings, skipped};

/// The routing verdict.
pub(crate) fn judge(evidence: &Evidence<'_>) -> JudgeVerdict {
    if evidence.genie.facts().is_none() {
        return skipped(Judge::AssetRouting, NO_ADMITTED_SQL);
    }
    from_findings(
        Judge::AssetRouting,
        &evidence.findings,
        |failure| failure == FailureType::AssetRoutingError,
        "used the expected kind of asset",
    )
}
