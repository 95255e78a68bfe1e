//! Databricks SQL the engine lacks, rewritten into SQL it has.
//!
//! DataFusion speaks most of Databricks' dialect but not all of Spark's functions or
//! arithmetic. Before running, a statement's expressions are rewritten bottom-up:
//!
//! | Databricks | becomes |
//! |---|---|
//! | `year(x)`, `month`, `day`, `dayofmonth`, `quarter`, `hour`, `minute`, `second`, `weekofyear` | `CAST(date_part('unit', x) AS INT)` |
//! | `dayofweek(x)` (1 = Sunday) | `CAST(date_part('dow', x) AS INT) + 1` |
//! | `if(c, a, b)`, `iff(c, a, b)` | `CASE WHEN c THEN a ELSE b END` |
//! | `count_if(c)` | `COUNT(CASE WHEN c THEN 1 END)` |
//! | `datediff(end, start)` | days between the two dates |
//! | `date_add(d, n)`, `date_sub(d, n)` | `d` plus or minus `n` days, a DATE |
//! | `add_months(d, n)` (literal `n`, or `-n`) | `d + INTERVAL 'n' MONTH` (or `-`), a DATE |
//! | `last_day(d)` | the month's last day, a DATE |
//! | `date_format(d, 'yyyy-MM')` | `to_char(d, '%Y-%m')` (Spark pattern translated) |
//! | `a / b` | `CAST(a AS DOUBLE) / b` (Spark divides without truncating) |
//!
//! Both the ground truth and Genie's SQL run through the same rewrite, so where the
//! engine differs from Spark in a last digit, it differs for both alike.
//!
//! The same pass expands calls of SQL table functions (`FROM cat.sch.f(args)`) into
//! derived tables ([`super::table_functions`]) and rewrites queries over metric views
//! into queries over their sources ([`super::metric_view_queries`]).

use std::ops::ControlFlow;

use sqlparser::ast::{
    BinaryOperator, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments, Query,
    TableFactor, Value, VisitMut, VisitorMut,
};
use sqlparser::dialect::DatabricksDialect;
use sqlparser::parser::Parser;

use super::metadata::full_name;
use super::metric_view_queries::{
    is_measure_call, join_not_supported, measure_outside, metric_view, rewrite_query,
};
use super::metric_views::MetricViewDefinition;
use super::table_functions::FunctionDefinition;

/// How many table function calls one statement may expand (calls inside function bodies
/// count), which stops functions that call each other.
const MAX_EXPANSIONS: usize = 16;

/// Rewrites `sql` for the engine, expanding calls of `functions` and queries over
/// `metric_views`; SQL that does not parse is returned unchanged, so the engine reports
/// its own error. Fails only on a bad table function call or metric view query.
pub(crate) fn to_engine_sql(
    sql: &str,
    functions: &[FunctionDefinition],
    metric_views: &[MetricViewDefinition],
) -> Result<String, String> {
    let Ok(mut statements) = Parser::parse_sql(&DatabricksDialect {}, sql) else {
        return Ok(sql.to_owned());
    };
    let mut rewriter = Rewriter {
        functions,
        metric_views,
        expansions: 0,
    };
    if let ControlFlow::Break(message) = statements.visit(&mut rewriter) {
        return Err(message);
    }
    Ok(statements
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(";\n"))
}

/// [`to_engine_sql`] for one query.
pub(crate) fn query_to_engine_sql(
    query: &Query,
    functions: &[FunctionDefinition],
    metric_views: &[MetricViewDefinition],
) -> Result<String, String> {
    let mut query = query.clone();
    let mut rewriter = Rewriter {
        functions,
        metric_views,
        expansions: 0,
    };
    if let ControlFlow::Break(message) = query.visit(&mut rewriter) {
        return Err(message);
    }
    Ok(query.to_string())
}

struct Rewriter<'a> {
    functions: &'a [FunctionDefinition],
    metric_views: &'a [MetricViewDefinition],
    expansions: usize,
}

