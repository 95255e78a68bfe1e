//! Lever 6: the space's own instructions, concepts first.
//!
//! - **Join specs** for the joins a failure lacks, keys from the ground truth's join
//!   condition (its first equality: a spec holds one), the relationship read from
//!   which side's key it is (the table's first column, named like an id).
//! - **Measure snippets** for the ground truths' aggregate select items, named by their
//!   alias; a condition every use of a single-aggregate measure applies, on a code no
//!   question spells, is folded in as `FILTER (WHERE …)`.
//! - **Filter snippets** for value conditions the questions name with a word the code
//!   abbreviates (`sts_cd = 'CNL'` named "cancelled").
//! - **Expression snippets** for derived select items (`month(ord_dt) AS order_month`).
//! - **Example SQL** for failures that need a query shape: the ground truth with its
//!   literals as parameters (those that differ between failures of one shape, else its
//!   dates), asked as a general question built from its aliases — never the benchmark's
//!   words. The leakage guard still checks every one.
//! - **Text instruction** last: one line per folded condition, within the budget.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use genie_core::evaluation::BlameItem;
use genie_core::patch::{ExampleParameter, PatchOp, Relationship, Risk};
use genie_core::space::SnippetKind;
use genie_core::taxonomy::{FailureType, Lever};

use super::uc_metadata::is_code;
use super::{Candidate, Context, Sources, explained_words, label_for};
use crate::evidence::Evidence;
use crate::shape::{LiteralKind, QueryShape, short_name, shorten};
use crate::words::{humanize, is_filler, name_abbreviates, name_tokens};

const LEVER: Lever = Lever::SpaceInstructions;

/// Every lever-6 candidate.
pub(crate) fn candidates(context: &Context<'_>) -> Vec<Candidate> {
    let mut out = Vec::new();
    join_specs(context, &mut out);
    let folded = measures(context, &mut out);
    filters(context, &mut out);
    expressions(context, &mut out);
    if context.config.example_sql {
        examples(context, &mut out);
    }
    instruction(context, &folded, &mut out);
    out
}

fn join_specs(context: &Context<'_>, out: &mut Vec<Candidate>) {
    let types = [FailureType::MissingJoin, FailureType::WrongJoin];
    // Sorted pair → (left, right, condition, relationship, sources).
    let mut joins: BTreeMap<(String, String), JoinCandidate> = BTreeMap::new();
    for (row, finding) in context.corpus.findings(LEVER, &types) {
        let Some(expected) = &row.expected else {
            continue;
        };
        for item in &finding.blame_set {
            let BlameItem::Join { left, right } = item else {
                continue;
            };
            let (left, right) = (left.to_lowercase(), right.to_lowercase());
            let pair = if left <= right {
                (left.clone(), right.clone())
            } else {
                (right.clone(), left.clone())
            };
            if let Some(entry) = joins.get_mut(&pair) {
                entry.4.add(&row.id, finding.failure_type);
                continue;
            }
            let equality = expected
                .facts
                .joins
                .iter()
                .flat_map(|join| &join.equalities)
                .find(|(a, b)| {
                    let tables = (a.table.as_deref(), b.table.as_deref());
                    tables == (Some(left.as_str()), Some(right.as_str()))
                        || tables == (Some(right.as_str()), Some(left.as_str()))
                });
            let Some((first, second)) = equality else {
                continue;
            };
            let (left_key, right_key) = if first.table.as_deref() == Some(left.as_str()) {
                (first, second)
            } else {
                (second, first)
            };
            let (Some(left_space), Some(right_space)) =
                (context.in_space(&left), context.in_space(&right))
            else {
                continue;
            };
            let already = context.space.join_specs().iter().any(|spec| {
                let pair_of = |x: &str, y: &str| {
                    let (x, y) = (super::key(x), super::key(y));
                    if x <= y { (x, y) } else { (y, x) }
                };
                pair_of(&spec.left.identifier, &spec.right.identifier) == pair
            });
            if already {
                continue;
            }
            let alias = |identifier: &str| {
                genie_core::sql::name_parts(identifier)
                    .pop()
                    .unwrap_or_default()
            };
            let condition = format!(
                "{}.{} = {}.{}",
                genie_core::sql::quote_identifier(&alias(&left_space)),
                genie_core::sql::quote_identifier(&left_key.column),
                genie_core::sql::quote_identifier(&alias(&right_space)),
                genie_core::sql::quote_identifier(&right_key.column),
            );
            let relationship = match (
                context.is_key(&left, &left_key.column),
                context.is_key(&right, &right_key.column),
            ) {
                (false, true) => Relationship::ManyToOne,
                (true, false) => Relationship::OneToMany,
                (true, true) => Relationship::OneToOne,
                (false, false) => Relationship::ManyToMany,
            };
            let mut sources = Sources::default();
            sources.add(&row.id, finding.failure_type);
            joins.insert(
                pair,
                (left_space, right_space, condition, relationship, sources),
            );
        }
    }
    for (_, (left, right, condition, relationship, sources)) in joins {
        out.push(Candidate {
            patches: vec![context.patch(
                PatchOp::AddJoinSpec {
                    left: left.clone(),
                    right: right.clone(),
                    condition: condition.clone(),
                    relationship,
                },
                Risk::Medium,
                format!("the ground truths join `{left}` to `{right}` on {condition}; the space has no join spec for them"),
                &sources,
            )],
            concept: true,
            kind: 0,
        });
    }
}

