//! Failures at each step leave nothing applied.
