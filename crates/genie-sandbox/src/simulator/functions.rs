//! SQL table functions as trusted assets: a function the space lists in
//! `sql_functions` whose signature and comments (never its body) cover the question
//! is called with arguments taken from the question — the way a table-valued function
//! can encapsulate joins and business logic the space has no other metadata for.

use std::collections::BTreeSet;

use genie_core::space::SpaceConfig;

use super::catalog::Catalog;
use super::interpret::quoted_name;
use super::lexicon::{Lexicon, Target};
use super::question::{Structure, read_structure};
use super::reply::{QueryParameter, QueryReply, Thought, ThoughtKind};
use super::words::{TokenKind, identifier_words, is_stop_word, stem, tokenize};
use crate::engine::TableFunction;

/// The share of the question's content words the function's signature must cover.
const COVERAGE: f64 = 0.6;

/// The call of the best-covering listed function whose parameters the question fills.
pub(crate) fn call_function(
    catalog: &Catalog,
    space: &SpaceConfig,
    lexicon: &Lexicon,
    question: &str,
) -> Option<QueryReply> {
    let structure = read_structure(question);
    let content = structure.content();
    let asked: BTreeSet<String> = content
        .iter()
        .map(|&position| &structure.tokens[position])
        .filter(|token| token.kind == TokenKind::Word)
        .map(|token| token.stem.clone())
        .collect();
    if asked.is_empty() {
        return None;
    }
    let values = question_values(&structure, &content, lexicon);
    let mut best: Option<(f64, &str, &TableFunction, Vec<QueryParameter>)> = None;
    for listed in space.sql_functions() {
        let Some(function) = catalog
            .functions()
            .iter()
            .find(|function| function.name == listed.identifier.replace('`', "").to_lowercase())
        else {
            continue;
        };
        let vocabulary = vocabulary(function);
        let covered = asked
            .iter()
            .filter(|word| vocabulary.contains(*word))
            .count();
        #[expect(clippy::cast_precision_loss, reason = "word counts are small")]
        let coverage = covered as f64 / asked.len() as f64;
        if covered < 2 || coverage < COVERAGE || !names_subject(function, &asked) {
            continue;
        }
        let Some(arguments) = bind(function, &structure, &values) else {
            continue;
        };
        if best.as_ref().is_none_or(|(top, ..)| coverage > *top) {
            best = Some((coverage, listed.id.as_str(), function, arguments));
        }
    }
    let (coverage, id, function, arguments) = best?;
    let sql = format!(
        "SELECT * FROM {}({})",
        quoted_name(&function.name),
        arguments.iter().map(literal).collect::<Vec<_>>().join(", ")
    );
    Some(QueryReply {
        title: function
            .comment
            .clone()
            .unwrap_or_else(|| function.name.clone()),
        description: format!("You want to see: {}", question.trim()),
        thoughts: vec![
            Thought {
                kind: ThoughtKind::Description,
                content: format!(
                    "The trusted function `{}` answers this question (its signature covers {:.0}% of it).",
                    function.name,
                    coverage * 100.0
                ),
            },
            Thought {
                kind: ThoughtKind::DataSourcing,
                content: format!("- {}", function.name),
            },
            Thought {
                kind: ThoughtKind::Steps,
                content: arguments
                    .iter()
                    .map(|a| format!("- {} = {}", a.keyword, a.value))
                    .collect::<Vec<_>>()
                    .join("\n"),
            },
        ],
        parameters: arguments,
        trusted_asset: Some(id.to_owned()),
        summary: "This answer uses a trusted function of this space.".to_owned(),
        sql,
    })
}

/// Whether the question names what the function is about: a word of its name (three
/// letters or more) is a question word or abbreviates one ("drv" for "drivers").
/// Words its comment or result columns share with the question are not enough: a
/// function reporting per driver does not answer how many hauls there were.
fn names_subject(function: &TableFunction, asked: &BTreeSet<String>) -> bool {
    let short = function.name.rsplit('.').next().unwrap_or(&function.name);
    identifier_words(short)
        .iter()
        .filter(|word| word.chars().count() >= 3)
        .any(|word| {
            let word = stem(word);
            asked
                .iter()
                .any(|asked| *asked == word || super::values::abbreviates(&word, asked))
        })
}

