//! The lever-6 search: a small population search in the spirit of GEPA over subsets of
//! the lever-6 proposal, evaluated on the failing slice through an injected
//! [`SliceEvaluator`].
//!
//! The proposal's patches are grouped into *genes*, one per failure cluster. The first
//! generation is the whole proposal, each gene alone (largest cluster first) and the
//! concepts without example SQL and instructions; then, while the caller's budget of
//! candidate evaluations lasts, new candidates come from recombining two members of the
//! Pareto frontier (the union of their genes), from dropping one gene of the best
//! member (to find a patch that hurts), and — with a model — from the model's patches
//! for the questions the best member still fails, as a new gene. A candidate is kept on
//! the frontier unless another answers a superset of its questions correctly and more
//! of them, or the same ones with fewer patches. Each evaluation asks Genie every
//! question of the slice once; the outcome reports how many questions that was.

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;
use genie_core::patch::{ClusterId, Patch, PatchSet, apply_patch_set};
use genie_core::taxonomy::Lever;
use genie_core::workers::{Proposal, ProposalRequest, TrainFailure, TrainFailures};
use serde::{Deserialize, Serialize};

use crate::error::OptimizerError;
use crate::optimizer::GenieOptimizer;

/// Evaluates a candidate patch set on the failing slice.
#[async_trait]
pub trait SliceEvaluator: Send + Sync {
    /// Per question of the slice, whether Genie answers it correctly with `set`
    /// applied to the space. An `Err` stops the search.
    async fn evaluate(&self, set: &PatchSet) -> Result<BTreeMap<String, bool>, String>;
}

/// One candidate of the frontier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrontierEntry {
    /// Its patches.
    pub patch_set: PatchSet,
    /// The questions it answers correctly, sorted.
    pub correct: Vec<String>,
    /// The clusters (genes) it holds.
    pub genes: Vec<String>,
}

/// What the search found and spent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchOutcome {
    /// The frontier member with the most correct questions (fewest patches on a tie);
    /// `None` when there was nothing to search.
    pub best: Option<FrontierEntry>,
    /// The Pareto frontier, in the order found.
    pub frontier: Vec<FrontierEntry>,
    /// Candidate evaluations made (at most the budget).
    pub evaluations: usize,
    /// Genie questions asked over all evaluations.
    pub questions_asked: usize,
    /// Why there was nothing to search, when there was not.
    pub nothing: Option<String>,
}

/// A gene: the patches of one cluster.
#[derive(Debug, Clone)]
struct Gene {
    name: String,
    patches: Vec<Patch>,
}