/// A join spec's left and right tables, condition and relationship, and its sources.
type JoinCandidate = (String, String, String, Relationship, Sources);

/// A measure's definition and what the questions call it.
struct Measure {
    sql: String,
    aliases: BTreeMap<String, usize>,
    synonyms: BTreeSet<String>,
    sources: Sources,
    /// The implicit conditions every use applies (`None` before the first use).
    folded: Option<BTreeSet<String>>,
    /// The columns every use bounds with a date range.
    dated: Option<BTreeSet<String>>,
}

/// What lever 6 learned of a measure beyond its SQL: the conditions folded into it and
/// the date column its periods are read on.
pub(crate) struct MeasureRule {
    name: String,
    condition: Option<String>,
    date: Option<String>,
}

/// Measure snippets; returns what the instruction should state about them.
fn measures(context: &Context<'_>, out: &mut Vec<Candidate>) -> Vec<MeasureRule> {
    let mut by_sql: BTreeMap<(String, String), Measure> = BTreeMap::new();
    for row in &context.corpus.rows {
        let Some(expected) = &row.expected else {
            continue;
        };
        let Some(failure_type) = lever_six_type(row) else {
            continue;
        };
        let implicit = implicit_conditions(row, expected);
        let dates = date_columns(expected);
        for item in expected.measures() {
            let Some(alias) = &item.alias else {
                continue;
            };
            if item.columns.is_empty()
                || item.sql.to_uppercase().contains(" OVER ")
                || item.sql.to_uppercase().contains("MEASURE(")
            {
                continue;
            }
            let entry = by_sql
                .entry((item.sql.clone(), alias.clone()))
                .or_insert_with(|| Measure {
                    sql: item.sql.clone(),
                    aliases: BTreeMap::new(),
                    synonyms: BTreeSet::new(),
                    sources: Sources::default(),
                    folded: None,
                    dated: None,
                });
            *entry.aliases.entry(alias.clone()).or_default() += 1;
            entry.synonyms.extend(phrases_for(&row.words, alias));
            entry.sources.add(&row.id, failure_type);
            // What every use applies (the intersection over the uses).
            let here: BTreeSet<String> = implicit.iter().cloned().collect();
            entry.folded = Some(match entry.folded.take() {
                None => here,
                Some(previous) => previous.intersection(&here).cloned().collect(),
            });
            entry.dated = Some(match entry.dated.take() {
                None => dates.clone(),
                Some(previous) => previous.intersection(&dates).cloned().collect(),
            });
        }
    }
    let existing: BTreeSet<String> = context
        .space
        .measures()
        .iter()
        .filter_map(|snippet| snippet.alias.clone())
        .map(|alias| alias.to_lowercase())
        .collect();
    let mut folded_out = Vec::new();
    let mut names_taken = existing.clone();
    for measure in by_sql.into_values() {
        let name = measure
            .aliases
            .iter()
            .max_by(|(a, ca), (b, cb)| ca.cmp(cb).then_with(|| b.cmp(a)))
            .map(|(alias, _)| alias.clone())
            .unwrap_or_default();
        if name.is_empty() || names_taken.contains(&name) {
            continue;
        }
        names_taken.insert(name.clone());
        let single_aggregate = is_single_call(&measure.sql);
        let condition = measure
            .folded
            .as_ref()
            .filter(|conditions| !conditions.is_empty())
            .map(|conditions| conditions.iter().cloned().collect::<Vec<_>>().join(" AND "));
        let date = measure
            .dated
            .as_ref()
            .filter(|dates| dates.len() == 1)
            .and_then(|dates| dates.iter().next().cloned());
        let sql = match (&condition, single_aggregate) {
            (Some(condition), true) => format!("{} FILTER (WHERE {condition})", measure.sql),
            _ => measure.sql.clone(),
        };
        if condition.is_some() || date.is_some() {
            folded_out.push(MeasureRule {
                name: name.clone(),
                condition,
                date,
            });
        }
        let mut synonyms: Vec<String> = measure
            .aliases
            .keys()
            .filter(|alias| **alias != name)
            .map(|alias| humanize(alias))
            .chain(std::iter::once(humanize(&name)).filter(|h| *h != name))
            .chain(measure.synonyms.iter().cloned())
            .collect();
        synonyms.sort();
        synonyms.dedup();
        synonyms.retain(|synonym| *synonym != name);
        out.push(Candidate {
            patches: vec![context.patch(
                PatchOp::AddSqlSnippet {
                    kind: SnippetKind::Measure,
                    name: name.clone(),
                    sql: sql.clone(),
                    synonyms,
                },
                Risk::Low,
                format!("failing ground truths compute {name} as `{sql}`"),
                &measure.sources,
            )],
            concept: true,
            kind: 1,
        });
    }
    folded_out
}

