//! The applier's contract: apply and roll back patch sets on the working clone,
//! clone and copy spaces, promote, persist to the bundle.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::dev_spaces::{DevCopy, DevSpace, DevSpaces, PromotionRecord, PromotionRequest};
use crate::canonical::ContentHash;
use crate::error::WorkerError;
use crate::patch::{ApplyBase, ApplyLog, PatchSet};
use crate::ports::BundleFile;
use crate::space::{ConfigDiff, SpaceId};

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
    /// Which clone: its title ends in `_dev_best` or `_dev_working`.
    pub clone: DevSpace,
    /// The run's id, unique to the run (the orchestrator passes the session's id): the
    /// title is `{source title} [{run_id}]_dev_best`, so a resumed run finds the clone
    /// it made before and another run never takes it.
    pub run_id: String,
}

/// The clone found or made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClonedSpace {
    /// Its id.
    pub space_id: SpaceId,
    /// Its title.
    pub title: String,
    /// Whether it was made now (false: found from an earlier, interrupted run).
    pub created: bool,
    /// Its config's hash now (for a found clone, the caller checks it against the
    /// session's record).
    pub config_hash: ContentHash,
}

/// What to do with a run's clones at its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CleanUp {
    /// Leave both clones in the workspace (the default: dev-best holds the result).
    #[default]
    Keep,
    /// Move both clones to the trash (restorable from the workspace's trash).
    Trash,
}

/// What a copy between the clones did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyRecord {
    /// The clone copied from.
    pub from: SpaceId,
    /// The clone copied onto.
    pub to: SpaceId,
    /// The target's config hash before.
    pub config_hash_before: ContentHash,
    /// Its hash after (the source's).
    pub config_hash_after: ContentHash,
    /// The field-level change to the target, as shown before writing.
    pub diff: ConfigDiff,
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
    /// The files written, with their content before and after (rollback writes the
    /// content before back).
    pub files: Vec<BundleFileChange>,
    /// The bundle's diff since its last commit, after the write.
    pub diff: String,
    /// Whether the diff confirmed the write.
    pub verification: BundleVerification,
}

impl BundleWrite {
    /// The paths written, relative to the bundle root.
    pub fn paths(&self) -> Vec<&str> {
        self.files.iter().map(|file| file.path.as_str()).collect()
    }
}

/// One bundle file a write changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleFileChange {
    /// Its path, relative to the bundle root.
    pub path: String,
    /// What it holds.
    pub file: BundleFile,
    /// Its content before (`None`: it did not exist).
    pub before: Option<String>,
    /// Its content after.
    pub after: String,
}

/// Whether a bundle write was confirmed by the repository's diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum BundleVerification {
    /// Every changed file reads back as written and shows in the diff since the last
    /// commit.
    Verified,
    /// The files were written and read back, but the bundle is not a git repository,
    /// so the change could not be verified by its diff.
    Unverified {
        /// Why.
        reason: String,
    },
}

/// A bundle deployment to run through the Databricks CLI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployRequest {
    /// The bundle's directory (where `databricks.yml` is).
    pub bundle_dir: String,
    /// The bundle target (`-t`), when not the default one.
    pub target: Option<String>,
    /// The job to run after the deploy (`databricks bundle run <job>`), if any.
    pub job: Option<String>,
}

/// What a deployment ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeployRecord {
    /// Each step (validate, deploy, run), in order.
    pub steps: Vec<DeployStep>,
}

/// One CLI step and its attempts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeployStep {
    /// The command line (`databricks bundle deploy -t dev`).
    pub command: String,
    /// Each attempt's exit code and output (the last succeeded, when the step did).
    pub attempts: Vec<DeployAttempt>,
}

/// One run of a CLI command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeployAttempt {
    /// Its exit code (`None`: killed by a signal).
    pub exit_code: Option<i32>,
    /// What it printed (standard output, then standard error).
    pub output: String,
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

    /// Finds the clone `request` names (left by an interrupted run) or clones
    /// `request.source` under its title: same warehouse, the canonical config. Two
    /// spaces with the title are an error.
    async fn clone_space(&self, request: &CloneRequest) -> Result<ClonedSpace, WorkerError>;

    /// Copies one clone's config onto the other, logging the field-level diff first;
    /// returns what changed.
    async fn copy_config(
        &self,
        spaces: &DevSpaces,
        copy: DevCopy,
    ) -> Result<CopyRecord, WorkerError>;

    /// The field-level diff from `to`'s config to `from`'s: what copying `from` onto
    /// `to` would change. Reads only, so `to` may be production (show it before asking
    /// for a [`PromotionApproval`](super::PromotionApproval)).
    async fn diff_spaces(&self, from: &SpaceId, to: &SpaceId) -> Result<ConfigDiff, WorkerError>;

    /// Writes a clone's config to production: only with the request's approval, only
    /// when the clone still holds the approved config and production is still as the
    /// run found it.
    async fn promote_to_production(
        &self,
        request: &PromotionRequest,
    ) -> Result<PromotionRecord, WorkerError>;

    /// Writes a space's export to its bundle file.
    async fn export_to_bundle(&self, request: &ExportRequest) -> Result<BundleWrite, WorkerError>;

    /// Validates and deploys the bundle, then runs its job, through the Databricks
    /// CLI: each step up to 3 times, the failure's text kept each time.
    async fn deploy(&self, request: &DeployRequest) -> Result<DeployRecord, WorkerError>;

    /// Trashes both clones, or keeps them ([`CleanUp`]); never touches production.
    /// Returns the clones trashed.
    async fn clean_up(
        &self,
        spaces: &DevSpaces,
        choice: CleanUp,
    ) -> Result<Vec<SpaceId>, WorkerError>;
}
