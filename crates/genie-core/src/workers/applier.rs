//! The applier's contract: apply and roll back patch sets on the working clone,
//! clone and copy spaces, promote, persist to the bundle.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::dev_spaces::{DevCopy, DevSpaces, PromotionRecord, PromotionRequest};
use crate::canonical::ContentHash;
use crate::error::WorkerError;
use crate::patch::{ApplyBase, ApplyLog, PatchSet};
use crate::space::SpaceId;

/// What happens to a set's Unity Catalog patches.
///
/// Unity Catalog objects (comments, tags, table properties, metric views, functions)
/// are shared: a change to one is seen by every space over it, production included. So
/// by default such a change is only written to the bundle, for review and deployment;
/// it runs on the warehouse only when the user asked for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UcWrites {
    /// Write the statements to their bundle files; run nothing (the default).
    #[default]
    EmitToBundle,
    /// Run the statements (`--allow-uc-writes`); the log reports the shared objects
    /// touched ([`ApplyLog::shared_objects`]).
    ExecuteLive,
}

/// One patch set to apply to the run's working clone.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplyRequest {
    /// The run's spaces: the set goes to [`DevSpaces::working`], never elsewhere.
    pub spaces: DevSpaces,
    /// The patches, all or nothing.
    pub patch_set: PatchSet,
    /// The working clone's config as the set was planned against it: applying onto any
    /// other config is refused.
    pub base: ApplyBase,
    /// The domain (bundle paths).
    pub domain: String,
    /// Whether Unity Catalog patches run or are only emitted.
    pub uc_writes: UcWrites,
    /// Now, in milliseconds since the Unix epoch (the log's time, new items' ids).
    pub now_ms: u64,
}

/// An apply log to undo.
#[derive(Debug, Clone, PartialEq)]
pub struct RollbackRequest {
    /// The run's spaces: the log's space must be the working clone.
    pub spaces: DevSpaces,
    /// What to undo (a whole log, or the partial log of an [`ApplyFailure`]).
    pub log: ApplyLog,
}

/// A clone to find or make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloneRequest {
    /// The space to copy (production).
    pub source: SpaceId,
    /// The clone's title, unique to the run (the orchestrator puts the session's id in
    /// it), so a resumed run finds the clone it made before.
    pub title: String,
}

/// The clone found or made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClonedSpace {
    /// Its id.
    pub space_id: SpaceId,
    /// Whether it was made now (false: found from an earlier, interrupted run).
    pub created: bool,
    /// Its config's hash now (for a found clone, the caller checks it against the
    /// session's record).
    pub config_hash: ContentHash,
}

/// A space to export to the bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    /// The space (normally dev-best after the loop).
    pub space_id: SpaceId,
    /// The domain (the export file's name).
    pub domain: String,
}

/// What a bundle write changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleWrite {
    /// The files written, relative to the bundle root.
    pub paths: Vec<String>,
    /// The bundle's diff since its last commit.
    pub diff: String,
}

/// An apply that failed after doing part of its work.
///
/// `partial` lists exactly what took effect (possibly nothing); rolling it back
/// ([`Applier::rollback`]) undoes that, so clean-up never loses track of a change.
#[derive(Debug, thiserror::Error)]
#[error("applying patch set `{}` to space `{}` failed with {} change(s) in effect", partial.patch_set_hash.short(), partial.space_id, partial.applied.len())]
pub struct ApplyFailure {
    /// What was done before the failure.
    pub partial: Box<ApplyLog>,
    /// The applier's error.
    #[source]
    pub source: WorkerError,
}

/// Applies patch sets with exact rollback, clones spaces, persists and promotes.
///
/// The production invariant is in the types: every write but one takes [`DevSpaces`]
/// and touches only its clones; [`Applier::promote_to_production`] is the one method
/// that writes production, and it needs a
/// [`PromotionApproval`](super::PromotionApproval).
///
/// **Unity Catalog rule.** A UC-level patch (comment, tag, table property, metric
/// view, function) changes what every space over those objects sees, production
/// included. By default ([`UcWrites::EmitToBundle`]) it is written to its bundle file
/// and not run; with [`UcWrites::ExecuteLive`] it runs, and the log reports the shared
/// objects it touched. Its inverse statement is always recorded, and rollback runs the
/// inverses of what ran live.
///
/// What a set does is [`apply_patch_set`](crate::patch::apply_patch_set): an applier
/// computes the new config and the DDL with it, never by its own rules.
#[async_trait]
pub trait Applier: Send + Sync {
    /// Applies a set to the working clone, all or nothing: refused before anything is
    /// done when the clone's config is not `base` or the set does not apply. A failure
    /// after some of the work carries the partial log.
    async fn apply(&self, request: &ApplyRequest) -> Result<ApplyLog, ApplyFailure>;

    /// Restores the exact prior state of the log's space (and runs the inverses of its
    /// live Unity Catalog changes, last first); returns the restored config's hash,
    /// which equals the log's `config_hash_before` (anything else is an error). Every
    /// inverse sets a state, so a failed rollback is retried whole.
    async fn rollback(&self, request: &RollbackRequest) -> Result<ContentHash, WorkerError>;

    /// Finds the space titled `request.title` (left by an interrupted run) or clones
    /// `request.source` under that title. Two spaces with the title are an error.
    async fn clone_space(&self, request: &CloneRequest) -> Result<ClonedSpace, WorkerError>;

    /// Copies one clone's config onto the other; returns the new hash.
    async fn copy_config(
        &self,
        spaces: &DevSpaces,
        copy: DevCopy,
    ) -> Result<ContentHash, WorkerError>;

    /// Writes a clone's config to production: only with the request's approval, only
    /// when the clone still holds the approved config and production is still as the
    /// run found it.
    async fn promote_to_production(
        &self,
        request: &PromotionRequest,
    ) -> Result<PromotionRecord, WorkerError>;

    /// Writes a space's export to its bundle file.
    async fn export_to_bundle(&self, request: &ExportRequest) -> Result<BundleWrite, WorkerError>;
}
