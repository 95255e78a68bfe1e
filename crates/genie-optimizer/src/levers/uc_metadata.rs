//! Lever 1: what tables and columns are, in the words questions use.
//!
//! - **Value columns.** A column the ground truth filters on a value the question does
//!   not spell (or that Genie filtered on the question's own words) gets example
//!   values and a value dictionary (text columns only), and a description decoding
//!   the stored codes with the labels the questions use (`CNL` = cancelled): the
//!   label is the question word the code abbreviates, or the word Genie put where
//!   the ground truth put the code.
//! - **Synonyms.** A column the ground truth uses for a question's term gets that
//!   term: the words of a select item's alias that the question uses
//!   (`SUM(qty) AS units`), or a question word the column's name abbreviates
//!   (`disc_pct` → "discount") that the table's name does not.
//! - **Table descriptions.** A table blamed for a wrong table, a routing error, a
//!   missing join or repeatability gets a description naming the question words that
//!   reach it and its key.
//! - **Exclusions.** A column Genie read in many failures that no failing ground
//!   truth reads is hidden (off below [`Config::exclusion_min_failures`]).
//! - **Unity Catalog comments.** Every description also as a comment (DDL, emitted to
//!   bundle files), when the catalog knows the object.
//!
//! [`Config::exclusion_min_failures`]: crate::Config::exclusion_min_failures

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use genie_core::evaluation::BlameItem;
use genie_core::patch::{ColumnTarget, PatchOp, Risk, UcObject};
use genie_core::space::MAX_ENTITY_MATCHING_COLUMNS;
use genie_core::taxonomy::{FailureType, Lever};

use super::{Candidate, Context, Sources, explained_words, label_for};
use crate::evidence::Evidence;
use crate::shape::short_name;
use crate::words::{is_aggregate_word, is_filler, name_abbreviates, name_tokens, singular};

const LEVER: Lever = Lever::UcMetadata;

/// Every lever-1 candidate.
pub(crate) fn candidates(context: &Context<'_>) -> Vec<Candidate> {
    let mut out = Vec::new();
    let descriptions = value_columns(context, &mut out);
    synonyms(context, &mut out);
    let table_descriptions = table_descriptions(context, &mut out);
    exclusions(context, &mut out);
    if context.config.uc_comments {
        uc_comments(context, &descriptions, &table_descriptions, &mut out);
    }
    out
}

/// A column of a table, lower case.
type Column = (String, String);

/// The ground truth's value filters on a column: code → labels.
#[derive(Default)]
struct Values {
    codes: BTreeMap<String, BTreeSet<String>>,
    sources: Sources,
}

