//! [`SpaceConfig::canonicalize`] and [`SpaceConfig::content_hash`].
//!
//! The canonical form is what the API accepts and what identifies a config: every
//! list sorted by the API's keys (ascending byte order), version 1 column keys
//! renamed, `version` 2, and exact duplicates (same key, identical content) removed.
//! Items that share a key but differ are kept, in their original relative order, for
//! [`SpaceConfig::validate`] to report.

use std::cmp::Ordering;

use crate::canonical::ContentHash;

use super::model::{CURRENT_VERSION, ExampleQuestionSql, SpaceConfig, TableConfig};

impl SpaceConfig {
    /// Puts the config in canonical form, in place. Idempotent.
    pub fn canonicalize(&mut self) {
        self.version = Some(CURRENT_VERSION);

        if let Some(section) = &mut self.config
            && let Some(questions) = &mut section.sample_questions
        {
            sort_and_remove_exact_duplicates(questions, |a, b| a.id.cmp(&b.id));
        }

        if let Some(sources) = &mut self.data_sources {
            for list in [&mut sources.tables, &mut sources.metric_views]
                .into_iter()
                .flatten()
            {
                list.iter_mut().for_each(canonicalize_data_source);
                sort_and_remove_exact_duplicates(list, |a, b| a.identifier.cmp(&b.identifier));
            }
        }

        if let Some(instructions) = &mut self.instructions {
            if let Some(texts) = &mut instructions.text_instructions {
                sort_and_remove_exact_duplicates(texts, |a, b| a.id.cmp(&b.id));
            }
            if let Some(examples) = &mut instructions.example_question_sqls {
                examples.iter_mut().for_each(canonicalize_example);
                sort_and_remove_exact_duplicates(examples, |a, b| a.id.cmp(&b.id));
            }
            if let Some(functions) = &mut instructions.sql_functions {
                sort_and_remove_exact_duplicates(functions, |a, b| {
                    (&a.id, &a.identifier).cmp(&(&b.id, &b.identifier))
                });
            }
            if let Some(joins) = &mut instructions.join_specs {
                sort_and_remove_exact_duplicates(joins, |a, b| a.id.cmp(&b.id));
            }
            if let Some(snippets) = &mut instructions.sql_snippets {
                let lists = [
                    &mut snippets.filters,
                    &mut snippets.expressions,
                    &mut snippets.measures,
                ];
                for list in lists.into_iter().flatten() {
                    sort_and_remove_exact_duplicates(list, |a, b| a.id.cmp(&b.id));
                }
            }
        }

        if let Some(benchmarks) = &mut self.benchmarks
            && let Some(questions) = &mut benchmarks.questions
        {
            sort_and_remove_exact_duplicates(questions, |a, b| a.id.cmp(&b.id));
        }
    }

    /// The canonical form of the config (see [`SpaceConfig::canonicalize`]).
    #[must_use]
    pub fn canonicalized(mut self) -> Self {
        self.canonicalize();
        self
    }

    /// The SHA-256 of the canonical JSON of the canonical form: two configs that
    /// differ only in order (or in version 1 vs 2 key names) share a hash.
    pub fn content_hash(&self) -> ContentHash {
        ContentHash::of(&self.clone().canonicalized())
    }
}

fn canonicalize_data_source(source: &mut TableConfig) {
    if let Some(columns) = &mut source.column_configs {
        for column in columns.iter_mut() {
            column.rename_version_1_keys();
        }
        sort_and_remove_exact_duplicates(columns, |a, b| a.column_name.cmp(&b.column_name));
    }
}

fn canonicalize_example(example: &mut ExampleQuestionSql) {
    if let Some(parameters) = &mut example.parameters {
        sort_and_remove_exact_duplicates(parameters, |a, b| a.name.cmp(&b.name));
    }
}

/// Sorts `items` stably by `compare`, then drops every item equal to an earlier item
/// with the same key. Items with the same key but different content all stay.
fn sort_and_remove_exact_duplicates<T: PartialEq>(
    items: &mut Vec<T>,
    compare: impl Fn(&T, &T) -> Ordering,
) {
    items.sort_by(&compare);
    let mut kept: Vec<T> = Vec::with_capacity(items.len());
    let mut same_key_start = 0;
    for item in items.drain(..) {
        let same_key_as_last = kept
            .last()
            .is_some_and(|last| compare(last, &item) == Ordering::Equal);
        if !same_key_as_last {
            same_key_start = kept.len();
        }
        if !kept[same_key_start..].contains(&item) {
            kept.push(item);
        }
    }
    *items = kept;
}

#[cfg(test)]
mod tests {
    use crate::space::fixtures::{
        API_OBJECT, DEFECTIVE, FULL, UNKNOWN_FIELDS, UNSORTED, VERSION_1,
    };
    use serde_json::{Value, json};

