//! The ops that edit the space config, each with its exact inverse.

use super::new_ids::IdMaker;
use super::{Inapplicable, PatchEffect, Step, json};
use crate::catalog::{CatalogSnapshot, object_key};
use crate::patch::inverse::{Container, SpaceRestore, SpaceUndo, absent_containers};
use crate::patch::{ColumnTarget, ExampleParameter, PatchOp};
use crate::space::{
    ColumnConfig, ExampleQuestionSql, JoinSpec, JoinTable, SampleQuestion, SnippetKind,
    SpaceConfig, SqlFunction, SqlParameter, SqlSnippet, TableConfig, TextInstruction, TextLines,
};

/// Applies one space op to `config` (canonical before, not re-sorted after).
pub(super) fn apply(
    config: &mut SpaceConfig,
    catalog: &CatalogSnapshot,
    op: &PatchOp,
    ids: &mut IdMaker,
) -> Result<Step, Inapplicable> {
    match op {
        PatchOp::SetTableDescription { target, value } => {
            set_table_description(config, target, value)
        }
        PatchOp::SetColumnDescription { target, value } => {
            edit_column(config, catalog, target, |column| {
                not_blank(value, "value")?;
                if column.description_text() == *value {
                    return Err(no_change(format!(
                        "column `{}` already has this description",
                        column.column_name
                    )));
                }
                column.description = Some(TextLines::from_text(value));
                Ok(())
            })
        }
        PatchOp::AddColumnSynonym { target, value } => {
            edit_column(config, catalog, target, |column| {
                let synonym = value.trim();
                not_blank(synonym, "value")?;
                if column
                    .synonyms()
                    .iter()
                    .any(|known| same_text(known, synonym))
                {
                    return Err(Inapplicable::Duplicate(format!(
                        "synonym `{synonym}` on column `{}`",
                        column.column_name
                    )));
                }
                column
                    .synonyms
                    .get_or_insert_with(Vec::new)
                    .push(synonym.to_owned());
                Ok(())
            })
        }
        PatchOp::RemoveColumnSynonym { target, value } => {
            edit_column(config, catalog, target, |column| {
                if !column
                    .synonyms()
                    .iter()
                    .any(|known| same_text(known, value))
                {
                    return Err(Inapplicable::NoSuchSynonym {
                        column: column.column_name.clone(),
                        synonym: value.clone(),
                    });
                }
                if let Some(synonyms) = &mut column.synonyms {
                    synonyms.retain(|known| !same_text(known, value));
                }
                Ok(())
            })
        }
        PatchOp::SetColumnExclude { target, value } => {
            edit_column(config, catalog, target, |column| {
                if column.is_excluded() == *value {
                    return Err(no_change(format!("`exclude` is already `{value}`")));
                }
                column.exclude = Some(*value);
                Ok(())
            })
        }
        PatchOp::EnableExampleValues { target, value } => {
            edit_column(config, catalog, target, |column| {
                if column.format_assistance() == *value {
                    return Err(no_change(format!(
                        "`enable_format_assistance` is already `{value}`"
                    )));
                }
                column.enable_format_assistance = Some(*value);
                Ok(())
            })
        }
        PatchOp::EnableValueDictionary { target, value } => {
            edit_column(config, catalog, target, |column| {
                if column.entity_matching() == *value {
                    return Err(no_change(format!(
                        "`enable_entity_matching` is already `{value}`"
                    )));
                }
                column.enable_entity_matching = Some(*value);
                Ok(())
            })
        }
        PatchOp::AddInstruction { value } => add_instruction(config, value, ids),
        PatchOp::UpdateInstruction { target, value } => update_instruction(config, target, value),
        PatchOp::AddExampleSql {
            question,
            sql,
            usage_guidance,
            parameters,
        } => add_example(
            config,
            &Example {
                question,
                sql,
                usage_guidance: usage_guidance.as_deref(),
                parameters,
            },
            ids,
        ),
        PatchOp::RemoveExampleSql { target } => remove_example(config, target),
        PatchOp::AddJoinSpec {
            left,
            right,
            condition,
            relationship,
        } => {
            let join = Join {
                left,
                right,
                condition,
                annotation: relationship.annotation(),
            };
            add_join(config, &join, ids)
        }
        PatchOp::AddSqlSnippet {
            kind,
            name,
            sql,
            synonyms,
        } => add_snippet(config, *kind, name, sql, synonyms, ids),
        PatchOp::AddSampleQuestion { value } => add_sample_question(config, value, ids),
        PatchOp::AddMetricViewToSpace { target } => add_metric_view(config, catalog, target),
        PatchOp::AddFunctionToSpace { target } => add_function(config, catalog, target, ids),
        PatchOp::SetUcComment { .. }
        | PatchOp::SetUcTag { .. }
        | PatchOp::CreateMetricView { .. }
        | PatchOp::CreateFunction { .. }
        | PatchOp::SetTableProperty { .. } => {
            unreachable!("Unity Catalog ops do not edit the space config")
        }
    }
}

