//! Size limits of a space: counts of tables, instructions and snippets, string
//! lengths and array lengths.

use crate::space::model::{SpaceConfig, TableConfig};
use crate::space::text::TextLines;
use crate::space::usage::SpaceUsage;
use crate::space::walk::{Node, Visitor};

use super::items::{self, data_source_lists};
use super::problem::Problem;

/// At most this many text instructions.
pub const MAX_TEXT_INSTRUCTIONS: usize = 1;
/// At most this many tables plus metric views per space.
pub const MAX_DATA_SOURCES: usize = 30;
/// At most this many instructions: each example SQL, each SQL function and the text
/// instruction block count one.
pub const MAX_INSTRUCTIONS: usize = 100;
/// At most this many knowledge-store snippets: table (and metric view) descriptions,
/// join specs, filters, expressions and measures.
pub const MAX_SNIPPETS: usize = 200;
/// At most this many columns with entity matching.
pub const MAX_ENTITY_MATCHING_COLUMNS: usize = 120;
/// At most this many characters per string (a [`TextLines`] counts its joined text).
pub const MAX_STRING_CHARS: usize = 25_000;
/// At most this many items per array.
pub const MAX_ARRAY_ITEMS: usize = 10_000;

/// At least one table or metric view.
pub(super) fn at_least_one_data_source(config: &SpaceConfig, problems: &mut Vec<Problem>) {
    if config.all_data_sources().next().is_none() {
        problems.push(Problem::error(
            "data_sources",
            "the space needs at least one table or metric view",
        ));
    }
}

/// At most one text instruction.
pub(super) fn one_text_instruction(config: &SpaceConfig, problems: &mut Vec<Problem>) {
    let count = config.text_instructions().len();
    if count > MAX_TEXT_INSTRUCTIONS {
        problems.push(Problem::error(
            crate::space::walk::index_path(items::TEXT_INSTRUCTIONS, MAX_TEXT_INSTRUCTIONS),
            format!("at most {MAX_TEXT_INSTRUCTIONS} text instruction is allowed, found {count}"),
        ));
    }
}

/// At most [`MAX_DATA_SOURCES`] tables and metric views.
pub(super) fn data_source_count(config: &SpaceConfig, problems: &mut Vec<Problem>) {
    let count = SpaceUsage::of(config).data_sources;
    if count > MAX_DATA_SOURCES {
        problems.push(Problem::error(
            "data_sources",
            format!("{count} tables and metric views, more than the limit of {MAX_DATA_SOURCES}"),
        ));
    }
}

/// At most [`MAX_INSTRUCTIONS`] instructions.
pub(super) fn instruction_count(config: &SpaceConfig, problems: &mut Vec<Problem>) {
    let count = SpaceUsage::of(config).instructions;
    if count > MAX_INSTRUCTIONS {
        problems.push(Problem::error(
            "instructions",
            format!(
                "{count} instructions (example SQLs, SQL functions and the text instruction block), \
                 more than the limit of {MAX_INSTRUCTIONS}"
            ),
        ));
    }
}

/// At most [`MAX_SNIPPETS`] knowledge-store snippets.
pub(super) fn snippet_count(config: &SpaceConfig, problems: &mut Vec<Problem>) {
    let count = SpaceUsage::of(config).snippets;
    if count > MAX_SNIPPETS {
        problems.push(Problem::error(
            "$",
            format!(
                "{count} snippets (table descriptions, join specs, filters, expressions and \
                 measures), more than the limit of {MAX_SNIPPETS}"
            ),
        ));
    }
}

/// At most [`MAX_ENTITY_MATCHING_COLUMNS`] columns with entity matching.
pub(super) fn entity_matching_count(config: &SpaceConfig, problems: &mut Vec<Problem>) {
    let count = data_source_lists(config)
        .into_iter()
        .flat_map(|(_, sources)| sources)
        .flat_map(TableConfig::column_configs)
        .filter(|column| column.entity_matching())
        .count();
    if count > MAX_ENTITY_MATCHING_COLUMNS {
        problems.push(Problem::error(
            "data_sources",
            format!(
                "{count} columns use entity matching, more than the limit of \
                 {MAX_ENTITY_MATCHING_COLUMNS}"
            ),
        ));
    }
}

