//! The run's [`Workers`]: the four worker traits as trait objects, built once over
//! the workspace's (counted) clients. The orchestrator calls them only through the
//! routing table ([`crate::routes`]).

use std::path::Path;
use std::sync::Arc;

use genie_applier::{FileBundleRepo, GenieApplier};
use genie_core::workers::{Applier, Evaluator, Generator, Optimizer};
use genie_evaluator::GenieEvaluator;
use genie_generator::BenchmarkGenerator;
use genie_optimizer::GenieOptimizer;

use crate::progress::ProgressSlot;
use crate::workspace::{Target, Workspace, WorkspaceSpec};

/// The four workers of DESIGN §2.
#[derive(Clone)]
pub(crate) struct Workers {
    /// Benchmarks.
    pub generator: Arc<dyn Generator>,
    /// Reports.
    pub evaluator: Arc<dyn Evaluator>,
    /// Patch sets.
    pub optimizer: Arc<dyn Optimizer>,
    /// Applies, rollbacks, clones, promotion.
    pub applier: Arc<dyn Applier>,
}

/// What the workers are built with, beyond the workspace's clients.
pub(crate) struct WorkerSettings<'a> {
    /// The workspace spec (the sandbox's propagation delay sets the applier's wait).
    pub spec: &'a WorkspaceSpec,
    /// Questions in flight per evaluation.
    pub concurrency: usize,
    /// The bundle directory every change is persisted to.
    pub bundle_dir: &'a Path,
    /// Where the applier journals unfinished applies (for `--resume`).
    pub journal_dir: &'a Path,
    /// The model, if one was named (LLM judges and the optimizer's model path).
    pub llm: Option<Arc<dyn genie_core::ports::Llm>>,
    /// The evaluator's progress bar.
    pub progress: Arc<ProgressSlot>,
    /// How long Genie takes to see a space write (`None`: the workspace's default).
    pub propagation_wait_ms: Option<u64>,
}

impl Workers {
    /// The workers over `workspace`'s clients.
    pub(crate) fn build(
        workspace: &Workspace,
        settings: WorkerSettings<'_>,
    ) -> anyhow::Result<Self> {
        let generator = BenchmarkGenerator::new(
            Arc::clone(&workspace.warehouse),
            genie_generator::Config::default(),
        )?;
        let judges = if settings.llm.is_some() {
            genie_evaluator::JudgeBackend::Llm
        } else {
            genie_evaluator::JudgeBackend::Local
        };
        let evaluator = GenieEvaluator::builder(
            Arc::clone(&workspace.genie),
            Arc::clone(&workspace.warehouse),
        )
        .config(genie_evaluator::Config {
            concurrency: settings.concurrency,
            judges,
            ..genie_evaluator::Config::default()
        })
        .progress(settings.progress);
        let optimizer = GenieOptimizer::builder().warehouse(Arc::clone(&workspace.warehouse));
        let (evaluator, optimizer) = match settings.llm {
            Some(llm) => (
                evaluator.llm(Arc::clone(&llm)).build(),
                optimizer.llm(llm).build(),
            ),
            None => (evaluator.build(), optimizer.build()),
        };
        let applier_config =
            match &settings.spec.target {
                Target::Sandbox { faults, .. } => genie_applier::Config {
                    visibility_timeout_ms: 30_000,
                    poll_interval_ms: 20,
                    propagation_wait_ms: settings
                        .propagation_wait_ms
                        .unwrap_or_else(|| faults.scaled(faults.propagation_delay_ms)),
                    journal_dir: Some(settings.journal_dir.to_path_buf()),
                    ..genie_applier::Config::default()
                },
                // A server on this machine (the sandbox served by `genie-opt sandbox`)
                // shows a write at once unless told otherwise; Databricks takes its time.
                Target::Databricks { .. } => genie_applier::Config {
                    visibility_timeout_ms: if workspace.local { 30_000 } else { 120_000 },
                    poll_interval_ms: if workspace.local { 20 } else { 1_000 },
                    propagation_wait_ms: settings
                        .propagation_wait_ms
                        .unwrap_or(if workspace.local { 0 } else { 60_000 }),
                    journal_dir: Some(settings.journal_dir.to_path_buf()),
                    ..genie_applier::Config::default()
                },
            };
        let applier = GenieApplier::builder(
            Arc::clone(&workspace.genie),
            Arc::clone(&workspace.warehouse),
            Arc::new(FileBundleRepo::new(settings.bundle_dir)),
        )
        .config(applier_config)
        .build();
        Ok(Self {
            generator: Arc::new(generator),
            evaluator: Arc::new(evaluator),
            optimizer: Arc::new(optimizer),
            applier: Arc::new(applier),
        })
    }
}
