//! Shared contracts of genie-optimizer.
//!
//! Every worker (generator, evaluator, optimizer, applier) and every backend
//! (Databricks, MLflow, the sandbox) depends on this crate and on nothing else of
//! the workspace. It holds:
//!
//! - the domain types: the Genie space configuration ([`space`]), benchmarks
//!   ([`benchmark`]), result sets ([`result`]), evaluation rows and verdicts
//!   ([`evaluation`]), the failure taxonomy and levers ([`taxonomy`]), the Patch DSL
//!   ([`patch`]) and the optimisation session ([`session`]);
//! - pure logic over them: SQL helpers ([`sql`]), result-set comparison
//!   ([`compare`]), canonical JSON with content hashes ([`canonical`]) and benchmark
//!   leakage into a space ([`contamination`]);
//! - the traits every worker ([`workers`]) and every backend ([`ports`]) implements.
//! - the Unity Catalog side of a space ([`catalog`]): the `information_schema` reads
//!   behind the optimizer's metadata snapshot and the applier's inverse DDL.
//!
//! It performs no I/O: no runtime, no network, no filesystem and no clock. Time and
//! randomness come in as parameters, so everything here is deterministic and
//! testable without a workspace.

pub mod benchmark;
pub mod canonical;
pub mod catalog;
pub mod compare;
pub mod contamination;
pub mod error;
pub mod evaluation;
pub mod patch;
pub mod ports;
pub mod result;
pub mod session;
pub mod space;
pub mod sql;
pub mod taxonomy;
pub mod workers;

#[cfg(test)]
mod testing;

pub use error::Error;
