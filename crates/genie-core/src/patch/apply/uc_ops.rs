//! The ops that change Unity Catalog: the statement each one runs and the statement
//! that undoes it, written from the prior state in the catalog snapshot.
//!
//! Every inverse *sets* a state (`COMMENT … IS 'prior'`, `SET TAGS`, `UNSET … IF
//! EXISTS`, `CREATE OR REPLACE` with the prior definition, `DROP … IF EXISTS`), so
//! running it twice does no harm and a failed rollback can simply be run again. A
//! change whose prior state the snapshot does not hold (a metric view's YAML or a
//! function's body the warehouse does not show, a table's properties not read, an
//! object in a schema the snapshot did not cover) is refused: its inverse could not be
//! exact. The working snapshot is updated, so later patches of the set see the change.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Inapplicable, PatchEffect, Step, json};
use crate::catalog::{CatalogSnapshot, CatalogTable, Routine, object_key};
use crate::patch::{DdlChange, PatchOp, UcObject};
use crate::ports::BundleFile;
use crate::sql::{dollar_quoted, name_parts, quote_identifier, quote_name, string_literal};

/// What kind of Unity Catalog object a change is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UcObjectKind {
    /// A table or a view.
    Table,
    /// A column of one.
    Column,
    /// A metric view.
    MetricView,
    /// A SQL function.
    Function,
}

/// Applies one Unity Catalog op to the working snapshot, describing its DDL.
pub(super) fn apply(catalog: &mut CatalogSnapshot, op: &PatchOp) -> Result<Step, Inapplicable> {
    match op {
        PatchOp::SetUcComment { target, value } => set_comment(catalog, target, value),
        PatchOp::SetUcTag { target, key, value } => set_tag(catalog, target, key, value),
        PatchOp::SetTableProperty { target, key, value } => {
            set_property(catalog, target, key, value)
        }
        PatchOp::CreateMetricView { target, value } => create_metric_view(catalog, target, value),
        PatchOp::CreateFunction { target, value } => create_function(catalog, target, value),
        _ => unreachable!("only Unity Catalog ops describe DDL"),
    }
}

fn set_comment(
    catalog: &mut CatalogSnapshot,
    target: &UcObject,
    value: &str,
) -> Result<Step, Inapplicable> {
    if value.trim().is_empty() {
        return Err(Inapplicable::Blank("value"));
    }
    let literal = |text: Option<&str>| -> Result<String, Inapplicable> {
        Ok(match text {
            Some(text) => string_literal(text)?,
            None => "NULL".to_owned(),
        })
    };
    match target {
        UcObject::Table { identifier } => {
            let table = table_mut(catalog, identifier)?;
            let prior = table.comment.clone();
            if prior.as_deref() == Some(value) {
                return Err(Inapplicable::NoChange(format!(
                    "`{}` already has this comment",
                    table.identifier
                )));
            }
            let name = quote_name(&table.identifier);
            let ddl = DdlChange {
                forward: format!("COMMENT ON TABLE {name} IS {}", literal(Some(value))?),
                inverse: format!("COMMENT ON TABLE {name} IS {}", literal(prior.as_deref())?),
            };
            table.comment = Some(value.to_owned());
            Ok(uc_step(
                kind_of(table),
                table.identifier.clone(),
                ddl,
                metadata_file(&table.identifier),
                prior.as_ref().map(json),
                Some(json(&value)),
            ))
        }
        UcObject::Column { table, column } => {
            let table = table_mut(catalog, table)?;
            let identifier = table.identifier.clone();
            let known = table
                .columns
                .iter_mut()
                .find(|known| known.name.eq_ignore_ascii_case(column))
                .ok_or_else(|| {
                    Inapplicable::NotInCatalog(format!("column `{column}` of `{identifier}`"))
                })?;
            let prior = known.comment.clone();
            if prior.as_deref() == Some(value) {
                return Err(Inapplicable::NoChange(format!(
                    "column `{}` already has this comment",
                    known.name
                )));
            }
            let name = format!(
                "{}.{}",
                quote_name(&identifier),
                quote_identifier(&known.name)
            );
            let ddl = DdlChange {
                forward: format!("COMMENT ON COLUMN {name} IS {}", literal(Some(value))?),
                inverse: format!("COMMENT ON COLUMN {name} IS {}", literal(prior.as_deref())?),
            };
            known.comment = Some(value.to_owned());
            Ok(uc_step(
                UcObjectKind::Column,
                format!("{identifier}.{}", known.name),
                ddl,
                metadata_file(&identifier),
                prior.as_ref().map(json),
                Some(json(&value)),
            ))
        }
    }
}

