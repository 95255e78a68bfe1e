//! The walk over a query's structure: `WITH`, set operations, `SELECT`s and their
//! `FROM`, collecting [`SqlFacts`] scope by scope.

use std::collections::{BTreeMap, BTreeSet};

use sqlparser::ast::{
    Distinct, Expr, Function, GroupByExpr, LimitClause, OrderBy, OrderByKind, Query, Select,
    SelectItem, SelectItemQualifiedWildcardKind, SetExpr, SetOperator, SetQuantifier, TableAlias,
    Value, Visit,
};

use super::expression::{
    Event, ExpressionContext, arguments_text, function_name, is_distinct_call, lower,
    object_name_parts, reference_parts, resolved_text, scan,
};
use super::names::is_aggregate;
use super::predicate::{conjuncts, literals, predicate_shape, single_column, without_parentheses};
use super::scope::{Scope, Shape, Source};
use crate::sql::facts::{
    Aggregate, ColumnRef, Filter, FilterClause, OrderItem, SqlFacts, TableKind, TableRef,
};
use crate::sql::normalize::canonical_text;

mod relations;

/// What a query contributes to the facts of the whole: the outermost query gives
/// the output columns, `DISTINCT`, ordering and limit.
#[derive(Debug, Clone, Copy)]
pub(super) struct Role {
    /// Its select list is the result's.
    output: bool,
    /// Its `ORDER BY` and `LIMIT` are the result's.
    ordering: bool,
}

impl Role {
    /// The outermost query.
    pub(super) const OUTERMOST: Self = Self {
        output: true,
        ordering: true,
    };
    /// A CTE, a subquery or a later branch of a set operation.
    const INNER: Self = Self {
        output: false,
        ordering: false,
    };
}

/// A CTE visible to the query being walked.
struct CteDefinition {
    name: String,
    shape: Shape,
}

/// One item of a select list, for ordinals and aliases in `GROUP BY`/`ORDER BY`.
struct SelectListItem {
    /// The explicit alias.
    alias: Option<String>,
    /// The resolved text of its expression (`None` for a wildcard).
    text: Option<String>,
}

/// Collects the facts of a query while walking it.
#[derive(Default)]
pub(super) struct Collector {
    facts: SqlFacts,
    tables: BTreeMap<(String, TableKind), BTreeSet<String>>,
    ctes: BTreeSet<String>,
    columns: BTreeSet<ColumnRef>,
    aggregates: BTreeSet<Aggregate>,
    measures: BTreeSet<String>,
    functions: BTreeSet<String>,
    visible_ctes: Vec<CteDefinition>,
}

impl Collector {
    /// The facts collected, with every set sorted.
    pub(super) fn finish(self) -> SqlFacts {
        SqlFacts {
            tables: self
                .tables
                .into_iter()
                .map(|((name, kind), aliases)| TableRef {
                    name,
                    kind,
                    aliases: aliases.into_iter().collect(),
                })
                .collect(),
            ctes: self.ctes.into_iter().collect(),
            columns: self.columns.into_iter().collect(),
            aggregates: self.aggregates.into_iter().collect(),
            measures: self.measures.into_iter().collect(),
            functions: self.functions.into_iter().collect(),
            ..self.facts
        }
    }

