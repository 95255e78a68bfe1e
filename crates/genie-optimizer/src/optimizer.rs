//! [`GenieOptimizer`]: the worker.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use genie_core::error::WorkerError;
use genie_core::ports::{Llm, Warehouse};
use genie_core::taxonomy::Lever;
use genie_core::workers::{FailureCluster, Optimizer, Proposal, ProposalRequest};
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::error::OptimizerError;
use crate::evidence::Corpus;
use crate::guards::{
    LeakageAction, LeakageOutcome, Skipped, assemble, guard_leakage, rank, reflect,
};
use crate::levers::{self, Candidate, Context};

/// The optimizer: clusters failing train rows by root cause and proposes, for one
/// lever, the patches their side information calls for. Without a model it is
/// deterministic: the same request gives the same patch set, byte for byte. With one
/// ([`OptimizerBuilder::llm`]) the model's patches join the candidates and pass the
/// same guards.
#[derive(Clone, Default)]
pub struct GenieOptimizer {
    config: Config,
    pub(crate) llm: Option<Arc<dyn Llm>>,
    warehouse: Option<Arc<dyn Warehouse>>,
}

impl fmt::Debug for GenieOptimizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GenieOptimizer")
            .field("config", &self.config)
            .field("llm", &self.llm.is_some())
            .field("warehouse", &self.warehouse.is_some())
            .finish()
    }
}

/// Builds a [`GenieOptimizer`].
#[derive(Clone, Default)]
pub struct OptimizerBuilder {
    optimizer: GenieOptimizer,
}

impl fmt::Debug for OptimizerBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.optimizer.fmt(f)
    }
}

impl OptimizerBuilder {
    /// Its settings.
    #[must_use]
    pub fn config(mut self, config: Config) -> Self {
        self.optimizer.config = config;
        self
    }

    /// A model that proposes patches too (prompt `propose.v1`).
    #[must_use]
    pub fn llm(mut self, llm: Arc<dyn Llm>) -> Self {
        self.optimizer.llm = Some(llm);
        self
    }

    /// The warehouse the model's SQL is run on before it is offered.
    #[must_use]
    pub fn warehouse(mut self, warehouse: Arc<dyn Warehouse>) -> Self {
        self.optimizer.warehouse = Some(warehouse);
        self
    }

    /// The optimizer.
    pub fn build(self) -> GenieOptimizer {
        self.optimizer
    }
}

/// A proposal with what the optimizer left out and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposalReport {
    /// The lever asked for.
    pub lever: Lever,
    /// The answer.
    pub proposal: Proposal,
    /// Every cluster of the failures, largest first (whatever their lever).
    pub clusters: Vec<FailureCluster>,
    /// Patches that copied a benchmark: rewritten or dropped.
    pub leakage: Vec<LeakageAction>,
    /// Candidates left out: tried before, over a budget, in conflict, or refused by the
    /// patch application.
    pub skipped: Vec<Skipped>,
}

impl GenieOptimizer {
    /// A builder with the default [`Config`].
    pub fn builder() -> OptimizerBuilder {
        OptimizerBuilder::default()
    }

