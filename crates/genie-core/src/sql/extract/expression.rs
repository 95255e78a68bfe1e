//! Expressions: the column references, calls and subqueries in them, and their
//! canonical text with columns resolved.

use std::convert::Infallible;
use std::ops::ControlFlow;

use sqlparser::ast::{
    CastKind, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, ObjectName,
    ObjectNamePart, OneOrManyWithParens, Query, Visit, VisitMut, Visitor, VisitorMut,
};

use super::names::{DATE_PARTS, UNIT_FUNCTIONS};
use super::scope::{Resolution, Scope};
use crate::sql::normalize::{canonical_text, is_plain_name};

/// Where an expression's names resolve: the relations in scope, and the select-list
/// aliases an unqualified name may stand for (in `GROUP BY`, `HAVING`, `QUALIFY`,
/// `ORDER BY`, and later items of the select list).
#[derive(Clone, Copy)]
pub(super) struct ExpressionContext<'s> {
    /// The relations in scope.
    pub(super) scope: &'s Scope<'s>,
    /// Select-list aliases, lower case.
    pub(super) aliases: &'s [String],
}

/// Something found while scanning an expression.
pub(super) enum Event<'a> {
    /// A column reference, resolved.
    Column(Resolution),
    /// A function call (its arguments are scanned next).
    Function(&'a Function),
    /// A special form written with keywords, by its name (`CAST`, `EXTRACT`, …).
    SpecialForm(&'static str),
    /// A subquery; it is not scanned further, its handler walks it.
    Subquery(&'a Query),
    /// A table name outside any subquery (only inside unusual table factors).
    Relation(&'a ObjectName),
}

/// Scans `node` (outside its subqueries) and reports what it finds to `on_event`.
pub(super) fn scan<N: Visit + ?Sized>(
    node: &N,
    context: ExpressionContext<'_>,
    on_event: &mut dyn FnMut(Event<'_>),
) {
    let mut scanner = Scanner {
        context,
        on_event,
        references: ReferenceFilter::default(),
    };
    let ControlFlow::Continue(()) = node.visit(&mut scanner);
}

struct Scanner<'c, 'e> {
    context: ExpressionContext<'c>,
    on_event: &'e mut dyn FnMut(Event<'_>),
    references: ReferenceFilter,
}

impl Visitor for Scanner<'_, '_> {
    type Break = Infallible;

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<Infallible> {
        if self.references.subquery_depth == 0 {
            (self.on_event)(Event::Subquery(query));
        }
        self.references.subquery_depth += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _query: &Query) -> ControlFlow<Infallible> {
        self.references.subquery_depth -= 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_relation(&mut self, relation: &ObjectName) -> ControlFlow<Infallible> {
        if self.references.subquery_depth == 0 {
            (self.on_event)(Event::Relation(relation));
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<Infallible> {
        self.references.enter(expr);
        if self.references.subquery_depth > 0 {
            return ControlFlow::Continue(());
        }
        if let Some(parts) = self.references.reference_parts(expr, self.context.aliases) {
            let (resolution, _) = self.context.scope.resolve(&parts);
            (self.on_event)(Event::Column(resolution));
        } else if let Expr::Function(function) = expr {
            (self.on_event)(Event::Function(function));
        } else if let Some(name) = special_form(expr) {
            (self.on_event)(Event::SpecialForm(name));
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &Expr) -> ControlFlow<Infallible> {
        self.references.leave(expr);
        ControlFlow::Continue(())
    }
}

/// Tells column references from other names: lambda parameters, select-list
/// aliases, date-part keywords of functions like `timestampdiff(MONTH, a, b)`, and
/// anything inside a subquery (which is walked on its own).
#[derive(Default)]
struct ReferenceFilter {
    subquery_depth: usize,
    lambda_parameters: Vec<String>,
    lambda_parameter_counts: Vec<usize>,
    unit_arguments: Vec<*const Expr>,
}

impl ReferenceFilter {
    fn enter(&mut self, expr: &Expr) {
        match expr {
            Expr::Lambda(lambda) => {
                let parameters: Vec<String> = match &lambda.params {
                    OneOrManyWithParens::One(parameter) => vec![lower(&parameter.name)],
                    OneOrManyWithParens::Many(parameters) => parameters
                        .iter()
                        .map(|parameter| lower(&parameter.name))
                        .collect(),
                };
                self.lambda_parameter_counts.push(parameters.len());
                self.lambda_parameters.extend(parameters);
            }
            Expr::Function(function) => {
                if let Some(unit) = unit_argument(function) {
                    self.unit_arguments.push(std::ptr::from_ref(unit));
                }
            }
            _ => {}
        }
    }

    fn leave(&mut self, expr: &Expr) {
        if matches!(expr, Expr::Lambda(_)) {
            let count = self.lambda_parameter_counts.pop().unwrap_or(0);
            let keep = self.lambda_parameters.len().saturating_sub(count);
            self.lambda_parameters.truncate(keep);
        }
    }

    /// The lower-case name parts of `expr` if it is a column reference.
    fn reference_parts(&self, expr: &Expr, aliases: &[String]) -> Option<Vec<String>> {
        if self.subquery_depth > 0 || self.unit_arguments.contains(&std::ptr::from_ref(expr)) {
            return None;
        }
        let parts = reference_parts(expr)?;
        let first = parts.first()?;
        let names_other_thing =
            self.lambda_parameters.contains(first) || (parts.len() == 1 && aliases.contains(first));
        (!names_other_thing).then_some(parts)
    }
}

/// The lower-case name parts of an identifier expression.
pub(super) fn reference_parts(expr: &Expr) -> Option<Vec<String>> {
    match expr {
        Expr::Identifier(ident) => Some(vec![lower(ident)]),
        Expr::CompoundIdentifier(idents) if !idents.is_empty() => {
            Some(idents.iter().map(lower).collect())
        }
        _ => None,
    }
}

/// An identifier's name as Databricks compares it: lower case.
pub(super) fn lower(ident: &Ident) -> String {
    ident.value.to_lowercase()
}

/// The lower-case parts of an object name.
pub(super) fn object_name_parts(name: &ObjectName) -> Vec<String> {
    name.0
        .iter()
        .map(|part| match part {
            ObjectNamePart::Identifier(ident) => lower(ident),
            ObjectNamePart::Function(_) => part.to_string().to_lowercase(),
        })
        .collect()
}

/// A function's name, upper case, parts joined by `.`.
pub(super) fn function_name(name: &ObjectName) -> String {
    object_name_parts(name).join(".").to_uppercase()
}

fn unit_argument(function: &Function) -> Option<&Expr> {
    if !UNIT_FUNCTIONS.contains(&function_name(&function.name).as_str()) {
        return None;
    }
    let FunctionArguments::List(list) = &function.args else {
        return None;
    };
    let [FunctionArg::Unnamed(FunctionArgExpr::Expr(first)), _, _] = list.args.as_slice() else {
        return None;
    };
    let Expr::Identifier(ident) = first else {
        return None;
    };
    DATE_PARTS
        .contains(&ident.value.to_uppercase().as_str())
        .then_some(first)
}

fn special_form(expr: &Expr) -> Option<&'static str> {
    Some(match expr {
        Expr::Cast { kind, .. } => match kind {
            CastKind::TryCast => "TRY_CAST",
            CastKind::SafeCast => "SAFE_CAST",
            CastKind::Cast | CastKind::DoubleColon => "CAST",
        },
        Expr::Convert { .. } => "CONVERT",
        Expr::Extract { .. } => "EXTRACT",
        Expr::Ceil { .. } => "CEIL",
        Expr::Floor { .. } => "FLOOR",
        Expr::Position { .. } => "POSITION",
        Expr::Substring { .. } => "SUBSTRING",
        Expr::Trim { .. } => "TRIM",
        Expr::Overlay { .. } => "OVERLAY",
        _ => return None,
    })
}

/// The canonical text of `expr` with every column reference that resolves to a
/// table written as `<table's full name>.<column>` (and one of a CTE or named
/// subquery as `<its name>.<column>`), so the text does not depend on aliases.
pub(super) fn resolved_text(expr: &Expr, context: ExpressionContext<'_>) -> String {
    let mut copy = expr.clone();
    let mut qualifier = ColumnQualifier {
        context,
        references: ReferenceFilter::default(),
    };
    let ControlFlow::Continue(()) = VisitMut::visit(&mut copy, &mut qualifier);
    canonical_text(copy)
}

struct ColumnQualifier<'c> {
    context: ExpressionContext<'c>,
    references: ReferenceFilter,
}

impl VisitorMut for ColumnQualifier<'_> {
    type Break = Infallible;

    fn pre_visit_query(&mut self, _query: &mut Query) -> ControlFlow<Infallible> {
        self.references.subquery_depth += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _query: &mut Query) -> ControlFlow<Infallible> {
        self.references.subquery_depth -= 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<Infallible> {
        self.references.enter(expr);
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<Infallible> {
        self.references.leave(expr);
        if let Some(parts) = self.references.reference_parts(expr, self.context.aliases) {
            let (resolution, position) = self.context.scope.resolve(&parts);
            let qualifier = match resolution {
                Resolution::Table { table, .. } => Some(table),
                Resolution::Derived { source, .. } => source,
                Resolution::Unknown { .. } => None,
            };
            if let Some(qualifier) = qualifier {
                let idents = qualifier
                    .split('.')
                    .chain(parts[position..].iter().map(String::as_str))
                    .map(|part| {
                        if is_plain_name(part) {
                            Ident::new(part)
                        } else {
                            Ident::with_quote('`', part)
                        }
                    })
                    .collect();
                *expr = Expr::CompoundIdentifier(idents);
            }
        }
        ControlFlow::Continue(())
    }
}

/// The canonical text of a call's arguments, comma separated, columns resolved as
/// in [`resolved_text`] (`*` for `COUNT(*)`; `DISTINCT` is not part of it).
pub(super) fn arguments_text(function: &Function, context: ExpressionContext<'_>) -> String {
    match &function.args {
        FunctionArguments::None => String::new(),
        FunctionArguments::Subquery(query) => canonical_text(query.as_ref().clone()),
        FunctionArguments::List(list) => list
            .args
            .iter()
            .map(|argument| match argument {
                FunctionArg::Unnamed(value) => argument_text(value, context),
                FunctionArg::Named {
                    name,
                    arg,
                    operator,
                } => format!("{} {operator} {}", lower(name), argument_text(arg, context)),
                FunctionArg::ExprNamed {
                    name,
                    arg,
                    operator,
                } => format!(
                    "{} {operator} {}",
                    resolved_text(name, context),
                    argument_text(arg, context)
                ),
            })
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn argument_text(argument: &FunctionArgExpr, context: ExpressionContext<'_>) -> String {
    match argument {
        FunctionArgExpr::Expr(expr) => resolved_text(expr, context),
        other => canonical_text(other.clone()),
    }
}

/// Whether the call's arguments are `DISTINCT`.
pub(super) fn is_distinct_call(function: &Function) -> bool {
    matches!(
        &function.args,
        FunctionArguments::List(list)
            if list.duplicate_treatment == Some(sqlparser::ast::DuplicateTreatment::Distinct)
    )
}

/// Parses `sql` as the one expression of a `SELECT` (for tests).
#[cfg(test)]
pub(super) fn parse_expression(sql: &str) -> Expr {
    use sqlparser::ast::{SelectItem, SetExpr, Statement};
    use sqlparser::dialect::DatabricksDialect;
    use sqlparser::parser::Parser;

    let statement = Parser::parse_sql(&DatabricksDialect, &format!("SELECT {sql}"))
        .unwrap()
        .remove(0);
    let Statement::Query(query) = statement else {
        panic!("not a query")
    };
    let SetExpr::Select(select) = *query.body else {
        panic!("not a select")
    };
    let Some(SelectItem::UnnamedExpr(expr)) = select.projection.into_iter().next() else {
        panic!("not an expression")
    };
    expr
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::extract::scope::Source;

    fn orders_scope() -> Scope<'static> {
        let mut scope = Scope::new(None);
        scope.sources.push(Source::table(
            "main.sales.orders".to_owned(),
            Some("o".to_owned()),
        ));
        scope
    }

    #[test]
    fn resolved_text_names_tables_not_aliases() {
        let scope = orders_scope();
        let context = ExpressionContext {
            scope: &scope,
            aliases: &["total".to_owned()],
        };
        assert_eq!(
            resolved_text(
                &parse_expression("SUM(O.`Amount`) / total + transform(xs, x -> x + o.k)[0]"),
                context
            ),
            "sum(main.sales.orders.amount) / total + transform(main.sales.orders.xs, x -> x + main.sales.orders.k)[0]"
        );
        assert_eq!(
            resolved_text(
                &parse_expression("timestampdiff(MONTH, `order date`, o.ship.date)"),
                context
            ),
            "timestampdiff(month, main.sales.orders.`order date`, main.sales.orders.ship.date)"
        );
    }
}
