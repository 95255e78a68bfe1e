//! [`SpaceConfig`], the whole serialized space, and its sections.

use crate::space::object_macro::space_object;

use super::data_sources::TableConfig;
use super::instructions::{
    ExampleQuestionSql, JoinSpec, SnippetKind, SqlFunction, SqlSnippet, TextInstruction,
};
use super::questions::{BenchmarkQuestion, SampleQuestion};

/// The `version` that [`SpaceConfig::canonicalize`] writes.
pub const CURRENT_VERSION: u64 = 2;

space_object! {
    /// A Genie space's configuration: the document inside `serialized_space`
    /// (the export format, `GenieSpaceExport`).
    ///
    /// Every section is optional and kept absent when absent, so parsing and writing
    /// back gives the same JSON; the accessors (`tables()`, `join_specs()`, …) return
    /// empty slices for absent sections and the `_mut` accessors create them.
    pub struct SpaceConfig {
        required {}
        optional {
            /// Format version: 2 (current) or 1 (older exports).
            version: u64,
            /// The `config` section (sample questions).
            config: ConfigSection,
            /// The tables and metric views the space may query.
            data_sources: DataSources,
            /// Text instructions, example SQL, functions, joins and snippets.
            instructions: Instructions,
            /// Benchmark questions with expected answers.
            benchmarks: Benchmarks,
        }
    }
}

space_object! {
    /// The `config` section of a [`SpaceConfig`].
    pub struct ConfigSection {
        required {}
        optional {
            /// Questions suggested in the UI, sorted by `id`.
            sample_questions: Vec<SampleQuestion>,
        }
    }
}

space_object! {
    /// The `data_sources` section of a [`SpaceConfig`].
    pub struct DataSources {
        required {}
        optional {
            /// Tables, sorted by `identifier`.
            tables: Vec<TableConfig>,
            /// Metric views, sorted by `identifier`.
            metric_views: Vec<TableConfig>,
        }
    }
}

space_object! {
    /// The `instructions` section of a [`SpaceConfig`].
    pub struct Instructions {
        required {}
        optional {
            /// At most one text instruction.
            text_instructions: Vec<TextInstruction>,
            /// Example questions with SQL, sorted by `id`.
            example_question_sqls: Vec<ExampleQuestionSql>,
            /// SQL functions, sorted by `(id, identifier)`.
            sql_functions: Vec<SqlFunction>,
            /// Join relationships, sorted by `id`.
            join_specs: Vec<JoinSpec>,
            /// Filters, expressions and measures.
            sql_snippets: SqlSnippets,
        }
    }
}

space_object! {
    /// The `instructions.sql_snippets` section of a [`SpaceConfig`].
    pub struct SqlSnippets {
        required {}
        optional {
            /// Named conditions, sorted by `id`; each needs `display_name`.
            filters: Vec<SqlSnippet>,
            /// Derived columns, sorted by `id`; each needs `alias`.
            expressions: Vec<SqlSnippet>,
            /// Canonical aggregations, sorted by `id`; each needs `alias`.
            measures: Vec<SqlSnippet>,
        }
    }
}

impl SqlSnippets {
    /// The list of snippets of `kind` (empty when absent).
    pub fn list(&self, kind: SnippetKind) -> &[SqlSnippet] {
        let list = match kind {
            SnippetKind::Filter => &self.filters,
            SnippetKind::Expression => &self.expressions,
            SnippetKind::Measure => &self.measures,
        };
        list.as_deref().unwrap_or_default()
    }

    /// The list of snippets of `kind`, created empty when absent.
    pub fn list_mut(&mut self, kind: SnippetKind) -> &mut Vec<SqlSnippet> {
        let list = match kind {
            SnippetKind::Filter => &mut self.filters,
            SnippetKind::Expression => &mut self.expressions,
            SnippetKind::Measure => &mut self.measures,
        };
        list.get_or_insert_with(Vec::new)
    }
}

space_object! {
    /// The `benchmarks` section of a [`SpaceConfig`].
    pub struct Benchmarks {
        required {}
        optional {
            /// Benchmark questions, sorted by `id`.
            questions: Vec<BenchmarkQuestion>,
        }
    }
}

