//! The apply log: what applying a patch set changed, so rollback is exact.

use serde::{Deserialize, Serialize};

use super::set::Patch;
use crate::canonical::ContentHash;

/// One applied patch and what it replaced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppliedPatch {
    /// Index of the patch in its set.
    pub index: usize,
    /// The patch.
    pub patch: Patch,
    /// The exact prior value at the patch's target, as JSON; `None` when the target did
    /// not exist (rollback removes it).
    pub prior: Option<serde_json::Value>,
    /// For a Unity Catalog change: the statement run, and the statement that undoes it.
    pub ddl: Option<DdlChange>,
}

/// A Unity Catalog statement and its inverse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DdlChange {
    /// The statement applied.
    pub forward: String,
    /// The statement that restores the prior state.
    pub inverse: String,
}

/// The record of applying one patch set to one space; rollback reads it backwards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplyLog {
    /// The space changed.
    pub space_id: String,
    /// The patch set's hash.
    pub patch_set_hash: ContentHash,
    /// The config's hash before applying (rollback must restore exactly this).
    pub config_hash_before: ContentHash,
    /// The config's hash after applying.
    pub config_hash_after: ContentHash,
    /// When, in milliseconds since the Unix epoch (passed in by the caller).
    pub applied_at_ms: u64,
    /// The applied patches, in application order.
    pub applied: Vec<AppliedPatch>,
}
