//! Running metadata statements on an [`Engine`]: reading (`DESCRIBE [FUNCTION]`,
//! `SHOW TBLPROPERTIES`, `SHOW TABLES`), annotating (comments, properties, tags),
//! creating and dropping views, metric views ([`metric_view`]) and SQL table functions,
//! and loading CSV files (`COPY INTO`, from `schema.sql` only).

mod metric_view;

use std::path::Path;

use datafusion::arrow::datatypes::DataType;
use datafusion::dataframe::DataFrameWriteOptions;
use genie_core::result::{Cell, Column, ColumnType, ResultSet};
use sqlparser::ast::{ObjectName, Query};

use super::csv_load::read_csv;
use super::information_schema::{describe, properties, tables_of};
use super::metadata::{Relation, RelationKind, full_name, not_found};
use super::metadata_parser::{FunctionText, MetadataStatement};
use super::schema_file::TableName;
use super::spark_compat::query_to_engine_sql;
use super::sql_engine::{Engine, databricks_message};
use super::table_functions::FunctionDefinition;
use super::typed_rows::typed_batch;
use super::types::arrow_type;

/// `name` as Databricks quotes it in messages: `` `a`.`b`.`c` ``.
fn quoted(name: &ObjectName) -> String {
    super::schema_file::parts(name)
        .iter()
        .map(|part| format!("`{part}`"))
        .collect::<Vec<_>>()
        .join(".")
}

/// Databricks' error for a function that does not exist.
fn routine_not_found(name: &ObjectName) -> String {
    format!(
        "[ROUTINE_NOT_FOUND] The routine {} cannot be found. Verify the spelling and \
         correctness of the schema and catalog. SQLSTATE: 42883",
        quoted(name)
    )
}

/// A change's answer: no columns, no rows.
fn done() -> ResultSet {
    ResultSet {
        columns: Vec::new(),
        rows: Vec::new(),
        truncated: false,
    }
}

impl Engine {
    /// Runs a metadata statement other than `COPY INTO`.
    pub(super) async fn run_metadata(
        &self,
        statement: MetadataStatement,
    ) -> Result<ResultSet, String> {
        match statement {
            MetadataStatement::Describe { table, extended } => {
                Ok(describe(self.read().resolve(&table)?, extended))
            }
            MetadataStatement::ShowProperties { table } => {
                Ok(properties(self.read().resolve(&table)?))
            }
            MetadataStatement::DescribeFunction { name, extended } => {
                let metadata = self.read();
                let function = full_name(&name)
                    .and_then(|wanted| metadata.functions.iter().find(|f| f.name == wanted))
                    .ok_or_else(|| routine_not_found(&name))?;
                let rows = function
                    .describe(extended)
                    .into_iter()
                    .map(|line| vec![Cell::String(line)])
                    .collect();
                Ok(ResultSet {
                    columns: vec![Column {
                        name: "function_desc".to_owned(),
                        column_type: ColumnType::String,
                    }],
                    rows,
                    truncated: false,
                })
            }
            MetadataStatement::ShowTables { schema } => {
                match super::schema_file::parts(&schema).as_slice() {
                    [catalog, name]
                        if self
                            .context
                            .catalog(catalog)
                            .and_then(|provider| provider.schema(name))
                            .is_some() =>
                    {
                        Ok(tables_of(&self.read(), catalog, name))
                    }
                    _ => Err(format!(
                        "[SCHEMA_NOT_FOUND] The schema {} cannot be found. SQLSTATE: 42704",
                        quoted(&schema)
                    )),
                }
            }
            MetadataStatement::CreateView {
                name,
                or_replace,
                if_not_exists,
                comment,
                query,
            } => {
                let _change = self.changes.lock().await;
                if self
                    .create_view(&name, or_replace, if_not_exists, comment, &query)
                    .await?
                {
                    self.changed()?;
                }
                Ok(done())
            }
            MetadataStatement::CreateMetricView {
                name,
                or_replace,
                if_not_exists,
                comment,
                yaml,
            } => {
                let _change = self.changes.lock().await;
                if self
                    .create_metric_view(&name, or_replace, if_not_exists, comment, &yaml)
                    .await?
                {
                    self.changed()?;
                }
                Ok(done())
            }
            MetadataStatement::CreateFunction {
                name,
                or_replace,
                signature,
            } => {
                let _change = self.changes.lock().await;
                self.create_function(&name, or_replace, *signature).await?;
                self.changed()?;
                Ok(done())
            }
            MetadataStatement::DropView { name, if_exists } => {
                let _change = self.changes.lock().await;
                if self.drop_view(&name, if_exists).await? {
                    self.changed()?;
                }
                Ok(done())
            }
            MetadataStatement::DropFunction { name, if_exists } => {
                let _change = self.changes.lock().await;
                let removed = full_name(&name)
                    .is_some_and(|function| self.write().remove_function(&function));
                if removed {
                    self.changed()?;
                } else if !if_exists {
                    return Err(routine_not_found(&name));
                }
                Ok(done())
            }
            MetadataStatement::CopyInto { .. } => Err(
                "[NOT_SUPPORTED_COMMAND] COPY INTO runs only in a fixture's schema.sql".to_owned(),
            ),
            annotation => {
                let _change = self.changes.lock().await;
                self.write().annotate(annotation)?;
                self.changed()?;
                Ok(done())
            }
        }
    }

