//! What undoes a space patch: [`SpaceRestore`], and [`restore_space`] which applies a
//! sequence of them backwards.
//!
//! An inverse puts back the exact prior value of the one slot its patch changed (a
//! table description, a column config, the text instruction) or removes the one item
//! it added (found by id, so the canonical re-sorting in between does not matter), then
//! drops the containers the patch had to create (a `column_configs` list, the
//! `instructions` section, …), so the config is the original one byte for byte in
//! canonical form, absent sections included.

use serde::{Deserialize, Serialize};

use crate::space::{
    ColumnConfig, ConfigSection, DataSources, ExampleQuestionSql, Instructions, SnippetKind,
    SpaceConfig, SqlSnippets, TableConfig, TextInstruction, TextLines,
};

/// How one space patch is undone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpaceRestore {
    /// The edit that puts the slot back.
    pub undo: SpaceUndo,
    /// Containers the patch created, innermost first: each is absent again after the
    /// undo (and must be empty by then).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prune: Vec<Container>,
}

/// The edit that puts one slot back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SpaceUndo {
    /// Puts back a table's or metric view's description (`None`: absent).
    RestoreTableDescription {
        /// The data source, as the space names it.
        table: String,
        /// The prior description.
        prior: Option<TextLines>,
    },
    /// Puts back a column's config (`None`: the column had none; it is removed).
    RestoreColumn {
        /// The data source, as the space names it.
        table: String,
        /// The column, as its config names it.
        column: String,
        /// The prior config.
        prior: Option<ColumnConfig>,
    },
    /// Puts back the text instruction with the prior's id.
    RestoreTextInstruction {
        /// The prior instruction.
        prior: TextInstruction,
    },
    /// Removes the text instruction the patch created.
    RemoveTextInstruction {
        /// Its id.
        id: String,
    },
    /// Removes the example SQL the patch added.
    RemoveExampleSql {
        /// Its id.
        id: String,
    },
    /// Puts back the example SQL the patch removed.
    ReinsertExampleSql {
        /// The prior example.
        prior: ExampleQuestionSql,
    },
    /// Removes the join spec the patch added.
    RemoveJoinSpec {
        /// Its id.
        id: String,
    },
    /// Removes the snippet the patch added.
    RemoveSnippet {
        /// Its list.
        kind: SnippetKind,
        /// Its id.
        id: String,
    },
    /// Removes the sample question the patch added.
    RemoveSampleQuestion {
        /// Its id.
        id: String,
    },
    /// Removes the metric view the patch added to the space.
    RemoveMetricView {
        /// Its identifier, as the space names it.
        identifier: String,
    },
    /// Removes the SQL function the patch added to the space.
    RemoveFunction {
        /// Its id.
        id: String,
    },
}

/// A list or section of the config a patch may have had to create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "container", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Container {
    /// The `config` section.
    ConfigSection,
    /// `config.sample_questions`.
    SampleQuestions,
    /// The `data_sources` section.
    DataSources,
    /// `data_sources.metric_views`.
    MetricViews,
    /// A data source's `column_configs`.
    ColumnConfigs {
        /// The data source, as the space names it.
        table: String,
    },
    /// The `instructions` section.
    Instructions,
    /// `instructions.text_instructions`.
    TextInstructions,
    /// `instructions.example_question_sqls`.
    ExampleSqls,
    /// `instructions.sql_functions`.
    SqlFunctions,
    /// `instructions.join_specs`.
    JoinSpecs,
    /// `instructions.sql_snippets`.
    SqlSnippets,
    /// One list of `instructions.sql_snippets`.
    Snippets {
        /// Which list.
        kind: SnippetKind,
    },
}

/// Why an inverse could not be applied: the config is not the one its patch produced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RestoreError {
    /// What the undo works on is not in the config.
    #[error("cannot undo: {what} is not in the space")]
    Missing {
        /// The slot or item, e.g. "example SQL `01f0…`".
        what: String,
    },
    /// A container the patch created still holds something after the undo.
    #[error("cannot undo: {container:?} is not empty")]
    NotEmpty {
        /// The container.
        container: Container,
    },
    /// The config to roll back is not the one the log left.
    #[error("the space's config has hash `{found}`, not the `{expected}` the apply left")]
    UnexpectedCurrent {
        /// The hash the apply left.
        expected: String,
        /// The hash found.
        found: String,
    },
    /// The restored config is not the one the log started from.
    #[error("the restored config has hash `{restored}`, not `{expected}`")]
    HashMismatch {
        /// The hash rollback must restore.
        expected: String,
        /// The hash it got.
        restored: String,
    },
}

