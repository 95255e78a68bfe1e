//! [`JsonBody`]: a request body read as JSON whatever its `Content-Type` (Databricks
//! reads the body of `curl -d '{…}'`, sent as a form, as JSON too); an empty body is
//! `{}`. A body that is not JSON of the expected shape is refused with
//! `MALFORMED_REQUEST` naming the line and column.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use super::api_error::ApiError;

/// A JSON request body of type `T`.
#[derive(Debug)]
pub(crate) struct JsonBody<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                ApiError::bad_request("MALFORMED_REQUEST", rejection.body_text())
            })?;
        let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        serde_json::from_slice(text).map(JsonBody).map_err(|error| {
            ApiError::bad_request(
                "MALFORMED_REQUEST",
                format!("invalid request body: {error}"),
            )
        })
    }
}
