//! Patches, patch sets and the conflict check that runs before anything is applied.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::op::{ConflictKey, PatchOp};
use crate::canonical::ContentHash;
use crate::evaluation::BlameItem;
use crate::space::{
    MAX_DATA_SOURCES, MAX_INSTRUCTIONS, MAX_SNIPPETS, MAX_STRING_CHARS, SpaceUsage,
};
use crate::taxonomy::{FailureType, Lever};

/// How risky a patch is to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    /// Additive and local (a synonym, a description).
    Low,
    /// Changes what Genie sees for many questions (an instruction, a join spec).
    Medium,
    /// Shared or structural (UC DDL, removing an example).
    High,
}

/// One proposed change with its reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Patch {
    /// What to change.
    #[serde(flatten)]
    pub op: PatchOp,
    /// The lever it belongs to.
    pub lever: Lever,
    /// Its risk.
    pub risk: Risk,
    /// Why the optimizer proposes it.
    pub rationale: String,
    /// The question ids it should fix.
    #[serde(default)]
    pub fixes: Vec<String>,
    /// The failure cluster it came from, when the optimizer derived it from one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<ClusterId>,
}

/// Which failure cluster a patch came from: the failure type and a hash of the blame
/// set, so the same root cause gets the same id in every run and iteration.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClusterId(String);

impl ClusterId {
    /// The id of the cluster of `failure_type` failures blaming `blame_set` (in any
    /// order): `missing_synonym-0a1b2c3d4e5f`.
    pub fn of(failure_type: FailureType, blame_set: &[BlameItem]) -> Self {
        let blame: BTreeSet<&BlameItem> = blame_set.iter().collect();
        Self(format!(
            "{failure_type}-{}",
            ContentHash::of(&blame).short()
        ))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClusterId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a patch set cannot be applied as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PatchConflict {
    /// Two patches set the same single-valued target.
    #[error("patches {first} and {second} both change {target}")]
    SameTarget {
        /// Index of the first patch.
        first: usize,
        /// Index of the second patch.
        second: usize,
        /// The target.
        target: String,
    },
    /// One patch adds an item another removes (or the same item is added twice).
    #[error("patches {first} and {second} both touch {target}")]
    AddRemove {
        /// Index of the first patch.
        first: usize,
        /// Index of the second patch.
        second: usize,
        /// The item.
        target: String,
    },
    /// The set would push the space past a limit.
    #[error("the set would exceed the {budget} budget: {would_be} > {limit}")]
    Budget {
        /// Which budget.
        budget: String,
        /// The total after applying.
        would_be: usize,
        /// The limit.
        limit: usize,
    },
    /// A patch's lever does not match its op.
    #[error("patch {index} is `{op}` but claims {lever}")]
    WrongLever {
        /// Index of the patch.
        index: usize,
        /// The op name.
        op: String,
        /// The claimed lever.
        lever: Lever,
    },
}

/// The patches proposed together for one lever; applied all-or-nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PatchSet {
    /// The lever targeted.
    pub lever: Lever,
    /// The patches, applied in order.
    pub patches: Vec<Patch>,
}

impl PatchSet {
    /// The set's identity: the hash of its canonical JSON.
    pub fn content_hash(&self) -> ContentHash {
        ContentHash::of(self)
    }

    /// Every object the set changes, deduplicated (for the slice scope).
    pub fn patched_objects(&self) -> Vec<BlameItem> {
        let objects: BTreeSet<BlameItem> = self
            .patches
            .iter()
            .map(|patch| patch.op.patched_object())
            .collect();
        objects.into_iter().collect()
    }

    /// The union of the questions the patches claim to fix, sorted.
    pub fn target_questions(&self) -> Vec<String> {
        let ids: BTreeSet<&String> = self.patches.iter().flat_map(|patch| &patch.fixes).collect();
        ids.into_iter().cloned().collect()
    }

    /// Every reason the set cannot be applied as a whole, given what the space holds
    /// now ([`SpaceUsage::of`] the target config). Empty means the set may be applied.
    pub fn check(&self, usage: &SpaceUsage) -> Vec<PatchConflict> {
        let mut conflicts = Vec::new();
        let mut seen: BTreeMap<ConflictKey, usize> = BTreeMap::new();
        for (index, patch) in self.patches.iter().enumerate() {
            let natural = patch.op.natural_lever();
            let lever_fits = patch.lever == natural
                || (matches!(patch.op, PatchOp::SetTableProperty { .. })
                    && patch.lever == Lever::MlTables);
            if !lever_fits {
                conflicts.push(PatchConflict::WrongLever {
                    index,
                    op: patch.op.name().to_owned(),
                    lever: patch.lever,
                });
            }
            let (key, _) = patch.op.conflict_key();
            if let Some(&first) = seen.get(&key) {
                conflicts.push(match &key {
                    ConflictKey::Slot(target) => PatchConflict::SameTarget {
                        first,
                        second: index,
                        target: target.clone(),
                    },
                    ConflictKey::Item(target) => PatchConflict::AddRemove {
                        first,
                        second: index,
                        target: target.clone(),
                    },
                });
            } else {
                seen.insert(key, index);
            }
        }
        conflicts.extend(self.budget_conflicts(usage));
        conflicts
    }

