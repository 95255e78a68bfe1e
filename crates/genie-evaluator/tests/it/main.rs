//! The evaluator against the sandbox workspace on 127.0.0.1, through the real
//! Databricks clients: retail accuracy recounted independently, failure types against
//! the fixture's model of expected failures, unsafe SQL never executed, no question
//! lost under faults, and report comparison.

mod contamination;
mod denominator;
mod faults;
mod llm_judges;
mod official;
mod retail;
mod scopes;
mod snapshot;
mod support;
mod tracking;
mod unsafe_sql;
