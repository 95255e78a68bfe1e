//! Model path.