fn value_columns(
    context: &Context<'_>,
    out: &mut Vec<Candidate>,
) -> BTreeMap<Column, (String, Sources)> {
    let types = [
        FailureType::UnknownFilterValue,
        FailureType::WrongFilter,
        FailureType::MissingSynonym,
        FailureType::WrongColumn,
        FailureType::RepeatabilityIssue,
    ];
    let mut columns: BTreeMap<Column, Values> = BTreeMap::new();
    for (row, finding) in context.corpus.findings(LEVER, &types) {
        for item in &finding.blame_set {
            let BlameItem::Column { table, column } = item else {
                continue;
            };
            let key = (table.to_lowercase(), column.to_lowercase());
            let entry = columns.entry(key.clone()).or_default();
            entry.sources.add(&row.id, finding.failure_type);
            read_codes(row, &key, entry);
        }
    }
    let mut entity_matching = context
        .space
        .all_data_sources()
        .flat_map(genie_core::space::TableConfig::column_configs)
        .filter(|column| column.entity_matching())
        .count();
    let mut descriptions = BTreeMap::new();
    for ((table, column), values) in columns {
        let Some(space_table) = context.in_space(&table) else {
            continue;
        };
        let target = ColumnTarget {
            table: space_table,
            column: context
                .table(&table)
                .and_then(|known| known.column(&column))
                .map_or_else(|| column.clone(), |known| known.name.clone()),
        };
        let config = context.column_config(&table, &column);
        let text = context.is_text(&table, &column);
        let mut patches = Vec::new();
        if text && !config.is_some_and(genie_core::space::ColumnConfig::format_assistance) {
            patches.push(context.patch(
                PatchOp::EnableExampleValues {
                    target: target.clone(),
                    value: true,
                },
                Risk::Low,
                format!(
                    "failing questions filter `{column}` on stored values their words do not spell; \
                     example values show Genie the format"
                ),
                &values.sources,
            ));
        }
        if text
            && !config.is_some_and(genie_core::space::ColumnConfig::entity_matching)
            && entity_matching < MAX_ENTITY_MATCHING_COLUMNS
        {
            entity_matching += 1;
            patches.push(context.patch(
                PatchOp::EnableValueDictionary {
                    target: target.clone(),
                    value: true,
                },
                Risk::Low,
                format!(
                    "a value dictionary maps the questions' words to the stored values of `{column}`"
                ),
                &values.sources,
            ));
        }
        if !values.codes.is_empty() {
            let current = context.column_description(&table, &column);
            let description = code_description(&current, &values.codes);
            if description != current {
                descriptions.insert(
                    (table.clone(), column.clone()),
                    (description.clone(), values.sources.clone()),
                );
                patches.push(context.patch(
                    PatchOp::SetColumnDescription {
                        target: target.clone(),
                        value: description,
                    },
                    Risk::Low,
                    format!(
                        "the ground truths filter `{column}` on codes ({}); the description decodes them \
                         with the words the questions use",
                        values.codes.keys().map(|code| format!("`{code}`")).collect::<Vec<_>>().join(", ")
                    ),
                    &values.sources,
                ));
            }
        }
        if !patches.is_empty() {
            out.push(Candidate {
                patches,
                concept: true,
                kind: 0,
            });
        }
    }
    descriptions
}

/// The codes the row's ground truth compares `column` with, and their labels.
fn read_codes(row: &Evidence, (table, column): &Column, values: &mut Values) {
    let Some(expected) = &row.expected else {
        return;
    };
    let names: Vec<String> = expected
        .facts
        .tables
        .iter()
        .map(|t| short_name(&t.name))
        .chain(
            expected
                .facts
                .columns
                .iter()
                .filter(|c| &c.column != column)
                .map(|c| c.column.clone()),
        )
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let explained = explained_words(&row.words, &names);
    let genie_words: Vec<String> = row
        .genie
        .iter()
        .flat_map(|facts| &facts.filters)
        .filter(|filter| {
            filter.column.as_ref().is_some_and(|c| {
                c.column == *column && c.table.as_deref().is_none_or(|t| t == table)
            })
        })
        .flat_map(|filter| filter.literals.iter().cloned())
        .collect();
    let mut compared: Vec<String> = Vec::new();
    for filter in &expected.facts.filters {
        let on_column = filter
            .column
            .as_ref()
            .is_some_and(|c| c.column == *column && c.table.as_deref().is_none_or(|t| t == table));
        if on_column {
            compared.extend(filter.literals.iter().cloned());
        }
    }
    // Conditions inside aggregates (`count_if(t.c = 'X')`, `FILTER (WHERE …)`).
    for aggregate in &expected.facts.aggregates {
        let texts = std::iter::once(&aggregate.argument).chain(aggregate.filter.iter());
        for text in texts {
            compared.extend(equality_literals(text, &format!("{table}.{column}")));
        }
    }
    {
        for literal in compared.iter().filter(|literal| is_code(literal)) {
            let labels = values.codes.entry(literal.clone()).or_default();
            let spelled = row.words.contains(&literal.to_lowercase());
            if spelled {
                continue;
            }
            // Genie's word on the same column, when it abbreviates to the code.
            let from_genie = genie_words.iter().find(|word| {
                let parts: Vec<String> = crate::words::words(word);
                let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
                !parts.is_empty()
                    && (crate::words::code_abbreviates(literal, &parts)
                        || parts
                            .first()
                            .is_some_and(|first| crate::words::code_abbreviates(literal, &[first])))
            });
            if let Some(word) = from_genie {
                labels.insert(word.to_lowercase());
            } else if let Some(label) = label_for(literal, &row.words, &explained) {
                labels.insert(label);
            }
        }
    }
}

