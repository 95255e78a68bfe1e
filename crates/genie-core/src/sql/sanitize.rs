//! Admission of untrusted SQL: one read-only query, cleaned of comments.

use std::fmt;
use std::ops::ControlFlow;

use sqlparser::ast::{Query, Select, SetExpr, Statement, Visit, Visitor};

use super::error::SqlError;
use super::parse::parse_single_statement;

/// A single read-only query, admitted by [`sanitize()`].
///
/// It holds the author's text without comments and without leading or trailing
/// whitespace and semicolons (so it runs exactly as written), and the parsed query
/// for reuse.
#[derive(Debug, Clone, PartialEq)]
pub struct SanitizedSql {
    text: String,
    query: Query,
}

impl SanitizedSql {
    /// The cleaned text, ready to run.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The parsed query.
    pub fn query(&self) -> &Query {
        &self.query
    }

    /// The cleaned text and the parsed query.
    pub fn into_parts(self) -> (String, Query) {
        (self.text, self.query)
    }
}

impl fmt::Display for SanitizedSql {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.text)
    }
}

/// Admits `sql` if it is exactly one read-only query.
///
/// Accepted: `SELECT`, `WITH … SELECT`, `VALUES` and set operations of them
/// (`UNION`, `INTERSECT`, `EXCEPT`), with comments, trailing semicolons,
/// backtick-quoted identifiers and named parameter markers (`:region`). Refused:
/// empty text, more than one statement, any `${…}` template variable left in the
/// text, and every other statement, `EXPLAIN` and `SELECT … INTO` included.
pub fn sanitize(sql: &str) -> Result<SanitizedSql, SqlError> {
    let (text, statement) = parse_single_statement(sql)?;
    let Statement::Query(query) = statement else {
        return Err(SqlError::NotReadOnly {
            statement: statement_keyword(&statement),
        });
    };
    if let ControlFlow::Break(statement) = query.visit(&mut WriteFinder) {
        return Err(SqlError::NotReadOnly { statement });
    }
    Ok(SanitizedSql {
        text,
        query: *query,
    })
}

/// The statement's leading keyword, upper case (`DROP`, `EXPLAIN`, `GRANT`, …).
fn statement_keyword(statement: &Statement) -> String {
    let text = statement.to_string();
    let keyword = text
        .split(|character: char| !character.is_ascii_alphabetic())
        .find(|word| !word.is_empty())
        .unwrap_or("UNKNOWN");
    keyword.to_ascii_uppercase()
}

/// Finds a write nested in a query: `INSERT`, `UPDATE`, `DELETE` or `MERGE` as a
/// query body (`WITH … INSERT …`), or `SELECT … INTO`.
struct WriteFinder;

impl Visitor for WriteFinder {
    type Break = String;

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<String> {
        let write = match query.body.as_ref() {
            SetExpr::Insert(statement)
            | SetExpr::Update(statement)
            | SetExpr::Delete(statement)
            | SetExpr::Merge(statement) => Some(statement_keyword(statement)),
            _ => None,
        };
        write.map_or(ControlFlow::Continue(()), ControlFlow::Break)
    }