fn set_table_description(
    config: &mut SpaceConfig,
    target: &str,
    value: &str,
) -> Result<Step, Inapplicable> {
    let table = find_source(config, target)?;
    not_blank(value, "value")?;
    let source = source_mut(config, &table);
    if source.description_text() == value {
        return Err(no_change(format!("`{table}` already has this description")));
    }
    let prior = source.description.replace(TextLines::from_text(value));
    let after = Some(json(&source.description));
    let before = prior.as_ref().map(json);
    Ok(space(
        SpaceUndo::RestoreTableDescription { table, prior },
        Vec::new(),
        before,
        after,
    ))
}

/// Applies `edit` to the column config of `target`, created (named as the catalog
/// names the column) when the space has none.
fn edit_column(
    config: &mut SpaceConfig,
    catalog: &CatalogSnapshot,
    target: &ColumnTarget,
    edit: impl FnOnce(&mut ColumnConfig) -> Result<(), Inapplicable>,
) -> Result<Step, Inapplicable> {
    let table = find_source(config, &target.table)?;
    let prune = absent_containers(
        config,
        &[Container::ColumnConfigs {
            table: table.clone(),
        }],
    );
    let source = source_mut(config, &table);
    let position = source
        .column_configs()
        .iter()
        .position(|column| column.column_name.eq_ignore_ascii_case(&target.column));
    let prior = position.map(|position| source.column_configs()[position].clone());
    let mut column = if let Some(prior) = &prior {
        prior.clone()
    } else {
        let name = catalog
            .table(&table)
            .and_then(|known| known.column(&target.column))
            .map(|known| known.name.clone())
            .ok_or_else(|| Inapplicable::NoSuchColumn {
                table: table.clone(),
                column: target.column.clone(),
            })?;
        ColumnConfig::new(name)
    };
    edit(&mut column)?;
    let after = Some(json(&column));
    let name = column.column_name.clone();
    let columns = source.column_configs_mut();
    match position {
        Some(position) => columns[position] = column,
        None => columns.push(column),
    }
    let before = prior.as_ref().map(json);
    Ok(space(
        SpaceUndo::RestoreColumn {
            table,
            column: name,
            prior,
        },
        prune,
        before,
        after,
    ))
}

fn add_instruction(
    config: &mut SpaceConfig,
    value: &str,
    ids: &mut IdMaker,
) -> Result<Step, Inapplicable> {
    not_blank(value, "value")?;
    if let Some(prior) = config.text_instructions().first().cloned() {
        let mut text = prior.content.joined();
        if normalized(&text).contains(&normalized(value)) {
            return Err(Inapplicable::Duplicate(
                "this text in its text instruction".to_owned(),
            ));
        }
        // Its own line (a paragraph when the text ends with a newline): one
        // separator character, as `PatchSet::check` counts it.
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(value);
        let instruction = &mut config.text_instructions_mut()[0];
        instruction.content = TextLines::from_text(&text);
        let after = Some(json(instruction));
        let before = Some(json(&prior));
        return Ok(space(
            SpaceUndo::RestoreTextInstruction { prior },
            Vec::new(),
            before,
            after,
        ));
    }
    let prune = absent_containers(
        config,
        &[Container::Instructions, Container::TextInstructions],
    );
    let instruction = TextInstruction {
        id: ids.next(),
        content: TextLines::from_text(value),
        ..TextInstruction::default()
    };
    let after = Some(json(&instruction));
    let id = instruction.id.clone();
    config.text_instructions_mut().push(instruction);
    Ok(space(
        SpaceUndo::RemoveTextInstruction { id },
        prune,
        None,
        after,
    ))
}

