//! `genie-opt optimize`: the whole workflow in one command — the flags resolved into
//! one [`config::RunConfig`], the workers built once, the loop run by
//! [`run::Run`] through the routing table, and the session, `results.json` and the
//! reports written to the output directory.

pub(crate) mod config;
pub(crate) mod decide;
pub(crate) mod results;
pub(crate) mod run;
pub(crate) mod session;

use std::io::Write as _;
use std::sync::Arc;

use anyhow::Context as _;

use crate::progress::ProgressSlot;
use crate::workers::{WorkerSettings, Workers};
use crate::workspace::Workspace;
use crate::{Failure, files, tracking};

use config::{OptimizeArgs, RunConfig};
use results::Results;

/// Runs `genie-opt optimize`.
pub(crate) fn run(args: &OptimizeArgs) -> Result<(), Failure> {
    let config = RunConfig::from_args(args)?;
    let tracker = tracking::tracker(config.tracking_uri.as_deref())?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let session = runtime.block_on(async {
        let workspace = Workspace::connect(&config.workspace).await?;
        let outcome = optimize(&config, &workspace, tracker).await;
        workspace.close().await;
        outcome
    })?;
    let results = Results::of(&session);
    files::write_atomic(
        &config.output_dir.join("results.json"),
        results.to_json().as_bytes(),
    )?;
    crate::report_files::write(&config.output_dir, &session, &results)?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}\nsession, results and reports in {}",
        crate::report_files::terminal_summary(&session, &results),
        config.output_dir.display()
    )
    .context("cannot write to standard output")?;
    Ok(())
}

async fn optimize(
    config: &RunConfig,
    workspace: &Workspace,
    tracker: (Box<dyn genie_core::ports::Tracker>, String),
) -> anyhow::Result<session::Session> {
    let llm = config
        .llm
        .as_ref()
        .map(|spec| workspace.llm(spec))
        .transpose()?;
    let progress = Arc::new(ProgressSlot::default());
    let journal_dir = config.output_dir.join("journal");
    std::fs::create_dir_all(&config.bundle_dir)
        .with_context(|| format!("cannot create `{}`", config.bundle_dir.display()))?;
    let workers = Workers::build(
        workspace,
        WorkerSettings {
            spec: &config.workspace,
            concurrency: config.concurrency,
            bundle_dir: &config.bundle_dir,
            journal_dir: &journal_dir,
            llm,
            progress: Arc::clone(&progress),
            propagation_wait_ms: config.propagation_wait_ms,
        },
    )?;
    let run = run::Run::start(config, workspace, workers, progress, Some(tracker)).await?;
    let estimate = run.estimate();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{} session {} on space {}: at most {} Genie questions{}",
        if config.resume {
            "resuming"
        } else {
            "starting"
        },
        run.session().run.run_id,
        workspace.space_id,
        estimate.genie_questions,
        estimate.minutes.map_or_else(String::new, |m| format!(
            ", about {m:.0} min at the qpm limit"
        ))
    );
    drop(out);
    run.run().await
}
