//! Lever 2: metric views.
//!
//! - A metric view of the catalog that a failure blames (or whose ground truth reads
//!   it) but the space lacks is added to the space.
//! - When at least [`Config::metric_view_min_failures`] single-step failures aggregate
//!   the same measure over the same tables, a metric view is created over those tables
//!   (a source query joining them on the ground truths' keys when there are several):
//!   every measure of those failures, named by its alias, with a condition all its uses
//!   apply folded in as `FILTER (WHERE …)`, and as dimensions the columns they group
//!   and filter by. It is named for its first measure and added to the space.
//!
//! [`Config::metric_view_min_failures`]: crate::Config::metric_view_min_failures

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use genie_core::evaluation::BlameItem;
use genie_core::patch::{PatchOp, Risk};
use genie_core::sql::TableKind;
use genie_core::taxonomy::{FailureType, Lever};

use super::{Candidate, Context, Sources};
use crate::evidence::Evidence;
use crate::shape::short_name;

const LEVER: Lever = Lever::MetricViews;

const TYPES: [FailureType; 5] = [
    FailureType::MissingMeasure,
    FailureType::WrongAggregation,
    FailureType::AssetRoutingError,
    FailureType::WrongTable,
    FailureType::RepeatabilityIssue,
];

/// Every lever-2 candidate.
pub(crate) fn candidates(context: &Context<'_>) -> Vec<Candidate> {
    let mut out = Vec::new();
    existing(context, &mut out);
    new_views(context, &mut out);
    out
}

fn existing(context: &Context<'_>, out: &mut Vec<Candidate>) {
    let mut views: BTreeMap<String, Sources> = BTreeMap::new();
    for (row, finding) in context.corpus.findings(LEVER, &TYPES) {
        let mut named: Vec<String> = finding
            .blame_set
            .iter()
            .filter_map(|item| match item {
                BlameItem::MetricView { identifier } | BlameItem::Table { identifier } => {
                    Some(identifier.clone())
                }
                _ => None,
            })
            .collect();
        if let Some(expected) = &row.expected {
            named.extend(
                expected
                    .facts
                    .tables
                    .iter()
                    .filter(|table| table.kind == TableKind::Table)
                    .map(|table| table.name.clone()),
            );
        }
        for identifier in named {
            if context
                .table(&identifier)
                .is_some_and(genie_core::catalog::CatalogTable::is_metric_view)
                && context.in_space(&identifier).is_none()
            {
                views
                    .entry(identifier.to_lowercase())
                    .or_default()
                    .add(&row.id, finding.failure_type);
            }
        }
    }
    for (identifier, sources) in views {
        let Some(known) = context.table(&identifier) else {
            continue;
        };
        out.push(Candidate {
            patches: vec![context.patch(
                PatchOp::AddMetricViewToSpace {
                    target: known.identifier.clone(),
                },
                Risk::Medium,
                format!("failing questions are answered from the metric view `{identifier}`, which the space lacks"),
                &sources,
            )],
            concept: true,
            kind: 0,
        });
    }
}

/// One measure of a would-be metric view.
struct MeasureUse {
    sql: String,
    alias: String,
    conditions: Option<BTreeSet<String>>,
    rows: BTreeSet<String>,
}

fn new_views(context: &Context<'_>, out: &mut Vec<Candidate>) {
    // Source (sorted tables) → its rows.
    let mut sources: BTreeMap<Vec<String>, Vec<(&Evidence, FailureType)>> = BTreeMap::new();
    for (row, finding) in context.corpus.findings(LEVER, &TYPES) {
        let Some(expected) = &row.expected else {
            continue;
        };
        if expected.is_multi_step()
            || expected.measures().next().is_none()
            || !finding.primary && finding.failure_type != FailureType::MissingMeasure
        {
            continue;
        }
        let mut tables = expected.from_tables.clone();
        tables.sort();
        tables.dedup();
        let group = sources.entry(tables).or_default();
        if !group.iter().any(|(known, _)| known.id == row.id) {
            group.push((row, finding.failure_type));
        }
    }
    let mut taken = BTreeSet::new();
    for (tables, rows) in sources {
        if let Some(candidate) = view(context, &tables, &rows, &mut taken) {
            out.push(candidate);
        }
    }
}

