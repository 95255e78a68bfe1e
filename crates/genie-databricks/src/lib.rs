//! Databricks REST backends (not built yet).
//!
//! Will implement genie-core's `GenieApi`, `Warehouse` and `Llm` port traits over
//! the Genie, SQL Statement Execution and model serving APIs, with Databricks-style
//! auth resolution, retries and a workspace-wide rate limiter. Until then this crate
//! exports nothing, so nothing can mistake it for working.
