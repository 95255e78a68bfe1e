//! An evaluation report as people and CI systems read it: JUnit XML (one test case
//! per question: a failure with its type and the judges' rationale, a skip with the
//! reason it is out of the denominator) and the compact end-of-run table (accuracy,
//! per-judge scores against targets, failures by type, benchmarks the space itself
//! carries).

use std::fmt::Write as _;

use genie_core::contamination::{Contamination, LeakKind};
use genie_core::evaluation::{EvalReport, EvaluationRow, Outcome};

/// The report as a JUnit XML document.
pub(crate) fn junit(report: &EvalReport) -> String {
    let failures = report
        .rows
        .iter()
        .filter(|row| row.is_scored() && !row.correct)
        .count();
    let skipped = report.rows.iter().filter(|row| !row.is_scored()).count();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        xml,
        "<testsuites name=\"genie-opt evaluate\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">",
        report.rows.len()
    );
    let _ = writeln!(
        xml,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">",
        escape(&format!("{} ({})", report.space_id, report.scope.name())),
        report.rows.len()
    );
    let _ = writeln!(xml, "    <properties>");
    for (name, value) in [
        ("space_id", report.space_id.clone()),
        ("dataset", report.dataset.clone()),
        (
            "overall_accuracy",
            format!("{:.2}", report.overall_accuracy),
        ),
        ("denominator", report.denominator()),
    ] {
        let _ = writeln!(
            xml,
            "      <property name=\"{name}\" value=\"{}\"/>",
            escape(&value)
        );
    }
    let _ = writeln!(xml, "    </properties>");
    for row in &report.rows {
        test_case(&mut xml, row);
    }
    xml.push_str("  </testsuite>\n</testsuites>\n");
    xml
}

fn test_case(xml: &mut String, row: &EvaluationRow) {
    let _ = write!(
        xml,
        "    <testcase classname=\"{}.{}\" name=\"{}\"",
        escape(&row.split.to_string()),
        escape(row.category.as_deref().unwrap_or("uncategorized")),
        escape(&row.id)
    );
    if let Some(exclusion) = &row.excluded {
        let _ = writeln!(
            xml,
            ">\n      <skipped message=\"{}\"/>\n    </testcase>",
            escape(&exclusion.to_string())
        );
        return;
    }
    if row.correct {
        xml.push_str("/>\n");
        return;
    }
    let failure = row
        .failure_type
        .map_or_else(|| "incorrect".to_owned(), |failure| failure.to_string());
    let mut details = format!("question: {}\n", row.question);
    for verdict in row
        .verdicts
        .iter()
        .filter(|verdict| verdict.outcome == Outcome::Fail)
    {
        let _ = writeln!(details, "{}: {}", verdict.judge, verdict.rationale);
        if let Some(fix) = &verdict.counterfactual_fix {
            let _ = writeln!(details, "  fix: {fix}");
        }
    }
    let _ = writeln!(details, "expected SQL:\n{}", row.expected_sql.trim());
    let _ = writeln!(
        details,
        "genie SQL:\n{}",
        row.genie_sql.as_deref().unwrap_or("(none)").trim()
    );
    let _ = writeln!(
        xml,
        ">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>",
        escape(&failure),
        escape(&format!("{} ({failure})", row.id)),
        escape(&details)
    );
}

/// XML text and attribute escaping (control characters XML 1.0 forbids are dropped).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The end-of-run table.
pub(crate) fn summary(report: &EvalReport) -> String {
    let mut text = String::new();
    let _ = writeln!(
        text,
        "accuracy {:.1}% ({} correct; {}) on space {} [{}]",
        report.overall_accuracy,
        report.correct_count,
        report.denominator(),
        report.space_id,
        report.scope.name()
    );
    let _ = writeln!(text, "\n{:<22} {:>7} {:>7}  ", "judge", "score", "target");
    for threshold in &report.thresholds {
        let _ = writeln!(
            text,
            "{:<22} {:>6.1}% {:>6.1}%  {}",
            threshold.judge.to_string(),
            threshold.score,
            threshold.target,
            if threshold.passed { "ok" } else { "BELOW" }
        );
    }
    if !report.failures_by_type.is_empty() {
        let _ = writeln!(text, "\n{:<22} {:>7}", "failure type", "count");
        let mut failures: Vec<_> = report.failures_by_type.iter().collect();
        failures.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (failure, count) in failures {
            let _ = writeln!(text, "{:<22} {count:>7}", failure.to_string());
        }
    }
    let excluded: Vec<_> = report
        .rows
        .iter()
        .filter_map(|row| row.excluded.as_ref().map(|reason| (&row.id, reason)))
        .collect();
    if !excluded.is_empty() {
        let _ = writeln!(text, "\nexcluded from the denominator:");
        for (id, reason) in excluded {
            let _ = writeln!(text, "  {id}: {reason}");
        }
    }
    if let Some(contamination) = &report.contamination {
        contamination_lines(&mut text, contamination);
    }
    text
}

/// The benchmarks the space itself carries, and the accuracy without them.
fn contamination_lines(text: &mut String, contamination: &Contamination) {
    if let Some(reason) = &contamination.unavailable {
        let _ = writeln!(text, "\ncontamination not checked: {reason}");
        return;
    }
    if contamination.flagged.is_empty() {
        let _ = writeln!(text, "\ncontamination: no benchmark found in the space");
        return;
    }
    let _ = writeln!(
        text,
        "\ncontamination: {} benchmark(s) found in the space itself; accuracy without them {:.1}% ({} correct of {} scored)",
        contamination.flagged.len(),
        contamination.accuracy_clean,
        contamination.correct_clean,
        contamination.scored_clean
    );
    for leak in &contamination.leaks {
        let what = match leak.kind {
            LeakKind::QuestionText => "question text",
            LeakKind::GroundTruthSql => "ground-truth SQL",
            LeakKind::GroundTruthResult => "ground-truth result",
        };
        let _ = writeln!(text, "  {}: {what} at {}", leak.question_id, leak.location);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_drops_forbidden_controls() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>\u{1}\n"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;\n"
        );
    }
}
