//! Validation of a [`SpaceConfig`](crate::space::SpaceConfig) against the Genie
//! API's rules and limits.

mod catalogue;
mod content;
mod identity;
mod items;
mod limits;
mod ordering;
mod problem;

pub use catalogue::validation_rules;
pub use limits::{
    MAX_ARRAY_ITEMS, MAX_DATA_SOURCES, MAX_ENTITY_MATCHING_COLUMNS, MAX_INSTRUCTIONS, MAX_SNIPPETS,
    MAX_STRING_CHARS, MAX_TEXT_INSTRUCTIONS,
};
pub use problem::{Problem, Severity, has_errors};
