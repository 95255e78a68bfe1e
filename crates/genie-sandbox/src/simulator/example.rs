//! Example SQL reuse: a question close to an example question of the space gets that
//! example's SQL. A parameterised example takes its parameters from the question's
//! literals and its answer is marked as coming from a trusted asset.

use std::collections::BTreeSet;

use genie_core::space::{ExampleQuestionSql, SpaceConfig, SqlParameter};
use sqlparser::dialect::DatabricksDialect;
use sqlparser::tokenizer::{Token as SqlToken, Tokenizer};

use super::catalog::Catalog;
use super::reply::{QueryParameter, QueryReply, Thought, ThoughtKind};
use super::words::{Token, TokenKind, is_stop_word, stem, tokenize};

/// How close (Jaccard similarity of content stems) a question must be to an example
/// question for the example to be reused.
pub(crate) const REUSE_THRESHOLD: f64 = 0.7;

/// How close a question must be to a plain example question for the example to guide
/// the reading of a question it is not reused for.
pub(crate) const GUIDANCE_THRESHOLD: f64 = 0.5;

/// The tables read by the plain (non-parameterised) example closest to `question`, when
/// it is at least [`GUIDANCE_THRESHOLD`] close but not reused: real Genie treats such an
/// example as guidance on which tables answer questions like it. Names are lower case,
/// as written in the example.
pub(crate) fn guiding_tables(space: &SpaceConfig, question: &str) -> Vec<String> {
    let asked = bag(&tokenize(question), &BTreeSet::new());
    let mut best: Option<(f64, &ExampleQuestionSql)> = None;
    for example in space
        .example_question_sqls()
        .iter()
        .filter(|example| example.parameters().is_empty())
    {
        let known = bag(&tokenize(&example.question.joined()), &BTreeSet::new());
        let score = jaccard(&asked, &known);
        if score >= GUIDANCE_THRESHOLD && best.is_none_or(|(top, _)| score > top) {
            best = Some((score, example));
        }
    }
    let Some((_, example)) = best else {
        return Vec::new();
    };
    genie_core::sql::extract(&example.sql.joined())
        .map(|facts| {
            facts
                .tables
                .into_iter()
                .map(|table| table.name.replace('`', "").to_lowercase())
                .collect()
        })
        .unwrap_or_default()
}

/// The reused example, when one is close enough.
pub(crate) fn reuse_example(
    catalog: &Catalog,
    space: &SpaceConfig,
    question: &str,
) -> Option<QueryReply> {
    let tokens = tokenize(question);
    let mut best: Option<(f64, &ExampleQuestionSql, Vec<QueryParameter>)> = None;
    for example in space.example_question_sqls() {
        // An example without parameters is guidance for the question it states, not an
        // answer to another year's or value's: its literals must be the question's.
        if example.parameters().is_empty()
            && literals(&tokens) != literals(&tokenize(&example.question.joined()))
        {
            continue;
        }
        let sql = example.sql.joined();
        let slots = parameter_slots(&sql);
        let bound = bind_parameters(catalog, space, example, &slots, &tokens);
        let mut asked = bag(&tokens, &bound.consumed);
        asked.extend(bound.slot_words.iter().cloned());
        let known = bag(&tokenize(&example.question.joined()), &BTreeSet::new());
        let score = jaccard(&asked, &known);
        if score >= REUSE_THRESHOLD && best.as_ref().is_none_or(|(top, ..)| score > *top) {
            best = Some((score, example, bound.parameters));
        }
    }
    let (score, example, parameters) = best?;
    let mut sql = example.sql.joined();
    for parameter in &parameters {
        sql = substitute(&sql, &parameter.keyword, &literal(parameter));
    }
    let question_text = example.question.joined();
    let trusted = !example.parameters().is_empty();
    Some(QueryReply {
        title: question_text.trim().to_owned(),
        description: format!(
            "You want to see the answer to \"{}\"; an example query of this space answers it.",
            question.trim()
        ),
        thoughts: vec![
            Thought {
                kind: ThoughtKind::Description,
                content: format!(
                    "The question matches the example question \"{}\" (similarity {score:.2}).",
                    question_text.trim()
                ),
            },
            Thought {
                kind: ThoughtKind::Steps,
                content: if trusted {
                    format!(
                        "- Use the trusted example query with {}",
                        parameters
                            .iter()
                            .map(|p| format!("{} = {}", p.keyword, p.value))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                } else {
                    "- Reuse the example query".to_owned()
                },
            },
        ],
        parameters: if trusted { parameters } else { Vec::new() },
        trusted_asset: trusted.then(|| example.id.clone()),
        summary: if trusted {
            "This answer uses a verified query of this space.".to_owned()
        } else {
            "Here is the result of the example query that matches your question.".to_owned()
        },
        sql,
    })
}

/// The literals of a question: its numbers, dates and quoted text, sorted.
fn literals(tokens: &[Token]) -> Vec<String> {
    let mut literals: Vec<String> = tokens
        .iter()
        .filter(|token| token.kind != TokenKind::Word)
        .map(|token| token.lower.clone())
        .collect();
    literals.sort();
    literals
}

/// A `:name` marker of an example SQL and the column it is compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Slot {
    name: String,
    column: Option<String>,
}