fn set_tag(
    catalog: &mut CatalogSnapshot,
    target: &UcObject,
    key: &str,
    value: &str,
) -> Result<Step, Inapplicable> {
    if key.trim().is_empty() {
        return Err(Inapplicable::Blank("key"));
    }
    let (table_name, column) = match target {
        UcObject::Table { identifier } => (identifier, None),
        UcObject::Column { table, column } => (table, Some(column)),
    };
    let table = table_mut(catalog, table_name)?;
    let identifier = table.identifier.clone();
    let statement = alter(table);
    let table_kind = kind_of(table);
    let (tags, prefix, kind, object) = match column {
        None => (&mut table.tags, statement, table_kind, identifier.clone()),
        Some(column) => {
            let known = table
                .columns
                .iter_mut()
                .find(|known| known.name.eq_ignore_ascii_case(column))
                .ok_or_else(|| {
                    Inapplicable::NotInCatalog(format!("column `{column}` of `{identifier}`"))
                })?;
            let prefix = format!(
                "ALTER TABLE {} ALTER COLUMN {}",
                quote_name(&identifier),
                quote_identifier(&known.name)
            );
            let object = format!("{identifier}.{}", known.name);
            (&mut known.tags, prefix, UcObjectKind::Column, object)
        }
    };
    let prior = tags.get(key).cloned();
    if prior.as_deref() == Some(value) {
        return Err(Inapplicable::NoChange(format!(
            "`{object}` already has tag `{key}` = `{value}`"
        )));
    }
    let ddl = DdlChange {
        forward: set_pairs(&prefix, "TAGS", key, value)?,
        inverse: match &prior {
            Some(prior) => set_pairs(&prefix, "TAGS", key, prior)?,
            None => format!("{prefix} UNSET TAGS ({})", string_literal(key)?),
        },
    };
    tags.insert(key.to_owned(), value.to_owned());
    Ok(uc_step(
        kind,
        object,
        ddl,
        metadata_file(&identifier),
        prior.as_ref().map(json),
        Some(json(&value)),
    ))
}

fn set_property(
    catalog: &mut CatalogSnapshot,
    target: &str,
    key: &str,
    value: &str,
) -> Result<Step, Inapplicable> {
    if key.trim().is_empty() {
        return Err(Inapplicable::Blank("key"));
    }
    let table = table_mut(catalog, target)?;
    let prefix = alter(table);
    let kind = kind_of(table);
    let identifier = table.identifier.clone();
    let properties = table
        .properties
        .as_mut()
        .ok_or_else(|| Inapplicable::PriorUnknown(format!("the properties of `{identifier}`")))?;
    let prior = properties.get(key).cloned();
    if prior.as_deref() == Some(value) {
        return Err(Inapplicable::NoChange(format!(
            "`{identifier}` already has property `{key}` = `{value}`"
        )));
    }
    let ddl = DdlChange {
        forward: set_pairs(&prefix, "TBLPROPERTIES", key, value)?,
        inverse: match &prior {
            Some(prior) => set_pairs(&prefix, "TBLPROPERTIES", key, prior)?,
            None => format!(
                "{prefix} UNSET TBLPROPERTIES IF EXISTS ({})",
                string_literal(key)?
            ),
        },
    };
    properties.insert(key.to_owned(), value.to_owned());
    Ok(uc_step(
        kind,
        identifier.clone(),
        ddl,
        metadata_file(&identifier),
        prior.as_ref().map(json),
        Some(json(&value)),
    ))
}

