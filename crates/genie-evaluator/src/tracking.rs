//! [`log_report`]: one tracker run per evaluation (DESIGN §8).

use std::collections::BTreeMap;

use genie_core::error::PortError;
use genie_core::evaluation::{EvalReport, VerdictSource};
use genie_core::ports::{Metric, RunStatus, Tracker};

use crate::artifacts::report_artifacts;

/// Logs `report` as a run named `genie_eval_iter{N}_{timestamp}` in `experiment_id`:
/// params `space_id`, `iteration`, `dataset`, `eval_scope`, `num_scorers` (and the
/// config hash when known, and `prompt_versions`, the model prompts behind any
/// verdict), one metric per judge score plus the accuracy and counts,
/// and the [`report_artifacts`]. Returns the run's id; the run ends `FAILED` when a
/// step after its start fails.
pub async fn log_report(
    tracker: &dyn Tracker,
    experiment_id: &str,
    report: &EvalReport,
    now_ms: u64,
) -> Result<String, PortError> {
    let name = format!("genie_eval_iter{}_{}", report.iteration, timestamp(now_ms));
    let run_id = tracker.start_run(experiment_id, &name, now_ms).await?;
    match log_contents(tracker, &run_id, report, now_ms).await {
        Ok(()) => {
            tracker
                .end_run(&run_id, RunStatus::Finished, now_ms)
                .await?;
            Ok(run_id)
        }
        Err(error) => {
            if let Err(end_error) = tracker.end_run(&run_id, RunStatus::Failed, now_ms).await {
                tracing::warn!(%end_error, run_id, "could not mark the run failed");
            }
            Err(error)
        }
    }
}

async fn log_contents(
    tracker: &dyn Tracker,
    run_id: &str,
    report: &EvalReport,
    now_ms: u64,
) -> Result<(), PortError> {
    let mut params = BTreeMap::from([
        ("space_id".to_owned(), report.space_id.clone()),
        ("iteration".to_owned(), report.iteration.to_string()),
        ("dataset".to_owned(), report.dataset.clone()),
        ("eval_scope".to_owned(), report.scope.name()),
        ("num_scorers".to_owned(), report.scores.len().to_string()),
    ]);
    if let Some(hash) = &report.config_hash {
        params.insert("config_hash".to_owned(), hash.short().to_owned());
    }
    let prompts = prompt_versions(report);
    if !prompts.is_empty() {
        params.insert("prompt_versions".to_owned(), prompts.join(","));
    }
    tracker.log_params(run_id, &params).await?;
    let step = u64::from(report.iteration);
    let metric = |key: String, value: f64| Metric {
        key,
        value,
        timestamp_ms: now_ms,
        step,
    };
    let mut metrics: Vec<Metric> = report
        .scores
        .iter()
        .map(|(judge, score)| metric(judge.as_str().to_owned(), *score))
        .collect();
    #[expect(
        clippy::cast_precision_loss,
        reason = "question counts are far below 2^52"
    )]
    metrics.extend([
        metric("overall_accuracy".to_owned(), report.overall_accuracy),
        metric("scored".to_owned(), report.scored as f64),
        metric("total_questions".to_owned(), report.total_questions as f64),
        metric("correct_count".to_owned(), report.correct_count as f64),
    ]);
    for (failure, count) in &report.failures_by_type {
        #[expect(
            clippy::cast_precision_loss,
            reason = "question counts are far below 2^52"
        )]
        metrics.push(metric(format!("failures_{failure}"), *count as f64));
    }
    tracker.log_metrics(run_id, &metrics).await?;
    let tags = BTreeMap::from([
        ("genie.denominator".to_owned(), report.denominator()),
        (
            "genie.thresholds_passed".to_owned(),
            report.all_thresholds_passed().to_string(),
        ),
    ]);
    tracker.set_tags(run_id, &tags).await?;
    for (path, content) in report_artifacts(report) {
        tracker.log_artifact(run_id, &path, &content).await?;
    }
    Ok(())
}

/// The versions of the model prompts whose verdicts are in the report, sorted.
fn prompt_versions(report: &EvalReport) -> Vec<String> {
    let sources = report.rows.iter().flat_map(|row| {
        row.verdicts
            .iter()
            .map(|verdict| &verdict.source)
            .chain(row.arbiter.iter().map(|arbiter| &arbiter.source))
    });
    let versions: std::collections::BTreeSet<String> = sources
        .filter_map(|source| match source {
            VerdictSource::Llm { prompt_version } => Some(prompt_version.clone()),
            _ => None,
        })
        .collect();
    versions.into_iter().collect()
}

/// `YYYYMMDD_HHMMSS` (UTC) of Unix milliseconds.
fn timestamp(now_ms: u64) -> String {
    let seconds = now_ms / 1000;
    let days = seconds / 86_400;
    let rest = seconds % 86_400;
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}{month:02}{day:02}_{:02}{:02}{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, for non-negative days).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_calendar_times() {
        assert_eq!(timestamp(0), "19700101_000000");
        assert_eq!(timestamp(1_795_370_592_433), "20261122_180312");
        assert_eq!(timestamp(951_782_400_000), "20000229_000000");
    }
}
