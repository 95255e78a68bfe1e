//! [`Engine`]: a DataFusion session speaking Databricks SQL over a fixture's tables.

use std::collections::BTreeMap;
use std::sync::Arc;

use datafusion::arrow::datatypes::{Field, Schema};
use datafusion::catalog::{CatalogProvider, MemoryCatalogProvider, MemorySchemaProvider};
use datafusion::datasource::MemTable;
use datafusion::prelude::{SessionConfig, SessionContext};
use genie_core::result::{Column, ResultSet};

use super::cells::append_rows;
use super::error::EngineError;
use super::schema_file::{SchemaStatement, TableName, parse_schema_file};
use super::spark_compat::to_engine_sql;
use super::types::column_type;

/// Unity Catalog comments: per table (`catalog.schema.table`), its comment and its
/// columns' comments.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Comments {
    tables: BTreeMap<String, TableComments>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct TableComments {
    comment: Option<String>,
    columns: BTreeMap<String, String>,
}

impl Comments {
    /// The comment on a table, by its three-part name (any case).
    pub fn table(&self, table: &str) -> Option<&str> {
        self.tables.get(&table.to_lowercase())?.comment.as_deref()
    }

    /// The comment on a column.
    pub fn column(&self, table: &str, column: &str) -> Option<&str> {
        self.tables
            .get(&table.to_lowercase())?
            .columns
            .get(&column.to_lowercase())
            .map(String::as_str)
    }

    fn set(&mut self, table: &TableName, column: Option<&str>, text: Option<String>) {
        let entry = self.tables.entry(table.to_string()).or_default();
        match (column, text) {
            (None, text) => entry.comment = text,
            (Some(column), Some(text)) => {
                entry.columns.insert(column.to_owned(), text);
            }
            (Some(column), None) => {
                entry.columns.remove(column);
            }
        }
    }
}

/// The sandbox's SQL engine: DataFusion with the Databricks dialect, three-part names
/// and in-memory tables loaded from `schema.sql`.
pub struct Engine {
    context: SessionContext,
    comments: Comments,
    tables: Vec<String>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("tables", &self.tables)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// Loads a fixture's `schema.sql` text.
    pub async fn from_schema_sql(text: &str) -> Result<Self, EngineError> {
        let config = SessionConfig::new()
            .with_information_schema(true)
            .set_str("datafusion.sql_parser.dialect", "databricks");
        let mut engine = Self {
            context: SessionContext::new_with_config(config),
            comments: Comments::default(),
            tables: Vec::new(),
        };
        for (index, (line, statement)) in parse_schema_file(text)?.into_iter().enumerate() {
            engine
                .apply(statement)
                .await
                .map_err(|message| EngineError::SchemaFile {
                    statement: index + 1,
                    line,
                    message,
                })?;
        }
        Ok(engine)
    }

    async fn apply(&mut self, statement: SchemaStatement) -> Result<(), String> {
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
                    .into_iter()
                    .map(|(column, data_type)| Field::new(column, data_type, true))
                    .collect();
                let table = MemTable::try_new(Arc::new(Schema::new(fields)), vec![Vec::new()])
                    .map_err(|error| error.to_string())?;
                schema
                    .register_table(name.table.clone(), Arc::new(table))
                    .map_err(|error| error.to_string())?;
                self.tables.push(name.to_string());
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
            SchemaStatement::Comment {
                table,
                column,
                text,
            } => {
                if !self.tables.contains(&table.to_string()) {
                    return Err(format!("comment on unknown table `{table}`"));
                }
                self.comments.set(&table, column.as_deref(), text);
            }
        }
        Ok(())
    }

    /// The catalog `name`, created when missing.
    fn catalog(&self, name: &str) -> Arc<dyn CatalogProvider> {
        if let Some(catalog) = self.context.catalog(name) {
            return catalog;
        }
        let catalog: Arc<dyn CatalogProvider> = Arc::new(MemoryCatalogProvider::new());
        self.context.register_catalog(name, Arc::clone(&catalog));
        catalog
    }

    /// Runs one query and returns its typed rows.
    pub async fn query(&self, sql: &str) -> Result<ResultSet, EngineError> {
        let frame = self
            .context
            .sql(&to_engine_sql(sql))
            .await
            .map_err(|error| EngineError::Execution(error.to_string()))?;
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
            .map_err(|error| EngineError::Execution(error.to_string()))?;
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

    /// The Unity Catalog comments loaded so far.
    pub fn comments(&self) -> &Comments {
        &self.comments
    }

    /// The tables, as three-part names in creation order.
    pub fn tables(&self) -> &[String] {
        &self.tables
    }

    /// Whether `reference` (three parts, any case, backticks allowed) names a loaded table.
    pub fn has_table(&self, reference: &str) -> bool {
        let wanted = reference.replace('`', "").to_lowercase();
        self.tables.contains(&wanted)
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
        });
    }
}
