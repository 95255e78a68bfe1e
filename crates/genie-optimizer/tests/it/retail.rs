//! The retail baseline's failures, lever by lever.

use genie_core::taxonomy::Lever;
use genie_optimizer::GenieOptimizer;

use crate::support::request;

#[test]
fn print_proposals() {
    let optimizer = GenieOptimizer::default();
    for lever in Lever::ALL {
        let report = optimizer.propose_with_report(&request(lever)).unwrap();
        println!("=== {lever}");
        match &report.proposal {
            genie_core::workers::Proposal::Patches { patch_set, .. } => {
                for patch in &patch_set.patches {
                    let mut json = serde_json::to_value(patch).unwrap();
                    let object = json.as_object_mut().unwrap();
                    object.remove("rationale");
                    object.remove("lever");
                    let fixes = object.remove("fixes").unwrap();
                    println!("  {} fixes={}", serde_json::to_string(&json).unwrap(), fixes.as_array().unwrap().len());
                }
            }
            genie_core::workers::Proposal::Nothing { reason } => println!("  nothing: {reason}"),
        }
        for action in &report.leakage {
            println!("  leak {} {:?}", action.patch.op.name(), action.outcome);
        }
        for skipped in &report.skipped {
            println!("  skipped {}: {}", skipped.patches[0].op.name(), skipped.reason);
        }
    }
}
