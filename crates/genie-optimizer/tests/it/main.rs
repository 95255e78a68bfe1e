//! The optimizer's integration tests: one binary, a module per concern.

mod guards;
mod retail;
mod support;