/// The failure type through which lever 6 acts on a row: its primary one if lever 6
/// can fix it, else its first finding lever 6 can fix.
fn lever_six_type(row: &Evidence) -> Option<FailureType> {
    row.findings
        .iter()
        .find(|finding| finding.failure_type.levers(row.asset).contains(&LEVER))
        .or_else(|| row.findings.iter().find(|finding| finding.primary))
        .map(|finding| finding.failure_type)
}

/// The `WHERE` conditions of the ground truth on a stored code its question does not
/// name (no word the code abbreviates): business rules the question takes for granted.
fn implicit_conditions(row: &Evidence, expected: &QueryShape) -> Vec<String> {
    let names = query_names(expected);
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let explained = explained_words(&row.words, &names);
    let tables: Vec<String> = expected
        .facts
        .tables
        .iter()
        .map(|t| t.name.clone())
        .collect();
    expected
        .facts
        .filters
        .iter()
        .filter(|filter| {
            filter.clause == genie_core::sql::FilterClause::Where && filter.operator == "="
        })
        .filter(|filter| {
            let codes: Vec<&String> = filter.literals.iter().filter(|l| is_code(l)).collect();
            if is_flag(filter) {
                // A flag the question names no word of (`inv_flg = true` under "revenue").
                let column = filter.column.as_ref().map_or("", |c| c.column.as_str());
                return !row.words.iter().any(|word| {
                    !is_filler(word) && !explained.contains(word) && name_abbreviates(column, word)
                });
            }
            !codes.is_empty()
                && codes.iter().all(|code| {
                    !row.words.contains(&code.to_lowercase())
                        && label_for(code, &row.words, &explained).is_none()
                })
        })
        .map(|filter| shorten(&filter.expression, &tables))
        .collect()
}

/// Whether a filter tests a boolean column for true or false.
fn is_flag(filter: &genie_core::sql::Filter) -> bool {
    filter.column.is_some()
        && !filter.literals.is_empty()
        && filter.literals.iter().all(|literal| {
            literal.eq_ignore_ascii_case("true") || literal.eq_ignore_ascii_case("false")
        })
}

