//! Data sources of a space: tables, metric views and their column configs.

use crate::space::object_macro::space_object;
use crate::space::text::TextLines;

space_object! {
    /// A table (in `data_sources.tables`) or a metric view (in
    /// `data_sources.metric_views`) that the space may query.
    pub struct TableConfig {
        required {
            /// Three-part Unity Catalog name, `catalog.schema.name`.
            identifier: String,
        }
        optional {
            /// The space's description of the table (overrides the UC comment).
            description: TextLines,
            /// Per-column settings, sorted by `column_name`.
            column_configs: Vec<ColumnConfig>,
        }
    }
}

/// A metric view entry has the same shape as a table entry.
pub type MetricViewConfig = TableConfig;

impl TableConfig {
    /// A table entry with only its identifier.
    pub fn new(identifier: impl Into<String>) -> Self {
        Self {
            identifier: identifier.into(),
            ..Self::default()
        }
    }

    /// The column configs (empty when absent).
    pub fn column_configs(&self) -> &[ColumnConfig] {
        self.column_configs.as_deref().unwrap_or_default()
    }

    /// The column configs, created empty when absent.
    pub fn column_configs_mut(&mut self) -> &mut Vec<ColumnConfig> {
        self.column_configs.get_or_insert_with(Vec::new)
    }

    /// The config of the column named `column_name`, if any.
    pub fn column(&self, column_name: &str) -> Option<&ColumnConfig> {
        self.column_configs()
            .iter()
            .find(|column| column.column_name == column_name)
    }

    /// The description as one string (empty when absent).
    pub fn description_text(&self) -> String {
        self.description
            .as_ref()
            .map(TextLines::joined)
            .unwrap_or_default()
    }
}

space_object! {
    /// Settings of one column of a table or metric view.
    ///
    /// Version 1 documents name the two prompt-matching switches
    /// `get_example_values` and `build_value_dictionary`; they are read into their
    /// own fields (so a version 1 document writes back unchanged) and
    /// [`SpaceConfig::canonicalize`](crate::space::SpaceConfig::canonicalize)
    /// renames them to the version 2 names.
    pub struct ColumnConfig {
        required {
            /// The column's name in the table.
            column_name: String,
        }
        optional {
            /// The space's description of the column.
            description: TextLines,
            /// Other words users say for this column.
            synonyms: Vec<String>,
            /// Hides the column from Genie.
            exclude: bool,
            /// Sample values teach Genie the column's formats (v1: `get_example_values`).
            enable_format_assistance: bool,
            /// Value dictionary maps user literals to stored values
            /// (v1: `build_value_dictionary`).
            enable_entity_matching: bool,
            /// Version 1 name of `enable_format_assistance`.
            get_example_values: bool,
            /// Version 1 name of `enable_entity_matching`.
            build_value_dictionary: bool,
        }
    }
}

impl ColumnConfig {
    /// A column config with only its name.
    pub fn new(column_name: impl Into<String>) -> Self {
        Self {
            column_name: column_name.into(),
            ..Self::default()
        }
    }

    /// The synonyms (empty when absent).
    pub fn synonyms(&self) -> &[String] {
        self.synonyms.as_deref().unwrap_or_default()
    }

    /// Whether the column is hidden from Genie.
    pub fn is_excluded(&self) -> bool {
        self.exclude.unwrap_or(false)
    }

    /// Whether format assistance is on, under its version 2 or version 1 name
    /// (the version 2 name wins when both are present).
    pub fn format_assistance(&self) -> bool {
        self.enable_format_assistance
            .or(self.get_example_values)
            .unwrap_or(false)
    }

    /// Whether entity matching is on, under its version 2 or version 1 name
    /// (the version 2 name wins when both are present).
    pub fn entity_matching(&self) -> bool {
        self.enable_entity_matching
            .or(self.build_value_dictionary)
            .unwrap_or(false)
    }

    /// The description as one string (empty when absent).
    pub fn description_text(&self) -> String {
        self.description
            .as_ref()
            .map(TextLines::joined)
            .unwrap_or_default()
    }

    /// Moves the version 1 switches to their version 2 names. A version 2 value
    /// already present wins over the version 1 value, which is dropped.
    pub fn rename_version_1_keys(&mut self) {
        if let Some(value) = self.get_example_values.take() {
            self.enable_format_assistance.get_or_insert(value);
        }
        if let Some(value) = self.build_value_dictionary.take() {
            self.enable_entity_matching.get_or_insert(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn column_config_reads_both_key_generations() {
        let v1: ColumnConfig = serde_json::from_value(json!({
            "column_name": "region", "get_example_values": true, "build_value_dictionary": true
        }))
        .unwrap();
        assert!(v1.format_assistance() && v1.entity_matching());
        assert_eq!(v1.enable_format_assistance, None);

        let mut renamed = v1.clone();
        renamed.rename_version_1_keys();
        assert_eq!(
            serde_json::to_value(&renamed).unwrap(),
            json!({"column_name": "region", "enable_format_assistance": true, "enable_entity_matching": true})
        );
    }

    #[test]
    fn version_2_value_wins_over_version_1_value() {
        let mut column: ColumnConfig = serde_json::from_value(json!({
            "column_name": "region", "enable_format_assistance": false, "get_example_values": true
        }))
        .unwrap();
        assert!(!column.format_assistance());
        column.rename_version_1_keys();
        assert_eq!(column.enable_format_assistance, Some(false));
        assert_eq!(column.get_example_values, None);
    }

    #[test]
    fn absent_and_explicit_values_round_trip() {
        let input = json!({
            "identifier": "main.sales.orders",
            "column_configs": [
                {"column_name": "a"},
                {"column_name": "b", "exclude": false, "synonyms": [], "data_type": "STRING"}
            ]
        });
        let table: TableConfig = serde_json::from_value(input.clone()).unwrap();
        assert_eq!(table.column_configs()[0].exclude, None);
        assert_eq!(table.column_configs()[1].exclude, Some(false));
        assert_eq!(
            table.column_configs()[1].extra["data_type"],
            json!("STRING")
        );
        assert_eq!(table.description, None);
        assert_eq!(serde_json::to_value(&table).unwrap(), input);
    }

    #[test]
    fn missing_required_key_is_an_error() {
        let error =
            serde_json::from_value::<TableConfig>(json!({"description": ["x"]})).unwrap_err();
        assert_eq!(error.to_string(), "missing field `identifier`");
    }
}