impl SpaceConfig {
    /// The sample questions (empty when absent).
    pub fn sample_questions(&self) -> &[SampleQuestion] {
        let section = self.config.as_ref();
        section
            .and_then(|config| config.sample_questions.as_deref())
            .unwrap_or_default()
    }

    /// The sample questions, creating the sections when absent.
    pub fn sample_questions_mut(&mut self) -> &mut Vec<SampleQuestion> {
        let section = self.config.get_or_insert_with(ConfigSection::default);
        section.sample_questions.get_or_insert_with(Vec::new)
    }

    /// The tables (empty when absent).
    pub fn tables(&self) -> &[TableConfig] {
        let sources = self.data_sources.as_ref();
        sources
            .and_then(|sources| sources.tables.as_deref())
            .unwrap_or_default()
    }

    /// The tables, creating the sections when absent.
    pub fn tables_mut(&mut self) -> &mut Vec<TableConfig> {
        let sources = self.data_sources.get_or_insert_with(DataSources::default);
        sources.tables.get_or_insert_with(Vec::new)
    }

    /// The metric views (empty when absent).
    pub fn metric_views(&self) -> &[TableConfig] {
        let sources = self.data_sources.as_ref();
        sources
            .and_then(|sources| sources.metric_views.as_deref())
            .unwrap_or_default()
    }

    /// The metric views, creating the sections when absent.
    pub fn metric_views_mut(&mut self) -> &mut Vec<TableConfig> {
        let sources = self.data_sources.get_or_insert_with(DataSources::default);
        sources.metric_views.get_or_insert_with(Vec::new)
    }

    /// Every data source: the tables, then the metric views.
    pub fn all_data_sources(&self) -> impl Iterator<Item = &TableConfig> {
        self.tables().iter().chain(self.metric_views())
    }

    /// The table or metric view named `identifier`, if any.
    pub fn data_source(&self, identifier: &str) -> Option<&TableConfig> {
        self.all_data_sources()
            .find(|source| source.identifier == identifier)
    }

    /// The text instructions (empty when absent).
    pub fn text_instructions(&self) -> &[TextInstruction] {
        let instructions = self.instructions.as_ref();
        instructions
            .and_then(|instructions| instructions.text_instructions.as_deref())
            .unwrap_or_default()
    }

    /// The text instructions, creating the sections when absent.
    pub fn text_instructions_mut(&mut self) -> &mut Vec<TextInstruction> {
        self.instructions_mut()
            .text_instructions
            .get_or_insert_with(Vec::new)
    }

    /// The example question SQLs (empty when absent).
    pub fn example_question_sqls(&self) -> &[ExampleQuestionSql] {
        let instructions = self.instructions.as_ref();
        instructions
            .and_then(|instructions| instructions.example_question_sqls.as_deref())
            .unwrap_or_default()
    }

    /// The example question SQLs, creating the sections when absent.
    pub fn example_question_sqls_mut(&mut self) -> &mut Vec<ExampleQuestionSql> {
        self.instructions_mut()
            .example_question_sqls
            .get_or_insert_with(Vec::new)
    }

    /// The SQL functions (empty when absent).
    pub fn sql_functions(&self) -> &[SqlFunction] {
        let instructions = self.instructions.as_ref();
        instructions
            .and_then(|instructions| instructions.sql_functions.as_deref())
            .unwrap_or_default()
    }

    /// The SQL functions, creating the sections when absent.
    pub fn sql_functions_mut(&mut self) -> &mut Vec<SqlFunction> {
        self.instructions_mut()
            .sql_functions
            .get_or_insert_with(Vec::new)
    }

    /// The join specs (empty when absent).
    pub fn join_specs(&self) -> &[JoinSpec] {
        let instructions = self.instructions.as_ref();
        instructions
            .and_then(|instructions| instructions.join_specs.as_deref())
            .unwrap_or_default()
    }