fn create_metric_view(
    catalog: &mut CatalogSnapshot,
    target: &str,
    yaml: &str,
) -> Result<Step, Inapplicable> {
    if yaml.trim().is_empty() {
        return Err(Inapplicable::Blank("value"));
    }
    let key = covered_key(catalog, target)?;
    let name = quote_name(&key);
    let create = |definition: &str, comment: Option<&str>| -> Result<String, Inapplicable> {
        let comment = match comment {
            Some(comment) => format!(" COMMENT {}", string_literal(comment)?),
            None => String::new(),
        };
        Ok(format!(
            "CREATE OR REPLACE VIEW {name} WITH METRICS LANGUAGE YAML{comment} AS {}",
            dollar_quoted(definition)?
        ))
    };
    let existing = catalog.tables.get(&key).cloned();
    let (ddl, before) = match &existing {
        Some(view) if !view.is_metric_view() => {
            return Err(Inapplicable::NotAMetricView {
                identifier: view.identifier.clone(),
                table_type: view.table_type.clone(),
            });
        }
        Some(view) => {
            let prior = view.view_definition.as_deref().ok_or_else(|| {
                Inapplicable::PriorUnknown(format!("the definition of metric view `{key}`"))
            })?;
            if prior.trim() == yaml.trim() {
                return Err(Inapplicable::NoChange(format!(
                    "metric view `{key}` already has this definition"
                )));
            }
            // The comment is kept: the patch changes the definition only.
            let comment = view.comment.as_deref();
            let ddl = DdlChange {
                forward: create(yaml, comment)?,
                inverse: create(prior, comment)?,
            };
            (ddl, Some(json(&prior)))
        }
        None => {
            let ddl = DdlChange {
                forward: create(yaml, None)?,
                inverse: format!("DROP VIEW IF EXISTS {name}"),
            };
            (ddl, None)
        }
    };
    let mut view = existing.unwrap_or_else(|| CatalogTable {
        identifier: key.clone(),
        table_type: "METRIC_VIEW".to_owned(),
        comment: None,
        columns: Vec::new(),
        tags: BTreeMap::new(),
        properties: None,
        view_definition: None,
    });
    view.view_definition = Some(yaml.to_owned());
    catalog.tables.insert(key.clone(), view);
    Ok(uc_step(
        UcObjectKind::MetricView,
        key.clone(),
        ddl,
        BundleFile::MetricView {
            name: last_part(&key),
        },
        before,
        Some(json(&yaml)),
    ))
}

fn create_function(
    catalog: &mut CatalogSnapshot,
    target: &str,
    statement: &str,
) -> Result<Step, Inapplicable> {
    if statement.trim().is_empty() {
        return Err(Inapplicable::Blank("value"));
    }
    let key = covered_key(catalog, target)?;
    if created_function(statement).is_none_or(|name| object_key(&name) != key) {
        return Err(Inapplicable::NotTheFunction {
            target: target.to_owned(),
            found: statement.trim().chars().take(60).collect(),
        });
    }
    let name = quote_name(&key);
    let (inverse, before) = match catalog.routines.get(&key) {
        Some(routine) => {
            let prior = create_statement(routine)?.ok_or_else(|| {
                Inapplicable::PriorUnknown(format!("the definition of function `{key}`"))
            })?;
            let before = Some(json(&prior));
            (prior, before)
        }
        None => (format!("DROP FUNCTION IF EXISTS {name}"), None),
    };
    catalog.routines.insert(
        key.clone(),
        Routine {
            identifier: key.clone(),
            routine_type: "FUNCTION".to_owned(),
            return_type: None,
            comment: None,
            parameters: None,
            returns: None,
            definition: None,
        },
    );
    Ok(uc_step(
        UcObjectKind::Function,
        key.clone(),
        DdlChange {
            forward: statement.trim().to_owned(),
            inverse,
        },
        BundleFile::TableFunction {
            name: last_part(&key),
        },
        before,
        Some(json(&statement)),
    ))
}

/// The name after `CREATE OR REPLACE FUNCTION`, if the statement starts so.
fn created_function(statement: &str) -> Option<String> {
    let mut rest = statement.trim_start();
    for keyword in ["CREATE", "OR", "REPLACE", "FUNCTION"] {
        let end = rest.find(char::is_whitespace)?;
        if !rest[..end].eq_ignore_ascii_case(keyword) {
            return None;
        }
        rest = rest[end..].trim_start();
    }
    let end = rest
        .find(|c: char| c == '(' || c.is_whitespace())
        .unwrap_or(rest.len());
    Some(rest[..end].to_owned())
}

