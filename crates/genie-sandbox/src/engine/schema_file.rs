//! Reading a fixture's `schema.sql` (the binding format): `CREATE SCHEMA`,
//! `CREATE TABLE`, `INSERT INTO … VALUES`, `COPY INTO … FROM 'file.csv' FILEFORMAT =
//! CSV FORMAT_OPTIONS ('header' = 'true')` (a CSV file of the fixture directory, see
//! [`super::csv_load`]), the metadata statements of [`super::metadata_parser`]
//! (`COMMENT ON`, `ALTER TABLE … SET TAGS`, `CREATE VIEW`, `CREATE FUNCTION`, …) and
//! `--` comments.

use datafusion::arrow::datatypes::DataType;
use sqlparser::ast::{ObjectName, SchemaName, Statement};
use sqlparser::dialect::DatabricksDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};

use super::error::EngineError;
use super::metadata_parser::{MetadataStatement, parse_metadata};
use super::types::arrow_type;

/// A three-part name, lowercased (Databricks names are case-insensitive).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct TableName {
    pub(crate) catalog: String,
    pub(crate) schema: String,
    pub(crate) table: String,
}

impl std::fmt::Display for TableName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.catalog, self.schema, self.table)
    }
}

/// One statement of `schema.sql`, in file order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum SchemaStatement {
    /// `CREATE SCHEMA [IF NOT EXISTS] cat.sch`.
    CreateSchema { catalog: String, schema: String },
    /// `CREATE TABLE cat.sch.t (col TYPE, …)`.
    CreateTable {
        name: TableName,
        columns: Vec<(String, DataType)>,
    },
    /// `INSERT INTO cat.sch.t [(cols)] VALUES …` of literal rows (typed without planning
    /// SQL): the table, the columns named (all, in order, when `None`), each row's cells
    /// as text (`None` is NULL).
    InsertRows {
        table: ObjectName,
        columns: Option<Vec<String>>,
        rows: Vec<Vec<Option<String>>>,
    },
    /// Any other `INSERT`, as SQL for the engine.
    Insert { sql: String },
    /// A metadata statement (`COMMENT ON`, `CREATE VIEW`, …) or `COPY INTO`.
    Metadata(Box<MetadataStatement>),
}

/// Parses `schema.sql`. Errors name the statement's position and line in the file.
pub(crate) fn parse_schema_file(text: &str) -> Result<Vec<(usize, SchemaStatement)>, EngineError> {
    let pieces = split_statements(text).map_err(|message| EngineError::SchemaFile {
        statement: 0,
        line: 0,
        message,
    })?;
    pieces
        .into_iter()
        .enumerate()
        .map(|(index, (line, sql))| {
            let error = |message: String| EngineError::SchemaFile {
                statement: index + 1,
                line,
                message,
            };
            if let Some(statement) = parse_metadata(&sql).map_err(error)? {
                return Ok((line, SchemaStatement::Metadata(Box::new(statement))));
            }
            let mut statements = Parser::parse_sql(&DatabricksDialect {}, &sql)
                .map_err(|parse| error(parse.to_string()))?;
            match (statements.pop(), statements.is_empty()) {
                (Some(statement), true) => convert(statement)
                    .map(|converted| (line, converted))
                    .map_err(error),
                _ => Err(error("expected exactly one statement".to_owned())),
            }
        })
        .collect()
}

/// Splits the file at top-level `;`, dropping `--` and `/* */` comments; each
/// statement comes with the line it starts on. Tokens are copied from the file as
/// written (by their spans), so a literal keeps its own escaping (`'St. Anne''s'`).
fn split_statements(text: &str) -> Result<Vec<(usize, String)>, String> {
    let tokens = Tokenizer::new(&DatabricksDialect {}, text)
        .tokenize_with_location()
        .map_err(|error| error.to_string())?;
    let offsets = LineOffsets::new(text);
    let mut statements = Vec::new();
    let mut current = String::new();
    let mut start_line = None;
    for token in tokens {
        match &token.token {
            Token::SemiColon => {
                if let Some(line) = start_line.take() {
                    statements.push((line, std::mem::take(&mut current)));
                }
                current.clear();
            }
            Token::Whitespace(
                Whitespace::SingleLineComment { .. } | Whitespace::MultiLineComment(_),
            ) => {
                current.push(' ');
            }
            Token::Whitespace(_) => current.push_str(offsets.slice(text, token.span)),
            _ => {
                if start_line.is_none() {
                    start_line = usize::try_from(token.span.start.line).ok();
                }
                current.push_str(offsets.slice(text, token.span));
            }
        }
    }
    if let Some(line) = start_line {
        statements.push((line, current));
    }
    Ok(statements)
}

