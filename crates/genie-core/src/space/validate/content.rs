//! Rules on the content of items: version, required fields, non-empty SQL,
//! benchmark answers, column switches, three-part names and unknown keys.

use serde_json::Value;

use crate::space::model::{ColumnConfig, SQL_ANSWER_FORMAT, SnippetKind, SpaceConfig};
use crate::space::text::TextLines;
use crate::space::walk::{Node, Visitor, child_path, index_path};

use super::items::{self, data_source_lists, item_field};
use super::problem::{Problem, UNKNOWN_FIELD_PREFIX};

/// The versions this crate reads.
const SUPPORTED_VERSIONS: [u64; 2] = [1, 2];

/// The relationship types a join spec's `--rt=FROM_RELATIONSHIP_TYPE_…--`
/// annotation may name.
const RELATIONSHIP_TYPES: [&str; 4] = ["MANY_TO_ONE", "ONE_TO_MANY", "ONE_TO_ONE", "MANY_TO_MANY"];

/// `version` is present and 1 or 2.
pub(super) fn version(config: &SpaceConfig, problems: &mut Vec<Problem>) {
    match config.version {
        None => problems.push(Problem::error("version", "`version` is required")),
        Some(version) if !SUPPORTED_VERSIONS.contains(&version) => problems.push(Problem::error(
            "version",
            format!("unsupported version `{version}`, expected `1` or `2`"),
        )),
        Some(_) => {}
    }
}

/// A version 2 document uses no version 1 column keys.
pub(super) fn no_version_1_keys_in_version_2(config: &SpaceConfig, problems: &mut Vec<Problem>) {
    if config.version != Some(2) {
        return;
    }
    for_each_column(config, |column_path, column| {
        let renames = [
            (
                column.get_example_values,
                "get_example_values",
                "enable_format_assistance",
            ),
            (
                column.build_value_dictionary,
                "build_value_dictionary",
                "enable_entity_matching",
            ),
        ];
        for (value, old_key, new_key) in renames {
            if value.is_some() {
                problems.push(Problem::error(
                    child_path(column_path, old_key),
                    format!("version 1 key `{old_key}` in a version 2 document, use `{new_key}`"),
                ));
            }
        }
    });
}

/// Entity matching is only useful with format assistance.
pub(super) fn entity_matching_needs_format_assistance(
    config: &SpaceConfig,
    problems: &mut Vec<Problem>,
) {
    for_each_column(config, |column_path, column| {
        if column.entity_matching() && !column.format_assistance() {
            let key = if column.enable_entity_matching.is_some() {
                "enable_entity_matching"
            } else {
                "build_value_dictionary"
            };
            problems.push(Problem::warning(
                child_path(column_path, key),
                "entity matching needs format assistance, turn on `enable_format_assistance` too",
            ));
        }
    });
}

/// Tables, metric views, SQL functions and join sides use three-part names.
pub(super) fn three_part_identifiers(config: &SpaceConfig, problems: &mut Vec<Problem>) {
    let mut check = |path: String, identifier: &str| {
        if !is_three_part_name(identifier) {
            problems.push(Problem::error(
                path,
                format!("identifier `{identifier}` is not a three-part name `catalog.schema.name`"),
            ));
        }
    };
    for (list, sources) in data_source_lists(config) {
        for (index, source) in sources.iter().enumerate() {
            check(item_field(list, index, "identifier"), &source.identifier);
        }
    }
    for (index, function) in config.sql_functions().iter().enumerate() {
        check(
            item_field(items::SQL_FUNCTIONS, index, "identifier"),
            &function.identifier,
        );
    }
    for (index, join) in config.join_specs().iter().enumerate() {
        for (side, table) in [("left", &join.left), ("right", &join.right)] {
            let side_path = item_field(items::JOIN_SPECS, index, side);
            check(child_path(&side_path, "identifier"), &table.identifier);
        }
    }
}

/// Questions and example SQL are not empty.
pub(super) fn questions_and_examples_not_empty(config: &SpaceConfig, problems: &mut Vec<Problem>) {
    let mut check = |path: String, text: &TextLines, what: &str| {
        if text.is_blank() {
            problems.push(Problem::error(path, format!("{what} is empty")));
        }
    };
    for (index, question) in config.sample_questions().iter().enumerate() {
        check(
            item_field(items::SAMPLE_QUESTIONS, index, "question"),
            &question.question,
            "question",
        );
    }
    for (index, example) in config.example_question_sqls().iter().enumerate() {
        check(
            item_field(items::EXAMPLE_QUESTION_SQLS, index, "question"),
            &example.question,
            "question",
        );
        check(
            item_field(items::EXAMPLE_QUESTION_SQLS, index, "sql"),
            &example.sql,
            "example SQL",
        );
    }
    for (index, question) in config.benchmark_questions().iter().enumerate() {
        check(
            item_field(items::BENCHMARK_QUESTIONS, index, "question"),
            &question.question,
            "question",
        );
    }
}

/// A join spec has a non-empty condition and a known relationship annotation.
pub(super) fn join_specs(config: &SpaceConfig, problems: &mut Vec<Problem>) {
    for (index, join) in config.join_specs().iter().enumerate() {
        let path = item_field(items::JOIN_SPECS, index, "sql");
        if join.condition().trim().is_empty() {
            problems.push(Problem::error(path.clone(), "join condition is empty"));
        }
        match join.relationship_annotation() {
            None => problems.push(Problem::warning(
                path,
                "no relationship annotation `--rt=FROM_RELATIONSHIP_TYPE_…--`, Genie may reject the join spec",
            )),
            Some(annotation) if !is_known_relationship(annotation) => {
                problems.push(Problem::warning(
                    path,
                    format!("unknown relationship annotation `{annotation}`"),
                ));
            }
            Some(_) => {}
        }
    }
}

