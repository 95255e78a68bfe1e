//! Databricks REST backends (being built, issue 5).
//!
//! So far: credentials resolved the way the Databricks CLI and SDKs resolve them
//! ([`auth::resolve`]: flags, environment, `~/.databrickscfg` profiles, `databricks.yml`)
//! and a [`Token`] type that never prints its secret. The `GenieApi`, `Warehouse` and
//! `Llm` clients over the Genie, SQL Statement Execution and model serving APIs come
//! next.
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
mod error;
mod token;

pub use error::AuthError;
pub use token::Token;
