//! MLflow's limits on what one run may hold, checked before anything is written so
//! both trackers refuse the same input (MLflow itself silently truncates long values).

use std::collections::BTreeMap;

use genie_core::error::{PortError, PortErrorKind};

/// Most metrics in one `runs/log-batch` call.
pub const MAX_METRICS_PER_BATCH: usize = 1000;
/// Most params in one `runs/log-batch` call (and one logged-model params call).
pub const MAX_PARAMS_PER_BATCH: usize = 100;
/// Most tags in one `runs/log-batch` call.
pub const MAX_TAGS_PER_BATCH: usize = 100;
/// Longest param value, in characters.
pub const MAX_PARAM_VALUE_CHARS: usize = 6000;
/// Longest tag value, in characters.
pub const MAX_TAG_VALUE_CHARS: usize = 8000;
/// Longest key, in characters.
pub const MAX_KEY_CHARS: usize = 250;

/// Checks keys (non-empty, ≤ [`MAX_KEY_CHARS`], only `[A-Za-z0-9_-. :/]`) and values
/// (≤ `max_value_chars`) of params or tags.
pub fn check_entries(
    what: &str,
    entries: &BTreeMap<String, String>,
    max_value_chars: usize,
) -> Result<(), PortError> {
    for (key, value) in entries {
        check_key(what, key)?;
        let chars = value.chars().count();
        if chars > max_value_chars {
            return Err(invalid(format!(
                "{what} `{key}` has {chars} characters; MLflow keeps at most {max_value_chars}"
            )));
        }
    }
    Ok(())
}

/// Checks one key as MLflow does.
pub fn check_key(what: &str, key: &str) -> Result<(), PortError> {
    if key.is_empty() || key.chars().count() > MAX_KEY_CHARS {
        return Err(invalid(format!(
            "{what} key `{key}` must have 1 to {MAX_KEY_CHARS} characters"
        )));
    }
    if let Some(bad) = key
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ' ' | ':' | '/')))
    {
        return Err(invalid(format!(
            "{what} key `{key}` has the character {bad:?}; MLflow allows only letters, digits, `_-. :/`"
        )));
    }
    Ok(())
}

/// Splits a relative artifact path into checked segments: no absolute paths, no empty,
/// `.` or `..` segments, no backslashes or control characters.
pub fn artifact_segments(path: &str) -> Result<Vec<&str>, PortError> {
    let segments: Vec<&str> = path.split('/').collect();
    let bad = path.is_empty()
        || segments.iter().any(|segment| {
            segment.is_empty()
                || *segment == "."
                || *segment == ".."
                || segment.contains('\\')
                || segment.chars().any(char::is_control)
        });
    if bad {
        return Err(invalid(format!(
            "artifact path `{path}` must be relative, with no empty, `.` or `..` segments"
        )));
    }
    Ok(segments)
}

fn invalid(message: String) -> PortError {
    PortError::new(PortErrorKind::InvalidRequest, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_mlflow_rules() {
        assert!(check_key("param", "space_id").is_ok());
        assert!(check_key("tag", "mlflow.note.content").is_ok());
        assert!(check_key("metric", "a b-c:d/e").is_ok());
        assert!(check_key("param", "").is_err());
        assert!(check_key("param", "é").is_err());
        assert!(check_key("param", "a;b").is_err());
        assert!(check_key("param", &"k".repeat(MAX_KEY_CHARS + 1)).is_err());
    }

    #[test]
    fn long_values_are_refused_not_truncated() {
        let ok = BTreeMap::from([("k".to_owned(), "v".repeat(MAX_PARAM_VALUE_CHARS))]);
        assert!(check_entries("param", &ok, MAX_PARAM_VALUE_CHARS).is_ok());
        let long = BTreeMap::from([("k".to_owned(), "v".repeat(MAX_PARAM_VALUE_CHARS + 1))]);
        let error = check_entries("param", &long, MAX_PARAM_VALUE_CHARS).unwrap_err();
        assert_eq!(error.kind, PortErrorKind::InvalidRequest);
        assert!(error.message.contains("6001"), "{}", error.message);
    }

    #[test]
    fn artifact_paths_stay_inside_the_run() {
        assert_eq!(
            artifact_segments("evaluation/results.json").unwrap(),
            ["evaluation", "results.json"]
        );
        for bad in [
            "",
            "/etc/passwd",
            "a/../b",
            "./a",
            "a//b",
            "a/",
            "a\\b",
            "..",
            "a\nb",
        ] {
            assert!(artifact_segments(bad).is_err(), "{bad:?} accepted");
        }
    }
}
