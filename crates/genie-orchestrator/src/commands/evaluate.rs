//! `genie-opt evaluate`: measures a space on benchmark questions — routes to the
//! generator (load, resolve, validate ground truth by execution, split) and then to
//! the evaluator (ask Genie, run both SQLs, judge) — and reports: the artifacts under
//! `--output-dir`, optional `--json` and `--junit` files, a tracker run, and a table.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, bail};
use clap::{Args, ValueEnum};
use genie_core::benchmark::{BenchmarkFile, BenchmarkSet, parse_benchmark_file};
use genie_core::evaluation::{EvalReport, Scope};
use genie_core::ports::{DatasetRef, NewSpace};
use genie_core::space::{GenieSpace, SpaceConfig};
use genie_core::workers::{EvaluationRequest, Evaluator as _, GenerateRequest, Generator as _};
use genie_evaluator::{GenieEvaluator, JudgeBackend};
use genie_generator::BenchmarkGenerator;

use crate::progress::ProgressBar;
use crate::workspace::{LlmArgs, LlmSpec, Workspace, WorkspaceArgs, WorkspaceSpec};
use crate::{Failure, files, report, tracking};

/// Flags of `genie-opt evaluate`.
#[derive(Debug, Args)]
pub(crate) struct EvaluateArgs {
    #[command(flatten)]
    workspace: WorkspaceArgs,
    /// The benchmark questions (YAML: `benchmarks:` with `id`, `question`,
    /// `expected_sql`, optional `split`, `priority`, `category`). Without it, questions
    /// are synthesized from the space's own example SQL and tables, labelled
    /// `synthesized` and checked by running them.
    #[arg(long, value_name = "FILE")]
    benchmarks: Option<PathBuf>,
    /// Which questions, how often: `full`, `p0`, `held_out`, or `repeatability:N`.
    #[arg(long, default_value = "full", value_parser = parse_scope)]
    scope: Scope,
    /// Exit with code 1 when accuracy (0–100, over scored questions) is below this.
    #[arg(long, value_name = "PERCENT")]
    min_accuracy: Option<f64>,
    /// Also write the report as JUnit XML here.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Also write the report as JSON here.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Questions in flight at once (the qpm limit still applies).
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Which judges: `local` (code judges), `llm` (adds LLM judges and the arbiter),
    /// or `official` (Databricks' benchmark eval-run API).
    #[arg(long, value_enum, default_value_t = Judges::Local)]
    judges: Judges,
    /// With `--judges official`: a dev copy of the space whose benchmark questions are
    /// replaced with these benchmarks for Genie's eval run (default: a temporary copy,
    /// trashed afterwards).
    #[arg(long, value_name = "ID")]
    dev_space_id: Option<String>,
    #[command(flatten, next_help_heading = "LLM judges (with --judges llm)")]
    llm: LlmArgs,
    /// Mark more questions P0 (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "ID,…")]
    p0: Vec<String>,
    /// Keep questions whose ground truth fails to run (normally excluded).
    #[arg(long)]
    keep_invalid: bool,
    /// Where `evaluation/eval_results.json`, `failures.json` and
    /// `arbiter_actions.json` are written.
    #[arg(long, value_name = "DIR", default_value = "genie-opt-output")]
    output_dir: PathBuf,
    /// The tracking URI (else `MLFLOW_TRACKING_URI`; with neither, files under
    /// `./genie-opt-runs/`).
    #[arg(long, value_name = "URI")]
    tracking_uri: Option<String>,
}

/// The judge backends as the command line names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Judges {
    /// Code judges, no model.
    Local,
    /// Code judges plus LLM judges and the arbiter.
    Llm,
    /// Databricks' benchmark eval-run API.
    Official,
}

/// `full`, `p0`, `held_out` or `repeatability:N`.
fn parse_scope(text: &str) -> Result<Scope, String> {
    match text {
        "full" => Ok(Scope::Full),
        "p0" => Ok(Scope::P0),
        "held_out" | "held-out" => Ok(Scope::HeldOut),
        other => {
            let n = other
                .strip_prefix("repeatability:")
                .or_else(|| other.strip_prefix("repeatability="))
                .ok_or_else(|| {
                    format!("`{other}` is not a scope: use full, p0, held_out or repeatability:N")
                })?;
            match n.parse::<u32>() {
                Ok(n) if n >= 2 => Ok(Scope::Repeatability { n }),
                _ => Err(format!("repeatability needs N ≥ 2 asks, got `{n}`")),
            }
        }
    }
}

