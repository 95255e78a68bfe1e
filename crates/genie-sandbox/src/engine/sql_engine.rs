//! [`Engine`]: a DataFusion session speaking Databricks SQL over a fixture's tables,
//! with Unity Catalog metadata beside it.
//!
//! [`Engine::execute`] is the one entry point for SQL: metadata statements
//! ([`super::metadata_parser`]) change or read the metadata, everything else is a
//! query for DataFusion (after [`super::spark_compat`]'s rewrite).

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use datafusion::arrow::datatypes::{Field, Schema};
use datafusion::catalog::{CatalogProvider, MemoryCatalogProvider, MemorySchemaProvider};
use datafusion::dataframe::DataFrame;
use datafusion::datasource::MemTable;
use datafusion::error::DataFusionError;
use datafusion::prelude::{SessionConfig, SessionContext};
use genie_core::result::{Column, ResultSet};
use sqlparser::ast::Statement;
use sqlparser::dialect::DatabricksDialect;
use sqlparser::parser::Parser;

use super::cells::append_rows;
use super::error::EngineError;
use super::information_schema::information_schema;
use super::metadata::{
    Comments, Metadata, MetricView, Relation, RelationKind, TableFunction, not_found,
};
use super::metadata_parser::{MetadataStatement, parse_metadata};
use super::schema_file::{SchemaStatement, parse_schema_file};
use super::spark_compat::to_engine_sql;
use super::types::column_type;

/// The schema each catalog's metadata tables live in.
const INFORMATION_SCHEMA: &str = "information_schema";

/// The sandbox's SQL engine: DataFusion with the Databricks dialect, three-part names,
/// in-memory tables loaded from `schema.sql`, and Unity Catalog metadata (comments,
/// properties, tags, views, SQL table functions) that statements change at runtime.
pub struct Engine {
    pub(super) context: SessionContext,
    pub(super) metadata: RwLock<Metadata>,
    /// Serializes metadata statements, which await DataFusion between reading and
    /// writing the metadata.
    pub(super) changes: tokio::sync::Mutex<()>,
    version: AtomicU64,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("tables", &self.tables())
            .field("metadata_version", &self.metadata_version())
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// Loads a fixture's `schema.sql` text (without a directory, so `COPY INTO` fails).
    pub async fn from_schema_sql(text: &str) -> Result<Self, EngineError> {
        Self::load(text, None).await
    }

    /// Loads a fixture's `schema.sql` file; `COPY INTO` reads files beside it.
    pub async fn from_schema_file(path: &Path) -> Result<Self, EngineError> {
        let text = std::fs::read_to_string(path).map_err(|error| EngineError::Read {
            path: path.to_owned(),
            message: error.to_string(),
        })?;
        Self::load(&text, Some(path.parent().unwrap_or(Path::new(".")))).await
    }

    async fn load(text: &str, directory: Option<&Path>) -> Result<Self, EngineError> {
        // DataFusion's own information_schema has no comments; ours replaces it.
        let config = SessionConfig::new()
            .with_information_schema(false)
            // Fixture tables are small and in memory: splitting them across partitions
            // costs more than it saves.
            .with_target_partitions(1)
            .set_str("datafusion.sql_parser.dialect", "databricks");
        let engine = Self {
            context: SessionContext::new_with_config(config),
            metadata: RwLock::new(Metadata::default()),
            changes: tokio::sync::Mutex::new(()),
            version: AtomicU64::new(0),
        };
        for (index, (line, statement)) in parse_schema_file(text)?.into_iter().enumerate() {
            engine
                .apply(statement, directory)
                .await
                .map_err(|message| EngineError::SchemaFile {
                    statement: index + 1,
                    line,
                    message,
                })?;
        }
        engine.changed().map_err(EngineError::Execution)?;
        Ok(engine)
    }