/// The parameter markers of `sql`, each with the column it is compared with
/// (`col = :name`, `:name = col`, `col IN (:name)`, …).
fn parameter_slots(sql: &str) -> Vec<Slot> {
    let Ok(tokens) = Tokenizer::new(&DatabricksDialect {}, sql).tokenize() else {
        return Vec::new();
    };
    let tokens: Vec<SqlToken> = tokens
        .into_iter()
        .filter(|token| !matches!(token, SqlToken::Whitespace(_)))
        .collect();
    let mut slots = Vec::new();
    for (index, token) in tokens.iter().enumerate() {
        let name = match token {
            SqlToken::Placeholder(marker) if marker.starts_with(':') => marker[1..].to_owned(),
            SqlToken::Colon => match tokens.get(index + 1) {
                Some(SqlToken::Word(word)) if word.quote_style.is_none() => word.value.clone(),
                _ => continue,
            },
            _ => continue,
        };
        let column = column_before(&tokens[..index]).or_else(|| column_after(&tokens, index));
        slots.push(Slot { name, column });
    }
    slots
}

fn is_comparison(token: &SqlToken) -> bool {
    matches!(
        token,
        SqlToken::Eq
            | SqlToken::Neq
            | SqlToken::Lt
            | SqlToken::Gt
            | SqlToken::LtEq
            | SqlToken::GtEq
            | SqlToken::LParen
    ) || matches!(token, SqlToken::Word(word) if ["LIKE", "ILIKE", "IN"].contains(&word.value.to_uppercase().as_str()))
}

fn column_before(tokens: &[SqlToken]) -> Option<String> {
    let mut index = tokens.len();
    while index > 0 && is_comparison(&tokens[index - 1]) {
        index -= 1;
    }
    if index == tokens.len() {
        return None;
    }
    match tokens.get(index.checked_sub(1)?) {
        Some(SqlToken::Word(word)) => Some(word.value.clone()),
        _ => None,
    }
}

fn column_after(tokens: &[SqlToken], marker: usize) -> Option<String> {
    // `:name` is one placeholder or a colon and a word.
    let after = if matches!(tokens[marker], SqlToken::Colon) {
        marker + 2
    } else {
        marker + 1
    };
    if !tokens.get(after).is_some_and(is_comparison) {
        return None;
    }
    let mut index = after;
    while tokens.get(index).is_some_and(is_comparison) {
        index += 1;
    }
    let mut name = None;
    while let Some(SqlToken::Word(word)) = tokens.get(index) {
        name = Some(word.value.clone());
        if tokens.get(index + 1) == Some(&SqlToken::Period) {
            index += 2;
        } else {
            break;
        }
    }
    name
}

/// Parameters bound from the question, the question tokens that bound them, and the
/// words those tokens stand for (the parameter's name words).
struct Bound {
    parameters: Vec<QueryParameter>,
    consumed: BTreeSet<usize>,
    slot_words: BTreeSet<String>,
}

fn bind_parameters(
    catalog: &Catalog,
    space: &SpaceConfig,
    example: &ExampleQuestionSql,
    slots: &[Slot],
    tokens: &[Token],
) -> Bound {
    let mut bound = Bound {
        parameters: Vec::new(),
        consumed: BTreeSet::new(),
        slot_words: BTreeSet::new(),
    };
    for parameter in example.parameters() {
        let sql_type = parameter
            .type_hint
            .clone()
            .unwrap_or_else(|| "STRING".to_owned())
            .to_uppercase();
        let column = slots
            .iter()
            .find(|slot| slot.name == parameter.name)
            .and_then(|slot| slot.column.clone());
        let found = find_value(
            catalog,
            space,
            &sql_type,
            column.as_deref(),
            tokens,
            &bound.consumed,
        );
        let value = match found {
            Some((indexes, value)) => {
                bound.consumed.extend(indexes);
                bound.slot_words.extend(name_stems(&parameter.name));
                value
            }
            None => match default_value(parameter) {
                Some(value) => value,
                None => continue,
            },
        };
        bound.parameters.push(QueryParameter {
            keyword: parameter.name.clone(),
            sql_type,
            value,
        });
    }
    bound
}

fn default_value(parameter: &SqlParameter) -> Option<String> {
    parameter
        .default_value
        .as_ref()?
        .values
        .as_ref()?
        .first()
        .cloned()
}

