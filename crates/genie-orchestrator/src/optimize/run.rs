//! The loop's state machine (DESIGN §4): benchmarks, clones, baseline, then per lever
//! propose → apply on dev-working → slice gate → P0 gate → full evaluation → keep or
//! roll back, until a stop reason; then repeatability, held out, bundle export,
//! promotion and deployment when asked. Each step is recorded in the session, which
//! is written after every step, and each evaluation's report is kept in
//! `evaluations/`, so a resumed run repeats no step that finished.

use std::collections::BTreeSet;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context as _, anyhow, bail};
use genie_core::benchmark::{BenchmarkFile, BenchmarkSet, Priority, Split, parse_benchmark_file};
use genie_core::catalog::{CatalogScope, read_catalog};
use genie_core::evaluation::{EvalReport, Scope};
use genie_core::patch::{ApplyBase, PatchSet};
use genie_core::ports::{ExecuteOptions, Tracker};
use genie_core::session::{
    ConvergenceReason, IterationRecord, LeverImpact, SessionState, SessionStatus, StepRecord,
};
use genie_core::space::SpaceId;
use genie_core::taxonomy::Lever;
use genie_core::workers::{
    ApplyRequest, CloneRequest, DeployRequest, DevCopy, DevSpace, DevSpaces, EvaluationRequest,
    ExportRequest, GenerateRequest, LeakageGuard, MetadataSnapshot, PromotionApproval,
    PromotionRequest, Proposal, ProposalRequest, RollbackRequest, TrainFailures,
};

use super::config::{RunConfig, Strategy};
use super::decide;
use super::session::{
    Accuracies, Decision, Estimate, IterationOutcome, Pending, RunRecord, Session,
};
use crate::accounting::Counts;
use crate::clock::{now_ms, rfc3339};
use crate::files;
use crate::progress::ProgressSlot;
use crate::routes::{RoutedCall, Situation, route};
use crate::workers::Workers;
use crate::workspace::Workspace;

/// A run in progress: the workers, the session, and where things are written.
pub(crate) struct Run<'a> {
    config: &'a RunConfig,
    workspace: &'a Workspace,
    workers: Workers,
    progress: Arc<ProgressSlot>,
    tracker: Option<(Box<dyn Tracker>, String)>,
    session: Session,
    session_path: PathBuf,
    /// What earlier processes of the session spent, and their wall time.
    spent_before: (Counts, u64),
    benchmarks: BenchmarkSet,
    train: BenchmarkSet,
    started: Instant,
}

impl<'a> Run<'a> {
    /// Loads the benchmarks, then starts a session or resumes the one in the output
    /// directory (refused when it belongs to another space or benchmark set).
    pub(crate) async fn start(
        config: &'a RunConfig,
        workspace: &'a Workspace,
        workers: Workers,
        progress: Arc<ProgressSlot>,
        tracker: Option<(Box<dyn Tracker>, String)>,
    ) -> anyhow::Result<Self> {
        let started = Instant::now();
        std::fs::create_dir_all(config.output_dir.join("evaluations"))
            .with_context(|| format!("cannot create `{}`", config.output_dir.display()))?;
        let session_path = Session::path(&config.output_dir);
        let existing = session_path.exists();
        if existing && !config.resume {
            let session = Session::load(&session_path)?;
            if !session.run.finished {
                bail!(
                    "an unfinished session is in `{}`: pass --resume to continue it, or choose another --output-dir",
                    session_path.display()
                );
            }
        }
        if config.resume && !existing {
            bail!(
                "--resume: no session in `{}` to resume",
                config.output_dir.display()
            );
        }
        if config.resume && workspace.embedded {
            bail!(
                "--resume needs a workspace that outlived the interrupted run, and the embedded sandbox ended with it: serve the fixture with `genie-opt sandbox` and pass its --host and --space-id"
            );
        }
        let file = load_benchmarks(&config.benchmarks)?;
        let production = workspace
            .genie
            .get_space(&workspace.space_id)
            .await
            .with_context(|| format!("cannot read space {}", workspace.space_id))?;
        let production_config = production.config().with_context(|| {
            format!("space {} has no readable configuration", workspace.space_id)
        })?;
        let domain = config
            .domain
            .clone()
            .or_else(|| file.domain.clone())
            .unwrap_or_else(|| "genie".to_owned());
        let request = GenerateRequest {
            space_id: workspace.space_id.clone(),
            config: production_config,
            file: Some(file),
            domain: Some(domain.clone()),
            extra_p0: Vec::new(),
            keep_invalid: false,
        };
        let before = workspace.counters.snapshot();
        let clock = Instant::now();
        let benchmarks = workers.generator.generate(&request).await;
        let generated = RoutedCall {
            step: "benchmarks".to_owned(),
            situation: Situation::NeedBenchmarks,
            worker: route(Situation::NeedBenchmarks).worker,
            inputs: format!(
                "space {}, file {}",
                workspace.space_id,
                config.benchmarks.display()
            ),
            outputs: match &benchmarks {
                Ok(set) => format!(
                    "{} questions ({} excluded), dataset {} @ {}",
                    set.benchmarks.len(),
                    set.excluded.len(),
                    set.dataset_name,
                    set.content_hash.short()
                ),
                Err(error) => format!("error: {error}"),
            },
            ok: benchmarks.is_ok(),
            spent: workspace.counters.snapshot().since(before),
            millis: elapsed_ms(clock),
        };
        let benchmarks = benchmarks.context("cannot load the benchmarks")?;
        let mut train = benchmarks.clone();
        train.benchmarks.retain(|b| b.split == Split::Train);
        if train.benchmarks.is_empty() {
            bail!("the benchmarks have no train question to optimize on");
        }
        let held_out = benchmarks.benchmarks.len() - train.benchmarks.len();
        let session = if config.resume {
            let mut session = Session::load(&session_path)?;
            session.check_identity(&workspace.space_id, &benchmarks.content_hash, &session_path)?;
            session.run.finished = false;
            session
        } else {
            let now = now_ms();
            let mut state = SessionState::new(
                &workspace.space_id,
                &domain,
                &rfc3339(now),
                config.max_iterations,
            );
            state.eval_dataset_name = Some(benchmarks.dataset_name.clone());
            let p0 = train
                .benchmarks
                .iter()
                .filter(|b| b.priority == Priority::P0)
                .count();
            let estimate = Estimate::of_plan(
                train.benchmarks.len(),
                held_out,
                p0,
                config.max_iterations,
                config.repeatability,
                config.strategy == Strategy::Sequential,
                config.workspace.effective_qpm(),
            );
            Session {
                state,
                run: RunRecord {
                    run_id: format!("run-{now:x}"),
                    strategy: config.strategy,
                    benchmark_hash: benchmarks.content_hash.clone(),
                    train_questions: train.benchmarks.len(),
                    held_out_questions: held_out,
                    production_base: None,
                    estimate,
                    pending: None,
                    next_lever: 0,
                    idle_levers: 0,
                    tried: Vec::new(),
                    consecutive_rollbacks: 0,
                    outcomes: Vec::new(),
                    baseline: None,
                    final_scores: None,
                    routed_calls: Vec::new(),
                    spent: Counts::default(),
                    wall_ms: 0,
                    promotion: None,
                    exported: Vec::new(),
                    final_diff: None,
                    finished: false,
                },
            }
        };
        let spent_before = (session.run.spent, session.run.wall_ms);
        let mut run = Self {
            config,
            workspace,
            workers,
            progress,
            tracker,
            session,
            session_path,
            spent_before,
            benchmarks,
            train,
            started,
        };
        run.session.run.routed_calls.push(generated);
        run.save()?;
        Ok(run)
    }

