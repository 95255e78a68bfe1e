//! Reading Unity Catalog metadata statements, which DataFusion does not run itself.
//!
//! Databricks' forms, read with sqlparser's parser primitives (its AST has no node for
//! most of them):
//!
//! - `COMMENT ON TABLE t IS '…' | NULL`, `COMMENT ON COLUMN t.c IS '…' | NULL`
//! - `ALTER TABLE t {ALTER | CHANGE} [COLUMN] c COMMENT '…'`
//! - `ALTER TABLE t SET TBLPROPERTIES ('k' = 'v', …)`, `… UNSET TBLPROPERTIES [IF EXISTS] ('k', …)`
//! - `ALTER TABLE t [{ALTER | CHANGE} [COLUMN] c] SET TAGS ('k' = 'v', …)`, `… UNSET TAGS ('k', …)`
//! - `ALTER VIEW v` with the same `SET`/`UNSET` `TBLPROPERTIES` and `TAGS` clauses (no column clause)
//! - `CREATE [OR REPLACE] VIEW [IF NOT EXISTS] v [COMMENT '…'] AS query`
//! - `CREATE [OR REPLACE] VIEW [IF NOT EXISTS] v [COMMENT '…'] WITH METRICS LANGUAGE YAML
//!   [COMMENT '…'] AS $$ yaml $$` (a metric view; no column list)
//! - `CREATE [OR REPLACE] FUNCTION f(p TYPE [DEFAULT e] [COMMENT '…'], …)
//!   RETURNS TABLE (c TYPE [COMMENT '…'], …) [COMMENT '…'] [LANGUAGE SQL]
//!   [[NOT] DETERMINISTIC] [CONTAINS SQL | READS SQL DATA] RETURN query`
//! - `DROP VIEW [IF EXISTS] v`, `DROP FUNCTION [IF EXISTS] f`
//! - `DESCRIBE FUNCTION [EXTENDED] f`, `DESCRIBE [TABLE] [EXTENDED] t`, `SHOW TBLPROPERTIES t`, `SHOW TABLES {IN | FROM} cat.sch`
//! - `COPY INTO t FROM 'file.csv' FILEFORMAT = CSV [FORMAT_OPTIONS ('k' = 'v', …)]`
//!
//! Anything else is a query for the engine ([`parse_metadata`] answers `None`).

use sqlparser::ast::{DataType as SqlType, Expr, ObjectName, Query, Value};
use sqlparser::dialect::DatabricksDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;

/// One metadata statement, names as written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum MetadataStatement {
    /// A table's or view's comment (`None` removes it).
    CommentOnTable {
        table: ObjectName,
        text: Option<String>,
    },
    /// A column's comment (`None` removes it).
    CommentOnColumn {
        table: ObjectName,
        column: String,
        text: Option<String>,
    },
    /// Table properties to set.
    SetProperties {
        table: ObjectName,
        properties: Vec<(String, String)>,
    },
    /// Table properties to remove.
    UnsetProperties {
        table: ObjectName,
        keys: Vec<String>,
        if_exists: bool,
    },
    /// Tags to set on a table (column `None`) or a column.
    SetTags {
        table: ObjectName,
        column: Option<String>,
        tags: Vec<(String, String)>,
    },
    /// Tags to remove from a table (column `None`) or a column.
    UnsetTags {
        table: ObjectName,
        column: Option<String>,
        keys: Vec<String>,
    },
    /// `CREATE VIEW`.
    CreateView {
        name: ObjectName,
        or_replace: bool,
        if_not_exists: bool,
        comment: Option<String>,
        query: Box<Query>,
    },
    /// `CREATE VIEW … WITH METRICS LANGUAGE YAML AS $$ … $$`.
    CreateMetricView {
        name: ObjectName,
        or_replace: bool,
        if_not_exists: bool,
        comment: Option<String>,
        yaml: String,
    },
    /// `CREATE FUNCTION … RETURNS TABLE`.
    CreateFunction {
        name: ObjectName,
        or_replace: bool,
        signature: Box<FunctionText>,
    },
    /// `DROP VIEW`.
    DropView { name: ObjectName, if_exists: bool },
    /// `DROP FUNCTION`.
    DropFunction { name: ObjectName, if_exists: bool },
    /// `DESCRIBE TABLE`.
    Describe { table: ObjectName, extended: bool },
    /// `DESCRIBE FUNCTION`.
    DescribeFunction { name: ObjectName, extended: bool },
    /// `SHOW TBLPROPERTIES`.
    ShowProperties { table: ObjectName },
    /// `SHOW TABLES IN cat.sch`.
    ShowTables { schema: ObjectName },
    /// `COPY INTO … FROM 'file' FILEFORMAT = CSV`.
    CopyInto {
        table: ObjectName,
        path: String,
        options: Vec<(String, String)>,
    },
}

