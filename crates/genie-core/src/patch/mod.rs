//! The Patch DSL (DESIGN §7): metadata changes as data, their conflict check, what
//! applying them does, and the apply log that makes rollback exact.
//!
//! A [`Patch`] is `{op, target, value, lever, risk, rationale, fixes, cluster}`. The
//! optimizer proposes a [`PatchSet`]; [`PatchSet::check`] finds conflicts *before*
//! anything is applied (two patches on one target, an add and a remove of one item,
//! budgets exceeded). [`apply_patch_set`] is the one notion of what a set does: the new
//! config, and for every patch its exact inverse — a [`SpaceRestore`] for a space
//! change, a [`DdlChange`] for a Unity Catalog one — or the refusal of the whole set
//! ([`PatchRefusal`]). The applier records what took effect in an [`ApplyLog`], from
//! which rollback restores the exact prior state.

mod apply;
mod inverse;
mod log;
mod op;
mod set;

pub use apply::{
    Inapplicable, PatchApplication, PatchChange, PatchEffect, PatchRefusal, UcObjectKind,
    apply_patch_set,
};
pub use inverse::{Container, RestoreError, SpaceRestore, SpaceUndo, restore_space};
pub use log::{AppliedPatch, ApplyBase, ApplyLog, DdlChange, UcWrite};
pub use op::{ColumnTarget, ExampleParameter, PatchOp, Relationship, UcObject};
pub use set::{ClusterId, Patch, PatchConflict, PatchSet, Risk};