    async fn apply(
        &self,
        statement: SchemaStatement,
        directory: Option<&Path>,
    ) -> Result<(), String> {
        match statement {
            SchemaStatement::CreateSchema { catalog, schema } => {
                let provider = self.catalog(&catalog);
                if provider.schema(&schema).is_none() {
                    provider
                        .register_schema(&schema, Arc::new(MemorySchemaProvider::new()))
                        .map_err(|error| error.to_string())?;
                }
            }
            SchemaStatement::CreateTable { name, columns } => {
                let Some(schema) = self.catalog(&name.catalog).schema(&name.schema) else {
                    return Err(format!(
                        "schema `{}.{}` is not created before table `{name}`",
                        name.catalog, name.schema
                    ));
                };
                let fields: Vec<Field> = columns
                    .iter()
                    .map(|(column, data_type)| Field::new(column, data_type.clone(), true))
                    .collect();
                let table = MemTable::try_new(Arc::new(Schema::new(fields)), vec![Vec::new()])
                    .map_err(|error| error.to_string())?;
                schema
                    .register_table(name.table.clone(), Arc::new(table))
                    .map_err(|error| error.to_string())?;
                self.write()
                    .put_relation(Relation::new(name, RelationKind::Table, columns));
            }
            SchemaStatement::InsertRows {
                table,
                columns,
                rows,
            } => {
                Box::pin(self.insert_rows(&table, columns.as_deref(), &rows)).await?;
            }
            SchemaStatement::Insert { sql } => {
                self.context
                    .sql(&sql)
                    .await
                    .map_err(|error| error.to_string())?
                    .collect()
                    .await
                    .map_err(|error| error.to_string())?;
            }
            SchemaStatement::Metadata(statement) => {
                let MetadataStatement::CopyInto {
                    table,
                    path,
                    options,
                } = *statement
                else {
                    Box::pin(self.run_metadata(*statement)).await?;
                    return Ok(());
                };
                let Some(directory) = directory else {
                    return Err(
                        "COPY INTO needs the fixture's directory: load the file with \
                         `Engine::from_schema_file`"
                            .to_owned(),
                    );
                };
                Box::pin(self.copy_into(&table, &directory.join(path), &options)).await?;
            }
        }
        Ok(())
    }

    /// The catalog `name`, created when missing.
    pub(super) fn catalog(&self, name: &str) -> Arc<dyn CatalogProvider> {
        if let Some(catalog) = self.context.catalog(name) {
            return catalog;
        }
        let catalog: Arc<dyn CatalogProvider> = Arc::new(MemoryCatalogProvider::new());
        self.context.register_catalog(name, Arc::clone(&catalog));
        catalog
    }

    /// Runs one statement: a metadata statement (`COMMENT ON`, `ALTER TABLE … SET
    /// TAGS`, `CREATE VIEW`, `CREATE FUNCTION`, `DESCRIBE TABLE`, …) or a query. A
    /// statement without a result (a change) answers with no columns and no rows.
    pub async fn execute(&self, sql: &str) -> Result<ResultSet, EngineError> {
        match parse_metadata(sql).map_err(EngineError::Execution)? {
            Some(MetadataStatement::CopyInto { .. }) => Err(EngineError::Execution(
                "[NOT_SUPPORTED_COMMAND] COPY INTO runs only in a fixture's schema.sql".to_owned(),
            )),
            Some(statement) => Box::pin(self.run_metadata(statement))
                .await
                .map_err(EngineError::Execution),
            None => match unsupported_change(sql) {
                Some(message) => Err(EngineError::Execution(message)),
                None => self.query(sql).await,
            },
        }
    }

    /// Runs one query and returns its typed rows (metadata statements go through
    /// [`Engine::execute`]).
    pub async fn query(&self, sql: &str) -> Result<ResultSet, EngineError> {
        let sql = self.engine_sql(sql).map_err(EngineError::Execution)?;
        let frame = self
            .context
            .sql(&sql)
            .await
            .map_err(|error| EngineError::Execution(databricks_message(&error)))?;
        result_set(frame).await
    }

    /// `sql` rewritten for DataFusion, with the current table functions expanded.
    pub(super) fn engine_sql(&self, sql: &str) -> Result<String, String> {
        let metadata = self.read();
        to_engine_sql(sql, &metadata.functions, &metadata.metric_views)
    }

