//! The relations of a `FROM`: tables, CTE references, subqueries and
//! table-valued functions, and the joins between them.

use std::collections::BTreeSet;

use sqlparser::ast::{
    BinaryOperator, Expr, JoinConstraint, JoinOperator, TableAlias, TableFactor, TableWithJoins,
};

use super::{Collector, Role, alias_shape};
use crate::sql::extract::expression::{
    ExpressionContext, lower, object_name_parts, reference_parts, resolved_text,
};
use crate::sql::extract::predicate::{conjuncts, without_parentheses};
use crate::sql::extract::scope::{Scope, Shape, Source, SourceKind};
use crate::sql::facts::{ColumnRef, Join, JoinKind, TableKind};
use crate::sql::normalize::canonical_text;

impl Collector {
    pub(super) fn table_with_joins(&mut self, table: &TableWithJoins, scope: &mut Scope<'_>) {
        let first = self.table_factor(&table.relation, scope);
        let mut previous = first.clone();
        for (index, join) in table.joins.iter().enumerate() {
            let right = self.table_factor(&join.relation, scope);
            let before = if index == 0 { first.clone() } else { previous };
            self.join(
                &join.join_operator,
                right.clone().unwrap_or_else(|| "(subquery)".to_owned()),
                before,
                index == 0,
                scope,
            );
            previous = right;
        }
    }

    /// Registers a relation of a `FROM` in `scope`; returns the name it is
    /// reported under.
    fn table_factor(&mut self, factor: &TableFactor, scope: &mut Scope<'_>) -> Option<String> {
        match factor {
            TableFactor::Table {
                name, alias, args, ..
            } => {
                let parts = object_name_parts(name);
                let full_name = parts.join(".");
                let alias_name = alias.as_ref().map(|alias| lower(&alias.name));
                if args.is_none()
                    && parts.len() == 1
                    && let Some(cte) = self.visible_cte(&full_name)
                {
                    let shape = match alias {
                        Some(alias) => alias_shape(alias, cte.shape.clone()),
                        None => cte.shape.clone(),
                    };
                    scope
                        .sources
                        .push(Source::derived(Some(full_name.clone()), alias_name, shape));
                    return Some(full_name);
                }
                if let Some(args) = args {
                    self.functions.insert(full_name.to_uppercase());
                    self.add_table(full_name.clone(), TableKind::Function, alias_name.clone());
                    self.walk(
                        &args.args,
                        ExpressionContext {
                            scope,
                            aliases: &[],
                        },
                    );
                } else {
                    self.add_table(full_name.clone(), TableKind::Table, alias_name.clone());
                }
                scope
                    .sources
                    .push(Source::table(full_name.clone(), alias_name));
                Some(full_name)
            }
            TableFactor::Function {
                name, args, alias, ..
            } => {
                let full_name = object_name_parts(name).join(".");
                let alias_name = alias.as_ref().map(|alias| lower(&alias.name));
                self.functions.insert(full_name.to_uppercase());
                self.add_table(full_name.clone(), TableKind::Function, alias_name.clone());
                self.walk(
                    args,
                    ExpressionContext {
                        scope,
                        aliases: &[],
                    },
                );
                scope
                    .sources
                    .push(Source::table(full_name.clone(), alias_name));
                Some(full_name)
            }
            TableFactor::TableFunction { expr, alias } => {
                self.walk(
                    expr,
                    ExpressionContext {
                        scope,
                        aliases: &[],
                    },
                );
                let alias_name = alias.as_ref().map(|alias| lower(&alias.name));
                let name = match expr {
                    Expr::Function(function) => object_name_parts(&function.name).join("."),
                    other => canonical_text(other.clone()),
                };
                self.add_table(name.clone(), TableKind::Function, alias_name.clone());
                scope.sources.push(Source::table(name.clone(), alias_name));
                Some(name)
            }
            TableFactor::Derived {
                lateral,
                subquery,
                alias,
                ..
            } => {
                let shape = if *lateral {
                    self.query(subquery, Some(scope), Role::INNER)
                } else {
                    self.query(subquery, scope.parent, Role::INNER)
                };
                Self::add_derived(alias.as_ref(), shape, scope)
            }
            TableFactor::NestedJoin {
                table_with_joins, ..
            } => {
                let first_before = scope.sources.len();
                self.table_with_joins(table_with_joins, scope);
                scope
                    .sources
                    .get(first_before)
                    .and_then(Source::display_name)
                    .map(str::to_owned)
            }
            TableFactor::Pivot { table, alias, .. } | TableFactor::Unpivot { table, alias, .. } => {
                // The pivoted relation's own columns are read inside the pivot.
                let mut inner = Scope::new(scope.parent);
                self.table_factor(table, &mut inner);
                let inner_context = ExpressionContext {
                    scope: &inner,
                    aliases: &[],
                };
                if let TableFactor::Pivot {
                    aggregate_functions,
                    value_column,
                    default_on_null,
                    ..
                } = factor
                {
                    self.walk(aggregate_functions, inner_context);
                    self.walk(value_column, inner_context);
                    self.walk(default_on_null, inner_context);
                } else if let TableFactor::Unpivot { value, columns, .. } = factor {
                    self.walk(value, inner_context);
                    self.walk(columns, inner_context);
                }
                let wildcard_tables = inner
                    .sources
                    .iter()
                    .flat_map(|source| source.base_tables().iter().cloned())
                    .collect();
                let shape = Shape {
                    outputs: Vec::new(),
                    wildcard_tables,
                };
                Self::add_derived(alias.as_ref(), shape, scope)
            }
            TableFactor::UNNEST { alias, .. }
            | TableFactor::JsonTable { alias, .. }
            | TableFactor::OpenJsonTable { alias, .. }
            | TableFactor::MatchRecognize { alias, .. }
            | TableFactor::XmlTable { alias, .. }
            | TableFactor::SemanticView { alias, .. } => {
                self.walk(
                    factor,
                    ExpressionContext {
                        scope,
                        aliases: &[],
                    },
                );
                Self::add_derived(alias.as_ref(), Shape::default(), scope)
            }
        }
    }

