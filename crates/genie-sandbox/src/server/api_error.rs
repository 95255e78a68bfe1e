//! Databricks-shaped errors: an HTTP status and `{"error_code", "message"}`.

use axum::http::StatusCode;
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
}

impl ApiError {
    /// 400 with `error_code`.
    pub fn bad_request(error_code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error_code,
            message: message.into(),
        }
    }

    /// 404 with `error_code`.
    pub fn not_found(error_code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            error_code,
            message: message.into(),
        }
    }

    /// 401 `UNAUTHORIZED`.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            error_code: "UNAUTHORIZED",
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            axum::Json(json!({"error_code": self.error_code, "message": self.message})),
        )
            .into_response()
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