/// Byte offsets of the file's line starts, to turn the tokenizer's (line, column)
/// locations back into slices of the text.
struct LineOffsets(Vec<usize>);

impl LineOffsets {
    fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        Self(starts)
    }

    /// The byte offset of a 1-based (line, column-in-characters) location.
    fn offset(&self, text: &str, location: sqlparser::tokenizer::Location) -> usize {
        let line_index = usize::try_from(location.line.saturating_sub(1)).unwrap_or(0);
        let Some(&line_start) = self.0.get(line_index) else {
            return text.len();
        };
        let column = usize::try_from(location.column.saturating_sub(1)).unwrap_or(0);
        text[line_start..]
            .char_indices()
            .nth(column)
            .map_or(text.len(), |(at, _)| line_start + at)
    }

    fn slice<'t>(&self, text: &'t str, span: sqlparser::tokenizer::Span) -> &'t str {
        let start = self.offset(text, span.start);
        let end = self.offset(text, span.end).max(start);
        &text[start..end]
    }
}

fn convert(statement: Statement) -> Result<SchemaStatement, String> {
    match statement {
        Statement::CreateSchema {
            schema_name: SchemaName::Simple(name),
            ..
        } => match parts(&name).as_slice() {
            [catalog, schema] => Ok(SchemaStatement::CreateSchema {
                catalog: catalog.clone(),
                schema: schema.clone(),
            }),
            _ => Err(format!("schema `{name}` must be named `catalog.schema`")),
        },
        Statement::CreateTable(create) => {
            let name = table_name(&create.name)?;
            if create.columns.is_empty() {
                return Err(format!("table `{name}` has no columns"));
            }
            let columns = create
                .columns
                .iter()
                .map(|column| {
                    let column_name = column.name.value.to_lowercase();
                    arrow_type(&column.data_type)
                        .map(|data_type| (column_name.clone(), data_type))
                        .ok_or_else(|| {
                            EngineError::UnsupportedType {
                                column: format!("{name}.{column_name}"),
                                type_name: column.data_type.to_string(),
                            }
                            .to_string()
                        })
                })
                .collect::<Result<_, _>>()?;
            Ok(SchemaStatement::CreateTable { name, columns })
        }
        Statement::Insert(insert) => {
            Ok(
                literal_rows(&insert).unwrap_or_else(|| SchemaStatement::Insert {
                    sql: Statement::Insert(insert).to_string(),
                }),
            )
        }
        other => Err(format!(
            "`{}` is not part of the schema.sql format (CREATE SCHEMA, CREATE TABLE, INSERT INTO, COPY INTO and metadata statements)",
            first_words(&other.to_string())
        )),
    }
}

/// `INSERT … VALUES` whose cells are all literals, as rows of text.
fn literal_rows(insert: &sqlparser::ast::Insert) -> Option<SchemaStatement> {
    use sqlparser::ast::{Expr, SetExpr, TableObject, UnaryOperator, Value};
    let TableObject::TableName(table) = &insert.table else {
        return None;
    };
    let SetExpr::Values(values) = insert.source.as_ref()?.body.as_ref() else {
        return None;
    };
    let cell = |expression: &Expr| -> Option<Option<String>> {
        Some(match expression {
            Expr::Value(value) => match &value.value {
                Value::Null => None,
                Value::Number(number, _) => Some(number.clone()),
                Value::Boolean(flag) => Some(flag.to_string()),
                Value::SingleQuotedString(text) | Value::DoubleQuotedString(text) => {
                    Some(text.clone())
                }
                _ => return None,
            },
            Expr::UnaryOp {
                op: UnaryOperator::Minus,
                expr,
            } => match expr.as_ref() {
                Expr::Value(value) => match &value.value {
                    Value::Number(number, _) => Some(format!("-{number}")),
                    _ => return None,
                },
                _ => return None,
            },
            Expr::TypedString(typed) => match &typed.value.value {
                Value::SingleQuotedString(text) => Some(text.clone()),
                _ => return None,
            },
            _ => return None,
        })
    };
    let rows = values
        .rows
        .iter()
        .map(|row| row.iter().map(cell).collect::<Option<Vec<_>>>())
        .collect::<Option<Vec<_>>>()?;
    let columns = (!insert.columns.is_empty()).then(|| {
        insert
            .columns
            .iter()
            .filter_map(|column| parts(column).pop())
            .collect()
    });
    Some(SchemaStatement::InsertRows {
        table: table.clone(),
        columns,
        rows,
    })
}