fn view(
    context: &Context<'_>,
    tables: &[String],
    rows: &[(&Evidence, FailureType)],
    taken: &mut BTreeSet<String>,
) -> Option<Candidate> {
    let mut measures: BTreeMap<String, MeasureUse> = BTreeMap::new();
    let mut dimensions: BTreeSet<(String, String)> = BTreeSet::new();
    let mut joins: Vec<String> = Vec::new();
    for (row, _) in rows {
        let expected = row.expected.as_ref()?;
        let conditions: BTreeSet<String> = expected
            .facts
            .filters
            .iter()
            .filter(|filter| {
                filter
                    .literals
                    .iter()
                    .any(|l| super::uc_metadata::is_code(l))
                    && filter.operator == "="
            })
            .map(|filter| crate::shape::shorten(&filter.expression, tables))
            .collect();
        for item in expected.measures() {
            let Some(alias) = &item.alias else {
                continue;
            };
            if item.sql.to_uppercase().contains(" OVER ") {
                continue;
            }
            let entry = measures
                .entry(item.sql.clone())
                .or_insert_with(|| MeasureUse {
                    sql: item.sql.clone(),
                    alias: alias.clone(),
                    conditions: None,
                    rows: BTreeSet::new(),
                });
            entry.rows.insert(row.id.clone());
            entry.conditions = Some(match entry.conditions.take() {
                None => conditions.clone(),
                Some(previous) => previous.intersection(&conditions).cloned().collect(),
            });
        }
        for filter in &expected.facts.filters {
            if let Some(column) = &filter.column
                && let Some(table) = &column.table
            {
                dimensions.insert((table.clone(), column.column.clone()));
            }
        }
        for item in expected.projection.iter().filter(|item| item.bare_column) {
            dimensions.extend(item.columns.iter().cloned());
        }
        for join in &expected.facts.joins {
            if let Some(condition) = &join.condition {
                let text = format!(
                    "JOIN {} AS {} ON {}",
                    join.right_table,
                    short_name(&join.right_table),
                    crate::shape::shorten(condition, tables)
                );
                if !joins.contains(&text) {
                    joins.push(text);
                }
            }
        }
    }
    let shared = measures
        .values()
        .any(|measure| measure.rows.len() >= context.config.metric_view_min_failures);
    if !shared {
        return None;
    }
    let first_table = rows
        .first()?
        .0
        .expected
        .as_ref()?
        .from_tables
        .first()?
        .clone();
    let parts = genie_core::sql::name_parts(&first_table);
    let [catalog_name, schema, _] = parts.as_slice() else {
        return None;
    };
    let lead = measures.values().max_by(|a, b| {
        a.rows
            .len()
            .cmp(&b.rows.len())
            .then_with(|| b.alias.cmp(&a.alias))
    })?;
    let mut name = format!("{catalog_name}.{schema}.{}_metrics", lead.alias);
    if taken.contains(&name) {
        let shorts: Vec<String> = tables.iter().map(|t| short_name(t)).collect();
        name = format!(
            "{catalog_name}.{schema}.{}_{}_metrics",
            lead.alias,
            shorts.join("_")
        );
    }
    if taken.contains(&name) || context.table(&name).is_some() || !context.catalog.covers(&name) {
        return None;
    }
    taken.insert(name.clone());
    // Source columns, each under a name unique in the view.
    let mut columns: Vec<(String, String)> = dimensions.iter().cloned().collect();
    for measure in measures.values() {
        for (table, column) in columns_in(&measure.sql, tables) {
            if !columns.contains(&(table.clone(), column.clone())) {
                columns.push((table, column));
            }
        }
        for condition in measure.conditions.iter().flatten() {
            for (table, column) in columns_in(condition, tables) {
                if !columns.contains(&(table.clone(), column.clone())) {
                    columns.push((table, column));
                }
            }
        }
    }
    columns.sort();
    let names: BTreeMap<(String, String), String> = columns
        .iter()
        .map(|(table, column)| {
            let clash = columns.iter().filter(|(_, other)| other == column).count() > 1;
            let alias = if clash {
                format!("{}_{column}", short_name(table))
            } else {
                column.clone()
            };
            ((table.clone(), column.clone()), alias)
        })
        .collect();
    let rename = |sql: &str| -> String {
        let mut out = sql.to_owned();
        let mut ordered: Vec<(&(String, String), &String)> = names.iter().collect();
        ordered.sort_by_key(|((table, column), _)| {
            std::cmp::Reverse(short_name(table).len() + column.len())
        });
        for ((table, column), alias) in ordered {
            out = out.replace(&format!("{}.{column}", short_name(table)), alias);
        }
        out
    };
    let source = if tables.len() == 1 {
        tables[0].clone()
    } else {
        let select: Vec<String> = names
            .iter()
            .map(|((table, column), alias)| format!("{}.{column} AS {alias}", short_name(table)))
            .collect();
        format!(
            "SELECT {} FROM {first_table} AS {} {}",
            select.join(", "),
            short_name(&first_table),
            joins.join(" ")
        )
    };
    let quote = |text: &str| serde_json::to_string(text).unwrap_or_default();
    let mut yaml = format!("version: 0.1\nsource: {}\n", quote(&source));
    yaml.push_str("dimensions:\n");
    for alias in names
        .iter()
        .filter(|(key, _)| dimensions.contains(*key))
        .map(|(_, alias)| alias)
    {
        let _ = writeln!(
            yaml,
            "  - name: {}\n    expr: {}",
            quote(alias),
            quote(alias)
        );
    }
    yaml.push_str("measures:\n");
    let mut aliases_taken: BTreeSet<String> = BTreeSet::new();
    for measure in measures.values() {
        if !aliases_taken.insert(measure.alias.clone()) {
            continue;
        }
        let mut expr = rename(&measure.sql);
        if let Some(conditions) = &measure.conditions
            && conditions.len() == 1
            && measure.rows.len() > 1
            && let Some(condition) = conditions.iter().next()
        {
            expr = format!("{expr} FILTER (WHERE {})", rename(condition));
        }
        let _ = writeln!(
            yaml,
            "  - name: {}\n    expr: {}",
            quote(&measure.alias),
            quote(&expr)
        );
    }
    let mut sources = Sources::default();
    for (row, failure_type) in rows {
        sources.add(&row.id, *failure_type);
    }
    let measure_names: Vec<String> = measures
        .values()
        .map(|m| format!("`{}`", m.alias))
        .collect();
    Some(Candidate {
        patches: vec![
            context.patch(
                PatchOp::CreateMetricView {
                    target: name.clone(),
                    value: yaml,
                },
                Risk::High,
                format!(
                    "{} failing questions aggregate {} over {}; a metric view governs the measures",
                    rows.len(),
                    measure_names.join(", "),
                    tables
                        .iter()
                        .map(|t| format!("`{t}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                &sources,
            ),
            context.patch(
                PatchOp::AddMetricViewToSpace {
                    target: name.clone(),
                },
                Risk::Medium,
                format!("the new metric view `{name}` is useful only in the space"),
                &sources,
            ),
        ],
        concept: true,
        kind: 1,
    })
}

/// The `short.column` references of `sql` to the given tables.
fn columns_in(sql: &str, tables: &[String]) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for table in tables {
        let prefix = format!("{}.", short_name(table));
        let mut rest = sql;
        while let Some(at) = rest.find(&prefix) {
            let before_ok = rest[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '.'));
            let after = &rest[at + prefix.len()..];
            let column: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if before_ok && !column.is_empty() && !found.contains(&(table.clone(), column.clone()))
            {
                found.push((table.clone(), column.to_lowercase()));
            }
            rest = &rest[at + prefix.len()..];
        }
    }
    found
}