/// The columns a query bounds with a date range (`short.column`).
fn date_columns(expected: &QueryShape) -> BTreeSet<String> {
    expected
        .facts
        .filters
        .iter()
        .filter(|filter| filter.clause == genie_core::sql::FilterClause::Where)
        .filter(|filter| {
            filter
                .literals
                .iter()
                .any(|literal| is_date_literal(literal))
        })
        .filter_map(|filter| filter.column.as_ref())
        .filter_map(|column| {
            column
                .table
                .as_ref()
                .map(|table| format!("{}.{}", short_name(table), column.column))
        })
        .collect()
}

fn is_date_literal(literal: &str) -> bool {
    let bytes = literal.as_bytes();
    bytes.len() >= 10
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && bytes[7] == b'-'
}

fn query_names(expected: &QueryShape) -> Vec<String> {
    expected
        .facts
        .tables
        .iter()
        .map(|t| short_name(&t.name))
        .chain(expected.facts.columns.iter().map(|c| c.column.clone()))
        .collect()
}

/// Whether SQL text is one function call spanning it all (`SUM(x)`).
fn is_single_call(sql: &str) -> bool {
    let Some(open) = sql.find('(') else {
        return false;
    };
    if !sql[..open].chars().all(|c| c.is_alphanumeric() || c == '_') || !sql.ends_with(')') {
        return false;
    }
    let mut depth = 0_i32;
    for (at, c) in sql.char_indices().skip(open) {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return at == sql.len() - 1;
                }
            }
            _ => {}
        }
    }
    false
}

/// Question phrases that say an alias (`avg_order_value` in "average order value").
fn phrases_for(words: &[String], alias: &str) -> Vec<String> {
    let tokens = name_tokens(alias);
    if tokens.is_empty() || tokens.len() > words.len() {
        return Vec::new();
    }
    words
        .windows(tokens.len())
        .filter(|window| {
            window.iter().zip(&tokens).all(|(word, token)| {
                crate::words::abbreviates(token, word) || crate::words::abbreviates(word, token)
            })
        })
        .map(|window| window.join(" "))
        .filter(|phrase| *phrase != humanize(alias))
        .collect()
}

fn filters(context: &Context<'_>, out: &mut Vec<Candidate>) {
    let types = [
        FailureType::UnknownFilterValue,
        FailureType::WrongFilter,
        FailureType::MissingJoin,
        FailureType::NoSqlGenerated,
        FailureType::MisreadIntent,
        FailureType::MissingMeasure,
    ];
    let mut by_sql: BTreeMap<String, (BTreeMap<String, usize>, Sources)> = BTreeMap::new();
    for row in &context.corpus.rows {
        let Some(expected) = &row.expected else {
            continue;
        };
        let Some(finding) = row
            .findings
            .iter()
            .find(|f| types.contains(&f.failure_type))
        else {
            continue;
        };
        let names = query_names(expected);
        let tables: Vec<String> = expected
            .facts
            .tables
            .iter()
            .map(|t| t.name.clone())
            .collect();
        for filter in &expected.facts.filters {
            if filter.clause != genie_core::sql::FilterClause::Where {
                continue;
            }
            let Some(column) = &filter.column else {
                continue;
            };
            let others: Vec<&str> = names
                .iter()
                .map(String::as_str)
                .filter(|n| *n != column.column)
                .collect();
            let explained = explained_words(&row.words, &others);
            let codes: Vec<&String> = filter.literals.iter().filter(|l| is_code(l)).collect();
            let label = if codes.len() == 1 && filter.operator == "=" {
                label_for(codes[0], &row.words, &explained)
            } else if filter
                .literals
                .iter()
                .all(|l| l.eq_ignore_ascii_case("true"))
                && !filter.literals.is_empty()
            {
                // A flag: the question word its column's name abbreviates.
                row.words
                    .iter()
                    .find(|word| {
                        !is_filler(word)
                            && !explained.contains(*word)
                            && name_abbreviates(&column.column, word)
                    })
                    .cloned()
            } else {
                None
            };
            let Some(label) = label else {
                continue;
            };
            let entry = by_sql
                .entry(shorten(&filter.expression, &tables))
                .or_default();
            *entry.0.entry(label).or_default() += 1;
            entry.1.add(&row.id, finding.failure_type);
        }
    }
    let mut taken: BTreeSet<String> = context
        .space
        .filters()
        .iter()
        .filter_map(|snippet| snippet.display_name.clone())
        .map(|name| name.to_lowercase())
        .collect();
    for (sql, (labels, sources)) in by_sql {
        let Some(name) = labels
            .iter()
            .max_by(|(a, ca), (b, cb)| ca.cmp(cb).then_with(|| b.cmp(a)))
            .map(|(label, _)| label.clone())
        else {
            continue;
        };
        if taken.contains(&name) {
            continue;
        }
        taken.insert(name.clone());
        let synonyms: Vec<String> = labels
            .keys()
            .filter(|label| **label != name)
            .cloned()
            .collect();
        out.push(Candidate {
            patches: vec![context.patch(
                PatchOp::AddSqlSnippet {
                    kind: SnippetKind::Filter,
                    name: name.clone(),
                    sql: sql.clone(),
                    synonyms,
                },
                Risk::Low,
                format!("questions say \"{name}\" for the condition `{sql}`"),
                &sources,
            )],
            concept: true,
            kind: 2,
        });
    }
}

