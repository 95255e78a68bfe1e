//! The HTTP side of [`crate::MlflowTracker`]: JSON calls to a tracking server with an
//! optional bearer token, retries of 408, 429 and 5xx answers and dropped connections
//! (exponential backoff, honouring `Retry-After`), and MLflow's error bodies turned
//! into [`PortError`]s. The token goes only into the `Authorization` header.

use std::fmt;
use std::sync::Once;
use std::time::Duration;

use genie_core::error::{PortError, PortErrorKind};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// Attempts in all for one call.
const MAX_ATTEMPTS: u32 = 5;
/// The first backoff; it doubles on each retry.
const INITIAL_BACKOFF: Duration = Duration::from_millis(250);
/// The longest backoff (and the longest `Retry-After` honoured).
const MAX_BACKOFF: Duration = Duration::from_secs(30);

static CRYPTO: Once = Once::new();

/// A secret that never prints.
#[derive(Clone)]
pub(crate) struct Secret(String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Whether a call may be sent again when its outcome is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retry {
    /// Reads and writes that give the same result when repeated.
    Idempotent,
    /// Writes that must not run twice: retried only on 429 and 503 (refused before any work).
    OnlyIfRefused,
}

/// A JSON client for one tracking server.
#[derive(Debug, Clone)]
pub(crate) struct Rest {
    http: reqwest::Client,
    base: String,
    token: Option<Secret>,
}

impl Rest {
    /// A client for `base` (`http(s)://host[:port][/prefix]`, no trailing slash needed).
    pub(crate) fn new(base: &str, token: Option<String>) -> Result<Self, PortError> {
        let base = base.trim_end_matches('/');
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(PortError::new(
                PortErrorKind::Configuration,
                format!("tracking URI `{base}` must start with http:// or https://"),
            ));
        }
        CRYPTO.call_once(|| {
            // Another component may have installed a provider already; either is fine.
            let _ = rustls::crypto::ring::default_provider().install_default();
        });
        let http = reqwest::Client::builder()
            .timeout(Duration::from_mins(2))
            .user_agent(concat!("genie-optimizer/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| {
                PortError::new(
                    PortErrorKind::Configuration,
                    format!("HTTP client: {}", error.without_url()),
                )
            })?;
        Ok(Self {
            http,
            base: base.to_owned(),
            token: token.map(Secret),
        })
    }

    /// Sends `method path` with a JSON body (or none) and returns the JSON answer
    /// (`{}` for an empty one).
    pub(crate) async fn json(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        retry: Retry,
    ) -> Result<Value, PortError> {
        let bytes = body.map(|body| body.to_string().into_bytes());
        let text = self
            .send(method, path, bytes, "application/json", retry)
            .await?;
        if text.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Object(serde_json::Map::new()));
        }
        serde_json::from_slice(&text).map_err(|error| {
            PortError::new(
                PortErrorKind::Other,
                format!("{path}: invalid JSON answer: {error}"),
            )
        })
    }

    /// Sends raw bytes (an artifact upload) and returns the raw answer.
    pub(crate) async fn bytes(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
    ) -> Result<Vec<u8>, PortError> {
        self.send(
            method,
            path,
            body,
            "application/octet-stream",
            Retry::Idempotent,
        )
        .await
    }

    /// Sends raw bytes (or none) to a pre-signed cloud-storage URL with the headers it
    /// came with, and never the bearer token. Errors name neither the URL nor its
    /// signature, only `what`.
    pub(crate) async fn signed(
        &self,
        method: Method,
        url: &str,
        headers: &[(String, String)],
        body: Option<Vec<u8>>,
        what: &str,
    ) -> Result<Vec<u8>, PortError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = self.http.request(method.clone(), url);
            for (name, value) in headers {
                request = request.header(name.as_str(), value.as_str());
            }
            if let Some(body) = &body {
                request = request.body(body.clone());
            }
            let outcome = match request.send().await {
                Ok(response) if response.status().is_success() => {
                    return response
                        .bytes()
                        .await
                        .map(|bytes| bytes.to_vec())
                        .map_err(|error| transport_error(&error.without_url(), &method, what));
                }
                Ok(response) => {
                    let status = response.status();
                    let mut error = PortError::new(
                        error_from(status, &[], &method, what).kind,
                        format!(
                            "{method} {what}: the storage service answered HTTP {}",
                            status.as_u16()
                        ),
                    );
                    error.request_id = None;
                    error
                }
                Err(error) => transport_error(&error.without_url(), &method, what),
            };
            if !outcome.kind.is_retryable() || attempt >= MAX_ATTEMPTS {
                return Err(outcome);
            }
            tokio::time::sleep(
                INITIAL_BACKOFF
                    .saturating_mul(1 << (attempt - 1))
                    .min(MAX_BACKOFF),
            )
            .await;
        }
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Vec<u8>>,
        content_type: &str,
        retry: Retry,
    ) -> Result<Vec<u8>, PortError> {
        let url = format!("{}{path}", self.base);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = self.http.request(method.clone(), &url);
            if let Some(token) = &self.token {
                request = request.bearer_auth(&token.0);
            }
            if let Some(body) = &body {
                request = request
                    .header(reqwest::header::CONTENT_TYPE, content_type)
                    .body(body.clone());
            }
            let (outcome, status) = match request.send().await {
                Ok(response) => {
                    let status = response.status();
                    (answer(response, &method, path).await, Some(status))
                }
                Err(error) => (Err(transport_error(&error, &method, path)), None),
            };
            tracing::trace!(
                %method,
                path,
                attempt,
                status = status.map(|status| status.as_u16()),
                request_id = outcome.as_ref().err().and_then(|error| error.request_id.as_deref()),
                "mlflow call"
            );
            let mut error = match outcome {
                Ok(bytes) => return Ok(bytes),
                Err(error) => error,
            };
            // A server may echo what it was sent; the token never leaves in an error.
            if let Some(token) = self.token.as_ref().filter(|token| !token.0.is_empty()) {
                error.message = error.message.replace(&token.0, "***");
            }
            // 429 and 503 mean the server refused the call before doing anything.
            let refused = matches!(
                status,
                Some(StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE)
            );
            let may_retry = error.kind.is_retryable() && (retry == Retry::Idempotent || refused);
            if !may_retry || attempt >= MAX_ATTEMPTS {
                return Err(error);
            }
            let wait = error.retry_after_ms.map_or_else(
                || INITIAL_BACKOFF.saturating_mul(1 << (attempt - 1)),
                Duration::from_millis,
            );
            let wait = wait.min(MAX_BACKOFF);
            tracing::debug!(%method, path, attempt, wait_ms = wait.as_millis(), kind = %error.kind, "retrying");
            tokio::time::sleep(wait).await;
        }
    }
}

