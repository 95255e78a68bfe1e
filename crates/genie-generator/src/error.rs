//! [`Error`]: every way the generator fails, one variant per failing operation.

use std::path::PathBuf;

use genie_core::error::{PortError, WorkerError};

/// Why the generator could not produce or correct a benchmark set.
///
/// A ground truth that fails on the warehouse is *not* an error: the question is
/// excluded from the set with the engine's message. Errors are for when no honest set
/// can be made at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The [`Config`](crate::Config) is unusable; every problem is listed.
    #[error("invalid generator config: {}", problems.join("; "))]
    InvalidConfig {
        /// What is wrong, one entry per field.
        problems: Vec<String>,
    },

    /// `extra_p0` names ids that are not benchmarks of the set.
    #[error("`extra_p0` names unknown benchmark ids: {}", backticked(ids))]
    UnknownP0Ids {
        /// The unknown ids, in request order.
        ids: Vec<String>,
    },

    /// The warehouse failed in a way that says nothing about one ground truth
    /// (credentials, availability): going on would exclude every question wrongly.
    #[error("the warehouse failed while checking `{id}`")]
    Warehouse {
        /// The benchmark (or table, during synthesis) being checked.
        id: String,
        /// The warehouse's error.
        #[source]
        source: PortError,
    },

    /// No question survived validation, so there is nothing to score.
    #[error("no valid benchmark: {excluded} question(s) excluded{}", first_reason.as_ref().map(|r| format!(", the first because {r}")).unwrap_or_default())]
    NoValidBenchmarks {
        /// How many questions were excluded.
        excluded: usize,
        /// The first exclusion's reason, when there was one.
        first_reason: Option<String>,
    },

    /// Fewer corrections than a new version needs.
    #[error("{count} correction(s) given, a new benchmark version needs at least {minimum}")]
    TooFewCorrections {
        /// How many were given.
        count: usize,
        /// [`Config::min_corrections`](crate::Config::min_corrections).
        minimum: usize,
    },

    /// A correction names a question the set does not score.
    #[error("correction for `{id}`: {}", if *excluded { "the question is excluded from the set" } else { "no such benchmark in the set" })]
    UnknownCorrection {
        /// The correction's id.
        id: String,
        /// Whether the id is among the set's excluded questions.
        excluded: bool,
    },

    /// Two corrections name the same question.
    #[error("two corrections for `{id}`")]
    DuplicateCorrection {
        /// The id corrected twice.
        id: String,
    },

    /// A corrected ground truth does not validate.
    #[error("corrected ground truth of `{id}` is invalid: {reason}")]
    InvalidCorrection {
        /// The correction's id.
        id: String,
        /// Why, with the engine's message when it ran.
        reason: String,
    },

    /// A corrected benchmark file could not be written.
    #[error("cannot write `{}`", path.display())]
    Write {
        /// The file being written.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },

    /// The benchmark set could not be rendered as a benchmark file.
    #[error("cannot render the benchmark file: {message}")]
    Render {
        /// The serializer's message.
        message: String,
    },
}

impl From<Error> for WorkerError {
    fn from(error: Error) -> Self {
        WorkerError::new("generator", error)
    }
}

/// `a`, `b` as "`a`, `b`".
fn backticked(ids: &[String]) -> String {
    ids.iter()
        .map(|id| format!("`{id}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_values_and_survive_the_worker_wrapper() {
        let error = Error::UnknownP0Ids {
            ids: vec!["a".into(), "b_2".into()],
        };
        assert_eq!(
            error.to_string(),
            "`extra_p0` names unknown benchmark ids: `a`, `b_2`"
        );
        let worker = WorkerError::from(Error::TooFewCorrections {
            count: 2,
            minimum: 3,
        });
        assert_eq!(worker.to_string(), "generator failed");
        assert_eq!(
            std::error::Error::source(&worker).map(ToString::to_string),
            Some("2 correction(s) given, a new benchmark version needs at least 3".to_owned())
        );
        assert!(matches!(
            worker.downcast_ref::<Error>(),
            Some(Error::TooFewCorrections { count: 2, .. })
        ));
        let excluded = Error::UnknownCorrection {
            id: "q".into(),
            excluded: true,
        };
        assert_eq!(
            excluded.to_string(),
            "correction for `q`: the question is excluded from the set"
        );
    }
}