/// A literal of the question for a parameter of `sql_type` compared with `column`.
fn find_value(
    catalog: &Catalog,
    space: &SpaceConfig,
    sql_type: &str,
    column: Option<&str>,
    tokens: &[Token],
    consumed: &BTreeSet<usize>,
) -> Option<(Vec<usize>, String)> {
    let free = |index: &usize| !consumed.contains(index);
    match sql_type {
        "DATE" | "TIMESTAMP" => tokens
            .iter()
            .enumerate()
            .find(|(index, token)| free(index) && token.kind == TokenKind::Date)
            .map(|(index, token)| (vec![index], token.lower.clone())),
        "INT" | "INTEGER" | "BIGINT" | "LONG" | "SMALLINT" | "DOUBLE" | "FLOAT" | "DECIMAL" => {
            tokens
                .iter()
                .enumerate()
                .find(|(index, token)| free(index) && token.kind == TokenKind::Number)
                .map(|(index, token)| (vec![index], token.lower.clone()))
        }
        _ => {
            if let Some((index, token)) = tokens
                .iter()
                .enumerate()
                .find(|(index, token)| free(index) && token.kind == TokenKind::Quoted)
            {
                return Some((vec![index], token.raw.clone()));
            }
            let column = column?;
            let values = space
                .all_data_sources()
                .filter_map(|source| catalog.table(&source.identifier))
                .find_map(|table| table.column(column))
                .map(|column| column.values.as_slice())?;
            // The longest run of question words that spells a stored value.
            for length in (1..=4).rev() {
                for start in 0..tokens.len().saturating_sub(length - 1) {
                    let indexes: Vec<usize> = (start..start + length).collect();
                    if !indexes.iter().all(free) {
                        continue;
                    }
                    let phrase = tokens[start..start + length]
                        .iter()
                        .map(|token| token.lower.as_str())
                        .collect::<Vec<_>>()
                        .join(" ");
                    if let Some(value) = values.iter().find(|value| value.to_lowercase() == phrase)
                    {
                        return Some((indexes, value.clone()));
                    }
                }
            }
            None
        }
    }
}

/// The content-word bag of a question: stems of non-stop words, literals as their
/// kind; `consumed` tokens (bound to a parameter) are left out.
fn bag(tokens: &[Token], consumed: &BTreeSet<usize>) -> BTreeSet<String> {
    let mut words = BTreeSet::new();
    for (index, token) in tokens.iter().enumerate() {
        if consumed.contains(&index) {
            continue;
        }
        match token.kind {
            TokenKind::Word if is_stop_word(&token.lower) => {}
            TokenKind::Word => {
                words.insert(token.stem.clone());
            }
            TokenKind::Number => {
                words.insert(if token.lower.len() == 4 && token.lower.starts_with("20") {
                    "<year>".to_owned()
                } else {
                    "<number>".to_owned()
                });
            }
            TokenKind::Date => {
                words.insert("<date>".to_owned());
            }
            TokenKind::Quoted => {
                words.insert("<text>".to_owned());
            }
        }
    }
    words
}

fn jaccard(left: &BTreeSet<String>, right: &BTreeSet<String>) -> f64 {
    if left.is_empty() && right.is_empty() {
        return 0.0;
    }
    let shared = left.intersection(right).count();
    let union = left.union(right).count();
    #[expect(clippy::cast_precision_loss, reason = "word counts are small")]
    {
        shared as f64 / union as f64
    }
}

/// The SQL literal of a bound parameter.
fn literal(parameter: &QueryParameter) -> String {
    let quoted = format!("'{}'", parameter.value.replace('\'', "''"));
    match parameter.sql_type.as_str() {
        "DATE" => format!("DATE {quoted}"),
        "TIMESTAMP" => format!("TIMESTAMP {quoted}"),
        "INT" | "INTEGER" | "BIGINT" | "LONG" | "SMALLINT" | "DOUBLE" | "FLOAT" | "DECIMAL"
            if parameter.value.parse::<f64>().is_ok() =>
        {
            parameter.value.clone()
        }
        _ => quoted,
    }
}

/// Replaces every `:name` marker (not `::` casts, not longer names) in `sql`.
fn substitute(sql: &str, name: &str, value: &str) -> String {
    let marker = format!(":{name}");
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(position) = rest.find(&marker) {
        let before = &rest[..position];
        let after = &rest[position + marker.len()..];
        let is_cast = before.ends_with(':');
        let continues = after
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        out.push_str(before);
        if is_cast || continues {
            out.push_str(&marker);
        } else {
            out.push_str(value);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// The stem of each word of a parameter's name (`depot_zone` → `depot`, `zone`).
fn name_stems(name: &str) -> Vec<String> {
    super::words::identifier_words(name)
        .iter()
        .map(|word| stem(word))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_find_the_compared_column() {
        let slots = parameter_slots(
            "SELECT SUM(amount) FROM t WHERE t.region = :region AND :day <= day AND x::INT > 1",
        );
        assert_eq!(
            slots,
            [
                Slot {
                    name: "region".into(),
                    column: Some("region".into())
                },
                Slot {
                    name: "day".into(),
                    column: Some("day".into())
                }
            ]
        );
    }

    #[test]
    fn substitution_leaves_casts_and_longer_names() {
        assert_eq!(
            substitute("a = :r AND b = :rr AND c::INT = :r", "r", "'x'"),
            "a = 'x' AND b = :rr AND c::INT = 'x'"
        );
        assert_eq!(name_stems("store_regions"), [stem("store"), stem("region")]);
    }
}
