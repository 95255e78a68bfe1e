//! The optimization's reports: `report.md` for a pull request, a self-contained
//! `report.html` (an inline SVG chart of accuracy and each judge per iteration, the
//! per-lever impact table, the per-question table, the overfitting gap, the
//! accounting and the final config diff) and the terminal's per-lever table. All are
//! rendered from the session file and the evaluations kept beside it, so
//! `genie-opt report --session FILE` renders them again.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use genie_core::evaluation::EvalReport;

use crate::files;
use crate::optimize::results::Results;
use crate::optimize::run::reason_text;
use crate::optimize::session::Session;

/// What the reports are rendered from.
pub(crate) struct ReportInput<'a> {
    /// The session.
    pub session: &'a Session,
    /// Its results.
    pub results: &'a Results,
    /// The baseline's train report, when kept.
    pub baseline: Option<EvalReport>,
    /// The best iteration's train report, when kept.
    pub best: Option<EvalReport>,
}

/// Writes `report.md` and `report.html` into `output_dir` (where the session's
/// `evaluations/` are).
pub(crate) fn write(output_dir: &Path, session: &Session, results: &Results) -> anyhow::Result<()> {
    let read = |iteration: u32| -> Option<EvalReport> {
        let path = output_dir
            .join("evaluations")
            .join(format!("iter{iteration}-train.json"));
        serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
    };
    let input = ReportInput {
        session,
        results,
        baseline: read(0),
        best: read(session.state.best_iteration),
    };
    files::write_atomic(&output_dir.join("report.md"), markdown(&input).as_bytes())?;
    files::write_atomic(&output_dir.join("report.html"), html(&input).as_bytes())?;
    Ok(())
}

fn pct(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |v| format!("{v:.1}%"))
}

fn points(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |v| format!("{v:+.1} pts"))
}

/// One row per lever: before, after, patches kept and rolled back, or why skipped.
struct LeverRow {
    lever: u8,
    before: Option<f64>,
    after: Option<f64>,
    kept: usize,
    rolled_back: usize,
    note: String,
}

fn lever_rows(input: &ReportInput<'_>) -> Vec<LeverRow> {
    let mut best = input.results.baseline.map(|b| b.train);
    let mut rows: BTreeMap<u8, LeverRow> = BTreeMap::new();
    for outcome in &input.results.iterations {
        let row = rows.entry(outcome.lever).or_insert_with(|| LeverRow {
            lever: outcome.lever,
            before: best,
            after: best,
            kept: 0,
            rolled_back: 0,
            note: String::new(),
        });
        row.kept += outcome.patches_kept;
        row.rolled_back += outcome.patches_rolled_back;
        if outcome.patches_kept > 0 {
            // The lever's own gain: what its kept iterations moved the best by.
            let gain = outcome.best_accuracy - best.unwrap_or(outcome.best_accuracy);
            row.after = Some(row.after.or(row.before).unwrap_or(0.0) + gain);
        }
        best = Some(outcome.best_accuracy);
    }
    for (key, audit) in &input.session.state.lever_audit {
        let Ok(lever) = key.parse::<u8>() else {
            continue;
        };
        let row = rows.entry(lever).or_insert_with(|| LeverRow {
            lever,
            before: None,
            after: None,
            kept: 0,
            rolled_back: 0,
            note: String::new(),
        });
        if let Some(reason) = &audit.skip_reason {
            row.note.clone_from(reason);
        } else if !audit.attempted {
            "not reached".clone_into(&mut row.note);
        }
    }
    rows.into_values().collect()
}

/// Per question: baseline and final outcome, and the final failure type.
fn question_rows(input: &ReportInput<'_>) -> Vec<(String, String, String, String)> {
    let Some(best) = &input.best else {
        return Vec::new();
    };
    let outcome = |report: &EvalReport, id: &str| {
        report
            .rows
            .iter()
            .find(|row| row.id == id)
            .map_or("–", |row| {
                if !row.is_scored() {
                    "excluded"
                } else if row.correct {
                    "correct"
                } else {
                    "wrong"
                }
            })
            .to_owned()
    };
    best.rows
        .iter()
        .map(|row| {
            (
                row.id.clone(),
                input
                    .baseline
                    .as_ref()
                    .map_or_else(|| "–".to_owned(), |b| outcome(b, &row.id)),
                outcome(best, &row.id),
                row.failure_type
                    .filter(|_| !row.correct)
                    .map_or_else(String::new, |f| f.to_string()),
            )
        })
        .collect()
}

