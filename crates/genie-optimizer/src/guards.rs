//! The guards every candidate passes before it is offered: reflection (nothing tried
//! before is proposed again unchanged), leakage (nothing that copies a benchmark's
//! question or ground truth; rewritten into the general concept where possible,
//! dropped otherwise), and assembly within the space's budgets and the conflict check,
//! verified by genie-core's own application of the set.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use genie_core::catalog::CatalogSnapshot;
use genie_core::patch::{
    ExampleParameter, Patch, PatchOp, PatchRefusal, PatchSet, apply_patch_set,
};
use genie_core::session::PatchHistoryEntry;
use genie_core::space::{SpaceConfig, SpaceUsage};
use genie_core::taxonomy::Lever;
use genie_core::workers::{BenchmarkLeak, LeakageGuard};
use serde::{Deserialize, Serialize};

use crate::error::OptimizerError;
use crate::levers::Candidate;
use crate::shape::{LiteralKind, template};

/// What the leakage guard did with a patch that copied a benchmark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeakageAction {
    /// The patch as proposed.
    pub patch: Patch,
    /// What it copied.
    pub leaks: Vec<BenchmarkLeak>,
    /// Rewritten (the patch offered instead) or dropped.
    pub outcome: LeakageOutcome,
}

/// The fate of a leaking patch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum LeakageOutcome {
    /// Rewritten into the general concept; this patch is offered instead.
    Rewritten {
        /// The rewritten patch.
        patch: Box<Patch>,
    },
    /// Dropped: no rewrite stops the copy.
    Dropped,
}

/// A candidate left out, with why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// The patches left out.
    pub patches: Vec<Patch>,
    /// Why.
    pub reason: String,
}

/// Candidates never proposed again: those equal to a patch the history records.
pub(crate) fn reflect(
    candidates: Vec<Candidate>,
    history: &[PatchHistoryEntry],
    skipped: &mut Vec<Skipped>,
) -> Vec<Candidate> {
    candidates
        .into_iter()
        .filter(|candidate| {
            let tried = candidate.patches.iter().find_map(|patch| {
                history.iter().find_map(|entry| {
                    entry.patches.iter().any(|old| old.op == patch.op).then(|| {
                        if entry.kept {
                            format!("kept in iteration {}", entry.iteration)
                        } else {
                            format!(
                                "rolled back in iteration {}{}",
                                entry.iteration,
                                entry
                                    .reason
                                    .as_deref()
                                    .map(|r| format!(" ({r})"))
                                    .unwrap_or_default()
                            )
                        }
                    })
                })
            });
            match tried {
                Some(reason) => {
                    skipped.push(Skipped {
                        patches: candidate.patches.clone(),
                        reason: format!("tried before: {reason}"),
                    });
                    false
                }
                None => true,
            }
        })
        .collect()
}

/// Candidates with no patch that leaks: leaking patches rewritten when a rewrite stops
/// the copy, else their candidate dropped.
pub(crate) fn guard_leakage(
    candidates: Vec<Candidate>,
    guard: &LeakageGuard,
    actions: &mut Vec<LeakageAction>,
) -> Vec<Candidate> {
    let mut kept = Vec::new();
    'candidates: for mut candidate in candidates {
        for patch in &mut candidate.patches {
            let leaks = guard.patch_leaks(patch);
            if leaks.is_empty() {
                continue;
            }
            if let Some(rewritten) = rewrite(patch, guard) {
                actions.push(LeakageAction {
                    patch: patch.clone(),
                    leaks,
                    outcome: LeakageOutcome::Rewritten {
                        patch: Box::new(rewritten.clone()),
                    },
                });
                *patch = rewritten;
            } else {
                actions.push(LeakageAction {
                    patch: patch.clone(),
                    leaks,
                    outcome: LeakageOutcome::Dropped,
                });
                tracing::info!(
                    op = patch.op.name(),
                    "dropped a patch that copies a benchmark"
                );
                continue 'candidates;
            }
        }
        kept.push(candidate);
    }
    kept
}

/// The patch rewritten into its general concept, if that stops every copy.
fn rewrite(patch: &Patch, guard: &LeakageGuard) -> Option<Patch> {
    let mut rewritten = patch.clone();
    match &mut rewritten.op {
        PatchOp::AddExampleSql {
            question,
            sql,
            usage_guidance,
            parameters,
        } => {
            if !guard.text_leaks(question).is_empty() {
                let guidance = usage_guidance.clone()?;
                guidance.trim_end_matches('.').clone_into(question);
                *usage_guidance = None;
            }
            if !guard.sql_leaks(sql).is_empty() {
                let (rewritten, added) = parameterize_all(sql)?;
                *sql = rewritten;
                parameters.extend(added);
            }
        }
        PatchOp::AddInstruction { value } => {
            let lines: Vec<&str> = value
                .lines()
                .filter(|line| {
                    guard.text_leaks(line).is_empty() && guard.sql_leaks(line).is_empty()
                })
                .collect();
            if lines.is_empty() {
                return None;
            }
            *value = lines.join("\n");
        }
        PatchOp::AddSqlSnippet { synonyms, .. } => {
            synonyms.retain(|synonym| guard.text_leaks(synonym).is_empty());
        }
        _ => return None,
    }
    rewritten
        .rationale
        .push_str(" (rewritten: it copied a benchmark)");
    guard
        .patch_leaks(&rewritten)
        .is_empty()
        .then_some(rewritten)
}

