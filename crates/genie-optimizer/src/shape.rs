//! What a query says beyond [`SqlFacts`]: the outermost `SELECT`'s items with their
//! aliases and their columns, written with short table names (the aliases join specs
//! and snippets use), and the query's template — its normalized text with every
//! literal replaced — so queries that differ only in literals can be told apart from
//! queries that differ in shape.

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use genie_core::sql::{SqlFacts, extract_from, name_parts, sanitize};
use sqlparser::ast::{Expr, Ident, SelectItem, SetExpr, TableFactor, visit_expressions_mut};

/// A ground truth (or Genie's query), read once.
#[derive(Debug, Clone)]
pub(crate) struct QueryShape {
    /// Its structural facts.
    pub(crate) facts: SqlFacts,
    /// The outermost `SELECT`'s items (empty for a set operation).
    pub(crate) projection: Vec<Projected>,
    /// The base tables of the outermost `FROM` (full lower-case names), in order.
    pub(crate) from_tables: Vec<String>,
    /// The normalized text with each literal replaced by `?`.
    pub(crate) template: String,
    /// The literals the template replaced, in order.
    pub(crate) literals: Vec<Literal>,
}

/// One item of the outermost `SELECT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Projected {
    /// The alias, lower case, when it has one.
    pub(crate) alias: Option<String>,
    /// The expression, columns qualified by their table's short name (`SUM(ord.amt)`).
    pub(crate) sql: String,
    /// The base-table columns it reads: (full table name, column).
    pub(crate) columns: Vec<(String, String)>,
    /// Whether it aggregates.
    pub(crate) aggregate: bool,
    /// Whether it is a bare column.
    pub(crate) bare_column: bool,
}

/// A literal of a query's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Literal {
    /// Its text, without quotes.
    pub(crate) value: String,
    /// Its SQL type, as a parameter would be declared.
    pub(crate) kind: LiteralKind,
}

/// The type of a [`Literal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum LiteralKind {
    /// `DATE '…'`.
    Date,
    /// `TIMESTAMP '…'`.
    Timestamp,
    /// A whole number.
    Integer,
    /// A decimal number.
    Decimal,
    /// A string.
    String,
}

impl LiteralKind {
    /// The SQL type name.
    pub(crate) fn sql_type(self) -> &'static str {
        match self {
            Self::Date => "DATE",
            Self::Timestamp => "TIMESTAMP",
            Self::Integer => "INT",
            Self::Decimal => "DOUBLE",
            Self::String => "STRING",
        }
    }
}

/// The functions that aggregate.
const AGGREGATES: &[&str] = &[
    "SUM",
    "COUNT",
    "AVG",
    "MIN",
    "MAX",
    "COUNT_IF",
    "MEDIAN",
    "PERCENTILE",
    "PERCENTILE_APPROX",
    "STDDEV",
    "STDDEV_POP",
    "STDDEV_SAMP",
    "VARIANCE",
    "VAR_POP",
    "VAR_SAMP",
    "ANY_VALUE",
    "APPROX_COUNT_DISTINCT",
    "COLLECT_LIST",
    "COLLECT_SET",
    "BOOL_AND",
    "BOOL_OR",
    "MEAN",
    "TRY_AVG",
    "TRY_SUM",
    "FIRST",
    "LAST",
    "MODE",
    "MEASURE",
];

/// The short name of a table: the last part of its identifier.
pub(crate) fn short_name(identifier: &str) -> String {
    name_parts(identifier)
        .pop()
        .unwrap_or_default()
        .to_lowercase()
}

/// Replaces every full table name of `text` (`main.s.orders.amount`) by its short name
/// (`orders.amount`).
pub(crate) fn shorten(text: &str, tables: &[String]) -> String {
    let mut out = text.to_owned();
    let mut by_length: Vec<&String> = tables.iter().collect();
    by_length.sort_by_key(|table| std::cmp::Reverse(table.len()));
    for table in by_length {
        out = out.replace(&format!("{table}."), &format!("{}.", short_name(table)));
    }
    out
}