    /// The up-front estimate.
    pub(crate) fn estimate(&self) -> Estimate {
        self.session.run.estimate
    }

    /// Whether this run resumed an earlier one.
    pub(crate) fn session(&self) -> &Session {
        &self.session
    }

    /// Runs the loop to its end and returns the finished session.
    pub(crate) async fn run(mut self) -> anyhow::Result<Session> {
        self.clones().await?;
        self.baseline().await?;
        self.iterate().await?;
        self.finish().await?;
        self.progress.finish();
        Ok(self.session)
    }

    // ----- steps -----

    async fn clones(&mut self) -> anyhow::Result<()> {
        if self.is_done("clones") {
            // Resumed: the clones must still be there (found by their titles).
            let spaces = self.spaces()?;
            for which in [DevSpace::Best, DevSpace::Working] {
                let found = self.clone_space(which).await?;
                if &found != spaces.get(which) {
                    bail!(
                        "the session's {which:?} clone {} is gone (found {found}); start afresh with another --output-dir",
                        spaces.get(which)
                    );
                }
            }
            return Ok(());
        }
        let production = self
            .workspace
            .genie
            .get_space(&self.workspace.space_id)
            .await
            .with_context(|| format!("cannot read space {}", self.workspace.space_id))?;
        let config = production
            .config()
            .context("production has no readable config")?;
        self.session.run.production_base = Some(ApplyBase {
            config_hash: config.content_hash(),
            etag: production.etag.clone(),
        });
        let best = self.clone_space(DevSpace::Best).await?;
        let working = self.clone_space(DevSpace::Working).await?;
        self.session.state.spaces.dev_best = Some(best);
        self.session.state.spaces.dev_working = Some(working);
        self.spaces()?;
        self.done("clones", None)
    }

    async fn clone_space(&mut self, which: DevSpace) -> anyhow::Result<SpaceId> {
        let request = CloneRequest {
            source: SpaceId::new(&self.workspace.space_id),
            clone: which,
            run_id: self.session.run.run_id.clone(),
        };
        let applier = Arc::clone(&self.workers.applier);
        let cloned = self
            .routed(
                "clones",
                Situation::StartRun,
                format!("clone {} as {which:?}", request.source),
                applier.clone_space(&request),
                |cloned| {
                    format!(
                        "{} ({}, config {})",
                        cloned.space_id,
                        if cloned.created { "created" } else { "found" },
                        cloned.config_hash.short()
                    )
                },
            )
            .await?;
        Ok(cloned.space_id)
    }

