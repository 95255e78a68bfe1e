//! `genie-opt compare BEFORE AFTER`: two evaluation reports of the same benchmarks,
//! question by question — what was fixed, what broke — with the exact `McNemar` test
//! the optimization loop uses to tell an improvement from noise.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use genie_core::evaluation::EvalReport;
use genie_evaluator::{ALPHA, ReportComparison, Transition, compare_reports};

use crate::{Failure, files};

/// Flags of `genie-opt compare`.
#[derive(Debug, Args)]
pub(crate) struct CompareArgs {
    /// The earlier report (`evaluate --json`, or `evaluation/eval_results.json`).
    before: PathBuf,
    /// The later report.
    after: PathBuf,
    /// Also write the comparison as JSON here.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Exit with code 1 when the later report is significantly worse (more broken than
    /// fixed, p < 0.05).
    #[arg(long)]
    fail_on_regression: bool,
}

/// Reads a report; errors name the file and, for bad JSON, the line and column.
fn load(path: &Path) -> anyhow::Result<EvalReport> {
    let text = files::read_text(path)?;
    serde_json::from_str(&text)
        .with_context(|| format!("`{}` is not an evaluation report", path.display()))
}

/// Compares the two reports and prints the outcome.
pub(crate) fn run(args: &CompareArgs) -> Result<(), Failure> {
    let before = load(&args.before)?;
    let after = load(&args.after)?;
    if before.dataset != after.dataset {
        tracing::warn!(
            before = before.dataset,
            after = after.dataset,
            "the reports use different benchmark sets; only questions scored in both are compared"
        );
    }
    let comparison = compare_reports(&before, &after);
    if let Some(path) = &args.json {
        let mut text =
            serde_json::to_string_pretty(&comparison).context("cannot render the comparison")?;
        text.push('\n');
        files::write_atomic(path, text.as_bytes())?;
    }
    let mut out = std::io::stdout().lock();
    out.write_all(render(&comparison).as_bytes())
        .context("cannot write to standard output")?;
    let regressed = comparison.broken > comparison.fixed && comparison.p_value < ALPHA;
    if args.fail_on_regression && regressed {
        return Err(Failure::Findings);
    }
    Ok(())
}

/// The comparison as a few lines of text.
fn render(comparison: &ReportComparison) -> String {
    let mut text = format!(
        "accuracy {:.1}% -> {:.1}%: {} fixed, {} broken, {} still correct, {} still wrong\n",
        comparison.accuracy_before,
        comparison.accuracy_after,
        comparison.fixed,
        comparison.broken,
        comparison.unchanged_correct,
        comparison.unchanged_wrong
    );
    let verdict = if comparison.improved {
        "an improvement"
    } else if comparison.broken > comparison.fixed && comparison.p_value < ALPHA {
        "a regression"
    } else {
        "not distinguishable from noise"
    };
    let _ = writeln!(
        text,
        "exact McNemar p = {:.4} on {} changed question(s): {verdict} (alpha {ALPHA})",
        comparison.p_value,
        comparison.fixed + comparison.broken
    );
    for (transition, label) in [(Transition::Fixed, "fixed"), (Transition::Broken, "broken")] {
        let ids: Vec<&str> = comparison
            .transitions
            .iter()
            .filter(|question| question.transition == transition)
            .map(|question| question.id.as_str())
            .collect();
        if !ids.is_empty() {
            let _ = writeln!(text, "{label}: {}", ids.join(", "));
        }
    }
    if !comparison.not_comparable.is_empty() {
        let _ = writeln!(
            text,
            "scored in only one report (not compared): {}",
            comparison.not_comparable.join(", ")
        );
    }
    text
}
