//! Tests of [`apply_patch_set`]: every op applied, undone and refused, whole sets, and
//! the round-trip property over random spaces and sets.

mod properties;
mod sets;
mod space_ops;
mod support;
mod uc_ops;