    pub(super) fn read(&self) -> RwLockReadGuard<'_, Metadata> {
        self.metadata
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(super) fn write(&self) -> RwLockWriteGuard<'_, Metadata> {
        self.metadata
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records a metadata change: bumps the version and rebuilds every catalog's
    /// `information_schema`.
    pub(super) fn changed(&self) -> Result<(), String> {
        self.version.fetch_add(1, Ordering::SeqCst);
        let metadata = self.read();
        for name in self.context.catalog_names() {
            let catalog = self.catalog(&name);
            let schema = if let Some(schema) = catalog.schema(INFORMATION_SCHEMA) {
                schema
            } else {
                let schema = Arc::new(MemorySchemaProvider::new());
                catalog
                    .register_schema(INFORMATION_SCHEMA, Arc::clone(&schema) as _)
                    .map_err(|error| error.to_string())?;
                schema
            };
            for (table, batch) in information_schema(&metadata, &name)? {
                let provider = MemTable::try_new(batch.schema(), vec![vec![batch]])
                    .map_err(|error| error.to_string())?;
                schema
                    .deregister_table(table)
                    .and_then(|_| schema.register_table(table.to_owned(), Arc::new(provider)))
                    .map_err(|error| error.to_string())?;
            }
        }
        Ok(())
    }

    /// A counter that grows with every metadata change (comments, properties, tags,
    /// views, functions), so a reader can tell its copy is stale.
    pub fn metadata_version(&self) -> u64 {
        self.version.load(Ordering::SeqCst)
    }

    /// The Unity Catalog comments as they are now.
    pub fn comments(&self) -> Comments {
        self.read().comments()
    }

    /// The tables and views, as three-part names in creation order.
    pub fn tables(&self) -> Vec<String> {
        self.read()
            .relations
            .iter()
            .map(|relation| relation.name.to_string())
            .collect()
    }

    /// The views among [`Engine::tables`].
    pub fn views(&self) -> Vec<String> {
        self.read()
            .relations
            .iter()
            .filter(|relation| relation.kind == RelationKind::View)
            .map(|relation| relation.name.to_string())
            .collect()
    }

    /// The metric views among [`Engine::tables`], with their dimensions and measures.
    pub fn metric_views(&self) -> Vec<MetricView> {
        self.read()
            .metric_views
            .iter()
            .map(|view| MetricView {
                name: view.name.to_string(),
                dimensions: view.dimensions.iter().map(|d| d.name.clone()).collect(),
                measures: view.measures.iter().map(|m| m.name.clone()).collect(),
            })
            .collect()
    }

    /// The SQL table functions' signatures, in creation order.
    pub fn functions(&self) -> Vec<TableFunction> {
        self.read()
            .functions
            .iter()
            .map(super::table_functions::FunctionDefinition::signature)
            .collect()
    }

    /// Whether `reference` (three parts, any case, backticks allowed) names a table or view.
    pub fn has_table(&self, reference: &str) -> bool {
        let wanted = reference.replace('`', "").to_lowercase();
        self.read()
            .relations
            .iter()
            .any(|relation| relation.name.to_string() == wanted)
    }
}

/// Collects a planned query into typed rows.
pub(super) async fn result_set(frame: DataFrame) -> Result<ResultSet, EngineError> {
    let columns = frame
        .schema()
        .fields()
        .iter()
        .map(|field| Column {
            name: field.name().clone(),
            column_type: column_type(field.data_type()),
        })
        .collect();
    let batches = frame
        .collect()
        .await
        .map_err(|error| EngineError::Execution(databricks_message(&error)))?;
    let mut rows = Vec::new();
    for batch in &batches {
        append_rows(batch, &mut rows)?;
    }
    Ok(ResultSet {
        columns,
        rows,
        truncated: false,
    })
}

/// The refusal of a statement that would change tables or schemas behind the
/// metadata's back (they come from the fixture's `schema.sql`), if `sql` is one.
fn unsupported_change(sql: &str) -> Option<String> {
    let statements = Parser::parse_sql(&DatabricksDialect {}, sql).ok()?;
    let changes_tables = statements.iter().any(|statement| {
        matches!(
            statement,
            Statement::CreateTable(_)
                | Statement::CreateSchema { .. }
                | Statement::CreateDatabase { .. }
                | Statement::CreateView { .. }
                | Statement::Drop { .. }
                | Statement::AlterTable { .. }
                | Statement::Truncate { .. }
        )
    });
    if !changes_tables {
        return None;
    }
    let words: Vec<&str> = sql.split_whitespace().take(2).collect();
    Some(format!(
        "[NOT_SUPPORTED_COMMAND] `{}` is not supported by the sandbox: its tables and schemas \
         come from the fixture's schema.sql. SQLSTATE: 0A000",
        words.join(" ").to_uppercase()
    ))
}

