//! [`compare_reports`]: what changed between two evaluations, per question, with an
//! exact `McNemar` test on the questions whose outcome changed.

use std::collections::HashMap;

use genie_core::evaluation::{EvalReport, EvaluationRow};
use serde::{Deserialize, Serialize};

/// The significance level of [`ReportComparison::improved`].
pub const ALPHA: f64 = 0.05;

/// How one question's outcome changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transition {
    /// Wrong before, correct after.
    Fixed,
    /// Correct before, wrong after.
    Broken,
    /// Correct both times.
    UnchangedCorrect,
    /// Wrong both times.
    UnchangedWrong,
}

/// One question scored in both reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionTransition {
    /// The benchmark id.
    pub id: String,
    /// How its outcome changed.
    pub transition: Transition,
}

/// Two reports compared question by question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportComparison {
    /// Every question scored in both reports, in the later report's order.
    pub transitions: Vec<QuestionTransition>,
    /// Questions fixed (`McNemar`'s b).
    pub fixed: usize,
    /// Questions broken (`McNemar`'s c).
    pub broken: usize,
    /// Questions correct both times.
    pub unchanged_correct: usize,
    /// Questions wrong both times.
    pub unchanged_wrong: usize,
    /// Questions scored in only one of the reports (not compared).
    pub not_comparable: Vec<String>,
    /// The earlier report's accuracy (0–100).
    pub accuracy_before: f64,
    /// The later report's accuracy (0–100).
    pub accuracy_after: f64,
    /// Exact two-sided `McNemar` p-value on the discordant pairs.
    pub p_value: f64,
    /// More fixed than broken and `p_value < ALPHA`.
    pub improved: bool,
}

/// Compares `before` with `after` on the questions both scored.
pub fn compare_reports(before: &EvalReport, after: &EvalReport) -> ReportComparison {
    let earlier: HashMap<&str, &EvaluationRow> = before
        .rows
        .iter()
        .filter(|row| row.is_scored())
        .map(|row| (row.id.as_str(), row))
        .collect();
    let mut transitions = Vec::new();
    let mut not_comparable = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for row in after.rows.iter().filter(|row| row.is_scored()) {
        seen.insert(row.id.as_str());
        let Some(previous) = earlier.get(row.id.as_str()) else {
            not_comparable.push(row.id.clone());
            continue;
        };
        let transition = match (previous.correct, row.correct) {
            (false, true) => Transition::Fixed,
            (true, false) => Transition::Broken,
            (true, true) => Transition::UnchangedCorrect,
            (false, false) => Transition::UnchangedWrong,
        };
        transitions.push(QuestionTransition {
            id: row.id.clone(),
            transition,
        });
    }
    not_comparable.extend(
        before
            .rows
            .iter()
            .filter(|row| row.is_scored() && !seen.contains(row.id.as_str()))
            .map(|row| row.id.clone()),
    );
    let count = |kind: Transition| transitions.iter().filter(|t| t.transition == kind).count();
    let fixed = count(Transition::Fixed);
    let broken = count(Transition::Broken);
    let p_value = mcnemar_exact(fixed, broken);
    ReportComparison {
        fixed,
        broken,
        unchanged_correct: count(Transition::UnchangedCorrect),
        unchanged_wrong: count(Transition::UnchangedWrong),
        transitions,
        not_comparable,
        accuracy_before: before.overall_accuracy,
        accuracy_after: after.overall_accuracy,
        p_value,
        improved: fixed > broken && p_value < ALPHA,
    }
}

/// The exact two-sided `McNemar` p-value for `b` and `c` discordant pairs: twice the
/// smaller binomial tail of `b + c` fair coin flips, capped at 1 (1 when there are no
/// discordant pairs).
pub fn mcnemar_exact(b: usize, c: usize) -> f64 {
    let n = b + c;
    if n == 0 {
        return 1.0;
    }
    let k = b.min(c);
    // Sum the tail in log space so large n neither overflows nor underflows.
    #[expect(
        clippy::cast_precision_loss,
        reason = "question counts are far below 2^52"
    )]
    let (n_f, ln_half) = (n as f64, -std::f64::consts::LN_2);
    let mut ln_choose = 0.0_f64;
    let mut tail = 0.0_f64;
    for i in 0..=k {
        if i > 0 {
            #[expect(
                clippy::cast_precision_loss,
                reason = "question counts are far below 2^52"
            )]
            let i_f = i as f64;
            ln_choose += ((n_f - i_f + 1.0) / i_f).ln();
        }
        tail += (ln_choose + n_f * ln_half).exp();
    }
    (2.0 * tail).min(1.0)
}

