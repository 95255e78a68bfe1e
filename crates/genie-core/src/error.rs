//! Error types shared across the workspace.
//!
//! - [`Error`]: the failures of genie-core's own pure logic (reading a space or a
//!   benchmark file, checking SQL).
//! - [`PortError`]: what a backend (Genie, warehouse, model, tracker, bundle) reports,
//!   with a [`PortErrorKind`] that tells the caller whether a retry can help.
//! - [`WorkerError`]: a worker's own error, erased so the orchestrator can hold every
//!   worker behind one trait object.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Errors of genie-core's pure logic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A benchmark file is malformed.
    #[error(transparent)]
    Benchmark(#[from] crate::benchmark::BenchmarkError),
    /// A space file or serialized space is malformed.
    #[error(transparent)]
    Space(#[from] crate::space::SpaceParseError),
    /// SQL was rejected or could not be parsed.
    #[error(transparent)]
    Sql(#[from] crate::sql::SqlError),
}

/// What kind of failure a backend met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PortErrorKind {
    /// Credentials missing or rejected (401/403).
    Unauthorized,
    /// The object does not exist (404).
    NotFound,
    /// The request was invalid (400); retrying the same request cannot help.
    InvalidRequest,
    /// Optimistic concurrency failed: someone else changed the object (409 / etag).
    Conflict,
    /// Rate limited (429); retry after `retry_after_ms`.
    RateLimited,
    /// The service failed or is unavailable (500/503, dropped connection).
    Unavailable,
    /// The call did not finish before its deadline.
    Timeout,
    /// The engine ran the statement and it failed (a SQL error, not a transport one).
    StatementFailed,
    /// A configuration problem on our side (no host, unreadable profile).
    Configuration,
    /// Anything else.
    Other,
}

impl PortErrorKind {
    /// Whether retrying the same call later can succeed.
    pub fn is_retryable(self) -> bool {
        matches!(self, Self::RateLimited | Self::Unavailable | Self::Timeout)
    }
}

impl fmt::Display for PortErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Unauthorized => "unauthorized",
            Self::NotFound => "not found",
            Self::InvalidRequest => "invalid request",
            Self::Conflict => "conflict",
            Self::RateLimited => "rate limited",
            Self::Unavailable => "unavailable",
            Self::Timeout => "timed out",
            Self::StatementFailed => "statement failed",
            Self::Configuration => "configuration error",
            Self::Other => "error",
        })
    }
}

/// A backend's failure. Messages never contain credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct PortError {
    /// What kind of failure.
    pub kind: PortErrorKind,
    /// What happened, e.g. the service's `error_code` and message, or the engine's error.
    pub message: String,
    /// How long the service asked us to wait (`Retry-After`), when it did.
    pub retry_after_ms: Option<u64>,
    /// The service's request id, for support tickets.
    pub request_id: Option<String>,
}

impl PortError {
    /// A new error of `kind`.
    pub fn new(kind: PortErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            retry_after_ms: None,
            request_id: None,
        }
    }
}

/// A worker's error behind the worker traits. Each worker crate has its own
/// `#[non_exhaustive]` error enum; this wraps it as its `source()` (so an error
/// chain shows it once), and [`WorkerError::downcast_ref`] gets it back.
#[derive(Debug, thiserror::Error)]
#[error("{worker} failed")]
pub struct WorkerError {
    /// Which worker failed (`generator`, `evaluator`, `optimizer`, `applier`).
    pub worker: &'static str,
    /// The worker's own error.
    #[source]
    pub source: Box<dyn std::error::Error + Send + Sync + 'static>,
}

impl WorkerError {
    /// Wraps a worker's error.
    pub fn new(
        worker: &'static str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self {
            worker,
            source: Box::new(source),
        }
    }

    /// The worker's own error, when it is an `E`.
    pub fn downcast_ref<E: std::error::Error + 'static>(&self) -> Option<&E> {
        self.source.downcast_ref::<E>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_kinds() {
        assert!(PortErrorKind::RateLimited.is_retryable());
        assert!(PortErrorKind::Unavailable.is_retryable());
        assert!(!PortErrorKind::InvalidRequest.is_retryable());
        assert!(!PortErrorKind::Conflict.is_retryable());
        let error = PortError::new(PortErrorKind::NotFound, "space `abc` does not exist");
        assert_eq!(error.to_string(), "not found: space `abc` does not exist");
    }

    #[test]
    fn worker_error_keeps_the_source() {
        let inner = PortError::new(PortErrorKind::Timeout, "poll deadline");
        let error = WorkerError::new("evaluator", inner.clone());
        assert_eq!(error.to_string(), "evaluator failed");
        let source = std::error::Error::source(&error).map(ToString::to_string);
        assert_eq!(source.as_deref(), Some("timed out: poll deadline"));
        assert_eq!(error.downcast_ref::<PortError>(), Some(&inner));
    }
}
