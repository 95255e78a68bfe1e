//! [`SpaceDocument`]: what a user's space file holds — a bare serialized space or a
//! space object of the API whose `serialized_space` is a JSON string.

use serde_json::Value;

use crate::canonical::to_canonical_json_pretty;

use super::model::{GenieSpace, SpaceConfig};
use super::parse::{self, Origin, SpaceParseError};

/// The two forms a space file takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    /// A bare serialized space (`{"version": 2, "data_sources": …}`).
    Space,
    /// A space object of the API (`{"space_id": …, "serialized_space": "{…}"}`).
    ApiObject,
}

/// A space file's content: the [`SpaceConfig`], plus the API object around it when
/// the file holds one.
///
/// Edits go through [`SpaceDocument::config_mut`]; when the document is written,
/// an API object's `serialized_space` is kept as read if the config was not changed
/// and replaced with the config's compact canonical JSON otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct SpaceDocument {
    config: SpaceConfig,
    envelope: Option<Envelope>,
}

/// The API object of a document, with the config as parsed from its
/// `serialized_space` (to tell whether the config changed since).
#[derive(Debug, Clone, PartialEq)]
struct Envelope {
    space: GenieSpace,
    embedded: SpaceConfig,
}

impl SpaceDocument {
    /// Parses a space file. An object with a `serialized_space` key is an API
    /// object; any other object is a bare serialized space.
    ///
    /// Malformed JSON gives one error with its line and column (inside
    /// `serialized_space`: the line and column in the embedded text); a value of the
    /// wrong type gives the field path.
    pub fn parse(text: &str) -> Result<Self, SpaceParseError> {
        let value = parse::parse_json(text, Origin::Document)?;
        parse::require_object(&value)?;
        let is_api_object = value.get("serialized_space").is_some();
        if is_api_object {
            let space: GenieSpace = parse::from_value(&value, Origin::Document)?;
            Self::from_api_object(space)
        } else if value.get("space_id").is_some() {
            Err(SpaceParseError::MissingSerializedSpace)
        } else {
            Ok(Self::from_config(parse::from_value(
                &value,
                Origin::Document,
            )?))
        }
    }

    /// A document holding a bare serialized space.
    pub fn from_config(config: SpaceConfig) -> Self {
        Self {
            config,
            envelope: None,
        }
    }

    /// A document holding an API object; parses its `serialized_space`.
    pub fn from_api_object(space: GenieSpace) -> Result<Self, SpaceParseError> {
        let embedded = space.config()?;
        Ok(Self {
            config: embedded.clone(),
            envelope: Some(Envelope { space, embedded }),
        })
    }

    /// Which form the document has.
    pub fn kind(&self) -> DocumentKind {
        if self.envelope.is_some() {
            DocumentKind::ApiObject
        } else {
            DocumentKind::Space
        }
    }

    /// The space's configuration.
    pub fn config(&self) -> &SpaceConfig {
        &self.config
    }

    /// The space's configuration, for editing.
    pub fn config_mut(&mut self) -> &mut SpaceConfig {
        &mut self.config
    }

    /// Consumes the document and returns the configuration.
    pub fn into_config(self) -> SpaceConfig {
        self.config
    }

    /// The API object as it will be written (its `serialized_space` reflecting the
    /// current config), or `None` for a bare space.
    pub fn api_object(&self) -> Option<GenieSpace> {
        self.envelope.as_ref().map(|envelope| {
            let mut space = envelope.space.clone();
            if self.config != envelope.embedded {
                space.set_config(&self.config);
            }
            space
        })
    }

    /// Puts the config in canonical form (see [`SpaceConfig::canonicalize`]). An
    /// API object stays an API object, with its `serialized_space` rewritten as the
    /// canonical config's compact canonical JSON.
    pub fn canonicalize(&mut self) {
        self.config.canonicalize();
        if let Some(envelope) = &mut self.envelope {
            envelope.space.set_config(&self.config);
            envelope.embedded = self.config.clone();
        }
    }