/// Loads the benchmark file; its errors name the file and line.
fn load_benchmarks(path: &Path) -> anyhow::Result<BenchmarkFile> {
    let text = files::read_text(path)?;
    parse_benchmark_file(&path.display().to_string(), &text).map_err(anyhow::Error::from)
}

/// Runs the evaluation; exit 1 when below `--min-accuracy`.
pub(crate) fn run(args: &EvaluateArgs) -> Result<(), Failure> {
    if let Some(min) = args.min_accuracy
        && !(0.0..=100.0).contains(&min)
    {
        return Err(anyhow::anyhow!("--min-accuracy must be between 0 and 100, got {min}").into());
    }
    if args.concurrency == 0 {
        return Err(anyhow::anyhow!("--concurrency must be at least 1").into());
    }
    let file = args
        .benchmarks
        .as_deref()
        .map(load_benchmarks)
        .transpose()?;
    let spec = WorkspaceSpec::from_args(&args.workspace)?;
    let (tracker, tracking_place) = tracking::tracker(args.tracking_uri.as_deref())?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let report = runtime.block_on(async {
        let workspace = Workspace::connect(&spec).await?;
        let outcome = evaluate(args, &workspace, file).await;
        workspace.close().await;
        let Evaluated {
            report,
            dataset,
            corrected,
        } = outcome?;
        write_outputs(args, &report)?;
        let source = args.benchmarks.as_ref().map_or_else(
            || "synthesized from the space".to_owned(),
            |path| path.display().to_string(),
        );
        let run_id = log(tracker.as_ref(), &report, &dataset, &source)
            .await
            .with_context(|| format!("cannot log the run to {tracking_place}"))?;
        Ok::<_, anyhow::Error>((report, run_id, corrected))
    });
    let (report, run_id, corrected) = report?;
    let mut out = std::io::stdout().lock();
    let summary = report::summary(&report);
    writeln!(
        out,
        "{summary}\nreport: {}\ntracked: run {run_id} ({tracking_place})",
        args.output_dir.join("evaluation").display()
    )
    .context("cannot write to standard output")?;
    match corrected {
        Some(Ok(path)) => writeln!(
            out,
            "the arbiter sided with Genie on enough questions: corrected benchmarks written to {}",
            path.display()
        ),
        Some(Err(reason)) => writeln!(
            out,
            "the arbiter sided with Genie on enough questions, but no corrected version was written: {reason}"
        ),
        None => Ok(()),
    }
    .context("cannot write to standard output")?;
    match args.min_accuracy {
        Some(min) if report.overall_accuracy < min => {
            writeln!(
                out,
                "accuracy {:.1}% is below --min-accuracy {min}",
                report.overall_accuracy
            )
            .context("cannot write to standard output")?;
            Err(Failure::Findings)
        }
        _ => Ok(()),
    }
}

/// What one evaluation produced.
struct Evaluated {
    report: EvalReport,
    dataset: DatasetRef,
    /// When the arbiter sided with Genie often enough: the corrected benchmark file
    /// written beside the original, or why none could be.
    corrected: Option<Result<PathBuf, String>>,
}