/// The literals `column` (a full `table.column`) is compared with by `=` in canonical
/// SQL text.
pub(crate) fn equality_literals(text: &str, column: &str) -> Vec<String> {
    let needle = format!("{column} = '");
    text.match_indices(&needle)
        .filter_map(|(at, _)| {
            let rest = &text[at + needle.len()..];
            rest.find('\'').map(|end| rest[..end].to_owned())
        })
        .collect()
}

/// Whether a literal is a stored code or label, not a number, date or parameter.
pub(crate) fn is_code(literal: &str) -> bool {
    let trimmed = literal.trim();
    !(trimmed.is_empty()
        || trimmed.starts_with(':')
        || trimmed.parse::<f64>().is_ok()
        || trimmed.chars().take(4).all(|c| c.is_ascii_digit()) && trimmed.contains('-')
        || ["true", "false", "null"].contains(&trimmed.to_lowercase().as_str()))
}

/// `current` with a sentence decoding `codes` (labelled ones first).
fn code_description(current: &str, codes: &BTreeMap<String, BTreeSet<String>>) -> String {
    let labelled: Vec<String> = codes
        .iter()
        .filter(|(_, labels)| !labels.is_empty())
        .map(|(code, labels)| {
            format!(
                "`{code}` = {}",
                labels.iter().cloned().collect::<Vec<_>>().join(" / ")
            )
        })
        .collect();
    let bare: Vec<String> = codes
        .iter()
        .filter(|(_, labels)| labels.is_empty())
        .map(|(code, _)| format!("`{code}`"))
        .collect();
    let mut text = current.trim().trim_end_matches('.').to_owned();
    let mut add = |sentence: String| {
        if !text.contains(&sentence) {
            if !text.is_empty() {
                text.push_str(". ");
            }
            text.push_str(&sentence);
        }
    };
    if !labelled.is_empty() {
        add(format!("Stored as codes: {}", labelled.join(", ")));
    }
    if !bare.is_empty() {
        add(format!("Stored values include {}", bare.join(", ")));
    }
    if !text.ends_with('.') {
        text.push('.');
    }
    text
}