    use super::*;

    fn config(value: &Value) -> SpaceConfig {
        serde_json::from_value(value.clone()).unwrap()
    }

    #[test]
    fn removes_exact_duplicates_and_keeps_differing_ones() {
        let mut items = vec![(3, "c"), (1, "a"), (3, "c"), (1, "b"), (1, "a"), (2, "x")];
        sort_and_remove_exact_duplicates(&mut items, |a, b| a.0.cmp(&b.0));
        assert_eq!(items, [(1, "a"), (1, "b"), (2, "x"), (3, "c")]);
    }

    #[test]
    fn sorts_every_list_and_renames_version_1_keys() {
        let input = json!({
            "version": 1,
            "data_sources": {"tables": [
                {"identifier": "main.sales.stores"},
                {"identifier": "main.sales.orders", "column_configs": [
                    {"column_name": "region", "get_example_values": true, "build_value_dictionary": true},
                    {"column_name": "amount"}
                ]}
            ]},
            "instructions": {
                "sql_functions": [
                    {"id": "bb", "identifier": "main.sales.b"},
                    {"id": "aa", "identifier": "main.sales.z"},
                    {"id": "aa", "identifier": "main.sales.a"}
                ],
                "example_question_sqls": [{"id": "e1", "question": ["q"], "sql": ["SELECT 1"],
                    "parameters": [{"name": "year"}, {"name": "region"}]}]
            }
        });
        let canonical = config(&input).canonicalized();
        assert_eq!(
            serde_json::to_value(&canonical).unwrap(),
            json!({
                "version": 2,
                "data_sources": {"tables": [
                    {"identifier": "main.sales.orders", "column_configs": [
                        {"column_name": "amount"},
                        {"column_name": "region", "enable_format_assistance": true, "enable_entity_matching": true}
                    ]},
                    {"identifier": "main.sales.stores"}
                ]},
                "instructions": {
                    "sql_functions": [
                        {"id": "aa", "identifier": "main.sales.a"},
                        {"id": "aa", "identifier": "main.sales.z"},
                        {"id": "bb", "identifier": "main.sales.b"}
                    ],
                    "example_question_sqls": [{"id": "e1", "question": ["q"], "sql": ["SELECT 1"],
                        "parameters": [{"name": "region"}, {"name": "year"}]}]
                }
            })
        );
    }

    #[test]
    fn duplicates_are_removed_only_when_identical() {
        let input = json!({"version": 2, "instructions": {"join_specs": [
            {"id": "b", "left": {"identifier": "x.y.a"}, "right": {"identifier": "x.y.b"}, "sql": ["a.k = b.k"]},
            {"id": "a", "left": {"identifier": "x.y.a"}, "right": {"identifier": "x.y.c"}, "sql": ["a.k = c.k"]},
            {"id": "b", "left": {"identifier": "x.y.a"}, "right": {"identifier": "x.y.b"}, "sql": ["a.k = b.k"]},
            {"id": "b", "left": {"identifier": "x.y.a"}, "right": {"identifier": "x.y.d"}, "sql": ["a.k = d.k"]}
        ]}});
        let canonical = config(&input).canonicalized();
        let joins: Vec<(&str, &str)> = canonical
            .join_specs()
            .iter()
            .map(|join| (join.id.as_str(), join.right.identifier.as_str()))
            .collect();
        assert_eq!(joins, [("a", "x.y.c"), ("b", "x.y.b"), ("b", "x.y.d")]);
    }

    fn fixture(text: &str) -> SpaceConfig {
        SpaceConfig::from_json(text).unwrap()
    }

    fn api_object_config() -> SpaceConfig {
        let space: crate::space::GenieSpace = serde_json::from_str(API_OBJECT).unwrap();
        space.config().unwrap()
    }

    #[test]
    fn canonicalize_is_idempotent_on_every_fixture() {
        let configs = [
            fixture(FULL),
            fixture(VERSION_1),
            fixture(UNKNOWN_FIELDS),
            fixture(UNSORTED),
            fixture(DEFECTIVE),
            api_object_config(),
        ];
        for config in configs {
            let once = config.canonicalized();
            let twice = once.clone().canonicalized();
            assert_eq!(twice, once);
            assert_eq!(twice.to_json(), once.to_json());
        }
    }

    #[test]
    fn full_fixture_is_already_canonical() {
        let full = fixture(FULL);
        assert_eq!(full.clone().canonicalized(), full);
    }

    #[test]
    fn unsorted_fixture_becomes_the_full_fixture_and_valid() {
        let unsorted = fixture(UNSORTED);
        assert!(crate::space::has_errors(&unsorted.validate()));
        let canonical = unsorted.clone().canonicalized();
        assert_eq!(canonical.validate(), []);
        assert_eq!(
            serde_json::to_value(&canonical).unwrap(),
            serde_json::from_str::<Value>(FULL).unwrap()
        );
        assert_eq!(unsorted.content_hash(), canonical.content_hash());
        assert_eq!(unsorted.content_hash(), fixture(FULL).content_hash());
        assert_ne!(unsorted.content_hash(), fixture(VERSION_1).content_hash());
    }

