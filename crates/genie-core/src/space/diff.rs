//! [`ConfigDiff`]: a field-level difference between two space configs, for people to
//! read before a config is copied or promoted, and as data for reports.
//!
//! Both configs are compared in canonical form. Lists of objects are matched by their
//! key (`id`, else `identifier`, else `column_name`, else `name`), so an inserted
//! example shows as one added item rather than every later item changing; a text field
//! (a list of strings, "logically one string") is compared as its joined text. Paths
//! name items by key: `data_sources.tables[main.sales.orders].column_configs[region].synonyms`.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::SpaceConfig;

/// Every field that differs between two configs, in path order.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ConfigDiff {
    /// The changed fields.
    pub changes: Vec<FieldChange>,
}

/// One field (or list item) that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// Where, with list items named by key.
    pub path: String,
    /// The value in the first config (`None`: absent there).
    pub before: Option<Value>,
    /// The value in the second config (`None`: absent there).
    pub after: Option<Value>,
}

impl ConfigDiff {
    /// What changes from `from` to `to`.
    pub fn between(from: &SpaceConfig, to: &SpaceConfig) -> Self {
        let canonical = |config: &SpaceConfig| {
            serde_json::to_value(config.clone().canonicalized())
                .expect("space configs serialize to JSON")
        };
        let mut changes = Vec::new();
        compare(
            "",
            Some(&canonical(from)),
            Some(&canonical(to)),
            &mut changes,
        );
        Self { changes }
    }

    /// Whether the configs are the same.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

fn compare(path: &str, before: Option<&Value>, after: Option<&Value>, out: &mut Vec<FieldChange>) {
    if before == after {
        return;
    }
    match (before, after) {
        (Some(Value::Object(left)), Some(Value::Object(right))) => {
            let mut keys: Vec<&String> = left.keys().chain(right.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                compare(&child(path, key), left.get(key), right.get(key), out);
            }
        }
        (Some(Value::Array(left)), Some(Value::Array(right)))
            if is_text(left) && is_text(right) =>
        {
            out.push(FieldChange {
                path: path.to_owned(),
                before: Some(Value::String(joined(left))),
                after: Some(Value::String(joined(right))),
            });
        }
        (Some(Value::Array(left)), Some(Value::Array(right)))
            if keyed(left).is_some() && keyed(right).is_some() =>
        {
            let (left, right) = (
                keyed(left).unwrap_or_default(),
                keyed(right).unwrap_or_default(),
            );
            let mut keys: Vec<&str> = left.iter().chain(&right).map(|(key, _)| *key).collect();
            keys.sort_unstable();
            keys.dedup();
            for key in keys {
                compare(
                    &format!("{path}[{key}]"),
                    find(&left, key),
                    find(&right, key),
                    out,
                );
            }
        }
        _ => out.push(FieldChange {
            path: path.to_owned(),
            before: before.cloned(),
            after: after.cloned(),
        }),
    }
}

fn find<'a>(items: &[(&str, &'a Value)], key: &str) -> Option<&'a Value> {
    items
        .iter()
        .find(|(found, _)| *found == key)
        .map(|(_, value)| *value)
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn is_text(items: &[Value]) -> bool {
    !items.is_empty() && items.iter().all(Value::is_string)
}

fn joined(items: &[Value]) -> String {
    items.iter().filter_map(Value::as_str).collect()
}

/// The items of a list of objects by their key, when every item has a distinct one.
fn keyed(items: &[Value]) -> Option<Vec<(&str, &Value)>> {
    let mut keyed = Vec::with_capacity(items.len());
    for item in items {
        let object = item.as_object()?;
        let key = ["id", "identifier", "column_name", "name"]
            .iter()
            .find_map(|key| object.get(*key).and_then(Value::as_str))?;
        if keyed.iter().any(|(seen, _)| *seen == key) {
            return None;
        }
        keyed.push((key, item));
    }
    Some(keyed)
}

impl fmt::Display for ConfigDiff {
    /// One line per change: `~ path: before → after`, `+ path: value`, `- path: value`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.changes.is_empty() {
            return writeln!(f, "(no changes)");
        }
        for change in &self.changes {
            match (&change.before, &change.after) {
                (Some(before), Some(after)) => {
                    writeln!(f, "~ {}: {} → {}", change.path, shown(before), shown(after))?;
                }
                (None, Some(after)) => writeln!(f, "+ {}: {}", change.path, shown(after))?,
                (Some(before), None) => writeln!(f, "- {}: {}", change.path, shown(before))?,
                (None, None) => {}
            }
        }
        Ok(())
    }
}

/// A value on one line, long ones cut to 200 characters.
fn shown(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 200 {
        format!("{}…", text.chars().take(200).collect::<String>())
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config(value: Value) -> SpaceConfig {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn items_are_matched_by_key_and_text_is_joined() {
        let from = config(json!({"version": 2, "data_sources": {"tables": [
            {"identifier": "main.s.a", "description": ["Old ", "text"]},
            {"identifier": "main.s.b", "column_configs": [{"column_name": "x", "synonyms": ["y"]}]}
        ]}}));
        let to = config(json!({"version": 2, "data_sources": {"tables": [
            {"identifier": "main.s.a", "description": ["New text"]},
            {"identifier": "main.s.b", "column_configs": [{"column_name": "x", "synonyms": ["y", "z"]}]},
            {"identifier": "main.s.c"}
        ]}}));
        let diff = ConfigDiff::between(&from, &to);
        let paths: Vec<&str> = diff.changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "data_sources.tables[main.s.a].description",
                "data_sources.tables[main.s.b].column_configs[x].synonyms",
                "data_sources.tables[main.s.c]",
            ]
        );
        assert_eq!(diff.changes[0].before, Some(json!("Old text")));
        let text = diff.to_string();
        assert!(
            text.contains(
                "~ data_sources.tables[main.s.a].description: \"Old text\" → \"New text\""
            ),
            "{text}"
        );
        assert!(text.contains("+ data_sources.tables[main.s.c]: "), "{text}");
        assert!(ConfigDiff::between(&to, &to).is_empty());
        let back = ConfigDiff::between(&to, &from);
        assert!(back.to_string().contains("- data_sources.tables[main.s.c]"));
    }
}
