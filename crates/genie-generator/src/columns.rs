//! What synthesis knows of a table: its columns with types and descriptions (from the
//! warehouse's `information_schema`, or the columns of an empty `SELECT *` when that is
//! unavailable), the space's labels, and a profile (row count, distinct values of each
//! text column) that tells categorical columns from unique ones.

use std::fmt::Write as _;

use genie_core::error::{PortError, PortErrorKind};
use genie_core::ports::{ExecuteOptions, Warehouse};
use genie_core::result::{Cell, ColumnType, ResultSet};
use genie_core::space::TableConfig;

/// How a column can be used by a templated question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColumnKind {
    /// Text (`STRING`, `VARCHAR`, `CHAR`): a candidate category.
    Text,
    /// A number: a candidate total.
    Number,
    /// Anything else (dates, booleans, nested types).
    Other,
}

/// One column of a table, as synthesis sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ColumnInfo {
    /// The column's name.
    pub(crate) name: String,
    /// The warehouse's type name (`STRING`, `DECIMAL`, …).
    pub(crate) type_name: String,
    /// Its kind.
    pub(crate) kind: ColumnKind,
    /// The warehouse comment, else the space's description.
    pub(crate) description: Option<String>,
    /// How a question names it: the space's first synonym, else the name in words.
    pub(crate) label: String,
    /// Distinct non-NULL values (text columns, when the profile ran).
    pub(crate) distinct: Option<u64>,
}

/// One table of the space, as synthesis sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TableInfo {
    /// The table's name as the space gives it (three-part).
    pub(crate) identifier: String,
    /// How a question names it: its last name part in words.
    pub(crate) label: String,
    /// The space's description of the table.
    pub(crate) description: Option<String>,
    /// Its columns, in warehouse order, without those the space excludes.
    pub(crate) columns: Vec<ColumnInfo>,
    /// Its row count, when the profile ran.
    pub(crate) row_count: Option<u64>,
}

/// Describes one table of the space. `Ok(None)` (with the reason logged) when the
/// warehouse cannot describe it; `Err` only for failures that are not about the table.
pub(crate) async fn describe_table(
    warehouse: &dyn Warehouse,
    table: &TableConfig,
    options: &ExecuteOptions,
) -> Result<Option<TableInfo>, PortError> {
    let identifier = table.identifier.as_str();
    let mut columns = match information_schema_columns(warehouse, identifier, options).await? {
        Some(columns) if !columns.is_empty() => columns,
        _ => {
            let probe = format!("SELECT * FROM {} LIMIT 0", quote_identifier(identifier));
            match warehouse.execute(&probe, options).await {
                Ok(result) => columns_of(&result),
                Err(error) if is_about_the_statement(&error) => {
                    tracing::warn!(table = identifier, reason = %error.message, "table skipped: the warehouse cannot describe it");
                    return Ok(None);
                }
                Err(error) => return Err(error),
            }
        }
    };
    columns.retain(|column| {
        !table
            .column(&column.name)
            .is_some_and(genie_core::space::ColumnConfig::is_excluded)
    });
    for column in &mut columns {
        let config = table.column(&column.name);
        if column.description.is_none() {
            column.description = config
                .map(genie_core::space::ColumnConfig::description_text)
                .filter(|text| !text.trim().is_empty());
        }
        column.label = config
            .and_then(|c| c.synonyms().first())
            .map_or_else(|| words(&column.name), |synonym| synonym.trim().to_owned());
    }
    let description = Some(table.description_text()).filter(|text| !text.trim().is_empty());
    let mut info = TableInfo {
        identifier: identifier.to_owned(),
        label: words(identifier.rsplit('.').next().unwrap_or(identifier)),
        description,
        columns,
        row_count: None,
    };
    profile(warehouse, &mut info, options).await?;
    Ok(Some(info))
}

