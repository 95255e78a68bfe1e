//! The sandbox workspace: a local stand-in for a Databricks workspace.
//!
//! Being built (issue 4). What exists so far is the SQL engine the sandbox answers
//! from ([`engine`]): a real embedded engine (DataFusion, kept inside this crate)
//! loaded from a fixture's `schema.sql`, with three-part names and Unity Catalog
//! comments, returning genie-core's typed [`ResultSet`](genie_core::result::ResultSet)s.
//! Its HTTP [`server`] serves the SQL Statement Execution API over that engine on
//! 127.0.0.1. The Genie spaces and conversation APIs, the Genie simulator and fault
//! injection come next.

pub mod engine;
pub mod server;