    fn pre_visit_select(&mut self, select: &Select) -> ControlFlow<String> {
        if select.into.is_some() {
            ControlFlow::Break("SELECT INTO".to_owned())
        } else {
            ControlFlow::Continue(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_refused(sql: &str, expected: &SqlError) {
        assert_eq!(sanitize(sql).as_ref(), Err(expected), "{sql}");
    }

    fn not_read_only(statement: &str) -> SqlError {
        SqlError::NotReadOnly {
            statement: statement.to_owned(),
        }
    }

    fn check_accepted(sql: &str, cleaned: &str) {
        match sanitize(sql) {
            Ok(sanitized) => assert_eq!(sanitized.as_str(), cleaned, "{sql}"),
            Err(error) => panic!("`{sql}` was refused: {error}"),
        }
    }

    #[test]
    fn refuses_writes_and_other_statements() {
        check_refused("DROP TABLE x", &not_read_only("DROP"));
        check_refused(
            "INSERT INTO main.sales.orders VALUES (1, 'a')",
            &not_read_only("INSERT"),
        );
        check_refused(
            "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET t.v = s.v",
            &not_read_only("MERGE"),
        );
        check_refused("UPDATE t SET v = 1 WHERE id = 2", &not_read_only("UPDATE"));
        check_refused("DELETE FROM t WHERE id = 2", &not_read_only("DELETE"));
        check_refused("CREATE TABLE t (id INT)", &not_read_only("CREATE"));
        check_refused("ALTER TABLE t ADD COLUMN c INT", &not_read_only("ALTER"));
        check_refused("SET spark.sql.ansi.enabled = true", &not_read_only("SET"));
        check_refused("USE main.sales", &not_read_only("USE"));
        check_refused(
            "GRANT SELECT ON TABLE t TO `someone`",
            &not_read_only("GRANT"),
        );
        check_refused("EXPLAIN SELECT 1", &not_read_only("EXPLAIN"));
        check_refused(
            "WITH s AS (SELECT 1 AS v) INSERT INTO t SELECT v FROM s",
            &not_read_only("INSERT"),
        );
        check_refused("SELECT a INTO t2 FROM t", &not_read_only("SELECT INTO"));
    }

    #[test]
    fn refuses_more_than_one_statement() {
        let two = SqlError::MultipleStatements { count: 2 };
        check_refused("SELECT 1; SELECT 2", &two);
        check_refused("SELECT 1; DROP TABLE x", &two);
        check_refused(
            "SELECT 1; SELECT 2; SELECT 3;",
            &SqlError::MultipleStatements { count: 3 },
        );
    }

    #[test]
    fn refuses_template_variables() {
        check_refused(
            "SELECT * FROM ${catalog}.s.t",
            &SqlError::UnresolvedTemplate {
                name: "catalog".to_owned(),
            },
        );
        check_refused(
            "SELECT * FROM t WHERE note = '${gold_schema}'",
            &SqlError::UnresolvedTemplate {
                name: "gold_schema".to_owned(),
            },
        );
    }

    #[test]
    fn refuses_empty_input() {
        for sql in [
            "",
            "   \n\t",
            "-- only a comment",
            "/* a */ -- b\n",
            ";",
            " ; ;",
        ] {
            check_refused(sql, &SqlError::Empty);
        }
    }

    #[test]
    fn refuses_unparsable_text() {
        check_refused(
            "SELECT region\nFROM t WHERE AND x = 1",
            &SqlError::Parse {
                message: "Expected: end of statement, found: x at Line: 2, Column: 18".to_owned(),
            },
        );
        assert_eq!(
            sanitize("SELECT 'open").unwrap_err().to_string(),
            "cannot parse sql: Unterminated string literal at Line: 1, Column: 8"
        );
    }

    #[test]
    fn accepts_read_only_queries() {
        check_accepted("SELECT 1", "SELECT 1");
        check_accepted(
            "WITH m AS (SELECT region, SUM(amount) AS total FROM main.sales.orders GROUP BY region)\nSELECT * FROM m ORDER BY total DESC",
            "WITH m AS (SELECT region, SUM(amount) AS total FROM main.sales.orders GROUP BY region)\nSELECT * FROM m ORDER BY total DESC",
        );
        check_accepted("VALUES (1, 'a'), (2, 'b')", "VALUES (1, 'a'), (2, 'b')");
        check_accepted(
            "SELECT id FROM a UNION ALL SELECT id FROM b EXCEPT SELECT id FROM c",
            "SELECT id FROM a UNION ALL SELECT id FROM b EXCEPT SELECT id FROM c",
        );
        check_accepted(
            "(SELECT 1) INTERSECT (SELECT 1)",
            "(SELECT 1) INTERSECT (SELECT 1)",
        );
    }

    #[test]
    fn strips_comments_and_trailing_semicolons_keeping_the_text() {
        check_accepted("  SELECT 1 ;  \n", "SELECT 1");
        check_accepted("SELECT 1;;", "SELECT 1");
        check_accepted(
            "-- Revenue by region\nSELECT region, /* the measure */ SUM(amount) AS revenue\nFROM main.sales.orders -- all orders\nGROUP BY region; -- done",
            "SELECT region, SUM(amount) AS revenue\nFROM main.sales.orders\nGROUP BY region",
        );
        check_accepted(
            "SELECT  a,\n\tb  -- keep my spacing\n FROM t",
            "SELECT  a,\n\tb\n FROM t",
        );
    }

    #[test]
    fn accepts_backticks_and_parameter_markers() {
        check_accepted(
            "SELECT `order id`, `Amount` FROM `main`.`sales`.`orders` WHERE region = :region AND order_date >= :start_date",
            "SELECT `order id`, `Amount` FROM `main`.`sales`.`orders` WHERE region = :region AND order_date >= :start_date",
        );
    }

    #[test]
    fn keeps_the_parsed_query() {
        let sanitized = sanitize("SELECT a FROM t -- c").unwrap();
        assert_eq!(sanitized.query().to_string(), "SELECT a FROM t");
        assert_eq!(sanitized.to_string(), "SELECT a FROM t");
        let (text, query) = sanitized.into_parts();
        assert_eq!(text, "SELECT a FROM t");
        assert!(matches!(*query.body, SetExpr::Select(_)));
    }

    /// Pieces of SQL that random sequences are built from.
    const FRAGMENTS: &[&str] = &[
        "SELECT",
        "a",
        "b.c",
        ",",
        "FROM",
        "t",
        "u x",
        "WHERE",
        "=",
        "1",
        "(",
        ")",
        "JOIN",
        "ON",
        "AND",
        "OR",
        "GROUP BY",
        "ORDER BY",
        "DESC",
        "-- c\n",
        "/* x */",
        ";",
        "'s'",
        "`b c`",
        "*",
        "SUM(a)",
        "COUNT(DISTINCT b)",
        "OVER (PARTITION BY a)",
        "WITH",
        "AS",
        "UNION ALL",
        "IN",
        "LIMIT 5",
        ":p",
        "QUALIFY",
        "HAVING",
        "${v}",
        "DROP TABLE t",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(512))]

        /// Whatever the text, the helpers answer without panicking, and an admitted
        /// query's cleaned text is admitted again unchanged and with the same facts.
        #[test]
        fn helpers_never_panic_and_cleaning_is_stable(
            pieces in proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..20),
        ) {
            let sql = pieces.join(" ");
            let _ = crate::sql::normalize(&sql);
            if let Ok(sanitized) = sanitize(&sql) {
                let again = sanitize(sanitized.as_str()).unwrap();
                proptest::prop_assert_eq!(again.as_str(), sanitized.as_str());
                proptest::prop_assert_eq!(
                    crate::sql::extract_from(&again),
                    crate::sql::extract_from(&sanitized)
                );
                proptest::prop_assert_eq!(
                    crate::sql::normalize(sanitized.as_str()),
                    crate::sql::normalize(&sql)
                );
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(256))]

        /// Well-formed queries with comments in random places are admitted, and
        /// their cleaned text holds no comment and reads the same facts.
        #[test]
        fn commented_queries_are_cleaned(
            items in proptest::sample::subsequence(
                vec!["o.region", "SUM(o.amount) AS total", "COUNT(DISTINCT c.id)", "`Net Amount`"], 1..4),
            join in proptest::bool::ANY,
            predicates in proptest::sample::subsequence(
                vec!["o.region = 'EMEA'", "o.amount > -5", "c.name LIKE '%a%'", "o.day >= :start"], 0..4),
            comments in proptest::collection::vec(
                proptest::sample::select(vec![" ", " -- note\n", " /* x */ ", "/*y*/", "\n  -- whole line\n  "]), 11),
            semicolons in 0_usize..3,
        ) {
            let from = if join {
                "FROM main.sales.orders o JOIN main.sales.customers c ON o.cid = c.id"
            } else {
                "FROM main.sales.orders o, main.sales.customers c"
            };
            let mut parts = vec!["SELECT".to_owned(), items.join(", "), from.to_owned()];
            if !predicates.is_empty() {
                parts.push(format!("WHERE {}", predicates.join(" AND ")));
            }
            let plain = parts.join(" ");
            let commented: String = parts
                .iter()
                .zip(&comments)
                .flat_map(|(part, comment)| [comment.to_string(), part.clone()])
                .collect::<String>()
                + comments[10]
                + &";".repeat(semicolons);
            let sanitized = sanitize(&commented).unwrap();
            proptest::prop_assert!(!sanitized.as_str().contains("--"));
            proptest::prop_assert!(!sanitized.as_str().contains("/*"));
            proptest::prop_assert_eq!(
                crate::sql::extract_from(&sanitized),
                crate::sql::extract(&plain).unwrap()
            );
            proptest::prop_assert_eq!(
                crate::sql::normalize(&commented).unwrap(),
                crate::sql::normalize(&plain).unwrap()
            );
        }
    }
}