/// A SQL table function as written: parameters, result columns, comment and body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FunctionText {
    pub(crate) parameters: Vec<ParameterText>,
    pub(crate) returns: Vec<(String, SqlType, Option<String>)>,
    pub(crate) comment: Option<String>,
    pub(crate) body: Query,
}

/// One parameter of a [`FunctionText`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ParameterText {
    pub(crate) name: String,
    pub(crate) sql_type: SqlType,
    pub(crate) default: Option<Expr>,
    pub(crate) comment: Option<String>,
}

/// Reads `sql` as a metadata statement; `Ok(None)` when it is none (a query), an error
/// in Databricks' words when it is one but malformed.
pub(crate) fn parse_metadata(sql: &str) -> Result<Option<MetadataStatement>, String> {
    let syntax = |error: ParserError| format!("[PARSE_SYNTAX_ERROR] {error}. SQLSTATE: 42601");
    let mut parser = Parser::new(&DatabricksDialect {})
        .try_with_sql(sql)
        .map_err(syntax)?;
    let statement = match statement(&mut parser) {
        Ok(Some(statement)) => statement,
        Ok(None) => return Ok(None),
        Err(error) => return Err(syntax(error)),
    };
    while parser.consume_token(&Token::SemiColon) {}
    if parser.peek_token().token != Token::EOF {
        return Err(format!(
            "[PARSE_SYNTAX_ERROR] Syntax error at or near `{}`: one statement expected. SQLSTATE: 42601",
            parser.peek_token().token
        ));
    }
    Ok(Some(statement))
}

fn statement(parser: &mut Parser<'_>) -> Result<Option<MetadataStatement>, ParserError> {
    if parser.parse_keywords(&[Keyword::COMMENT, Keyword::ON]) {
        return comment_on(parser).map(Some);
    }
    if parser.parse_keywords(&[Keyword::ALTER, Keyword::TABLE]) {
        return alter_table(parser, false);
    }
    if parser.parse_keywords(&[Keyword::ALTER, Keyword::VIEW]) {
        return alter_table(parser, true);
    }
    if parser.parse_keyword(Keyword::CREATE) {
        let or_replace = parser.parse_keywords(&[Keyword::OR, Keyword::REPLACE]);
        if parser.parse_keyword(Keyword::VIEW) {
            return create_view(parser, or_replace).map(Some);
        }
        if parser.parse_keyword(Keyword::FUNCTION) {
            return create_function(parser, or_replace).map(Some);
        }
        return Ok(None);
    }
    if parser.parse_keyword(Keyword::DROP) {
        let Some(kind) = parser.parse_one_of_keywords(&[Keyword::VIEW, Keyword::FUNCTION]) else {
            return Ok(None);
        };
        let if_exists = parser.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
        let name = parser.parse_object_name(false)?;
        return Ok(Some(if kind == Keyword::VIEW {
            MetadataStatement::DropView { name, if_exists }
        } else {
            MetadataStatement::DropFunction { name, if_exists }
        }));
    }
    if parser
        .parse_one_of_keywords(&[Keyword::DESCRIBE, Keyword::DESC])
        .is_some()
    {
        if parser.parse_keyword(Keyword::FUNCTION) {
            let extended = parser.parse_keyword(Keyword::EXTENDED);
            let name = parser.parse_object_name(false)?;
            return Ok(Some(MetadataStatement::DescribeFunction { name, extended }));
        }
        let _ = parser.parse_keyword(Keyword::TABLE);
        let extended = parser
            .parse_one_of_keywords(&[Keyword::EXTENDED, Keyword::FORMATTED])
            .is_some();
        let table = parser.parse_object_name(false)?;
        return Ok(Some(MetadataStatement::Describe { table, extended }));
    }
    if parser.parse_keywords(&[Keyword::SHOW, Keyword::TABLES]) {
        if parser
            .parse_one_of_keywords(&[Keyword::IN, Keyword::FROM])
            .is_none()
        {
            return parser.expected("IN catalog.schema", parser.peek_token());
        }
        let schema = parser.parse_object_name(false)?;
        return Ok(Some(MetadataStatement::ShowTables { schema }));
    }
    if parser.parse_keywords(&[Keyword::SHOW, Keyword::TBLPROPERTIES]) {
        let table = parser.parse_object_name(false)?;
        return Ok(Some(MetadataStatement::ShowProperties { table }));
    }
    if parser.parse_keywords(&[Keyword::COPY, Keyword::INTO]) {
        return copy_into(parser).map(Some);
    }
    Ok(None)
}

