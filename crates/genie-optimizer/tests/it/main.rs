//! The optimizer's integration tests: one binary, a module per concern.

mod guards;
mod model;
mod retail;
mod search;
mod support;
