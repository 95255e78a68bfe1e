//! Lever 3: SQL table functions.
//!
//! - A function of the catalog that a failure blames (or whose ground truth calls it)
//!   but the space lacks is added to the space.
//! - When at least [`Config::function_min_failures`] multi-step failures share one
//!   query shape (the same normalized SQL up to literals), a table function is created
//!   whose parameters are the literals that differ between them, named for the columns
//!   they are compared with; its result columns are the queries' output columns, typed
//!   from the catalog where a column passes through (`BIGINT` for counts, else
//!   `DOUBLE`). It is added to the space.
//!
//! [`Config::function_min_failures`]: crate::Config::function_min_failures

use std::collections::BTreeMap;

use genie_core::evaluation::BlameItem;
use genie_core::patch::{PatchOp, Risk};
use genie_core::sql::TableKind;
use genie_core::taxonomy::{FailureType, Lever};

use super::{Candidate, Context, Sources};
use crate::evidence::Evidence;

const LEVER: Lever = Lever::Functions;

const TYPES: [FailureType; 4] = [
    FailureType::ComplexPattern,
    FailureType::AssetRoutingError,
    FailureType::WrongTable,
    FailureType::RepeatabilityIssue,
];

/// Every lever-3 candidate.
pub(crate) fn candidates(context: &Context<'_>) -> Vec<Candidate> {
    let mut out = Vec::new();
    existing(context, &mut out);
    new_functions(context, &mut out);
    out
}

fn existing(context: &Context<'_>, out: &mut Vec<Candidate>) {
    let mut functions: BTreeMap<String, Sources> = BTreeMap::new();
    for (row, finding) in context.corpus.findings(LEVER, &TYPES) {
        let mut named: Vec<String> = finding
            .blame_set
            .iter()
            .filter_map(|item| match item {
                BlameItem::Function { identifier } => Some(identifier.clone()),
                _ => None,
            })
            .collect();
        if let Some(expected) = &row.expected {
            named.extend(
                expected
                    .facts
                    .tables
                    .iter()
                    .filter(|table| table.kind == TableKind::Function)
                    .map(|table| table.name.clone()),
            );
        }
        for identifier in named {
            let key = super::key(&identifier);
            let in_space = context
                .space
                .sql_functions()
                .iter()
                .any(|function| super::key(&function.identifier) == key);
            if context.catalog.routine(&identifier).is_some() && !in_space {
                functions
                    .entry(key)
                    .or_default()
                    .add(&row.id, finding.failure_type);
            }
        }
    }
    for (identifier, sources) in functions {
        let Some(routine) = context.catalog.routine(&identifier) else {
            continue;
        };
        out.push(Candidate {
            patches: vec![context.patch(
                PatchOp::AddFunctionToSpace {
                    target: routine.identifier.clone(),
                },
                Risk::Medium,
                format!("failing questions are answered by the function `{identifier}`, which the space lacks"),
                &sources,
            )],
            concept: true,
            kind: 0,
        });
    }
}

fn new_functions(context: &Context<'_>, out: &mut Vec<Candidate>) {
    let mut groups: BTreeMap<String, Vec<(&Evidence, FailureType)>> = BTreeMap::new();
    for (row, finding) in context.corpus.findings(LEVER, &TYPES) {
        if let Some(expected) = &row.expected
            && expected.is_multi_step()
            && !groups
                .get(&expected.template)
                .is_some_and(|rows| rows.iter().any(|(r, _)| r.id == row.id))
        {
            groups
                .entry(expected.template.clone())
                .or_default()
                .push((row, finding.failure_type));
        }
    }
    for rows in groups.into_values() {
        if rows.len() >= context.config.function_min_failures.max(1)
            && let Some(candidate) = function(context, &rows)
        {
            out.push(candidate);
        }
    }
}

