//! The audit log (`GET /sandbox/audit`): every mutating call (with the space config's
//! content hash before and after for space mutations), every SQL statement run, and
//! every injected fault, in the order they happened. Tokens never enter it: calls are
//! recorded by method and path only.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Json;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use serde::Serialize;
use serde_json::{Value, json};

use super::AppState;
use super::clock::now_millis;
use super::faults::FaultKind;

/// Where a SQL statement came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum StatementSource {
    /// The SQL Statement Execution API.
    Statements,
    /// A Genie answer.
    Genie,
    /// A benchmark's expected SQL, run by a benchmark eval run.
    Benchmark,
}

impl StatementSource {
    /// Who runs statements from this source, for messages.
    pub(crate) fn who(self) -> &'static str {
        match self {
            Self::Statements => "the warehouse",
            Self::Genie => "Genie",
            Self::Benchmark => "the benchmark evaluation",
        }
    }
}

/// One audit event.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub(crate) enum AuditEvent {
    /// A mutating call (any method but `GET` and `HEAD`).
    Call {
        /// When it arrived, epoch milliseconds.
        time_ms: u64,
        /// Its method.
        method: String,
        /// Its path (no query string).
        path: String,
        /// The space it concerns, if any.
        #[serde(skip_serializing_if = "Option::is_none")]
        space_id: Option<String>,
        /// The HTTP status it was answered with.
        status: Option<u16>,
        /// For space mutations: the config's content hash before, if the space existed.
        #[serde(skip_serializing_if = "Option::is_none")]
        config_hash_before: Option<String>,
        /// For space mutations: the config's content hash after, if the space is live.
        #[serde(skip_serializing_if = "Option::is_none")]
        config_hash_after: Option<String>,
    },
    /// A SQL statement run (or refused) on the engine.
    Statement {
        /// When it finished, epoch milliseconds.
        time_ms: u64,
        /// Who sent it.
        source: StatementSource,
        /// Its text.
        sql: String,
        /// Its statement id.
        statement_id: String,
        /// Its final state (`SUCCEEDED`, `FAILED`).
        state: &'static str,
        /// Whether it was refused unrun (not one read-only query).
        refused: bool,
    },
    /// An injected fault.
    Fault {
        /// When, epoch milliseconds.
        time_ms: u64,
        /// Its configuration key (`error_rate_500`, `genie_qpm`, …).
        kind: &'static str,
        /// The call's method.
        method: String,
        /// The call's path.
        path: String,
    },
}

/// The events, in order.
#[derive(Debug, Default)]
pub(crate) struct AuditLog {
    events: Mutex<Vec<AuditEvent>>,
}

/// Put in a response's extensions by a handler that created a space, so the audit
/// learns the new id.
#[derive(Debug, Clone)]
pub(crate) struct CreatedSpace(pub(crate) String);

impl AuditLog {
    fn lock(&self) -> MutexGuard<'_, Vec<AuditEvent>> {
        self.events.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records a statement.
    pub(crate) fn statement(
        &self,
        source: StatementSource,
        sql: &str,
        statement_id: &str,
        state: &'static str,
        refused: bool,
    ) {
        self.lock().push(AuditEvent::Statement {
            time_ms: now_millis(),
            source,
            sql: sql.to_owned(),
            statement_id: statement_id.to_owned(),
            state,
            refused,
        });
    }

    /// Records an injected fault.
    pub(crate) fn fault(&self, kind: FaultKind, method: &Method, path: &str) {
        self.lock().push(AuditEvent::Fault {
            time_ms: now_millis(),
            kind: kind.key(),
            method: method.to_string(),
            path: path.to_owned(),
        });
    }

    /// Every event so far, as JSON.
    pub(crate) fn to_json(&self) -> Value {
        json!({"events": *self.lock()})
    }
}

/// The space a path names (`/api/2.0/genie/spaces/{id}…`), and whether the path is the
/// space itself (a space mutation) rather than something under it.
fn space_of(path: &str) -> (Option<&str>, bool) {
    let Some(rest) = path.strip_prefix("/api/2.0/genie/spaces") else {
        return (None, false);
    };
    match rest.strip_prefix('/') {
        None => (None, rest.is_empty()),
        Some(tail) => {
            let (id, under) = tail.split_once('/').unwrap_or((tail, ""));
            (Some(id).filter(|id| !id.is_empty()), under.is_empty())
        }
    }
}

/// Middleware: records every mutating call, with the space config's hashes around
/// space mutations.
pub(crate) async fn record_calls(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    if method == Method::GET || method == Method::HEAD {
        return next.run(request).await;
    }
    let path = request.uri().path().to_owned();
    let (space_id, space_mutation) = space_of(&path);
    let space_id = space_id.map(str::to_owned);
    let config_hash_before = space_id
        .as_deref()
        .filter(|_| space_mutation)
        .and_then(|id| state.spaces.content_hash(id));
    let index = {
        let mut events = state.audit.lock();
        events.push(AuditEvent::Call {
            time_ms: now_millis(),
            method: method.to_string(),
            path: path.clone(),
            space_id: space_id.clone(),
            status: None,
            config_hash_before: config_hash_before.clone(),
            config_hash_after: None,
        });
        events.len() - 1
    };
    let response = next.run(request).await;
    let created = response
        .extensions()
        .get::<CreatedSpace>()
        .map(|created| created.0.clone());
    let space_id = space_id.or(created);
    let config_hash_after = space_id
        .as_deref()
        .filter(|_| space_mutation)
        .and_then(|id| state.spaces.content_hash(id));
    if let Some(AuditEvent::Call {
        status,
        space_id: recorded_space,
        config_hash_after: after,
        ..
    }) = state.audit.lock().get_mut(index)
    {
        *status = Some(response.status().as_u16());
        *recorded_space = space_id;
        *after = config_hash_after;
    }
    response
}

/// `GET /sandbox/audit`.
pub(crate) async fn list(State(state): State<Arc<AppState>>) -> Json<Value> {
    Json(state.audit.to_json())
}

#[cfg(test)]
mod tests {
    use super::space_of;

    #[test]
    fn finds_the_space_of_a_path() {
        assert_eq!(space_of("/api/2.0/genie/spaces"), (None, true));
        assert_eq!(space_of("/api/2.0/genie/spaces/abc"), (Some("abc"), true));
        assert_eq!(
            space_of("/api/2.0/genie/spaces/abc/start-conversation"),
            (Some("abc"), false)
        );
        assert_eq!(space_of("/api/2.0/sql/statements"), (None, false));
        assert_eq!(space_of("/api/2.0/genie/spacesx"), (None, false));
    }
}
