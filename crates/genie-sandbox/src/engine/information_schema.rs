//! Unity Catalog's views of the metadata: each catalog's `information_schema` tables
//! and the result sets of `DESCRIBE TABLE` and `SHOW TBLPROPERTIES`.
//!
//! | `<catalog>.information_schema.` | columns |
//! |---|---|
//! | `tables` | `table_catalog, table_schema, table_name, table_type` (`MANAGED`, `VIEW` or `METRIC_VIEW`), `comment` |
//! | `columns` | `table_catalog, table_schema, table_name, column_name, ordinal_position` (from 0), `data_type` (`INT`, `LONG`, `DECIMAL`, …), `full_data_type` (`decimal(10,2)`), `is_nullable` (`YES`), `comment` |
//! | `table_tags` | `catalog_name, schema_name, table_name, tag_name, tag_value` |
//! | `column_tags` | `catalog_name, schema_name, table_name, column_name, tag_name, tag_value` |
//! | `routines` | `routine_catalog, routine_schema, routine_name, routine_type` (`FUNCTION`), `data_type` (`TABLE`), `comment` |
//!
//! The tables are rebuilt from the metadata after every change.

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int32Array, StringArray};
use datafusion::arrow::datatypes::{Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use genie_core::result::{Cell, Column, ColumnType, ResultSet};

use super::metadata::{Metadata, Relation, RelationKind};
use super::types::databricks_type;

/// A column of text cells (`None` is NULL).
type Texts = Vec<Option<String>>;

/// The `information_schema` tables of `catalog`, by name.
pub(crate) fn information_schema(
    metadata: &Metadata,
    catalog: &str,
) -> Result<Vec<(&'static str, RecordBatch)>, String> {
    let relations: Vec<&Relation> = metadata
        .relations
        .iter()
        .filter(|relation| relation.name.catalog == catalog)
        .collect();
    let mut tables: [Texts; 5] = Default::default();
    let mut columns: [Texts; 8] = Default::default();
    let mut positions = Vec::new();
    let mut table_tags: [Texts; 5] = Default::default();
    let mut column_tags: [Texts; 6] = Default::default();
    for relation in &relations {
        let name = &relation.name;
        let kind = match relation.kind {
            RelationKind::View => "VIEW",
            RelationKind::MetricView => "METRIC_VIEW",
            RelationKind::Table => "MANAGED",
        };
        push(
            &mut tables,
            [
                Some(name.catalog.clone()),
                Some(name.schema.clone()),
                Some(name.table.clone()),
                Some(kind.to_owned()),
                relation.comment.clone(),
            ],
        );
        for (key, value) in &relation.tags {
            push(
                &mut table_tags,
                [
                    Some(name.catalog.clone()),
                    Some(name.schema.clone()),
                    Some(name.table.clone()),
                    Some(key.clone()),
                    Some(value.clone()),
                ],
            );
        }
        for (position, column) in relation.columns.iter().enumerate() {
            let (type_name, type_text) = databricks_type(&column.data_type);
            positions.push(i32::try_from(position).unwrap_or(i32::MAX));
            push(
                &mut columns,
                [
                    Some(name.catalog.clone()),
                    Some(name.schema.clone()),
                    Some(name.table.clone()),
                    Some(column.name.clone()),
                    Some(type_name.to_owned()),
                    Some(type_text.to_lowercase()),
                    Some("YES".to_owned()),
                    column.comment.clone(),
                ],
            );
            for (key, value) in &column.tags {
                push(
                    &mut column_tags,
                    [
                        Some(name.catalog.clone()),
                        Some(name.schema.clone()),
                        Some(name.table.clone()),
                        Some(column.name.clone()),
                        Some(key.clone()),
                        Some(value.clone()),
                    ],
                );
            }
        }
    }
    let mut routines: [Texts; 6] = Default::default();
    for function in metadata
        .functions
        .iter()
        .filter(|function| function.name.catalog == catalog)
    {
        push(
            &mut routines,
            [
                Some(function.name.catalog.clone()),
                Some(function.name.schema.clone()),
                Some(function.name.table.clone()),
                Some("FUNCTION".to_owned()),
                Some("TABLE".to_owned()),
                function.text.comment.clone(),
            ],
        );
    }
    let [
        catalog_,
        schema,
        table,
        column,
        data_type,
        full_type,
        nullable,
        comment,
    ] = columns;
    let columns_batch = batch(
        &[
            "table_catalog",
            "table_schema",
            "table_name",
            "column_name",
            "ordinal_position",
            "data_type",
            "full_data_type",
            "is_nullable",
            "comment",
        ],
        vec![
            text_array(catalog_),
            text_array(schema),
            text_array(table),
            text_array(column),
            Arc::new(Int32Array::from(positions)),
            text_array(data_type),
            text_array(full_type),
            text_array(nullable),
            text_array(comment),
        ],
    )?;
    Ok(vec![
        (
            "tables",
            text_batch(
                &[
                    "table_catalog",
                    "table_schema",
                    "table_name",
                    "table_type",
                    "comment",
                ],
                tables,
            )?,
        ),
        ("columns", columns_batch),
        (
            "table_tags",
            text_batch(
                &[
                    "catalog_name",
                    "schema_name",
                    "table_name",
                    "tag_name",
                    "tag_value",
                ],
                table_tags,
            )?,
        ),
        (
            "column_tags",
            text_batch(
                &[
                    "catalog_name",
                    "schema_name",
                    "table_name",
                    "column_name",
                    "tag_name",
                    "tag_value",
                ],
                column_tags,
            )?,
        ),
        (
            "routines",
            text_batch(
                &[
                    "routine_catalog",
                    "routine_schema",
                    "routine_name",
                    "routine_type",
                    "data_type",
                    "comment",
                ],
                routines,
            )?,
        ),
    ])
}

/// `DESCRIBE TABLE`: `col_name, data_type, comment` per column; `EXTENDED` adds
/// Databricks' "# Detailed Table Information" rows.
pub(crate) fn describe(relation: &Relation, extended: bool) -> ResultSet {
    let mut rows: Vec<Vec<Cell>> = relation
        .columns
        .iter()
        .map(|column| {
            vec![
                Cell::String(column.name.clone()),
                Cell::String(databricks_type(&column.data_type).1.to_lowercase()),
                column.comment.clone().map_or(Cell::Null, Cell::String),
            ]
        })
        .collect();
    if extended {
        let text = |name: &str, value: String| {
            vec![
                Cell::String(name.to_owned()),
                Cell::String(value),
                Cell::Null,
            ]
        };
        let kind = match relation.kind {
            RelationKind::View => "VIEW",
            RelationKind::MetricView => "METRIC_VIEW",
            RelationKind::Table => "MANAGED",
        };
        rows.push(vec![
            Cell::String(String::new()),
            Cell::String(String::new()),
            Cell::Null,
        ]);
        rows.push(text("# Detailed Table Information", String::new()));
        rows.push(text("Catalog", relation.name.catalog.clone()));
        rows.push(text("Database", relation.name.schema.clone()));
        rows.push(text("Table", relation.name.table.clone()));
        rows.push(text("Type", kind.to_owned()));
        if let Some(comment) = &relation.comment {
            rows.push(text("Comment", comment.clone()));
        }
        let properties: Vec<String> = relation
            .properties
            .iter()
            .map(|(key, value)| format!("{key}={value}"))
            .collect();
        rows.push(text(
            "Table Properties",
            format!("[{}]", properties.join(",")),
        ));
    }
    text_result(&["col_name", "data_type", "comment"], rows)
}

/// `SHOW TABLES IN catalog.schema`: `database, tableName, isTemporary` per table or
/// view of the schema.
pub(crate) fn tables_of(metadata: &Metadata, catalog: &str, schema: &str) -> ResultSet {
    let rows = metadata
        .relations
        .iter()
        .filter(|relation| relation.name.catalog == catalog && relation.name.schema == schema)
        .map(|relation| {
            vec![
                Cell::String(schema.to_owned()),
                Cell::String(relation.name.table.clone()),
                Cell::Boolean(false),
            ]
        })
        .collect();
    let mut result = text_result(&["database", "tableName", "isTemporary"], rows);
    result.columns[2].column_type = ColumnType::Boolean;
    result
}

/// `SHOW TBLPROPERTIES`: `key, value` per property.
pub(crate) fn properties(relation: &Relation) -> ResultSet {
    let rows = relation
        .properties
        .iter()
        .map(|(key, value)| vec![Cell::String(key.clone()), Cell::String(value.clone())])
        .collect();
    text_result(&["key", "value"], rows)
}

fn text_result(names: &[&str], rows: Vec<Vec<Cell>>) -> ResultSet {
    ResultSet {
        columns: names
            .iter()
            .map(|name| Column {
                name: (*name).to_owned(),
                column_type: ColumnType::String,
            })
            .collect(),
        rows,
        truncated: false,
    }
}

fn push<const N: usize>(columns: &mut [Texts; N], row: [Option<String>; N]) {
    for (column, value) in columns.iter_mut().zip(row) {
        column.push(value);
    }
}

fn text_array(values: Texts) -> ArrayRef {
    Arc::new(StringArray::from(values))
}

fn text_batch<const N: usize>(
    names: &[&str; N],
    columns: [Texts; N],
) -> Result<RecordBatch, String> {
    batch(names, columns.into_iter().map(text_array).collect())
}

fn batch(names: &[&str], arrays: Vec<ArrayRef>) -> Result<RecordBatch, String> {
    let fields: Vec<Field> = names
        .iter()
        .zip(&arrays)
        .map(|(name, array)| Field::new(*name, array.data_type().clone(), true))
        .collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::datatypes::DataType;

    use super::*;
    use crate::engine::metadata_parser::parse_metadata;
    use crate::engine::schema_file::TableName;

    #[test]
    fn tables_columns_and_tags() {
        let mut metadata = Metadata::default();
        metadata.put_relation(Relation::new(
            TableName {
                catalog: "main".into(),
                schema: "s".into(),
                table: "t".into(),
            },
            RelationKind::Table,
            vec![
                ("a".into(), DataType::Int64),
                ("b".into(), DataType::Decimal128(10, 2)),
            ],
        ));
        for sql in [
            "COMMENT ON TABLE main.s.t IS 'Orders'",
            "COMMENT ON COLUMN main.s.t.b IS 'Amount'",
            "ALTER TABLE main.s.t SET TAGS ('domain' = 'sales')",
            "ALTER TABLE main.s.t ALTER COLUMN b SET TAGS ('unit' = 'usd')",
        ] {
            metadata
                .annotate(parse_metadata(sql).unwrap().unwrap())
                .unwrap();
        }
        let tables = information_schema(&metadata, "main").unwrap();
        let names: Vec<&str> = tables.iter().map(|(name, _)| *name).collect();
        assert_eq!(
            names,
            ["tables", "columns", "table_tags", "column_tags", "routines"]
        );
        assert_eq!(tables[0].1.num_rows(), 1);
        assert_eq!(tables[0].1.schema().field(4).data_type(), &DataType::Utf8);
        assert_eq!(tables[1].1.num_rows(), 2);
        assert_eq!(tables[2].1.num_rows(), 1);
        assert_eq!(tables[3].1.num_rows(), 1);
        assert!(
            information_schema(&metadata, "other").unwrap()[0]
                .1
                .num_rows()
                == 0
        );

        let described = describe(&metadata.relations[0], true);
        assert_eq!(
            described.rows[1],
            [
                Cell::String("b".into()),
                Cell::String("decimal(10,2)".into()),
                Cell::String("Amount".into())
            ]
        );
        assert!(
            described
                .rows
                .iter()
                .any(|row| row[0] == Cell::String("Comment".into())
                    && row[1] == Cell::String("Orders".into()))
        );
        assert_eq!(describe(&metadata.relations[0], false).rows.len(), 2);
    }
}