impl QueryShape {
    /// Reads `sql`; `None` when it is not one read-only query.
    pub(crate) fn read(sql: &str) -> Option<Self> {
        let sanitized = sanitize(sql).ok()?;
        let facts = extract_from(&sanitized);
        let normalized = genie_core::sql::normalize(sanitized.as_str()).ok()?;
        let (template, literals) = template(&normalized);
        let mut shape = Self {
            facts,
            projection: Vec::new(),
            from_tables: Vec::new(),
            template,
            literals,
        };
        if let SetExpr::Select(select) = sanitized.query().body.as_ref() {
            let mut aliases: BTreeMap<String, String> = BTreeMap::new();
            for item in &select.from {
                for relation in
                    std::iter::once(&item.relation).chain(item.joins.iter().map(|j| &j.relation))
                {
                    if let TableFactor::Table {
                        name,
                        alias,
                        args: None,
                        ..
                    } = relation
                    {
                        let full = name_parts(&name.to_string())
                            .iter()
                            .map(|part| part.to_lowercase())
                            .collect::<Vec<_>>()
                            .join(".");
                        if shape.facts.ctes.contains(&full) {
                            continue;
                        }
                        aliases.insert(short_name(&full), full.clone());
                        if let Some(alias) = alias {
                            aliases.insert(alias.name.value.to_lowercase(), full.clone());
                        }
                        shape.from_tables.push(full);
                    }
                }
            }
            for item in &select.projection {
                let (expr, alias) = match item {
                    SelectItem::UnnamedExpr(expr) => (expr, None),
                    SelectItem::ExprWithAlias { expr, alias } => {
                        (expr, Some(alias.value.to_lowercase()))
                    }
                    _ => continue,
                };
                shape.projection.push(project(
                    expr,
                    alias,
                    &aliases,
                    &shape.from_tables,
                    &shape.facts,
                ));
            }
        }
        Some(shape)
    }

    /// The select items that aggregate.
    pub(crate) fn measures(&self) -> impl Iterator<Item = &Projected> {
        self.projection.iter().filter(|item| item.aggregate)
    }

    /// Whether the query needs more than one step (CTEs, windows, set operations,
    /// subquery conditions).
    pub(crate) fn is_multi_step(&self) -> bool {
        let facts = &self.facts;
        !facts.ctes.is_empty()
            || facts.window_functions
            || facts.has_qualify
            || facts.set_operation.is_some()
            || facts.filters.iter().any(|filter| {
                filter.operator.contains("EXISTS")
                    || filter.expression.to_uppercase().contains("SELECT ")
            })
    }
}

