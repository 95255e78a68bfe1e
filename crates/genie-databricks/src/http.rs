//! The one door to HTTP: a [`RestClient`] for one workspace that authenticates every
//! request, retries what can be retried (429, 500, 503 and dropped connections, with
//! exponential backoff and jitter, honouring `Retry-After`) a bounded number of times,
//! and turns Databricks' error bodies into [`PortError`]s. Tokens go only into the
//! `Authorization` header.

use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use genie_core::error::{PortError, PortErrorKind};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tracing::Instrument as _;

use crate::auth::Credentials;

/// How calls are retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all (1 = no retry).
    pub max_attempts: u32,
    /// The first backoff; it doubles on each retry.
    pub initial_backoff: Duration,
    /// The longest backoff.
    pub max_backoff: Duration,
    /// Each request's own timeout.
    pub request_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 6,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_mins(1),
            request_timeout: Duration::from_mins(1),
        }
    }
}

/// An authenticated client for one workspace.
#[derive(Debug, Clone)]
pub struct RestClient {
    http: reqwest::Client,
    credentials: Credentials,
    retry: RetryPolicy,
}

/// Whether a call may be sent again after a failure whose outcome is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idempotency {
    /// Reads, and writes that give the same result when repeated.
    Idempotent,
    /// Writes that must not run twice: retried only when the service refused them
    /// before doing anything (429, 503).
    NotIdempotent,
}

static CRYPTO: Once = Once::new();

impl RestClient {
    /// A client for `credentials` with `retry`.
    pub fn new(credentials: Credentials, retry: RetryPolicy) -> Result<Self, PortError> {
        CRYPTO.call_once(|| {
            // Another component may have installed a provider already; either is fine.
            let _ = rustls::crypto::ring::default_provider().install_default();
        });
        let http = reqwest::Client::builder()
            .timeout(retry.request_timeout)
            .user_agent(concat!("genie-optimizer/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| {
                PortError::new(
                    PortErrorKind::Configuration,
                    format!("HTTP client: {error}"),
                )
            })?;
        Ok(Self {
            http,
            credentials,
            retry,
        })
    }

    /// The workspace host.
    pub fn host(&self) -> &str {
        &self.credentials.host
    }

    /// Sends `method path` with the JSON `body` (or none) and returns the JSON answer,
    /// retrying as the policy allows.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        idempotency: Idempotency,
    ) -> Result<Value, PortError> {
        self.call_with_attempts(method, path, body, idempotency, self.retry.max_attempts)
            .await
    }

    /// Sends `method path` once: the caller retries (a rate-limited call must wait for
    /// its limiter again).
    pub async fn call_once(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, PortError> {
        self.call_with_attempts(method, path, body, Idempotency::NotIdempotent, 1)
            .await
    }

    /// The policy's backoff before retry number `attempt` (1-based).
    pub fn backoff_for(&self, attempt: u32) -> Duration {
        self.backoff(attempt)
    }

    async fn call_with_attempts(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        idempotency: Idempotency,
        max_attempts: u32,
    ) -> Result<Value, PortError> {
        let span = tracing::debug_span!(
            "databricks",
            %method,
            path,
            request_id = tracing::field::Empty
        );
        self.attempts(method, path, body, idempotency, max_attempts)
            .instrument(span)
            .await
    }

    async fn attempts(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        idempotency: Idempotency,
        max_attempts: u32,
    ) -> Result<Value, PortError> {
        let url = format!("{}{path}", self.credentials.host);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = self
                .http
                .request(method.clone(), &url)
                .bearer_auth(self.credentials.token.expose());
            if let Some(body) = body {
                request = request.json(body);
            }
            let outcome = match request.send().await {
                Ok(response) => {
                    // The service's id for this call, on the call's span whatever the outcome.
                    if let Some(id) = response
                        .headers()
                        .get("x-request-id")
                        .and_then(|value| value.to_str().ok())
                    {
                        tracing::Span::current().record("request_id", id);
                    }
                    answer(response).await
                }
                Err(error) => Err(transport_error(&error)),
            };
            let error = match outcome {
                Ok(value) => {
                    tracing::debug!(attempt, "answered");
                    return Ok(value);
                }
                Err(error) => error,
            };
            tracing::debug!(attempt, kind = %error.kind, request_id = error.request_id.as_deref().unwrap_or(""), "failed");
            let refused_before_work = matches!(error.kind, PortErrorKind::RateLimited)
                || error.message.starts_with("TEMPORARILY_UNAVAILABLE");
            let may_retry = error.kind.is_retryable()
                && (idempotency == Idempotency::Idempotent || refused_before_work);
            if !may_retry || attempt >= max_attempts {
                return Err(error);
            }
            let wait = error
                .retry_after_ms
                .map_or_else(|| self.backoff(attempt), Duration::from_millis);
            tracing::debug!(%method, path, attempt, wait_ms = wait.as_millis(), kind = %error.kind, "retrying");
            tokio::time::sleep(wait).await;
        }
    }

    /// Exponential backoff with up to 50% jitter.
    fn backoff(&self, attempt: u32) -> Duration {
        let base = self
            .retry
            .initial_backoff
            .saturating_mul(1 << attempt.saturating_sub(1).min(16))
            .min(self.retry.max_backoff);
        let jitter = jitter_fraction();
        base.mul_f64(0.5 + jitter / 2.0)
    }
}