fn update_instruction(
    config: &mut SpaceConfig,
    target: &str,
    value: &str,
) -> Result<Step, Inapplicable> {
    not_blank(value, "value")?;
    let position = config
        .text_instructions()
        .iter()
        .position(|instruction| instruction.id == target)
        .ok_or_else(|| Inapplicable::NoSuchInstruction(target.to_owned()))?;
    let instruction = &mut config.text_instructions_mut()[position];
    if instruction.content.joined() == value {
        return Err(no_change(
            "the text instruction already reads so".to_owned(),
        ));
    }
    let prior = instruction.clone();
    instruction.content = TextLines::from_text(value);
    let after = Some(json(instruction));
    let before = Some(json(&prior));
    Ok(space(
        SpaceUndo::RestoreTextInstruction { prior },
        Vec::new(),
        before,
        after,
    ))
}

/// An `add_example_sql` op's fields.
struct Example<'a> {
    question: &'a str,
    sql: &'a str,
    usage_guidance: Option<&'a str>,
    parameters: &'a [ExampleParameter],
}

fn add_example(
    config: &mut SpaceConfig,
    example: &Example<'_>,
    ids: &mut IdMaker,
) -> Result<Step, Inapplicable> {
    let Example {
        question,
        sql,
        usage_guidance,
        parameters,
    } = *example;
    not_blank(question, "question")?;
    not_blank(sql, "sql")?;
    if config
        .example_question_sqls()
        .iter()
        .any(|example| same_text(&example.question.joined(), question))
    {
        return Err(Inapplicable::Duplicate(format!(
            "an example SQL for `{}`",
            question.trim()
        )));
    }
    let prune = absent_containers(config, &[Container::Instructions, Container::ExampleSqls]);
    let example = ExampleQuestionSql {
        id: ids.next(),
        question: TextLines::from_text(question.trim()),
        sql: TextLines::from_text(sql),
        usage_guidance: usage_guidance
            .filter(|guidance| !guidance.trim().is_empty())
            .map(TextLines::from_text),
        parameters: (!parameters.is_empty()).then(|| {
            let mut declared: Vec<SqlParameter> = parameters
                .iter()
                .map(|parameter| SqlParameter {
                    name: parameter.name.clone(),
                    type_hint: Some(parameter.type_hint.clone()),
                    description: parameter.description.as_deref().map(TextLines::from_text),
                    ..SqlParameter::default()
                })
                .collect();
            declared.sort_by(|a, b| a.name.cmp(&b.name));
            declared.dedup_by(|a, b| a.name == b.name);
            declared
        }),
        ..ExampleQuestionSql::default()
    };
    let after = Some(json(&example));
    let id = example.id.clone();
    config.example_question_sqls_mut().push(example);
    Ok(space(
        SpaceUndo::RemoveExampleSql { id },
        prune,
        None,
        after,
    ))
}

fn remove_example(config: &mut SpaceConfig, target: &str) -> Result<Step, Inapplicable> {
    let position = config
        .example_question_sqls()
        .iter()
        .position(|example| example.id == target)
        .ok_or_else(|| Inapplicable::NoSuchExample(target.to_owned()))?;
    let prior = config.example_question_sqls_mut().remove(position);
    let before = Some(json(&prior));
    Ok(space(
        SpaceUndo::ReinsertExampleSql { prior },
        Vec::new(),
        before,
        None,
    ))
}

/// An `add_join_spec` op's fields.
struct Join<'a> {
    left: &'a str,
    right: &'a str,
    condition: &'a str,
    annotation: String,
}