    async fn baseline(&mut self) -> anyhow::Result<()> {
        let spaces = self.spaces()?;
        let train = self
            .evaluate("iter0/train", spaces.best(), Scope::Full, 0, None)
            .await?;
        let held_out = if self.session.run.held_out_questions > 0 {
            Some(
                self.evaluate("iter0/held_out", spaces.best(), Scope::HeldOut, 0, None)
                    .await?
                    .overall_accuracy,
            )
        } else {
            None
        };
        if !self.is_done("iter0/record") {
            self.session.run.baseline = Some(Accuracies::new(train.overall_accuracy, held_out));
            let record = iteration_record(&train, None, true, "baseline", Vec::new());
            self.session.state.record_iteration(record);
            self.session.state.repeatability_target = 90.0;
            Self::say(&format!(
                "baseline: train {:.1}%{}",
                train.overall_accuracy,
                held_out.map_or_else(String::new, |h| format!(", held out {h:.1}%"))
            ));
            self.done("iter0/record", None)?;
        }
        Ok(())
    }

    async fn iterate(&mut self) -> anyhow::Result<()> {
        loop {
            if let Some(pending) = self.session.run.pending.clone() {
                self.finish_iteration(pending).await?;
                continue;
            }
            if self.session.state.convergence_reason.is_some() {
                return Ok(());
            }
            let best = self.best_report()?;
            let stop = decide::stop_reason(
                &self.session.state,
                decide::targets_met(&best, self.config.target_accuracy),
                self.session.run.consecutive_rollbacks,
                self.session.run.idle_levers >= Lever::ALL.len(),
            );
            if let Some(reason) = stop {
                self.session.state.convergence_reason = Some(reason);
                Self::say(&format!("stopping: {}", reason_text(reason)));
                self.save()?;
                return Ok(());
            }
            self.propose(&best).await?;
        }
    }

    /// Asks the optimizer for the next lever's patches; an untried set becomes the
    /// pending iteration, anything else a recorded skip.
    async fn propose(&mut self, best: &EvalReport) -> anyhow::Result<()> {
        let lever = Lever::ALL[self.session.run.next_lever % Lever::ALL.len()];
        let iteration = self.session.state.current_iteration + 1;
        let spaces = self.spaces()?;
        let working = self
            .workspace
            .genie
            .get_space(spaces.working().as_str())
            .await
            .with_context(|| format!("cannot read dev-working {}", spaces.working()))?;
        let working_config = working
            .config()
            .context("dev-working has no readable config")?;
        let catalog = read_catalog(
            self.workspace.warehouse.as_ref(),
            &CatalogScope::of_space(&working_config),
            &ExecuteOptions::default(),
        )
        .await
        .context("cannot read the Unity Catalog metadata of the space's schemas")?;
        let base = ApplyBase {
            config_hash: working_config.content_hash(),
            etag: working.etag.clone(),
        };
        let request = ProposalRequest {
            failures: TrainFailures::from_report(best),
            metadata: MetadataSnapshot::new(working_config, catalog),
            lever,
            leakage: LeakageGuard::new(&self.benchmarks),
            history: self.session.state.patch_history.clone(),
        };
        let optimizer = Arc::clone(&self.workers.optimizer);
        let step = format!("iter{iteration}/propose-lever{}", lever.number());
        let failures = request.failures.len();
        let proposal = self
            .routed(
                &step,
                Situation::BelowTarget,
                format!("{failures} failing train rows, lever {}", lever.number()),
                optimizer.propose(&request),
                |proposal| match proposal {
                    Proposal::Patches {
                        patch_set,
                        clusters,
                    } => format!(
                        "{} patches for {} clusters ({})",
                        patch_set.patches.len(),
                        clusters.len(),
                        patch_set.content_hash().short()
                    ),
                    Proposal::Nothing { reason } => format!("nothing: {reason}"),
                },
            )
            .await?;
        let audit = self
            .session
            .state
            .lever_audit
            .entry(lever.number().to_string())
            .or_default();
        let candidate = match proposal {
            Proposal::Nothing { reason } => Err(reason),
            Proposal::Patches { patch_set, .. } => match self.config.strategy {
                Strategy::Lever => {
                    if self.session.run.tried.contains(&patch_set.content_hash()) {
                        Err("the same patch set was tried before".to_owned())
                    } else {
                        Ok(patch_set)
                    }
                }
                Strategy::Sequential => one_fix(&patch_set, &self.session.run.tried)
                    .ok_or_else(|| "every fix it proposes was tried before".to_owned()),
            },
        };
        match candidate {
            Err(reason) => {
                if !audit.attempted {
                    audit.skip_reason = Some(reason.clone());
                }
                self.session.run.next_lever += 1;
                self.session.run.idle_levers += 1;
                Self::say(&format!("lever {}: skipped ({reason})", lever.number()));
                self.save()
            }
            Ok(patch_set) => {
                audit.attempted = true;
                audit.skip_reason = None;
                audit.proposals_generated += patch_set.patches.len();
                if self.config.strategy == Strategy::Lever {
                    self.session.run.next_lever += 1;
                }
                self.session.run.idle_levers = 0;
                self.session.run.tried.push(patch_set.content_hash());
                self.session.state.current_patch_set = Some(patch_set.patches.clone());
                self.session.state.patched_objects = patch_set
                    .patched_objects()
                    .iter()
                    .map(|item| format!("{item:?}"))
                    .collect();
                self.session.run.pending = Some(Pending {
                    iteration,
                    patch_set,
                    base,
                    now_ms: now_ms(),
                    apply_log: None,
                    decision: None,
                });
                self.save()
            }
        }
    }