#[cfg(test)]
mod tests {
    use genie_core::benchmark::{AssetType, Priority, Split};
    use genie_core::evaluation::{EvaluationRow, Exclusion, ReportContext, Scope, Targets};

    use super::*;

    fn row(id: &str, correct: bool, excluded: bool) -> EvaluationRow {
        EvaluationRow {
            id: id.to_owned(),
            question: String::new(),
            split: Split::Train,
            priority: Priority::P1,
            category: None,
            expected_asset: AssetType::Table,
            expected_sql: "SELECT 1".to_owned(),
            genie_sql: None,
            answer_status: None,
            correct,
            excluded: excluded.then_some(Exclusion::BothEmpty),
            failure_type: None,
            verdicts: Vec::new(),
            comparison: None,
            arbiter: None,
            expected_result_hash: None,
            genie_result_hash: None,
        }
    }

    fn report(rows: Vec<EvaluationRow>) -> EvalReport {
        let context = ReportContext {
            space_id: "s".to_owned(),
            config_hash: None,
            dataset: "d".to_owned(),
            scope: Scope::Full,
            iteration: 0,
        };
        EvalReport::from_rows(context, rows, &Targets::default(), None)
    }

    #[test]
    fn transitions_are_counted_on_questions_scored_twice() {
        let before = report(vec![
            row("fixed", false, false),
            row("broken", true, false),
            row("kept", true, false),
            row("still_wrong", false, false),
            row("excluded_after", false, false),
            row("only_before", true, false),
        ]);
        let after = report(vec![
            row("fixed", true, false),
            row("broken", false, false),
            row("kept", true, false),
            row("still_wrong", false, false),
            row("excluded_after", true, true),
            row("only_after", true, false),
        ]);
        let comparison = compare_reports(&before, &after);
        let kinds: Vec<(&str, Transition)> = comparison
            .transitions
            .iter()
            .map(|t| (t.id.as_str(), t.transition))
            .collect();
        assert_eq!(
            kinds,
            [
                ("fixed", Transition::Fixed),
                ("broken", Transition::Broken),
                ("kept", Transition::UnchangedCorrect),
                ("still_wrong", Transition::UnchangedWrong),
            ]
        );
        assert_eq!(
            (
                comparison.fixed,
                comparison.broken,
                comparison.unchanged_correct,
                comparison.unchanged_wrong
            ),
            (1, 1, 1, 1)
        );
        assert_eq!(
            comparison.not_comparable,
            ["only_after", "excluded_after", "only_before"]
        );
        assert!((comparison.p_value - 1.0).abs() < 1e-12);
        assert!(!comparison.improved);
    }

    #[test]
    fn improved_needs_more_fixes_and_significance() {
        let wrong: Vec<EvaluationRow> = (0..10)
            .map(|i| row(&format!("q{i}"), false, false))
            .collect();
        let right: Vec<EvaluationRow> = (0..10)
            .map(|i| row(&format!("q{i}"), true, false))
            .collect();
        let up = compare_reports(&report(wrong.clone()), &report(right.clone()));
        assert_eq!(up.fixed, 10);
        assert!((up.p_value - 0.001_953_125).abs() < 1e-15);
        assert!(up.improved);
        let down = compare_reports(&report(right), &report(wrong));
        assert_eq!(down.broken, 10);
        assert!(!down.improved, "significant but a regression");
        let few: Vec<EvaluationRow> = (0..4)
            .map(|i| row(&format!("q{i}"), i < 3, false))
            .collect();
        let none: Vec<EvaluationRow> = (0..4)
            .map(|i| row(&format!("q{i}"), i == 3, false))
            .collect();
        let small = compare_reports(&report(none), &report(few));
        assert_eq!((small.fixed, small.broken), (3, 1));
        assert!((small.p_value - 0.625).abs() < 1e-12);
        assert!(!small.improved, "more fixed but not significant");
    }

    #[test]
    fn exact_p_values() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(mcnemar_exact(10, 0), 0.001_953_125));
        assert!(close(mcnemar_exact(0, 10), 0.001_953_125));
        assert!(close(mcnemar_exact(0, 0), 1.0));
        assert!(close(mcnemar_exact(1, 1), 1.0));
        // b=8, c=2: 2 * (1 + 10 + 45) / 1024.
        assert!(close(mcnemar_exact(8, 2), 112.0 / 1024.0));
        // b=5, c=0: 2 / 32.
        assert!(close(mcnemar_exact(5, 0), 0.0625));
        // Large n stays finite and symmetric.
        let large = mcnemar_exact(600, 400);
        assert!(large > 0.0 && large < 1e-9 && close(large, mcnemar_exact(400, 600)));
    }
}