fn add_join(
    config: &mut SpaceConfig,
    join: &Join<'_>,
    ids: &mut IdMaker,
) -> Result<Step, Inapplicable> {
    let left = find_source(config, join.left)?;
    let right = find_source(config, join.right)?;
    if object_key(&left) == object_key(&right) {
        return Err(Inapplicable::SelfJoin(left));
    }
    not_blank(join.condition, "condition")?;
    let pair = |a: &str, b: &str| {
        let (a, b) = (object_key(a), object_key(b));
        if a <= b { (a, b) } else { (b, a) }
    };
    let wanted = pair(&left, &right);
    if config.join_specs().iter().any(|known| {
        pair(&known.left.identifier, &known.right.identifier) == wanted
            && same_text(&known.condition(), join.condition)
    }) {
        return Err(Inapplicable::Duplicate(format!(
            "the join spec `{}` between `{left}` and `{right}`",
            join.condition.trim()
        )));
    }
    let alias = |identifier: &str| crate::sql::name_parts(identifier).pop().unwrap_or_default();
    let (left_alias, right_alias) = (alias(&left), alias(&right));
    if left_alias.eq_ignore_ascii_case(&right_alias) {
        return Err(Inapplicable::AmbiguousAlias(left_alias));
    }
    let prune = absent_containers(config, &[Container::Instructions, Container::JoinSpecs]);
    let spec = JoinSpec {
        id: ids.next(),
        left: JoinTable {
            identifier: left,
            alias: Some(left_alias),
            ..JoinTable::default()
        },
        right: JoinTable {
            identifier: right,
            alias: Some(right_alias),
            ..JoinTable::default()
        },
        sql: TextLines::new(vec![
            join.condition.trim().to_owned(),
            join.annotation.clone(),
        ]),
        ..JoinSpec::default()
    };
    let after = Some(json(&spec));
    let id = spec.id.clone();
    config.join_specs_mut().push(spec);
    Ok(space(SpaceUndo::RemoveJoinSpec { id }, prune, None, after))
}

fn add_snippet(
    config: &mut SpaceConfig,
    kind: SnippetKind,
    name: &str,
    sql: &str,
    synonyms: &[String],
    ids: &mut IdMaker,
) -> Result<Step, Inapplicable> {
    let name = name.trim();
    not_blank(name, "name")?;
    not_blank(sql, "sql")?;
    if config
        .snippets(kind)
        .iter()
        .any(|known| snippet_name(kind, known).is_some_and(|known| same_text(known, name)))
    {
        return Err(Inapplicable::Duplicate(format!("a {kind} named `{name}`")));
    }
    let mut words: Vec<String> = Vec::new();
    for synonym in synonyms.iter().map(|synonym| synonym.trim()) {
        if !synonym.is_empty() && !words.iter().any(|known| same_text(known, synonym)) {
            words.push(synonym.to_owned());
        }
    }
    let prune = absent_containers(
        config,
        &[
            Container::Instructions,
            Container::SqlSnippets,
            Container::Snippets { kind },
        ],
    );
    let (alias, display_name) = match kind {
        SnippetKind::Filter => (None, Some(name.to_owned())),
        SnippetKind::Expression | SnippetKind::Measure => (Some(name.to_owned()), None),
    };
    let snippet = SqlSnippet {
        id: ids.next(),
        sql: TextLines::from_text(sql),
        alias,
        display_name,
        synonyms: (!words.is_empty()).then_some(words),
        ..SqlSnippet::default()
    };
    let after = Some(json(&snippet));
    let id = snippet.id.clone();
    config.snippets_mut(kind).push(snippet);
    Ok(space(
        SpaceUndo::RemoveSnippet { kind, id },
        prune,
        None,
        after,
    ))
}

fn add_sample_question(
    config: &mut SpaceConfig,
    value: &str,
    ids: &mut IdMaker,
) -> Result<Step, Inapplicable> {
    not_blank(value, "value")?;
    if config
        .sample_questions()
        .iter()
        .any(|known| same_text(&known.question.joined(), value))
    {
        return Err(Inapplicable::Duplicate(format!(
            "the sample question `{}`",
            value.trim()
        )));
    }
    let prune = absent_containers(
        config,
        &[Container::ConfigSection, Container::SampleQuestions],
    );
    let question = SampleQuestion {
        id: ids.next(),
        question: TextLines::from_text(value.trim()),
        ..SampleQuestion::default()
    };
    let after = Some(json(&question));
    let id = question.id.clone();
    config.sample_questions_mut().push(question);
    Ok(space(
        SpaceUndo::RemoveSampleQuestion { id },
        prune,
        None,
        after,
    ))
}