/// The body of a successful answer, or the error its status and body describe.
async fn answer(
    response: reqwest::Response,
    method: &Method,
    path: &str,
) -> Result<Vec<u8>, PortError> {
    let status = response.status();
    let retry_after_ms = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok())
        .map(|seconds| seconds.saturating_mul(1000));
    let request_id = response
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body = response
        .bytes()
        .await
        .map_err(|error| transport_error(&error, method, path))?;
    if status.is_success() {
        return Ok(body.to_vec());
    }
    let mut error = error_from(status, &body, method, path);
    error.retry_after_ms =
        retry_after_ms.or((error.kind == PortErrorKind::RateLimited).then_some(1000));
    error.request_id = request_id;
    Err(error)
}

/// MLflow's `{"error_code", "message"}` (or an HTML page) as a [`PortError`].
pub(crate) fn error_from(
    status: StatusCode,
    body: &[u8],
    method: &Method,
    path: &str,
) -> PortError {
    let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let code = json["error_code"].as_str().unwrap_or_default();
    let kind = match (status, code) {
        (_, "RESOURCE_ALREADY_EXISTS" | "ALREADY_EXISTS") | (StatusCode::CONFLICT, _) => {
            PortErrorKind::Conflict
        }
        (StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN, _) => PortErrorKind::Unauthorized,
        (StatusCode::NOT_FOUND, _) => PortErrorKind::NotFound,
        (StatusCode::TOO_MANY_REQUESTS, _) => PortErrorKind::RateLimited,
        (StatusCode::REQUEST_TIMEOUT | StatusCode::GATEWAY_TIMEOUT, _) => PortErrorKind::Timeout,
        (status, _) if status.is_server_error() => PortErrorKind::Unavailable,
        (status, _) if status.is_client_error() => PortErrorKind::InvalidRequest,
        _ => PortErrorKind::Other,
    };
    let message = match json["message"].as_str() {
        Some(message) if !code.is_empty() => format!("{code}: {message}"),
        // HTML error pages say nothing useful beyond the status.
        _ => format!("HTTP {}", status.as_u16()),
    };
    PortError::new(kind, format!("{method} {path}: {message}"))
}