fn expressions(context: &Context<'_>, out: &mut Vec<Candidate>) {
    let mut by_sql: BTreeMap<String, (BTreeMap<String, usize>, Sources)> = BTreeMap::new();
    for row in &context.corpus.rows {
        let (Some(expected), Some(failure_type)) = (&row.expected, lever_six_type(row)) else {
            continue;
        };
        for item in &expected.projection {
            let Some(alias) = &item.alias else {
                continue;
            };
            if item.aggregate
                || item.bare_column
                || item.columns.is_empty()
                || item.sql.to_uppercase().contains(" OVER ")
            {
                continue;
            }
            let entry = by_sql.entry(item.sql.clone()).or_default();
            *entry.0.entry(alias.clone()).or_default() += 1;
            entry.1.add(&row.id, failure_type);
        }
    }
    let mut taken: BTreeSet<String> = context
        .space
        .expressions()
        .iter()
        .filter_map(|snippet| snippet.alias.clone())
        .map(|alias| alias.to_lowercase())
        .collect();
    for (sql, (aliases, sources)) in by_sql {
        let Some(name) = aliases
            .iter()
            .max_by(|(a, ca), (b, cb)| ca.cmp(cb).then_with(|| b.cmp(a)))
            .map(|(alias, _)| alias.clone())
        else {
            continue;
        };
        if taken.contains(&name) {
            continue;
        }
        taken.insert(name.clone());
        let mut synonyms: Vec<String> = aliases.keys().map(|alias| humanize(alias)).collect();
        synonyms.retain(|synonym| *synonym != name);
        synonyms.dedup();
        out.push(Candidate {
            patches: vec![context.patch(
                PatchOp::AddSqlSnippet {
                    kind: SnippetKind::Expression,
                    name: name.clone(),
                    sql: sql.clone(),
                    synonyms,
                },
                Risk::Low,
                format!("failing ground truths derive {name} as `{sql}`"),
                &sources,
            )],
            concept: true,
            kind: 3,
        });
    }
}

/// The failure types whose fix is a query shape to copy.
const SHAPE_TYPES: [FailureType; 6] = [
    FailureType::ComplexPattern,
    FailureType::WrongOrderOrLimit,
    FailureType::WrongGrouping,
    FailureType::MisreadIntent,
    FailureType::NoSqlGenerated,
    FailureType::RepeatabilityIssue,
];

fn examples(context: &Context<'_>, out: &mut Vec<Candidate>) {
    let mut groups: BTreeMap<String, Vec<(&Evidence, FailureType)>> = BTreeMap::new();
    for (row, finding) in context.corpus.findings(LEVER, &SHAPE_TYPES) {
        if let Some(expected) = &row.expected
            && finding.primary
        {
            groups
                .entry(expected.template.clone())
                .or_default()
                .push((row, finding.failure_type));
        }
    }
    for rows in groups.into_values() {
        if let Some(candidate) = example(context, &rows, false) {
            out.push(candidate);
        }
    }
}