    /// Applies, gates, evaluates and keeps or rolls back the pending iteration; every
    /// stage is saved before the next, so a resumed run picks it up where it stopped.
    async fn finish_iteration(&mut self, mut pending: Pending) -> anyhow::Result<()> {
        let spaces = self.spaces()?;
        let iteration = pending.iteration;
        let lever = pending.patch_set.lever.number();
        if pending.apply_log.is_none() {
            let request = ApplyRequest {
                spaces: spaces.clone(),
                patch_set: pending.patch_set.clone(),
                base: pending.base.clone(),
                domain: self.session.state.domain.clone(),
                uc_writes: self.config.uc_writes,
                now_ms: pending.now_ms,
            };
            let applier = Arc::clone(&self.workers.applier);
            let applied = self
                .routed(
                    &format!("iter{iteration}/apply"),
                    Situation::Apply,
                    format!(
                        "{} patches (lever {lever}) on dev-working {}",
                        request.patch_set.patches.len(),
                        spaces.working()
                    ),
                    applier.apply(&request),
                    |log| {
                        format!(
                            "{} applied, config {} -> {}",
                            log.applied.len(),
                            log.config_hash_before.short(),
                            log.config_hash_after.short()
                        )
                    },
                )
                .await;
            match applied {
                Ok(log) => {
                    pending.apply_log = Some(log);
                    self.session.run.pending = Some(pending.clone());
                    self.save()?;
                }
                Err(failure) => {
                    let failure = failure
                        .downcast::<genie_core::workers::ApplyFailure>()
                        .map_err(|error| anyhow!(error))?;
                    let reason = format!("the apply failed: {:#}", anyhow!(failure.source));
                    let partial = *failure.partial;
                    if !partial.applied.is_empty() {
                        self.rollback(iteration, &spaces, partial).await?;
                    }
                    pending.decision = Some(Decision {
                        keep: false,
                        reason,
                        accuracy: None,
                        p_value: None,
                        fixed: 0,
                        broken: 0,
                    });
                    return self.record(pending, None);
                }
            }
        }
        let Some(log) = pending.apply_log.clone() else {
            unreachable!("applied above")
        };
        let (decision, full) = if let Some(decision) = pending.decision.clone() {
            let full = self.saved_report(&format!("iter{iteration}/train"));
            (decision, full)
        } else {
            {
                let (decision, full) = self.judge(iteration, &pending.patch_set, &spaces).await?;
                pending.decision = Some(decision.clone());
                self.session.run.pending = Some(pending.clone());
                self.save()?;
                (decision, full)
            }
        };
        if decision.keep {
            let applier = Arc::clone(&self.workers.applier);
            self.routed(
                &format!("iter{iteration}/keep"),
                Situation::Improved,
                format!(
                    "copy dev-working {} -> dev-best {}",
                    spaces.working(),
                    spaces.best()
                ),
                applier.copy_config(&spaces, DevCopy::WorkingToBest),
                |copy| format!("dev-best now {}", copy.config_hash_after.short()),
            )
            .await?;
        } else {
            self.rollback(iteration, &spaces, log).await?;
        }
        self.record(pending, full.as_ref())
    }

    /// The gates and the full evaluation: the decision, and the full report when one
    /// ran.
    async fn judge(
        &mut self,
        iteration: u32,
        set: &PatchSet,
        spaces: &DevSpaces,
    ) -> anyhow::Result<(Decision, Option<EvalReport>)> {
        let best = self.best_report()?;
        let refuse = |verdict: decide::Verdict, accuracy: Option<f64>| Decision {
            keep: false,
            reason: verdict.reason,
            accuracy,
            p_value: None,
            fixed: verdict.comparison.fixed,
            broken: verdict.comparison.broken,
        };
        if self.config.strategy == Strategy::Lever {
            let targets: BTreeSet<String> = set
                .patches
                .iter()
                .flat_map(|patch| patch.fixes.iter().cloned())
                .collect();
            let scope = Scope::Slice {
                patched_objects: set.patched_objects(),
                target_questions: targets.into_iter().collect(),
            };
            let slice = self
                .evaluate(
                    &format!("iter{iteration}/slice"),
                    spaces.working(),
                    scope,
                    iteration,
                    Some(best.clone()),
                )
                .await?;
            let verdict = decide::slice_gate(&best, &slice);
            if !verdict.pass {
                return Ok((refuse(verdict, None), None));
            }
            if self
                .train
                .benchmarks
                .iter()
                .any(|b| b.priority == Priority::P0)
            {
                let p0 = self
                    .evaluate(
                        &format!("iter{iteration}/p0"),
                        spaces.working(),
                        Scope::P0,
                        iteration,
                        Some(best.clone()),
                    )
                    .await?;
                let verdict = decide::p0_gate(&best, &p0);
                if !verdict.pass {
                    return Ok((refuse(verdict, None), None));
                }
            }
        }
        let full = self
            .evaluate(
                &format!("iter{iteration}/train"),
                spaces.working(),
                Scope::Full,
                iteration,
                Some(best.clone()),
            )
            .await?;
        let verdict = decide::keep(&best, &full);
        let decision = Decision {
            keep: verdict.pass,
            reason: verdict.reason,
            accuracy: Some(full.overall_accuracy),
            p_value: Some(verdict.comparison.p_value),
            fixed: verdict.comparison.fixed,
            broken: verdict.comparison.broken,
        };
        Ok((decision, Some(full)))
    }

