//! Integration tests of genie-databricks.

mod auth;
mod genie;
mod llm;
mod warehouse;