/// A number in [0, 1) that differs from call to call (no random number crate needed).
fn jitter_fraction() -> f64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0x9e37_79b9_7f4a_7c15);
    let mut z = COUNTER.fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    #[expect(
        clippy::cast_precision_loss,
        reason = "53 bits of randomness are enough"
    )]
    let fraction = (z >> 11) as f64 / (1_u64 << 53) as f64;
    fraction
}

/// The JSON of a successful answer, or the error its status and body describe.
async fn answer(response: reqwest::Response) -> Result<Value, PortError> {
    let status = response.status();
    let request_id = response
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let retry_after_ms = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok())
        .map(|seconds| seconds * 1000);
    let text = response
        .text()
        .await
        .map_err(|error| transport_error(&error))?;
    if status.is_success() {
        return if text.trim().is_empty() {
            Ok(Value::Object(serde_json::Map::new()))
        } else {
            serde_json::from_str(&text).map_err(|error| {
                PortError::new(
                    PortErrorKind::Other,
                    format!("invalid JSON answer: {error}"),
                )
            })
        };
    }
    let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let code = body["error_code"].as_str().unwrap_or("").to_owned();
    let message = body["message"].as_str().unwrap_or(text.trim()).to_owned();
    let kind = match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => PortErrorKind::Unauthorized,
        StatusCode::NOT_FOUND => PortErrorKind::NotFound,
        StatusCode::CONFLICT => PortErrorKind::Conflict,
        StatusCode::TOO_MANY_REQUESTS => PortErrorKind::RateLimited,
        StatusCode::REQUEST_TIMEOUT | StatusCode::GATEWAY_TIMEOUT => PortErrorKind::Timeout,
        status if status.is_server_error() => PortErrorKind::Unavailable,
        status if status.is_client_error() => PortErrorKind::InvalidRequest,
        _ => PortErrorKind::Other,
    };
    let mut error = PortError::new(
        kind,
        if code.is_empty() {
            format!("HTTP {status}: {message}")
        } else {
            format!("{code}: {message}")
        },
    );
    error.retry_after_ms = retry_after_ms.or((kind == PortErrorKind::RateLimited).then_some(1000));
    error.request_id = request_id;
    Err(error)
}

/// A failure before any answer (connection refused or dropped, timeout).
fn transport_error(error: &reqwest::Error) -> PortError {
    let kind = if error.is_timeout() {
        PortErrorKind::Timeout
    } else if error.is_connect() || error.is_request() || error.is_body() {
        PortErrorKind::Unavailable
    } else {
        PortErrorKind::Other
    };
    // reqwest's message names the URL (the host), never the headers.
    PortError::new(kind, format!("request failed: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_in_its_range_and_varies() {
        let draws: Vec<f64> = (0..100).map(|_| jitter_fraction()).collect();
        assert!(draws.iter().all(|d| (0.0..1.0).contains(d)));
        assert!(
            draws
                .windows(2)
                .any(|pair| (pair[0] - pair[1]).abs() > f64::EPSILON)
        );
    }
}