/// The stems of the function's name, comment, parameters and result columns.
fn vocabulary(function: &TableFunction) -> BTreeSet<String> {
    let mut words = BTreeSet::new();
    let short = function.name.rsplit('.').next().unwrap_or(&function.name);
    words.extend(identifier_words(short).iter().map(|w| stem(w)));
    let mut text = function.comment.clone().unwrap_or_default();
    for column in function.parameters.iter().chain(&function.returns) {
        words.extend(identifier_words(&column.name).iter().map(|w| stem(w)));
        text.push(' ');
        text.push_str(column.comment.as_deref().unwrap_or_default());
    }
    words.extend(
        tokenize(&text)
            .into_iter()
            .filter(|token| !is_stop_word(&token.lower))
            .map(|token| token.stem),
    );
    words
}

/// Stored values the question names (through exposed values and value dictionaries),
/// then quoted literals.
fn question_values(structure: &Structure, content: &[usize], lexicon: &Lexicon) -> Vec<String> {
    let mut values: Vec<String> = lexicon
        .segment(&structure.tokens, content)
        .into_iter()
        .filter_map(
            |segment| match segment.candidates.first().map(|c| &c.target) {
                Some(Target::Value { value, .. }) => Some(value.clone()),
                _ => None,
            },
        )
        .collect();
    values.extend(
        structure
            .tokens
            .iter()
            .filter(|token| token.kind == TokenKind::Quoted)
            .map(|token| token.raw.clone()),
    );
    values
}

/// An argument for every parameter, in order; `None` when one cannot be filled.
fn bind(
    function: &TableFunction,
    structure: &Structure,
    values: &[String],
) -> Option<Vec<QueryParameter>> {
    let period = structure
        .time
        .periods
        .first()
        .map(|(_, period)| period)
        .filter(|period| period.relative.is_none());
    let mut numbers = structure
        .tokens
        .iter()
        .filter(|token| token.kind == TokenKind::Number && token.lower.len() != 4);
    let mut strings = values.iter();
    let mut dates = structure
        .tokens
        .iter()
        .filter(|token| token.kind == TokenKind::Date);
    let mut arguments = Vec::new();
    for parameter in &function.parameters {
        let sql_type = parameter.data_type.to_uppercase();
        let name = parameter.name.to_lowercase();
        let value = if sql_type.starts_with("DATE") || sql_type.starts_with("TIMESTAMP") {
            if ["end", "to", "until", "last"]
                .iter()
                .any(|w| name.contains(w))
            {
                period.map(|p| p.end.clone())
            } else if ["start", "from", "begin", "first"]
                .iter()
                .any(|w| name.contains(w))
            {
                period.map(|p| p.start.clone())
            } else {
                dates
                    .next()
                    .map(|token| token.lower.clone())
                    .or_else(|| period.map(|p| p.start.clone()))
            }
        } else if [
            "INT", "BIGINT", "SMALLINT", "TINYINT", "LONG", "DOUBLE", "FLOAT", "DECIMAL",
        ]
        .iter()
        .any(|t| sql_type.starts_with(t))
        {
            if name.contains("year") {
                period.map(|p| p.start[..4].to_owned())
            } else {
                numbers.next().map(|token| token.lower.clone())
            }
        } else {
            strings.next().cloned()
        }?;
        arguments.push(QueryParameter {
            keyword: parameter.name.clone(),
            sql_type,
            value,
        });
    }
    Some(arguments)
}

fn literal(parameter: &QueryParameter) -> String {
    let quoted = format!("'{}'", parameter.value.replace('\'', "''"));
    let sql_type = parameter.sql_type.as_str();
    if sql_type.starts_with("DATE") {
        format!("DATE {quoted}")
    } else if sql_type.starts_with("TIMESTAMP") {
        format!("TIMESTAMP {quoted}")
    } else if sql_type.starts_with("STRING")
        || sql_type.starts_with("VARCHAR")
        || sql_type.starts_with("CHAR")
    {
        quoted
    } else {
        parameter.value.clone()
    }
}
