//! The sandbox's SQL engine: DataFusion with Databricks' dialect and three-part names,
//! loaded from a fixture's `schema.sql`, answering with typed result sets.

mod cells;
mod error;
mod schema_file;
mod spark_compat;
mod sql_engine;
mod types;

pub use error::EngineError;
pub use sql_engine::{Comments, Engine};
