//! The loop's decisions, as pure functions over reports: the slice gate, the P0 gate,
//! keep-or-roll-back (on the per-question comparison of `compare_reports`, never a raw
//! mean) and when to stop.

use genie_core::benchmark::Priority;
use genie_core::evaluation::EvalReport;
use genie_core::session::{ConvergenceReason, SessionState};
use genie_evaluator::{ALPHA, ReportComparison, Transition, compare_reports};

/// Rollbacks in a row that stop the loop.
pub(crate) const MAX_CONSECUTIVE_ROLLBACKS: u32 = 3;

/// A gate's or the keep rule's verdict.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Verdict {
    /// Whether the change may stay.
    pub pass: bool,
    /// Why, in a sentence.
    pub reason: String,
    /// The comparison it was decided on.
    pub comparison: ReportComparison,
}

/// The slice gate: on the questions the slice re-asked, accuracy must not drop
/// (no more questions broken than fixed, against the best report).
pub(crate) fn slice_gate(best: &EvalReport, slice: &EvalReport) -> Verdict {
    let comparison = compare_reports(best, slice);
    let pass = comparison.broken <= comparison.fixed;
    let reason = format!(
        "slice: {} fixed, {} broken of {} re-asked",
        comparison.fixed,
        comparison.broken,
        comparison.transitions.len()
    );
    Verdict {
        pass,
        reason,
        comparison,
    }
}

/// The P0 gate: no P0 question the best config answered may now be wrong.
pub(crate) fn p0_gate(best: &EvalReport, p0: &EvalReport) -> Verdict {
    let comparison = compare_reports(best, p0);
    let broken = broken_p0(&comparison, p0);
    Verdict {
        pass: broken.is_empty(),
        reason: if broken.is_empty() {
            "no P0 question broken".to_owned()
        } else {
            format!("P0 question(s) broken: {}", broken.join(", "))
        },
        comparison,
    }
}

/// Keep or roll back after the full evaluation: no P0 question broken, net fixed
/// above zero, and never a significant regression.
pub(crate) fn keep(best: &EvalReport, full: &EvalReport) -> Verdict {
    let comparison = compare_reports(best, full);
    let broken = broken_p0(&comparison, full);
    let net = i64::try_from(comparison.fixed).unwrap_or(i64::MAX)
        - i64::try_from(comparison.broken).unwrap_or(i64::MAX);
    let regression = comparison.broken > comparison.fixed && comparison.p_value < ALPHA;
    let (pass, reason) = if !broken.is_empty() {
        (
            false,
            format!("P0 question(s) broken: {}", broken.join(", ")),
        )
    } else if regression {
        (
            false,
            format!(
                "significant regression: {} fixed, {} broken (McNemar p = {:.3})",
                comparison.fixed, comparison.broken, comparison.p_value
            ),
        )
    } else if net <= 0 {
        (
            false,
            format!(
                "net fixed {net} ({} fixed, {} broken): nothing gained",
                comparison.fixed, comparison.broken
            ),
        )
    } else {
        (
            true,
            format!(
                "net fixed {net} ({} fixed, {} broken, McNemar p = {:.3})",
                comparison.fixed, comparison.broken, comparison.p_value
            ),
        )
    };
    Verdict {
        pass,
        reason,
        comparison,
    }
}

/// The P0 questions of `after` that the comparison found broken.
fn broken_p0(comparison: &ReportComparison, after: &EvalReport) -> Vec<String> {
    comparison
        .transitions
        .iter()
        .filter(|t| t.transition == Transition::Broken)
        .filter(|t| {
            after
                .rows
                .iter()
                .any(|row| row.id == t.id && row.priority == Priority::P0)
        })
        .map(|t| t.id.clone())
        .collect()
}

/// Whether the best report meets every target: the accuracy target and each judge's.
pub(crate) fn targets_met(best: &EvalReport, target_accuracy: f64) -> bool {
    best.overall_accuracy >= target_accuracy && best.thresholds.iter().all(|t| t.passed)
}

