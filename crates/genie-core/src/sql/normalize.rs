//! Canonical SQL text and SQL hashes: superficial variants of one query (comments,
//! whitespace, keyword and identifier case, backtick quoting, optional keywords
//! such as `AS`, `INNER`, `OUTER`, `ASC` and `DISTINCT` of a set operation,
//! trailing semicolons) get the same text and hash.

use std::convert::Infallible;
use std::fmt::Display;
use std::ops::ControlFlow;

use sqlparser::ast::{
    Expr, Ident, JoinOperator, ObjectName, ObjectNamePart, OrderByExpr, OrderByKind, Query, Select,
    SelectItem, SetExpr, SetQuantifier, TableAlias, TableFactor, TableWithJoins, VisitMut,
    VisitorMut, WindowType,
};
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::Token;

use super::error::SqlError;
use super::parse::{parse_single_statement, tokenize};
use crate::canonical::ContentHash;

/// The canonical text of the one statement in `sql`, for hashing and comparing.
///
/// The statement is parsed (Databricks dialect) and printed back with keywords in
/// upper case, identifiers in lower case and unquoted where they need no quotes,
/// single spaces, explicit `AS` for table aliases, optional keywords in one form
/// (`JOIN` as `INNER JOIN`, `LEFT OUTER JOIN` as `LEFT JOIN`, no `ASC`, `UNION`
/// for `UNION DISTINCT`), double-quoted strings written with single quotes, and no
/// comments or semicolons. String literal contents are
/// kept as written. Any single statement is accepted: this is a fingerprint, not a
/// gate (see [`super::sanitize()`] for that).
pub fn normalize(sql: &str) -> Result<String, SqlError> {
    let (_, statement) = parse_single_statement(sql)?;
    Ok(canonical_text(statement))
}

/// The hash of [`normalize()`]'s text.
pub fn sql_hash(sql: &str) -> Result<ContentHash, SqlError> {
    Ok(ContentHash::of_bytes(normalize(sql)?.as_bytes()))
}

/// The canonical text of any part of a statement (a statement, a query or an
/// expression): the one place that decides how normalised SQL reads.
pub(super) fn canonical_text<T: VisitMut + Display>(mut node: T) -> String {
    let ControlFlow::Continue(()) = node.visit(&mut IdentifierCanonicalizer);
    canonical_tokens(&node.to_string())
}

/// Lower-cases the identifiers the AST exposes (column references, relation,
/// function, alias and CTE names), makes table aliases explicit and writes
/// optional keywords one way.
struct IdentifierCanonicalizer;

impl VisitorMut for IdentifierCanonicalizer {
    type Break = Infallible;

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<Infallible> {
        if let Some(with) = &mut query.with {
            for cte in &mut with.cte_tables {
                lower_alias(&mut cte.alias);
            }
        }
        if let Some(order_by) = &mut query.order_by
            && let OrderByKind::Expressions(expressions) = &mut order_by.kind
        {
            drop_ascending(expressions);
        }
        canonical_set_quantifiers(&mut query.body);
        ControlFlow::Continue(())
    }

    fn pre_visit_select(&mut self, select: &mut Select) -> ControlFlow<Infallible> {
        for item in &mut select.projection {
            match item {
                SelectItem::ExprWithAlias { alias, .. } => lower(alias),
                SelectItem::ExprWithAliases { aliases, .. } => aliases.iter_mut().for_each(lower),
                SelectItem::UnnamedExpr(_)
                | SelectItem::QualifiedWildcard(..)
                | SelectItem::Wildcard(_) => {}
            }
        }
        select.from.iter_mut().for_each(canonical_joins);
        ControlFlow::Continue(())
    }

