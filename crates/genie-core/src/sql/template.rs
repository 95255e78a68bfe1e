//! `${name}` template variables in SQL, as Genie spaces and bundles write them
//! (`${catalog}.${gold_schema}.orders`), and their resolution.
//!
//! A reference is `${` followed by a name of ASCII letters, digits, `_`, `.` or `-`
//! and a closing `}`. Anything else, such as a lone `$` or `${` without a valid name
//! and `}`, is ordinary text and is left alone. Substitution is textual: a reference
//! inside a string literal or a comment is replaced too.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::error::SqlError;

/// Values for template variables, by name.
///
/// ```
/// # use genie_core::sql::TemplateVariables;
/// let variables = TemplateVariables::default()
///     .with("catalog", "main")
///     .with("gold_schema", "sales");
/// assert_eq!(variables.get("catalog"), Some("main"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TemplateVariables(BTreeMap<String, String>);

impl TemplateVariables {
    /// Returns these variables with `name` set to `value` (replacing any earlier value).
    #[must_use]
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.insert(name, value);
        self
    }

    /// Sets `name` to `value`, replacing any earlier value.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.insert(name.into(), value.into());
    }

    /// The value of `name`, if it has one.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// Whether no variable has a value.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The variables and their values, ordered by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }
}

/// Replaces every `${name}` in `sql` with the value of `name`.
///
/// Fails on the first reference (in reading order) whose variable has no value.
pub fn resolve_template(sql: &str, variables: &TemplateVariables) -> Result<String, SqlError> {
    let mut resolved = String::with_capacity(sql.len());
    let mut copied_up_to = 0;
    for (range, name) in references(sql) {
        let value = variables
            .get(name)
            .ok_or_else(|| SqlError::UnresolvedTemplate {
                name: name.to_owned(),
            })?;
        resolved.push_str(&sql[copied_up_to..range.start]);
        resolved.push_str(value);
        copied_up_to = range.end;
    }
    resolved.push_str(&sql[copied_up_to..]);
    Ok(resolved)
}

/// The names of the template variables `sql` uses, in order of first use, each once.
pub fn template_variables(sql: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (_, name) in references(sql) {
        if !names.iter().any(|known| known == name) {
            names.push(name.to_owned());
        }
    }
    names
}

/// Every `${name}` reference of `text`: its byte range and the name.
fn references(text: &str) -> impl Iterator<Item = (Range<usize>, &str)> {
    let mut search_from = 0;
    std::iter::from_fn(move || {
        while let Some(found) = text[search_from..].find("${") {
            let start = search_from + found;
            let name_start = start + 2;
            let name_length = text[name_start..]
                .find(|character: char| !is_name_character(character))
                .unwrap_or(text.len() - name_start);
            let name_end = name_start + name_length;
            if name_length > 0 && text[name_end..].starts_with('}') {
                search_from = name_end + 1;
                return Some((start..search_from, &text[name_start..name_end]));
            }
            search_from = start + 1;
        }
        None
    })
}

fn is_name_character(character: char) -> bool {
    character.is_ascii_alphanumeric() || matches!(character, '_' | '.' | '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variables() -> TemplateVariables {
        TemplateVariables::default()
            .with("catalog", "main")
            .with("gold_schema", "sales")
    }

    #[test]
    fn resolves_catalog_and_schema() {
        let sql = "SELECT * FROM ${catalog}.${gold_schema}.orders JOIN ${catalog}.${gold_schema}.customers";
        assert_eq!(
            resolve_template(sql, &variables()).unwrap(),
            "SELECT * FROM main.sales.orders JOIN main.sales.customers"
        );
    }

    #[test]
    fn unresolved_variable_is_named() {
        let sql = "SELECT * FROM ${catalog}.${silver_schema}.orders";
        assert_eq!(
            resolve_template(sql, &variables()),
            Err(SqlError::UnresolvedTemplate {
                name: "silver_schema".to_owned()
            })
        );
        assert_eq!(
            resolve_template(sql, &TemplateVariables::default()),
            Err(SqlError::UnresolvedTemplate {
                name: "catalog".to_owned()
            })
        );
    }

    #[test]
    fn other_dollar_signs_are_left_alone() {
        let sql = "SELECT '$5', price$, '${', '${ x }', '${}' FROM t$1 WHERE a = '$catalog'";
        assert_eq!(resolve_template(sql, &variables()).unwrap(), sql);
        assert!(template_variables(sql).is_empty());
    }

    #[test]
    fn value_is_inserted_verbatim_and_not_rescanned() {
        let variables = TemplateVariables::default().with("a", "${b}");
        assert_eq!(resolve_template("x ${a}$", &variables).unwrap(), "x ${b}$");
    }

    #[test]
    fn lists_names_in_order_of_first_use() {
        let sql = "${gold_schema} ${catalog}.${gold_schema} ${bundle.target-name} $${x}";
        assert_eq!(
            template_variables(sql),
            ["gold_schema", "catalog", "bundle.target-name", "x"]
        );
    }

    #[test]
    fn variables_serialize_as_a_map() {
        let json = serde_json::to_string(&variables()).unwrap();
        assert_eq!(json, r#"{"catalog":"main","gold_schema":"sales"}"#);
        let back: TemplateVariables = serde_json::from_str(&json).unwrap();
        assert_eq!(back, variables());
        assert_eq!(
            back.iter().collect::<Vec<_>>(),
            [("catalog", "main"), ("gold_schema", "sales")]
        );
    }
}