fn project(
    expr: &Expr,
    alias: Option<String>,
    aliases: &BTreeMap<String, String>,
    from_tables: &[String],
    facts: &SqlFacts,
) -> Projected {
    let mut expr = expr.clone();
    let mut columns: Vec<(String, String)> = Vec::new();
    let bare_column = matches!(expr, Expr::Identifier(_) | Expr::CompoundIdentifier(_));
    let resolve_unqualified = |column: &str| -> Option<String> {
        if from_tables.len() == 1 {
            return from_tables.first().cloned();
        }
        facts
            .columns
            .iter()
            .find(|known| {
                known.column == column
                    && known
                        .table
                        .as_ref()
                        .is_some_and(|t| from_tables.contains(t))
            })
            .and_then(|known| known.table.clone())
    };
    let _ = visit_expressions_mut(&mut expr, |node| {
        match node {
            Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
                let qualifier = parts[..parts.len() - 1]
                    .iter()
                    .map(|part| part.value.to_lowercase())
                    .collect::<Vec<_>>()
                    .join(".");
                let column = parts[parts.len() - 1].value.to_lowercase();
                let table = aliases.get(&qualifier).cloned().or_else(|| {
                    from_tables
                        .iter()
                        .find(|table| **table == qualifier)
                        .cloned()
                });
                if let Some(table) = table {
                    *node = Expr::CompoundIdentifier(vec![
                        Ident::new(short_name(&table)),
                        Ident::new(column.clone()),
                    ]);
                    push_unique(&mut columns, (table, column));
                }
            }
            Expr::Identifier(ident) => {
                let column = ident.value.to_lowercase();
                if let Some(table) = resolve_unqualified(&column) {
                    *node = Expr::CompoundIdentifier(vec![
                        Ident::new(short_name(&table)),
                        Ident::new(column.clone()),
                    ]);
                    push_unique(&mut columns, (table, column));
                }
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
    let sql = expr.to_string();
    let upper = sql.to_uppercase();
    let aggregate = AGGREGATES
        .iter()
        .any(|function| contains_call(&upper, function));
    Projected {
        alias,
        sql,
        columns,
        aggregate,
        bare_column,
    }
}

fn push_unique<T: PartialEq>(items: &mut Vec<T>, item: T) {
    if !items.contains(&item) {
        items.push(item);
    }
}

/// Whether upper-case SQL text calls `function` (`SUM(` not preceded by a name
/// character).
fn contains_call(upper: &str, function: &str) -> bool {
    let needle = format!("{function}(");
    upper.match_indices(&needle).any(|(at, _)| {
        upper[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
    })
}

/// A normalized query's text with its literals replaced by `?`, and the literals.
pub(crate) fn template(normalized: &str) -> (String, Vec<Literal>) {
    let chars: Vec<char> = normalized.chars().collect();
    let mut out = String::new();
    let mut literals = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        let c = chars[index];
        if c == '\'' {
            let mut value = String::new();
            index += 1;
            while index < chars.len() {
                if chars[index] == '\'' {
                    if chars.get(index + 1) == Some(&'\'') {
                        value.push('\'');
                        index += 2;
                        continue;
                    }
                    break;
                }
                value.push(chars[index]);
                index += 1;
            }
            index += 1;
            let before = out.trim_end().to_uppercase();
            let kind = if before.ends_with("DATE") {
                LiteralKind::Date
            } else if before.ends_with("TIMESTAMP") {
                LiteralKind::Timestamp
            } else {
                LiteralKind::String
            };
            out.push('?');
            literals.push(Literal { value, kind });
            continue;
        }
        let starts_number = c.is_ascii_digit()
            && out
                .chars()
                .next_back()
                .is_none_or(|p| !(p.is_alphanumeric() || p == '_' || p == '.' || p == '`'));
        if starts_number {
            let mut value = String::new();
            while index < chars.len() && (chars[index].is_ascii_digit() || chars[index] == '.') {
                value.push(chars[index]);
                index += 1;
            }
            if index < chars.len() && (chars[index].is_alphanumeric() || chars[index] == '_') {
                // Part of a name (`2024_sales`): not a literal.
                out.push_str(&value);
                continue;
            }
            let kind = if value.contains('.') {
                LiteralKind::Decimal
            } else {
                LiteralKind::Integer
            };
            out.push('?');
            literals.push(Literal { value, kind });
            continue;
        }
        out.push(c);
        index += 1;
    }
    (out, literals)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_is_qualified_by_short_names() {
        let shape = QueryShape::read(
            "SELECT s.region, SUM(l.amount) / COUNT(DISTINCT o.id) AS avg_value, month(o.day) AS m
             FROM main.x.lines AS l JOIN main.x.heads o ON l.head_id = o.id
             JOIN main.x.shops AS s ON o.shop_id = s.id
             WHERE o.state = 'DONE' AND o.day BETWEEN DATE '2024-01-01' AND DATE '2024-12-31'
             GROUP BY s.region, month(o.day)",
        )
        .unwrap();
        assert_eq!(
            shape.from_tables,
            ["main.x.lines", "main.x.heads", "main.x.shops"]
        );
        let items: Vec<(Option<&str>, &str, bool)> = shape
            .projection
            .iter()
            .map(|item| (item.alias.as_deref(), item.sql.as_str(), item.aggregate))
            .collect();
        assert_eq!(
            items,
            [
                (None, "shops.region", false),
                (
                    Some("avg_value"),
                    "SUM(lines.amount) / COUNT(DISTINCT heads.id)",
                    true
                ),
                (Some("m"), "month(heads.day)", false),
            ]
        );
        assert_eq!(
            shape.projection[1].columns,
            [
                ("main.x.lines".to_owned(), "amount".to_owned()),
                ("main.x.heads".to_owned(), "id".to_owned())
            ]
        );
        assert!(shape.projection[0].bare_column);
        assert_eq!(
            shape
                .literals
                .iter()
                .map(|l| (l.value.as_str(), l.kind))
                .collect::<Vec<_>>(),
            [
                ("DONE", LiteralKind::String),
                ("2024-01-01", LiteralKind::Date),
                ("2024-12-31", LiteralKind::Date)
            ]
        );
        assert!(!shape.template.contains("2024"));
        assert!(!shape.is_multi_step());
    }

    #[test]
    fn queries_differing_in_literals_share_a_template() {
        let a = QueryShape::read("SELECT COUNT(*) FROM main.x.t WHERE k = 'A' AND n > 5").unwrap();
        let b = QueryShape::read("select count(*) from main.x.t where k = 'B' and n > 10").unwrap();
        assert_eq!(a.template, b.template);
        let c = QueryShape::read("SELECT COUNT(*) FROM main.x.t_2024 WHERE k = 'A'").unwrap();
        assert!(c.template.contains("t_2024"), "{}", c.template);
        assert!(QueryShape::read("DELETE FROM t").is_none());
    }

    #[test]
    fn shorten_replaces_full_names() {
        assert_eq!(
            shorten("main.x.heads.state = 'DONE'", &["main.x.heads".to_owned()]),
            "heads.state = 'DONE'"
        );
    }
}
