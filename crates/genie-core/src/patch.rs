//! The Patch DSL (DESIGN §7): metadata changes as data, their conflict check, and the
//! apply log that makes rollback exact.
//!
//! A [`Patch`] is `{op, target, value, lever, risk, rationale, fixes}`. The optimizer
//! proposes a [`PatchSet`]; [`PatchSet::check`] finds conflicts *before* anything is
//! applied (two patches on one target, an add and a remove of one item, budgets
//! exceeded), so the applier can apply a set all-or-nothing. The applier records each
//! change's prior value in an [`ApplyLog`], from which rollback restores the exact
//! prior state.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::canonical::ContentHash;
use crate::evaluation::BlameItem;
use crate::space::{
    MAX_DATA_SOURCES, MAX_INSTRUCTIONS, MAX_SNIPPETS, MAX_STRING_CHARS, SnippetKind, SpaceUsage,
};
use crate::taxonomy::Lever;

/// A table column, by table identifier and column name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ColumnTarget {
    /// The table's three-part identifier.
    pub table: String,
    /// The column name.
    pub column: String,
}

/// A Unity Catalog object that takes comments and tags.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum UcObject {
    /// A table or view.
    Table {
        /// `catalog.schema.table`.
        identifier: String,
    },
    /// A column.
    Column {
        /// `catalog.schema.table`.
        table: String,
        /// The column name.
        column: String,
    },
}

/// A join's relationship type, as join specs annotate it (`--rt=FROM_RELATIONSHIP_TYPE_…--`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Relationship {
    /// Many rows on the left per row on the right.
    ManyToOne,
    /// One row on the left per many on the right.
    OneToMany,
    /// One to one.
    OneToOne,
    /// Many to many.
    ManyToMany,
}

/// One metadata change. Serialised with its `op` name as the tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PatchOp {
    /// Lever 1: set a table's space-level description.
    SetTableDescription {
        /// The table.
        target: String,
        /// The new description.
        value: String,
    },
    /// Lever 1: set a column's space-level description.
    SetColumnDescription {
        /// The column.
        target: ColumnTarget,
        /// The new description.
        value: String,
    },
    /// Lever 1: add a synonym to a column.
    AddColumnSynonym {
        /// The column.
        target: ColumnTarget,
        /// The synonym.
        value: String,
    },
    /// Lever 1: remove a synonym from a column.
    RemoveColumnSynonym {
        /// The column.
        target: ColumnTarget,
        /// The synonym.
        value: String,
    },
    /// Lever 1: hide a column from Genie (or show it again).
    SetColumnExclude {
        /// The column.
        target: ColumnTarget,
        /// True to hide.
        value: bool,
    },
    /// Lever 1: turn example values (format assistance) on or off.
    EnableExampleValues {
        /// The column.
        target: ColumnTarget,
        /// On or off.
        value: bool,
    },
    /// Lever 1: turn the value dictionary (entity matching) on or off.
    EnableValueDictionary {
        /// The column.
        target: ColumnTarget,
        /// On or off.
        value: bool,
    },
    /// Lever 1: set a Unity Catalog comment (DDL; shared by every space).
    SetUcComment {
        /// The object.
        target: UcObject,
        /// The comment.
        value: String,
    },
    /// Lever 1: set a Unity Catalog tag.
    SetUcTag {
        /// The object.
        target: UcObject,
        /// The tag key.
        key: String,
        /// The tag value.
        value: String,
    },
    /// Lever 2: create (or replace) a metric view.
    CreateMetricView {
        /// `catalog.schema.view`.
        target: String,
        /// The metric view's YAML definition.
        value: String,
    },
    /// Lever 2: add a metric view to the space.
    AddMetricViewToSpace {
        /// `catalog.schema.view`.
        target: String,
    },
    /// Lever 3: create (or replace) a SQL table-valued function.
    CreateFunction {
        /// `catalog.schema.function`.
        target: String,
        /// The full `CREATE OR REPLACE FUNCTION …` statement.
        value: String,
    },
    /// Lever 3: add a function to the space.
    AddFunctionToSpace {
        /// `catalog.schema.function`.
        target: String,
    },
    /// Levers 4–5: set a table property.
    SetTableProperty {
        /// The table.
        target: String,
        /// The property key.
        key: String,
        /// The property value.
        value: String,
    },
    /// Lever 6: append text to the space's text instruction.
    AddInstruction {
        /// The text to add.
        value: String,
    },
    /// Lever 6: replace the text instruction with this id.
    UpdateInstruction {
        /// The instruction's id.
        target: String,
        /// The new text.
        value: String,
    },
    /// Lever 6: add an example question with its SQL.
    AddExampleSql {
        /// The example question.
        question: String,
        /// Its SQL.
        sql: String,
        /// When Genie should use it.
        usage_guidance: Option<String>,
    },
    /// Lever 6: remove an example question SQL.
    RemoveExampleSql {
        /// The example's id.
        target: String,
    },
    /// Lever 6: add a join relationship.
    AddJoinSpec {
        /// The left table.
        left: String,
        /// The right table.
        right: String,
        /// The join condition (one equality).
        condition: String,
        /// The relationship type.
        relationship: Relationship,
    },
    /// Lever 6: add a SQL snippet.
    AddSqlSnippet {
        /// Filter, expression or measure.
        kind: SnippetKind,
        /// Display name (filters) or alias (expressions, measures).
        name: String,
        /// The table-qualified SQL (filters without `WHERE`).
        sql: String,
        /// Words that trigger it.
        #[serde(default)]
        synonyms: Vec<String>,
    },
    /// Lever 6: add a sample question (a UI suggestion).
    AddSampleQuestion {
        /// The question.
        value: String,
    },
}