/// A failure before any answer (connection refused or dropped, timeout).
fn transport_error(error: &reqwest::Error, method: &Method, path: &str) -> PortError {
    let kind = if error.is_timeout() {
        PortErrorKind::Timeout
    } else if error.is_connect() || error.is_request() || error.is_body() {
        PortErrorKind::Unavailable
    } else {
        PortErrorKind::Other
    };
    // Without the URL (which could hold user:password); the token is only in a header.
    let mut text = error.to_string();
    if let Some(url) = error.url() {
        text = text.replace(url.as_str(), "");
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    PortError::new(kind, format!("{method} {path}: request failed: {text}"))
}

/// Percent-encodes one URL path segment or query value (everything but unreserved).
pub(crate) fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(byte));
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xF)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_map_to_kinds() {
        let cases = [
            (
                400,
                r#"{"error_code":"RESOURCE_ALREADY_EXISTS","message":"taken"}"#,
                PortErrorKind::Conflict,
            ),
            (
                404,
                r#"{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"gone"}"#,
                PortErrorKind::NotFound,
            ),
            (
                400,
                r#"{"error_code":"INVALID_PARAMETER_VALUE","message":"bad"}"#,
                PortErrorKind::InvalidRequest,
            ),
            (401, "<html>no</html>", PortErrorKind::Unauthorized),
            (429, "", PortErrorKind::RateLimited),
            (500, "<html>boom</html>", PortErrorKind::Unavailable),
            (408, "", PortErrorKind::Timeout),
        ];
        for (status, body, kind) in cases {
            let error = error_from(
                StatusCode::from_u16(status).unwrap(),
                body.as_bytes(),
                &Method::POST,
                "/api/2.0/mlflow/x",
            );
            assert_eq!(error.kind, kind, "{status} {body}");
            assert!(error.message.starts_with("POST /api/2.0/mlflow/x: "));
            assert!(!error.message.contains("html"), "{}", error.message);
        }
    }

    #[test]
    fn encoding_keeps_unreserved_only() {
        assert_eq!(encode("genie-opt/s 1"), "genie-opt%2Fs%201");
        assert_eq!(encode("a.b_c~d"), "a.b_c~d");
        assert_eq!(encode("é"), "%C3%A9");
    }

    #[test]
    fn only_http_uris_are_accepted_and_secrets_never_print() {
        assert_eq!(
            Rest::new("databricks", None).unwrap_err().kind,
            PortErrorKind::Configuration
        );
        let rest = Rest::new("http://127.0.0.1:1/", Some("dapi-secret-123".into())).unwrap();
        assert_eq!(rest.base, "http://127.0.0.1:1");
        assert!(!format!("{rest:?}").contains("dapi-secret-123"));
    }
}