impl GenieOptimizer {
    /// Searches subsets and recombinations of the lever-6 proposal for `request`
    /// within `budget` candidate evaluations (see the module documentation).
    pub async fn search_lever_six(
        &self,
        request: &ProposalRequest,
        evaluator: &dyn SliceEvaluator,
        budget: usize,
    ) -> Result<SearchOutcome, OptimizerError> {
        if budget == 0 {
            return Err(OptimizerError::NoSearchBudget { budget });
        }
        let mut request = request.clone();
        request.lever = Lever::SpaceInstructions;
        let report = self.propose_with_report(&request).await?;
        let patch_set = match report.proposal {
            Proposal::Patches { patch_set, .. } => patch_set,
            Proposal::Nothing { reason } => {
                return Ok(SearchOutcome {
                    best: None,
                    frontier: Vec::new(),
                    evaluations: 0,
                    questions_asked: 0,
                    nothing: Some(reason),
                });
            }
        };
        let mut genes = genes_of(
            &patch_set,
            &report
                .clusters
                .iter()
                .map(|c| c.id.clone())
                .collect::<Vec<_>>(),
        );
        let mut search = Search {
            request: &request,
            evaluator,
            budget,
            evaluations: 0,
            questions_asked: 0,
            tried: BTreeSet::new(),
            frontier: Vec::new(),
        };
        // The first generation.
        let all: BTreeSet<usize> = (0..genes.len()).collect();
        search.try_genes(&genes, &all).await?;
        for index in 0..genes.len() {
            search.try_genes(&genes, &BTreeSet::from([index])).await?;
        }
        let concepts: BTreeSet<usize> = (0..genes.len())
            .filter(|index| genes[*index].patches.iter().all(is_concept))
            .collect();
        search.try_genes(&genes, &concepts).await?;
        // Then recombination, ablation and the model's reflection, while the budget lasts.
        let mut round = 0;
        while search.evaluations < search.budget {
            let before = search.evaluations;
            let members: Vec<BTreeSet<usize>> = search
                .frontier
                .iter()
                .map(|(genes, _, _)| genes.clone())
                .collect();
            for (i, a) in members.iter().enumerate() {
                for b in members.iter().skip(i + 1) {
                    let union: BTreeSet<usize> = a.union(b).copied().collect();
                    search.try_genes(&genes, &union).await?;
                }
            }
            if let Some(best) = search.best().map(|(genes, _, _)| genes.clone()) {
                for gene in &best {
                    let mut without = best.clone();
                    without.remove(gene);
                    search.try_genes(&genes, &without).await?;
                }
            }
            if let Some(gene) = self.reflect(&search, &genes, round).await {
                genes.push(gene);
                let mut with = search
                    .best()
                    .map(|(genes, _, _)| genes.clone())
                    .unwrap_or_default();
                with.insert(genes.len() - 1);
                search.try_genes(&genes, &with).await?;
            }
            round += 1;
            if search.evaluations == before {
                break;
            }
        }
        let to_entry = |(members, correct, set): &(BTreeSet<usize>, BTreeSet<String>, PatchSet)| {
            FrontierEntry {
                patch_set: set.clone(),
                correct: correct.iter().cloned().collect(),
                genes: members
                    .iter()
                    .map(|index| genes[*index].name.clone())
                    .collect(),
            }
        };
        Ok(SearchOutcome {
            best: search.best().map(to_entry),
            frontier: search.frontier.iter().map(to_entry).collect(),
            evaluations: search.evaluations,
            questions_asked: search.questions_asked,
            nothing: None,
        })
    }

    /// With a model, a new gene from its patches for the questions the best member
    /// still fails.
    async fn reflect(&self, search: &Search<'_>, genes: &[Gene], round: usize) -> Option<Gene> {
        self.llm.as_ref()?;
        let (_, correct, _) = search.best()?;
        let failing: TrainFailures = search
            .request
            .failures
            .iter()
            .filter(|row| !correct.contains(&row.id))
            .filter_map(|row| TrainFailure::try_from(row.clone()).ok())
            .collect();
        if failing.is_empty() {
            return None;
        }
        let mut narrowed = search.request.clone();
        narrowed.failures = failing;
        let report = self.propose_with_report(&narrowed).await.ok()?;
        let known: Vec<&Patch> = genes.iter().flat_map(|gene| &gene.patches).collect();
        let patches: Vec<Patch> = report
            .proposal
            .patch_set()?
            .patches
            .iter()
            .filter(|patch| {
                patch.rationale.contains("(model, prompt")
                    && !known.iter().any(|k| k.op == patch.op)
            })
            .cloned()
            .collect();
        (!patches.is_empty()).then(|| Gene {
            name: format!("model-reflection-{round}"),
            patches,
        })
    }
}

/// The search's state.
struct Search<'a> {
    request: &'a ProposalRequest,
    evaluator: &'a dyn SliceEvaluator,
    budget: usize,
    evaluations: usize,
    questions_asked: usize,
    tried: BTreeSet<BTreeSet<usize>>,
    frontier: Vec<(BTreeSet<usize>, BTreeSet<String>, PatchSet)>,
}