fn synonyms(context: &Context<'_>, out: &mut Vec<Candidate>) {
    // (table, column) → synonym → sources.
    let mut found: BTreeMap<Column, BTreeMap<String, Sources>> = BTreeMap::new();
    let blamed_types = [
        FailureType::MissingSynonym,
        FailureType::WrongColumn,
        FailureType::WrongGrouping,
        FailureType::RepeatabilityIssue,
    ];
    for (row, finding) in context.corpus.findings(LEVER, &blamed_types) {
        for item in &finding.blame_set {
            if let BlameItem::Column { table, column } = item {
                for term in column_terms(row, &table.to_lowercase(), &column.to_lowercase()) {
                    found
                        .entry((table.to_lowercase(), column.to_lowercase()))
                        .or_default()
                        .entry(term)
                        .or_default()
                        .add(&row.id, finding.failure_type);
                }
            }
        }
    }
    // Measures over one column, named by an alias the question uses: the column is
    // what the question's term counts or sums.
    for row in &context.corpus.rows {
        let Some(expected) = &row.expected else {
            continue;
        };
        let Some(finding) = row.findings.iter().find(|f| f.primary) else {
            continue;
        };
        for item in expected.measures() {
            let [(table, column)] = item.columns.as_slice() else {
                continue;
            };
            if !aggregates_bare_column(&item.sql, table, column) {
                continue;
            }
            for term in alias_terms(row, item.alias.as_deref(), column) {
                found
                    .entry((table.clone(), column.clone()))
                    .or_default()
                    .entry(term)
                    .or_default()
                    .add(&row.id, finding.failure_type);
            }
        }
    }
    for ((table, column), terms) in found {
        let Some(space_table) = context.in_space(&table) else {
            continue;
        };
        let known: Vec<String> = context
            .column_config(&table, &column)
            .map(|config| config.synonyms().iter().map(|s| s.to_lowercase()).collect())
            .unwrap_or_default();
        let mut ranked: Vec<(String, Sources)> = terms
            .into_iter()
            .filter(|(term, _)| !known.contains(term) && *term != column && !term.is_empty())
            .collect();
        ranked
            .sort_by(|(a, sa), (b, sb)| sb.ids().len().cmp(&sa.ids().len()).then_with(|| a.cmp(b)));
        let target = ColumnTarget {
            table: space_table,
            column: context
                .table(&table)
                .and_then(|known| known.column(&column))
                .map_or_else(|| column.clone(), |known| known.name.clone()),
        };
        for (term, sources) in ranked
            .into_iter()
            .take(context.config.max_synonyms_per_column)
        {
            out.push(Candidate {
                patches: vec![context.patch(
                    PatchOp::AddColumnSynonym {
                        target: target.clone(),
                        value: term.clone(),
                    },
                    Risk::Low,
                    format!("questions say \"{term}\" where the ground truth reads `{column}`"),
                    &sources,
                )],
                concept: true,
                kind: 1,
            });
        }
    }
}

/// The question's terms for a column the ground truth reads: alias words of a select
/// item over it, or question words its name abbreviates and its table's does not.
fn column_terms(row: &Evidence, table: &str, column: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let Some(expected) = &row.expected else {
        return terms;
    };
    for item in &expected.projection {
        if item.columns.len() == 1
            && item.columns[0].1 == column
            && item.columns[0].0 == table
            && (item.bare_column || aggregates_bare_column(&item.sql, table, column))
        {
            terms.extend(alias_terms(row, item.alias.as_deref(), column));
        }
    }
    let table_name = short_name(table);
    let matches = |word: &String| {
        !is_filler(word)
            && name_abbreviates(column, word)
            && !name_abbreviates(&table_name, word)
            && word != column
    };
    let mut index = 0;
    while index < row.words.len() {
        let word = &row.words[index];
        if matches(word) {
            // Two neighbouring words both naming parts of the column make one term.
            if let Some(next) = row.words.get(index + 1)
                && matches(next)
            {
                terms.push(format!("{word} {next}"));
                index += 2;
                continue;
            }
            if let Some(previous) = index.checked_sub(1).and_then(|at| row.words.get(at))
                && !is_filler(previous)
                && name_abbreviates(&table_name, previous)
                && name_tokens(column)
                    .iter()
                    .any(|token| name_abbreviates(token, previous))
            {
                terms.push(format!("{previous} {word}"));
            } else {
                terms.push(word.clone());
            }
        }
        index += 1;
    }
    terms.sort();
    terms.dedup();
    terms
}

/// Whether `sql` is one aggregate of the bare column (`SUM(t.c)`, `COUNT(DISTINCT t.c)`).
fn aggregates_bare_column(sql: &str, table: &str, column: &str) -> bool {
    let reference = format!("{}.{column}", short_name(table));
    let Some(open) = sql.find('(') else {
        return false;
    };
    let inner = sql[open + 1..].trim_end_matches(')').trim();
    let inner = inner.strip_prefix("DISTINCT ").unwrap_or(inner);
    sql.ends_with(')') && inner.eq_ignore_ascii_case(&reference)
}

