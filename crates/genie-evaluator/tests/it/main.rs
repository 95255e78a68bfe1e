//! The evaluator against the sandbox workspace on 127.0.0.1, through the real
//! Databricks clients: retail accuracy recounted independently, failure types against
//! the fixture's model of expected failures, unsafe SQL never executed, no question
//! lost under faults, and report comparison.

mod faults;
mod retail;
mod support;
mod unsafe_sql;