    fn pre_visit_relation(&mut self, relation: &mut ObjectName) -> ControlFlow<Infallible> {
        lower_name(relation);
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<Infallible> {
        match factor {
            TableFactor::Function { name, .. } => lower_name(name),
            TableFactor::NestedJoin {
                table_with_joins, ..
            } => canonical_joins(table_with_joins),
            _ => {}
        }
        if let Some(alias) = table_factor_alias(factor) {
            alias.explicit = true;
            lower_alias(alias);
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<Infallible> {
        match expr {
            Expr::Identifier(ident) => lower(ident),
            Expr::CompoundIdentifier(idents) => idents.iter_mut().for_each(lower),
            Expr::Function(function) => {
                lower_name(&mut function.name);
                if let Some(WindowType::WindowSpec(window)) = &mut function.over {
                    drop_ascending(&mut window.order_by);
                }
            }
            Expr::QualifiedWildcard(name, _) => lower_name(name),
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

fn lower(ident: &mut Ident) {
    ident.value = ident.value.to_lowercase();
}

fn lower_name(name: &mut ObjectName) {
    for part in &mut name.0 {
        if let ObjectNamePart::Identifier(ident) = part {
            lower(ident);
        }
    }
}

fn lower_alias(alias: &mut TableAlias) {
    lower(&mut alias.name);
    for column in &mut alias.columns {
        lower(&mut column.name);
    }
}

/// `JOIN` is an inner join, `OUTER` is optional and `SEMI`/`ANTI` are left joins.
fn canonical_joins(table: &mut TableWithJoins) {
    for join in &mut table.joins {
        let operator = std::mem::replace(&mut join.join_operator, JoinOperator::CrossApply);
        join.join_operator = match operator {
            JoinOperator::Join(constraint) => JoinOperator::Inner(constraint),
            JoinOperator::LeftOuter(constraint) => JoinOperator::Left(constraint),
            JoinOperator::RightOuter(constraint) => JoinOperator::Right(constraint),
            JoinOperator::Semi(constraint) => JoinOperator::LeftSemi(constraint),
            JoinOperator::Anti(constraint) => JoinOperator::LeftAnti(constraint),
            other => other,
        };
    }
}

/// Ascending is the default order.
fn drop_ascending(expressions: &mut [OrderByExpr]) {
    for expression in expressions {
        if expression.options.asc == Some(true) {
            expression.options.asc = None;
        }
    }
}

/// `DISTINCT` is the default quantifier of a set operation.
fn canonical_set_quantifiers(body: &mut SetExpr) {
    if let SetExpr::SetOperation {
        left,
        set_quantifier,
        right,
        ..
    } = body
    {
        if *set_quantifier == SetQuantifier::Distinct {
            *set_quantifier = SetQuantifier::None;
        }
        canonical_set_quantifiers(left);
        canonical_set_quantifiers(right);
    }
}

fn table_factor_alias(factor: &mut TableFactor) -> Option<&mut TableAlias> {
    match factor {
        TableFactor::Table { alias, .. }
        | TableFactor::Derived { alias, .. }
        | TableFactor::TableFunction { alias, .. }
        | TableFactor::Function { alias, .. }
        | TableFactor::UNNEST { alias, .. }
        | TableFactor::JsonTable { alias, .. }
        | TableFactor::OpenJsonTable { alias, .. }
        | TableFactor::NestedJoin { alias, .. }
        | TableFactor::Pivot { alias, .. }
        | TableFactor::Unpivot { alias, .. }
        | TableFactor::MatchRecognize { alias, .. }
        | TableFactor::XmlTable { alias, .. }
        | TableFactor::SemanticView { alias, .. } => alias.as_mut(),
    }
}

/// Rewrites printed SQL token by token: backtick-quoted identifiers are lower-cased
/// and unquoted when they are plain names, unquoted non-keyword words are
/// lower-cased, and double-quoted strings are written with single quotes.
/// Everything else, string literals included, is copied as printed.
fn canonical_tokens(text: &str) -> String {
    let Ok(tokens) = tokenize(text) else {
        return text.to_owned();
    };
    let mut canonical = String::with_capacity(text.len());
    for token in tokens {
        match &token.token {
            Token::Word(word) if word.quote_style == Some('`') => {
                let name = word.value.to_lowercase();
                if is_plain_name(&name) {
                    canonical.push_str(&name);
                } else {
                    canonical.push('`');
                    canonical.push_str(&name.replace('`', "``"));
                    canonical.push('`');
                }
            }
            Token::Word(word)
                if word.quote_style.is_none() && word.keyword == Keyword::NoKeyword =>
            {
                canonical.push_str(&word.value.to_lowercase());
            }
            Token::DoubleQuotedString(value) => {
                canonical.push('\'');
                canonical.push_str(&value.replace('\'', "''"));
                canonical.push('\'');
            }
            _ => canonical.push_str(&text[token.range]),
        }
    }
    canonical
}

/// Whether `name` can be written without backticks: an ASCII letter or `_`, then
/// ASCII letters, digits or `_`.
pub(super) fn is_plain_name(name: &str) -> bool {
    let mut characters = name.chars();
    characters
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && characters.all(|character| character.is_ascii_alphanumeric() || character == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_same(variants: &[&str]) {
        let first = normalize(variants[0]).unwrap();
        for variant in &variants[1..] {
            assert_eq!(normalize(variant).unwrap(), first, "{variant}");
            assert_eq!(sql_hash(variant).unwrap(), sql_hash(variants[0]).unwrap());
        }
    }

    fn check_different(left: &str, right: &str) {
        assert_ne!(normalize(left).unwrap(), normalize(right).unwrap());
        assert_ne!(sql_hash(left).unwrap(), sql_hash(right).unwrap());
    }

    #[test]
    fn canonical_text_reads_as_sql() {
        assert_eq!(
            normalize(
                "select O.Region, sum(`O`.`Amount`) Total -- revenue\nFROM `Main`.Sales.ORDERS o\nWHERE o.`order date` >= DATE '2024-01-01' and o.Region = \"EMEA\";"
            )
            .unwrap(),
            "SELECT o.region, sum(o.amount) AS total FROM main.sales.orders AS o WHERE o.`order date` >= DATE '2024-01-01' AND o.region = 'EMEA'"
        );
    }

    #[test]
    fn superficial_variants_are_equal() {
        check_same(&[
            "SELECT region, SUM(amount) AS total FROM main.sales.orders WHERE region = 'EMEA' GROUP BY region",
            "select REGION, sum(AMOUNT) as TOTAL from MAIN.SALES.ORDERS where Region = 'EMEA' group by region;",
            "-- totals\nSELECT region,\n       SUM(amount) AS total /* measure */\n  FROM `main`.`sales`.`orders`\n WHERE `region` = 'EMEA'\n GROUP BY `Region` ;\n",
            "SELECT region, SUM(amount) total FROM main.sales.orders WHERE region = \"EMEA\" GROUP BY region",
        ]);
        check_same(&[
            "SELECT o.id FROM orders o JOIN customers c ON o.cid = c.id",
            "SELECT O.ID FROM Orders AS O INNER JOIN Customers AS C ON O.CID = C.ID",
        ]);
        check_same(&[
            "SELECT `date` FROM t",
            "SELECT date FROM t",
            "SELECT `Date` FROM T",
        ]);
        check_same(&[
            "SELECT a FROM t LEFT JOIN u ON t.k = u.k ORDER BY a",
            "SELECT a FROM t LEFT OUTER JOIN u ON t.k = u.k ORDER BY a ASC",
        ]);
        check_same(&[
            "SELECT a FROM t UNION SELECT a FROM u",
            "SELECT a FROM t UNION DISTINCT SELECT a FROM u",
        ]);
        check_same(&[
            "SELECT RANK() OVER (PARTITION BY r ORDER BY v ASC) FROM t",
            "SELECT rank() OVER (PARTITION BY r ORDER BY v) FROM t",
        ]);
    }

    #[test]
    fn changed_literal_or_column_differs() {
        let base = "SELECT region, SUM(amount) FROM orders WHERE region = 'EMEA' GROUP BY region";
        check_different(base, &base.replace("'EMEA'", "'APAC'"));
        check_different(base, &base.replace("'EMEA'", "'emea'"));
        check_different(base, &base.replace("SUM(amount)", "SUM(net_amount)"));
        check_different("SELECT a FROM t LIMIT 10", "SELECT a FROM t LIMIT 100");
        check_different(
            "SELECT a FROM t ORDER BY a",
            "SELECT a FROM t ORDER BY a DESC",
        );
        check_different(
            "SELECT a FROM t UNION SELECT a FROM u",
            "SELECT a FROM t UNION ALL SELECT a FROM u",
        );
    }

    #[test]
    fn quoting_is_kept_where_needed() {
        assert_eq!(
            normalize("SELECT `Order ID`, `2024_sales`, `a``b` FROM t").unwrap(),
            "SELECT `order id`, `2024_sales`, `a``b` FROM t"
        );
    }

    #[test]
    fn any_single_statement_is_normalised() {
        assert_eq!(normalize("drop table X").unwrap(), "DROP TABLE x");
        assert_eq!(
            normalize("SELECT 1; SELECT 2"),
            Err(SqlError::MultipleStatements { count: 2 })
        );
        assert_eq!(normalize("-- nothing"), Err(SqlError::Empty));
    }

    #[test]
    fn hash_is_the_hash_of_the_text() {
        let sql = "select 1";
        assert_eq!(
            sql_hash(sql).unwrap(),
            ContentHash::of_bytes(normalize(sql).unwrap().as_bytes())
        );
    }

    #[test]
    fn plain_names() {
        assert!(is_plain_name("order_id"));
        assert!(is_plain_name("_x1"));
        assert!(!is_plain_name("1x"));
        assert!(!is_plain_name("order id"));
        assert!(!is_plain_name(""));
        assert!(!is_plain_name("é"));
    }
}
