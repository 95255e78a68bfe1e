//! The Genie space configuration (`serialized_space`) as typed serde structs.
//!
//! - [`SpaceConfig`] and its parts model every field of the export format (version 2,
//!   and version 1 documents as read). Unknown keys are kept in each object's
//!   `extra` map, and absent stays absent, so parsing and writing back gives the same
//!   JSON.
//! - [`SpaceConfig::canonicalize`] applies the API's sorting rules and the version 1
//!   → 2 renames; [`SpaceConfig::validate`] reports every broken rule as a
//!   [`Problem`]; [`SpaceConfig::content_hash`] identifies a config independently of
//!   its order.
//! - [`GenieSpace`] is the API's space object, whose `serialized_space` is a JSON
//!   string; [`SpaceDocument`] is what a user's file holds (either form).
//! - [`new_id`] makes time-ordered 32-hex ids; [`SpaceId`] names a whole space.
//! - [`ConfigDiff`] is the field-level difference between two configs (shown before a
//!   copy or a promotion).

mod object_macro;

mod canonicalize;
mod diff;
mod document;
#[cfg(test)]
pub(crate) mod fixtures;
mod ids;
mod model;
mod parse;
mod space_id;
mod text;
mod usage;
mod validate;
mod value_deserializer;
pub(crate) mod walk;

pub use diff::{ConfigDiff, FieldChange};
pub use document::{DocumentKind, SpaceDocument};
pub use ids::{ID_LENGTH, is_valid_id, new_id};
pub use model::{
    BenchmarkAnswer, BenchmarkQuestion, Benchmarks, CURRENT_VERSION, ColumnConfig, ConfigSection,
    DataSources, ExampleQuestionSql, GenieSpace, Instructions, JoinSpec, JoinTable,
    MetricViewConfig, ParameterDefaultValue, RELATIONSHIP_ANNOTATION_PREFIX, SQL_ANSWER_FORMAT,
    SampleQuestion, SnippetKind, SpaceConfig, SqlFunction, SqlParameter, SqlSnippet, SqlSnippets,
    TableConfig, TextInstruction,
};
pub use parse::SpaceParseError;
pub use space_id::SpaceId;
pub use text::TextLines;
pub use usage::SpaceUsage;
pub use validate::{
    MAX_ARRAY_ITEMS, MAX_DATA_SOURCES, MAX_ENTITY_MATCHING_COLUMNS, MAX_INSTRUCTIONS, MAX_SNIPPETS,
    MAX_STRING_CHARS, MAX_TEXT_INSTRUCTIONS, Problem, Severity, has_errors, validation_rules,
};
