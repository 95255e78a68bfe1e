//! Rules on ids and names: id format and the uniqueness rules.

use std::collections::HashMap;

use crate::space::ids::is_valid_id;
use crate::space::model::SpaceConfig;
use crate::space::walk::index_path;

use super::items::{self, LocatedId, item_field};
use super::problem::Problem;

/// Every id of a question or instruction is exactly 32 lowercase hex digits.
pub(super) fn id_format(config: &SpaceConfig, problems: &mut Vec<Problem>) {
    let mut ids = items::question_ids(config);
    ids.extend(items::instruction_ids(config));
    for LocatedId { path, id } in ids {
        if !is_valid_id(id) {
            problems.push(Problem::error(
                path,
                format!("id `{id}` is not 32 lowercase hex digits"),
            ));
        }
    }
}

/// Question ids are unique across sample questions and benchmark questions.
pub(super) fn unique_question_ids(config: &SpaceConfig, problems: &mut Vec<Problem>) {
    report_duplicates(items::question_ids(config), "question id", problems);
}

/// Instruction ids are unique across text instructions, example SQLs, SQL functions,
/// join specs and the three snippet lists.
pub(super) fn unique_instruction_ids(config: &SpaceConfig, problems: &mut Vec<Problem>) {
    report_duplicates(items::instruction_ids(config), "instruction id", problems);
}

/// Each table or metric view is listed once.
pub(super) fn unique_data_sources(config: &SpaceConfig, problems: &mut Vec<Problem>) {
    let mut located = Vec::new();
    for (list, sources) in items::data_source_lists(config) {
        for (index, source) in sources.iter().enumerate() {
            located.push(LocatedId {
                path: item_field(list, index, "identifier"),
                id: &source.identifier,
            });
        }
    }
    report_duplicates(located, "data source", problems);
}

/// `(table identifier, column_name)` is unique: a column is configured once.
pub(super) fn unique_columns(config: &SpaceConfig, problems: &mut Vec<Problem>) {
    let mut first_seen: HashMap<(&str, &str), String> = HashMap::new();
    for (list, sources) in items::data_source_lists(config) {
        for (source_index, source) in sources.iter().enumerate() {
            let columns_path = item_field(list, source_index, "column_configs");
            for (column_index, column) in source.column_configs().iter().enumerate() {
                let path = item_field(&columns_path, column_index, "column_name");
                let key = (source.identifier.as_str(), column.column_name.as_str());
                if let Some(first) = first_seen.get(&key) {
                    problems.push(Problem::error(
                        path,
                        format!(
                            "duplicate column config for `{}` of `{}`, first at `{first}`",
                            column.column_name, source.identifier
                        ),
                    ));
                } else {
                    first_seen.insert(key, index_path(&columns_path, column_index));
                }
            }
        }
    }
}

/// Reports every occurrence of an id after its first, naming where the first is.
fn report_duplicates(ids: Vec<LocatedId<'_>>, what: &str, problems: &mut Vec<Problem>) {
    let mut first_seen: HashMap<&str, String> = HashMap::new();
    for LocatedId { path, id } in ids {
        if let Some(first) = first_seen.get(id) {
            problems.push(Problem::error(
                path,
                format!("duplicate {what} `{id}`, first used at `{first}`"),
            ));
        } else {
            first_seen.insert(id, path);
        }
    }
}