fn comment_on(parser: &mut Parser<'_>) -> Result<MetadataStatement, ParserError> {
    let is_column = match parser.parse_one_of_keywords(&[Keyword::TABLE, Keyword::COLUMN]) {
        Some(Keyword::TABLE) => false,
        Some(_) => true,
        None => return parser.expected("TABLE or COLUMN", parser.peek_token()),
    };
    let mut name = parser.parse_object_name(false)?;
    parser.expect_keyword_is(Keyword::IS)?;
    let text = if parser.parse_keyword(Keyword::NULL) {
        None
    } else {
        Some(parser.parse_literal_string()?)
    };
    if !is_column {
        return Ok(MetadataStatement::CommentOnTable { table: name, text });
    }
    let Some(column) = name.0.pop() else {
        return parser.expected("a column name", parser.peek_token());
    };
    Ok(MetadataStatement::CommentOnColumn {
        table: name,
        column: part_text(&column),
        text,
    })
}

/// An `ALTER TABLE` of comments, properties or tags; `None` for other operations
/// (`ADD COLUMN`, …), which are not metadata.
/// `ALTER TABLE` or (`view`) `ALTER VIEW`, which has the same property and tag clauses
/// but no column clause (a view's column comments are `COMMENT ON COLUMN`).
fn alter_table(
    parser: &mut Parser<'_>,
    view: bool,
) -> Result<Option<MetadataStatement>, ParserError> {
    let table = parser.parse_object_name(false)?;
    if view
        && matches!(
            parser.peek_token().token,
            Token::Word(ref word) if matches!(word.keyword, Keyword::ALTER | Keyword::CHANGE)
        )
    {
        return parser.expected(
            "SET or UNSET TBLPROPERTIES or TAGS after ALTER VIEW",
            parser.peek_token(),
        );
    }
    if parser
        .parse_one_of_keywords(&[Keyword::ALTER, Keyword::CHANGE])
        .is_some()
    {
        let _ = parser.parse_keyword(Keyword::COLUMN);
        let column = parser.parse_identifier()?.value;
        if parser.parse_keyword(Keyword::COMMENT) {
            let text = Some(parser.parse_literal_string()?);
            return Ok(Some(MetadataStatement::CommentOnColumn {
                table,
                column,
                text,
            }));
        }
        return tags(parser, table, Some(column));
    }
    if parser.parse_keywords(&[Keyword::SET, Keyword::TBLPROPERTIES]) {
        let properties = pairs(parser)?;
        return Ok(Some(MetadataStatement::SetProperties { table, properties }));
    }
    if parser.parse_keywords(&[Keyword::UNSET, Keyword::TBLPROPERTIES]) {
        let if_exists = parser.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
        let keys = keys(parser)?;
        return Ok(Some(MetadataStatement::UnsetProperties {
            table,
            keys,
            if_exists,
        }));
    }
    tags(parser, table, None)
}

/// `SET TAGS (…)` or `UNSET TAGS (…)` on a table or column; `None` for other
/// operations.
fn tags(
    parser: &mut Parser<'_>,
    table: ObjectName,
    column: Option<String>,
) -> Result<Option<MetadataStatement>, ParserError> {
    let set = match parser.parse_one_of_keywords(&[Keyword::SET, Keyword::UNSET]) {
        Some(Keyword::SET) => true,
        Some(_) => false,
        None => return Ok(None),
    };
    if !word(parser, "TAGS") {
        return Ok(None);
    }
    Ok(Some(if set {
        MetadataStatement::SetTags {
            table,
            column,
            tags: pairs(parser)?,
        }
    } else {
        MetadataStatement::UnsetTags {
            table,
            column,
            keys: keys(parser)?,
        }
    }))
}