impl SpaceRestore {
    /// Applies the undo, then prunes the containers.
    pub fn apply(&self, config: &mut SpaceConfig) -> Result<(), RestoreError> {
        self.undo.apply(config)?;
        for container in &self.prune {
            prune(config, container)?;
        }
        Ok(())
    }
}

/// The config before `restores` were made: each applied in reverse order to a copy of
/// `config`, canonicalized.
pub fn restore_space<'a>(
    config: &SpaceConfig,
    restores: impl DoubleEndedIterator<Item = &'a SpaceRestore>,
) -> Result<SpaceConfig, RestoreError> {
    let mut restored = config.clone();
    for restore in restores.rev() {
        restore.apply(&mut restored)?;
    }
    Ok(restored.canonicalized())
}

impl SpaceUndo {
    fn apply(&self, config: &mut SpaceConfig) -> Result<(), RestoreError> {
        match self {
            Self::RestoreTableDescription { table, prior } => {
                data_source_mut(config, table)?
                    .description
                    .clone_from(prior);
            }
            Self::RestoreColumn {
                table,
                column,
                prior,
            } => {
                let source = data_source_mut(config, table)?;
                let columns = source.column_configs_mut();
                let position = columns
                    .iter()
                    .position(|config| config.column_name == *column)
                    .ok_or_else(|| missing(format!("column `{column}` of `{table}`")))?;
                match prior {
                    Some(prior) => columns[position] = prior.clone(),
                    None => {
                        columns.remove(position);
                    }
                }
            }
            Self::RestoreTextInstruction { prior } => {
                let instruction = config
                    .text_instructions_mut()
                    .iter_mut()
                    .find(|instruction| instruction.id == prior.id)
                    .ok_or_else(|| missing(format!("text instruction `{}`", prior.id)))?;
                *instruction = prior.clone();
            }
            Self::RemoveTextInstruction { id } => {
                remove(
                    config.text_instructions_mut(),
                    |item| item.id == *id,
                    || format!("text instruction `{id}`"),
                )?;
            }
            Self::RemoveExampleSql { id } => {
                remove(
                    config.example_question_sqls_mut(),
                    |item| item.id == *id,
                    || format!("example SQL `{id}`"),
                )?;
            }
            Self::ReinsertExampleSql { prior } => {
                config.example_question_sqls_mut().push(prior.clone());
            }
            Self::RemoveJoinSpec { id } => {
                remove(
                    config.join_specs_mut(),
                    |item| item.id == *id,
                    || format!("join spec `{id}`"),
                )?;
            }
            Self::RemoveSnippet { kind, id } => {
                remove(
                    config.snippets_mut(*kind),
                    |item| item.id == *id,
                    || format!("{kind} `{id}`"),
                )?;
            }
            Self::RemoveSampleQuestion { id } => {
                remove(
                    config.sample_questions_mut(),
                    |item| item.id == *id,
                    || format!("sample question `{id}`"),
                )?;
            }
            Self::RemoveMetricView { identifier } => {
                remove(
                    config.metric_views_mut(),
                    |item| item.identifier == *identifier,
                    || format!("metric view `{identifier}`"),
                )?;
            }
            Self::RemoveFunction { id } => {
                remove(
                    config.sql_functions_mut(),
                    |item| item.id == *id,
                    || format!("SQL function `{id}`"),
                )?;
            }
        }
        Ok(())
    }
}

fn missing(what: String) -> RestoreError {
    RestoreError::Missing { what }
}

/// The data source named exactly `table` (tables first, then metric views).
fn data_source_mut<'a>(
    config: &'a mut SpaceConfig,
    table: &str,
) -> Result<&'a mut TableConfig, RestoreError> {
    let sources = config.data_sources.as_mut();
    let lists = sources
        .into_iter()
        .flat_map(|sources| [sources.tables.as_mut(), sources.metric_views.as_mut()])
        .flatten();
    lists
        .flat_map(|list| list.iter_mut())
        .find(|source| source.identifier == table)
        .ok_or_else(|| missing(format!("data source `{table}`")))
}

/// Removes the one item `matches` picks.
fn remove<T>(
    items: &mut Vec<T>,
    matches: impl Fn(&T) -> bool,
    what: impl FnOnce() -> String,
) -> Result<(), RestoreError> {
    let position = items
        .iter()
        .position(matches)
        .ok_or_else(|| missing(what()))?;
    items.remove(position);
    Ok(())
}

