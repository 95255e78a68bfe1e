//! The sandbox workspace: a local stand-in for a Databricks workspace.
//!
//! Being built (issue 4). The SQL engine the sandbox answers from ([`engine`]) is a
//! real embedded engine (DataFusion, kept inside this crate) loaded from a fixture's
//! `schema.sql`, with three-part names and Unity Catalog comments, returning
//! genie-core's typed [`ResultSet`](genie_core::result::ResultSet)s. A [`fixture`]
//! directory (`schema.sql`, `space.json`) loads into it; its HTTP [`server`] serves the
//! Genie spaces and conversation APIs, the SQL Statement Execution API and an audit log
//! over that engine on 127.0.0.1, with seeded fault injection
//! ([`server::Faults`]). The Genie [`simulator`] answers the questions.

pub mod engine;
pub mod fixture;
pub mod server;
pub mod simulator;