/// The words of `alias` the question uses (in the question's form), aggregate words
/// and the labels of the query's codes left out.
fn alias_terms(row: &Evidence, alias: Option<&str>, column: &str) -> Vec<String> {
    let Some(alias) = alias else {
        return Vec::new();
    };
    let codes: Vec<&String> = row
        .expected
        .iter()
        .flat_map(|shape| &shape.facts.filters)
        .flat_map(|filter| &filter.literals)
        .filter(|literal| is_code(literal))
        .collect();
    let tokens: Vec<String> = name_tokens(alias)
        .into_iter()
        .filter(|token| !is_aggregate_word(token) && !is_filler(token) && token != column)
        .filter(|token| {
            !codes
                .iter()
                .any(|code| crate::words::code_abbreviates(code, &[token.as_str()]))
        })
        .collect();
    if tokens.is_empty() {
        return Vec::new();
    }
    let singulars: Vec<String> = tokens.iter().map(|token| singular(token)).collect();
    let mut terms = Vec::new();
    // The whole alias when the question spells it in order; else each word it spells.
    let positions: Vec<Option<usize>> = singulars
        .iter()
        .map(|token| row.words.iter().position(|word| singular(word) == *token))
        .collect();
    if positions.iter().all(Option::is_some) {
        let first = positions[0].unwrap_or_default();
        let contiguous = positions
            .iter()
            .enumerate()
            .all(|(offset, position)| *position == Some(first + offset));
        if contiguous {
            terms.push(row.words[first..first + tokens.len()].join(" "));
            return terms;
        }
    }
    for position in positions.into_iter().flatten() {
        terms.push(row.words[position].clone());
    }
    terms
}

fn table_descriptions(
    context: &Context<'_>,
    out: &mut Vec<Candidate>,
) -> BTreeMap<String, (String, Sources)> {
    let types = [
        FailureType::WrongTable,
        FailureType::AssetRoutingError,
        FailureType::MissingJoin,
        FailureType::RepeatabilityIssue,
    ];
    let mut tables: BTreeMap<String, (BTreeSet<String>, Sources)> = BTreeMap::new();
    for (row, finding) in context.corpus.findings(LEVER, &types) {
        for item in &finding.blame_set {
            let BlameItem::Table { identifier } = item else {
                continue;
            };
            let table = identifier.to_lowercase();
            let entry = tables.entry(table.clone()).or_default();
            entry.1.add(&row.id, finding.failure_type);
            entry.0.extend(table_terms(row, &table));
        }
    }
    let mut descriptions = BTreeMap::new();
    for (table, (terms, sources)) in tables {
        let Some(space_table) = context.in_space(&table) else {
            continue;
        };
        if terms.is_empty() {
            continue;
        }
        let current = context.table_description(&table);
        let mut text = current.trim().trim_end_matches('.').to_owned();
        let terms: Vec<String> = terms.into_iter().collect();
        let sentence = format!("Questions about {} read this table", terms.join(", "));
        if text.contains(&sentence) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(". ");
        }
        text.push_str(&sentence);
        if let Some(first) = context
            .table(&table)
            .and_then(|known| known.columns.first())
            && context.is_key(&table, &first.name)
        {
            let _ = write!(text, "; each row is one `{}`", first.name);
        }
        text.push('.');
        descriptions.insert(table.clone(), (text.clone(), sources.clone()));
        out.push(Candidate {
            patches: vec![context.patch(
                PatchOp::SetTableDescription {
                    target: space_table,
                    value: text,
                },
                Risk::Low,
                format!(
                    "failing questions need `{table}` and say {}; its description did not",
                    terms.iter().map(|t| format!("\"{t}\"")).collect::<Vec<_>>().join(", ")
                ),
                &sources,
            )],
            concept: true,
            kind: 2,
        });
    }
    descriptions
}