    /// The three-part name `name` spells, whose schema exists.
    pub(super) fn new_name(&self, name: &ObjectName) -> Result<TableName, String> {
        let table = full_name(name).ok_or_else(|| {
            format!(
                "[REQUIRES_SINGLE_PART_NAMESPACE] `{name}` must be named `catalog.schema.name` \
                 in the sandbox. SQLSTATE: 42K05"
            )
        })?;
        let schema_exists = self
            .context
            .catalog(&table.catalog)
            .and_then(|catalog| catalog.schema(&table.schema))
            .is_some();
        if !schema_exists {
            return Err(format!(
                "[SCHEMA_NOT_FOUND] The schema `{}`.`{}` cannot be found. SQLSTATE: 42704",
                table.catalog, table.schema
            ));
        }
        Ok(table)
    }

    /// Creates (or replaces) a view; whether anything changed.
    async fn create_view(
        &self,
        name: &ObjectName,
        or_replace: bool,
        if_not_exists: bool,
        comment: Option<String>,
        query: &Query,
    ) -> Result<bool, String> {
        let view = self.new_name(name)?;
        let existing = self.read().relation(&view).map(|relation| relation.kind);
        match existing {
            Some(RelationKind::View) if if_not_exists => return Ok(false),
            Some(RelationKind::View) if or_replace => {}
            Some(_) => {
                return Err(format!(
                    "[TABLE_OR_VIEW_ALREADY_EXISTS] Cannot create view `{}`.`{}`.`{}` because it \
                     already exists. Choose a different name, drop or replace the existing \
                     object, or add the IF NOT EXISTS clause to tolerate pre-existing objects. \
                     SQLSTATE: 42P07",
                    view.catalog, view.schema, view.table
                ));
            }
            None => {}
        }
        let body = {
            let metadata = self.read();
            query_to_engine_sql(query, &metadata.functions, &metadata.metric_views)?
        };
        let frame = self
            .context
            .sql(&format!("CREATE OR REPLACE VIEW {view} AS {body}"))
            .await
            .map_err(|error| databricks_message(&error))?;
        frame
            .collect()
            .await
            .map_err(|error| databricks_message(&error))?;
        let schema = self
            .context
            .table(view.to_string())
            .await
            .map_err(|error| databricks_message(&error))?
            .schema()
            .clone();
        let columns = schema
            .fields()
            .iter()
            .map(|field| (field.name().to_lowercase(), field.data_type().clone()))
            .collect();
        let mut relation = Relation::new(view, RelationKind::View, columns);
        relation.comment = comment;
        self.write().put_relation(relation);
        Ok(true)
    }

    /// Drops the view `name`; whether there was one.
    async fn drop_view(&self, name: &ObjectName, if_exists: bool) -> Result<bool, String> {
        let existing = full_name(name).and_then(|view| {
            self.read()
                .relation(&view)
                .map(|relation| (view, relation.kind))
        });
        let view = match existing {
            Some((view, RelationKind::View)) => view,
            Some((view, RelationKind::MetricView)) => {
                return Ok(self.write().remove_relation(&view));
            }
            Some((table, _)) => {
                return Err(format!(
                    "[WRONG_COMMAND_FOR_OBJECT_TYPE] The operation DROP VIEW requires a VIEW. \
                     But `{table}` is a TABLE. Use DROP TABLE instead. SQLSTATE: 42809"
                ));
            }
            None if if_exists => return Ok(false),
            None => return Err(not_found(name)),
        };
        self.context
            .sql(&format!("DROP VIEW {view}"))
            .await
            .map_err(|error| databricks_message(&error))?
            .collect()
            .await
            .map_err(|error| databricks_message(&error))?;
        Ok(self.write().remove_relation(&view))
    }

