//! Faults injected on whole calls: HTTP 429, 500 and 503 answers and dropped
//! connections, drawn per call (see [`super::faults`]), each recorded in the audit.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::Frame;

use super::AppState;
use super::api_error::ApiError;
use super::faults::FaultKind;

/// Middleware: maybe answers with an injected fault instead of the handler.
pub(crate) async fn inject(
    State(state): State<Arc<AppState>>,
    request: Request,
    next: Next,
) -> Response {
    let drawn = [
        FaultKind::DroppedConnection,
        FaultKind::Error503,
        FaultKind::Error500,
        FaultKind::Error429,
    ]
    .into_iter()
    .find(|kind| state.faults.roll(*kind));
    let Some(kind) = drawn else {
        return next.run(request).await;
    };
    state
        .audit
        .fault(kind, request.method(), request.uri().path());
    fault_response(kind)
}

/// The answer of an injected call fault (`Error500` and any kind that is not a call
/// fault answer 500).
fn fault_response(kind: FaultKind) -> Response {
    match kind {
        FaultKind::DroppedConnection => Response::new(Body::new(BrokenBody)),
        FaultKind::Error503 => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "TEMPORARILY_UNAVAILABLE",
            "the service is temporarily unavailable; retry later",
        )
        .into_response(),
        FaultKind::Error429 => {
            ApiError::too_many_requests(1, "too many requests; retry later").into_response()
        }
        _ => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_ERROR",
            "an internal error occurred",
        )
        .into_response(),
    }
}

/// A response body that fails at once, so the server aborts the connection.
struct BrokenBody;

impl http_body::Body for BrokenBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _context: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "injected dropped connection",
        ))))
    }
}