fn function(context: &Context<'_>, rows: &[(&Evidence, FailureType)]) -> Option<Candidate> {
    let first = rows.first()?.0.expected.as_ref()?;
    let table = first
        .facts
        .tables
        .iter()
        .find(|t| t.kind == TableKind::Table)?
        .name
        .clone();
    let parts = genie_core::sql::name_parts(&table);
    let [catalog_name, schema, _] = parts.as_slice() else {
        return None;
    };
    let differing: Vec<usize> = (0..first.literals.len())
        .filter(|index| {
            rows.iter().any(|(row, _)| {
                row.expected
                    .as_ref()
                    .and_then(|shape| shape.literals.get(*index))
                    .map(|l| &l.value)
                    != Some(&first.literals[*index].value)
            })
        })
        .collect();
    if differing.is_empty() {
        return None;
    }
    let mut taken: BTreeMap<String, usize> = BTreeMap::new();
    let mut parameters: Vec<(usize, String)> = Vec::new();
    for index in &differing {
        let name = format!("p_{}", parameter_base(first, *index));
        let count = taken.entry(name.clone()).or_default();
        *count += 1;
        parameters.push((
            *index,
            if *count == 1 {
                name
            } else {
                format!("{name}_{count}")
            },
        ));
    }
    let mut body = String::new();
    let mut pieces = first.template.split('?');
    body.push_str(pieces.next().unwrap_or_default());
    for (index, piece) in pieces.enumerate() {
        let literal = &first.literals[index];
        if let Some((_, name)) = parameters.iter().find(|(at, _)| *at == index) {
            let keyword = literal.kind.sql_type();
            if body.trim_end().to_uppercase().ends_with(keyword) && keyword != "STRING" {
                let cut = body.trim_end().len() - keyword.len();
                body.truncate(cut);
            }
            body.push_str(name);
        } else if matches!(
            literal.kind,
            crate::shape::LiteralKind::Integer | crate::shape::LiteralKind::Decimal
        ) {
            body.push_str(&literal.value);
        } else {
            body.push_str(&genie_core::sql::string_literal(&literal.value).ok()?);
        }
        body.push_str(piece);
    }
    let alias = first
        .projection
        .iter()
        .rev()
        .find_map(|item| item.alias.clone().filter(|_| !item.bare_column))
        .or_else(|| first.facts.output_columns.last().cloned())?;
    let name = format!("{catalog_name}.{schema}.{alias}");
    if context.catalog.routine(&name).is_some() || !context.catalog.covers(&name) {
        return None;
    }
    let signature: Vec<String> = parameters
        .iter()
        .map(|(index, name)| format!("{name} {}", first.literals[*index].kind.sql_type()))
        .collect();
    let returns: Vec<String> = first
        .facts
        .output_columns
        .iter()
        .enumerate()
        .map(|(position, column)| {
            let kind = first
                .projection
                .get(position)
                .and_then(|item| {
                    if item.bare_column {
                        item.columns
                            .first()
                            .and_then(|(t, c)| context.column_type(t, c))
                    } else if item.sql.to_uppercase().starts_with("COUNT") {
                        Some("BIGINT".to_owned())
                    } else {
                        None
                    }
                })
                .unwrap_or_else(|| "DOUBLE".to_owned());
            format!("{} {kind}", genie_core::sql::quote_identifier(column))
        })
        .collect();
    let comment = format!(
        "Returns {} for given {}.",
        first.facts.output_columns.join(", "),
        parameters
            .iter()
            .map(|(_, name)| name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let statement = format!(
        "CREATE OR REPLACE FUNCTION {}({}) RETURNS TABLE ({}) COMMENT {} RETURN {body}",
        genie_core::sql::quote_name(&name),
        signature.join(", "),
        returns.join(", "),
        genie_core::sql::string_literal(&comment).ok()?,
    );
    let mut sources = Sources::default();
    for (row, failure_type) in rows {
        sources.add(&row.id, *failure_type);
    }
    Some(Candidate {
        patches: vec![
            context.patch(
                PatchOp::CreateFunction {
                    target: name.clone(),
                    value: statement,
                },
                Risk::High,
                format!("{} failing questions share one multi-step query shape that differs only in literals", rows.len()),
                &sources,
            ),
            context.patch(
                PatchOp::AddFunctionToSpace { target: name.clone() },
                Risk::Medium,
                format!("the new function `{name}` is useful only in the space"),
                &sources,
            ),
        ],
        concept: true,
        kind: 1,
    })
}

fn parameter_base(shape: &crate::shape::QueryShape, index: usize) -> String {
    let literal = &shape.literals[index];
    shape
        .facts
        .filters
        .iter()
        .find(|filter| filter.literals.contains(&literal.value))
        .and_then(|filter| filter.column.as_ref())
        .map_or_else(
            || format!("value{}", index + 1),
            |column| column.column.clone(),
        )
}
