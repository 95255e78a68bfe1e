//! Databricks REST backends (being built, issue 5).
//!
//! So far: credentials resolved the way the Databricks CLI and SDKs resolve them
//! ([`auth::resolve`]: flags, environment, `~/.databrickscfg` profiles, `databricks.yml`),
//! a [`Token`] type that never prints its secret, the one HTTP door ([`RestClient`]:
//! retries with backoff and `Retry-After`, Databricks errors as `PortError`s) and
//! [`DatabricksWarehouse`], genie-core's `Warehouse` over the SQL Statement Execution
//! API, and [`DatabricksGenie`], its `GenieApi` over the Genie spaces and conversation
//! APIs with a workspace-wide [`RateLimiter`], and [`ChatCompletionsLlm`], its `Llm`
//! over OpenAI-compatible chat completions (Databricks serving endpoints or any base
//! URL).
//!
//! ```
//! use genie_databricks::auth::{AuthEnvironment, AuthRequest, resolve};
//! use genie_databricks::Token;
//!
//! let request = AuthRequest {
//!     host: Some("adb-1234.azuredatabricks.net".into()),
//!     token: Some(Token::new("dapi-example")),
//!     ..AuthRequest::default()
//! };
//! let credentials = resolve(&request, &AuthEnvironment::default()).unwrap();
//! assert_eq!(credentials.host, "https://adb-1234.azuredatabricks.net");
//! assert_eq!(format!("{:?}", credentials.token), "***");
//! ```

pub mod auth;
mod dedupe;
mod error;
mod genie;
mod http;
mod limiter;
mod llm;
mod statement_result;
mod token;
mod warehouse;

pub use error::AuthError;
pub use genie::{DatabricksGenie, PollPolicy};
pub use http::{Idempotency, RestClient, RetryPolicy};
pub use limiter::{Permit, RateLimiter};
pub use llm::{ChatCompletionsLlm, ChatEndpoint};
pub use token::Token;
pub use warehouse::DatabricksWarehouse;
