//! The sorting rule: the API rejects unsorted lists (ascending byte order).

use crate::space::model::{SnippetKind, SpaceConfig};
use crate::space::walk::index_path;

use super::items::{self, item_field};
use super::problem::Problem;

/// Every list is sorted by its key; the first out-of-order element of each list is
/// reported.
pub(super) fn sorted_lists(config: &SpaceConfig, problems: &mut Vec<Problem>) {
    let by_id = &["id"];
    check(
        problems,
        items::SAMPLE_QUESTIONS,
        by_id,
        config.sample_questions(),
        |item| vec![&item.id],
    );
    for (list, sources) in items::data_source_lists(config) {
        check(problems, list, &["identifier"], sources, |item| {
            vec![&item.identifier]
        });
        for (index, source) in sources.iter().enumerate() {
            let columns = source.column_configs();
            let columns_path = item_field(list, index, "column_configs");
            check(problems, &columns_path, &["column_name"], columns, |item| {
                vec![&item.column_name]
            });
        }
    }
    check(
        problems,
        items::TEXT_INSTRUCTIONS,
        by_id,
        config.text_instructions(),
        |item| vec![&item.id],
    );
    let examples = config.example_question_sqls();
    check(
        problems,
        items::EXAMPLE_QUESTION_SQLS,
        by_id,
        examples,
        |item| vec![&item.id],
    );
    for (index, example) in examples.iter().enumerate() {
        let parameters_path = item_field(items::EXAMPLE_QUESTION_SQLS, index, "parameters");
        check(
            problems,
            &parameters_path,
            &["name"],
            example.parameters(),
            |item| vec![&item.name],
        );
    }
    let functions = config.sql_functions();
    check(
        problems,
        items::SQL_FUNCTIONS,
        &["id", "identifier"],
        functions,
        |item| vec![&item.id, &item.identifier],
    );
    check(
        problems,
        items::JOIN_SPECS,
        by_id,
        config.join_specs(),
        |item| vec![&item.id],
    );
    for kind in SnippetKind::ALL {
        let snippets = config.snippets(kind);
        check(
            problems,
            &items::snippets_path(kind),
            by_id,
            snippets,
            |item| vec![&item.id],
        );
    }
    let benchmarks = config.benchmark_questions();
    check(
        problems,
        items::BENCHMARK_QUESTIONS,
        by_id,
        benchmarks,
        |item| vec![&item.id],
    );
}

/// Reports the first element of the list at `list` whose key (the fields named
/// `key_names`, compared in order, each by bytes) is less than the previous one's.
fn check<'a, T>(
    problems: &mut Vec<Problem>,
    list: &str,
    key_names: &[&str],
    items: &'a [T],
    key: impl Fn(&'a T) -> Vec<&'a String>,
) {
    let keys: Vec<Vec<&String>> = items.iter().map(key).collect();
    let Some(previous) = keys.windows(2).position(|pair| pair[0] > pair[1]) else {
        return;
    };
    let index = previous + 1;
    problems.push(Problem::error(
        index_path(list, index),
        format!(
            "list is not sorted by {}: {} must come before {} at index {previous}",
            describe(key_names.iter().copied()),
            describe(keys[index].iter().map(|field| field.as_str())),
            describe(keys[previous].iter().map(|field| field.as_str())),
        ),
    ));
}

/// `` `a` `` for one field, `` (`a`, `b`) `` for several.
fn describe<'a>(fields: impl ExactSizeIterator<Item = &'a str>) -> String {
    let several = fields.len() > 1;
    let quoted: Vec<String> = fields.map(|field| format!("`{field}`")).collect();
    if several {
        format!("({})", quoted.join(", "))
    } else {
        quoted.concat()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_the_first_out_of_order_element_only() {
        let config: SpaceConfig = serde_json::from_value(serde_json::json!({
            "instructions": {"sql_functions": [
                {"id": "a", "identifier": "x.y.b"},
                {"id": "a", "identifier": "x.y.a"},
                {"id": "0", "identifier": "x.y.c"}
            ]},
            "config": {"sample_questions": [
                {"id": "a", "question": []}, {"id": "a", "question": []}, {"id": "b", "question": []}
            ]}
        }))
        .unwrap();
        let mut problems = Vec::new();
        sorted_lists(&config, &mut problems);
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "instructions.sql_functions[1]: list is not sorted by (`id`, `identifier`): (`a`, `x.y.a`) must come before (`a`, `x.y.b`) at index 0"
            ]
        );
    }
}
