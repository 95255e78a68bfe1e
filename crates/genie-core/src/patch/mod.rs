//! The Patch DSL (DESIGN §7): metadata changes as data, their conflict check, and the
//! apply log that makes rollback exact.
//!
//! A [`Patch`] is `{op, target, value, lever, risk, rationale, fixes}`. The optimizer
//! proposes a [`PatchSet`]; [`PatchSet::check`] finds conflicts *before* anything is
//! applied (two patches on one target, an add and a remove of one item, budgets
//! exceeded), so the applier can apply a set all-or-nothing. The applier records each
//! change's prior value in an [`ApplyLog`], from which rollback restores the exact
//! prior state.

mod log;
mod op;
mod set;

pub use log::{AppliedPatch, ApplyLog, DdlChange};
pub use op::{ColumnTarget, PatchOp, Relationship, UcObject};
pub use set::{Patch, PatchConflict, PatchSet, Risk};