impl VisitorMut for Rewriter<'_> {
    type Break = String;

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<String> {
        match rewrite_query(query, self.metric_views) {
            Ok(()) => ControlFlow::Continue(()),
            Err(message) => ControlFlow::Break(message),
        }
    }

    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<String> {
        // A metric view left after `pre_visit_query` is read among other relations.
        if let TableFactor::Table {
            name, args: None, ..
        } = factor
            && let Some(view) = metric_view(name, self.metric_views)
        {
            return ControlFlow::Break(join_not_supported(&view.name));
        }
        let TableFactor::Table {
            name,
            args: Some(arguments),
            alias,
            ..
        } = factor
        else {
            return ControlFlow::Continue(());
        };
        let Some(function) = full_name(name)
            .and_then(|name| self.functions.iter().find(|function| function.name == name))
        else {
            return ControlFlow::Continue(());
        };
        self.expansions += 1;
        if self.expansions > MAX_EXPANSIONS {
            return ControlFlow::Break(format!(
                "[ROUTINE_RECURSION] more than {MAX_EXPANSIONS} table function calls in one \
                 statement (do functions call each other?) at `{}`",
                function.name
            ));
        }
        match function.expand(&arguments.args, alias.as_ref()) {
            Ok(expanded) => {
                *factor = expanded;
                ControlFlow::Continue(())
            }
            Err(message) => ControlFlow::Break(message),
        }
    }

    fn post_visit_expr(&mut self, expression: &mut Expr) -> ControlFlow<String> {
        if let Expr::Function(function) = expression
            && is_measure_call(function)
        {
            return ControlFlow::Break(measure_outside());
        }
        if let Some(rewritten) = rewrite(expression) {
            *expression = rewritten;
        }
        ControlFlow::Continue(())
    }
}

/// The replacement of one expression, when it needs one.
fn rewrite(expression: &Expr) -> Option<Expr> {
    match expression {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Divide,
            right,
        } => parse(&format!("CAST({left} AS DOUBLE) / {right}")),
        Expr::Function(function) => rewrite_function(function),
        _ => None,
    }
}

fn rewrite_function(function: &Function) -> Option<Expr> {
    if function.over.is_some() || function.filter.is_some() {
        return None;
    }
    let name = function.name.0.last()?.as_ident()?.value.to_lowercase();
    let arguments = plain_arguments(&function.args)?;
    let text = match (name.as_str(), arguments.as_slice()) {
        (
            "year" | "month" | "day" | "dayofmonth" | "quarter" | "hour" | "minute" | "second",
            [value],
        ) => {
            let unit = if name == "dayofmonth" {
                "day"
            } else {
                name.as_str()
            };
            format!("CAST(date_part('{unit}', {value}) AS INT)")
        }
        ("weekofyear", [value]) => format!("CAST(date_part('week', {value}) AS INT)"),
        ("dayofweek", [value]) => format!("CAST(date_part('dow', {value}) AS INT) + 1"),
        ("if" | "iff", [condition, then, otherwise]) => {
            format!("CASE WHEN {condition} THEN {then} ELSE {otherwise} END")
        }
        ("count_if", [condition]) => format!("COUNT(CASE WHEN {condition} THEN 1 END)"),
        ("datediff", [end, start]) => {
            format!("CAST(CAST({end} AS DATE) - CAST({start} AS DATE) AS INT)")
        }
        ("date_add", [date, days]) => {
            format!("CAST(CAST(CAST({date} AS DATE) AS INT) + ({days}) AS DATE)")
        }
        ("date_sub", [date, days]) => {
            format!("CAST(CAST(CAST({date} AS DATE) AS INT) - ({days}) AS DATE)")
        }
        ("add_months", [date, Expr::Value(value)]) => match &value.value {
            Value::Number(months, _) => {
                format!("CAST(CAST({date} AS DATE) + INTERVAL '{months}' MONTH AS DATE)")
            }
            _ => return None,
        },
        (
            "add_months",
            [
                date,
                Expr::UnaryOp {
                    op: sqlparser::ast::UnaryOperator::Minus,
                    expr,
                },
            ],
        ) => match expr.as_ref() {
            Expr::Value(value) if matches!(value.value, Value::Number(..)) => {
                format!("CAST(CAST({date} AS DATE) - INTERVAL '{value}' MONTH AS DATE)")
            }
            _ => return None,
        },
        ("last_day", [date]) => {
            format!(
                "CAST(date_trunc('month', {date}) + INTERVAL '1' MONTH - INTERVAL '1' DAY AS DATE)"
            )
        }
        ("date_format", [date, Expr::Value(value)]) => match &value.value {
            Value::SingleQuotedString(pattern) => {
                format!(
                    "to_char({date}, '{}')",
                    chrono_pattern(pattern).replace('\'', "''")
                )
            }
            _ => return None,
        },
        _ => return None,
    };
    parse(&text)
}