/// `sql` with every remaining literal a parameter (`:value1`, …), and those
/// parameters.
fn parameterize_all(sql: &str) -> Option<(String, Vec<ExampleParameter>)> {
    let normalized = genie_core::sql::normalize(sql).ok()?;
    let (template, literals) = template(&normalized);
    if literals.is_empty() {
        return None;
    }
    let mut out = String::new();
    let mut added = Vec::new();
    let mut pieces = template.split('?');
    out.push_str(pieces.next().unwrap_or_default());
    for (index, piece) in pieces.enumerate() {
        let kind = literals[index].kind;
        if matches!(kind, LiteralKind::Date | LiteralKind::Timestamp) {
            let keyword = kind.sql_type();
            if out.trim_end().to_uppercase().ends_with(keyword) {
                let cut = out.trim_end().len() - keyword.len();
                out.truncate(cut);
            }
        }
        let _ = write!(out, ":value{}", index + 1);
        added.push(ExampleParameter {
            name: format!("value{}", index + 1),
            type_hint: kind.sql_type().to_owned(),
            description: None,
        });
        out.push_str(piece);
    }
    Some((out, added))
}

/// The ranked candidates as one set that passes [`PatchSet::check`] and applies:
/// each candidate in rank order while it fits (conflicts and budgets), then any whose
/// patch genie-core refuses left out until the set applies.
pub(crate) fn assemble(
    lever: Lever,
    mut ranked: Vec<Candidate>,
    space: &SpaceConfig,
    catalog: &CatalogSnapshot,
    max_patches: usize,
    skipped: &mut Vec<Skipped>,
) -> Result<PatchSet, OptimizerError> {
    let usage = SpaceUsage::of(space);
    let mut chosen: Vec<Candidate> = Vec::new();
    for candidate in ranked.drain(..) {
        let count: usize = chosen.iter().map(|c| c.patches.len()).sum();
        if count + candidate.patches.len() > max_patches {
            skipped.push(Skipped {
                patches: candidate.patches,
                reason: format!("trimmed: the proposal holds at most {max_patches} patches"),
            });
            continue;
        }
        let trial = set_of(lever, chosen.iter().chain(std::iter::once(&candidate)));
        let conflicts = trial.check(&usage);
        if let Some(conflict) = conflicts.first() {
            skipped.push(Skipped {
                patches: candidate.patches,
                reason: format!("trimmed: {conflict}"),
            });
            continue;
        }
        chosen.push(candidate);
    }
    loop {
        let set = set_of(lever, chosen.iter());
        match apply_patch_set(space, catalog, &set, 0) {
            Ok(_) => return Ok(set),
            Err(PatchRefusal::InvalidBase { problems }) => {
                return Err(OptimizerError::InvalidSpace { problems });
            }
            Err(refusal) => {
                let index = match &refusal {
                    PatchRefusal::Inapplicable { index, .. }
                    | PatchRefusal::Invalid { index, .. } => *index,
                    _ => set.patches.len().saturating_sub(1),
                };
                let mut start = 0;
                let position = chosen.iter().position(|candidate| {
                    let end = start + candidate.patches.len();
                    let hit = index >= start && index < end;
                    start = end;
                    hit
                });
                let Some(position) = position else {
                    return Ok(PatchSet {
                        lever,
                        patches: Vec::new(),
                    });
                };
                let dropped = chosen.remove(position);
                skipped.push(Skipped {
                    patches: dropped.patches,
                    reason: format!("refused by the patch application: {refusal}"),
                });
            }
        }
    }
}

fn set_of<'a>(lever: Lever, candidates: impl Iterator<Item = &'a Candidate>) -> PatchSet {
    PatchSet {
        lever,
        patches: candidates
            .flat_map(|candidate| candidate.patches.iter().cloned())
            .collect(),
    }
}

/// Ranks candidates: concepts before question shapes, then by how many questions they
/// should fix, then by kind, then by content (so the order never depends on input
/// order).
pub(crate) fn rank(mut candidates: Vec<Candidate>) -> Vec<Candidate> {
    let key = |candidate: &Candidate| {
        (
            !candidate.concept,
            std::cmp::Reverse(candidate.fixes().len()),
            candidate.kind,
            serde_json::to_string(&candidate.patches).unwrap_or_default(),
        )
    };
    candidates.sort_by_cached_key(key);
    let mut seen: BTreeSet<String> = BTreeSet::new();
    candidates.retain(|candidate| {
        seen.insert(serde_json::to_string(&candidate.patches).unwrap_or_default())
    });
    candidates
}