    fn add_derived(
        alias: Option<&TableAlias>,
        shape: Shape,
        scope: &mut Scope<'_>,
    ) -> Option<String> {
        let name = alias.map(|alias| lower(&alias.name));
        let shape = match alias {
            Some(alias) => alias_shape(alias, shape),
            None => shape,
        };
        scope
            .sources
            .push(Source::derived(name.clone(), name.clone(), shape));
        name
    }

    fn join(
        &mut self,
        operator: &JoinOperator,
        right_table: String,
        before: Option<String>,
        first_join: bool,
        scope: &Scope<'_>,
    ) {
        let context = ExpressionContext {
            scope,
            aliases: &[],
        };
        let (kind, constraint) = join_kind(operator);
        if let JoinOperator::AsOf {
            match_condition, ..
        } = operator
        {
            self.walk(match_condition, context);
        }
        let mut equalities = Vec::new();
        let condition = match constraint {
            Some(JoinConstraint::On(condition)) => {
                for predicate in conjuncts(condition) {
                    if let Expr::BinaryOp {
                        left,
                        op: BinaryOperator::Eq,
                        right,
                    } = without_parentheses(predicate)
                        && let (Some(left), Some(right)) =
                            (column_ref(left, context), column_ref(right, context))
                    {
                        equalities.push(ordered_pair(left, right));
                    }
                }
                self.walk(condition, context);
                Some(resolved_text(condition, context))
            }
            Some(JoinConstraint::Using(names)) => {
                for name in names {
                    let column = object_name_parts(name).join(".");
                    let left = ColumnRef {
                        table: before.clone(),
                        column: column.clone(),
                    };
                    let right = ColumnRef {
                        table: Some(right_table.clone()),
                        column,
                    };
                    for side in [&left, &right] {
                        if is_base_table(scope, side.table.as_deref()) {
                            self.columns.insert(side.clone());
                        }
                    }
                    equalities.push(ordered_pair(left, right));
                }
                let names: Vec<String> = names
                    .iter()
                    .map(|name| canonical_text(name.clone()))
                    .collect();
                Some(format!("USING ({})", names.join(", ")))
            }
            Some(JoinConstraint::Natural) => Some("NATURAL".to_owned()),
            Some(JoinConstraint::None) | None => None,
        };
        let left_table = if matches!(constraint, Some(JoinConstraint::Using(_))) {
            before
        } else {
            let others: BTreeSet<&String> = equalities
                .iter()
                .flat_map(|(left, right)| [&left.table, &right.table])
                .flatten()
                .filter(|table| **table != right_table)
                .collect();
            let mut others = others.into_iter();
            match (others.next(), others.next()) {
                (Some(table), None) => Some(table.clone()),
                _ if first_join => before,
                _ => None,
            }
        };
        self.facts.joins.push(Join {
            kind,
            left_table,
            right_table,
            condition,
            equalities,
        });
    }
}

fn column_ref(expr: &Expr, context: ExpressionContext<'_>) -> Option<ColumnRef> {
    let parts = reference_parts(expr)?;
    Some(context.scope.resolve(&parts).0.column_ref())
}

fn ordered_pair(left: ColumnRef, right: ColumnRef) -> (ColumnRef, ColumnRef) {
    if right < left {
        (right, left)
    } else {
        (left, right)
    }
}

fn is_base_table(scope: &Scope<'_>, name: Option<&str>) -> bool {
    name.is_some_and(|name| {
        scope.sources.iter().any(|source| {
            matches!(source.kind, SourceKind::Table) && source.display_name() == Some(name)
        })
    })
}

fn join_kind(operator: &JoinOperator) -> (JoinKind, Option<&JoinConstraint>) {
    match operator {
        JoinOperator::Join(constraint)
        | JoinOperator::Inner(constraint)
        | JoinOperator::StraightJoin(constraint) => (JoinKind::Inner, Some(constraint)),
        JoinOperator::Left(constraint) | JoinOperator::LeftOuter(constraint) => {
            (JoinKind::Left, Some(constraint))
        }
        JoinOperator::Right(constraint) | JoinOperator::RightOuter(constraint) => {
            (JoinKind::Right, Some(constraint))
        }
        JoinOperator::FullOuter(constraint) => (JoinKind::Full, Some(constraint)),
        JoinOperator::CrossJoin(constraint) => (JoinKind::Cross, Some(constraint)),
        JoinOperator::Semi(constraint) | JoinOperator::LeftSemi(constraint) => {
            (JoinKind::LeftSemi, Some(constraint))
        }
        JoinOperator::RightSemi(constraint) => (JoinKind::RightSemi, Some(constraint)),
        JoinOperator::Anti(constraint) | JoinOperator::LeftAnti(constraint) => {
            (JoinKind::LeftAnti, Some(constraint))
        }
        JoinOperator::RightAnti(constraint) => (JoinKind::RightAnti, Some(constraint)),
        JoinOperator::CrossApply => (JoinKind::Cross, None),
        JoinOperator::OuterApply => (JoinKind::Left, None),
        JoinOperator::AsOf { constraint, .. } => (JoinKind::Other, Some(constraint)),
        JoinOperator::ArrayJoin | JoinOperator::LeftArrayJoin | JoinOperator::InnerArrayJoin => {
            (JoinKind::Other, None)
        }
    }
}