/// The statement that recreates `routine` as the snapshot shows it: name, parameters
/// (types, defaults, comments), return type or result columns, comment and body.
/// `None` when the snapshot lacks the body, the parameters or the result columns.
fn create_statement(routine: &Routine) -> Result<Option<String>, Inapplicable> {
    let (Some(body), Some(parameters)) = (&routine.definition, &routine.parameters) else {
        return Ok(None);
    };
    let comment = |comment: Option<&String>| -> Result<String, Inapplicable> {
        Ok(match comment {
            Some(comment) => format!(" COMMENT {}", string_literal(comment)?),
            None => String::new(),
        })
    };
    let mut listed = Vec::new();
    for parameter in parameters {
        let default = parameter
            .default
            .as_ref()
            .map(|default| format!(" DEFAULT {default}"))
            .unwrap_or_default();
        listed.push(format!(
            "{} {}{default}{}",
            quote_identifier(&parameter.name),
            parameter.data_type,
            comment(parameter.comment.as_ref())?
        ));
    }
    let returns = if routine.is_table_function() {
        let Some(columns) = &routine.returns else {
            return Ok(None);
        };
        let mut listed = Vec::new();
        for column in columns {
            listed.push(format!(
                "{} {}{}",
                quote_identifier(&column.name),
                column.data_type,
                comment(column.comment.as_ref())?
            ));
        }
        format!("TABLE ({})", listed.join(", "))
    } else {
        let Some(return_type) = &routine.return_type else {
            return Ok(None);
        };
        return_type.clone()
    };
    Ok(Some(format!(
        "CREATE OR REPLACE FUNCTION {}({}) RETURNS {returns}{} RETURN {body}",
        quote_name(&routine.identifier),
        listed.join(", "),
        comment(routine.comment.as_ref())?
    )))
}

/// The lower-case name of `target`, whose schema the snapshot must cover (else
/// whether it exists, and so its inverse, is unknown).
fn covered_key(catalog: &CatalogSnapshot, target: &str) -> Result<String, Inapplicable> {
    let key = object_key(target);
    if !catalog.covers(&key) {
        return Err(Inapplicable::PriorUnknown(format!(
            "whether `{target}` exists (the catalog snapshot did not read its schema)"
        )));
    }
    Ok(key)
}

fn table_mut<'a>(
    catalog: &'a mut CatalogSnapshot,
    identifier: &str,
) -> Result<&'a mut CatalogTable, Inapplicable> {
    catalog
        .tables
        .get_mut(&object_key(identifier))
        .ok_or_else(|| Inapplicable::NotInCatalog(format!("table or view `{identifier}`")))
}

/// `ALTER TABLE` or, for a view of any kind, `ALTER VIEW`, with the quoted name.
fn alter(table: &CatalogTable) -> String {
    let noun = if table.table_type.ends_with("VIEW") {
        "VIEW"
    } else {
        "TABLE"
    };
    format!("ALTER {noun} {}", quote_name(&table.identifier))
}

fn set_pairs(prefix: &str, what: &str, key: &str, value: &str) -> Result<String, Inapplicable> {
    Ok(format!(
        "{prefix} SET {what} ({} = {})",
        string_literal(key)?,
        string_literal(value)?
    ))
}

fn kind_of(table: &CatalogTable) -> UcObjectKind {
    if table.is_metric_view() {
        UcObjectKind::MetricView
    } else {
        UcObjectKind::Table
    }
}

fn metadata_file(table: &str) -> BundleFile {
    BundleFile::UcMetadata {
        table: last_part(table),
    }
}

fn last_part(identifier: &str) -> String {
    name_parts(identifier).pop().unwrap_or_default()
}

fn uc_step(
    object_kind: UcObjectKind,
    object: String,
    ddl: DdlChange,
    bundle_file: BundleFile,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Step {
    Step {
        effect: PatchEffect::UnityCatalog {
            object_kind,
            object,
            ddl,
            bundle_file,
        },
        before,
        after,
    }
}