    /// Walks a query (with its CTEs) inside `parent`; returns what it exposes.
    pub(super) fn query(&mut self, query: &Query, parent: Option<&Scope<'_>>, role: Role) -> Shape {
        let visible_before = self.visible_ctes.len();
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                let name = lower(&cte.alias.name);
                self.ctes.insert(name.clone());
                if with.recursive {
                    self.visible_ctes.push(CteDefinition {
                        name: name.clone(),
                        shape: alias_shape(&cte.alias, Shape::default()),
                    });
                }
                let shape = self.query(&cte.query, parent, Role::INNER);
                if with.recursive {
                    self.visible_ctes.pop();
                }
                self.visible_ctes.push(CteDefinition {
                    name,
                    shape: alias_shape(&cte.alias, shape),
                });
            }
        }
        let body_role = Role {
            output: role.output,
            ordering: role.ordering
                && query.order_by.is_none()
                && query.limit_clause.is_none()
                && query.fetch.is_none(),
        };
        let order_by = query
            .order_by
            .as_ref()
            .map(|order_by| (order_by, role.ordering));
        let shape = self.set_expression(&query.body, parent, body_role, order_by);
        if role.ordering {
            let limit = match &query.limit_clause {
                Some(LimitClause::LimitOffset { limit, .. }) => limit.as_ref(),
                Some(LimitClause::OffsetCommaLimit { limit, .. }) => Some(limit),
                None => query
                    .fetch
                    .as_ref()
                    .and_then(|fetch| fetch.quantity.as_ref()),
            };
            if limit.is_some() || query.order_by.is_some() {
                self.facts.limit = limit.and_then(number);
            }
        }
        self.visible_ctes.truncate(visible_before);
        shape
    }

    fn set_expression(
        &mut self,
        body: &SetExpr,
        parent: Option<&Scope<'_>>,
        role: Role,
        order_by: Option<(&OrderBy, bool)>,
    ) -> Shape {
        let shape = match body {
            SetExpr::Select(select) => return self.select(select, parent, role, order_by),
            SetExpr::Query(query) => self.query(query, parent, role),
            SetExpr::SetOperation {
                left,
                op,
                set_quantifier,
                right,
            } => {
                if role.output || self.facts.set_operation.is_none() {
                    self.facts.set_operation = Some(set_operation(*op, *set_quantifier));
                }
                let left_role = Role {
                    output: role.output,
                    ordering: false,
                };
                let shape = self.set_expression(left, parent, left_role, None);
                self.set_expression(right, parent, Role::INNER, None);
                shape
            }
            SetExpr::Values(values) => {
                let scope = Scope::new(parent);
                let context = ExpressionContext {
                    scope: &scope,
                    aliases: &[],
                };
                self.walk(values, context);
                let width = values.rows.first().map_or(0, |row| row.content.len());
                let outputs: Vec<String> =
                    (1..=width).map(|column| format!("col{column}")).collect();
                if role.output {
                    self.facts.output_columns.clone_from(&outputs);
                }
                Shape {
                    outputs,
                    wildcard_tables: Vec::new(),
                }
            }
            SetExpr::Table(table) => {
                let name = [table.schema_name.as_deref(), table.table_name.as_deref()]
                    .into_iter()
                    .flatten()
                    .map(str::to_lowercase)
                    .collect::<Vec<_>>()
                    .join(".");
                self.add_table(name.clone(), TableKind::Table, None);
                Shape {
                    outputs: Vec::new(),
                    wildcard_tables: vec![name],
                }
            }
            SetExpr::Insert(statement)
            | SetExpr::Update(statement)
            | SetExpr::Delete(statement)
            | SetExpr::Merge(statement) => {
                let scope = Scope::new(parent);
                self.walk(
                    statement,
                    ExpressionContext {
                        scope: &scope,
                        aliases: &[],
                    },
                );
                Shape::default()
            }
        };
        if let Some((order_by, records)) = order_by {
            // The ORDER BY of a set operation, VALUES or a parenthesized query
            // names the columns of its result.
            let mut scope = Scope::new(parent);
            scope
                .sources
                .push(Source::derived(None, None, shape.clone()));
            let select_list: Vec<SelectListItem> = shape
                .outputs
                .iter()
                .map(|output| SelectListItem {
                    alias: None,
                    text: Some(output.clone()),
                })
                .collect();
            let context = ExpressionContext {
                scope: &scope,
                aliases: &[],
            };
            self.order_by(order_by, context, &select_list, records);
        }
        shape
    }

    fn select(
        &mut self,
        select: &Select,
        parent: Option<&Scope<'_>>,
        role: Role,
        order_by: Option<(&OrderBy, bool)>,
    ) -> Shape {
        let mut scope = Scope::new(parent);
        for table in &select.from {
            self.table_with_joins(table, &mut scope);
        }
        for lateral in &select.lateral_views {
            self.walk(
                &lateral.lateral_view,
                ExpressionContext {
                    scope: &scope,
                    aliases: &[],
                },
            );
            let name = object_name_parts(&lateral.lateral_view_name).pop();
            let outputs = lateral.lateral_col_alias.iter().map(lower).collect();
            scope.sources.push(Source::derived(
                name,
                None,
                Shape {
                    outputs,
                    wildcard_tables: Vec::new(),
                },
            ));
        }
        let plain = ExpressionContext {
            scope: &scope,
            aliases: &[],
        };

        // The select list; an item may use the aliases of the items before it.
        let mut earlier_aliases: Vec<String> = Vec::new();
        let mut select_list = Vec::with_capacity(select.projection.len());
        for item in &select.projection {
            self.walk(
                item,
                ExpressionContext {
                    scope: &scope,
                    aliases: &earlier_aliases,
                },
            );
            let (expr, alias) = match item {
                SelectItem::UnnamedExpr(expr) | SelectItem::ExprWithAliases { expr, .. } => {
                    (Some(expr), None)
                }
                SelectItem::ExprWithAlias { expr, alias } => (Some(expr), Some(lower(alias))),
                SelectItem::QualifiedWildcard(..) | SelectItem::Wildcard(_) => (None, None),
            };
            if let (Some(expr), Some(alias)) = (expr, &alias)
                && !is_column_named(expr, alias)
            {
                earlier_aliases.push(alias.clone());
            }
            select_list.push(SelectListItem {
                alias,
                text: expr.map(|expr| resolved_text(expr, plain)),
            });
        }
        let with_aliases = ExpressionContext {
            scope: &scope,
            aliases: &earlier_aliases,
        };

        if let Some(condition) = &select.selection {
            self.filters(FilterClause::Where, condition, plain);
            self.walk(condition, plain);
        }
        match &select.group_by {
            GroupByExpr::All(_) => self.facts.group_by_all = true,
            GroupByExpr::Expressions(expressions, _) => {
                for expr in expressions {
                    let text = item_text(expr, &select_list, with_aliases);
                    self.facts.group_by.push(text);
                    self.walk(expr, with_aliases);
                }
            }
        }
        if let Some(condition) = &select.having {
            self.filters(FilterClause::Having, condition, with_aliases);
            self.walk(condition, with_aliases);
        }
        if let Some(condition) = &select.qualify {
            self.facts.has_qualify = true;
            self.filters(FilterClause::Qualify, condition, with_aliases);
            self.walk(condition, with_aliases);
        }
        self.walk(&select.named_window, plain);
        self.walk(&select.prewhere, plain);
        self.walk(&select.cluster_by, plain);
        self.walk(&select.distribute_by, plain);
        self.walk(&select.sort_by, plain);
        self.walk(&select.connect_by, plain);
        if let Some((order_by, records)) = order_by {
            self.order_by(order_by, with_aliases, &select_list, records);
        }
        if role.output {
            self.facts.distinct =
                matches!(select.distinct, Some(Distinct::Distinct | Distinct::On(_)));
            self.facts.output_columns = select.projection.iter().map(output_name).collect();
        }
        projection_shape(&select.projection, &scope)
    }

    fn filters(&mut self, clause: FilterClause, condition: &Expr, context: ExpressionContext<'_>) {
        for predicate in conjuncts(condition) {
            let (operator, subject) = predicate_shape(predicate);
            self.facts.filters.push(Filter {
                clause,
                column: single_column(subject.unwrap_or(predicate), context),
                operator,
                literals: literals(predicate),
                expression: resolved_text(without_parentheses(predicate), context),
            });
        }
    }

    fn order_by(
        &mut self,
        order_by: &OrderBy,
        context: ExpressionContext<'_>,
        select_list: &[SelectListItem],
        records: bool,
    ) {
        let items = match &order_by.kind {
            OrderByKind::All(options) => vec![OrderItem {
                expression: "ALL".to_owned(),
                descending: options.asc == Some(false),
            }],
            OrderByKind::Expressions(expressions) => expressions
                .iter()
                .map(|item| {
                    self.walk(&item.expr, context);
                    OrderItem {
                        expression: item_text(&item.expr, select_list, context),
                        descending: item.options.asc == Some(false),
                    }
                })
                .collect(),
        };
        if records {
            self.facts.order_by = items;
        }
    }

    /// Scans an expression (or any node) in `context`: records its columns and
    /// calls, and walks its subqueries as queries of their own.
    fn walk<N: Visit + ?Sized>(&mut self, node: &N, context: ExpressionContext<'_>) {
        scan(node, context, &mut |event| match event {
            Event::Column(resolution) => {
                if let Some(column) = resolution.base_column() {
                    self.columns.insert(column);
                }
            }
            Event::Function(function) => self.function(function, context),
            Event::SpecialForm(name) => {
                self.functions.insert(name.to_owned());
            }
            Event::Subquery(query) => {
                self.query(query, Some(context.scope), Role::INNER);
            }
            Event::Relation(name) => {
                self.add_table(object_name_parts(name).join("."), TableKind::Table, None);
            }
        });
    }

    fn function(&mut self, function: &Function, context: ExpressionContext<'_>) {
        let name = function_name(&function.name);
        if function.over.is_some() {
            self.facts.window_functions = true;
        }
        if function.name.0.len() == 1 {
            if name == "MEASURE" {
                self.measures.insert(arguments_text(function, context));
            } else if is_aggregate(&name) {
                self.aggregates.insert(Aggregate {
                    function: name.clone(),
                    argument: arguments_text(function, context),
                    distinct: is_distinct_call(function),
                    filter: function
                        .filter
                        .as_ref()
                        .map(|filter| resolved_text(filter, context)),
                    window: function.over.is_some(),
                });
            }
        }
        self.functions.insert(name);
    }

    fn add_table(&mut self, name: String, kind: TableKind, alias: Option<String>) {
        let aliases = self.tables.entry((name, kind)).or_default();
        aliases.extend(alias);
    }

    fn visible_cte(&self, name: &str) -> Option<&CteDefinition> {
        self.visible_ctes.iter().rev().find(|cte| cte.name == name)
    }
}

