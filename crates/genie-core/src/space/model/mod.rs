//! The typed model of the serialized space and of the API's space object.

mod config;
mod data_sources;
mod genie_space;
mod instructions;
mod questions;

pub use config::{
    Benchmarks, CURRENT_VERSION, ConfigSection, DataSources, Instructions, SpaceConfig, SqlSnippets,
};
pub use data_sources::{ColumnConfig, MetricViewConfig, TableConfig};
pub use genie_space::GenieSpace;
pub use instructions::{
    ExampleQuestionSql, JoinSpec, JoinTable, ParameterDefaultValue, RELATIONSHIP_ANNOTATION_PREFIX,
    SnippetKind, SqlFunction, SqlParameter, SqlSnippet, TextInstruction,
};
pub use questions::{BenchmarkAnswer, BenchmarkQuestion, SQL_ANSWER_FORMAT, SampleQuestion};
