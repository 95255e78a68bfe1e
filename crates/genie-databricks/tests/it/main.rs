//! Integration tests of genie-databricks.

mod auth;
mod genie;
mod warehouse;
