//! Integration tests of genie-databricks.

mod auth;
mod warehouse;