    /// The document as a JSON value, in its own form.
    pub fn to_value(&self) -> Value {
        let value = match self.api_object() {
            Some(space) => serde_json::to_value(space),
            None => serde_json::to_value(&self.config),
        };
        value.expect("space documents serialize to JSON objects with string keys")
    }

    /// The document as pretty JSON: keys sorted, two-space indents, trailing newline.
    pub fn to_pretty_json(&self) -> String {
        to_canonical_json_pretty(&self.to_value())
    }
}

#[cfg(test)]
mod tests {
    use crate::space::fixtures::{
        API_OBJECT, DEFECTIVE, FULL, UNKNOWN_FIELDS, UNSORTED, VERSION_1,
    };
    use serde_json::json;

    use super::*;

    fn json_value(text: &str) -> Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn fixtures_round_trip_unchanged() {
        for (name, text) in [
            ("full", FULL),
            ("v1", VERSION_1),
            ("unknown_fields", UNKNOWN_FIELDS),
            ("unsorted", UNSORTED),
            ("defective", DEFECTIVE),
            ("api_object", API_OBJECT),
        ] {
            let document = SpaceDocument::parse(text).unwrap();
            assert_eq!(document.to_value(), json_value(text), "{name}");
            assert_eq!(
                json_value(&document.to_pretty_json()),
                json_value(text),
                "{name}"
            );
        }
        for (name, text) in [
            ("full", FULL),
            ("v1", VERSION_1),
            ("unknown_fields", UNKNOWN_FIELDS),
        ] {
            let config: SpaceConfig = serde_json::from_str(text).unwrap();
            assert_eq!(
                serde_json::to_value(&config).unwrap(),
                json_value(text),
                "{name}"
            );
        }
        let space: GenieSpace = serde_json::from_str(API_OBJECT).unwrap();
        assert_eq!(
            serde_json::to_value(&space).unwrap(),
            json_value(API_OBJECT)
        );
    }

    #[test]
    fn kinds_are_recognised() {
        assert_eq!(
            SpaceDocument::parse(FULL).unwrap().kind(),
            DocumentKind::Space
        );
        let api = SpaceDocument::parse(API_OBJECT).unwrap();
        assert_eq!(api.kind(), DocumentKind::ApiObject);
        assert_eq!(
            api.config(),
            &SpaceConfig::from_json(json_value(API_OBJECT)["serialized_space"].as_str().unwrap())
                .unwrap()
        );
        assert!(!api.config().tables().is_empty());
    }

    #[test]
    fn pretty_json_sorts_keys_and_ends_with_a_newline() {
        let document =
            SpaceDocument::parse(r#"{"version": 2, "data_sources": {"tables": []}}"#).unwrap();
        assert_eq!(
            document.to_pretty_json(),
            "{\n  \"data_sources\": {\n    \"tables\": []\n  },\n  \"version\": 2\n}\n"
        );
    }

    #[test]
    fn malformed_json_reports_line_and_column() {
        let text = "{\n  \"version\": 2,\n  \"data_sources\": {\n    \"tables\": [\n      {\"identifier\": \"main.sales.orders\",}\n    ]\n  }\n}\n";
        let error = SpaceDocument::parse(text).unwrap_err();
        assert_eq!(
            error,
            SpaceParseError::Syntax {
                line: 5,
                column: 42,
                message: "trailing comma".to_owned()
            }
        );
        assert_eq!(
            error.to_string(),
            "malformed JSON at line 5, column 42: trailing comma"
        );
        assert!(matches!(
            SpaceDocument::parse("").unwrap_err(),
            SpaceParseError::Syntax {
                line: 1,
                column: 0,
                ..
            }
        ));
    }

    #[test]
    fn malformed_embedded_space_reports_its_own_position() {
        let text = r#"{"space_id": "01f0c3a9e7d41b2c8f5a6e7d8c9b0a1f", "title": "Retail",
            "serialized_space": "{\"version\": 2,\n\"data_sources\": {\"tables\": [}}"}"#;
        let error = SpaceDocument::parse(text).unwrap_err();
        assert_eq!(
            error,
            SpaceParseError::EmbeddedSyntax {
                line: 2,
                column: 29,
                message: "expected value".to_owned()
            }
        );
        assert!(
            error
                .to_string()
                .contains("inside `serialized_space` at line 2, column 29"),
            "{error}"
        );
    }

