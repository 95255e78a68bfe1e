//! Duplicate ids in a space read from the API: each list keeps the first item with a
//! given id (the API would refuse to take the config back otherwise).

use std::collections::BTreeSet;

use genie_core::space::{SnippetKind, SpaceConfig};

/// Removes later items that repeat an id; returns how many were removed.
pub(crate) fn remove_duplicate_ids(config: &mut SpaceConfig) -> usize {
    let mut removed = 0;
    if has_duplicates(config.sample_questions().iter().map(|q| q.id.as_str())) {
        removed += keep_first(config.sample_questions_mut(), |q| q.id.clone());
    }
    if has_duplicates(config.text_instructions().iter().map(|i| i.id.as_str())) {
        removed += keep_first(config.text_instructions_mut(), |i| i.id.clone());
    }
    if has_duplicates(config.example_question_sqls().iter().map(|e| e.id.as_str())) {
        removed += keep_first(config.example_question_sqls_mut(), |e| e.id.clone());
    }
    if has_duplicates(config.sql_functions().iter().map(|f| f.id.as_str())) {
        removed += keep_first(config.sql_functions_mut(), |f| f.id.clone());
    }
    if has_duplicates(config.join_specs().iter().map(|j| j.id.as_str())) {
        removed += keep_first(config.join_specs_mut(), |j| j.id.clone());
    }
    for kind in SnippetKind::ALL {
        if has_duplicates(config.snippets(kind).iter().map(|s| s.id.as_str())) {
            removed += keep_first(config.snippets_mut(kind), |s| s.id.clone());
        }
    }
    if has_duplicates(config.benchmark_questions().iter().map(|q| q.id.as_str())) {
        removed += keep_first(config.benchmark_questions_mut(), |q| q.id.clone());
    }
    removed
}

fn has_duplicates<'a>(ids: impl Iterator<Item = &'a str>) -> bool {
    let mut seen = BTreeSet::new();
    ids.into_iter().any(|id| !seen.insert(id))
}

fn keep_first<T>(items: &mut Vec<T>, id: impl Fn(&T) -> String) -> usize {
    let before = items.len();
    let mut seen = BTreeSet::new();
    items.retain(|item| seen.insert(id(item)));
    before - items.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn later_duplicates_go_and_absent_lists_stay_absent() {
        let mut config = SpaceConfig::from_json(
            &json!({"version": 2, "config": {"sample_questions": [
                {"id": "01f00000000000000000000000000001", "question": ["a"]},
                {"id": "01f00000000000000000000000000001", "question": ["b"]},
                {"id": "01f00000000000000000000000000002", "question": ["c"]}]}})
            .to_string(),
        )
        .unwrap();
        assert_eq!(remove_duplicate_ids(&mut config), 1);
        assert_eq!(config.sample_questions()[0].question.joined(), "a");
        assert_eq!(config.sample_questions().len(), 2);
        assert_eq!(config.instructions, None);
    }
}