/// An example SQL for failures of one template: differing literals (or, for one
/// failure, its dates; with `all`, every literal) as parameters.
pub(crate) fn example(
    context: &Context<'_>,
    rows: &[(&Evidence, FailureType)],
    all: bool,
) -> Option<Candidate> {
    let first = rows.first()?.0.expected.as_ref()?;
    let shapes: Vec<&QueryShape> = rows
        .iter()
        .filter_map(|(row, _)| row.expected.as_ref())
        .collect();
    // The values the question names: literals of `WHERE` conditions it does not take
    // for granted (a measure's own codes and implicit rules stay).
    let implicit = implicit_conditions(rows[0].0, first);
    let tables: Vec<String> = first.facts.tables.iter().map(|t| t.name.clone()).collect();
    let named: BTreeSet<String> = first
        .facts
        .filters
        .iter()
        .filter(|filter| filter.clause == genie_core::sql::FilterClause::Where)
        .filter(|filter| !implicit.contains(&shorten(&filter.expression, &tables)))
        .flat_map(|filter| filter.literals.iter().cloned())
        .collect();
    let mut names: BTreeMap<String, usize> = BTreeMap::new();
    let mut parameters: Vec<String> = Vec::new();
    let mut declared: Vec<ExampleParameter> = Vec::new();
    let mut sql = String::new();
    let mut pieces = first.template.split('?');
    sql.push_str(pieces.next().unwrap_or_default());
    for (index, piece) in pieces.enumerate() {
        let literal = &first.literals[index];
        let differs = shapes
            .iter()
            .any(|shape| shape.literals.get(index).map(|l| &l.value) != Some(&literal.value));
        // One failure: its dates and the values its question names are the question's
        // own; the conditions it takes for granted stay.
        let own = rows.len() == 1
            && match literal.kind {
                LiteralKind::Date | LiteralKind::Timestamp => true,
                LiteralKind::String => named.contains(&literal.value),
                LiteralKind::Integer | LiteralKind::Decimal => false,
            };
        let parameterize = all || differs || own;
        if parameterize {
            let name = parameter_name(first, index, &mut names);
            if matches!(literal.kind, LiteralKind::Date | LiteralKind::Timestamp) {
                let keyword = literal.kind.sql_type();
                if sql.trim_end().to_uppercase().ends_with(keyword) {
                    let cut = sql.trim_end().len() - keyword.len();
                    sql.truncate(cut);
                }
            }
            sql.push(':');
            sql.push_str(&name);
            declared.push(ExampleParameter {
                name: name.clone(),
                type_hint: literal.kind.sql_type().to_owned(),
                description: Some(humanize(&name)),
            });
            parameters.push(name);
        } else if literal.kind == LiteralKind::String
            || matches!(literal.kind, LiteralKind::Date | LiteralKind::Timestamp)
        {
            sql.push_str(&genie_core::sql::string_literal(&literal.value).ok()?);
        } else {
            sql.push_str(&literal.value);
        }
        sql.push_str(piece);
    }
    if parameters.is_empty() {
        return None;
    }
    let measures: Vec<String> = first
        .projection
        .iter()
        .filter(|item| item.aggregate || (item.alias.is_some() && item.columns.is_empty()))
        .filter_map(|item| item.alias.as_deref().map(humanize))
        .collect();
    let dimensions: Vec<String> = first
        .projection
        .iter()
        .filter(|item| !item.aggregate && !item.columns.is_empty())
        .map(|item| {
            item.alias.clone().unwrap_or_else(|| {
                item.columns
                    .first()
                    .map(|c| c.1.clone())
                    .unwrap_or_default()
            })
        })
        .filter(|name| !name.is_empty())
        .map(|name| humanize(&name))
        .collect();
    let subject = if measures.is_empty() {
        first
            .facts
            .output_columns
            .iter()
            .map(|c| humanize(c))
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        measures.join(", ")
    };
    let mut question = subject.clone();
    if !dimensions.is_empty() {
        let _ = write!(question, " by {}", dimensions.join(" and "));
    }
    let _ = write!(
        question,
        " for given {}",
        parameters
            .iter()
            .map(|p| humanize(p))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let usage = format!(
        "Use for questions asking for {subject}{}; set {}.",
        if dimensions.is_empty() {
            String::new()
        } else {
            format!(" per {}", dimensions.join(" and "))
        },
        parameters
            .iter()
            .map(|p| format!(":{p}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut sources = Sources::default();
    for (row, failure_type) in rows {
        sources.add(&row.id, *failure_type);
    }
    Some(Candidate {
        patches: vec![context.patch(
            PatchOp::AddExampleSql {
                question: capitalize(&question),
                sql,
                usage_guidance: Some(usage),
                parameters: declared,
            },
            Risk::Medium,
            format!(
                "{} failing question(s) need this query shape ({}), which no space object shows",
                rows.len(),
                if first.is_multi_step() {
                    "multi-step"
                } else {
                    "single-step"
                }
            ),
            &sources,
        )],
        concept: false,
        kind: 4,
    })
}

/// A parameter's name: the column its literal is compared with (`ord_dt_start`,
/// `ord_dt_end` for a range), else its position.
fn parameter_name(shape: &QueryShape, index: usize, taken: &mut BTreeMap<String, usize>) -> String {
    let literal = &shape.literals[index];
    // Which filter holds this literal, counting repeated values in order.
    let occurrence = shape.literals[..index]
        .iter()
        .filter(|l| l.value == literal.value)
        .count();
    let mut seen = 0;
    let mut base = None;
    for filter in &shape.facts.filters {
        for (position, value) in filter.literals.iter().enumerate() {
            if *value == literal.value {
                if seen == occurrence {
                    let column = filter
                        .column
                        .as_ref()
                        .map_or_else(|| "value".to_owned(), |c| c.column.clone());
                    base = Some(if filter.operator == "BETWEEN" {
                        format!("{column}_{}", if position == 0 { "start" } else { "end" })
                    } else {
                        column
                    });
                }
                seen += 1;
            }
        }
    }
    let base = base.unwrap_or_else(|| format!("p{}", index + 1));
    let count = taken.entry(base.clone()).or_default();
    *count += 1;
    if *count == 1 {
        base
    } else {
        format!("{base}_{count}")
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn instruction(context: &Context<'_>, rules: &[MeasureRule], out: &mut Vec<Candidate>) {
    if rules.is_empty() {
        return;
    }
    let mut sources = Sources::default();
    for row in &context.corpus.rows {
        if let Some(expected) = &row.expected
            && let Some(failure_type) = lever_six_type(row)
        {
            let names: BTreeSet<&str> = expected
                .measures()
                .filter_map(|item| item.alias.as_deref())
                .collect();
            if rules.iter().any(|rule| names.contains(rule.name.as_str())) {
                sources.add(&row.id, failure_type);
            }
        }
    }
    // One line per condition and per date column, naming every measure it holds for.
    let mut statements: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for rule in rules {
        if let Some(condition) = &rule.condition {
            statements
                .entry(format!("count only rows where {condition}"))
                .or_default()
                .push(rule.name.as_str());
        }
        if let Some(date) = &rule.date {
            statements
                .entry(format!(
                    "are dated by {date} when a question names a period"
                ))
                .or_default()
                .push(rule.name.as_str());
        }
    }
    let limit = context.config.instruction_max_chars;
    let mut length = 0;
    let mut lines: Vec<String> = Vec::new();
    for (statement, measures) in statements {
        let line = format!(
            "{} {statement}.",
            capitalize(
                &measures
                    .iter()
                    .map(|m| humanize(m))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        );
        if length + line.len() + 1 > limit {
            break;
        }
        length += line.len() + 1;
        lines.push(line);
    }
    if lines.is_empty() {
        return;
    }
    out.push(Candidate {
        patches: vec![
            context.patch(
                PatchOp::AddInstruction {
                    value: lines.join("\n"),
                },
                Risk::Medium,
                "the ground truths apply these conditions although the questions never state them"
                    .to_owned(),
                &sources,
            ),
        ],
        concept: false,
        kind: 5,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_calls_are_told_from_ratios() {
        assert!(is_single_call("SUM(t.amount)"));
        assert!(is_single_call("count_if(t.s = 'X')"));
        assert!(!is_single_call("SUM(t.a) / COUNT(*)"));
        assert!(!is_single_call("t.a"));
    }

    #[test]
    fn alias_phrases_are_found_in_questions() {
        let words: Vec<String> =
            crate::words::words("What was the average order value per segment?");
        assert_eq!(
            phrases_for(&words, "avg_order_value"),
            ["average order value"]
        );
        assert!(phrases_for(&words, "revenue").is_empty());
    }
}