/// A name in words: `_` and `-` become spaces, backticks go.
pub(crate) fn words(name: &str) -> String {
    name.trim_matches('`')
        .split(['_', '-', ' '])
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A dotted name with each part backtick-quoted when it is not a plain identifier.
pub(crate) fn quote_identifier(identifier: &str) -> String {
    identifier
        .split('.')
        .map(quote_part)
        .collect::<Vec<_>>()
        .join(".")
}

/// One name part, backtick-quoted when it is not a plain identifier.
pub(crate) fn quote_part(part: &str) -> String {
    let plain = part.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain || (part.starts_with('`') && part.ends_with('`') && part.len() > 1) {
        part.to_owned()
    } else {
        format!("`{}`", part.replace('`', "``"))
    }
}

/// The columns `information_schema` lists for a three-part name; `None` when the
/// name is not three-part or the statement fails (the caller falls back).
async fn information_schema_columns(
    warehouse: &dyn Warehouse,
    identifier: &str,
    options: &ExecuteOptions,
) -> Result<Option<Vec<ColumnInfo>>, PortError> {
    let parts: Vec<&str> = identifier.split('.').map(|p| p.trim_matches('`')).collect();
    let [catalog, schema, table] = parts.as_slice() else {
        return Ok(None);
    };
    let text = |value: &str| format!("'{}'", value.to_lowercase().replace('\'', "''"));
    let sql = format!(
        "SELECT column_name, data_type, comment FROM {}.information_schema.columns \
         WHERE table_schema = {} AND table_name = {} ORDER BY ordinal_position",
        quote_part(catalog),
        text(schema),
        text(table)
    );
    match warehouse.execute(&sql, options).await {
        Ok(result) => Ok(Some(
            result
                .rows
                .iter()
                .filter_map(|row| {
                    let name = cell_text(row.first()?)?;
                    let type_name = row.get(1).and_then(cell_text).unwrap_or_default();
                    Some(ColumnInfo {
                        kind: kind_of_type_name(&type_name),
                        description: row
                            .get(2)
                            .and_then(cell_text)
                            .filter(|t| !t.trim().is_empty()),
                        label: String::new(),
                        distinct: None,
                        name,
                        type_name,
                    })
                })
                .collect(),
        )),
        Err(error) if is_about_the_statement(&error) => Ok(None),
        Err(error) => Err(error),
    }
}

/// The columns of a result set, typed by the warehouse.
fn columns_of(result: &ResultSet) -> Vec<ColumnInfo> {
    result
        .columns
        .iter()
        .map(|column| {
            let kind = if column.column_type == ColumnType::String {
                ColumnKind::Text
            } else if column.column_type.is_numeric() {
                ColumnKind::Number
            } else {
                ColumnKind::Other
            };
            let type_name = type_name_of(&column.column_type).to_owned();
            ColumnInfo {
                name: column.name.clone(),
                type_name,
                kind,
                description: None,
                label: String::new(),
                distinct: None,
            }
        })
        .collect()
}

/// A column type's Databricks name (`DECIMAL`, `STRING`, …).
fn type_name_of(column_type: &ColumnType) -> &'static str {
    match column_type {
        ColumnType::Boolean => "BOOLEAN",
        ColumnType::Byte => "BYTE",
        ColumnType::Short => "SHORT",
        ColumnType::Int => "INT",
        ColumnType::Long => "LONG",
        ColumnType::Float => "FLOAT",
        ColumnType::Double => "DOUBLE",
        ColumnType::Decimal { .. } => "DECIMAL",
        ColumnType::String => "STRING",
        ColumnType::Date => "DATE",
        ColumnType::Timestamp => "TIMESTAMP",
        ColumnType::Binary => "BINARY",
        ColumnType::Interval => "INTERVAL",
        ColumnType::Null => "NULL",
        _ => "NESTED",
    }
}