/// A CTE's or subquery's shape with the column names of its alias (`m(a, b)`).
fn alias_shape(alias: &TableAlias, shape: Shape) -> Shape {
    if alias.columns.is_empty() {
        return shape;
    }
    Shape {
        outputs: alias
            .columns
            .iter()
            .map(|column| lower(&column.name))
            .collect(),
        wildcard_tables: Vec::new(),
    }
}

/// What a select list exposes to an enclosing query.
fn projection_shape(projection: &[SelectItem], scope: &Scope<'_>) -> Shape {
    let mut shape = Shape::default();
    for item in projection {
        match item {
            SelectItem::Wildcard(_) => {
                for source in &scope.sources {
                    shape.outputs.extend(source.outputs().iter().cloned());
                    shape
                        .wildcard_tables
                        .extend(source.base_tables().iter().cloned());
                }
            }
            SelectItem::QualifiedWildcard(kind, _) => {
                let qualifier = match kind {
                    SelectItemQualifiedWildcardKind::ObjectName(name) => {
                        object_name_parts(name).join(".")
                    }
                    SelectItemQualifiedWildcardKind::Expr(expr) => canonical_text(expr.clone()),
                };
                if let Some(source) = scope.find(&qualifier) {
                    shape.outputs.extend(source.outputs().iter().cloned());
                    shape
                        .wildcard_tables
                        .extend(source.base_tables().iter().cloned());
                }
            }
            other => shape.outputs.push(output_name(other)),
        }
    }
    shape
}