/// The lowercased parts of a possibly quoted name.
pub(crate) fn parts(name: &ObjectName) -> Vec<String> {
    name.0
        .iter()
        .map(|part| {
            part.as_ident()
                .map_or_else(|| part.to_string(), |ident| ident.value.clone())
                .to_lowercase()
        })
        .collect()
}

/// A three-part table name, or an error naming what was written.
pub(crate) fn table_name(name: &ObjectName) -> Result<TableName, String> {
    match parts(name).as_slice() {
        [catalog, schema, table] => Ok(TableName {
            catalog: catalog.clone(),
            schema: schema.clone(),
            table: table.clone(),
        }),
        _ => Err(format!(
            "table `{name}` must be named `catalog.schema.table`"
        )),
    }
}

fn first_words(sql: &str) -> String {
    sql.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_binding_format() {
        let statements = parse_schema_file(
            "-- a fixture\nCREATE SCHEMA IF NOT EXISTS main.sales;\n\
             CREATE TABLE main.sales.t (id INT, name STRING, amount DECIMAL(10,2), day DATE);\n\
             INSERT INTO main.sales.t VALUES (1, 'a', 1.50, DATE '2024-01-01');\n\
             COMMENT ON TABLE main.sales.t IS 'Orders';\n\
             COMMENT ON COLUMN main.sales.t.amount IS 'Net amount';\n",
        )
        .unwrap();
        let lines: Vec<usize> = statements.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, [2, 3, 4, 5, 6]);
        let statements: Vec<SchemaStatement> = statements
            .into_iter()
            .map(|(_, statement)| statement)
            .collect();
        assert_eq!(statements.len(), 5);
        assert_eq!(
            statements[0],
            SchemaStatement::CreateSchema {
                catalog: "main".into(),
                schema: "sales".into()
            }
        );
        let SchemaStatement::CreateTable { name, columns } = &statements[1] else {
            panic!("{statements:?}")
        };
        assert_eq!(name.to_string(), "main.sales.t");
        assert_eq!(
            columns[2],
            ("amount".to_owned(), DataType::Decimal128(10, 2))
        );
        assert!(
            matches!(&statements[4], SchemaStatement::Metadata(statement) if matches!(statement.as_ref(), MetadataStatement::CommentOnColumn { column, .. } if column == "amount"))
        );
    }

    #[test]
    fn literals_keep_their_escaping() {
        let statements = parse_schema_file(
            "CREATE TABLE main.s.t (name STRING, note STRING);\n\
             INSERT INTO main.s.t VALUES ('St. Anne''s', 'caf\u{e9} -- not a comment'), ('a;b', 'x');\n\
             COMMENT ON TABLE main.s.t IS 'Anne''s list';",
        )
        .unwrap();
        assert!(
            matches!(&statements[2].1, SchemaStatement::Metadata(statement) if matches!(statement.as_ref(), MetadataStatement::CommentOnTable { text: Some(text), .. } if text == "Anne's list")),
            "{statements:?}"
        );
        let SchemaStatement::InsertRows { rows, .. } = &statements[1].1 else {
            panic!("{statements:?}")
        };
        assert_eq!(
            rows,
            &[
                vec![
                    Some("St. Anne's".to_owned()),
                    Some("caf\u{e9} -- not a comment".to_owned())
                ],
                vec![Some("a;b".to_owned()), Some("x".to_owned())],
            ]
        );
    }

    #[test]
    fn errors_name_the_statement() {
        let error = parse_schema_file("CREATE SCHEMA main.s;\nDROP TABLE main.s.t;").unwrap_err();
        assert_eq!(
            error,
            EngineError::SchemaFile {
                statement: 2,
                line: 2,
                message: "`DROP TABLE main.s.t` is not part of the schema.sql format (CREATE SCHEMA, CREATE TABLE, INSERT INTO, COPY INTO and metadata statements)".into()
            }
        );
        let error = parse_schema_file("CREATE TABLE t (a INT);").unwrap_err();
        assert!(
            error
                .to_string()
                .contains("must be named `catalog.schema.table`"),
            "{error}"
        );
        let error = parse_schema_file("CREATE TABLE a.b.t (a GEOMETRY);").unwrap_err();
        assert!(
            error.to_string().contains("unsupported column type"),
            "{error}"
        );
    }
}