    async fn rollback(
        &mut self,
        iteration: u32,
        spaces: &DevSpaces,
        log: genie_core::patch::ApplyLog,
    ) -> anyhow::Result<()> {
        let applier = Arc::clone(&self.workers.applier);
        let request = RollbackRequest {
            spaces: spaces.clone(),
            log,
        };
        let rolled_back = self
            .routed(
                &format!("iter{iteration}/rollback"),
                Situation::Regressed,
                format!(
                    "rollback of {} patches on {}",
                    request.log.applied.len(),
                    spaces.working()
                ),
                applier.rollback(&request),
                |hash| format!("restored config {}", hash.short()),
            )
            .await;
        if let Err(error) = rolled_back {
            tracing::warn!(%error, "rollback failed; resetting dev-working from dev-best");
            self.routed(
                &format!("iter{iteration}/reset"),
                Situation::Regressed,
                format!(
                    "copy dev-best {} -> dev-working {}",
                    spaces.best(),
                    spaces.working()
                ),
                applier.copy_config(spaces, DevCopy::BestToWorking),
                |copy| format!("dev-working now {}", copy.config_hash_after.short()),
            )
            .await?;
        }
        Ok(())
    }

    /// Records the decided iteration in the session and clears it.
    fn record(&mut self, pending: Pending, full: Option<&EvalReport>) -> anyhow::Result<()> {
        let Some(decision) = pending.decision.clone() else {
            unreachable!("recorded only once decided")
        };
        let iteration = pending.iteration;
        let lever = pending.patch_set.lever;
        let patches = pending.patch_set.patches.clone();
        let best_before = self.session.state.best_overall_accuracy;
        let scores_before = self
            .session
            .state
            .score_history
            .iter()
            .find(|s| s.iteration == self.session.state.best_iteration)
            .map(|s| s.scores.clone())
            .unwrap_or_default();
        let mut record = if let Some(full) = full {
            iteration_record(
                full,
                Some(lever),
                decision.keep,
                &decision.reason,
                patches.clone(),
            )
        } else {
            let mut record = iteration_record(
                &self.best_report()?,
                Some(lever),
                false,
                &decision.reason,
                patches.clone(),
            );
            record.overall_accuracy = decision.accuracy.unwrap_or(best_before);
            record
        };
        record.iteration = iteration;
        record.config_hash = pending
            .apply_log
            .as_ref()
            .map(|log| log.config_hash_after.clone());
        record.next_action = if decision.keep {
            "kept: dev-best updated".to_owned()
        } else {
            "rolled back".to_owned()
        };
        let scores_after = record.scores.clone();
        self.session.state.record_iteration(record);
        if decision.keep {
            self.session.state.best_iteration = iteration;
            self.session.state.best_overall_accuracy = decision.accuracy.unwrap_or(best_before);
            if let Some(full) = full {
                self.session.state.remaining_failures = failing(full);
            }
            self.session.run.consecutive_rollbacks = 0;
            let audit = self
                .session
                .state
                .lever_audit
                .entry(lever.number().to_string())
                .or_default();
            audit.proposals_applied += patches.len();
            let key = lever.number().to_string();
            let delta = self.session.state.best_overall_accuracy - best_before;
            let impact = self
                .session
                .state
                .lever_impacts
                .entry(key)
                .or_insert_with(|| LeverImpact {
                    before: scores_before,
                    after: scores_after.clone(),
                    proposals: Vec::new(),
                    delta: 0.0,
                });
            impact.after = scores_after;
            impact.proposals.extend(patches.iter().cloned());
            impact.delta += delta;
        } else {
            self.session.run.consecutive_rollbacks += 1;
        }
        if let Some(full) = full {
            self.session
                .state
                .offer_pareto_point(genie_core::session::ParetoPoint {
                    iteration,
                    config_hash: full.config_hash.clone(),
                    correctness: full.overall_accuracy,
                    repeatability: self.session.state.repeatability_pct,
                    regressions: decision.broken,
                    patch_cost: patches.len(),
                });
        }
        let kept = if decision.keep { patches.len() } else { 0 };
        self.session.run.outcomes.push(IterationOutcome {
            iteration,
            lever: lever.number(),
            patches_kept: kept,
            patches_rolled_back: patches.len() - kept,
            accuracy: decision.accuracy,
            best_accuracy: self.session.state.best_overall_accuracy,
            p_value: decision.p_value,
            reason: decision.reason.clone(),
            config_hash: pending
                .apply_log
                .as_ref()
                .map(|log| log.config_hash_after.clone()),
        });
        Self::say(&format!(
            "iteration {iteration} (lever {}): {} — {}; best train {:.1}%",
            lever.number(),
            if decision.keep { "kept" } else { "rolled back" },
            decision.reason,
            self.session.state.best_overall_accuracy
        ));
        self.session.state.current_patch_set = None;
        self.session.state.patched_objects.clear();
        self.session.run.pending = None;
        self.done(&format!("iter{iteration}/done"), pending.apply_log)
    }

