//! [`SpaceConfig::validate`] and the catalogue of validation rules it runs.
//!
//! The rules come from the Genie API's "validation rules" and "sorting
//! requirements" for `serialized_space` and its documented limits. Each rule
//! reports every violation it finds (the sorting rule: the first out-of-order
//! element of each list), so one run lists everything to fix. Problems come out in
//! catalogue order, then document order.

use crate::space::model::SpaceConfig;

use super::problem::Problem;
use super::{content, identity, limits, ordering};

/// One validation rule: what it checks and the function that checks it.
struct Rule {
    /// The rule in one line.
    checks: &'static str,
    run: fn(&SpaceConfig, &mut Vec<Problem>),
}

/// Every rule, in the order their problems are reported.
const RULES: &[Rule] = &[
    Rule {
        checks: "`version` is present and 1 or 2",
        run: content::version,
    },
    Rule {
        checks: "a version 2 document uses no version 1 column keys \
                 (`get_example_values`, `build_value_dictionary`)",
        run: content::no_version_1_keys_in_version_2,
    },
    Rule {
        checks: "every question and instruction id is exactly 32 lowercase hex digits",
        run: identity::id_format,
    },
    Rule {
        checks: "question ids are unique across `config.sample_questions` and \
                 `benchmarks.questions`",
        run: identity::unique_question_ids,
    },
    Rule {
        checks: "instruction ids are unique across text instructions, example SQLs, SQL \
                 functions, join specs, filters, expressions and measures",
        run: identity::unique_instruction_ids,
    },
    Rule {
        checks: "each table or metric view is listed once",
        run: identity::unique_data_sources,
    },
    Rule {
        checks: "`(table identifier, column_name)` is unique",
        run: identity::unique_columns,
    },
    Rule {
        checks: "every list is sorted by its key in ascending byte order: tables and metric \
                 views by `identifier`, column configs by `column_name`, sample questions, \
                 text instructions, example SQLs, join specs, snippets and benchmark \
                 questions by `id`, SQL functions by (`id`, `identifier`), example SQL \
                 parameters by `name`",
        run: ordering::sorted_lists,
    },
    Rule {
        checks: "at least one table or metric view",
        run: limits::at_least_one_data_source,
    },
    Rule {
        checks: "at most one text instruction",
        run: limits::one_text_instruction,
    },
    Rule {
        checks: "at most 30 tables and metric views",
        run: limits::data_source_count,
    },
    Rule {
        checks: "at most 100 instructions (each example SQL, each SQL function and the text \
                 instruction block count one)",
        run: limits::instruction_count,
    },
    Rule {
        checks: "at most 200 snippets (table descriptions, join specs, filters, expressions \
                 and measures)",
        run: limits::snippet_count,
    },
    Rule {
        checks: "at most 120 columns with entity matching",
        run: limits::entity_matching_count,
    },
    Rule {
        checks: "every string has at most 25,000 characters (text fields: their joined \
                 text) and every array at most 10,000 items",
        run: limits::string_and_array_sizes,
    },
    Rule {
        checks: "tables, metric views, SQL functions and join sides use three-part names \
                 `catalog.schema.name`",
        run: content::three_part_identifiers,
    },
    Rule {
        checks: "questions and example SQL are not empty",
        run: content::questions_and_examples_not_empty,
    },
    Rule {
        checks: "a join spec has a non-empty condition (error) and a known \
                 `--rt=FROM_RELATIONSHIP_TYPE_…--` annotation (warning)",
        run: content::join_specs,
    },
    Rule {
        checks: "snippet SQL is not empty; filters have a `display_name`, expressions and \
                 measures an `alias`",
        run: content::snippets,
    },
    Rule {
        checks: "a benchmark question has exactly one answer, of format `SQL`, not empty",
        run: content::benchmark_answers,
    },
    Rule {
        checks: "entity matching is on only with format assistance (warning)",
        run: content::entity_matching_needs_format_assistance,
    },
    Rule {
        checks: "no keys outside the schema (warning: they are kept, the API rejects them)",
        run: content::unknown_fields,
    },
];

/// The catalogue of validation rules [`SpaceConfig::validate`] applies, one line
/// each, in the order their problems are reported.
pub fn validation_rules() -> impl ExactSizeIterator<Item = &'static str> {
    RULES.iter().map(|rule| rule.checks)
}