/// A select-list item's output name: its alias, else its column's name, else its
/// expression's canonical text.
fn output_name(item: &SelectItem) -> String {
    match item {
        SelectItem::ExprWithAlias { alias, .. } => lower(alias),
        SelectItem::ExprWithAliases { aliases, .. } => {
            aliases.iter().map(lower).collect::<Vec<_>>().join(", ")
        }
        SelectItem::UnnamedExpr(expr) => reference_parts(expr)
            .and_then(|mut parts| parts.pop())
            .unwrap_or_else(|| canonical_text(expr.clone())),
        other => canonical_text(other.clone()),
    }
}

/// Whether `expr` is a reference to a column called `name` (`region AS region`).
fn is_column_named(expr: &Expr, name: &str) -> bool {
    reference_parts(expr).is_some_and(|parts| parts.last().is_some_and(|last| last == name))
}

/// The text of a `GROUP BY` or `ORDER BY` item: an ordinal or a select-list alias
/// stands for the select-list expression.
fn item_text(
    expr: &Expr,
    select_list: &[SelectListItem],
    context: ExpressionContext<'_>,
) -> String {
    let named = match expr {
        Expr::Value(value) => match &value.value {
            Value::Number(number, _) => number
                .parse::<usize>()
                .ok()
                .and_then(|position| position.checked_sub(1))
                .and_then(|index| select_list.get(index)),
            _ => None,
        },
        Expr::Identifier(ident) => {
            let name = lower(ident);
            if context.aliases.contains(&name) {
                select_list
                    .iter()
                    .find(|item| item.alias.as_deref() == Some(name.as_str()))
            } else {
                None
            }
        }
        _ => None,
    };
    named
        .and_then(|item| item.text.clone())
        .unwrap_or_else(|| resolved_text(expr, context))
}

fn set_operation(operator: SetOperator, quantifier: SetQuantifier) -> String {
    let operator = match operator {
        SetOperator::Union => "UNION",
        SetOperator::Except | SetOperator::Minus => "EXCEPT",
        SetOperator::Intersect => "INTERSECT",
    };
    let quantifier = match quantifier {
        SetQuantifier::All => " ALL",
        SetQuantifier::ByName | SetQuantifier::DistinctByName => " BY NAME",
        SetQuantifier::AllByName => " ALL BY NAME",
        SetQuantifier::Distinct | SetQuantifier::None => "",
    };
    format!("{operator}{quantifier}")
}

/// A literal number as a row count.
fn number(expr: &Expr) -> Option<u64> {
    match expr {
        Expr::Value(value) => match &value.value {
            Value::Number(number, _) => number.parse().ok(),
            _ => None,
        },
        _ => None,
    }
}
