//! [`GenieSpace`]: the space object of the Genie spaces API.

use crate::space::object_macro::space_object;
use crate::space::parse::{Origin, SpaceParseError, parse_config};

use super::config::SpaceConfig;

space_object! {
    /// A Genie space as the spaces API returns it (GET with
    /// `include_serialized_space=true`, create, update).
    ///
    /// `serialized_space` is the [`SpaceConfig`] as a JSON *string*; read it with
    /// [`GenieSpace::config`] and replace it with [`GenieSpace::set_config`].
    /// Timestamps are RFC 3339 strings, kept as text.
    pub struct GenieSpace {
        required {}
        optional {
            /// 32 lowercase hex digits.
            space_id: String,
            /// The space's title.
            title: String,
            /// The space's description (≤ 4,096 characters).
            description: String,
            /// The SQL warehouse that runs the space's queries.
            warehouse_id: String,
            /// The workspace folder holding the space.
            parent_path: String,
            /// The configuration as a JSON string.
            serialized_space: String,
            /// Version tag for optimistic concurrency on update.
            etag: String,
            /// Creation time, RFC 3339 (`2025-01-01T00:00:00Z`).
            create_time: String,
            /// Last update time, RFC 3339.
            update_time: String,
        }
    }
}

impl GenieSpace {
    /// Parses the embedded `serialized_space`. Errors say they are inside
    /// `serialized_space` and give the line and column (or field path) there.
    pub fn config(&self) -> Result<SpaceConfig, SpaceParseError> {
        let text = self
            .serialized_space
            .as_deref()
            .ok_or(SpaceParseError::MissingSerializedSpace)?;
        parse_config(text, Origin::Embedded)
    }

    /// Replaces `serialized_space` with `config` as compact canonical JSON text.
    pub fn set_config(&mut self, config: &SpaceConfig) {
        self.serialized_space = Some(config.to_json());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn config_round_trips_through_the_embedded_string() {
        let mut space: GenieSpace = serde_json::from_value(json!({
            "space_id": "01f0c3a9e7d41b2c8f5a6e7d8c9b0a1f",
            "title": "Retail sales",
            "serialized_space": "{\"version\": 2, \"data_sources\": {\"tables\": [{\"identifier\": \"main.sales.orders\"}]}}",
            "create_time": "2025-01-01T00:00:00Z",
            "lifecycle_state": "ACTIVE"
        }))
        .unwrap();
        let config = space.config().unwrap();
        assert_eq!(config.tables()[0].identifier, "main.sales.orders");
        space.set_config(&config);
        assert_eq!(
            space.serialized_space.as_deref(),
            Some(r#"{"data_sources":{"tables":[{"identifier":"main.sales.orders"}]},"version":2}"#)
        );
        assert_eq!(space.extra["lifecycle_state"], json!("ACTIVE"));
    }

    #[test]
    fn embedded_errors_say_where_they_are() {
        let space = GenieSpace {
            serialized_space: Some("{\"version\": 2,\n \"config\": }".to_owned()),
            ..GenieSpace::default()
        };
        assert_eq!(
            space.config().unwrap_err(),
            SpaceParseError::EmbeddedSyntax {
                line: 2,
                column: 12,
                message: "expected value".to_owned()
            }
        );
        assert_eq!(
            GenieSpace::default().config().unwrap_err(),
            SpaceParseError::MissingSerializedSpace
        );
    }
}