impl Search<'_> {
    /// Evaluates the candidate made of `members` (once, within the budget, when it
    /// applies) and updates the frontier.
    async fn try_genes(
        &mut self,
        genes: &[Gene],
        members: &BTreeSet<usize>,
    ) -> Result<(), OptimizerError> {
        if members.is_empty()
            || self.evaluations >= self.budget
            || !self.tried.insert(members.clone())
        {
            return Ok(());
        }
        let set = PatchSet {
            lever: Lever::SpaceInstructions,
            patches: members
                .iter()
                .flat_map(|index| genes[*index].patches.iter().cloned())
                .collect(),
        };
        let usage = genie_core::space::SpaceUsage::of(self.request.metadata.config());
        if !set.check(&usage).is_empty()
            || apply_patch_set(
                self.request.metadata.config(),
                self.request.metadata.catalog(),
                &set,
                0,
            )
            .is_err()
        {
            return Ok(());
        }
        let candidate = self.evaluations;
        self.evaluations += 1;
        let outcomes = self
            .evaluator
            .evaluate(&set)
            .await
            .map_err(|message| OptimizerError::Evaluation { candidate, message })?;
        self.questions_asked += outcomes.len();
        let correct: BTreeSet<String> = outcomes
            .into_iter()
            .filter(|(_, ok)| *ok)
            .map(|(id, _)| id)
            .collect();
        tracing::debug!(
            candidate,
            correct = correct.len(),
            patches = set.patches.len(),
            "lever-6 candidate evaluated"
        );
        let dominated =
            |a: &BTreeSet<String>, a_cost: usize, b: &BTreeSet<String>, b_cost: usize| {
                b.is_superset(a) && (b.len() > a.len() || b_cost < a_cost)
            };
        let cost = set.patches.len();
        if self.frontier.iter().any(|(_, other, other_set)| {
            dominated(&correct, cost, other, other_set.patches.len())
                || (*other == correct && other_set.patches.len() == cost)
        }) {
            return Ok(());
        }
        self.frontier.retain(|(_, other, other_set)| {
            !dominated(other, other_set.patches.len(), &correct, cost)
        });
        self.frontier.push((members.clone(), correct, set));
        Ok(())
    }

    /// The frontier member with the most correct questions, fewest patches on a tie.
    fn best(&self) -> Option<&(BTreeSet<usize>, BTreeSet<String>, PatchSet)> {
        self.frontier.iter().min_by(|(_, a, a_set), (_, b, b_set)| {
            b.len()
                .cmp(&a.len())
                .then_with(|| a_set.patches.len().cmp(&b_set.patches.len()))
        })
    }
}

/// The set's patches grouped by cluster, in the order of `clusters` (largest first).
fn genes_of(set: &PatchSet, clusters: &[ClusterId]) -> Vec<Gene> {
    let mut by_cluster: BTreeMap<Option<&ClusterId>, Vec<Patch>> = BTreeMap::new();
    for patch in &set.patches {
        by_cluster
            .entry(patch.cluster.as_ref())
            .or_default()
            .push(patch.clone());
    }
    let position = |id: Option<&ClusterId>| {
        id.and_then(|id| clusters.iter().position(|c| c == id))
            .unwrap_or(usize::MAX)
    };
    let mut genes: Vec<(usize, Gene)> = by_cluster
        .into_iter()
        .map(|(id, patches)| {
            (
                position(id),
                Gene {
                    name: id.map_or_else(|| "unclustered".to_owned(), ToString::to_string),
                    patches,
                },
            )
        })
        .collect();
    genes.sort_by(|(a, ga), (b, gb)| a.cmp(b).then_with(|| ga.name.cmp(&gb.name)));
    genes.into_iter().map(|(_, gene)| gene).collect()
}

fn is_concept(patch: &Patch) -> bool {
    !matches!(
        patch.op,
        genie_core::patch::PatchOp::AddExampleSql { .. }
            | genie_core::patch::PatchOp::AddInstruction { .. }
            | genie_core::patch::PatchOp::UpdateInstruction { .. }
            | genie_core::patch::PatchOp::AddSampleQuestion { .. }
    )
}