/// DataFusion's message, led by Databricks' error class where one is known.
pub(super) fn databricks_message(error: &DataFusionError) -> String {
    let message = error.to_string();
    let missing_table = message
        .split_once("table '")
        .and_then(|(_, rest)| rest.split_once("' not found"))
        .map(|(name, _)| name.to_owned());
    match missing_table {
        Some(name) => format!("{} ({message})", not_found(&name)),
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use genie_core::result::{Cell, ColumnType};

    use super::*;

    const SCHEMA: &str = "\
CREATE SCHEMA IF NOT EXISTS main.sales;
CREATE TABLE main.sales.orders (id INT, region STRING, amount DECIMAL(10,2), day DATE, at TIMESTAMP, paid BOOLEAN, qty BIGINT, rate DOUBLE);
INSERT INTO main.sales.orders VALUES
  (1, 'EMEA', 10.50, DATE '2024-01-05', TIMESTAMP '2024-01-05 10:00:00', true, 3, 0.5),
  (2, 'AMER', 20.25, DATE '2024-02-10', TIMESTAMP '2024-02-10 11:30:00', false, 1, 1.5),
  (3, 'EMEA', NULL, DATE '2024-02-11', NULL, NULL, NULL, NULL);
COMMENT ON TABLE main.sales.orders IS 'One row per order';
COMMENT ON COLUMN main.sales.orders.amount IS 'Net amount in USD';
";

    fn run<T>(future: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    #[test]
    fn loads_and_answers_with_typed_cells() {
        run(async {
            let engine = Engine::from_schema_sql(SCHEMA).await.unwrap();
            assert_eq!(engine.tables(), ["main.sales.orders"]);
            let result = engine
                .query("SELECT id, region, amount, day, at, paid, qty, rate FROM main.sales.orders ORDER BY id")
                .await
                .unwrap();
            let types: Vec<ColumnType> = result
                .columns
                .iter()
                .map(|c| c.column_type.clone())
                .collect();
            assert_eq!(
                types,
                [
                    ColumnType::Int,
                    ColumnType::String,
                    ColumnType::Decimal {
                        precision: 10,
                        scale: 2
                    },
                    ColumnType::Date,
                    ColumnType::Timestamp,
                    ColumnType::Boolean,
                    ColumnType::Long,
                    ColumnType::Double
                ]
            );
            assert_eq!(
                result.rows[0],
                [
                    Cell::Integer(1),
                    Cell::String("EMEA".into()),
                    Cell::Decimal("10.50".into()),
                    Cell::Date("2024-01-05".into()),
                    Cell::Timestamp("2024-01-05T10:00:00".into()),
                    Cell::Boolean(true),
                    Cell::Integer(3),
                    Cell::Float(0.5)
                ]
            );
            assert!(result.rows[2][2].is_null() && result.rows[2][4..].iter().all(Cell::is_null));
        });
    }

    #[test]
    fn speaks_databricks_sql_with_three_part_names() {
        run(async {
            let engine = Engine::from_schema_sql(SCHEMA).await.unwrap();
            let result = engine
                .query(
                    "SELECT `region`, SUM(amount) AS total FROM `main`.`sales`.`orders` \
                     WHERE day >= DATE '2024-01-01' GROUP BY ALL ORDER BY total DESC",
                )
                .await
                .unwrap();
            assert_eq!(
                result.rows,
                [
                    vec![Cell::String("AMER".into()), Cell::Decimal("20.25".into())],
                    vec![Cell::String("EMEA".into()), Cell::Decimal("10.50".into())],
                ]
            );
            let top = engine
                .query("SELECT id FROM main.sales.orders QUALIFY ROW_NUMBER() OVER (PARTITION BY region ORDER BY id DESC) = 1 ORDER BY id")
                .await
                .unwrap();
            assert_eq!(top.rows, [vec![Cell::Integer(2)], vec![Cell::Integer(3)]]);
        });
    }

    #[test]
    fn failures_carry_the_engine_message() {
        run(async {
            let engine = Engine::from_schema_sql(SCHEMA).await.unwrap();
            let error = engine
                .query("SELECT nope FROM main.sales.orders")
                .await
                .unwrap_err();
            assert!(error.to_string().contains("nope"), "{error}");
            let error = engine
                .query("SELECT * FROM main.sales.missing")
                .await
                .unwrap_err();
            assert!(error.to_string().contains("missing"), "{error}");
        });
    }

    #[test]
    fn spark_functions_and_division_work() {
        run(async {
            let engine = Engine::from_schema_sql(SCHEMA).await.unwrap();
            let result = engine
                .query(
                    "SELECT year(day), month(day), dayofweek(day), datediff(DATE '2024-03-01', day), \
                     date_add(day, 30), date_sub(day, 5), add_months(day, 1), last_day(day), \
                     date_format(day, 'yyyy-MM'), if(paid, 'yes', 'no'), 7 / 2 AS half \
                     FROM main.sales.orders WHERE id = 1",
                )
                .await
                .unwrap();
            assert_eq!(
                result.rows[0],
                [
                    Cell::Integer(2024),
                    Cell::Integer(1),
                    Cell::Integer(6),
                    Cell::Integer(56),
                    Cell::Date("2024-02-04".into()),
                    Cell::Date("2023-12-31".into()),
                    Cell::Date("2024-02-05".into()),
                    Cell::Date("2024-01-31".into()),
                    Cell::String("2024-01".into()),
                    Cell::String("yes".into()),
                    Cell::Float(3.5),
                ]
            );
            let counted = engine
                .query("SELECT count_if(region = 'EMEA') FROM main.sales.orders")
                .await
                .unwrap();
            assert_eq!(counted.rows, [vec![Cell::Integer(2)]]);
            let relative = engine
                .query(
                    "SELECT add_months(day, -2), year(current_date()) >= 2024, \
                     date_sub(current_date(), 30) < current_date() \
                     FROM main.sales.orders WHERE id = 1",
                )
                .await
                .unwrap();
            assert_eq!(
                relative.rows,
                [vec![
                    Cell::Date("2023-11-05".into()),
                    Cell::Boolean(true),
                    Cell::Boolean(true)
                ]]
            );
        });
    }

    #[test]
    fn comments_are_kept() {
        run(async {
            let engine = Engine::from_schema_sql(SCHEMA).await.unwrap();
            assert_eq!(
                engine.comments().table("MAIN.sales.orders"),
                Some("One row per order")
            );
            assert_eq!(
                engine.comments().column("main.sales.orders", "AMOUNT"),
                Some("Net amount in USD")
            );
            assert_eq!(
                engine.comments().column("main.sales.orders", "region"),
                None
            );
            assert!(engine.has_table("`Main`.sales.ORDERS"));
            assert!(!engine.has_table("main.sales.customers"));
        });
    }

    #[test]
    fn load_errors_name_the_statement() {
        run(async {
            let error = Engine::from_schema_sql("CREATE TABLE main.nope.t (a INT);")
                .await
                .unwrap_err();
            assert_eq!(
                error,
                EngineError::SchemaFile {
                    statement: 1,
                    line: 1,
                    message: "schema `main.nope` is not created before table `main.nope.t`".into()
                }
            );
            let error = Engine::from_schema_sql("CREATE SCHEMA main.s;\nCREATE TABLE main.s.t (a INT);\nINSERT INTO main.s.t VALUES ('x', 2);")
                .await
                .unwrap_err();
            assert!(
                matches!(
                    error,
                    EngineError::SchemaFile {
                        statement: 3,
                        line: 3,
                        ..
                    }
                ),
                "{error}"
            );
            let error = Engine::from_schema_sql(
                "CREATE SCHEMA main.s;\nCREATE TABLE main.s.t (a INT, d DATE);\n\
                 INSERT INTO main.s.t VALUES (1, DATE '2024-01-01'), (2, 'soon');",
            )
            .await
            .unwrap_err();
            assert_eq!(
                error.to_string(),
                "schema.sql line 3 (statement 3): row 2: column `d`: `soon` is not a valid DATE"
            );
            let engine = Engine::from_schema_sql(
                "CREATE SCHEMA main.s;\nCREATE TABLE main.s.t (a INT, b STRING, c DECIMAL(5,2));\n\
                 INSERT INTO main.s.t (c, a) VALUES (-1.5, 7);",
            )
            .await
            .unwrap();
            let rows = engine
                .query("SELECT a, b, c FROM main.s.t")
                .await
                .unwrap()
                .rows;
            assert_eq!(
                rows,
                [vec![
                    Cell::Integer(7),
                    Cell::Null,
                    Cell::Decimal("-1.50".into())
                ]]
            );
        });
    }
}