    async fn finish(&mut self) -> anyhow::Result<()> {
        let spaces = self.spaces()?;
        let best = self.best_report()?;
        let best_iteration = self.session.state.best_iteration;
        if self.config.repeatability >= 2 {
            let report = self
                .evaluate(
                    "final/repeatability",
                    spaces.best(),
                    Scope::Repeatability {
                        n: self.config.repeatability,
                    },
                    best_iteration,
                    None,
                )
                .await?;
            if let Some(summary) = &report.repeatability {
                self.session.state.repeatability_pct = summary.sql_agreement;
                self.session.state.best_repeatability = self
                    .session
                    .state
                    .best_repeatability
                    .max(summary.sql_agreement);
            }
        }
        let held_out = if self.session.run.held_out_questions > 0 {
            Some(
                self.evaluate(
                    "final/held_out",
                    spaces.best(),
                    Scope::HeldOut,
                    best_iteration,
                    None,
                )
                .await?
                .overall_accuracy,
            )
        } else {
            None
        };
        self.session.run.final_scores = Some(Accuracies::new(best.overall_accuracy, held_out));
        self.corrections(&best).await?;
        if !self.is_done("final/export") {
            let applier = Arc::clone(&self.workers.applier);
            let request = ExportRequest {
                space_id: spaces.best().clone(),
                domain: self.session.state.domain.clone(),
            };
            let written = self
                .routed(
                    "final/export",
                    Situation::PromoteDeploy,
                    format!("export dev-best {} to the bundle", spaces.best()),
                    applier.export_to_bundle(&request),
                    |write| {
                        format!(
                            "{} file(s): {}",
                            write.files.len(),
                            write.paths().join(", ")
                        )
                    },
                )
                .await?;
            self.session.run.exported = written.paths().iter().map(|p| (*p).to_owned()).collect();
            self.done("final/export", None)?;
        }
        if !self.is_done("final/diff") {
            let applier = Arc::clone(&self.workers.applier);
            let diff = self
                .routed(
                    "final/diff",
                    Situation::PromoteDeploy,
                    format!(
                        "diff dev-best {} against production {}",
                        spaces.best(),
                        spaces.production()
                    ),
                    applier.diff_spaces(spaces.best(), spaces.production()),
                    |diff| format!("{} field(s) differ", diff.changes.len()),
                )
                .await?;
            self.session.run.final_diff = Some(diff);
            self.done("final/diff", None)?;
        }
        if self.config.promote && !self.is_done("final/promote") {
            self.promote(&spaces).await?;
        }
        if let Some(target) = &self.config.deploy_target
            && !self.is_done("final/deploy")
        {
            let applier = Arc::clone(&self.workers.applier);
            let request = DeployRequest {
                bundle_dir: self.config.bundle_dir.display().to_string(),
                target: Some(target.clone()),
                job: None,
            };
            self.routed(
                "final/deploy",
                Situation::PromoteDeploy,
                format!("deploy {} to {target}", request.bundle_dir),
                applier.deploy(&request),
                |record| format!("{} step(s)", record.steps.len()),
            )
            .await?;
            self.done("final/deploy", None)?;
        }
        self.session.state.status = match self.session.state.convergence_reason {
            Some(ConvergenceReason::TargetsMet) => SessionStatus::Converged,
            Some(ConvergenceReason::MaxIterations) => SessionStatus::MaxIterations,
            _ => SessionStatus::Stalled,
        };
        self.session.run.finished = true;
        self.save()
    }

    async fn promote(&mut self, spaces: &DevSpaces) -> anyhow::Result<()> {
        let best = self
            .workspace
            .genie
            .get_space(spaces.best().as_str())
            .await
            .context("cannot read dev-best")?;
        let approved = best.config().context("dev-best has no readable config")?;
        let production_base = self
            .session
            .run
            .production_base
            .clone()
            .context("the session has no record of production's config")?;
        let request = PromotionRequest {
            spaces: spaces.clone(),
            from: DevSpace::Best,
            approved_config_hash: approved.content_hash(),
            production_base,
            approval: PromotionApproval::given_by("--promote"),
            now_ms: now_ms(),
        };
        let applier = Arc::clone(&self.workers.applier);
        let record = self
            .routed(
                "final/promote",
                Situation::PromoteDeploy,
                format!(
                    "promote dev-best {} to production {}",
                    spaces.best(),
                    spaces.production()
                ),
                applier.promote_to_production(&request),
                |record| {
                    format!(
                        "production {} -> {}",
                        record.config_hash_before.short(),
                        record.config_hash_after.short()
                    )
                },
            )
            .await?;
        self.session.state.promoted_model_id = None;
        self.session.run.promotion = Some(record);
        self.done("final/promote", None)
    }

