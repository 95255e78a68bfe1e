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

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(rejection: axum::extract::rejection::JsonRejection) -> Self {
        Self::bad_request("MALFORMED_REQUEST", rejection.body_text())
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