/// Generator, then evaluator, on the connected workspace; then the generator again
/// when the arbiter found enough ground truths to correct.
async fn evaluate(
    args: &EvaluateArgs,
    workspace: &Workspace,
    file: Option<BenchmarkFile>,
) -> anyhow::Result<Evaluated> {
    let space = workspace
        .genie
        .get_space(&workspace.space_id)
        .await
        .with_context(|| format!("cannot read space {}", workspace.space_id))?;
    let config = space
        .config()
        .with_context(|| format!("space {} has no readable configuration", workspace.space_id))?;
    let generator = BenchmarkGenerator::new(
        Arc::clone(&workspace.warehouse),
        genie_generator::Config::default(),
    )?;
    let request = GenerateRequest {
        space_id: workspace.space_id.clone(),
        config: config.clone(),
        domain: file.as_ref().and_then(|file| file.domain.clone()),
        file,
        extra_p0: args.p0.clone(),
        keep_invalid: args.keep_invalid,
    };
    let synthesized = request.file.is_none();
    let benchmarks = generator.generate(&request).await?;
    if synthesized {
        tracing::warn!(
            questions = benchmarks.benchmarks.len(),
            "no --benchmarks: every question was synthesized from the space's own metadata"
        );
    }
    for excluded in &benchmarks.excluded {
        tracing::warn!(id = %excluded.id, reason = %excluded.reason, "ground truth excluded");
    }
    let mut temporary_space = None;
    let judges = match args.judges {
        Judges::Local => JudgeBackend::Local,
        Judges::Llm => JudgeBackend::Llm,
        Judges::Official => {
            let (dev_space_id, temporary) = official_space(
                workspace,
                &space,
                &config,
                &benchmarks,
                args.dev_space_id.as_deref(),
            )
            .await?;
            if temporary {
                temporary_space = Some(dev_space_id.clone());
            }
            JudgeBackend::Official { dev_space_id }
        }
    };
    let llm = match args.judges {
        Judges::Llm => {
            let spec = LlmSpec::from_args(&args.llm).context(
                "--judges llm needs a model: --llm-endpoint NAME, or --llm-base-url URL with --llm-model MODEL",
            )?;
            Some(workspace.llm(&spec)?)
        }
        _ => None,
    };
    let config_hash = config.content_hash();
    let dataset = DatasetRef {
        name: benchmarks.dataset_name.clone(),
        digest: benchmarks.content_hash.short().to_owned(),
    };
    let total = match &args.scope {
        Scope::Repeatability { n } => {
            benchmarks.benchmarks.len() * usize::try_from(*n).unwrap_or(1)
        }
        _ => benchmarks.benchmarks.len(),
    };
    let progress = Arc::new(ProgressBar::new(total));
    let evaluator = GenieEvaluator::builder(
        Arc::clone(&workspace.genie),
        Arc::clone(&workspace.warehouse),
    )
    .config(genie_evaluator::Config {
        concurrency: args.concurrency,
        judges,
        ..genie_evaluator::Config::default()
    })
    .progress(progress.clone());
    let evaluator = match llm {
        Some(llm) => evaluator.llm(llm),
        None => evaluator,
    }
    .build();
    let request = EvaluationRequest {
        space_id: workspace.space_id.clone(),
        config_hash: Some(config_hash),
        benchmarks: benchmarks.clone(),
        scope: args.scope.clone(),
        iteration: 0,
        previous: None,
    };
    let report = evaluator.evaluate(&request).await;
    progress.finish();
    if let Some(space_id) = temporary_space
        && let Err(error) = workspace.genie.trash_space(&space_id).await
    {
        tracing::warn!(space_id, %error, "cannot trash the temporary evaluation space; trash it by hand");
    }
    let report = report?;
    let corrected = match &args.benchmarks {
        Some(original) => correct(&generator, &benchmarks, &report, original).await,
        None => None,
    };
    Ok(Evaluated {
        report,
        dataset,
        corrected,
    })
}

/// The arbiter's `genie_correct` verdicts as a new benchmark version beside the
/// original file (which is never overwritten), once there are enough of them.
/// Corrections whose SQL does not validate are dropped with a warning; `Err` says why
/// no version was written although the arbiter asked for one.
async fn correct(
    generator: &BenchmarkGenerator,
    benchmarks: &BenchmarkSet,
    report: &EvalReport,
    original: &Path,
) -> Option<Result<PathBuf, String>> {
    let mut corrections = genie_evaluator::benchmark_corrections(report);
    let minimum = generator.config().min_corrections;
    if corrections.len() < minimum {
        return None;
    }
    loop {
        if corrections.len() < minimum {
            return Some(Err(format!(
                "only {} of the arbiter's corrections validate, fewer than the {minimum} a new version needs",
                corrections.len()
            )));
        }
        match generator.apply_corrections(benchmarks, &corrections).await {
            Ok(corrected) => {
                return Some(
                    genie_generator::write_corrected_file(original, &corrected)
                        .map_err(|error| format!("{:#}", anyhow::Error::from(error))),
                );
            }
            Err(error) => {
                let invalid = match error.downcast_ref::<genie_generator::Error>() {
                    Some(genie_generator::Error::InvalidCorrection { id, reason }) => {
                        tracing::warn!(id, reason, "correction dropped: its SQL does not validate");
                        id.clone()
                    }
                    _ => return Some(Err(format!("{:#}", anyhow::Error::from(error)))),
                };
                corrections.retain(|correction| correction.id != invalid);
            }
        }
    }
}

