//! The lists of a config with their paths, as the validation rules walk them.

use crate::space::model::{SnippetKind, SpaceConfig, TableConfig};
use crate::space::walk::{child_path, index_path};

/// Path of `config.sample_questions`.
pub(super) const SAMPLE_QUESTIONS: &str = "config.sample_questions";
/// Path of `benchmarks.questions`.
pub(super) const BENCHMARK_QUESTIONS: &str = "benchmarks.questions";
/// Path of `data_sources.tables`.
pub(super) const TABLES: &str = "data_sources.tables";
/// Path of `data_sources.metric_views`.
pub(super) const METRIC_VIEWS: &str = "data_sources.metric_views";
/// Path of `instructions.text_instructions`.
pub(super) const TEXT_INSTRUCTIONS: &str = "instructions.text_instructions";
/// Path of `instructions.example_question_sqls`.
pub(super) const EXAMPLE_QUESTION_SQLS: &str = "instructions.example_question_sqls";
/// Path of `instructions.sql_functions`.
pub(super) const SQL_FUNCTIONS: &str = "instructions.sql_functions";
/// Path of `instructions.join_specs`.
pub(super) const JOIN_SPECS: &str = "instructions.join_specs";

/// The path of the snippet list of `kind`.
pub(super) fn snippets_path(kind: SnippetKind) -> String {
    child_path("instructions.sql_snippets", kind.key())
}

/// The path of `key` inside element `index` of the list at `list`.
pub(super) fn item_field(list: &str, index: usize, key: &str) -> String {
    child_path(&index_path(list, index), key)
}

/// The tables and the metric views, each with its list path.
pub(super) fn data_source_lists(config: &SpaceConfig) -> [(&'static str, &[TableConfig]); 2] {
    [
        (TABLES, config.tables()),
        (METRIC_VIEWS, config.metric_views()),
    ]
}

/// An id with the path of its `id` field.
pub(super) struct LocatedId<'a> {
    pub(super) path: String,
    pub(super) id: &'a str,
}

/// Every question id: sample questions, then benchmark questions.
pub(super) fn question_ids(config: &SpaceConfig) -> Vec<LocatedId<'_>> {
    let sample = config
        .sample_questions()
        .iter()
        .map(|item| item.id.as_str());
    let benchmark = config
        .benchmark_questions()
        .iter()
        .map(|item| item.id.as_str());
    let mut ids = locate(SAMPLE_QUESTIONS, sample);
    ids.extend(locate(BENCHMARK_QUESTIONS, benchmark));
    ids
}

/// Every instruction id: text instructions, example SQLs, SQL functions, join specs,
/// filters, expressions and measures.
pub(super) fn instruction_ids(config: &SpaceConfig) -> Vec<LocatedId<'_>> {
    let mut ids = locate(
        TEXT_INSTRUCTIONS,
        config
            .text_instructions()
            .iter()
            .map(|item| item.id.as_str()),
    );
    ids.extend(locate(
        EXAMPLE_QUESTION_SQLS,
        config
            .example_question_sqls()
            .iter()
            .map(|item| item.id.as_str()),
    ));
    ids.extend(locate(
        SQL_FUNCTIONS,
        config.sql_functions().iter().map(|item| item.id.as_str()),
    ));
    ids.extend(locate(
        JOIN_SPECS,
        config.join_specs().iter().map(|item| item.id.as_str()),
    ));
    for kind in SnippetKind::ALL {
        ids.extend(locate(
            &snippets_path(kind),
            config.snippets(kind).iter().map(|item| item.id.as_str()),
        ));
    }
    ids
}

fn locate<'a>(list: &str, ids: impl Iterator<Item = &'a str>) -> Vec<LocatedId<'a>> {
    ids.enumerate()
        .map(|(index, id)| LocatedId {
            path: item_field(list, index, "id"),
            id,
        })
        .collect()
}
