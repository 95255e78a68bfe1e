//! Running metadata statements on an [`Engine`]: reading (`DESCRIBE`, `SHOW
//! TBLPROPERTIES`), annotating (comments, properties, tags), creating views and SQL
//! table functions, and loading CSV files (`COPY INTO`, from `schema.sql` only).

use std::path::Path;

use datafusion::dataframe::DataFrameWriteOptions;
use genie_core::result::ResultSet;
use sqlparser::ast::{ObjectName, Query};

use super::csv_load::read_csv;
use super::information_schema::{describe, properties, tables_of};
use super::metadata::{Relation, RelationKind, full_name, not_found};
use super::metadata_parser::{FunctionText, MetadataStatement};
use super::schema_file::TableName;
use super::spark_compat::query_to_engine_sql;
use super::sql_engine::{Engine, databricks_message};
use super::table_functions::FunctionDefinition;
use super::types::arrow_type;

/// `name` as Databricks quotes it in messages: `` `a`.`b`.`c` ``.
fn quoted(name: &ObjectName) -> String {
    super::schema_file::parts(name)
        .iter()
        .map(|part| format!("`{part}`"))
        .collect::<Vec<_>>()
        .join(".")
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
                self.create_view(&name, or_replace, if_not_exists, comment, &query)
                    .await?;
                self.changed()?;
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
                    return Err(format!(
                        "[ROUTINE_NOT_FOUND] The routine {} cannot be found. Verify the spelling \
                         and correctness of the schema and catalog. SQLSTATE: 42883",
                        quoted(&name)
                    ));
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
    fn new_name(&self, name: &ObjectName) -> Result<TableName, String> {
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

    async fn create_view(
        &self,
        name: &ObjectName,
        or_replace: bool,
        if_not_exists: bool,
        comment: Option<String>,
        query: &Query,
    ) -> Result<(), String> {
        let view = self.new_name(name)?;
        let existing = self.read().relation(&view).map(|relation| relation.kind);
        match existing {
            Some(RelationKind::View) if if_not_exists => return Ok(()),
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
        let body = query_to_engine_sql(query, &self.read().functions)?;
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
        Ok(())
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
        let sql = query_to_engine_sql(&body, &functions)?;
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

    /// Appends the rows of the CSV file `path` to `table`.
    pub(super) async fn copy_into(
        &self,
        table: &ObjectName,
        path: &Path,
        options: &[(String, String)],
    ) -> Result<(), String> {
        let (name, columns) = {
            let metadata = self.read();
            let relation = metadata.resolve(table)?;
            if relation.kind != RelationKind::Table {
                return Err(format!("COPY INTO `{}`: not a table", relation.name));
            }
            let columns: Vec<_> = relation
                .columns
                .iter()
                .map(|column| (column.name.clone(), column.data_type.clone()))
                .collect();
            (relation.name.to_string(), columns)
        };
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
mod tests {
    use genie_core::result::Cell;

    use super::*;
    use crate::engine::EngineError;

    const SCHEMA: &str = "\
CREATE SCHEMA main.sales;
CREATE TABLE main.sales.orders (id INT, region STRING, amount DECIMAL(10,2), day DATE);
INSERT INTO main.sales.orders VALUES
  (1, 'EMEA', 10.50, DATE '2024-01-05'), (2, 'AMER', 20.25, DATE '2024-02-10'),
  (3, 'EMEA', 5.00, DATE '2024-02-11');
";

    fn run<T>(future: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    async fn engine() -> Engine {
        Engine::from_schema_sql(SCHEMA).await.unwrap()
    }

    async fn rows(engine: &Engine, sql: &str) -> Vec<Vec<Cell>> {
        engine
            .execute(sql)
            .await
            .unwrap_or_else(|error| panic!("{sql}: {error}"))
            .rows
    }

    async fn failure(engine: &Engine, sql: &str) -> String {
        match engine.execute(sql).await {
            Err(EngineError::Execution(message)) => message,
            other => panic!("{sql}: {other:?}"),
        }
    }

    fn text(value: &str) -> Cell {
        Cell::String(value.to_owned())
    }

    #[test]
    fn comments_reach_information_schema_and_describe() {
        run(async {
            let engine = engine().await;
            let before = engine.metadata_version();
            for sql in [
                "COMMENT ON TABLE main.sales.orders IS 'One row per order'",
                "COMMENT ON COLUMN main.sales.orders.amount IS 'Net amount'",
                "ALTER TABLE main.sales.orders ALTER COLUMN region COMMENT 'Sales region'",
                "ALTER TABLE main.sales.orders SET TBLPROPERTIES ('quality' = 'gold')",
                "ALTER TABLE main.sales.orders SET TAGS ('domain' = 'sales')",
                "ALTER TABLE main.sales.orders ALTER COLUMN region SET TAGS ('kind' = 'code')",
            ] {
                let result = engine.execute(sql).await.unwrap();
                assert!(result.columns.is_empty() && result.rows.is_empty());
            }
            assert_eq!(engine.metadata_version(), before + 6);
            assert_eq!(
                rows(
                    &engine,
                    "SELECT table_name, table_type, comment FROM main.information_schema.tables"
                )
                .await,
                [vec![
                    text("orders"),
                    text("MANAGED"),
                    text("One row per order")
                ]]
            );
            assert_eq!(
                rows(
                    &engine,
                    "SELECT column_name, ordinal_position, data_type, full_data_type, is_nullable, comment \
                     FROM main.information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position"
                )
                .await[1..3],
                [
                    vec![text("region"), Cell::Integer(1), text("STRING"), text("string"), text("YES"), text("Sales region")],
                    vec![text("amount"), Cell::Integer(2), text("DECIMAL"), text("decimal(10,2)"), text("YES"), text("Net amount")],
                ]
            );
            assert_eq!(
                rows(
                    &engine,
                    "SELECT tag_name, tag_value FROM main.information_schema.table_tags"
                )
                .await,
                [vec![text("domain"), text("sales")]]
            );
            assert_eq!(
                rows(
                    &engine,
                    "SELECT column_name, tag_name FROM main.information_schema.column_tags"
                )
                .await,
                [vec![text("region"), text("kind")]]
            );
            assert_eq!(
                rows(&engine, "DESCRIBE TABLE main.sales.orders").await[2],
                [text("amount"), text("decimal(10,2)"), text("Net amount")]
            );
            assert_eq!(
                rows(&engine, "SHOW TABLES IN main.sales").await,
                [vec![text("sales"), text("orders"), Cell::Boolean(false)]]
            );
            let message = failure(&engine, "SHOW TABLES IN main.nope").await;
            assert!(
                message.starts_with("[SCHEMA_NOT_FOUND] The schema `main`.`nope`"),
                "{message}"
            );
            assert_eq!(
                rows(&engine, "SHOW TBLPROPERTIES main.sales.orders").await,
                [vec![text("quality"), text("gold")]]
            );
            assert_eq!(
                engine.comments().table("main.sales.orders"),
                Some("One row per order")
            );
            engine
                .execute("COMMENT ON TABLE main.sales.orders IS NULL")
                .await
                .unwrap();
            assert_eq!(
                rows(
                    &engine,
                    "SELECT comment FROM main.information_schema.tables"
                )
                .await,
                [vec![Cell::Null]]
            );
        });
    }

    #[test]
    fn unknown_names_fail_like_databricks() {
        run(async {
            let engine = engine().await;
            let version = engine.metadata_version();
            for sql in [
                "COMMENT ON TABLE main.sales.nope IS 'x'",
                "DESCRIBE TABLE main.sales.nope",
                "ALTER TABLE main.sales.nope SET TAGS ('a' = 'b')",
                "SELECT * FROM main.sales.nope",
            ] {
                let message = failure(&engine, sql).await;
                assert!(
                    message.starts_with("[TABLE_OR_VIEW_NOT_FOUND] The table or view `main`.`sales`.`nope` cannot be found."),
                    "{sql}: {message}"
                );
            }
            let message = failure(&engine, "COMMENT ON COLUMN main.sales.orders.nope IS 'x'").await;
            assert!(
                message.starts_with("[UNRESOLVED_COLUMN.WITH_SUGGESTION]"),
                "{message}"
            );
            let message = failure(&engine, "COMMENT ON TABLE main.sales.orders IS").await;
            assert!(message.starts_with("[PARSE_SYNTAX_ERROR]"), "{message}");
            for sql in [
                "CREATE TABLE main.sales.more (a INT)",
                "DROP TABLE main.sales.orders",
                "ALTER TABLE main.sales.orders ADD COLUMN b INT",
                "CREATE SCHEMA main.other",
            ] {
                let message = failure(&engine, sql).await;
                assert!(
                    message.starts_with("[NOT_SUPPORTED_COMMAND]"),
                    "{sql}: {message}"
                );
            }
            assert_eq!(
                rows(&engine, "SELECT COUNT(*) FROM main.sales.orders").await,
                [vec![Cell::Integer(3)]]
            );
            let message = failure(
                &engine,
                "COPY INTO main.sales.orders FROM 'x.csv' FILEFORMAT = CSV",
            )
            .await;
            assert!(message.starts_with("[NOT_SUPPORTED_COMMAND]"), "{message}");
            assert_eq!(engine.metadata_version(), version);
        });
    }

    #[test]
    fn views_are_relations_over_the_data() {
        run(async {
            let engine = engine().await;
            engine
                .execute(
                    "CREATE OR REPLACE VIEW main.sales.emea COMMENT 'EMEA orders' AS \
                     SELECT id, amount, year(day) AS y FROM main.sales.orders WHERE region = 'EMEA'",
                )
                .await
                .unwrap();
            assert_eq!(engine.tables(), ["main.sales.orders", "main.sales.emea"]);
            assert_eq!(engine.views(), ["main.sales.emea"]);
            assert_eq!(
                rows(&engine, "SELECT id, y FROM main.sales.emea ORDER BY id").await,
                [
                    vec![Cell::Integer(1), Cell::Integer(2024)],
                    vec![Cell::Integer(3), Cell::Integer(2024)]
                ]
            );
            assert_eq!(
                rows(&engine, "SELECT table_type, comment FROM main.information_schema.tables WHERE table_name = 'emea'").await,
                [vec![text("VIEW"), text("EMEA orders")]]
            );
            engine
                .execute("COMMENT ON COLUMN main.sales.emea.amount IS 'Net'")
                .await
                .unwrap();
            assert_eq!(
                engine.comments().column("main.sales.emea", "amount"),
                Some("Net")
            );
            let message = failure(&engine, "CREATE VIEW main.sales.emea AS SELECT 1 AS a").await;
            assert!(
                message.starts_with("[TABLE_OR_VIEW_ALREADY_EXISTS]"),
                "{message}"
            );
            engine
                .execute("CREATE VIEW IF NOT EXISTS main.sales.emea AS SELECT 1 AS a")
                .await
                .unwrap();
            let message = failure(
                &engine,
                "CREATE OR REPLACE VIEW main.sales.orders AS SELECT 1 AS a",
            )
            .await;
            assert!(
                message.starts_with("[TABLE_OR_VIEW_ALREADY_EXISTS]"),
                "{message}"
            );
            let message = failure(&engine, "CREATE VIEW main.nope.v AS SELECT 1 AS a").await;
            assert!(message.starts_with("[SCHEMA_NOT_FOUND]"), "{message}");
            engine
                .execute(
                    "CREATE OR REPLACE VIEW main.sales.emea AS SELECT id FROM main.sales.orders",
                )
                .await
                .unwrap();
            assert_eq!(
                rows(&engine, "SELECT COUNT(*) FROM main.sales.emea").await,
                [vec![Cell::Integer(3)]]
            );
            assert_eq!(engine.comments().table("main.sales.emea"), None);
            let version = engine.metadata_version();
            engine.execute("DROP VIEW main.sales.emea").await.unwrap();
            assert_eq!(engine.tables(), ["main.sales.orders"]);
            assert_eq!(engine.metadata_version(), version + 1);
            let message = failure(&engine, "SELECT * FROM main.sales.emea").await;
            assert!(
                message.starts_with("[TABLE_OR_VIEW_NOT_FOUND]"),
                "{message}"
            );
            engine
                .execute("DROP VIEW IF EXISTS main.sales.emea")
                .await
                .unwrap();
            assert_eq!(engine.metadata_version(), version + 1);
            let message = failure(&engine, "DROP VIEW main.sales.emea").await;
            assert!(
                message.starts_with("[TABLE_OR_VIEW_NOT_FOUND]"),
                "{message}"
            );
            let message = failure(&engine, "DROP VIEW main.sales.orders").await;
            assert!(
                message.starts_with("[WRONG_COMMAND_FOR_OBJECT_TYPE]"),
                "{message}"
            );
        });
    }

    #[test]
    fn table_functions_are_callable() {
        run(async {
            let engine = engine().await;
            engine
                .execute(
                    "CREATE OR REPLACE FUNCTION main.sales.region_orders(p_region STRING COMMENT 'code', p_min DECIMAL(10,2) DEFAULT 0) \
                     RETURNS TABLE (id INT, amount DECIMAL(10,2)) COMMENT 'Orders of a region' \
                     RETURN SELECT id, amount FROM main.sales.orders WHERE region = p_region AND amount >= p_min",
                )
                .await
                .unwrap();
            assert_eq!(
                rows(
                    &engine,
                    "SELECT * FROM main.sales.region_orders('EMEA') ORDER BY id"
                )
                .await,
                [
                    vec![Cell::Integer(1), Cell::Decimal("10.50".into())],
                    vec![Cell::Integer(3), Cell::Decimal("5.00".into())]
                ]
            );
            assert_eq!(
                rows(
                    &engine,
                    "SELECT o.id FROM main.sales.region_orders(p_min => 6, p_region => 'EMEA') AS o"
                )
                .await,
                [vec![Cell::Integer(1)]]
            );
            assert_eq!(
                rows(&engine, "SELECT COUNT(*) FROM main.sales.orders WHERE id IN (SELECT id FROM main.sales.region_orders('AMER'))").await,
                [vec![Cell::Integer(1)]]
            );
            let functions = engine.functions();
            assert_eq!(functions.len(), 1);
            assert_eq!(functions[0].name, "main.sales.region_orders");
            assert_eq!(functions[0].parameters[0].comment.as_deref(), Some("code"));
            assert_eq!(functions[0].returns[1].data_type, "DECIMAL(10,2)");
            assert_eq!(functions[0].comment.as_deref(), Some("Orders of a region"));
            assert_eq!(
                rows(
                    &engine,
                    "SELECT routine_name, data_type, comment FROM main.information_schema.routines"
                )
                .await,
                [vec![
                    text("region_orders"),
                    text("TABLE"),
                    text("Orders of a region")
                ]]
            );
            let message = failure(&engine, "SELECT * FROM main.sales.region_orders()").await;
            assert!(
                message.starts_with("[REQUIRED_PARAMETER_NOT_FOUND]"),
                "{message}"
            );
            let message = failure(
                &engine,
                "CREATE FUNCTION main.sales.region_orders(p INT) RETURNS TABLE (a INT) RETURN SELECT 1",
            )
            .await;
            assert!(message.starts_with("[ROUTINE_ALREADY_EXISTS]"), "{message}");
            let message = failure(
                &engine,
                "CREATE FUNCTION main.sales.two(p INT) RETURNS TABLE (a INT) RETURN SELECT id, region FROM main.sales.orders",
            )
            .await;
            assert!(
                message.starts_with("[USER_DEFINED_FUNCTIONS.RETURN_COLUMN_COUNT_MISMATCH]"),
                "{message}"
            );
            let message = failure(
                &engine,
                "CREATE FUNCTION main.sales.bad(p INT) RETURNS TABLE (a INT) RETURN SELECT id FROM main.sales.nope",
            )
            .await;
            assert!(
                message.starts_with("[TABLE_OR_VIEW_NOT_FOUND]"),
                "{message}"
            );
            // Functions that call each other stop instead of recursing forever.
            engine
                .execute("CREATE FUNCTION main.sales.f() RETURNS TABLE (id INT) RETURN SELECT id FROM main.sales.orders")
                .await
                .unwrap();
            engine
                .execute("CREATE FUNCTION main.sales.g() RETURNS TABLE (id INT) RETURN SELECT id FROM main.sales.f()")
                .await
                .unwrap();
            let message = failure(
                &engine,
                "CREATE OR REPLACE FUNCTION main.sales.f() RETURNS TABLE (id INT) RETURN SELECT id FROM main.sales.g()",
            )
            .await;
            assert!(message.starts_with("[ROUTINE_RECURSION]"), "{message}");
            engine
                .execute("DROP FUNCTION main.sales.region_orders")
                .await
                .unwrap();
            assert_eq!(engine.functions().len(), 2);
            let message = failure(&engine, "SELECT * FROM main.sales.region_orders('EMEA')").await;
            assert!(!message.is_empty());
            let message = failure(&engine, "DROP FUNCTION main.sales.region_orders").await;
            assert!(
                message
                    .starts_with("[ROUTINE_NOT_FOUND] The routine `main`.`sales`.`region_orders`"),
                "{message}"
            );
            engine
                .execute("DROP FUNCTION IF EXISTS main.sales.region_orders")
                .await
                .unwrap();
            assert_eq!(
                rows(&engine, "SELECT COUNT(*) FROM main.sales.g()").await,
                [vec![Cell::Integer(3)]]
            );
        });
    }

    #[test]
    fn copy_into_loads_csv_beside_the_schema_file() {
        run(async {
            let directory =
                std::env::temp_dir().join(format!("genie-sandbox-copy-{}", std::process::id()));
            std::fs::create_dir_all(&directory).unwrap();
            std::fs::write(
                directory.join("schema.sql"),
                "CREATE SCHEMA main.s;\nCREATE TABLE main.s.t (id INT, name STRING, day DATE);\n\
                 COPY INTO main.s.t FROM 't.csv' FILEFORMAT = CSV FORMAT_OPTIONS ('header' = 'true');\n",
            )
            .unwrap();
            std::fs::write(
                directory.join("t.csv"),
                "id,name,day\n1,a,2024-01-01\n2,,\n",
            )
            .unwrap();
            let engine = Engine::from_schema_file(&directory.join("schema.sql"))
                .await
                .unwrap();
            assert_eq!(
                rows(&engine, "SELECT id, name, day FROM main.s.t ORDER BY id").await,
                [
                    vec![Cell::Integer(1), text("a"), Cell::Date("2024-01-01".into())],
                    vec![Cell::Integer(2), Cell::Null, Cell::Null]
                ]
            );
            std::fs::write(
                directory.join("t.csv"),
                "id,name,day\n1,a,2024-01-01\nx,b,\n",
            )
            .unwrap();
            let error = Engine::from_schema_file(&directory.join("schema.sql"))
                .await
                .unwrap_err();
            let message = error.to_string();
            assert!(
                message.starts_with("schema.sql line 3 (statement 3): `")
                    && message.ends_with("t.csv` line 3: column `id`: `x` is not a valid INT"),
                "{message}"
            );
            let error = Engine::from_schema_sql(
                &std::fs::read_to_string(directory.join("schema.sql")).unwrap(),
            )
            .await
            .unwrap_err();
            assert!(
                error.to_string().contains("Engine::from_schema_file"),
                "{error}"
            );
            std::fs::remove_dir_all(&directory).unwrap();
        });
    }
}