    #[test]
    fn version_1_fixture_is_renamed_to_version_2() {
        let original = fixture(VERSION_1);
        let canonical = original.clone().canonicalized();
        assert_eq!(canonical.version, Some(2));
        let json = canonical.to_json();
        assert!(!json.contains("get_example_values") && !json.contains("build_value_dictionary"));
        let status = canonical.tables()[0].column("order_status").unwrap();
        assert_eq!(status.enable_format_assistance, Some(true));
        assert_eq!(status.enable_entity_matching, Some(true));
        let store_name = canonical.tables()[1].column("store_name").unwrap();
        assert_eq!(store_name.enable_format_assistance, Some(false));
        assert_eq!(store_name.enable_entity_matching, Some(false));
        assert_eq!(canonical.validate(), []);
        // Same content under either generation's names: same identity.
        assert_eq!(original.content_hash(), canonical.content_hash());
    }

    #[test]
    fn exact_duplicates_in_a_fixture_are_removed() {
        let full = fixture(FULL);
        let mut duplicated = full.clone();
        let join = duplicated.join_specs()[2].clone();
        duplicated.join_specs_mut().push(join);
        let column = duplicated.tables()[2].column_configs()[0].clone();
        duplicated.tables_mut()[2].column_configs_mut().push(column);
        let question = duplicated.benchmark_questions()[0].clone();
        duplicated.benchmark_questions_mut().insert(0, question);
        assert!(crate::space::has_errors(&duplicated.validate()));
        assert_eq!(duplicated.canonicalized(), full);

        let mut differing = full.clone();
        let mut join = differing.join_specs()[0].clone();
        join.comment = Some("A different comment.".into());
        differing.join_specs_mut().push(join);
        let canonical = differing.canonicalized();
        assert_eq!(canonical.join_specs().len(), full.join_specs().len() + 1);
        assert!(crate::space::has_errors(&canonical.validate()));
    }

    fn permutation(length: usize) -> impl proptest::strategy::Strategy<Value = Vec<usize>> {
        use proptest::strategy::{Just, Strategy as _};
        Just((0..length).collect::<Vec<usize>>()).prop_shuffle()
    }

    fn permute<T: Clone>(items: &mut [T], order: &[usize]) {
        let original = items.to_vec();
        for (slot, index) in items.iter_mut().zip(order) {
            *slot = original[*index].clone();
        }
    }

    proptest::proptest! {
        #[test]
        fn any_order_of_the_full_fixture_canonicalizes_to_it(
            tables in permutation(5),
            columns in permutation(7),
            questions in permutation(3),
            joins in permutation(4),
            measures in permutation(3),
            parameters in permutation(2),
        ) {
            let full = fixture(FULL);
            let mut shuffled = full.clone();
            permute(shuffled.tables_mut(), &tables);
            let orders = shuffled
                .tables_mut()
                .iter_mut()
                .find(|table| table.identifier == "main.sales.orders")
                .unwrap();
            permute(orders.column_configs_mut(), &columns);
            permute(shuffled.benchmark_questions_mut(), &questions);
            permute(shuffled.join_specs_mut(), &joins);
            permute(shuffled.snippets_mut(crate::space::SnippetKind::Measure), &measures);
            let example = &mut shuffled.example_question_sqls_mut()[1];
            permute(example.parameters.as_mut().unwrap(), &parameters);
            proptest::prop_assert_eq!(shuffled.content_hash(), full.content_hash());
            proptest::prop_assert_eq!(shuffled.canonicalized(), full);
        }
    }

    #[test]
    fn canonicalize_is_idempotent_and_hash_ignores_order() {
        let sorted = json!({"version": 2, "config": {"sample_questions": [
            {"id": "a", "question": ["first"]}, {"id": "b", "question": ["second"]}
        ]}});
        let unsorted = json!({"version": 2, "config": {"sample_questions": [
            {"id": "b", "question": ["second"]}, {"id": "a", "question": ["first"]}
        ]}});
        let once = config(&unsorted).canonicalized();
        assert_eq!(once.clone().canonicalized(), once);
        assert_eq!(
            config(&sorted).content_hash(),
            config(&unsorted).content_hash()
        );
        assert_eq!(config(&unsorted).content_hash(), once.content_hash());
        let other = json!({"version": 2, "config": {"sample_questions": [{"id": "a", "question": ["other"]}]}});
        assert_ne!(config(&other).content_hash(), once.content_hash());
        assert_eq!(once.content_hash().short().len(), 12);
    }
}