    /// The arbiter's `genie_correct` verdicts on the best report, through the
    /// generator once there are enough of them (written beside the benchmarks file).
    async fn corrections(&mut self, best: &EvalReport) -> anyhow::Result<()> {
        if self.is_done("final/corrections") {
            return Ok(());
        }
        let corrections = genie_evaluator::benchmark_corrections(best);
        if corrections.len() >= genie_generator::Config::default().min_corrections {
            let generator = Arc::clone(&self.workers.generator);
            let benchmarks = self.benchmarks.clone();
            let corrected = self
                .routed(
                    "final/corrections",
                    Situation::ArbiterCorrections,
                    format!("{} corrections", corrections.len()),
                    generator.apply_corrections(&benchmarks, &corrections),
                    |set| format!("{} @ {}", set.dataset_name, set.content_hash.short()),
                )
                .await;
            match corrected {
                Ok(set) => {
                    match genie_generator::write_corrected_file(&self.config.benchmarks, &set) {
                        Ok(path) => Self::say(&format!(
                            "the arbiter sided with Genie on {} questions: corrected benchmarks in {}",
                            corrections.len(),
                            path.display()
                        )),
                        Err(error) => {
                            tracing::warn!(%error, "cannot write the corrected benchmarks");
                        }
                    }
                    self.session.state.benchmark_corrections = corrections
                        .iter()
                        .map(|c| {
                            [
                                ("id".to_owned(), c.id.clone()),
                                ("corrected_sql".to_owned(), c.corrected_sql.clone()),
                                ("rationale".to_owned(), c.rationale.clone()),
                            ]
                            .into()
                        })
                        .collect();
                }
                Err(error) => tracing::warn!(%error, "the arbiter's corrections do not validate"),
            }
        }
        self.done("final/corrections", None)
    }

    // ----- helpers -----

    /// One evaluation, through the evaluator; a finished one is read back from
    /// `evaluations/` instead of asked again.
    async fn evaluate(
        &mut self,
        step: &str,
        space: &SpaceId,
        scope: Scope,
        iteration: u32,
        previous: Option<EvalReport>,
    ) -> anyhow::Result<EvalReport> {
        if self.is_done(step)
            && let Some(report) = self.saved_report(step)
        {
            return Ok(report);
        }
        let benchmarks = match scope {
            Scope::HeldOut => self.benchmarks.clone(),
            _ => self.train.clone(),
        };
        let config = self
            .workspace
            .genie
            .get_space(space.as_str())
            .await
            .with_context(|| format!("cannot read space {space}"))?
            .config()
            .with_context(|| format!("space {space} has no readable config"))?;
        let request = EvaluationRequest {
            space_id: space.to_string(),
            config_hash: Some(config.content_hash()),
            benchmarks,
            scope: scope.clone(),
            iteration,
            previous,
        };
        let total = match scope {
            Scope::HeldOut => self.session.run.held_out_questions,
            Scope::Repeatability { n } => {
                self.train.benchmarks.len() * usize::try_from(n).unwrap_or(1)
            }
            _ => self.train.benchmarks.len(),
        };
        self.progress.start(step, total);
        let evaluator = Arc::clone(&self.workers.evaluator);
        let situation = match (&scope, step.starts_with("final/")) {
            (_, true) => Situation::AfterLoop,
            (Scope::Slice { .. }, _) => Situation::AfterApply,
            (Scope::P0, _) => Situation::SlicePasses,
            _ => Situation::FullEvaluation,
        };
        let report = self
            .routed(
                step,
                situation,
                format!(
                    "space {space}, scope {}, iteration {iteration}",
                    scope.name()
                ),
                evaluator.evaluate(&request),
                |report| {
                    format!(
                        "accuracy {:.1}% ({} correct; {})",
                        report.overall_accuracy,
                        report.correct_count,
                        report.denominator()
                    )
                },
            )
            .await?;
        self.progress.finish();
        let mut text = serde_json::to_string_pretty(&report).context("cannot render a report")?;
        text.push('\n');
        files::write_atomic(&self.report_path(step), text.as_bytes())?;
        if let Some((tracker, place)) = &self.tracker {
            let logged = async {
                let experiment = tracker
                    .experiment(&format!("genie-opt/{}", self.session.state.space_id))
                    .await?;
                genie_evaluator::log_report(tracker.as_ref(), &experiment, &report, now_ms()).await
            }
            .await;
            if let Err(error) = logged {
                tracing::warn!(%error, place, "cannot log the evaluation");
            }
        }
        self.done(step, None)?;
        Ok(report)
    }

    fn report_path(&self, step: &str) -> PathBuf {
        self.config
            .output_dir
            .join("evaluations")
            .join(format!("{}.json", step.replace('/', "-")))
    }

