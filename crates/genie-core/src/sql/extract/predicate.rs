//! Predicates of `WHERE`, `HAVING`, `QUALIFY` and `ON`: their split at `AND`,
//! their operator and tested column, and their literal values.

use std::collections::BTreeSet;
use std::convert::Infallible;
use std::ops::ControlFlow;

use sqlparser::ast::{
    BinaryOperator, Expr, Query, UnaryOperator, Value, ValueWithSpan, Visit, Visitor,
};

use super::expression::{Event, ExpressionContext, function_name, reference_parts, scan};
use crate::sql::facts::ColumnRef;

/// The literal values of `expr` outside its subqueries, in order, as
/// [`crate::sql::Filter::literals`] describes them.
pub(super) fn literals(expr: &Expr) -> Vec<String> {
    let mut collector = LiteralCollector::default();
    let ControlFlow::Continue(()) = expr.visit(&mut collector);
    collector.literals
}

#[derive(Default)]
struct LiteralCollector {
    subquery_depth: usize,
    negated: Vec<*const ValueWithSpan>,
    literals: Vec<String>,
}

impl Visitor for LiteralCollector {
    type Break = Infallible;

    fn pre_visit_query(&mut self, _query: &Query) -> ControlFlow<Infallible> {
        self.subquery_depth += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _query: &Query) -> ControlFlow<Infallible> {
        self.subquery_depth -= 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<Infallible> {
        if self.subquery_depth == 0
            && let Expr::UnaryOp {
                op: UnaryOperator::Minus,
                expr: operand,
            } = expr
            && let Expr::Value(value) = operand.as_ref()
            && let Value::Number(number, _) = &value.value
        {
            self.literals.push(format!("-{number}"));
            self.negated.push(std::ptr::from_ref(value));
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_value(&mut self, value: &ValueWithSpan) -> ControlFlow<Infallible> {
        if self.subquery_depth == 0
            && !self.negated.contains(&std::ptr::from_ref(value))
            && let Some(text) = literal_text(&value.value)
        {
            self.literals.push(text);
        }
        ControlFlow::Continue(())
    }
}

fn literal_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::Number(number, _) => Some(number.clone()),
        Value::Boolean(boolean) => Some(boolean.to_string()),
        Value::Placeholder(marker) => Some(marker.clone()),
        Value::DollarQuotedString(string) => Some(string.value.clone()),
        other => Some(
            other
                .clone()
                .into_string()
                .unwrap_or_else(|| other.to_string()),
        ),
    }
}

/// The predicates of a condition: its operands split at top-level `AND`
/// (parentheses around an `AND` do not stop the split), in reading order.
pub(super) fn conjuncts(expr: &Expr) -> Vec<&Expr> {
    let mut pending = vec![expr];
    let mut predicates = Vec::new();
    while let Some(expr) = pending.pop() {
        match expr {
            Expr::BinaryOp {
                left,
                op: BinaryOperator::And,
                right,
            } => {
                pending.push(right);
                pending.push(left);
            }
            Expr::Nested(inner)
                if matches!(
                    inner.as_ref(),
                    Expr::BinaryOp {
                        op: BinaryOperator::And,
                        ..
                    }
                ) =>
            {
                pending.push(inner);
            }
            _ => predicates.push(expr),
        }
    }
    predicates
}

/// `expr` without the parentheses around it.
pub(super) fn without_parentheses(mut expr: &Expr) -> &Expr {
    while let Expr::Nested(inner) = expr {
        expr = inner;
    }
    expr
}

/// A predicate's operator (upper case) and the operand that holds the tested
/// column, when the operator has one.
pub(super) fn predicate_shape(predicate: &Expr) -> (String, Option<&Expr>) {
    let negatable = |negated: bool, operator: &str| {
        if negated {
            format!("NOT {operator}")
        } else {
            operator.to_owned()
        }
    };
    match without_parentheses(predicate) {
        Expr::BinaryOp { left, op, right } => match op {
            BinaryOperator::Eq
            | BinaryOperator::NotEq
            | BinaryOperator::Lt
            | BinaryOperator::LtEq
            | BinaryOperator::Gt
            | BinaryOperator::GtEq
            | BinaryOperator::Spaceship => {
                let subject = if reference_parts(right).is_some() && reference_parts(left).is_none()
                {
                    right
                } else {
                    left
                };
                (op.to_string(), Some(subject))
            }
            other => (other.to_string().to_uppercase(), None),
        },
        Expr::InList { expr, negated, .. }
        | Expr::InSubquery { expr, negated, .. }
        | Expr::InUnnest { expr, negated, .. } => (negatable(*negated, "IN"), Some(expr)),
        Expr::Between { expr, negated, .. } => (negatable(*negated, "BETWEEN"), Some(expr)),
        Expr::Like { expr, negated, .. } => (negatable(*negated, "LIKE"), Some(expr)),
        Expr::ILike { expr, negated, .. } => (negatable(*negated, "ILIKE"), Some(expr)),
        Expr::SimilarTo { expr, negated, .. } => (negatable(*negated, "SIMILAR TO"), Some(expr)),
        Expr::RLike {
            expr,
            negated,
            regexp,
            ..
        } => (
            negatable(*negated, if *regexp { "REGEXP" } else { "RLIKE" }),
            Some(expr),
        ),
        Expr::IsNull(expr) => ("IS NULL".to_owned(), Some(expr)),
        Expr::IsNotNull(expr) => ("IS NOT NULL".to_owned(), Some(expr)),
        Expr::IsTrue(expr) => ("IS TRUE".to_owned(), Some(expr)),
        Expr::IsNotTrue(expr) => ("IS NOT TRUE".to_owned(), Some(expr)),
        Expr::IsFalse(expr) => ("IS FALSE".to_owned(), Some(expr)),
        Expr::IsNotFalse(expr) => ("IS NOT FALSE".to_owned(), Some(expr)),
        Expr::IsUnknown(expr) => ("IS UNKNOWN".to_owned(), Some(expr)),
        Expr::IsNotUnknown(expr) => ("IS NOT UNKNOWN".to_owned(), Some(expr)),
        Expr::IsDistinctFrom(left, _) => ("IS DISTINCT FROM".to_owned(), Some(left)),
        Expr::IsNotDistinctFrom(left, _) => ("IS NOT DISTINCT FROM".to_owned(), Some(left)),
        Expr::AnyOp {
            left, compare_op, ..
        } => (format!("{compare_op} ANY"), Some(left)),
        Expr::AllOp {
            left, compare_op, ..
        } => (format!("{compare_op} ALL"), Some(left)),
        Expr::Exists { negated, .. } => (negatable(*negated, "EXISTS"), None),
        Expr::UnaryOp {
            op: UnaryOperator::Not | UnaryOperator::BangNot,
            ..
        } => ("NOT".to_owned(), None),
        Expr::Function(function) => (function_name(&function.name), None),
        _ => ("EXPRESSION".to_owned(), None),
    }
}

/// The one column `expr` references outside its subqueries, if there is exactly one.
pub(super) fn single_column(expr: &Expr, context: ExpressionContext<'_>) -> Option<ColumnRef> {
    let mut columns = BTreeSet::new();
    scan(expr, context, &mut |event| {
        if let Event::Column(resolution) = event {
            columns.insert(resolution.column_ref());
        }
    });
    let mut columns = columns.into_iter();
    match (columns.next(), columns.next()) {
        (Some(column), None) => Some(column),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::extract::expression::parse_expression as expression;

    #[test]
    fn literals_are_unquoted_and_signed() {
        assert_eq!(
            literals(&expression(
                "a BETWEEN DATE '2024-01-01' AND -5 OR b IN ('EMEA', :region, TRUE, NULL) OR c IN (SELECT 'x')"
            )),
            ["2024-01-01", "-5", "EMEA", ":region", "true"]
        );
    }

    #[test]
    fn conjuncts_split_through_parentheses_in_order() {
        let expr = expression("(a = 1 AND (b = 2 AND c = 3)) AND (d = 4 OR e = 5)");
        let texts: Vec<String> = conjuncts(&expr).iter().map(ToString::to_string).collect();
        assert_eq!(texts, ["a = 1", "b = 2", "c = 3", "(d = 4 OR e = 5)"]);
    }

    #[test]
    fn predicate_shapes() {
        let check = |sql: &str, operator: &str, subject: Option<&str>| {
            let expr = expression(sql);
            let (found, found_subject) = predicate_shape(&expr);
            assert_eq!(found, operator, "{sql}");
            assert_eq!(
                found_subject.map(ToString::to_string).as_deref(),
                subject,
                "{sql}"
            );
        };
        check("5 < a", "<", Some("a"));
        check("a <> b", "<>", Some("a"));
        check("x NOT IN (1, 2)", "NOT IN", Some("x"));
        check("(lower(n) LIKE 'a%')", "LIKE", Some("lower(n)"));
        check("a IS NOT NULL", "IS NOT NULL", Some("a"));
        check("NOT EXISTS (SELECT 1)", "NOT EXISTS", None);
        check("a = 1 OR b = 2", "OR", None);
        check("array_contains(tags, 'x')", "ARRAY_CONTAINS", None);
        check("flag", "EXPRESSION", None);
    }
}