#[cfg(test)]
mod tests {
    use genie_core::benchmark::{
        AssetType, Benchmark, BenchmarkSet, BenchmarkSource, Priority, Split,
    };
    use genie_core::patch::Risk;

    use super::*;

    fn guard() -> LeakageGuard {
        let benchmark = |id: &str, split, question: &str, sql: &str| Benchmark {
            id: id.to_owned(),
            question: question.to_owned(),
            expected_sql: sql.to_owned(),
            expected_asset: AssetType::Table,
            priority: Priority::P1,
            split,
            category: None,
            order_matters: None,
            source: BenchmarkSource::User,
            line: 0,
        };
        LeakageGuard::new(&BenchmarkSet::new(
            None,
            vec![
                benchmark(
                    "t",
                    Split::Train,
                    "Which five shops sold the most widgets last spring?",
                    "SELECT shop, SUM(n) AS sold FROM main.s.sales WHERE kind = 'W' GROUP BY shop",
                ),
                benchmark(
                    "h",
                    Split::HeldOut,
                    "How many returns did the northern branches log in total?",
                    "SELECT COUNT(*) FROM main.s.returns WHERE area = 'N'",
                ),
            ],
            Vec::new(),
        ))
    }

    fn candidate(op: PatchOp) -> Candidate {
        Candidate {
            patches: vec![Patch {
                lever: op.natural_lever(),
                op,
                risk: Risk::Medium,
                rationale: "test".to_owned(),
                fixes: vec!["t".to_owned()],
                cluster: None,
            }],
            concept: false,
            kind: 0,
        }
    }

    #[test]
    fn leaking_lines_synonyms_and_sql_are_rewritten_or_dropped() {
        let guard = guard();
        let mut actions = Vec::new();
        let kept = guard_leakage(
            vec![
                candidate(PatchOp::AddInstruction {
                    value: "How many returns did the northern branches log in total?\nReturns are counted per line."
                        .to_owned(),
                }),
                candidate(PatchOp::AddExampleSql {
                    question: "Sold by shop for a kind".to_owned(),
                    sql: "SELECT shop, SUM(n) AS sold FROM main.s.sales WHERE kind = 'W' GROUP BY shop".to_owned(),
                    usage_guidance: None,
                    parameters: Vec::new(),
                }),
                candidate(PatchOp::SetTableDescription {
                    target: "main.s.returns".to_owned(),
                    value: "How many returns did the northern branches log in total?".to_owned(),
                }),
            ],
            &guard,
            &mut actions,
        );
        assert_eq!(kept.len(), 2);
        assert_eq!(actions.len(), 3);
        let PatchOp::AddInstruction { value } = &kept[0].patches[0].op else {
            panic!()
        };
        assert_eq!(value, "Returns are counted per line.");
        let PatchOp::AddExampleSql {
            sql, parameters, ..
        } = &kept[1].patches[0].op
        else {
            panic!()
        };
        assert!(sql.contains(":value1"), "{sql}");
        assert_eq!(parameters.len(), 1);
        assert_eq!(actions[2].outcome, LeakageOutcome::Dropped);
        assert_eq!(actions[0].leaks[0].split, Split::HeldOut);
        for candidate in &kept {
            assert!(guard.patch_leaks(&candidate.patches[0]).is_empty());
        }
    }

    #[test]
    fn tried_patches_are_skipped_with_the_history_reason() {
        let tried = candidate(PatchOp::AddSampleQuestion {
            value: "Sales by shop".to_owned(),
        });
        let fresh = candidate(PatchOp::AddSampleQuestion {
            value: "Returns by area".to_owned(),
        });
        let history = vec![PatchHistoryEntry {
            iteration: 2,
            patches: tried.patches.clone(),
            kept: false,
            reason: Some("P0 question q7 failed".to_owned()),
        }];
        let mut skipped = Vec::new();
        let kept = reflect(vec![tried, fresh.clone()], &history, &mut skipped);
        assert_eq!(kept, vec![fresh]);
        assert_eq!(
            skipped[0].reason,
            "tried before: rolled back in iteration 2 (P0 question q7 failed)"
        );
    }

    #[test]
    fn every_literal_becomes_a_parameter() {
        let (sql, parameters) = parameterize_all(
            "SELECT a FROM main.s.t WHERE d >= DATE '2024-01-01' AND k = 'X' AND n > 3",
        )
        .unwrap();
        assert_eq!(
            sql,
            "SELECT a FROM main.s.t WHERE d >= :value1 AND k = :value2 AND n > :value3"
        );
        let types: Vec<&str> = parameters.iter().map(|p| p.type_hint.as_str()).collect();
        assert_eq!(types, ["DATE", "STRING", "INT"]);
        assert!(parameterize_all("SELECT a FROM main.s.t").is_none());
    }
}