fn add_metric_view(
    config: &mut SpaceConfig,
    catalog: &CatalogSnapshot,
    target: &str,
) -> Result<Step, Inapplicable> {
    if find_source(config, target).is_ok() {
        return Err(Inapplicable::Duplicate(format!(
            "`{target}` as a data source"
        )));
    }
    let view = catalog
        .table(target)
        .ok_or_else(|| Inapplicable::NotInCatalog(format!("metric view `{target}`")))?;
    if !view.is_metric_view() {
        return Err(Inapplicable::NotAMetricView {
            identifier: view.identifier.clone(),
            table_type: view.table_type.clone(),
        });
    }
    let prune = absent_containers(config, &[Container::DataSources, Container::MetricViews]);
    let entry = TableConfig::new(view.identifier.clone());
    let after = Some(json(&entry));
    let identifier = entry.identifier.clone();
    config.metric_views_mut().push(entry);
    Ok(space(
        SpaceUndo::RemoveMetricView { identifier },
        prune,
        None,
        after,
    ))
}

fn add_function(
    config: &mut SpaceConfig,
    catalog: &CatalogSnapshot,
    target: &str,
    ids: &mut IdMaker,
) -> Result<Step, Inapplicable> {
    let key = object_key(target);
    if let Some(known) = config
        .sql_functions()
        .iter()
        .find(|function| object_key(&function.identifier) == key)
    {
        return Err(Inapplicable::Duplicate(format!(
            "the function `{}`",
            known.identifier
        )));
    }
    let routine = catalog
        .routine(target)
        .ok_or_else(|| Inapplicable::NotInCatalog(format!("function `{target}`")))?;
    let prune = absent_containers(config, &[Container::Instructions, Container::SqlFunctions]);
    let function = SqlFunction {
        id: ids.next(),
        identifier: routine.identifier.clone(),
        ..SqlFunction::default()
    };
    let after = Some(json(&function));
    let id = function.id.clone();
    config.sql_functions_mut().push(function);
    Ok(space(SpaceUndo::RemoveFunction { id }, prune, None, after))
}

/// The space's name for the data source `identifier` names (any case, backticks).
fn find_source(config: &SpaceConfig, identifier: &str) -> Result<String, Inapplicable> {
    let key = object_key(identifier);
    config
        .all_data_sources()
        .find(|source| object_key(&source.identifier) == key)
        .map(|source| source.identifier.clone())
        .ok_or_else(|| Inapplicable::NoSuchDataSource(identifier.to_owned()))
}

/// The data source named exactly `identifier`, which [`find_source`] found.
fn source_mut<'a>(config: &'a mut SpaceConfig, identifier: &str) -> &'a mut TableConfig {
    let in_tables = config
        .tables()
        .iter()
        .any(|source| source.identifier == identifier);
    let list = if in_tables {
        config.tables_mut()
    } else {
        config.metric_views_mut()
    };
    list.iter_mut()
        .find(|source| source.identifier == identifier)
        .expect("find_source found it")
}

/// The name a snippet of `kind` goes by: a filter's display name, else its alias.
fn snippet_name(kind: SnippetKind, snippet: &SqlSnippet) -> Option<&str> {
    match kind {
        SnippetKind::Filter => snippet.display_name.as_deref(),
        SnippetKind::Expression | SnippetKind::Measure => snippet.alias.as_deref(),
    }
}

fn space(
    undo: SpaceUndo,
    prune: Vec<Container>,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Step {
    Step {
        effect: PatchEffect::Space {
            inverse: SpaceRestore { undo, prune },
        },
        before,
        after,
    }
}

fn not_blank(value: &str, field: &'static str) -> Result<(), Inapplicable> {
    if value.trim().is_empty() {
        Err(Inapplicable::Blank(field))
    } else {
        Ok(())
    }
}

fn no_change(what: String) -> Inapplicable {
    Inapplicable::NoChange(what)
}

/// Text for duplicate checks: lower case, whitespace runs as one space.
fn normalized(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn same_text(a: &str, b: &str) -> bool {
    normalized(a) == normalized(b)
}