/// `report.md`.
pub(crate) fn markdown(input: &ReportInput<'_>) -> String {
    let results = input.results;
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# genie-opt: space {} ({})\n",
        results.space_id, results.domain
    );
    let _ = writeln!(
        md,
        "Strategy `{:?}`; stopped: {}; best iteration {}.\n",
        results.strategy,
        results
            .convergence_reason
            .map_or("not finished", reason_text),
        results.best_iteration
    );
    let _ = writeln!(
        md,
        "| | train | held out | overfitting gap |\n|---|---|---|---|"
    );
    for (name, scores) in [
        ("baseline", results.baseline),
        ("final", results.final_scores),
    ] {
        let _ = writeln!(
            md,
            "| {name} | {} | {} | {} |",
            pct(scores.map(|s| s.train)),
            pct(scores.and_then(|s| s.held_out)),
            points(scores.and_then(|s| s.overfitting_gap))
        );
    }
    let _ = writeln!(
        md,
        "\n## Levers\n\n| lever | before | after | patches kept | rolled back | note |\n|---|---|---|---|---|---|"
    );
    for row in lever_rows(input) {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} |",
            row.lever,
            pct(row.before),
            pct(row.after),
            row.kept,
            row.rolled_back,
            row.note
        );
    }
    let _ = writeln!(
        md,
        "\n## Iterations\n\n| iteration | lever | kept | rolled back | accuracy | McNemar p | why |\n|---|---|---|---|---|---|---|"
    );
    for it in &results.iterations {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} |",
            it.iteration,
            it.lever,
            it.patches_kept,
            it.patches_rolled_back,
            pct(it.accuracy),
            it.p_value
                .map_or_else(|| "–".to_owned(), |p| format!("{p:.3}")),
            it.reason.replace('|', "\\|")
        );
    }
    let _ = writeln!(
        md,
        "\n## Accounting\n\n{} Genie questions (estimated at most {}), {} SQL statements, {} LLM calls, {} LLM tokens, {:.1} minutes.",
        results.genie_questions,
        results.estimate.genie_questions,
        results.sql_statements,
        results.llm_calls,
        results.llm_tokens,
        results.wall_seconds / 60.0
    );
    let _ = writeln!(md, "\n## Config changes (production → best)\n");
    match &input.session.run.final_diff {
        Some(diff) if !diff.is_empty() => {
            for change in &diff.changes {
                let _ = writeln!(md, "- `{}`", change.path);
            }
        }
        Some(_) => md.push_str("No change.\n"),
        None => md.push_str("Not computed.\n"),
    }
    md
}