/// Puts the benchmarks into a dev space's `benchmarks` section for Genie's own eval
/// runs: the space `--dev-space-id` names (its benchmark questions replaced, guarded by
/// its etag), or else a temporary copy of the evaluated space, trashed afterwards.
/// The evaluated space itself is never written. Returns the id and whether it is
/// temporary.
async fn official_space(
    workspace: &Workspace,
    space: &GenieSpace,
    config: &SpaceConfig,
    benchmarks: &BenchmarkSet,
    dev_space_id: Option<&str>,
) -> anyhow::Result<(String, bool)> {
    let questions = benchmarks.space_questions();
    if let Some(id) = dev_space_id {
        if id == workspace.space_id {
            bail!(
                "--dev-space-id must not be the evaluated space: official eval runs replace the dev space's benchmark questions"
            );
        }
        let dev = workspace
            .genie
            .get_space(id)
            .await
            .with_context(|| format!("cannot read dev space {id}"))?;
        let mut dev_config = dev
            .config()
            .with_context(|| format!("dev space {id} has no readable configuration"))?;
        *dev_config.benchmark_questions_mut() = questions;
        workspace
            .genie
            .update_space(id, &dev_config, dev.etag.as_deref())
            .await
            .with_context(|| format!("cannot write the benchmarks into dev space {id}"))?;
        return Ok((id.to_owned(), false));
    }
    let mut copy = config.clone();
    *copy.benchmark_questions_mut() = questions;
    let title = space.title.as_deref().unwrap_or(&workspace.space_id);
    let created = workspace
        .genie
        .create_space(&NewSpace {
            title: format!("{title} (genie-opt official evaluation, temporary)"),
            description: Some(format!(
                "A temporary copy of space {} with the benchmark questions, made by genie-opt evaluate --judges official.",
                workspace.space_id
            )),
            warehouse_id: space.warehouse_id.clone().unwrap_or_default(),
            parent_path: space.parent_path.clone(),
            config: copy,
        })
        .await
        .context("cannot create a temporary space for the official evaluation")?;
    let id = created
        .space_id
        .context("the new temporary space has no id")?;
    Ok((id, true))
}

/// The artifacts, and the `--json` / `--junit` files, each written atomically.
fn write_outputs(args: &EvaluateArgs, report: &EvalReport) -> anyhow::Result<()> {
    for (path, content) in genie_evaluator::report_artifacts(report) {
        let target = args.output_dir.join(&path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create `{}`", parent.display()))?;
        }
        files::write_atomic(&target, &content)?;
    }
    if let Some(path) = &args.json {
        let mut text = serde_json::to_string_pretty(report).context("cannot render the report")?;
        text.push('\n');
        files::write_atomic(path, text.as_bytes())?;
    }
    if let Some(path) = &args.junit {
        files::write_atomic(path, report::junit(report).as_bytes())?;
    }
    Ok(())
}

/// One tracker run for the evaluation (DESIGN §8), with its dataset; returns its id.
async fn log(
    tracker: &dyn genie_core::ports::Tracker,
    report: &EvalReport,
    dataset: &DatasetRef,
    source: &str,
) -> anyhow::Result<String> {
    let experiment = tracker
        .experiment(&format!("genie-opt/{}", report.space_id))
        .await?;
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX)
        });
    let run_id = genie_evaluator::log_report(tracker, &experiment, report, now_ms).await?;
    tracker.log_dataset(&run_id, dataset, source).await?;
    Ok(run_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_and_bad_ones_say_why() {
        assert_eq!(parse_scope("full").unwrap(), Scope::Full);
        assert_eq!(parse_scope("p0").unwrap(), Scope::P0);
        assert_eq!(parse_scope("held_out").unwrap(), Scope::HeldOut);
        assert_eq!(
            parse_scope("repeatability:3").unwrap(),
            Scope::Repeatability { n: 3 }
        );
        assert!(
            parse_scope("repeatability:1")
                .unwrap_err()
                .contains("N ≥ 2")
        );
        assert!(parse_scope("slice").unwrap_err().contains("not a scope"));
    }
}