/// The key two patches conflict on when they share it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum ConflictKey {
    /// A single-valued slot (a description, a flag, a comment, an instruction).
    Slot(String),
    /// One item of a set (a synonym, an example, a snippet name).
    Item(String),
}

impl PatchOp {
    /// The op's snake-case name (`add_column_synonym`).
    pub fn name(&self) -> &'static str {
        match self {
            Self::SetTableDescription { .. } => "set_table_description",
            Self::SetColumnDescription { .. } => "set_column_description",
            Self::AddColumnSynonym { .. } => "add_column_synonym",
            Self::RemoveColumnSynonym { .. } => "remove_column_synonym",
            Self::SetColumnExclude { .. } => "set_column_exclude",
            Self::EnableExampleValues { .. } => "enable_example_values",
            Self::EnableValueDictionary { .. } => "enable_value_dictionary",
            Self::SetUcComment { .. } => "set_uc_comment",
            Self::SetUcTag { .. } => "set_uc_tag",
            Self::CreateMetricView { .. } => "create_metric_view",
            Self::AddMetricViewToSpace { .. } => "add_metric_view_to_space",
            Self::CreateFunction { .. } => "create_function",
            Self::AddFunctionToSpace { .. } => "add_function_to_space",
            Self::SetTableProperty { .. } => "set_table_property",
            Self::AddInstruction { .. } => "add_instruction",
            Self::UpdateInstruction { .. } => "update_instruction",
            Self::AddExampleSql { .. } => "add_example_sql",
            Self::RemoveExampleSql { .. } => "remove_example_sql",
            Self::AddJoinSpec { .. } => "add_join_spec",
            Self::AddSqlSnippet { .. } => "add_sql_snippet",
            Self::AddSampleQuestion { .. } => "add_sample_question",
        }
    }

    /// The lever this op belongs to (levers 4 and 5 share `set_table_property`; it is
    /// reported as lever 4 unless the patch says otherwise).
    pub fn natural_lever(&self) -> Lever {
        match self {
            Self::SetTableDescription { .. }
            | Self::SetColumnDescription { .. }
            | Self::AddColumnSynonym { .. }
            | Self::RemoveColumnSynonym { .. }
            | Self::SetColumnExclude { .. }
            | Self::EnableExampleValues { .. }
            | Self::EnableValueDictionary { .. }
            | Self::SetUcComment { .. }
            | Self::SetUcTag { .. } => Lever::UcMetadata,
            Self::CreateMetricView { .. } | Self::AddMetricViewToSpace { .. } => Lever::MetricViews,
            Self::CreateFunction { .. } | Self::AddFunctionToSpace { .. } => Lever::Functions,
            Self::SetTableProperty { .. } => Lever::MonitoringTables,
            Self::AddInstruction { .. }
            | Self::UpdateInstruction { .. }
            | Self::AddExampleSql { .. }
            | Self::RemoveExampleSql { .. }
            | Self::AddJoinSpec { .. }
            | Self::AddSqlSnippet { .. }
            | Self::AddSampleQuestion { .. } => Lever::SpaceInstructions,
        }
    }

    /// Whether applying the op runs DDL on Unity Catalog (shared by every space),
    /// rather than editing the space config.
    pub fn is_uc_change(&self) -> bool {
        matches!(
            self,
            Self::SetUcComment { .. }
                | Self::SetUcTag { .. }
                | Self::CreateMetricView { .. }
                | Self::CreateFunction { .. }
                | Self::SetTableProperty { .. }
        )
    }

    /// The metadata object the op changes, for slice evaluation.
    pub fn patched_object(&self) -> BlameItem {
        let column = |target: &ColumnTarget| BlameItem::Column {
            table: target.table.clone(),
            column: target.column.clone(),
        };
        let uc = |target: &UcObject| match target {
            UcObject::Table { identifier } => BlameItem::Table {
                identifier: identifier.clone(),
            },
            UcObject::Column { table, column } => BlameItem::Column {
                table: table.clone(),
                column: column.clone(),
            },
        };
        match self {
            Self::SetTableDescription { target, .. } | Self::SetTableProperty { target, .. } => {
                BlameItem::Table {
                    identifier: target.clone(),
                }
            }
            Self::SetColumnDescription { target, .. }
            | Self::AddColumnSynonym { target, .. }
            | Self::RemoveColumnSynonym { target, .. }
            | Self::SetColumnExclude { target, .. }
            | Self::EnableExampleValues { target, .. }
            | Self::EnableValueDictionary { target, .. } => column(target),
            Self::SetUcComment { target, .. } | Self::SetUcTag { target, .. } => uc(target),
            Self::CreateMetricView { target, .. } | Self::AddMetricViewToSpace { target } => {
                BlameItem::MetricView {
                    identifier: target.clone(),
                }
            }
            Self::CreateFunction { target, .. } | Self::AddFunctionToSpace { target } => {
                BlameItem::Function {
                    identifier: target.clone(),
                }
            }
            Self::AddInstruction { .. }
            | Self::UpdateInstruction { .. }
            | Self::AddSampleQuestion { .. } => BlameItem::Instruction,
            Self::AddExampleSql { .. } | Self::RemoveExampleSql { .. } => {
                let id = match self {
                    Self::RemoveExampleSql { target } => target.clone(),
                    _ => String::new(),
                };
                BlameItem::ExampleSql { id }
            }
            Self::AddJoinSpec { left, right, .. } => BlameItem::Join {
                left: left.clone(),
                right: right.clone(),
            },
            Self::AddSqlSnippet { name, .. } => BlameItem::Snippet { name: name.clone() },
        }
    }

    /// The key this op conflicts on, and whether it adds (`Some(true)`), removes
    /// (`Some(false)`) or sets (`None`).
    fn conflict_key(&self) -> (ConflictKey, Option<bool>) {
        let column =
            |t: &ColumnTarget| format!("{}.{}", t.table.to_lowercase(), t.column.to_lowercase());
        let uc = |t: &UcObject| match t {
            UcObject::Table { identifier } => identifier.to_lowercase(),
            UcObject::Column { table, column } => {
                format!("{}.{}", table.to_lowercase(), column.to_lowercase())
            }
        };
        let slot = |s: String| (ConflictKey::Slot(s), None);
        match self {
            Self::SetTableDescription { target, .. } => {
                slot(format!("table description {}", target.to_lowercase()))
            }
            Self::SetColumnDescription { target, .. } => {
                slot(format!("column description {}", column(target)))
            }
            Self::AddColumnSynonym { target, value }
            | Self::RemoveColumnSynonym { target, value } => (
                ConflictKey::Item(format!(
                    "synonym {} `{}`",
                    column(target),
                    value.to_lowercase()
                )),
                Some(matches!(self, Self::AddColumnSynonym { .. })),
            ),
            Self::SetColumnExclude { target, .. } => {
                slot(format!("column exclude {}", column(target)))
            }
            Self::EnableExampleValues { target, .. } => {
                slot(format!("example values {}", column(target)))
            }
            Self::EnableValueDictionary { target, .. } => {
                slot(format!("value dictionary {}", column(target)))
            }
            Self::SetUcComment { target, .. } => slot(format!("uc comment {}", uc(target))),
            Self::SetUcTag { target, key, .. } => {
                slot(format!("uc tag {} `{}`", uc(target), key.to_lowercase()))
            }
            Self::CreateMetricView { target, .. } => {
                slot(format!("metric view {}", target.to_lowercase()))
            }
            Self::AddMetricViewToSpace { target } => (
                ConflictKey::Item(format!("space metric view {}", target.to_lowercase())),
                Some(true),
            ),
            Self::CreateFunction { target, .. } => {
                slot(format!("function {}", target.to_lowercase()))
            }
            Self::AddFunctionToSpace { target } => (
                ConflictKey::Item(format!("space function {}", target.to_lowercase())),
                Some(true),
            ),
            Self::SetTableProperty { target, key, .. } => slot(format!(
                "table property {} `{}`",
                target.to_lowercase(),
                key.to_lowercase()
            )),
            // Several additions to the text instruction append in order; they only
            // meet the size budget, checked separately.
            Self::AddInstruction { value } => (
                ConflictKey::Item(format!("instruction text `{}`", value.trim())),
                Some(true),
            ),
            Self::UpdateInstruction { target, .. } => slot(format!("instruction {target}")),
            Self::AddExampleSql { question, .. } => (
                ConflictKey::Item(format!("example `{}`", question.trim().to_lowercase())),
                Some(true),
            ),
            Self::RemoveExampleSql { target } => (
                ConflictKey::Item(format!("example id {target}")),
                Some(false),
            ),
            Self::AddJoinSpec { left, right, .. } => {
                let mut pair = [left.to_lowercase(), right.to_lowercase()];
                pair.sort();
                (
                    ConflictKey::Slot(format!("join {} {}", pair[0], pair[1])),
                    None,
                )
            }
            Self::AddSqlSnippet { kind, name, .. } => (
                ConflictKey::Item(format!("{kind:?} snippet `{}`", name.to_lowercase())),
                Some(true),
            ),
            Self::AddSampleQuestion { value } => (
                ConflictKey::Item(format!("sample question `{}`", value.trim().to_lowercase())),
                Some(true),
            ),
        }
    }
}

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

