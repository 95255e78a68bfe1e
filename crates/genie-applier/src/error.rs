//! The applier's errors. Each names the space, the file, the statement or the patch it
//! is about.

use std::path::PathBuf;

use genie_core::catalog::CatalogError;
use genie_core::error::{PortError, WorkerError};
use genie_core::patch::{PatchRefusal, RestoreError};
use genie_core::space::SpaceId;

/// Why an apply, rollback, clone, copy, promotion, export or deploy failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApplierError {
    /// A backend call failed.
    #[error("{action}: {source}")]
    Port {
        /// What was being done ("reading space …").
        action: String,
        /// The backend's error.
        source: PortError,
    },
    /// A space's `serialized_space` could not be read.
    #[error("space `{space_id}` has an unreadable config: {message}")]
    UnreadableConfig {
        /// The space.
        space_id: SpaceId,
        /// The parser's message.
        message: String,
    },
    /// The space is not the config the set was planned against.
    #[error(
        "space `{space_id}` has config `{found}`, not `{expected}` the patch set was planned against"
    )]
    BaseMismatch {
        /// The space.
        space_id: SpaceId,
        /// The planned base's hash.
        expected: String,
        /// The space's hash now.
        found: String,
    },
    /// The set does not apply (nothing was done).
    #[error("patch set `{patch_set}` cannot be applied to space `{space_id}`: {source}")]
    Refused {
        /// The space.
        space_id: SpaceId,
        /// The set's short hash.
        patch_set: String,
        /// Which patch and which rule.
        source: Box<PatchRefusal>,
    },
    /// The Unity Catalog snapshot the set's inverses are written from could not be read.
    #[error("cannot read the Unity Catalog state of space `{space_id}`'s schemas: {source}")]
    Catalog {
        /// The space.
        space_id: SpaceId,
        /// Why.
        source: Box<CatalogError>,
    },
    /// Every attempt met an etag conflict.
    #[error(
        "space `{space_id}` changed under the write {attempts} time(s) in a row; it now has etag \
         `{etag}` (updated {update_time}) and config `{config_hash}`"
    )]
    Conflict {
        /// The space.
        space_id: SpaceId,
        /// Attempts made.
        attempts: u32,
        /// The etag it has now.
        etag: String,
        /// When it was last updated.
        update_time: String,
        /// Its config hash now.
        config_hash: String,
    },
    /// Someone else changed the space's content while the applier worked on it.
    #[error(
        "space `{space_id}` was changed by another writer: expected config `{expected}`, found \
         `{found}` (etag `{etag}`); nothing of theirs was overwritten"
    )]
    ChangedElsewhere {
        /// The space.
        space_id: SpaceId,
        /// The hash the applier expected.
        expected: String,
        /// The hash found.
        found: String,
        /// The etag found.
        etag: String,
    },
    /// A written config did not read back in time.
    #[error(
        "space `{space_id}` still reads config `{found}` {waited_ms} ms after writing `{expected}`"
    )]
    NotVisible {
        /// The space.
        space_id: SpaceId,
        /// The written hash.
        expected: String,
        /// The hash read last.
        found: String,
        /// How long the applier waited.
        waited_ms: u64,
    },
    /// A Unity Catalog statement failed.
    #[error("statement `{statement}` failed: {source}")]
    Ddl {
        /// The statement.
        statement: String,
        /// The warehouse's error.
        source: PortError,
    },
    /// A bundle file could not be written, read back or verified.
    #[error("bundle file `{path}`: {message}")]
    Bundle {
        /// The file, relative to the bundle root.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A rollback restored a config other than the one before the apply.
    #[error("rollback of space `{space_id}` restored config `{restored}`, not `{expected}`")]
    RestoredHashMismatch {
        /// The space.
        space_id: SpaceId,
        /// `config_hash_before` of the log.
        expected: String,
        /// What the space holds after the rollback.
        restored: String,
    },
    /// The log cannot be undone on the space as it is.
    #[error("cannot roll back space `{space_id}`: {source}")]
    Restore {
        /// The space.
        space_id: SpaceId,
        /// Why.
        source: RestoreError,
    },
    /// A log names another space than the run's working clone.
    #[error("the apply log is for space `{found}`, not the working clone `{working}`")]
    NotTheWorkingClone {
        /// The log's space.
        found: SpaceId,
        /// The working clone.
        working: SpaceId,
    },
    /// More than one space has a clone's title.
    #[error("{} spaces are titled `{title}` ({}); remove the extra ones by hand", ids.len(), ids.join(", "))]
    DuplicateClones {
        /// The title.
        title: String,
        /// Their ids.
        ids: Vec<String>,
    },
    /// A space has no warehouse to give its clone.
    #[error("space `{space_id}` has no `warehouse_id` for its clone")]
    NoWarehouse {
        /// The space.
        space_id: SpaceId,
    },
    /// A promotion's checks failed; production was not written.
    #[error("promotion to production space `{production}` refused: {reason}")]
    PromotionRefused {
        /// The production space.
        production: SpaceId,
        /// Why.
        reason: String,
    },
    /// Another apply on the space is unfinished.
    #[error(
        "an apply of patch set `{pending}` on space `{space_id}` is unfinished (journal `{}`); \
         repeat that request to finish it, then roll it back if unwanted",
        path.display()
    )]
    UnfinishedApply {
        /// The space.
        space_id: SpaceId,
        /// The unfinished set's short hash.
        pending: String,
        /// The journal file.
        path: PathBuf,
    },
    /// The journal could not be read or written.
    #[error("apply journal `{}`: {message}", path.display())]
    Journal {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A step failed, and undoing what was done before it failed too: the partial log
    /// lists what is still in effect.
    #[error("{source}; undoing the apply failed too: {}", undo_failures.join("; "))]
    UndoIncomplete {
        /// The step's error.
        source: Box<ApplierError>,
        /// Each undo step that failed.
        undo_failures: Vec<String>,
    },
    /// A bundle deploy step failed (or the Databricks CLI is missing).
    #[error("deploy: {message}")]
    Deploy {
        /// What failed, with the command's output.
        message: String,
    },
}

impl From<ApplierError> for WorkerError {
    fn from(error: ApplierError) -> Self {
        Self::new("applier", error)
    }
}

/// `ApplierError::Port` for `action`.
pub(crate) fn port(action: impl Into<String>) -> impl FnOnce(PortError) -> ApplierError {
    let action = action.into();
    move |source| ApplierError::Port { action, source }
}
