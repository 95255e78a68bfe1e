//! The sandbox's SQL engine: DataFusion with Databricks' dialect and three-part names,
//! loaded from a fixture's `schema.sql` (and its CSV files), answering with typed result
//! sets, and keeping Unity Catalog metadata (comments, properties, tags, views, SQL
//! table functions, metric views) that metadata statements change at runtime.

mod cells;
mod csv_load;
mod error;
mod information_schema;
mod metadata;
mod metadata_parser;
mod metadata_runner;
mod metric_view_queries;
mod metric_views;
mod qualify;
mod schema_file;
mod spark_compat;
mod sql_engine;
mod table_functions;
mod typed_rows;
mod types;

pub use csv_load::CsvError;
pub use error::EngineError;
pub use metadata::{Comments, FunctionColumn, MetricView, RelationKind, TableFunction};
pub use qualify::qualify;
pub use sql_engine::Engine;
pub(crate) use types::type_names;