/// Question words that reach a table: those its name abbreviates, and the alias words
/// of measures computed only from its columns.
fn table_terms(row: &Evidence, table: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let name = short_name(table);
    for word in &row.words {
        if !is_filler(word) && name_abbreviates(&name, word) {
            terms.push(singular(word));
        }
    }
    if let Some(expected) = &row.expected {
        for item in expected.measures() {
            if !item.columns.is_empty() && item.columns.iter().all(|(t, _)| t == table) {
                let column = &item.columns[0].1;
                terms.extend(alias_terms(row, item.alias.as_deref(), column));
            }
        }
    }
    terms
}

fn exclusions(context: &Context<'_>, out: &mut Vec<Candidate>) {
    let minimum = context.config.exclusion_min_failures;
    if minimum == 0 {
        return;
    }
    let mut used_by_truth: BTreeSet<Column> = BTreeSet::new();
    for row in &context.corpus.rows {
        if let Some(expected) = &row.expected {
            for column in &expected.facts.columns {
                if let Some(table) = &column.table {
                    used_by_truth.insert((table.clone(), column.column.clone()));
                }
            }
        }
    }
    let mut misread: BTreeMap<Column, Sources> = BTreeMap::new();
    for row in &context.corpus.rows {
        let (Some(genie), Some(finding)) = (&row.genie, row.findings.iter().find(|f| f.primary))
        else {
            continue;
        };
        for column in &genie.columns {
            let Some(table) = &column.table else {
                continue;
            };
            let key = (table.clone(), column.column.clone());
            if !used_by_truth.contains(&key) && !context.is_key(table, &column.column) {
                misread
                    .entry(key)
                    .or_default()
                    .add(&row.id, finding.failure_type);
            }
        }
    }
    for ((table, column), sources) in misread {
        if sources.ids().len() < minimum || column.ends_with("_id") {
            continue;
        }
        let Some(space_table) = context.in_space(&table) else {
            continue;
        };
        if context
            .column_config(&table, &column)
            .is_some_and(genie_core::space::ColumnConfig::is_excluded)
        {
            continue;
        }
        if context
            .table(&table)
            .and_then(|known| known.column(&column))
            .is_none()
            && context.column_config(&table, &column).is_none()
        {
            continue;
        }
        out.push(Candidate {
            patches: vec![context.patch(
                PatchOp::SetColumnExclude {
                    target: ColumnTarget {
                        table: space_table,
                        column: column.clone(),
                    },
                    value: true,
                },
                Risk::High,
                format!(
                    "Genie read `{column}` in {} failing questions whose ground truths never need it",
                    sources.ids().len()
                ),
                &sources,
            )],
            concept: true,
            kind: 3,
        });
    }
}

fn uc_comments(
    context: &Context<'_>,
    columns: &BTreeMap<Column, (String, Sources)>,
    tables: &BTreeMap<String, (String, Sources)>,
    out: &mut Vec<Candidate>,
) {
    for ((table, column), (text, sources)) in columns {
        let Some(known) = context.table(table).and_then(|t| t.column(column)) else {
            continue;
        };
        if !context.catalog.covers(table) || known.comment.as_deref() == Some(text.as_str()) {
            continue;
        }
        out.push(Candidate {
            patches: vec![context.patch(
                PatchOp::SetUcComment {
                    target: UcObject::Column {
                        table: table.clone(),
                        column: known.name.clone(),
                    },
                    value: text.clone(),
                },
                Risk::High,
                format!("the space-level description of `{column}` as its Unity Catalog comment"),
                sources,
            )],
            concept: true,
            kind: 4,
        });
    }
    for (table, (text, sources)) in tables {
        let Some(known) = context.table(table) else {
            continue;
        };
        if !context.catalog.covers(table) || known.comment.as_deref() == Some(text.as_str()) {
            continue;
        }
        out.push(Candidate {
            patches: vec![context.patch(
                PatchOp::SetUcComment {
                    target: UcObject::Table {
                        identifier: known.identifier.clone(),
                    },
                    value: text.clone(),
                },
                Risk::High,
                format!("the space-level description of `{table}` as its Unity Catalog comment"),
                sources,
            )],
            concept: true,
            kind: 4,
        });
    }
}