    #[test]
    fn wrong_types_name_the_field_path() {
        let embedded = json!({"version": 2, "data_sources": {"tables": [
            {"identifier": "main.sales.orders", "column_configs": [{"column_name": "region", "exclude": "no"}]}
        ]}});
        let api = json!({"space_id": "x", "serialized_space": embedded.to_string()});
        assert_eq!(
            SpaceDocument::parse(&api.to_string())
                .unwrap_err()
                .to_string(),
            "invalid value inside `serialized_space` at `data_sources.tables[0].column_configs[0].exclude`: \
             invalid type: string \"no\", expected a boolean"
        );
        assert_eq!(
            SpaceDocument::parse(&embedded.to_string()).unwrap_err(),
            SpaceParseError::InvalidField {
                path: "data_sources.tables[0].column_configs[0].exclude".to_owned(),
                message: "invalid type: string \"no\", expected a boolean".to_owned()
            }
        );
        assert_eq!(
            SpaceDocument::parse(r#"{"space_id": "x", "serialized_space": {"version": 2}}"#)
                .unwrap_err()
                .to_string(),
            "invalid value at `serialized_space`: invalid type: map, expected a string"
        );
        assert_eq!(
            SpaceDocument::parse(r#"{"space_id": "x", "title": "Retail"}"#).unwrap_err(),
            SpaceParseError::MissingSerializedSpace
        );
        assert_eq!(
            SpaceDocument::parse("[]").unwrap_err().to_string(),
            "expected a JSON object at the top level, found an array"
        );
    }

    #[test]
    fn canonicalize_keeps_an_api_object_an_api_object() {
        let mut document = SpaceDocument::parse(API_OBJECT).unwrap();
        document.config_mut().tables_mut().reverse();
        document.canonicalize();
        assert_eq!(document.kind(), DocumentKind::ApiObject);
        let written = document.to_value();
        let original = json_value(API_OBJECT);
        for key in [
            "space_id",
            "title",
            "description",
            "warehouse_id",
            "etag",
            "create_time",
        ] {
            assert_eq!(written[key], original[key], "{key}");
        }
        let embedded = written["serialized_space"].as_str().unwrap();
        let expected = SpaceConfig::from_json(original["serialized_space"].as_str().unwrap())
            .unwrap()
            .canonicalized();
        assert_eq!(embedded, expected.to_json());
        assert_eq!(
            SpaceDocument::parse(&document.to_pretty_json()).unwrap(),
            document
        );
    }

    #[test]
    fn an_edited_config_is_written_into_serialized_space() {
        let mut document = SpaceDocument::parse(API_OBJECT).unwrap();
        let before = document.api_object().unwrap().serialized_space;
        assert_eq!(
            before.as_deref(),
            json_value(API_OBJECT)["serialized_space"].as_str()
        );
        document.config_mut().tables_mut()[0].description = Some("Edited.".into());
        let after = document.api_object().unwrap();
        assert_ne!(after.serialized_space, before);
        assert_eq!(&after.config().unwrap(), document.config());
    }

    #[test]
    fn canonicalize_of_a_bare_space_stays_bare() {
        let mut document = SpaceDocument::parse(UNSORTED).unwrap();
        document.canonicalize();
        assert_eq!(document.kind(), DocumentKind::Space);
        assert_eq!(
            document.to_value(),
            serde_json::to_value(document.config()).unwrap()
        );
        assert_eq!(document.config().version, Some(2));
    }
}
