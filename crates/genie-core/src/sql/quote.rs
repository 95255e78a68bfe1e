//! Quoting names and text for the statements this crate writes: Unity Catalog DDL
//! and `information_schema` queries.
//!
//! Every quoted form must read the same on Databricks and in sqlparser's Databricks
//! dialect (the sandbox's engine), so where the two disagree the text is refused
//! rather than written one way: Databricks treats a backslash in a string literal as an
//! escape and does not read a doubled quote as a quote, sqlparser does the opposite. A
//! string literal is therefore delimited by whichever quote the text does not hold, and
//! a text with a backslash or both quotes is [`SqlError::Unquotable`].

use super::error::SqlError;

/// The parts of a dotted name, backticks removed (`` `main`.sales.`order.s` `` gives
/// `main`, `sales`, `order.s`). A doubled backtick inside a quoted part is one
/// backtick.
pub fn name_parts(name: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut part = String::new();
    let mut chars = name.trim().chars().peekable();
    let mut quoted = false;
    while let Some(character) = chars.next() {
        match (character, quoted) {
            ('`', true) if chars.peek() == Some(&'`') => {
                chars.next();
                part.push('`');
            }
            ('`', _) => quoted = !quoted,
            ('.', false) => parts.push(std::mem::take(&mut part)),
            (other, _) => part.push(other),
        }
    }
    parts.push(part);
    parts
        .into_iter()
        .map(|part| part.trim().to_owned())
        .collect()
}

/// One name part in backticks, a backtick inside doubled: `` `order` ``.
pub fn quote_identifier(part: &str) -> String {
    format!("`{}`", part.replace('`', "``"))
}

/// A dotted name with every part in backticks: `main.sales.orders` becomes
/// `` `main`.`sales`.`orders` ``.
pub fn quote_name(name: &str) -> String {
    name_parts(name)
        .iter()
        .map(|part| quote_identifier(part))
        .collect::<Vec<_>>()
        .join(".")
}

/// `text` as a string literal: in single quotes, or in double quotes when it holds a
/// single quote.
pub fn string_literal(text: &str) -> Result<String, SqlError> {
    let refuse = |reason: &str| SqlError::Unquotable {
        text: text.chars().take(60).collect(),
        reason: reason.to_owned(),
    };
    if text.contains('\\') {
        return Err(refuse(
            "it holds a backslash, which Databricks reads as an escape and other parsers do not",
        ));
    }
    match (text.contains('\''), text.contains('"')) {
        (false, _) => Ok(format!("'{text}'")),
        (true, false) => Ok(format!("\"{text}\"")),
        (true, true) => Err(refuse("it holds both `'` and `\"`")),
    }
}

/// `text` between `$$` marks (a metric view's YAML body).
pub fn dollar_quoted(text: &str) -> Result<String, SqlError> {
    if text.contains("$$") {
        return Err(SqlError::Unquotable {
            text: text.chars().take(60).collect(),
            reason: "it holds `$$`".to_owned(),
        });
    }
    Ok(format!("$$\n{}\n$$", text.trim_matches('\n')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_on_dots_outside_backticks() {
        assert_eq!(name_parts("main.sales.orders"), ["main", "sales", "orders"]);
        assert_eq!(
            name_parts("`main`.sales.`order.s`"),
            ["main", "sales", "order.s"]
        );
        assert_eq!(name_parts("`a``b`"), ["a`b"]);
        assert_eq!(quote_name("main.sales.`a``b`"), "`main`.`sales`.`a``b`");
        assert_eq!(quote_identifier("region"), "`region`");
    }

    #[test]
    fn literals_pick_the_quote_the_text_lacks() {
        assert_eq!(string_literal("Orders").unwrap(), "'Orders'");
        assert_eq!(
            string_literal("customer's segment").unwrap(),
            "\"customer's segment\""
        );
        assert_eq!(string_literal("say \"hi\"").unwrap(), "'say \"hi\"'");
        assert!(matches!(
            string_literal("it's \"odd\""),
            Err(SqlError::Unquotable { .. })
        ));
        let error = string_literal(r"C:\data").unwrap_err();
        assert!(error.to_string().contains("backslash"), "{error}");
    }

    #[test]
    fn literals_read_back_through_the_parser() {
        use sqlparser::ast::{Expr, SelectItem, SetExpr, Statement, Value};
        for text in ["Orders", "customer's segment", "say \"hi\"", "two\nlines"] {
            let sql = format!("SELECT {}", string_literal(text).unwrap());
            let statements =
                sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::DatabricksDialect, &sql)
                    .unwrap();
            let Statement::Query(query) = &statements[0] else {
                panic!("{sql}");
            };
            let SetExpr::Select(select) = query.body.as_ref() else {
                panic!("{sql}");
            };
            let SelectItem::UnnamedExpr(Expr::Value(value)) = &select.projection[0] else {
                panic!("{sql}");
            };
            let read = match &value.value {
                Value::SingleQuotedString(read) | Value::DoubleQuotedString(read) => read,
                other => panic!("{other:?}"),
            };
            assert_eq!(read, text);
        }
    }

    #[test]
    fn dollar_quoting_refuses_the_marker() {
        assert_eq!(
            dollar_quoted("version: 1.1\n").unwrap(),
            "$$\nversion: 1.1\n$$"
        );
        assert!(dollar_quoted("a: $$").is_err());
    }
}