/// One applied patch and what it replaced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppliedPatch {
    /// Index of the patch in its set.
    pub index: usize,
    /// The patch.
    pub patch: Patch,
    /// The exact prior value at the patch's target, as JSON; `None` when the target did
    /// not exist (rollback removes it).
    pub prior: Option<serde_json::Value>,
    /// For a Unity Catalog change: the statement run, and the statement that undoes it.
    pub ddl: Option<DdlChange>,
}

/// A Unity Catalog statement and its inverse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DdlChange {
    /// The statement applied.
    pub forward: String,
    /// The statement that restores the prior state.
    pub inverse: String,
}

/// The record of applying one patch set to one space; rollback reads it backwards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplyLog {
    /// The space changed.
    pub space_id: String,
    /// The patch set's hash.
    pub patch_set_hash: ContentHash,
    /// The config's hash before applying (rollback must restore exactly this).
    pub config_hash_before: ContentHash,
    /// The config's hash after applying.
    pub config_hash_after: ContentHash,
    /// When, in milliseconds since the Unix epoch (passed in by the caller).
    pub applied_at_ms: u64,
    /// The applied patches, in application order.
    pub applied: Vec<AppliedPatch>,
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
    fn set_hash_changes_with_content() {
        let a = set(vec![PatchOp::AddSampleQuestion {
            value: "How many?".to_owned(),
        }]);
        let mut b = a.clone();
        b.patches[0].rationale.push('!');
        assert_ne!(a.content_hash(), b.content_hash());
    }
}