/// Snippet SQL is non-empty; filters have a `display_name`, expressions and
/// measures an `alias`.
pub(super) fn snippets(config: &SpaceConfig, problems: &mut Vec<Problem>) {
    for kind in SnippetKind::ALL {
        let list = items::snippets_path(kind);
        for (index, snippet) in config.snippets(kind).iter().enumerate() {
            if snippet.sql.is_blank() {
                problems.push(Problem::error(
                    item_field(&list, index, "sql"),
                    format!("{kind} SQL is empty"),
                ));
            }
            let (key, value) = match kind {
                SnippetKind::Filter => ("display_name", &snippet.display_name),
                SnippetKind::Expression | SnippetKind::Measure => ("alias", &snippet.alias),
            };
            if value.as_deref().is_none_or(|value| value.trim().is_empty()) {
                let article = if key == "alias" { "an" } else { "a" };
                problems.push(Problem::error(
                    item_field(&list, index, key),
                    format!("a {kind} needs {article} `{key}`"),
                ));
            }
        }
    }
}

/// A benchmark question has exactly one answer, of format `SQL`, with content.
pub(super) fn benchmark_answers(config: &SpaceConfig, problems: &mut Vec<Problem>) {
    for (index, question) in config.benchmark_questions().iter().enumerate() {
        let answers_path = item_field(items::BENCHMARK_QUESTIONS, index, "answer");
        let count = question.answers().len();
        if count != 1 {
            let found = match count {
                0 => "none".to_owned(),
                count => count.to_string(),
            };
            problems.push(Problem::error(
                answers_path.clone(),
                format!("a benchmark question needs exactly one `SQL` answer, found {found}"),
            ));
        }
        for (answer_index, answer) in question.answers().iter().enumerate() {
            if answer.format != SQL_ANSWER_FORMAT {
                problems.push(Problem::error(
                    item_field(&answers_path, answer_index, "format"),
                    format!(
                        "answer format `{}` is not `{SQL_ANSWER_FORMAT}`",
                        answer.format
                    ),
                ));
            }
            if answer.content.is_blank() {
                problems.push(Problem::error(
                    item_field(&answers_path, answer_index, "content"),
                    "answer is empty",
                ));
            }
        }
    }
}

/// Keys outside the schema are kept but reported: the API rejects them.
pub(super) fn unknown_fields(config: &SpaceConfig, problems: &mut Vec<Problem>) {
    config.walk("", &mut UnknownFieldVisitor { problems });
}

struct UnknownFieldVisitor<'p> {
    problems: &'p mut Vec<Problem>,
}

impl Visitor for UnknownFieldVisitor<'_> {
    fn unknown_field(&mut self, path: &str, key: &str, _value: &Value) {
        self.problems.push(Problem::warning(
            path,
            format!(
                "{UNKNOWN_FIELD_PREFIX}{key}` is kept, but the Genie API rejects fields outside its schema"
            ),
        ));
    }
}

/// Calls `visit` with the path and config of every column of every data source.
fn for_each_column(config: &SpaceConfig, mut visit: impl FnMut(&str, &ColumnConfig)) {
    for (list, sources) in data_source_lists(config) {
        for (index, source) in sources.iter().enumerate() {
            let columns_path = item_field(list, index, "column_configs");
            for (column_index, column) in source.column_configs().iter().enumerate() {
                visit(&index_path(&columns_path, column_index), column);
            }
        }
    }
}

fn is_known_relationship(annotation: &str) -> bool {
    annotation
        .strip_prefix("--rt=FROM_RELATIONSHIP_TYPE_")
        .and_then(|rest| rest.strip_suffix("--"))
        .is_some_and(|kind| RELATIONSHIP_TYPES.contains(&kind))
}

/// Whether `name` is `catalog.schema.name`: three non-empty parts separated by
/// dots, where a part in backticks may hold dots and spaces (a doubled backtick
/// inside backticks is a literal backtick).
pub(super) fn is_three_part_name(name: &str) -> bool {
    let mut parts = vec![String::new()];
    let mut quoted = false;
    let mut characters = name.chars().peekable();
    while let Some(character) = characters.next() {
        let part = parts.last_mut().expect("there is always a current part");
        match character {
            '`' if quoted && characters.peek() == Some(&'`') => {
                characters.next();
                part.push('`');
            }
            '`' => quoted = !quoted,
            '.' if !quoted => parts.push(String::new()),
            character if !quoted && character.is_whitespace() => return false,
            character => part.push(character),
        }
    }
    !quoted && parts.len() == 3 && parts.iter().all(|part| !part.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_part_names() {
        for good in [
            "main.sales.orders",
            "`my.catalog`.sales.orders",
            "a.`b c`.`d``e`",
        ] {
            assert!(is_three_part_name(good), "{good}");
        }
        for bad in [
            "orders",
            "sales.orders",
            "a.b.c.d",
            "a..c",
            "a.b.",
            "`a.b.c",
            "a.b c.d",
            "",
        ] {
            assert!(!is_three_part_name(bad), "{bad}");
        }
    }

    #[test]
    fn relationship_annotations() {
        assert!(is_known_relationship(
            "--rt=FROM_RELATIONSHIP_TYPE_MANY_TO_ONE--"
        ));
        assert!(is_known_relationship(
            "--rt=FROM_RELATIONSHIP_TYPE_MANY_TO_MANY--"
        ));
        assert!(!is_known_relationship("--rt=FROM_RELATIONSHIP_TYPE_SOME--"));
        assert!(!is_known_relationship("--rt=MANY_TO_ONE--"));
    }
}