/// The kind of a Databricks type name (`information_schema.columns.data_type`).
pub(crate) fn kind_of_type_name(type_name: &str) -> ColumnKind {
    let upper = type_name.trim().to_ascii_uppercase();
    match upper.split(['(', '<']).next().unwrap_or_default().trim() {
        "STRING" | "VARCHAR" | "CHAR" => ColumnKind::Text,
        "TINYINT" | "BYTE" | "SMALLINT" | "SHORT" | "INT" | "INTEGER" | "BIGINT" | "LONG"
        | "FLOAT" | "REAL" | "DOUBLE" | "DECIMAL" | "DEC" | "NUMERIC" => ColumnKind::Number,
        _ => ColumnKind::Other,
    }
}

/// Counts the table's rows and each text column's distinct values in one statement.
/// A failure about the statement leaves the profile empty (logged).
async fn profile(
    warehouse: &dyn Warehouse,
    table: &mut TableInfo,
    options: &ExecuteOptions,
) -> Result<(), PortError> {
    let mut sql = "SELECT COUNT(*) AS row_count".to_owned();
    let text_columns: Vec<usize> = (0..table.columns.len())
        .filter(|&i| table.columns[i].kind == ColumnKind::Text)
        .collect();
    for (position, &index) in text_columns.iter().enumerate() {
        let name = quote_part(&table.columns[index].name);
        write!(sql, ", COUNT(DISTINCT {name}) AS distinct_{position}")
            .expect("writing to a String cannot fail");
    }
    write!(sql, " FROM {}", quote_identifier(&table.identifier))
        .expect("writing to a String cannot fail");
    let result = match warehouse.execute(&sql, options).await {
        Ok(result) => result,
        Err(error) if is_about_the_statement(&error) => {
            tracing::warn!(table = %table.identifier, reason = %error.message, "table not profiled");
            return Ok(());
        }
        Err(error) => return Err(error),
    };
    let Some(row) = result.rows.first() else {
        return Ok(());
    };
    table.row_count = row.first().and_then(cell_count);
    for (position, &index) in text_columns.iter().enumerate() {
        table.columns[index].distinct = row.get(position + 1).and_then(cell_count);
    }
    Ok(())
}

/// A cell as text (strings and anything printed as text).
fn cell_text(cell: &Cell) -> Option<String> {
    match cell {
        Cell::String(text) | Cell::Other(text) | Cell::Decimal(text) => Some(text.clone()),
        Cell::Integer(value) => Some(value.to_string()),
        _ => None,
    }
}

/// A cell as a count.
fn cell_count(cell: &Cell) -> Option<u64> {
    match cell {
        Cell::Integer(value) => u64::try_from(*value).ok(),
        Cell::Decimal(text) | Cell::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// Whether a port error is about the statement (so the table, not the warehouse).
fn is_about_the_statement(error: &PortError) -> bool {
    matches!(
        error.kind,
        PortErrorKind::StatementFailed | PortErrorKind::InvalidRequest | PortErrorKind::NotFound
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_types() {
        assert_eq!(words("order_line-items"), "order line items");
        assert_eq!(quote_identifier("main.sales.orders"), "main.sales.orders");
        assert_eq!(
            quote_identifier("main.my-schema.1t"),
            "main.`my-schema`.`1t`"
        );
        assert_eq!(quote_identifier("main.`a b`.t"), "main.`a b`.t");
        assert_eq!(kind_of_type_name("decimal(10,2)"), ColumnKind::Number);
        assert_eq!(kind_of_type_name("LONG"), ColumnKind::Number);
        assert_eq!(kind_of_type_name("varchar(20)"), ColumnKind::Text);
        assert_eq!(kind_of_type_name("ARRAY<STRING>"), ColumnKind::Other);
        assert_eq!(kind_of_type_name("DATE"), ColumnKind::Other);
        assert_eq!(
            type_name_of(&ColumnType::Decimal {
                precision: 10,
                scale: 2
            }),
            "DECIMAL"
        );
    }
}