    /// Its settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The proposal for the request's lever, with what was left out and why.
    pub async fn propose_with_report(
        &self,
        request: &ProposalRequest,
    ) -> Result<ProposalReport, OptimizerError> {
        let lever = request.lever;
        let corpus = Corpus::read(&request.failures);
        let clusters = corpus.clusters.clone();
        let mut report = ProposalReport {
            lever,
            proposal: Proposal::Nothing {
                reason: String::new(),
            },
            clusters,
            leakage: Vec::new(),
            skipped: Vec::new(),
        };
        let nothing = |report: &mut ProposalReport, reason: String| {
            tracing::info!(%lever, %reason, "nothing to propose");
            report.proposal = Proposal::Nothing { reason };
        };
        if matches!(lever, Lever::MonitoringTables | Lever::MlTables) {
            nothing(&mut report, levers::table_properties::nothing(lever));
            return Ok(report);
        }
        if request.failures.is_empty() {
            nothing(&mut report, "no train question fails".to_owned());
            return Ok(report);
        }
        let mapped = corpus.clusters_for(lever);
        if mapped.is_empty() {
            let types: Vec<String> = corpus
                .clusters
                .iter()
                .map(|cluster| {
                    format!(
                        "{} (lever {})",
                        cluster.failure_type,
                        cluster.lever.number()
                    )
                })
                .collect();
            nothing(
                &mut report,
                format!(
                    "no failure maps to {lever}; the failures are {}",
                    dedup(types).join(", ")
                ),
            );
            return Ok(report);
        }
        let context = Context {
            corpus: &corpus,
            space: request.metadata.config(),
            catalog: request.metadata.catalog(),
            config: &self.config,
        };
        let mut candidates = match lever {
            Lever::UcMetadata => levers::uc_metadata::candidates(&context),
            Lever::MetricViews => levers::metric_views::candidates(&context),
            Lever::Functions => levers::functions::candidates(&context),
            Lever::SpaceInstructions => levers::space_instructions::candidates(&context),
            Lever::MonitoringTables | Lever::MlTables => Vec::new(),
        };
        if let Some(llm) = &self.llm {
            let from_model = crate::model::candidates(
                llm,
                self.warehouse.as_ref(),
                request,
                &corpus,
                &candidates,
                &mut report.skipped,
            )
            .await;
            candidates.extend(from_model);
        }
        if candidates.is_empty() {
            nothing(
                &mut report,
                format!(
                    "{} failing question(s) map to {lever}, but their side information gives nothing it can \
                     express (see the lever's rules in docs/optimizer.md)",
                    dedup(mapped.iter().flat_map(|c| c.question_ids.clone()).collect()).len()
                ),
            );
            return Ok(report);
        }
        let fresh = reflect(candidates, &request.history, &mut report.skipped);
        if fresh.is_empty() {
            nothing(
                &mut report,
                format!("every candidate for {lever} was tried before; nothing new to propose"),
            );
            return Ok(report);
        }
        let clean = guard_leakage(fresh, &request.leakage, &mut report.leakage);
        if clean.is_empty() {
            nothing(
                &mut report,
                format!("every candidate for {lever} would copy a benchmark into the space"),
            );
            return Ok(report);
        }
        let ranked: Vec<Candidate> = rank(clean);
        let set = assemble(
            lever,
            ranked,
            context.space,
            context.catalog,
            self.config.max_patches,
            &mut report.skipped,
        )?;
        if set.patches.is_empty() {
            nothing(
                &mut report,
                format!("no candidate for {lever} fits the space's budgets or applies to it"),
            );
            return Ok(report);
        }
        let used: Vec<_> = set
            .patches
            .iter()
            .filter_map(|patch| patch.cluster.clone())
            .collect();
        let addressed: Vec<FailureCluster> = corpus
            .clusters
            .iter()
            .filter(|cluster| used.contains(&cluster.id))
            .cloned()
            .collect();
        tracing::info!(
            %lever,
            patches = set.patches.len(),
            clusters = addressed.len(),
            primary = addressed.iter().filter(|c| corpus.is_primary(&c.id)).count(),
            dropped_for_leakage = report
                .leakage
                .iter()
                .filter(|action| action.outcome == LeakageOutcome::Dropped)
                .count(),
            "proposal"
        );
        report.proposal = Proposal::Patches {
            clusters: addressed,
            patch_set: set,
        };
        Ok(report)
    }
}

fn dedup(mut items: Vec<String>) -> Vec<String> {
    items.sort();
    items.dedup();
    items
}

#[async_trait]
impl Optimizer for GenieOptimizer {
    async fn propose(&self, request: &ProposalRequest) -> Result<Proposal, WorkerError> {
        Ok(self.propose_with_report(request).await?.proposal)
    }
}
