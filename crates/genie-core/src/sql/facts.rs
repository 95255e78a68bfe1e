//! The structural facts of a query ([`SqlFacts`]) that the judges and the
//! optimizer compare between Genie's SQL and the ground truth.
//!
//! Names are normalised: identifiers lower case and unquoted (`main.sales.orders`),
//! function names upper case, expressions in the canonical text of
//! [`super::normalize()`] with every column reference that resolves to a table
//! written with that table's full name, so a query's facts do not depend on the
//! aliases its author chose.

use serde::{Deserialize, Serialize};

/// What a query reads and computes, from its syntax alone.
///
/// Lists that are sets (tables, CTEs, columns, aggregates, measures, functions) are
/// sorted and hold each item once; lists that follow the query (filters, joins,
/// grouping, ordering, output columns) keep the order of the text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent yes/no facts that the judges compare one by one"
)]
pub struct SqlFacts {
    /// The base tables, views, metric views and table-valued functions the query
    /// reads, anywhere in it (CTEs and subqueries included).
    pub tables: Vec<TableRef>,
    /// The names of the common table expressions the query defines.
    pub ctes: Vec<String>,
    /// The columns of base tables the query references. A column of a CTE or of a
    /// subquery in `FROM` is not listed: the base columns it is computed from are.
    pub columns: Vec<ColumnRef>,
    /// The aggregate function calls.
    pub aggregates: Vec<Aggregate>,
    /// The arguments of `MEASURE(…)` calls (metric view measures).
    pub measures: Vec<String>,
    /// The predicates of every `WHERE`, `HAVING` and `QUALIFY`, split at top-level
    /// `AND`.
    pub filters: Vec<Filter>,
    /// The `GROUP BY` expressions of every `SELECT`; ordinals and select-list
    /// aliases are replaced by the expressions they name.
    pub group_by: Vec<String>,
    /// Whether a `SELECT` groups by `ALL`.
    pub group_by_all: bool,
    /// The outermost query's `ORDER BY`; ordinals and aliases are replaced by the
    /// expressions they name.
    pub order_by: Vec<OrderItem>,
    /// The outermost query's `LIMIT`, when it is a number.
    pub limit: Option<u64>,
    /// Whether the outermost `SELECT` is `SELECT DISTINCT`.
    pub distinct: bool,
    /// The joins of every `FROM`.
    pub joins: Vec<Join>,
    /// Every function called, upper case; special forms count under their keyword
    /// (`CAST`, `EXTRACT`, `SUBSTRING`, `TRIM`, …).
    pub functions: Vec<String>,
    /// Whether a window function (`… OVER (…)`) is called.
    pub window_functions: bool,
    /// Whether a `SELECT` has a `QUALIFY` clause.
    pub has_qualify: bool,
    /// The first set operation in reading order (the outermost one when the query
    /// is one): `UNION`, `UNION ALL`, `INTERSECT`, `EXCEPT`, …
    pub set_operation: Option<String>,
    /// The names of the outermost `SELECT`'s columns: the alias, else the column
    /// name, else the expression text (`*` and `o.*` for wildcards).
    pub output_columns: Vec<String>,
}

/// A table (or view, metric view, table-valued function) the query reads.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct TableRef {
    /// The name as written, normalised: `main.sales.orders`.
    pub name: String,
    /// Whether it is read as a table or called as a table-valued function.
    pub kind: TableKind,
    /// The aliases it is given, sorted.
    pub aliases: Vec<String>,
}

/// How a [`TableRef`] is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    /// A table, view or metric view.
    Table,
    /// A table-valued function called in `FROM`.
    Function,
}

/// A column reference, its table resolved through aliases.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ColumnRef {
    /// The table's full name as written in `FROM` (`main.sales.orders`), the name of
    /// a CTE or subquery for their columns, or `None` when it cannot be told (an
    /// unqualified column with several tables in scope).
    pub table: Option<String>,
    /// The column name, lower case and unquoted (a struct field access `a.b`
    /// names its column `a`).
    pub column: String,
}

/// An aggregate function call.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Aggregate {
    /// The function, upper case: `SUM`, `COUNT`, `PERCENTILE_APPROX`, …
    pub function: String,
    /// The arguments' canonical text, comma separated (`*` for `COUNT(*)`).
    pub argument: String,
    /// Whether it aggregates distinct values (`COUNT(DISTINCT …)`).
    pub distinct: bool,
    /// The canonical text of its `FILTER (WHERE …)` condition.
    pub filter: Option<String>,
    /// Whether it is computed over a window (`SUM(x) OVER (…)`).
    pub window: bool,
}

/// One predicate of a `WHERE`, `HAVING` or `QUALIFY` clause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filter {
    /// The clause it belongs to.
    pub clause: FilterClause,
    /// The column it tests: the column side of a comparison, else the one column
    /// the predicate references.
    pub column: Option<ColumnRef>,
    /// The operator, upper case: `=`, `<>`, `>=`, `IN`, `NOT IN`, `BETWEEN`,
    /// `LIKE`, `IS NULL`, `EXISTS`, `OR`, `NOT`, a function name for a boolean
    /// function call, or `EXPRESSION`.
    pub operator: String,
    /// The literal values in it, in order, without quotes or type keywords:
    /// `'EMEA'` is `EMEA`, `DATE '2024-01-01'` is `2024-01-01`, `-5` is `-5`;
    /// parameter markers are kept as written (`:region`).
    pub literals: Vec<String>,
    /// The predicate's canonical text.
    pub expression: String,
}

/// The clause a [`Filter`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilterClause {
    /// `WHERE`.
    Where,
    /// `HAVING`.
    Having,
    /// `QUALIFY`.
    Qualify,
}

/// One item of an `ORDER BY`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderItem {
    /// The canonical text of the ordering expression.
    pub expression: String,
    /// Whether it sorts descending.
    pub descending: bool,
}

/// A join between two relations of a `FROM`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Join {
    /// The join type.
    pub kind: JoinKind,
    /// The relation joined to: the one other table the `ON` condition's equalities
    /// reference, else the relation before the join when it is the first of its
    /// `FROM` item, else `None`.
    pub left_table: Option<String>,
    /// The relation joined: a table's full name, a CTE's name or a subquery's
    /// alias.
    pub right_table: String,
    /// The canonical text of the condition (`USING (…)` and `NATURAL` included).
    pub condition: Option<String>,
    /// The column pairs of the condition's top-level `a = b` terms (and of `USING`),
    /// each pair in sorted order.
    pub equalities: Vec<(ColumnRef, ColumnRef)>,
}

/// The type of a [`Join`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum JoinKind {
    /// `JOIN`, `INNER JOIN`.
    Inner,
    /// `LEFT [OUTER] JOIN`, `OUTER APPLY`.
    Left,
    /// `RIGHT [OUTER] JOIN`.
    Right,
    /// `FULL [OUTER] JOIN`.
    Full,
    /// `CROSS JOIN`, `CROSS APPLY`.
    Cross,
    /// `[LEFT] SEMI JOIN`.
    LeftSemi,
    /// `RIGHT SEMI JOIN`.
    RightSemi,
    /// `[LEFT] ANTI JOIN`.
    LeftAnti,
    /// `RIGHT ANTI JOIN`.
    RightAnti,
    /// Any other join (`ASOF`, array joins, …).
    Other,
}
