//! `genie-opt optimize`'s flags, and the one [`RunConfig`] they resolve into at the
//! edge: nothing after [`RunConfig::from_args`] reads a flag.

use std::path::PathBuf;

use anyhow::bail;
use clap::{Args, ValueEnum};
use genie_core::workers::UcWrites;
use serde::{Deserialize, Serialize};

use crate::workspace::{LlmArgs, LlmSpec, WorkspaceArgs, WorkspaceSpec};

/// Flags of `genie-opt optimize`.
#[derive(Debug, Args)]
pub(crate) struct OptimizeArgs {
    #[command(flatten)]
    workspace: WorkspaceArgs,
    /// The benchmark questions (YAML, see `docs/evaluation.md`).
    #[arg(long, value_name = "FILE")]
    benchmarks: PathBuf,
    /// The domain (names of bundle files, clones and logged models; default: the
    /// benchmarks file's, else `genie`).
    #[arg(long)]
    domain: Option<String>,
    /// Iterations (patch sets tried) at most.
    #[arg(long, default_value_t = 5)]
    max_iterations: u32,
    /// Train accuracy (0–100) at which the loop stops, with every judge on target.
    #[arg(long, default_value_t = 95.0)]
    target_accuracy: f64,
    /// Continue the session in `--output-dir` after an interruption.
    #[arg(long)]
    resume: bool,
    /// Write the best config to production at the end (never otherwise).
    #[arg(long)]
    promote: bool,
    /// Deploy the bundle to this target at the end (`databricks bundle deploy -t T`).
    #[arg(long, value_name = "T")]
    deploy_target: Option<String>,
    /// Run Unity Catalog statements live (shared by every space, production included);
    /// by default they are only written to the bundle.
    #[arg(long)]
    allow_uc_writes: bool,
    /// The bundle directory changes are persisted to (default: `OUTPUT_DIR/bundle`).
    #[arg(long, value_name = "DIR")]
    bundle_dir: Option<PathBuf>,
    /// Where the session file, reports and `results.json` go.
    #[arg(long, value_name = "DIR", default_value = "genie-opt-out")]
    output_dir: PathBuf,
    /// `lever`: one patch set per lever with slice and P0 gates; `sequential`: one fix
    /// at a time, a full evaluation after each.
    #[arg(long, value_enum, default_value_t = Strategy::Lever)]
    strategy: Strategy,
    /// Times each train question is asked for the repeatability test at the end (0:
    /// no test).
    #[arg(long, default_value_t = 2)]
    repeatability: u32,
    /// Questions in flight at once.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Milliseconds Genie takes to answer from a written config (default: 60000 on
    /// Databricks, 0 on a server on this machine, the sandbox's propagation delay).
    #[arg(long, value_name = "MS")]
    propagation_wait_ms: Option<u64>,
    /// MLflow tracking URI (else `MLFLOW_TRACKING_URI`; with neither, files under
    /// `./genie-opt-runs/`).
    #[arg(long, value_name = "URI")]
    tracking_uri: Option<String>,
    #[command(flatten)]
    llm: LlmArgs,
}

/// How the loop proposes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ValueEnum)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Strategy {
    /// A patch set per lever, gated by slice and P0 evaluations.
    Lever,
    /// One fix (one failure cluster's patches) at a time, a full evaluation after each.
    Sequential,
}

/// Everything a run needs to know, resolved once.
#[derive(Debug, Clone)]
pub(crate) struct RunConfig {
    /// The workspace and space.
    pub workspace: WorkspaceSpec,
    /// The model, if any.
    pub llm: Option<LlmSpec>,
    /// The benchmarks file.
    pub benchmarks: PathBuf,
    /// The domain, when given.
    pub domain: Option<String>,
    /// Iterations at most.
    pub max_iterations: u32,
    /// Train accuracy target.
    pub target_accuracy: f64,
    /// Resume the session in the output directory.
    pub resume: bool,
    /// Promote at the end.
    pub promote: bool,
    /// Deploy target.
    pub deploy_target: Option<String>,
    /// Unity Catalog writes.
    pub uc_writes: UcWrites,
    /// The bundle directory.
    pub bundle_dir: PathBuf,
    /// The output directory.
    pub output_dir: PathBuf,
    /// The strategy.
    pub strategy: Strategy,
    /// Asks per question in the repeatability test.
    pub repeatability: u32,
    /// Questions in flight.
    pub concurrency: usize,
    /// The applier's wait after a write, when given.
    pub propagation_wait_ms: Option<u64>,
    /// Tracking URI.
    pub tracking_uri: Option<String>,
}

impl RunConfig {
    /// The configuration the flags give; bad values are refused here.
    pub(crate) fn from_args(args: &OptimizeArgs) -> anyhow::Result<Self> {
        if !(0.0..=100.0).contains(&args.target_accuracy) {
            bail!(
                "--target-accuracy must be between 0 and 100, got {}",
                args.target_accuracy
            );
        }
        if args.concurrency == 0 {
            bail!("--concurrency must be at least 1");
        }
        if args.repeatability == 1 {
            bail!("--repeatability needs at least 2 asks (or 0 for no test)");
        }
        let llm = LlmSpec::from_args(&args.llm);
        Ok(Self {
            workspace: WorkspaceSpec::from_args(&args.workspace)?,
            llm,
            benchmarks: args.benchmarks.clone(),
            domain: args.domain.clone(),
            max_iterations: args.max_iterations,
            target_accuracy: args.target_accuracy,
            resume: args.resume,
            promote: args.promote,
            deploy_target: args.deploy_target.clone(),
            uc_writes: if args.allow_uc_writes {
                UcWrites::ExecuteLive
            } else {
                UcWrites::EmitToBundle
            },
            bundle_dir: args
                .bundle_dir
                .clone()
                .unwrap_or_else(|| args.output_dir.join("bundle")),
            output_dir: args.output_dir.clone(),
            strategy: args.strategy,
            repeatability: args.repeatability,
            concurrency: args.concurrency,
            propagation_wait_ms: args.propagation_wait_ms,
            tracking_uri: args.tracking_uri.clone(),
        })
    }
}