impl SpaceConfig {
    /// Checks the config against every rule of the catalogue and returns every
    /// problem found (empty when the config is valid).
    pub fn validate(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        for rule in RULES {
            (rule.run)(self, &mut problems);
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space::fixtures::{DEFECTIVE, FULL, UNKNOWN_FIELDS, UNSORTED, VERSION_1};
    use crate::space::{Severity, has_errors};

    fn problems_of(text: &str) -> Vec<Problem> {
        SpaceConfig::from_json(text).unwrap().validate()
    }

    fn lines(problems: &[Problem]) -> String {
        problems
            .iter()
            .map(|problem| format!("{:<7} {problem}", problem.severity))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn valid_fixtures_have_no_problems() {
        assert_eq!(problems_of(FULL), [], "full.json");
        assert_eq!(problems_of(VERSION_1), [], "v1.json");
    }

    #[test]
    fn unknown_fields_are_only_warnings_at_their_paths() {
        let problems = problems_of(UNKNOWN_FIELDS);
        assert!(!has_errors(&problems), "{}", lines(&problems));
        assert!(
            problems
                .iter()
                .all(|problem| problem.severity == Severity::Warning)
        );
        let paths: Vec<&str> = problems
            .iter()
            .map(|problem| problem.path.as_str())
            .collect();
        assert_eq!(
            paths,
            [
                "data_sources.tables[2].column_configs[1].data_type",
                "data_sources.tables[2].uc_comment",
                "data_sources.source_catalog_hint",
                "instructions.example_question_sqls[0].created_by",
                "instructions.sql_snippets.measures[0].format_string",
                "exported_by",
            ]
        );
        assert_eq!(
            problems[5].message,
            "unknown field `exported_by` is kept, but the Genie API rejects fields outside its schema"
        );
    }

    #[test]
    fn unsorted_fixture_reports_the_first_out_of_order_element_of_each_list() {
        let problems = problems_of(UNSORTED);
        assert!(
            problems
                .iter()
                .all(|problem| problem.message.starts_with("list is not sorted by"))
        );
        insta::assert_snapshot!(lines(&problems));
    }

    #[test]
    fn defective_fixture_reports_every_seeded_defect() {
        let problems = problems_of(DEFECTIVE);
        insta::assert_snapshot!(lines(&problems));
        let has = |severity: Severity, path: &str, fragment: &str| {
            problems.iter().any(|problem| {
                problem.severity == severity
                    && problem.path == path
                    && problem.message.contains(fragment)
            })
        };
        let seeded = [
            (
                "config.sample_questions[2].id",
                "is not 32 lowercase hex digits",
            ),
            (
                "instructions.sql_snippets.measures[0].id",
                "duplicate instruction id",
            ),
            (
                "data_sources.tables[2].column_configs[6].column_name",
                "duplicate column config for `region`",
            ),
            (
                "instructions.text_instructions[1]",
                "at most 1 text instruction",
            ),
            (
                "data_sources.tables[3].description",
                "more than the limit of 25000",
            ),
            (
                "instructions.sql_snippets.filters[0].display_name",
                "needs a `display_name`",
            ),
            (
                "instructions.sql_snippets.measures[2].alias",
                "needs an `alias`",
            ),
            (
                "benchmarks.questions[0].answer",
                "exactly one `SQL` answer, found 2",
            ),
            (
                "instructions.sql_functions[0].identifier",
                "is not a three-part name",
            ),
            (
                "instructions.example_question_sqls[2]",
                "list is not sorted by `id`",
            ),
            (
                "data_sources.tables[4].column_configs[2].get_example_values",
                "version 1 key",
            ),
        ];
        for (path, fragment) in seeded {
            assert!(
                has(Severity::Error, path, fragment),
                "missing {path}: {fragment}\n{}",
                lines(&problems)
            );
        }
        assert_eq!(problems.len(), seeded.len(), "{}", lines(&problems));
    }

    #[test]
    fn catalogue_lists_every_rule() {
        assert_eq!(validation_rules().len(), RULES.len());
        assert!(validation_rules().all(|rule| !rule.is_empty()));
        assert!(validation_rules().any(|rule| rule.contains("three-part names")));
    }

    #[test]
    fn the_api_rejects_errors_and_unknown_keys_only() {
        let unknown = problems_of(UNKNOWN_FIELDS);
        assert!(!unknown.is_empty() && unknown.iter().all(Problem::is_rejected_by_api));
        assert!(
            problems_of(DEFECTIVE)
                .iter()
                .all(Problem::is_rejected_by_api)
        );
        let advisory = Problem::warning("instructions.join_specs[0].sql", "no `--rt=` annotation");
        assert!(!advisory.is_rejected_by_api());
    }
}