fn create_view(
    parser: &mut Parser<'_>,
    or_replace: bool,
) -> Result<MetadataStatement, ParserError> {
    let if_not_exists = parser.parse_keywords(&[Keyword::IF, Keyword::NOT, Keyword::EXISTS]);
    let name = parser.parse_object_name(false)?;
    let mut comment = optional_comment(parser)?;
    if parser.parse_keywords(&[Keyword::WITH, Keyword::METRICS]) {
        parser.expect_keyword_is(Keyword::LANGUAGE)?;
        expect_word(parser, "YAML")?;
        if let Some(text) = optional_comment(parser)? {
            comment = Some(text);
        }
        parser.expect_keyword_is(Keyword::AS)?;
        let yaml = match parser.next_token().token {
            Token::DollarQuotedString(text) => text.value,
            Token::SingleQuotedString(text) => text,
            other => {
                return parser.expected(
                    "the metric view's YAML as $$ … $$",
                    sqlparser::tokenizer::TokenWithSpan::wrap(other),
                );
            }
        };
        return Ok(MetadataStatement::CreateMetricView {
            name,
            or_replace,
            if_not_exists,
            comment,
            yaml,
        });
    }
    parser.expect_keyword_is(Keyword::AS)?;
    let query = parser.parse_query()?;
    Ok(MetadataStatement::CreateView {
        name,
        or_replace,
        if_not_exists,
        comment,
        query,
    })
}

fn create_function(
    parser: &mut Parser<'_>,
    or_replace: bool,
) -> Result<MetadataStatement, ParserError> {
    let name = parser.parse_object_name(false)?;
    parser.expect_token(&Token::LParen)?;
    let parameters = if parser.consume_token(&Token::RParen) {
        Vec::new()
    } else {
        let parameters = parser.parse_comma_separated(|parser| {
            let name = parser.parse_identifier()?.value.to_lowercase();
            let sql_type = parser.parse_data_type()?;
            let default = if parser.parse_keyword(Keyword::DEFAULT) {
                Some(parser.parse_expr()?)
            } else {
                None
            };
            let comment = optional_comment(parser)?;
            Ok(ParameterText {
                name,
                sql_type,
                default,
                comment,
            })
        })?;
        parser.expect_token(&Token::RParen)?;
        parameters
    };
    parser.expect_keyword_is(Keyword::RETURNS)?;
    if !parser.parse_keyword(Keyword::TABLE) {
        return parser.expected(
            "RETURNS TABLE (only SQL table functions are supported here)",
            parser.peek_token(),
        );
    }
    parser.expect_token(&Token::LParen)?;
    let returns = parser.parse_comma_separated(|parser| {
        let name = parser.parse_identifier()?.value.to_lowercase();
        let sql_type = parser.parse_data_type()?;
        Ok((name, sql_type, optional_comment(parser)?))
    })?;
    parser.expect_token(&Token::RParen)?;
    let mut comment = None;
    loop {
        if parser.parse_keyword(Keyword::COMMENT) {
            comment = Some(parser.parse_literal_string()?);
        } else if parser.parse_keyword(Keyword::LANGUAGE) {
            expect_word(parser, "SQL")?;
        } else if parser.parse_keyword(Keyword::DETERMINISTIC)
            || parser.parse_keywords(&[Keyword::NOT, Keyword::DETERMINISTIC])
            || parser.parse_keywords(&[Keyword::CONTAINS, Keyword::SQL])
            || parser.parse_keywords(&[Keyword::READS, Keyword::SQL, Keyword::DATA])
        {
        } else {
            break;
        }
    }
    parser.expect_keyword_is(Keyword::RETURN)?;
    let body = *parser.parse_query()?;
    Ok(MetadataStatement::CreateFunction {
        name,
        or_replace,
        signature: Box::new(FunctionText {
            parameters,
            returns,
            comment,
            body,
        }),
    })
}

fn copy_into(parser: &mut Parser<'_>) -> Result<MetadataStatement, ParserError> {
    let table = parser.parse_object_name(false)?;
    parser.expect_keyword_is(Keyword::FROM)?;
    let path = parser.parse_literal_string()?;
    expect_word(parser, "FILEFORMAT")?;
    parser.expect_token(&Token::Eq)?;
    expect_word(parser, "CSV")?;
    let mut options = Vec::new();
    loop {
        if word(parser, "FORMAT_OPTIONS") {
            options.extend(pairs(parser)?);
        } else if word(parser, "COPY_OPTIONS") {
            pairs(parser)?;
        } else {
            break;
        }
    }
    Ok(MetadataStatement::CopyInto {
        table,
        path,
        options,
    })
}

