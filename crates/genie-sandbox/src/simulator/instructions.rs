//! Text instructions: the few plain-sentence forms the simulator obeys.
//!
//! - `"<term>" means <SQL expression>` — a definition: a measure when the expression
//!   aggregates, a filter when it is a condition, else an expression.
//! - `Use <table> for <topic>` — the topic's words point at the table.
//! - `<term> refers to <column>` — the term is another name of the column
//!   (`table.column` or a column name).
//!
//! Sentences end at a newline, `. ` or `; `. Anything else in the instructions is
//! business prose the simulator does not act on.

use genie_core::space::SnippetKind;
use sqlparser::ast::{BinaryOperator, Expr, visit_expressions};
use sqlparser::dialect::DatabricksDialect;
use sqlparser::parser::Parser;

/// One rule read from the text instructions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum InstructionRule {
    /// `"term" means <sql>`.
    Means {
        term: String,
        sql: String,
        kind: SnippetKind,
    },
    /// `use <table> for <topic>`.
    UseTable { table: String, topic: String },
    /// `<term> refers to <column>`.
    RefersTo { term: String, column: String },
}

/// The rules in `text`, in order.
pub(crate) fn parse_instructions(text: &str) -> Vec<InstructionRule> {
    sentences(text).filter_map(parse_sentence).collect()
}

fn sentences(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n')
        .flat_map(|line| line.split(". "))
        .flat_map(|sentence| sentence.split("; "))
        .map(|sentence| sentence.trim().trim_end_matches(['.', ';']).trim())
        .filter(|sentence| !sentence.is_empty())
}

fn parse_sentence(sentence: &str) -> Option<InstructionRule> {
    let lower = sentence.to_lowercase();
    if let Some(rest) = lower.strip_prefix("use ")
        && let Some(position) = rest.find(" for ")
    {
        let table = sentence[4..4 + position]
            .trim()
            .trim_matches('`')
            .to_owned();
        let topic = sentence[4 + position + 5..].trim().to_owned();
        if !table.contains(' ') && !topic.is_empty() {
            return Some(InstructionRule::UseTable { table, topic });
        }
    }
    if let Some(position) = lower.find(" refers to ") {
        let term = unquote(&sentence[..position]);
        let column = sentence[position + " refers to ".len()..]
            .trim()
            .trim_matches('`')
            .replace('`', "");
        if !term.is_empty() && !column.is_empty() && !column.contains(' ') {
            return Some(InstructionRule::RefersTo { term, column });
        }
    }
    let quote = sentence
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '\''))?;
    let end = sentence[1..].find(quote)? + 1;
    let term = sentence[1..end].trim().to_owned();
    let rest = sentence[end + 1..].trim_start();
    let sql = rest
        .strip_prefix("means ")
        .or_else(|| rest.strip_prefix("MEANS "))?
        .trim()
        .to_owned();
    let expression = Parser::new(&DatabricksDialect {})
        .try_with_sql(&sql)
        .ok()?
        .parse_expr()
        .ok()?;
    if term.is_empty() {
        return None;
    }
    Some(InstructionRule::Means {
        term,
        kind: kind_of(&expression),
        sql,
    })
}

fn unquote(text: &str) -> String {
    text.trim()
        .trim_matches(|c| matches!(c, '"' | '\'' | '`'))
        .trim()
        .to_owned()
}

/// Measure when the expression aggregates, filter when it is a condition.
fn kind_of(expression: &Expr) -> SnippetKind {
    let mut aggregates = false;
    let _ = visit_expressions(expression, |inner| {
        if let Expr::Function(function) = inner
            && function.over.is_none()
            && let Some(name) = function.name.0.last().and_then(|part| part.as_ident())
            && AGGREGATES.contains(&name.value.to_lowercase().as_str())
        {
            aggregates = true;
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    if aggregates {
        return SnippetKind::Measure;
    }
    let condition = match expression {
        Expr::BinaryOp { op, .. } => matches!(
            op,
            BinaryOperator::Eq
                | BinaryOperator::NotEq
                | BinaryOperator::Lt
                | BinaryOperator::LtEq
                | BinaryOperator::Gt
                | BinaryOperator::GtEq
                | BinaryOperator::And
                | BinaryOperator::Or
        ),
        Expr::InList { .. }
        | Expr::Between { .. }
        | Expr::Like { .. }
        | Expr::ILike { .. }
        | Expr::IsNull(_)
        | Expr::IsNotNull(_)
        | Expr::IsTrue(_)
        | Expr::IsFalse(_) => true,
        Expr::UnaryOp { op, .. } => *op == sqlparser::ast::UnaryOperator::Not,
        _ => false,
    };
    if condition {
        SnippetKind::Filter
    } else {
        SnippetKind::Expression
    }
}

/// Aggregate functions (lower case).
pub(crate) const AGGREGATES: &[&str] = &[
    "any_value",
    "approx_count_distinct",
    "avg",
    "count",
    "count_if",
    "max",
    "mean",
    "median",
    "min",
    "percentile",
    "stddev",
    "sum",
    "variance",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_documented_forms_and_ignores_prose() {
        let rules = parse_instructions(
            "Answer in English. \"big order\" means orders.amount > 1000. \
             'net sales' means SUM(orders.amount - orders.discount)\n\
             Use main.sales.returns for refunds and returns. \
             Customer type refers to customers.cust_seg; \"order year\" means YEAR(orders.day)",
        );
        assert_eq!(
            rules,
            [
                InstructionRule::Means {
                    term: "big order".into(),
                    sql: "orders.amount > 1000".into(),
                    kind: SnippetKind::Filter
                },
                InstructionRule::Means {
                    term: "net sales".into(),
                    sql: "SUM(orders.amount - orders.discount)".into(),
                    kind: SnippetKind::Measure
                },
                InstructionRule::UseTable {
                    table: "main.sales.returns".into(),
                    topic: "refunds and returns".into()
                },
                InstructionRule::RefersTo {
                    term: "Customer type".into(),
                    column: "customers.cust_seg".into()
                },
                InstructionRule::Means {
                    term: "order year".into(),
                    sql: "YEAR(orders.day)".into(),
                    kind: SnippetKind::Expression
                },
            ]
        );
    }
}