    /// The budget part of [`check`](Self::check).
    fn budget_conflicts(&self, usage: &SpaceUsage) -> Vec<PatchConflict> {
        let mut chars = usage.instruction_chars;
        let mut instructions = usage.instructions;
        let mut snippets = usage.snippets;
        let mut tables = usage.data_sources;
        let mut has_text = usage.text_instructions > 0;
        for patch in &self.patches {
            match &patch.op {
                PatchOp::AddInstruction { value } => {
                    // Appended as its own paragraph.
                    chars += value.chars().count() + usize::from(chars > 0);
                    if !has_text {
                        instructions += 1;
                        has_text = true;
                    }
                }
                PatchOp::AddExampleSql { .. } | PatchOp::AddFunctionToSpace { .. } => {
                    instructions += 1;
                }
                PatchOp::RemoveExampleSql { .. } => instructions = instructions.saturating_sub(1),
                PatchOp::AddJoinSpec { .. } | PatchOp::AddSqlSnippet { .. } => snippets += 1,
                PatchOp::AddMetricViewToSpace { .. } => tables += 1,
                _ => {}
            }
        }
        [
            ("text instruction size", chars, MAX_STRING_CHARS),
            ("instruction count", instructions, MAX_INSTRUCTIONS),
            ("snippet count", snippets, MAX_SNIPPETS),
            ("table count", tables, MAX_DATA_SOURCES),
        ]
        .into_iter()
        .filter(|(_, would_be, limit)| would_be > limit)
        .map(|(budget, would_be, limit)| PatchConflict::Budget {
            budget: budget.to_owned(),
            would_be,
            limit,
        })
        .collect()
    }
}

impl fmt::Display for Patch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}, {:?} risk)",
            self.op.name(),
            self.lever,
            self.risk
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patch::{ColumnTarget, Relationship};

    fn column(table: &str, column: &str) -> ColumnTarget {
        ColumnTarget {
            table: table.to_owned(),
            column: column.to_owned(),
        }
    }

    fn patch(op: PatchOp) -> Patch {
        Patch {
            lever: op.natural_lever(),
            op,
            risk: Risk::Low,
            rationale: "test".to_owned(),
            fixes: vec!["q1".to_owned()],
            cluster: None,
        }
    }

    fn set(ops: Vec<PatchOp>) -> PatchSet {
        PatchSet {
            lever: Lever::UcMetadata,
            patches: ops.into_iter().map(patch).collect(),
        }
    }

    #[test]
    fn patch_serializes_as_the_dsl_shape() {
        let value = serde_json::to_value(patch(PatchOp::AddColumnSynonym {
            target: column("main.sales.orders", "cust_seg"),
            value: "customer segment".to_owned(),
        }))
        .unwrap();
        assert_eq!(
            value,
            serde_json::json!({
                "op": "add_column_synonym",
                "target": {"table": "main.sales.orders", "column": "cust_seg"},
                "value": "customer segment",
                "lever": 1,
                "risk": "low",
                "rationale": "test",
                "fixes": ["q1"]
            })
        );
        let back: Patch = serde_json::from_value(value).unwrap();
        assert_eq!(back.op.name(), "add_column_synonym");
    }

    #[test]
    fn independent_patches_do_not_conflict() {
        let set = set(vec![
            PatchOp::AddColumnSynonym {
                target: column("main.s.t", "a"),
                value: "alpha".to_owned(),
            },
            PatchOp::AddColumnSynonym {
                target: column("main.s.t", "a"),
                value: "first".to_owned(),
            },
            PatchOp::SetColumnDescription {
                target: column("main.s.t", "a"),
                value: "The a.".to_owned(),
            },
        ]);
        assert_eq!(set.check(&SpaceUsage::default()), Vec::new());
        assert_eq!(set.patched_objects().len(), 1);
        assert_eq!(set.target_questions(), vec!["q1".to_owned()]);
    }

    #[test]
    fn same_target_and_add_remove_conflict() {
        let set = set(vec![
            PatchOp::SetColumnDescription {
                target: column("main.s.t", "a"),
                value: "one".to_owned(),
            },
            PatchOp::SetColumnDescription {
                target: column("MAIN.s.t", "A"),
                value: "two".to_owned(),
            },
            PatchOp::AddColumnSynonym {
                target: column("main.s.t", "a"),
                value: "alpha".to_owned(),
            },
            PatchOp::RemoveColumnSynonym {
                target: column("main.s.t", "a"),
                value: "Alpha".to_owned(),
            },
        ]);
        let conflicts = set.check(&SpaceUsage::default());
        assert_eq!(conflicts.len(), 2, "{conflicts:?}");
        assert!(matches!(
            conflicts[0],
            PatchConflict::SameTarget {
                first: 0,
                second: 1,
                ..
            }
        ));
        assert!(matches!(
            conflicts[1],
            PatchConflict::AddRemove {
                first: 2,
                second: 3,
                ..
            }
        ));
    }

    #[test]
    fn instruction_budget_is_checked() {
        let set = PatchSet {
            lever: Lever::SpaceInstructions,
            patches: vec![patch(PatchOp::AddInstruction {
                value: "x".repeat(1_000),
            })],
        };
        let usage = SpaceUsage {
            instruction_chars: 24_500,
            text_instructions: 1,
            instructions: 1,
            ..SpaceUsage::default()
        };
        let conflicts = set.check(&usage);
        assert_eq!(
            conflicts,
            vec![PatchConflict::Budget {
                budget: "text instruction size".to_owned(),
                would_be: 25_501,
                limit: 25_000
            }]
        );
        assert!(set.check(&SpaceUsage::default()).is_empty());
    }

    #[test]
    fn count_budgets_are_checked() {
        let examples: Vec<Patch> = (0..3)
            .map(|i| {
                patch(PatchOp::AddExampleSql {
                    question: format!("question {i}"),
                    sql: "SELECT 1".to_owned(),
                    usage_guidance: None,
                    parameters: Vec::new(),
                })
            })
            .collect();
        let set = PatchSet {
            lever: Lever::SpaceInstructions,
            patches: examples,
        };
        let usage = SpaceUsage {
            instructions: 98,
            ..SpaceUsage::default()
        };
        assert!(matches!(
            set.check(&usage).as_slice(),
            [PatchConflict::Budget {
                would_be: 101,
                limit: 100,
                ..
            }]
        ));
    }

    #[test]
    fn wrong_lever_is_reported() {
        let mut set = set(vec![PatchOp::AddJoinSpec {
            left: "main.s.a".to_owned(),
            right: "main.s.b".to_owned(),
            condition: "a.id = b.id".to_owned(),
            relationship: Relationship::ManyToOne,
        }]);
        set.patches[0].lever = Lever::UcMetadata;
        assert!(matches!(
            set.check(&SpaceUsage::default()).as_slice(),
            [PatchConflict::WrongLever { index: 0, .. }]
        ));
    }

    #[test]
    fn cluster_ids_ignore_blame_order_and_serialize_only_when_set() {
        let a = BlameItem::Table {
            identifier: "main.s.a".to_owned(),
        };
        let b = BlameItem::Column {
            table: "main.s.a".to_owned(),
            column: "x".to_owned(),
        };
        let id = ClusterId::of(FailureType::MissingSynonym, &[a.clone(), b.clone()]);
        assert_eq!(
            id,
            ClusterId::of(FailureType::MissingSynonym, &[b, a.clone()])
        );
        assert_ne!(id, ClusterId::of(FailureType::WrongColumn, &[a]));
        assert!(id.as_str().starts_with("missing_synonym-"), "{id}");
        let mut with = patch(PatchOp::AddSampleQuestion {
            value: "How many?".to_owned(),
        });
        assert!(
            serde_json::to_value(&with)
                .unwrap()
                .get("cluster")
                .is_none()
        );
        with.cluster = Some(id.clone());
        let value = serde_json::to_value(&with).unwrap();
        assert_eq!(value["cluster"], id.as_str());
        assert_eq!(serde_json::from_value::<Patch>(value).unwrap(), with);
    }

    #[test]
    fn set_hash_changes_with_content() {
        let a = set(vec![PatchOp::AddSampleQuestion {
            value: "How many?".to_owned(),
        }]);
        let mut b = a.clone();
        b.patches[0].rationale.push('!');
        assert_ne!(a.content_hash(), b.content_hash());
    }
}