/// Why the loop stops now, if it does.
pub(crate) fn stop_reason(
    state: &SessionState,
    targets_met: bool,
    consecutive_rollbacks: u32,
    nothing_left: bool,
) -> Option<ConvergenceReason> {
    state
        .convergence(targets_met)
        .or_else(|| {
            (consecutive_rollbacks >= MAX_CONSECUTIVE_ROLLBACKS)
                .then_some(ConvergenceReason::ConsecutiveRollbacks)
        })
        .or_else(|| nothing_left.then_some(ConvergenceReason::NothingToPropose))
}

#[cfg(test)]
mod tests {
    use genie_core::benchmark::{AssetType, Split};
    use genie_core::evaluation::{EvaluationRow, ReportContext, Scope, Targets};

    use super::*;

    fn report(outcomes: &[(&str, bool, Priority)]) -> EvalReport {
        let rows = outcomes
            .iter()
            .map(|(id, correct, priority)| EvaluationRow {
                id: (*id).to_owned(),
                question: format!("question {id}"),
                split: Split::Train,
                priority: *priority,
                category: None,
                expected_asset: AssetType::Table,
                expected_sql: "SELECT 1".to_owned(),
                genie_sql: Some("SELECT 1".to_owned()),
                answer_status: None,
                correct: *correct,
                excluded: None,
                failure_type: None,
                verdicts: Vec::new(),
                comparison: None,
                arbiter: None,
                expected_result_hash: None,
                genie_result_hash: None,
            })
            .collect();
        let context = ReportContext {
            space_id: "s".to_owned(),
            config_hash: None,
            dataset: "d".to_owned(),
            scope: Scope::Full,
            iteration: 0,
        };
        EvalReport::from_rows(context, rows, &Targets::default(), None)
    }

    const P0: Priority = Priority::P0;
    const P1: Priority = Priority::P1;

    #[test]
    fn keep_needs_net_fixed_and_no_p0_broken() {
        let best = report(&[("a", false, P1), ("b", false, P1), ("c", true, P0)]);
        let better = report(&[("a", true, P1), ("b", false, P1), ("c", true, P0)]);
        assert!(keep(&best, &better).pass);
        let same = report(&[("a", true, P1), ("b", false, P1), ("c", false, P1)]);
        let verdict = keep(&best, &same);
        assert!(!verdict.pass, "{verdict:?}");
        assert!(verdict.reason.contains("net fixed 0"), "{}", verdict.reason);
        let p0_broken = report(&[("a", true, P1), ("b", true, P1), ("c", false, P0)]);
        let verdict = keep(&best, &p0_broken);
        assert!(!verdict.pass);
        assert!(verdict.reason.contains("P0 question(s) broken: c"));
    }

    #[test]
    fn a_significant_regression_is_named() {
        let ids: Vec<String> = (0..8).map(|i| format!("q{i}")).collect();
        let best = report(
            &ids.iter()
                .map(|id| (id.as_str(), true, P1))
                .collect::<Vec<_>>(),
        );
        let worse = report(
            &ids.iter()
                .map(|id| (id.as_str(), false, P1))
                .collect::<Vec<_>>(),
        );
        let verdict = keep(&best, &worse);
        assert!(!verdict.pass);
        assert!(
            verdict.reason.starts_with("significant regression"),
            "{}",
            verdict.reason
        );
    }

    #[test]
    fn gates() {
        let best = report(&[("a", false, P1), ("b", true, P0), ("c", true, P1)]);
        let slice = report(&[("a", true, P1), ("c", false, P1)]);
        assert!(
            slice_gate(&best, &slice).pass,
            "one fixed, one broken: no drop"
        );
        let slice = report(&[("a", false, P1), ("c", false, P1)]);
        assert!(!slice_gate(&best, &slice).pass);
        assert!(p0_gate(&best, &report(&[("b", true, P0)])).pass);
        assert!(!p0_gate(&best, &report(&[("b", false, P0)])).pass);
    }

    #[test]
    fn stop_reasons_in_order() {
        let state = SessionState::new("s", "d", "t", 5);
        assert_eq!(stop_reason(&state, false, 0, false), None);
        assert_eq!(
            stop_reason(&state, true, 3, true),
            Some(ConvergenceReason::TargetsMet)
        );
        assert_eq!(
            stop_reason(&state, false, 3, true),
            Some(ConvergenceReason::ConsecutiveRollbacks)
        );
        assert_eq!(
            stop_reason(&state, false, 2, true),
            Some(ConvergenceReason::NothingToPropose)
        );
    }
}