    async fn create_function(
        &self,
        name: &ObjectName,
        or_replace: bool,
        text: FunctionText,
    ) -> Result<(), String> {
        let function = self.new_name(name)?;
        let exists = self
            .read()
            .functions
            .iter()
            .any(|existing| existing.name == function);
        if exists && !or_replace {
            return Err(format!(
                "[ROUTINE_ALREADY_EXISTS] Cannot create the function `{}`.`{}`.`{}` because it \
                 already exists. Choose a different name, drop or replace the existing routine. \
                 SQLSTATE: 42723",
                function.catalog, function.schema, function.table
            ));
        }
        let types = text
            .parameters
            .iter()
            .map(|parameter| (&parameter.name, &parameter.sql_type))
            .chain(
                text.returns
                    .iter()
                    .map(|(name, sql_type, _)| (name, sql_type)),
            );
        for (column, sql_type) in types {
            if arrow_type(sql_type).is_none() {
                return Err(format!(
                    "[UNSUPPORTED_DATATYPE] Unsupported data type `{sql_type}` of `{column}` in \
                     `{function}`. SQLSTATE: 0A000"
                ));
            }
        }
        let definition = FunctionDefinition {
            name: function,
            text,
        };
        // The body must plan with every parameter NULL and return the declared columns;
        // it is expanded with this definition in place, so calls back into it are found.
        let body = definition.body_with(&definition.null_arguments())?;
        let mut functions = self.read().functions.clone();
        functions.retain(|existing| existing.name != definition.name);
        functions.push(definition.clone());
        let sql = query_to_engine_sql(&body, &functions, &self.read().metric_views)?;
        let frame = self
            .context
            .sql(&sql)
            .await
            .map_err(|error| databricks_message(&error))?;
        let produced = frame.schema().fields().len();
        let declared = definition.text.returns.len();
        if produced != declared {
            return Err(format!(
                "[USER_DEFINED_FUNCTIONS.RETURN_COLUMN_COUNT_MISMATCH] The number of columns \
                 produced by the RETURN clause (num: `{produced}`) does not match the number of \
                 column names specified by the RETURNS clause (num: `{declared}`) of \
                 `{}`. SQLSTATE: 42601",
                definition.name
            ));
        }
        for ((column, sql_type, _), field) in
            definition.text.returns.iter().zip(frame.schema().fields())
        {
            let castable = arrow_type(sql_type).is_some_and(|declared| {
                datafusion::arrow::compute::can_cast_types(field.data_type(), &declared)
            });
            if !castable {
                return Err(format!(
                    "[DATATYPE_MISMATCH] column `{column}` of `{}` is declared {sql_type} but the \
                     body returns {}. SQLSTATE: 42K09",
                    definition.name,
                    field.data_type()
                ));
            }
        }
        self.write().put_function(definition);
        Ok(())
    }

    /// Appends literal rows to `table`: each row's cells for `columns` (all the table's
    /// columns, in order, when `None`; the others are NULL).
    pub(super) async fn insert_rows(
        &self,
        table: &ObjectName,
        columns: Option<&[String]>,
        rows: &[Vec<Option<String>>],
    ) -> Result<(), String> {
        let (name, declared) = self.table_columns(table, "INSERT INTO")?;
        let sources: Vec<Option<usize>> = match columns {
            None => (0..declared.len()).map(Some).collect(),
            Some(named) => {
                if let Some(unknown) = named
                    .iter()
                    .find(|column| !declared.iter().any(|(name, _)| name == *column))
                {
                    return Err(format!(
                        "[UNRESOLVED_COLUMN] `{unknown}` is not a column of `{name}`"
                    ));
                }
                declared
                    .iter()
                    .map(|(column, _)| named.iter().position(|n| n == column))
                    .collect()
            }
        };
        let width = columns.map_or(declared.len(), <[String]>::len);
        if let Some((index, row)) = rows.iter().enumerate().find(|(_, row)| row.len() != width) {
            return Err(format!(
                "row {} has {} values but `{name}` takes {width}",
                index + 1,
                row.len()
            ));
        }
        let texts: Vec<Vec<Option<&str>>> = sources
            .iter()
            .map(|source| {
                rows.iter()
                    .map(|row| source.and_then(|index| row[index].as_deref()))
                    .collect()
            })
            .collect();
        let batch = typed_batch(&declared, texts)
            .map_err(|(row, message)| format!("row {}: {message}", row + 1))?;
        self.context
            .read_batch(batch)
            .map_err(|error| error.to_string())?
            .write_table(&name, DataFrameWriteOptions::new())
            .await
            .map_err(|error| format!("INSERT INTO `{name}`: {error}"))?;
        Ok(())
    }

    /// A table's name and declared columns, for a statement that appends rows.
    fn table_columns(
        &self,
        table: &ObjectName,
        statement: &str,
    ) -> Result<(String, Vec<(String, DataType)>), String> {
        let metadata = self.read();
        let relation = metadata.resolve(table)?;
        if relation.kind != RelationKind::Table {
            return Err(format!("{statement} `{}`: not a table", relation.name));
        }
        let columns = relation
            .columns
            .iter()
            .map(|column| (column.name.clone(), column.data_type.clone()))
            .collect();
        Ok((relation.name.to_string(), columns))
    }

    /// Appends the rows of the CSV file `path` to `table`.
    pub(super) async fn copy_into(
        &self,
        table: &ObjectName,
        path: &Path,
        options: &[(String, String)],
    ) -> Result<(), String> {
        let (name, columns) = self.table_columns(table, "COPY INTO")?;
        let batch = read_csv(path, &columns, options).map_err(|error| error.to_string())?;
        self.context
            .read_batch(batch)
            .map_err(|error| error.to_string())?
            .write_table(&name, DataFrameWriteOptions::new())
            .await
            .map_err(|error| format!("COPY INTO `{name}`: {error}"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