    /// The join specs, creating the sections when absent.
    pub fn join_specs_mut(&mut self) -> &mut Vec<JoinSpec> {
        self.instructions_mut()
            .join_specs
            .get_or_insert_with(Vec::new)
    }

    /// The SQL snippets of `kind` (empty when absent).
    pub fn snippets(&self, kind: SnippetKind) -> &[SqlSnippet] {
        let instructions = self.instructions.as_ref();
        instructions
            .and_then(|instructions| instructions.sql_snippets.as_ref())
            .map_or(&[], |snippets| snippets.list(kind))
    }

    /// The SQL snippets of `kind`, creating the sections when absent.
    pub fn snippets_mut(&mut self, kind: SnippetKind) -> &mut Vec<SqlSnippet> {
        let instructions = self.instructions_mut();
        let snippets = instructions
            .sql_snippets
            .get_or_insert_with(SqlSnippets::default);
        snippets.list_mut(kind)
    }

    /// The filters (empty when absent).
    pub fn filters(&self) -> &[SqlSnippet] {
        self.snippets(SnippetKind::Filter)
    }

    /// The expressions (empty when absent).
    pub fn expressions(&self) -> &[SqlSnippet] {
        self.snippets(SnippetKind::Expression)
    }

    /// The measures (empty when absent).
    pub fn measures(&self) -> &[SqlSnippet] {
        self.snippets(SnippetKind::Measure)
    }

    /// The benchmark questions (empty when absent).
    pub fn benchmark_questions(&self) -> &[BenchmarkQuestion] {
        let benchmarks = self.benchmarks.as_ref();
        benchmarks
            .and_then(|benchmarks| benchmarks.questions.as_deref())
            .unwrap_or_default()
    }

    /// The benchmark questions, creating the sections when absent.
    pub fn benchmark_questions_mut(&mut self) -> &mut Vec<BenchmarkQuestion> {
        let benchmarks = self.benchmarks.get_or_insert_with(Benchmarks::default);
        benchmarks.questions.get_or_insert_with(Vec::new)
    }

    /// The `instructions` section, created empty when absent.
    pub fn instructions_mut(&mut self) -> &mut Instructions {
        self.instructions.get_or_insert_with(Instructions::default)
    }

    /// The config as compact canonical JSON (keys sorted): the text to put in a
    /// space's `serialized_space`.
    pub fn to_json(&self) -> String {
        crate::canonical::to_canonical_json(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accessors_read_absent_sections_as_empty() {
        let config: SpaceConfig = serde_json::from_value(json!({"version": 2})).unwrap();
        assert!(config.tables().is_empty());
        assert!(config.metric_views().is_empty());
        assert!(config.join_specs().is_empty());
        assert!(config.measures().is_empty());
        assert!(config.benchmark_questions().is_empty());
        assert_eq!(
            serde_json::to_value(&config).unwrap(),
            json!({"version": 2})
        );
    }

    #[test]
    fn mutable_accessors_create_sections() {
        let mut config = SpaceConfig::default();
        config
            .tables_mut()
            .push(TableConfig::new("main.sales.orders"));
        config.snippets_mut(SnippetKind::Measure).push(SqlSnippet {
            id: "01f0a1b2c3d4e5f60718293a4b5c6d7e".into(),
            alias: Some("total_revenue".into()),
            sql: "SUM(orders.amount)".into(),
            ..SqlSnippet::default()
        });
        assert_eq!(
            serde_json::to_value(&config).unwrap(),
            json!({
                "data_sources": {"tables": [{"identifier": "main.sales.orders"}]},
                "instructions": {"sql_snippets": {"measures": [{
                    "id": "01f0a1b2c3d4e5f60718293a4b5c6d7e",
                    "alias": "total_revenue",
                    "sql": ["SUM(orders.amount)"]
                }]}}
            })
        );
        assert_eq!(
            config
                .data_source("main.sales.orders")
                .map(|t| t.identifier.as_str()),
            Some("main.sales.orders")
        );
        assert!(
            config
                .to_json()
                .starts_with(r#"{"data_sources":{"tables":[{"identifier":"#)
        );
    }
}
