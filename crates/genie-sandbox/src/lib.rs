//! The sandbox workspace: a local stand-in for a Databricks workspace.
//!
//! The sandbox's SQL engine ([`engine`]) is a real embedded engine (DataFusion, kept
//! inside this crate) loaded from a fixture's `schema.sql` (and the CSV files it copies
//! from), with three-part names and Unity Catalog metadata — comments, properties, tags,
//! views and SQL table functions, changed at runtime by metadata statements through
//! [`Engine::execute`](engine::Engine::execute) and visible in `information_schema` —
//! returning genie-core's typed [`ResultSet`](genie_core::result::ResultSet)s. A
//! [`fixture`] directory (`schema.sql`, `space.json`) loads into it; its HTTP [`server`]
//! serves the Genie spaces and conversation APIs, the SQL Statement Execution API and an
//! audit log over that engine on 127.0.0.1, with seeded fault injection
//! ([`server::Faults`]). The Genie [`simulator`] answers the questions from the space's
//! configuration and the Unity Catalog metadata only (`docs/sandbox-genie.md`).

pub mod engine;
pub mod fixture;
pub mod server;
pub mod simulator;
