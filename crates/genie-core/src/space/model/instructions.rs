//! Instructions of a space: text, example SQL, SQL functions, joins and snippets.

use std::fmt;

use crate::space::object_macro::space_object;
use crate::space::text::TextLines;

space_object! {
    /// The global block of business rules (a space has at most one).
    pub struct TextInstruction {
        required {
            /// 32 lowercase hex digits.
            id: String,
            /// The instruction text.
            content: TextLines,
        }
        optional {}
    }
}

space_object! {
    /// An example question with the SQL that answers it.
    pub struct ExampleQuestionSql {
        required {
            /// 32 lowercase hex digits.
            id: String,
            /// The question.
            question: TextLines,
            /// The answering SQL; `:name` markers refer to `parameters`.
            sql: TextLines,
        }
        optional {
            /// Parameters of a parameterized example (a trusted asset), sorted by name.
            parameters: Vec<SqlParameter>,
            /// When Genie should use this example.
            usage_guidance: TextLines,
        }
    }
}

impl ExampleQuestionSql {
    /// The parameters (empty when absent).
    pub fn parameters(&self) -> &[SqlParameter] {
        self.parameters.as_deref().unwrap_or_default()
    }
}

space_object! {
    /// A named parameter of an example SQL.
    pub struct SqlParameter {
        required {
            /// The marker name, without the colon.
            name: String,
        }
        optional {
            /// The SQL type, e.g. `STRING`.
            type_hint: String,
            /// What the parameter means.
            description: TextLines,
            /// The value used when the question gives none.
            default_value: ParameterDefaultValue,
        }
    }
}

space_object! {
    /// The default value of a [`SqlParameter`].
    pub struct ParameterDefaultValue {
        required {}
        optional {
            /// The default values (one for a scalar parameter).
            values: Vec<String>,
        }
    }
}

space_object! {
    /// A Unity Catalog function (or table-valued function) Genie may call.
    pub struct SqlFunction {
        required {
            /// 32 lowercase hex digits.
            id: String,
            /// Three-part function name, `catalog.schema.function`.
            identifier: String,
        }
        optional {}
    }
}

space_object! {
    /// A join relationship between two data sources: one equality condition plus an
    /// optional `--rt=FROM_RELATIONSHIP_TYPE_…--` annotation element.
    pub struct JoinSpec {
        required {
            /// 32 lowercase hex digits.
            id: String,
            /// The left side of the join.
            left: JoinTable,
            /// The right side of the join.
            right: JoinTable,
            /// The join condition and its relationship annotation.
            sql: TextLines,
        }
        optional {
            /// A note for people.
            comment: TextLines,
            /// When and how Genie should use the join.
            instruction: TextLines,
        }
    }
}

/// The prefix of the relationship annotation element of a join spec's SQL.
pub const RELATIONSHIP_ANNOTATION_PREFIX: &str = "--rt=";

impl JoinSpec {
    /// The relationship annotation element (`--rt=FROM_RELATIONSHIP_TYPE_MANY_TO_ONE--`),
    /// if the SQL has one.
    pub fn relationship_annotation(&self) -> Option<&str> {
        self.sql
            .lines()
            .iter()
            .map(|line| line.trim())
            .find(|line| line.starts_with(RELATIONSHIP_ANNOTATION_PREFIX))
    }

    /// The join condition: the SQL without its relationship annotation.
    pub fn condition(&self) -> String {
        self.sql
            .lines()
            .iter()
            .filter(|line| !line.trim().starts_with(RELATIONSHIP_ANNOTATION_PREFIX))
            .map(String::as_str)
            .collect()
    }
}

space_object! {
    /// One side of a [`JoinSpec`].
    pub struct JoinTable {
        required {
            /// Three-part name of a table or metric view of the space.
            identifier: String,
        }
        optional {
            /// The alias the join condition uses for this side.
            alias: String,
        }
    }
}

space_object! {
    /// A SQL snippet: a filter, an expression (dimension) or a measure.
    ///
    /// The three kinds share one shape; [`SnippetKind`] says which list an item is
    /// in. Filters need `display_name`; expressions and measures need `alias`.
    pub struct SqlSnippet {
        required {
            /// 32 lowercase hex digits.
            id: String,
            /// The SQL: a table-qualified condition (filters, no `WHERE`) or expression.
            sql: TextLines,
        }
        optional {
            /// The column alias of an expression or measure.
            alias: String,
            /// The name shown to users (required for filters).
            display_name: String,
            /// Other words users say for this snippet.
            synonyms: Vec<String>,
            /// When and how Genie should use the snippet.
            instruction: TextLines,
            /// A note for people.
            comment: TextLines,
        }
    }
}

impl SqlSnippet {
    /// The synonyms (empty when absent).
    pub fn synonyms(&self) -> &[String] {
        self.synonyms.as_deref().unwrap_or_default()
    }
}

/// Which `sql_snippets` list a [`SqlSnippet`] belongs to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum SnippetKind {
    /// `sql_snippets.filters`: named conditions.
    Filter,
    /// `sql_snippets.expressions`: derived columns (dimensions).
    Expression,
    /// `sql_snippets.measures`: canonical aggregations.
    Measure,
}

impl SnippetKind {
    /// Every kind, in the order the lists appear in the document.
    pub const ALL: [Self; 3] = [Self::Filter, Self::Expression, Self::Measure];

    /// The key of this kind's list inside `sql_snippets`.
    pub fn key(self) -> &'static str {
        match self {
            Self::Filter => "filters",
            Self::Expression => "expressions",
            Self::Measure => "measures",
        }
    }
}

impl fmt::Display for SnippetKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Self::Filter => "filter",
            Self::Expression => "expression",
            Self::Measure => "measure",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn join_spec_condition_and_annotation() {
        let join: JoinSpec = serde_json::from_value(json!({
            "id": "01f0a1b2c3d4e5f60718293a4b5c6d7e",
            "left": {"identifier": "main.sales.orders", "alias": "orders"},
            "right": {"identifier": "main.sales.customers"},
            "sql": ["`orders`.`customer_id` = `customers`.`customer_id`", "--rt=FROM_RELATIONSHIP_TYPE_MANY_TO_ONE--"]
        }))
        .unwrap();
        assert_eq!(
            join.relationship_annotation(),
            Some("--rt=FROM_RELATIONSHIP_TYPE_MANY_TO_ONE--")
        );
        assert_eq!(
            join.condition(),
            "`orders`.`customer_id` = `customers`.`customer_id`"
        );
        assert_eq!(join.left.alias.as_deref(), Some("orders"));
        assert_eq!(join.right.alias, None);
    }

    #[test]
    fn snippet_keeps_unknown_keys_and_null_reads_as_absent() {
        let snippet: SqlSnippet = serde_json::from_value(json!({
            "id": "01f0a1b2c3d4e5f60718293a4b5c6d7e",
            "sql": ["orders.amount > 1000"],
            "display_name": null,
            "owner": "finance"
        }))
        .unwrap();
        assert_eq!(snippet.display_name, None);
        assert_eq!(snippet.extra["owner"], json!("finance"));
        assert_eq!(SnippetKind::Measure.key(), "measures");
        assert_eq!(SnippetKind::Filter.to_string(), "filter");
    }

    #[test]
    fn duplicate_key_is_an_error() {
        let error =
            serde_json::from_str::<SqlFunction>(r#"{"id": "a", "identifier": "x.y.z", "id": "b"}"#)
                .unwrap_err();
        assert!(
            error.to_string().starts_with("duplicate field `id`"),
            "{error}"
        );
    }
}
