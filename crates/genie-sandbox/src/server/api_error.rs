//! Databricks-shaped errors: an HTTP status and `{"error_code", "message"}`.

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error answer of the REST API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// Databricks' `error_code` (`INVALID_PARAMETER_VALUE`, `NOT_FOUND`, …).
    pub error_code: &'static str,
    /// The message.
    pub message: String,
    /// Seconds for a `Retry-After` header (throttling answers).
    pub retry_after_seconds: Option<u64>,
}

impl ApiError {
    /// An error with any status.
    pub fn new(status: StatusCode, error_code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            error_code,
            message: message.into(),
            retry_after_seconds: None,
        }
    }

    /// 400 with `error_code`.
    pub fn bad_request(error_code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error_code,
            message: message.into(),
            retry_after_seconds: None,
        }
    }

    /// 404 with `error_code`.
    pub fn not_found(error_code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            error_code,
            message: message.into(),
            retry_after_seconds: None,
        }
    }

    /// 429 `RESOURCE_EXHAUSTED` with `Retry-After: seconds`.
    pub fn too_many_requests(seconds: u64, message: impl Into<String>) -> Self {
        Self {
            retry_after_seconds: Some(seconds),
            ..Self::new(StatusCode::TOO_MANY_REQUESTS, "RESOURCE_EXHAUSTED", message)
        }
    }

    /// 401 `UNAUTHORIZED`.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            error_code: "UNAUTHORIZED",
            message: message.into(),
            retry_after_seconds: None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (
            self.status,
            axum::Json(json!({"error_code": self.error_code, "message": self.message})),
        )
            .into_response();
        if let Some(seconds) = self.retry_after_seconds {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<axum::extract::rejection::PathRejection> for ApiError {
    fn from(rejection: axum::extract::rejection::PathRejection) -> Self {
        Self::bad_request("INVALID_PARAMETER_VALUE", rejection.body_text())
    }
}

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(rejection: axum::extract::rejection::QueryRejection) -> Self {
        Self::bad_request("INVALID_PARAMETER_VALUE", rejection.body_text())
    }
}

/// The answer of a handler that panicked: 500 `INTERNAL_ERROR` in Databricks' shape (the
/// panic is a sandbox bug; its message is not echoed).
pub(crate) fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "INTERNAL_ERROR",
        "the sandbox failed while handling this request",
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_handler_answers_500_in_databricks_shape() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let app = axum::Router::new()
                .route(
                    "/boom",
                    axum::routing::get(|| async {
                        let empty: Vec<String> = Vec::new();
                        empty[usize::from(empty.is_empty())].clone()
                    }),
                )
                .layer(tower_http::catch_panic::CatchPanicLayer::custom(
                    panic_response,
                ));
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let address = listener.local_addr().unwrap();
            tokio::spawn(async move { axum::serve(listener, app).await });
            let _ = rustls::crypto::ring::default_provider().install_default();
            let response = reqwest::get(format!("http://{address}/boom"))
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 500);
            let body: serde_json::Value = response.json().await.unwrap();
            assert_eq!(body["error_code"], "INTERNAL_ERROR");
        });
    }
}
