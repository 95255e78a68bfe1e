//! The evaluator against the sandbox workspace on 127.0.0.1, through the real
//! Databricks clients: retail accuracy recounted independently, failure types against
//! the fixture's model of expected failures, and report comparison.

mod retail;
mod support;