/// Makes `container` absent again; it must be empty.
fn prune(config: &mut SpaceConfig, container: &Container) -> Result<(), RestoreError> {
    let not_empty = || RestoreError::NotEmpty {
        container: container.clone(),
    };
    let emptied = match container {
        Container::ConfigSection => take_empty::<ConfigSection>(&mut config.config),
        Container::SampleQuestions => config
            .config
            .as_mut()
            .is_none_or(|section| take_empty(&mut section.sample_questions)),
        Container::DataSources => take_empty::<DataSources>(&mut config.data_sources),
        Container::MetricViews => config
            .data_sources
            .as_mut()
            .is_none_or(|sources| take_empty(&mut sources.metric_views)),
        Container::ColumnConfigs { table } => {
            take_empty(&mut data_source_mut(config, table)?.column_configs)
        }
        Container::Instructions => take_empty::<Instructions>(&mut config.instructions),
        Container::SqlSnippets => config
            .instructions
            .as_mut()
            .is_none_or(|instructions| take_empty::<SqlSnippets>(&mut instructions.sql_snippets)),
        Container::TextInstructions
        | Container::ExampleSqls
        | Container::SqlFunctions
        | Container::JoinSpecs
        | Container::Snippets { .. } => {
            let Some(instructions) = config.instructions.as_mut() else {
                return Ok(());
            };
            match container {
                Container::TextInstructions => take_empty(&mut instructions.text_instructions),
                Container::ExampleSqls => take_empty(&mut instructions.example_question_sqls),
                Container::SqlFunctions => take_empty(&mut instructions.sql_functions),
                Container::JoinSpecs => take_empty(&mut instructions.join_specs),
                Container::Snippets { kind } => {
                    instructions.sql_snippets.as_mut().is_none_or(|snippets| {
                        let list = match kind {
                            SnippetKind::Filter => &mut snippets.filters,
                            SnippetKind::Expression => &mut snippets.expressions,
                            SnippetKind::Measure => &mut snippets.measures,
                        };
                        take_empty(list)
                    })
                }
                _ => unreachable!("the outer match admits only instruction lists"),
            }
        }
    };
    if emptied { Ok(()) } else { Err(not_empty()) }
}

/// Makes `slot` absent when it holds nothing; whether it does.
fn take_empty<T: PartialEq + Default>(slot: &mut Option<T>) -> bool {
    if slot.as_ref().is_none_or(|value| *value == T::default()) {
        *slot = None;
        true
    } else {
        false
    }
}

/// Which of `path`'s containers (outermost first) are absent from `config`, innermost
/// first: what a patch adding an item at the end of `path` creates, and its inverse
/// prunes.
pub(super) fn absent_containers(config: &SpaceConfig, path: &[Container]) -> Vec<Container> {
    let mut absent: Vec<Container> = path
        .iter()
        .skip_while(|container| is_present(config, container))
        .cloned()
        .collect();
    absent.reverse();
    absent
}

fn is_present(config: &SpaceConfig, container: &Container) -> bool {
    let instructions = config.instructions.as_ref();
    let snippets = instructions.and_then(|instructions| instructions.sql_snippets.as_ref());
    match container {
        Container::ConfigSection => config.config.is_some(),
        Container::SampleQuestions => config
            .config
            .as_ref()
            .is_some_and(|section| section.sample_questions.is_some()),
        Container::DataSources => config.data_sources.is_some(),
        Container::MetricViews => config
            .data_sources
            .as_ref()
            .is_some_and(|sources| sources.metric_views.is_some()),
        Container::ColumnConfigs { table } => config
            .all_data_sources()
            .find(|source| source.identifier == *table)
            .is_some_and(|source| source.column_configs.is_some()),
        Container::Instructions => instructions.is_some(),
        Container::TextInstructions => {
            instructions.is_some_and(|instructions| instructions.text_instructions.is_some())
        }
        Container::ExampleSqls => {
            instructions.is_some_and(|instructions| instructions.example_question_sqls.is_some())
        }
        Container::SqlFunctions => {
            instructions.is_some_and(|instructions| instructions.sql_functions.is_some())
        }
        Container::JoinSpecs => {
            instructions.is_some_and(|instructions| instructions.join_specs.is_some())
        }
        Container::SqlSnippets => snippets.is_some(),
        Container::Snippets { kind } => snippets.is_some_and(|snippets| match kind {
            SnippetKind::Filter => snippets.filters.is_some(),
            SnippetKind::Expression => snippets.expressions.is_some(),
            SnippetKind::Measure => snippets.measures.is_some(),
        }),
    }
}
