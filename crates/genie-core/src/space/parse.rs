//! [`SpaceParseError`] and the two-step parse (text → JSON value → typed model)
//! shared by [`SpaceDocument`](super::SpaceDocument), [`SpaceConfig`] and
//! [`GenieSpace`](super::GenieSpace).

use serde::Deserialize;
use serde_json::Value;

use super::model::SpaceConfig;
use super::value_deserializer::{self, FieldError};

/// Why a space document, API object or embedded `serialized_space` could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SpaceParseError {
    /// The text is not well-formed JSON.
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    Syntax {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What `serde_json` found wrong.
        message: String,
    },
    /// The `serialized_space` string of an API object is not well-formed JSON.
    #[error(
        "malformed JSON inside `serialized_space` at line {line}, column {column} of the embedded text: {message}"
    )]
    EmbeddedSyntax {
        /// 1-based line inside the embedded text.
        line: usize,
        /// 1-based column inside the embedded text.
        column: usize,
        /// What `serde_json` found wrong.
        message: String,
    },
    /// The top level of the text is not a JSON object.
    #[error("expected a JSON object at the top level, found {found}")]
    NotAnObject {
        /// What was found instead (`an array`, `a string`, …).
        found: &'static str,
    },
    /// A field has the wrong type or a required field is missing.
    #[error("invalid value at `{path}`: {message}")]
    InvalidField {
        /// The field's path, e.g. `data_sources.tables[0].identifier` (`(top level)`
        /// for the document itself).
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A field inside the embedded `serialized_space` has the wrong type or a
    /// required field is missing.
    #[error("invalid value inside `serialized_space` at `{path}`: {message}")]
    EmbeddedInvalidField {
        /// The field's path inside the embedded document.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// An API object has no `serialized_space` (it was fetched without
    /// `include_serialized_space=true`).
    #[error(
        "the space object has no `serialized_space`; fetch it with `include_serialized_space=true`"
    )]
    MissingSerializedSpace,
}

/// Where the text being parsed sits, which picks the error variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// The text of a file or request body.
    Document,
    /// The `serialized_space` string of an API object.
    Embedded,
}

/// Parses `text` as JSON, reporting a syntax error with its line and column.
pub(crate) fn parse_json(text: &str, origin: Origin) -> Result<Value, SpaceParseError> {
    serde_json::from_str(text).map_err(|error| {
        let line = error.line();
        let column = error.column();
        let message = strip_position(&error.to_string(), line, column);
        match origin {
            Origin::Document => SpaceParseError::Syntax {
                line,
                column,
                message,
            },
            Origin::Embedded => SpaceParseError::EmbeddedSyntax {
                line,
                column,
                message,
            },
        }
    })
}

/// Converts a JSON value into a model type, reporting the field path on failure.
pub(crate) fn from_value<'a, T: Deserialize<'a>>(
    value: &'a Value,
    origin: Origin,
) -> Result<T, SpaceParseError> {
    value_deserializer::from_value(value).map_err(|error| field_error(error, origin))
}

/// Parses the text of a bare serialized space (a `serialized_space` string or a file
/// holding one).
pub(crate) fn parse_config(text: &str, origin: Origin) -> Result<SpaceConfig, SpaceParseError> {
    let value = parse_json(text, origin)?;
    require_object(&value)?;
    from_value(&value, origin)
}

/// Fails unless `value` is a JSON object.
pub(crate) fn require_object(value: &Value) -> Result<(), SpaceParseError> {
    let found = match value {
        Value::Object(_) => return Ok(()),
        Value::Null => "`null`",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
    };
    Err(SpaceParseError::NotAnObject { found })
}

fn field_error(error: FieldError, origin: Origin) -> SpaceParseError {
    let path = if error.path.is_empty() {
        "(top level)".to_owned()
    } else {
        error.path
    };
    match origin {
        Origin::Document => SpaceParseError::InvalidField {
            path,
            message: error.message,
        },
        Origin::Embedded => SpaceParseError::EmbeddedInvalidField {
            path,
            message: error.message,
        },
    }
}

/// Removes the ` at line L column C` suffix `serde_json` appends to its messages.
fn strip_position(message: &str, line: usize, column: usize) -> String {
    let suffix = format!(" at line {line} column {column}");
    message.strip_suffix(&suffix).unwrap_or(message).to_owned()
}

impl SpaceConfig {
    /// Parses the text of a bare serialized space: the value of a space's
    /// `serialized_space`, or a file holding one. Errors give the line and column of
    /// malformed JSON and the path of a mistyped field.
    pub fn from_json(text: &str) -> Result<Self, SpaceParseError> {
        parse_config(text, Origin::Document)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_error_has_line_and_column_without_duplicated_position() {
        let error =
            SpaceConfig::from_json("{\n  \"version\": 2,\n  \"config\": {,}\n}").unwrap_err();
        assert_eq!(
            error,
            SpaceParseError::Syntax {
                line: 3,
                column: 14,
                message: "key must be a string".to_owned()
            }
        );
        assert_eq!(
            error.to_string(),
            "malformed JSON at line 3, column 14: key must be a string"
        );
    }

    #[test]
    fn wrong_type_names_the_field_path() {
        let text = r#"{"version": 2, "data_sources": {"tables": [{"identifier": 7}]}}"#;
        assert_eq!(
            SpaceConfig::from_json(text).unwrap_err().to_string(),
            "invalid value at `data_sources.tables[0].identifier`: invalid type: integer `7`, expected a string"
        );
        assert_eq!(
            SpaceConfig::from_json("[1, 2]").unwrap_err(),
            SpaceParseError::NotAnObject { found: "an array" }
        );
        assert_eq!(
            SpaceConfig::from_json(r#"{"version": "2"}"#).unwrap_err(),
            SpaceParseError::InvalidField {
                path: "version".to_owned(),
                message: "invalid type: string \"2\", expected u64".to_owned()
            }
        );
    }
}