/// Every string has at most [`MAX_STRING_CHARS`] characters and every array at most
/// [`MAX_ARRAY_ITEMS`] items.
pub(super) fn string_and_array_sizes(config: &SpaceConfig, problems: &mut Vec<Problem>) {
    config.walk("", &mut SizeVisitor { problems });
}

struct SizeVisitor<'p> {
    problems: &'p mut Vec<Problem>,
}

impl SizeVisitor<'_> {
    fn check_characters(&mut self, path: &str, count: usize) {
        if count > MAX_STRING_CHARS {
            self.problems.push(Problem::error(
                path,
                format!("text of {count} characters, more than the limit of {MAX_STRING_CHARS}"),
            ));
        }
    }
}

impl Visitor for SizeVisitor<'_> {
    fn string(&mut self, path: &str, value: &str) {
        self.check_characters(path, value.chars().count());
    }

    fn text(&mut self, path: &str, value: &TextLines) {
        self.check_characters(path, value.char_count());
    }

    fn array(&mut self, path: &str, length: usize) {
        if length > MAX_ARRAY_ITEMS {
            self.problems.push(Problem::error(
                path,
                format!("{length} items, more than the limit of {MAX_ARRAY_ITEMS}"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space::model::{ColumnConfig, SqlFunction};

    fn run(config: &SpaceConfig, rule: fn(&SpaceConfig, &mut Vec<Problem>)) -> Vec<String> {
        let mut problems = Vec::new();
        rule(config, &mut problems);
        problems.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn counts_are_checked_against_the_limits() {
        let mut config = SpaceConfig::default();
        assert_eq!(
            run(&config, at_least_one_data_source),
            ["data_sources: the space needs at least one table or metric view"]
        );
        for index in 0..=MAX_DATA_SOURCES {
            let mut table = TableConfig::new(format!("main.sales.t{index:02}"));
            table.description = Some("A table.".into());
            table.column_configs = Some(
                (0..4)
                    .map(|column| ColumnConfig {
                        enable_format_assistance: Some(true),
                        enable_entity_matching: Some(true),
                        ..ColumnConfig::new(format!("c{column}"))
                    })
                    .collect(),
            );
            config.tables_mut().push(table);
        }
        for index in 0..MAX_INSTRUCTIONS {
            config.sql_functions_mut().push(SqlFunction {
                id: format!("{index:032x}"),
                identifier: format!("main.sales.f{index}"),
                ..SqlFunction::default()
            });
        }
        assert!(run(&config, at_least_one_data_source).is_empty());
        assert_eq!(
            run(&config, data_source_count),
            ["data_sources: 31 tables and metric views, more than the limit of 30"]
        );
        assert!(
            run(&config, instruction_count).is_empty(),
            "exactly at the limit"
        );
        config
            .text_instructions_mut()
            .push(crate::space::model::TextInstruction::default());
        assert_eq!(run(&config, instruction_count).len(), 1);
        assert_eq!(
            run(&config, entity_matching_count),
            ["data_sources: 124 columns use entity matching, more than the limit of 120"]
        );
        assert!(run(&config, snippet_count).is_empty(), "31 descriptions");
    }

    #[test]
    fn strings_count_characters_and_text_counts_its_joined_form() {
        let mut table = TableConfig::new("main.sales.orders");
        let half = "é".repeat(MAX_STRING_CHARS / 2);
        table.description = Some(TextLines::new(vec![half.clone(), half.clone()]));
        let mut config = SpaceConfig::default();
        config.tables_mut().push(table.clone());
        assert!(
            run(&config, string_and_array_sizes).is_empty(),
            "exactly at the limit"
        );
        table.description = Some(TextLines::new(vec![half.clone(), half, "x".into()]));
        table.column_configs = Some(vec![ColumnConfig {
            synonyms: Some(vec!["a".repeat(MAX_STRING_CHARS + 1)]),
            ..ColumnConfig::new("region")
        }]);
        config.tables_mut()[0] = table;
        assert_eq!(
            run(&config, string_and_array_sizes),
            [
                "data_sources.tables[0].description: text of 25001 characters, more than the limit of 25000",
                "data_sources.tables[0].column_configs[0].synonyms[0]: text of 25001 characters, more than the limit of 25000",
            ]
        );
    }
}
