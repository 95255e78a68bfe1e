//! The sandbox workspace: a local stand-in for a Databricks workspace.
//!
//! Being built (issue 4). What exists so far is the SQL engine the sandbox answers
//! from ([`engine`]): a real embedded engine (DataFusion, kept inside this crate)
//! loaded from a fixture's `schema.sql` (and the CSV files it copies from), with
//! three-part names and Unity Catalog metadata — comments, properties, tags, views and
//! SQL table functions, changed at runtime by metadata statements through
//! [`Engine::execute`](engine::Engine::execute) and visible in `information_schema` —
//! returning genie-core's typed [`ResultSet`](genie_core::result::ResultSet)s.
//! A [`fixture`] directory (`schema.sql`, `space.json`) loads into it; its HTTP
//! [`server`] serves the Genie spaces API and the SQL Statement Execution API over
//! that engine on 127.0.0.1. The Genie conversation API, the Genie simulator, fault
//! injection and the audit log come next.

pub mod engine;
pub mod fixture;
pub mod server;
pub mod simulator;
