//! The applier against the sandbox workspace on 127.0.0.1, through the real Databricks
//! clients and real bundle directories (git repositories where verification is tested):
//! apply → rollback cycles under propagation delay and etag conflicts, failures at each
//! step leaving nothing applied, dual persistence, resume after an interruption, the
//! three spaces and promotion.

mod cycle;
mod deploy;
mod failures;
mod propagation;
mod properties;
mod resume;
mod spaces;
mod support;
