//! The Patch DSL's operations: what can change, on which target, at which lever.

use serde::{Deserialize, Serialize};

use crate::evaluation::BlameItem;
use crate::space::{RELATIONSHIP_ANNOTATION_PREFIX, SnippetKind};
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

impl Relationship {
    /// The annotation element a join spec's SQL carries for this relationship
    /// (`--rt=FROM_RELATIONSHIP_TYPE_MANY_TO_ONE--`).
    pub fn annotation(self) -> String {
        let kind = match self {
            Self::ManyToOne => "MANY_TO_ONE",
            Self::OneToMany => "ONE_TO_MANY",
            Self::OneToOne => "ONE_TO_ONE",
            Self::ManyToMany => "MANY_TO_MANY",
        };
        format!("{RELATIONSHIP_ANNOTATION_PREFIX}FROM_RELATIONSHIP_TYPE_{kind}--")
    }
}

/// A parameter of an `add_example_sql` patch's SQL (`:region`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ExampleParameter {
    /// The marker's name, without the colon.
    pub name: String,
    /// Its SQL type (`STRING`, `DATE`, `INT`, …).
    pub type_hint: String,
    /// What it stands for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
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
        /// The `:name` parameters its SQL uses (a parameterised example is a trusted
        /// asset), sorted by name when applied.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        parameters: Vec<ExampleParameter>,
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
pub(super) enum ConflictKey {
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
    pub(super) fn conflict_key(&self) -> (ConflictKey, Option<bool>) {
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