/// Escapes text for HTML.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The inline SVG chart: overall accuracy and each judge, per iteration.
fn chart(input: &ReportInput<'_>) -> String {
    let history = &input.session.state.score_history;
    let (width, height, pad) = (640.0_f64, 260.0_f64, 32.0_f64);
    let n = history.len().max(2);
    #[expect(clippy::cast_precision_loss, reason = "a handful of iterations")]
    let x = |i: usize| pad + (width - 2.0 * pad) * i as f64 / (n - 1) as f64;
    let y = |v: f64| height - pad - (height - 2.0 * pad) * v.clamp(0.0, 100.0) / 100.0;
    let mut series: BTreeMap<String, Vec<(usize, f64)>> = BTreeMap::new();
    for (i, snapshot) in history.iter().enumerate() {
        series
            .entry("accuracy".to_owned())
            .or_default()
            .push((i, snapshot.overall_accuracy));
        for (judge, score) in &snapshot.scores {
            series.entry(judge.clone()).or_default().push((i, *score));
        }
    }
    let palette = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
        "#bcbd22", "#17becf",
    ];
    let mut svg = format!(
        "<svg id=\"accuracy-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"accuracy and judges per iteration\">\n"
    );
    for tick in [0.0, 25.0, 50.0, 75.0, 100.0] {
        let _ = writeln!(
            svg,
            "<line x1=\"{pad}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/><text x=\"4\" y=\"{:.1}\" font-size=\"10\">{tick:.0}</text>",
            width - pad,
            y(tick) + 3.0,
            y = y(tick)
        );
    }
    for (index, (name, values)) in series.iter().enumerate() {
        let colour = palette[index % palette.len()];
        let path: Vec<String> = values
            .iter()
            .map(|(i, v)| format!("{:.1},{:.1}", x(*i), y(*v)))
            .collect();
        let stroke = if name == "accuracy" { 3 } else { 1 };
        let _ = writeln!(
            svg,
            "<polyline class=\"series\" data-series=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{stroke}\" points=\"{}\"><title>{}</title></polyline>",
            esc(name),
            path.join(" "),
            esc(name)
        );
        #[expect(clippy::cast_precision_loss, reason = "a handful of series")]
        let legend_y = 14.0 + 12.0 * index as f64;
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{legend_y:.1}\" font-size=\"10\" fill=\"{colour}\">{}</text>",
            width - pad - 110.0,
            esc(name)
        );
    }
    for (i, snapshot) in history.iter().enumerate() {
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\">{}</text>",
            x(i),
            height - 10.0,
            snapshot.iteration
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// `report.html`: one file, no external resources.
pub(crate) fn html(input: &ReportInput<'_>) -> String {
    let results = input.results;
    let mut html = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>genie-opt report</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}.wrong{color:#b00}.correct{color:#070}</style></head><body>\n",
    );
    let _ = writeln!(
        html,
        "<h1>genie-opt: space {} ({})</h1>\n<p>Strategy <code>{:?}</code>; stopped: {}; best iteration {}.</p>",
        esc(&results.space_id),
        esc(&results.domain),
        results.strategy,
        results
            .convergence_reason
            .map_or("not finished", reason_text),
        results.best_iteration
    );
    html.push_str("<h2>Accuracy</h2>\n<table id=\"accuracy\"><tr><th></th><th>train</th><th>held out</th><th>overfitting gap</th></tr>\n");
    for (name, scores) in [
        ("baseline", results.baseline),
        ("final", results.final_scores),
    ] {
        let _ = writeln!(
            html,
            "<tr><td>{name}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            pct(scores.map(|s| s.train)),
            pct(scores.and_then(|s| s.held_out)),
            points(scores.and_then(|s| s.overfitting_gap))
        );
    }
    html.push_str("</table>\n<h2>Per iteration</h2>\n");
    html.push_str(&chart(input));
    html.push_str("<h2>Levers</h2>\n<table id=\"levers\"><tr><th>lever</th><th>before</th><th>after</th><th>patches kept</th><th>rolled back</th><th>note</th></tr>\n");
    for row in lever_rows(input) {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            row.lever,
            pct(row.before),
            pct(row.after),
            row.kept,
            row.rolled_back,
            esc(&row.note)
        );
    }
    html.push_str("</table>\n<h2>Questions</h2>\n<table id=\"questions\"><tr><th>question</th><th>baseline</th><th>final</th><th>failure type</th></tr>\n");
    for (id, before, after, failure) in question_rows(input) {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td class=\"{before}\">{before}</td><td class=\"{after}\">{after}</td><td>{}</td></tr>",
            esc(&id),
            esc(&failure)
        );
    }
    let _ = writeln!(
        html,
        "</table>\n<h2>Accounting</h2>\n<table id=\"accounting\"><tr><th>step</th><th>Genie questions</th><th>SQL statements</th><th>LLM calls</th><th>LLM tokens</th><th>minutes</th></tr>"
    );
    for step in &results.steps {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.2}</td></tr>",
            esc(&step.step),
            step.spent.genie_questions,
            step.spent.sql_statements,
            step.spent.llm_calls,
            step.spent.llm_tokens,
            step.minutes
        );
    }
    let _ = writeln!(
        html,
        "<tr><th>total</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{:.2}</th></tr></table>",
        results.genie_questions,
        results.sql_statements,
        results.llm_calls,
        results.llm_tokens,
        results.wall_seconds / 60.0
    );
    html.push_str("<h2>Config changes (production → best)</h2>\n<ul id=\"diff\">\n");
    if let Some(diff) = &input.session.run.final_diff {
        for change in &diff.changes {
            let after = change
                .after
                .as_ref()
                .map_or_else(|| "(removed)".to_owned(), ToString::to_string);
            let _ = writeln!(
                html,
                "<li><code>{}</code>: {}</li>",
                esc(&change.path),
                esc(&after)
            );
        }
    }
    html.push_str("</ul>\n</body></html>\n");
    html
}

/// The terminal's end-of-run summary with the per-lever table.
pub(crate) fn terminal_summary(session: &Session, results: &Results) -> String {
    let input = ReportInput {
        session,
        results,
        baseline: None,
        best: None,
    };
    let mut text = String::new();
    let _ = writeln!(
        text,
        "\n{:<6} {:>8} {:>8} {:>6} {:>12}  note",
        "lever", "before", "after", "kept", "rolled back"
    );
    for row in lever_rows(&input) {
        let _ = writeln!(
            text,
            "{:<6} {:>8} {:>8} {:>6} {:>12}  {}",
            row.lever,
            pct(row.before),
            pct(row.after),
            row.kept,
            row.rolled_back,
            row.note
        );
    }
    let _ = writeln!(
        text,
        "\ntrain {} -> {}, held out {} -> {} (gap {}); stopped: {}",
        pct(results.baseline.map(|s| s.train)),
        pct(results.final_scores.map(|s| s.train)),
        pct(results.baseline.and_then(|s| s.held_out)),
        pct(results.final_scores.and_then(|s| s.held_out)),
        points(results.final_scores.and_then(|s| s.overfitting_gap)),
        results
            .convergence_reason
            .map_or("not finished", reason_text)
    );
    let _ = write!(
        text,
        "spent: {} Genie questions (estimate {}), {} SQL statements, {} LLM calls, {} tokens, {:.1} min",
        results.genie_questions,
        results.estimate.genie_questions,
        results.sql_statements,
        results.llm_calls,
        results.llm_tokens,
        results.wall_seconds / 60.0
    );
    text
}