fn optional_comment(parser: &mut Parser<'_>) -> Result<Option<String>, ParserError> {
    if parser.parse_keyword(Keyword::COMMENT) {
        Ok(Some(parser.parse_literal_string()?))
    } else {
        Ok(None)
    }
}

/// `('k' = 'v', …)`; a key without a value gets an empty one (a key-only tag).
fn pairs(parser: &mut Parser<'_>) -> Result<Vec<(String, String)>, ParserError> {
    parser.expect_token(&Token::LParen)?;
    let pairs = parser.parse_comma_separated(|parser| {
        let key = key(parser)?;
        let value = if parser.consume_token(&Token::Eq) {
            literal(parser)?
        } else if matches!(parser.peek_token().token, Token::Comma | Token::RParen) {
            String::new()
        } else {
            literal(parser)?
        };
        Ok((key, value))
    })?;
    parser.expect_token(&Token::RParen)?;
    Ok(pairs)
}

/// `('k', …)`.
fn keys(parser: &mut Parser<'_>) -> Result<Vec<String>, ParserError> {
    parser.expect_token(&Token::LParen)?;
    let keys = parser.parse_comma_separated(key)?;
    parser.expect_token(&Token::RParen)?;
    Ok(keys)
}

/// A property or tag key: a string literal or a dotted name (`delta.appendOnly`).
fn key(parser: &mut Parser<'_>) -> Result<String, ParserError> {
    if let Token::SingleQuotedString(text) = parser.peek_token().token {
        parser.next_token();
        return Ok(text);
    }
    let mut key = parser.parse_identifier()?.value;
    while parser.consume_token(&Token::Period) {
        key.push('.');
        key.push_str(&parser.parse_identifier()?.value);
    }
    Ok(key)
}

/// A literal value as text: a string, a number or a boolean.
fn literal(parser: &mut Parser<'_>) -> Result<String, ParserError> {
    let value = parser.parse_value()?;
    match value.value {
        Value::SingleQuotedString(text) | Value::DoubleQuotedString(text) => Ok(text),
        Value::Number(number, _) => Ok(number),
        Value::Boolean(flag) => Ok(flag.to_string()),
        other => Err(ParserError::ParserError(format!(
            "Expected: a string, number or boolean, found: {other}"
        ))),
    }
}

/// Consumes the word `expected` (any case) when it comes next.
fn word(parser: &mut Parser<'_>, expected: &str) -> bool {
    match parser.peek_token().token {
        Token::Word(word)
            if word.quote_style.is_none() && word.value.eq_ignore_ascii_case(expected) =>
        {
            parser.next_token();
            true
        }
        _ => false,
    }
}

fn expect_word(parser: &mut Parser<'_>, expected: &str) -> Result<(), ParserError> {
    if word(parser, expected) {
        Ok(())
    } else {
        parser.expected(expected, parser.peek_token())
    }
}

