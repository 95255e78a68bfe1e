//! Queries over metric views, rewritten (in [`super::spark_compat`]'s pass) into
//! queries over their sources.
//!
//! A `SELECT` whose only `FROM` item is a metric view (no joins) becomes a `SELECT`
//! over the view's source: each dimension name becomes the dimension's expression
//! (selected under the dimension's name), `MEASURE(m)` becomes the measure's aggregate
//! expression (selected as `measure(m)` unless aliased), and the view's `filter` is
//! added to `WHERE`. `GROUP BY ALL`, `GROUP BY <dimensions>`, `HAVING`, `ORDER BY`
//! (output names stay as they are) and `LIMIT` keep their meaning. Everything else
//! fails as Databricks does: a metric view joined directly
//! (`METRIC_VIEW_JOIN_NOT_SUPPORTED`; query it in a CTE and join that), `SELECT *`,
//! a measure without `MEASURE()`, and `MEASURE()` outside a metric view query or of
//! something that is not a measure.

use std::ops::ControlFlow;

use sqlparser::ast::{
    BinaryOperator, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments, GroupByExpr,
    Ident, ObjectName, OrderByKind, Query, SelectItem, SetExpr, TableFactor, visit_expressions_mut,
};

use super::metadata::full_name;
use super::metric_views::MetricViewDefinition;

/// Placeholders the first pass leaves where a dimension, a measure inside `MEASURE()`
/// or a bare measure was named; no real column is called this.
const DIMENSION: &str = "__metric_view_dimension_";
const MEASURE: &str = "__metric_view_measure_";
const BARE_MEASURE: &str = "__metric_view_bare_measure_";

/// Databricks' error for a metric view joined directly.
pub(crate) fn join_not_supported(view: &impl std::fmt::Display) -> String {
    format!(
        "[METRIC_VIEW_JOIN_NOT_SUPPORTED] The metric view `{view}` cannot be joined directly \
         or read among other tables: query it alone (dimensions and MEASURE() with GROUP BY) \
         in a CTE and join the CTE's result. SQLSTATE: 0A000"
    )
}

/// Databricks' error for `MEASURE()` where no metric view is queried.
pub(crate) fn measure_outside() -> String {
    "[UNSUPPORTED_METRIC_VIEW_USAGE.UNCATEGORIZED] The current metric view usage is not \
     supported: MEASURE() can only be used in a query whose FROM clause is a single metric \
     view. SQLSTATE: 0A000"
        .to_owned()
}

/// The metric view `name` names, if any.
pub(crate) fn metric_view<'a>(
    name: &ObjectName,
    views: &'a [MetricViewDefinition],
) -> Option<&'a MetricViewDefinition> {
    let name = full_name(name)?;
    views.iter().find(|view| view.name == name)
}

/// Whether `function` is a call of `MEASURE`.
pub(crate) fn is_measure_call(function: &Function) -> bool {
    function
        .name
        .0
        .last()
        .and_then(|part| part.as_ident())
        .is_some_and(|ident| ident.value.eq_ignore_ascii_case("measure"))
        && function.name.0.len() == 1
}

/// Rewrites `query` when its `SELECT` reads one metric view; fails on a metric view
/// used any other way in its `FROM` clause.
pub(crate) fn rewrite_query(
    query: &mut Query,
    views: &[MetricViewDefinition],
) -> Result<(), String> {
    if views.is_empty() {
        return Ok(());
    }
    let SetExpr::Select(select) = query.body.as_mut() else {
        return Ok(());
    };
    let mut found = None;
    for item in &select.from {
        let factors =
            std::iter::once(&item.relation).chain(item.joins.iter().map(|join| &join.relation));
        for factor in factors {
            if let TableFactor::Table {
                name, args: None, ..
            } = factor
                && let Some(view) = metric_view(name, views)
            {
                if select.from.len() > 1 || !item.joins.is_empty() {
                    return Err(join_not_supported(&view.name));
                }
                found = Some(view);
            }
        }
    }
    let Some(view) = found else {
        return Ok(());
    };
    let TableFactor::Table { name, alias, .. } = &select.from[0].relation else {
        return Ok(());
    };
    let mut qualifiers = vec![
        view.name.table.clone(),
        view.name.to_string(),
        name.to_string().replace('`', "").to_lowercase(),
    ];
    if let Some(alias) = alias {
        qualifiers.push(alias.name.value.to_lowercase());
    }
    let names = Names { view, qualifiers };
    let mut outputs: Vec<String> = Vec::new();
    for item in &mut select.projection {
        match item {
            SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => {
                return Err(
                    "[UNSUPPORTED_METRIC_VIEW_USAGE.SELECT_STAR_NOT_SUPPORTED] SELECT * \
                            is not supported in metric views. SQLSTATE: 0A000"
                        .to_owned(),
                );
            }
            SelectItem::UnnamedExpr(expr) => {
                let output = names.output_name(expr);
                names.substitute(expr)?;
                if let Some(output) = output {
                    outputs.push(output.clone());
                    *item = SelectItem::ExprWithAlias {
                        expr: expr.clone(),
                        alias: Ident::with_quote('`', output),
                    };
                }
            }
            SelectItem::ExprWithAlias { expr, alias } => {
                outputs.push(alias.value.to_lowercase());
                names.substitute(expr)?;
            }
            SelectItem::ExprWithAliases { expr, aliases } => {
                outputs.extend(aliases.iter().map(|alias| alias.value.to_lowercase()));
                names.substitute(expr)?;
            }
        }
    }
    if let Some(selection) = &mut select.selection {
        names.substitute(selection)?;
    }
    if let Some(filter) = &view.filter {
        let filter = Expr::Nested(Box::new(filter.clone()));
        select.selection = Some(match select.selection.take() {
            Some(selection) => Expr::BinaryOp {
                left: Box::new(filter),
                op: BinaryOperator::And,
                right: Box::new(Expr::Nested(Box::new(selection))),
            },
            None => filter,
        });
    }
    if let GroupByExpr::Expressions(expressions, _) = &mut select.group_by {
        for expression in expressions {
            names.substitute(expression)?;
        }
    }
    if let Some(having) = &mut select.having {
        names.substitute(having)?;
    }
    if let Some(order_by) = &mut query.order_by
        && let OrderByKind::Expressions(items) = &mut order_by.kind
    {
        for item in items {
            let is_output = matches!(&item.expr, Expr::Identifier(ident)
                if outputs.contains(&ident.value.to_lowercase()));
            if !is_output {
                names.substitute(&mut item.expr)?;
            }
        }
    }
    select.from[0].relation = view.source_factor()?;
    Ok(())
}