/// The arguments when all are plain, unnamed expressions.
fn plain_arguments(arguments: &FunctionArguments) -> Option<Vec<Expr>> {
    let FunctionArguments::List(list) = arguments else {
        return matches!(arguments, FunctionArguments::None).then(Vec::new);
    };
    if list.duplicate_treatment.is_some() || !list.clauses.is_empty() {
        return None;
    }
    list.args
        .iter()
        .map(|argument| match argument {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(expression)) => Some(expression.clone()),
            _ => None,
        })
        .collect()
}

fn parse(text: &str) -> Option<Expr> {
    Parser::new(&DatabricksDialect {})
        .try_with_sql(text)
        .ok()?
        .parse_expr()
        .ok()
}

/// A Spark datetime pattern (`yyyy-MM-dd HH:mm:ss`) as a chrono one (`%Y-%m-%d %H:%M:%S`).
fn chrono_pattern(pattern: &str) -> String {
    const LETTERS: [(&str, &str); 16] = [
        ("yyyy", "%Y"),
        ("yy", "%y"),
        ("MMMM", "%B"),
        ("MMM", "%b"),
        ("MM", "%m"),
        ("dd", "%d"),
        ("HH", "%H"),
        ("hh", "%I"),
        ("mm", "%M"),
        ("ss", "%S"),
        ("EEEE", "%A"),
        ("EEE", "%a"),
        ("a", "%p"),
        ("M", "%-m"),
        ("d", "%-d"),
        ("y", "%Y"),
    ];
    let mut out = String::new();
    let mut rest = pattern;
    'outer: while !rest.is_empty() {
        for (spark, chrono) in LETTERS {
            if let Some(after) = rest.strip_prefix(spark) {
                out.push_str(chrono);
                rest = after;
                continue 'outer;
            }
        }
        let mut characters = rest.chars();
        let character = characters.next().expect("rest is not empty");
        if character == '%' {
            out.push_str("%%");
        } else {
            out.push(character);
        }
        rest = characters.as_str();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_translate() {
        assert_eq!(chrono_pattern("yyyy-MM"), "%Y-%m");
        assert_eq!(chrono_pattern("dd MMM yyyy HH:mm:ss"), "%d %b %Y %H:%M:%S");
        assert_eq!(chrono_pattern("EEEE, d"), "%A, %-d");
    }

    #[test]
    fn rewrites_are_local_and_keep_the_rest() {
        let to_engine_sql = |sql: &str| to_engine_sql(sql, &[], &[]).unwrap();
        assert_eq!(
            to_engine_sql(
                "SELECT year(d) AS y, if(a > 1, 'x', 'y') FROM main.s.t WHERE count_if(b) > 0"
            ),
            "SELECT CAST(date_part('year', d) AS INT) AS y, CASE WHEN a > 1 THEN 'x' ELSE 'y' END \
             FROM main.s.t WHERE COUNT(CASE WHEN b THEN 1 END) > 0"
        );
        assert_eq!(
            to_engine_sql("SELECT a / b FROM t"),
            "SELECT CAST(a AS DOUBLE) / b FROM t"
        );
        assert_eq!(
            to_engine_sql("SELECT not valid sql ("),
            "SELECT not valid sql ("
        );
        // Window aggregates are left alone.
        assert_eq!(
            to_engine_sql("SELECT count_if(a) OVER () FROM t"),
            "SELECT count_if(a) OVER () FROM t"
        );
    }
}
