//! The statements API's `catalog` and `schema`: table names written with one or two
//! parts are completed with them, as Databricks resolves names against the session's
//! current catalog and schema. Names of common table expressions are left alone.

use std::collections::BTreeSet;
use std::ops::ControlFlow;

use sqlparser::ast::{Ident, ObjectName, ObjectNamePart, Query, visit_relations_mut};
use sqlparser::ast::{Visit, Visitor};
use sqlparser::dialect::DatabricksDialect;
use sqlparser::parser::Parser;

/// `sql` with its short table names completed by `catalog` and `schema` (either may be
/// absent); SQL that does not parse is returned unchanged for the engine to report.
pub fn qualify(sql: &str, catalog: Option<&str>, schema: Option<&str>) -> String {
    if catalog.is_none() && schema.is_none() {
        return sql.to_owned();
    }
    let Ok(mut statements) = Parser::parse_sql(&DatabricksDialect {}, sql) else {
        return sql.to_owned();
    };
    let mut ctes = CteNames::default();
    let _ = statements.visit(&mut ctes);
    let _ = visit_relations_mut(&mut statements, |name: &mut ObjectName| {
        let parts: Vec<String> = name
            .0
            .iter()
            .filter_map(|part| part.as_ident().map(|ident| ident.value.clone()))
            .collect();
        let completed = match (parts.len(), catalog, schema) {
            (1, _, _) if ctes.0.contains(&parts[0].to_lowercase()) => None,
            (1, Some(catalog), Some(schema)) => Some(vec![catalog, schema, &parts[0]]),
            (1, None, Some(schema)) => Some(vec![schema, &parts[0]]),
            (2, Some(catalog), _) => Some(vec![catalog, &parts[0], &parts[1]]),
            _ => None,
        };
        if let Some(completed) = completed {
            *name = ObjectName(
                completed
                    .into_iter()
                    .map(|part| ObjectNamePart::Identifier(Ident::new(part)))
                    .collect(),
            );
        }
        ControlFlow::<()>::Continue(())
    });
    statements
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(";\n")
}

/// The names the statement's `WITH` clauses define (lower case).
#[derive(Default)]
struct CteNames(BTreeSet<String>);

impl Visitor for CteNames {
    type Break = ();

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<Self::Break> {
        if let Some(with) = &query.with {
            for table in &with.cte_tables {
                self.0.insert(table.alias.name.value.to_lowercase());
            }
        }
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_short_names_but_not_ctes() {
        assert_eq!(
            qualify(
                "WITH t AS (SELECT * FROM orders) SELECT * FROM t JOIN sales.customers c ON 1 = 1",
                Some("main"),
                Some("sales")
            ),
            "WITH t AS (SELECT * FROM main.sales.orders) SELECT * FROM t JOIN main.sales.customers c ON 1 = 1"
        );
        assert_eq!(
            qualify("SELECT 1 FROM x.y.z", Some("a"), Some("b")),
            "SELECT 1 FROM x.y.z"
        );
        assert_eq!(
            qualify("SELECT * FROM orders", None, None),
            "SELECT * FROM orders"
        );
        assert_eq!(
            qualify("SELECT * FROM orders", None, Some("s")),
            "SELECT * FROM s.orders"
        );
    }
}
