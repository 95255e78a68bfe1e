//! [`Problem`]: one broken validation rule, with its severity and field path.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How bad a [`Problem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The API would reject the config (or the config breaks a documented limit).
    Error,
    /// Allowed, but likely a mistake or possibly rejected (unknown keys, unconfirmed
    /// rules).
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Self::Error => "error",
            Self::Warning => "warning",
        })
    }
}

/// One broken rule found by [`SpaceConfig::validate`](crate::space::SpaceConfig::validate).
///
/// `path` names the offending field like
/// `data_sources.tables[2].column_configs[0].column_name`; `$` stands for the whole
/// config. Displayed as `PATH: message`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// Where the problem is.
    pub path: String,
    /// What is wrong, lowercase, values in backticks.
    pub message: String,
}

impl Problem {
    /// An error at `path`.
    pub fn error(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            path: path.into(),
            message: message.into(),
        }
    }

    /// A warning at `path`.
    pub fn warning(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            path: path.into(),
            message: message.into(),
        }
    }

    /// Whether this problem is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Whether the Genie API refuses a create or update with this problem: every
    /// error, and keys outside the schema (a warning here, since they are kept, but
    /// the API rejects them).
    pub fn is_rejected_by_api(&self) -> bool {
        self.is_error() || self.message.starts_with(UNKNOWN_FIELD_PREFIX)
    }
}

/// How an unknown-key problem's message starts (see [`Problem::is_rejected_by_api`]).
pub(super) const UNKNOWN_FIELD_PREFIX: &str = "unknown field `";

impl fmt::Display for Problem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}: {}", self.path, self.message)
    }
}

/// Whether any of `problems` is an error.
pub fn has_errors(problems: &[Problem]) -> bool {
    problems.iter().any(Problem::is_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_serialize_and_has_errors() {
        let warning = Problem::warning(
            "data_sources.tables[0].data_type",
            "unknown field `data_type`",
        );
        let error = Problem::error("version", "`version` is required");
        assert_eq!(
            warning.to_string(),
            "data_sources.tables[0].data_type: unknown field `data_type`"
        );
        assert_eq!(
            serde_json::to_value(&error).unwrap(),
            serde_json::json!({"severity": "error", "path": "version", "message": "`version` is required"})
        );
        assert!(!has_errors(std::slice::from_ref(&warning)));
        assert!(has_errors(&[warning, error]));
        assert!(!has_errors(&[]));
    }
}