/// How a metric view's dimensions and measures are named in one query.
struct Names<'a> {
    view: &'a MetricViewDefinition,
    /// What may qualify a name (`mv.region`): the view's name parts and its alias.
    qualifiers: Vec<String>,
}

impl Names<'_> {
    /// The dimension or measure a bare reference names: its name, when `expr` is one.
    fn reference(&self, expr: &Expr) -> Option<String> {
        let name = match expr {
            Expr::Identifier(ident) => ident.value.to_lowercase(),
            Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
                let (last, qualifier) = parts.split_last()?;
                let qualifier = qualifier
                    .iter()
                    .map(|part| part.value.to_lowercase())
                    .collect::<Vec<_>>()
                    .join(".");
                if !self.qualifiers.contains(&qualifier) {
                    return None;
                }
                last.value.to_lowercase()
            }
            _ => return None,
        };
        Some(name)
    }

    /// The name an unaliased select item gets: a dimension's name, or `measure(m)`.
    fn output_name(&self, expr: &Expr) -> Option<String> {
        if let Some(name) = self.reference(expr) {
            return self.view.dimension(&name).map(|d| d.name.clone());
        }
        if let Expr::Function(function) = expr
            && is_measure_call(function)
            && let Some(argument) = single_argument(function)
            && let Some(name) = self.reference(argument)
            && let Some(measure) = self.view.measure(&name)
        {
            return Some(format!("measure({})", measure.name));
        }
        None
    }

    /// Replaces dimensions and `MEASURE(m)` in `expr` by their expressions.
    fn substitute(&self, expr: &mut Expr) -> Result<(), String> {
        let view = self.view;
        let first = visit_expressions_mut(expr, |node| {
            if let Some(name) = self.reference(node) {
                if let Some(index) = view.dimensions.iter().position(|d| d.name == name) {
                    *node = Expr::Identifier(Ident::new(format!("{DIMENSION}{index}")));
                } else if let Some(index) = view.measures.iter().position(|m| m.name == name) {
                    *node = Expr::Identifier(Ident::new(format!("{BARE_MEASURE}{index}")));
                }
                return ControlFlow::Continue(());
            }
            if let Expr::Function(function) = node
                && is_measure_call(function)
            {
                let index = single_argument(function).and_then(|argument| match argument {
                    Expr::Identifier(ident) => ident.value.strip_prefix(BARE_MEASURE),
                    _ => None,
                });
                let Some(index) = index else {
                    return ControlFlow::Break(
                        "[UNSUPPORTED_METRIC_VIEW_USAGE.MEASURE_REQUIRES_EXACTLY_ONE_COLUMN] \
                         MEASURE() requires exactly one measure column as argument. \
                         SQLSTATE: 0A000"
                            .to_owned(),
                    );
                };
                *node = Expr::Identifier(Ident::new(format!("{MEASURE}{index}")));
            }
            ControlFlow::Continue(())
        });
        if let ControlFlow::Break(message) = first {
            return Err(message);
        }
        let second = visit_expressions_mut(expr, |node| {
            let Expr::Identifier(ident) = node else {
                return ControlFlow::Continue(());
            };
            let field = |prefix: &str, fields: &[super::metric_views::MetricField]| {
                ident
                    .value
                    .strip_prefix(prefix)
                    .and_then(|index| index.parse::<usize>().ok())
                    .and_then(|index| fields.get(index))
                    .map(|field| Expr::Nested(Box::new(field.expr.clone())))
            };
            if let Some(index) = ident.value.strip_prefix(BARE_MEASURE) {
                let name = index
                    .parse::<usize>()
                    .ok()
                    .and_then(|index| view.measures.get(index))
                    .map_or_else(String::new, |measure| measure.name.clone());
                return ControlFlow::Break(format!(
                    "[METRIC_VIEW_MISSING_MEASURE_FUNCTION] The usage of measure column \
                     `{name}` of a metric view requires a MEASURE() function to produce \
                     results. SQLSTATE: 42803"
                ));
            }
            if let Some(replacement) =
                field(DIMENSION, &view.dimensions).or_else(|| field(MEASURE, &view.measures))
            {
                *node = replacement;
            }
            ControlFlow::Continue(())
        });
        match second {
            ControlFlow::Break(message) => Err(message),
            ControlFlow::Continue(()) => Ok(()),
        }
    }
}

/// The one plain argument of a call.
fn single_argument(function: &Function) -> Option<&Expr> {
    let FunctionArguments::List(list) = &function.args else {
        return None;
    };
    match list.args.as_slice() {
        [FunctionArg::Unnamed(FunctionArgExpr::Expr(expr))] => Some(expr),
        _ => None,
    }
}