    fn saved_report(&self, step: &str) -> Option<EvalReport> {
        let text = std::fs::read_to_string(self.report_path(step)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// The best iteration's train report.
    fn best_report(&self) -> anyhow::Result<EvalReport> {
        let step = format!("iter{}/train", self.session.state.best_iteration);
        self.saved_report(&step).with_context(|| {
            format!(
                "the report of step {step} is missing from `{}`",
                self.report_path(&step).display()
            )
        })
    }

    fn spaces(&self) -> anyhow::Result<DevSpaces> {
        self.session
            .state
            .spaces
            .dev_spaces()?
            .context("the session has no dev spaces yet")
    }

    /// Calls a worker for `situation` and records the call (inputs, outputs, cost).
    async fn routed<T, E, F>(
        &mut self,
        step: &str,
        situation: Situation,
        inputs: String,
        call: F,
        summary: impl FnOnce(&T) -> String,
    ) -> anyhow::Result<T>
    where
        F: Future<Output = Result<T, E>>,
        E: std::error::Error + Send + Sync + 'static,
    {
        let before = self.workspace.counters.snapshot();
        let clock = Instant::now();
        let result = call.await;
        let outputs = match &result {
            Ok(value) => summary(value),
            Err(error) => format!("error: {error}"),
        };
        self.session.run.routed_calls.push(RoutedCall {
            step: step.to_owned(),
            situation,
            worker: route(situation).worker,
            inputs,
            outputs,
            ok: result.is_ok(),
            spent: self.workspace.counters.snapshot().since(before),
            millis: elapsed_ms(clock),
        });
        self.save()?;
        result.map_err(anyhow::Error::new)
    }

    fn is_done(&self, step: &str) -> bool {
        self.session.state.is_done(step)
    }

    fn done(
        &mut self,
        step: &str,
        apply_log: Option<genie_core::patch::ApplyLog>,
    ) -> anyhow::Result<()> {
        self.session.state.steps.push(StepRecord {
            name: step.to_owned(),
            finished_at: rfc3339(now_ms()),
            apply_log,
        });
        self.save()
    }

    fn save(&mut self) -> anyhow::Result<()> {
        let (spent, wall_ms) = self.spent();
        self.session.run.spent = spent;
        self.session.run.wall_ms = wall_ms;
        self.session.save(&self.session_path)
    }

    fn say(line: &str) {
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), "{line}");
    }

    /// What the session spent so far, this process included, and its wall time.
    pub(crate) fn spent(&self) -> (Counts, u64) {
        (
            self.spent_before.0.plus(self.workspace.counters.snapshot()),
            self.spent_before.1 + elapsed_ms(self.started),
        )
    }
}

/// The first fix (one cluster's patches, or one patch without a cluster) of `set`
/// not tried before, as a set of its own.
fn one_fix(set: &PatchSet, tried: &[genie_core::canonical::ContentHash]) -> Option<PatchSet> {
    let mut groups: Vec<(Option<String>, Vec<genie_core::patch::Patch>)> = Vec::new();
    for patch in &set.patches {
        let key = patch.cluster.as_ref().map(|c| format!("{c:?}"));
        match groups.iter_mut().find(|(k, _)| key.is_some() && *k == key) {
            Some((_, patches)) => patches.push(patch.clone()),
            None => groups.push((key, vec![patch.clone()])),
        }
    }
    groups
        .into_iter()
        .map(|(_, patches)| PatchSet {
            lever: set.lever,
            patches,
        })
        .find(|candidate| !tried.contains(&candidate.content_hash()))
}

fn failing(report: &EvalReport) -> Vec<String> {
    report
        .rows
        .iter()
        .filter(|row| row.is_scored() && !row.correct)
        .map(|row| row.id.clone())
        .collect()
}

fn iteration_record(
    report: &EvalReport,
    lever: Option<Lever>,
    kept: bool,
    reason: &str,
    patches: Vec<genie_core::patch::Patch>,
) -> IterationRecord {
    IterationRecord {
        iteration: report.iteration,
        timestamp: rfc3339(now_ms()),
        lever: lever.map(Lever::number),
        model_id: None,
        mlflow_run_id: None,
        config_hash: report.config_hash.clone(),
        scores: report
            .scores
            .iter()
            .map(|(judge, score)| (judge.to_string(), *score))
            .collect(),
        overall_accuracy: report.overall_accuracy,
        total_questions: report.total_questions,
        correct_count: report.correct_count,
        failures: failing(report),
        remaining_failures: failing(report),
        proposals_applied: patches,
        arbiter_corrections: genie_evaluator::benchmark_corrections(report)
            .into_iter()
            .map(|c| c.id)
            .collect(),
        kept,
        decision_reason: Some(reason.to_owned()),
        regressions: Vec::new(),
        next_action: String::new(),
    }
}

/// A stop reason in words.
pub(crate) fn reason_text(reason: ConvergenceReason) -> &'static str {
    match reason {
        ConvergenceReason::TargetsMet => "every target met",
        ConvergenceReason::MaxIterations => "--max-iterations reached",
        ConvergenceReason::NoImprovement => "no improvement in 2 consecutive iterations",
        ConvergenceReason::ConsecutiveRollbacks => "3 consecutive rollbacks",
        ConvergenceReason::NothingToPropose => "no lever has anything new to propose",
    }
}

fn load_benchmarks(path: &std::path::Path) -> anyhow::Result<BenchmarkFile> {
    let text = files::read_text(path)?;
    parse_benchmark_file(&path.display().to_string(), &text).map_err(anyhow::Error::from)
}

fn elapsed_ms(clock: Instant) -> u64 {
    u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX)
}