/// A name part's text, lowercased (Databricks names are case-insensitive).
fn part_text(part: &sqlparser::ast::ObjectNamePart) -> String {
    part.as_ident()
        .map_or_else(|| part.to_string(), |ident| ident.value.clone())
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(sql: &str) -> MetadataStatement {
        parse_metadata(sql)
            .unwrap_or_else(|error| panic!("{sql}: {error}"))
            .unwrap_or_else(|| panic!("{sql}: not a metadata statement"))
    }

    #[test]
    fn comments() {
        assert_eq!(
            parse("COMMENT ON TABLE main.s.t IS 'Orders';"),
            MetadataStatement::CommentOnTable {
                table: ObjectName::from(vec!["main".into(), "s".into(), "t".into()]),
                text: Some("Orders".into())
            }
        );
        assert!(matches!(
            parse("comment on table main.s.t is null"),
            MetadataStatement::CommentOnTable { text: None, .. }
        ));
        let MetadataStatement::CommentOnColumn {
            table,
            column,
            text,
        } = parse("COMMENT ON COLUMN main.s.t.Amount IS 'Net'")
        else {
            panic!()
        };
        assert_eq!(
            (table.to_string(), column, text),
            ("main.s.t".into(), "amount".into(), Some("Net".into()))
        );
        let MetadataStatement::CommentOnColumn { column, text, .. } =
            parse("ALTER TABLE main.s.t ALTER COLUMN amount COMMENT 'Net amount'")
        else {
            panic!()
        };
        assert_eq!((column, text), ("amount".into(), Some("Net amount".into())));
        assert!(matches!(
            parse("ALTER TABLE main.s.t CHANGE amount COMMENT 'x'"),
            MetadataStatement::CommentOnColumn { .. }
        ));
    }

    #[test]
    fn properties_and_tags() {
        assert_eq!(
            parse(
                "ALTER TABLE main.s.t SET TBLPROPERTIES ('owner.team' = 'sales', delta.appendOnly = true, 'n' 3)"
            ),
            MetadataStatement::SetProperties {
                table: ObjectName::from(vec!["main".into(), "s".into(), "t".into()]),
                properties: vec![
                    ("owner.team".into(), "sales".into()),
                    ("delta.appendOnly".into(), "true".into()),
                    ("n".into(), "3".into())
                ]
            }
        );
        assert!(matches!(
            parse("ALTER TABLE main.s.t UNSET TBLPROPERTIES IF EXISTS ('a', 'b')"),
            MetadataStatement::UnsetProperties { if_exists: true, keys, .. } if keys == ["a", "b"]
        ));
        assert!(matches!(
            parse("ALTER TABLE main.s.t SET TAGS ('pii' = 'none', 'certified')"),
            MetadataStatement::SetTags { column: None, tags, .. }
                if tags == [("pii".to_owned(), "none".to_owned()), ("certified".to_owned(), String::new())]
        ));
        assert!(matches!(
            parse("ALTER TABLE main.s.t ALTER COLUMN c SET TAGS ('pii' = 'email')"),
            MetadataStatement::SetTags { column: Some(c), .. } if c == "c"
        ));
        assert!(matches!(
            parse("ALTER TABLE main.s.t ALTER COLUMN c UNSET TAGS ('pii')"),
            MetadataStatement::UnsetTags { column: Some(_), keys, .. } if keys == ["pii"]
        ));
        assert!(matches!(
            parse("ALTER TABLE main.s.t UNSET TAGS ('pii')"),
            MetadataStatement::UnsetTags { column: None, .. }
        ));
        // Views take the same property and tag clauses, and no column clause.
        assert!(matches!(
            parse("ALTER VIEW main.s.v SET TAGS ('pii' = 'none')"),
            MetadataStatement::SetTags { column: None, .. }
        ));
        assert!(matches!(
            parse("ALTER VIEW main.s.v UNSET TBLPROPERTIES IF EXISTS ('a')"),
            MetadataStatement::UnsetProperties {
                if_exists: true,
                ..
            }
        ));
        assert!(parse_metadata("ALTER VIEW main.s.v ALTER COLUMN c SET TAGS ('a' = 'b')").is_err());
    }

    #[test]
    fn views_and_functions() {
        let MetadataStatement::CreateView {
            name,
            or_replace,
            comment,
            query,
            ..
        } = parse(
            "CREATE OR REPLACE VIEW main.s.v COMMENT 'Big orders' AS SELECT * FROM main.s.t WHERE a > 1",
        )
        else {
            panic!()
        };
        assert_eq!(name.to_string(), "main.s.v");
        assert!(or_replace);
        assert_eq!(comment.as_deref(), Some("Big orders"));
        assert_eq!(query.to_string(), "SELECT * FROM main.s.t WHERE a > 1");
        let MetadataStatement::CreateFunction {
            name, signature, ..
        } = parse(
            "CREATE FUNCTION main.s.f(p_region STRING COMMENT 'region code', p_min INT DEFAULT 0) \
             RETURNS TABLE (region STRING, total DECIMAL(12,2) COMMENT 'sum') \
             COMMENT 'Totals' LANGUAGE SQL DETERMINISTIC READS SQL DATA \
             RETURN SELECT region, SUM(amount) FROM main.s.t WHERE region = p_region GROUP BY region",
        )
        else {
            panic!()
        };
        assert_eq!(name.to_string(), "main.s.f");
        assert_eq!(signature.parameters.len(), 2);
        assert_eq!(
            signature.parameters[0].comment.as_deref(),
            Some("region code")
        );
        assert!(signature.parameters[1].default.is_some());
        assert_eq!(signature.returns[1].1.to_string(), "DECIMAL(12,2)");
        assert_eq!(signature.comment.as_deref(), Some("Totals"));
        assert!(signature.body.to_string().starts_with("SELECT region"));
    }

    #[test]
    fn metric_views() {
        let MetadataStatement::CreateMetricView {
            name,
            or_replace,
            comment,
            yaml,
            ..
        } = parse(
            "CREATE OR REPLACE VIEW main.s.mv WITH METRICS LANGUAGE YAML COMMENT 'Metrics' \
             AS $$\nversion: 0.1\nsource: main.s.t\n$$",
        )
        else {
            panic!()
        };
        assert_eq!(name.to_string(), "main.s.mv");
        assert!(or_replace);
        assert_eq!(comment.as_deref(), Some("Metrics"));
        assert_eq!(yaml, "\nversion: 0.1\nsource: main.s.t\n");
        assert!(matches!(
            parse("CREATE VIEW main.s.mv COMMENT 'm' WITH METRICS LANGUAGE YAML AS 'version: 1'"),
            MetadataStatement::CreateMetricView { comment: Some(c), yaml, .. }
                if c == "m" && yaml == "version: 1"
        ));
        for sql in [
            "CREATE VIEW main.s.mv WITH METRICS LANGUAGE SQL AS $$x$$",
            "CREATE VIEW main.s.mv WITH METRICS LANGUAGE YAML AS SELECT 1",
        ] {
            let error = parse_metadata(sql).unwrap_err();
            assert!(error.starts_with("[PARSE_SYNTAX_ERROR]"), "{sql}: {error}");
        }
    }

    #[test]
    fn describe_show_and_copy() {
        assert!(matches!(
            parse("DESCRIBE TABLE main.s.t"),
            MetadataStatement::Describe {
                extended: false,
                ..
            }
        ));
        assert!(matches!(
            parse("DESCRIBE FUNCTION EXTENDED main.s.f"),
            MetadataStatement::DescribeFunction { extended: true, .. }
        ));
        assert!(matches!(
            parse("DESC EXTENDED main.s.t"),
            MetadataStatement::Describe { extended: true, .. }
        ));
        assert!(matches!(
            parse("DROP VIEW IF EXISTS main.s.v"),
            MetadataStatement::DropView {
                if_exists: true,
                ..
            }
        ));
        assert!(matches!(
            parse("DROP FUNCTION main.s.f"),
            MetadataStatement::DropFunction {
                if_exists: false,
                ..
            }
        ));
        assert!(matches!(
            parse("SHOW TABLES IN main.s"),
            MetadataStatement::ShowTables { schema } if schema.to_string() == "main.s"
        ));
        assert!(matches!(
            parse("SHOW TBLPROPERTIES main.s.t"),
            MetadataStatement::ShowProperties { .. }
        ));
        assert_eq!(
            parse(
                "COPY INTO main.s.t FROM 'orders.csv' FILEFORMAT = CSV FORMAT_OPTIONS ('header' = 'true', 'sep' = ',')"
            ),
            MetadataStatement::CopyInto {
                table: ObjectName::from(vec!["main".into(), "s".into(), "t".into()]),
                path: "orders.csv".into(),
                options: vec![("header".into(), "true".into()), ("sep".into(), ",".into())]
            }
        );
    }

    #[test]
    fn queries_are_not_metadata() {
        for sql in [
            "SELECT 1",
            "INSERT INTO main.s.t VALUES (1)",
            "DROP TABLE main.s.t",
            "ALTER TABLE main.s.t DROP COLUMN c",
            "ALTER TABLE main.s.t ALTER COLUMN c SET NOT NULL",
            "CREATE TABLE main.s.t (a INT)",
            "WITH x AS (SELECT 1) SELECT * FROM x",
        ] {
            assert_eq!(parse_metadata(sql), Ok(None), "{sql}");
        }
    }

    #[test]
    fn malformed_statements_are_syntax_errors() {
        for sql in [
            "COMMENT ON TABLE main.s.t IS 42",
            "COMMENT ON VIEW main.s.t IS 'x'",
            "ALTER TABLE main.s.t SET TAGS 'x'",
            "CREATE FUNCTION main.s.f(a INT) RETURNS INT RETURN a + 1",
            "COPY INTO main.s.t FROM 'x.json' FILEFORMAT = JSON",
            "DESCRIBE TABLE main.s.t extra words",
        ] {
            let error = parse_metadata(sql).unwrap_err();
            assert!(error.starts_with("[PARSE_SYNTAX_ERROR]"), "{sql}: {error}");
        }
    }
}
