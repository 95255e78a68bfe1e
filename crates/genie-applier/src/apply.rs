//! `apply`: one patch set on the working clone, all or nothing.
//!
//! The order is: read the space with its etag (refused unless it is the planned
//! base), read the Unity Catalog state of its schemas, compute the whole result with
//! [`apply_patch_set`] (refused whole, nothing done, when any patch does not apply),
//! record the plan in the journal, run the live Unity Catalog statements, write the
//! config once with the etag, wait until it reads back and Genie has it, write the
//! bundle files and verify them by the bundle's diff. A failure at any step undoes the
//! steps before it, last first; the [`ApplyFailure`] carries what is still in effect
//! (nothing, unless an undo failed too).

use genie_core::catalog::{CatalogScope, read_catalog};
use genie_core::error::PortErrorKind;
use genie_core::patch::{AppliedPatch, ApplyLog, PatchEffect, UcWrite, apply_patch_set};
use genie_core::ports::{BundleFile, ExecuteOptions};
use genie_core::space::SpaceId;
use genie_core::workers::{
    ApplyFailure, ApplyRequest, BundleFileChange, BundleVerification, BundleWrite, UcWrites,
};
use tokio::time::Instant;

use crate::applier::GenieApplier;
use crate::bundle;
use crate::error::ApplierError;
use crate::journal::{Pending, RequestKey};
use crate::remote::{self, ReadSpace};

pub(crate) async fn apply(
    applier: &GenieApplier,
    request: &ApplyRequest,
) -> Result<ApplyLog, ApplyFailure> {
    let space_id = request.spaces.working().clone();
    let nothing_done = |error: ApplierError| ApplyFailure {
        partial: Box::new(ApplyLog {
            space_id: space_id.clone(),
            patch_set_hash: request.patch_set.content_hash(),
            base: request.base.clone(),
            config_hash_before: request.base.config_hash.clone(),
            config_hash_after: request.base.config_hash.clone(),
            applied_at_ms: request.now_ms,
            applied: Vec::new(),
            bundle: None,
        }),
        source: error.into(),
    };
    let now = remote::read(applier.genie.as_ref(), &space_id)
        .await
        .map_err(nothing_done)?;
    let key = RequestKey {
        space_id: space_id.clone(),
        patch_set_hash: request.patch_set.content_hash(),
        base_hash: request.base.config_hash.clone(),
        now_ms: request.now_ms,
    };
    let pending = match applier
        .journal
        .find(&space_id)
        .await
        .map_err(nothing_done)?
    {
        Some((_, pending)) if pending.key == key => {
            tracing::info!(space = %space_id, set = key.patch_set_hash.short(), "resuming an unfinished apply");
            pending
        }
        Some((path, pending)) => {
            return Err(nothing_done(ApplierError::UnfinishedApply {
                space_id: space_id.clone(),
                pending: pending.key.patch_set_hash.short().to_owned(),
                path,
            }));
        }
        None => {
            if now.hash != request.base.config_hash {
                return Err(nothing_done(ApplierError::BaseMismatch {
                    space_id: space_id.clone(),
                    expected: request.base.config_hash.to_string(),
                    found: now.hash.to_string(),
                }));
            }
            let pending = plan(applier, request, key, &now)
                .await
                .map_err(nothing_done)?;
            applier
                .journal
                .record(&pending)
                .await
                .map_err(nothing_done)?;
            pending
        }
    };
    Progress {
        applier,
        space_id: &space_id,
        pending: &pending,
        live_done: Vec::new(),
        space_written: false,
        etag: now.etag().map(str::to_owned),
        files_written: 0,
    }
    .execute(now)
    .await
}

/// Reads the catalog and computes the set's whole effect: the log to return, the
/// config to write, the bundle files.
async fn plan(
    applier: &GenieApplier,
    request: &ApplyRequest,
    key: RequestKey,
    now: &ReadSpace,
) -> Result<Pending, ApplierError> {
    let space_id = &key.space_id;
    let scope = CatalogScope::of_space(&now.config).with_patch_set(&request.patch_set);
    let catalog = read_catalog(
        applier.warehouse.as_ref(),
        &scope,
        &ExecuteOptions::default(),
    )
    .await
    .map_err(|source| ApplierError::Catalog {
        space_id: space_id.clone(),
        source: Box::new(source),
    })?;
    let application = apply_patch_set(&now.config, &catalog, &request.patch_set, request.now_ms)
        .map_err(|source| ApplierError::Refused {
            space_id: space_id.clone(),
            patch_set: key.patch_set_hash.short().to_owned(),
            source: Box::new(source),
        })?;
    let layout = &applier.config.layout;
    let mut applied = Vec::with_capacity(application.changes.len());
    for (patch, change) in request.patch_set.patches.iter().zip(&application.changes) {
        let uc_write = match (&change.effect, request.uc_writes) {
            (PatchEffect::Space { .. }, _) => None,
            (PatchEffect::UnityCatalog { .. }, UcWrites::ExecuteLive) => Some(UcWrite::Executed),
            (PatchEffect::UnityCatalog { bundle_file, .. }, UcWrites::EmitToBundle) => {
                Some(UcWrite::Emitted {
                    path: bundle_path(layout, &request.domain, bundle_file)?,
                })
            }
        };
        applied.push(AppliedPatch {
            patch: patch.clone(),
            change: change.clone(),
            uc_write,
        });
    }
    let changes_space = application.config_hash_after != application.config_hash_before;
    let config_after = changes_space.then(|| application.config.clone());
    let files = bundle::plan(
        applier.bundle.as_ref(),
        layout,
        &request.domain,
        config_after.as_ref(),
        &applied,
        &catalog,
    )
    .await?;
    tracing::info!(
        space = %space_id,
        set = key.patch_set_hash.short(),
        patches = applied.len(),
        before = application.config_hash_before.short(),
        after = application.config_hash_after.short(),
        files = files.len(),
        "patch set planned"
    );
    Ok(Pending {
        log: ApplyLog {
            space_id: space_id.clone(),
            patch_set_hash: key.patch_set_hash.clone(),
            base: request.base.clone(),
            config_hash_before: application.config_hash_before,
            config_hash_after: application.config_hash_after,
            applied_at_ms: request.now_ms,
            applied,
            bundle: None,
        },
        key,
        config_after,
        files,
    })
}

fn bundle_path(
    layout: &genie_core::ports::BundleLayout,
    domain: &str,
    file: &BundleFile,
) -> Result<String, ApplierError> {
    layout
        .path(domain, file)
        .map_err(|error| ApplierError::Bundle {
            path: format!("{file:?}"),
            message: error.to_string(),
        })
}

/// One apply in progress: what has been done so far, so a failure undoes exactly it.
struct Progress<'a> {
    applier: &'a GenieApplier,
    space_id: &'a SpaceId,
    pending: &'a Pending,
    /// Indices of the patches whose statement ran (or may have run).
    live_done: Vec<usize>,
    space_written: bool,
    etag: Option<String>,
    files_written: usize,
}

impl Progress<'_> {
    async fn execute(mut self, now: ReadSpace) -> Result<ApplyLog, ApplyFailure> {
        match self.steps(now).await {
            Ok(bundle) => {
                if let Err(error) = self.applier.journal.clear(self.space_id).await {
                    tracing::warn!(%error, "the apply is done but its journal entry remains");
                }
                let mut log = self.pending.log.clone();
                log.bundle = Some(bundle);
                tracing::info!(space = %self.space_id, set = log.patch_set_hash.short(), config = log.config_hash_after.short(), shared_objects = ?log.shared_objects(), "patch set applied");
                Ok(log)
            }
            Err(error) => Err(self.undo(error).await),
        }
    }

    async fn steps(&mut self, now: ReadSpace) -> Result<BundleWrite, ApplierError> {
        let log = &self.pending.log;
        let genie = self.applier.genie.as_ref();
        let config = &self.applier.config;
        let changes_space = self.pending.config_after.is_some();
        // A resumed apply finds the space already written.
        let already_written = changes_space && now.hash == log.config_hash_after;
        if !already_written && now.hash != log.config_hash_before {
            return Err(ApplierError::ChangedElsewhere {
                space_id: self.space_id.clone(),
                expected: log.config_hash_before.to_string(),
                found: now.hash.to_string(),
                etag: now.etag().unwrap_or("none").to_owned(),
            });
        }
        let live: Vec<usize> = log
            .applied
            .iter()
            .enumerate()
            .filter(|(_, applied)| applied.uc_write == Some(UcWrite::Executed))
            .map(|(index, _)| index)
            .collect();
        if already_written {
            // The statements ran before the space was written.
            self.live_done = live;
            self.space_written = true;
        } else {
            for index in live {
                let ddl = log.applied[index]
                    .change
                    .ddl()
                    .expect("a live write has DDL");
                if let Err(source) = self.applier.warehouse.execute_ddl(&ddl.forward).await {
                    // A statement the engine ran and refused took no effect; after a
                    // timeout or an outage it may have, so its inverse runs too.
                    if !matches!(
                        source.kind,
                        PortErrorKind::StatementFailed
                            | PortErrorKind::InvalidRequest
                            | PortErrorKind::Unauthorized
                    ) {
                        self.live_done.push(index);
                    }
                    return Err(ApplierError::Ddl {
                        statement: ddl.forward.clone(),
                        source,
                    });
                }
                self.live_done.push(index);
                tracing::info!(statement = ddl.forward, "Unity Catalog statement run");
            }
        }
        if let Some(target) = &self.pending.config_after {
            let written_at = Instant::now();
            if !already_written {
                self.etag = remote::write(
                    genie,
                    config,
                    self.space_id,
                    &log.config_hash_before,
                    self.etag.as_deref(),
                    target,
                )
                .await?;
                self.space_written = true;
            }
            let seen = remote::wait_visible(
                genie,
                config,
                self.space_id,
                &log.config_hash_after,
                written_at,
            )
            .await?;
            self.etag = seen.space.etag;
        }
        let repo = self.applier.bundle.as_ref();
        let diff_before = bundle::diff_before(repo).await;
        bundle::write(repo, &self.pending.files)
            .await
            .map_err(|(written, error)| {
                self.files_written = written + 1;
                error
            })?;
        self.files_written = self.pending.files.len();
        bundle::verify(repo, self.pending.files.clone(), diff_before.as_deref()).await
    }

    /// Undoes what this run did, last first; the failure carries what is still in
    /// effect.
    async fn undo(self, error: ApplierError) -> ApplyFailure {
        let log = &self.pending.log;
        let mut failures = Vec::new();
        let repo = self.applier.bundle.as_ref();
        let written: &[BundleFileChange] = &self.pending.files[..self.files_written];
        let files_left = match bundle::restore(repo, written).await {
            Ok(()) => Vec::new(),
            Err(undo) => {
                failures.push(undo.to_string());
                written.to_vec()
            }
        };
        let mut space_left = false;
        let mut hash_after = log.config_hash_before.clone();
        if self.space_written {
            match self.restore_space().await {
                Ok(()) => {}
                Err(undo) => {
                    failures.push(undo.to_string());
                    space_left = true;
                    hash_after = log.config_hash_after.clone();
                }
            }
        }
        let mut ddl_left = Vec::new();
        for &index in self.live_done.iter().rev() {
            let ddl = log.applied[index]
                .change
                .ddl()
                .expect("a live write has DDL");
            if let Err(undo) = self.applier.warehouse.execute_ddl(&ddl.inverse).await {
                failures.push(format!("statement `{}` failed: {undo}", ddl.inverse));
                ddl_left.push(index);
            }
        }
        if let Err(journal) = self.applier.journal.clear(self.space_id).await {
            tracing::warn!(%journal, "the apply's journal entry remains");
        }
        let applied = log
            .applied
            .iter()
            .enumerate()
            .filter(|(index, applied)| match applied.uc_write {
                None => space_left,
                Some(UcWrite::Executed) => ddl_left.contains(index),
                Some(UcWrite::Emitted { .. }) => !files_left.is_empty(),
            })
            .map(|(_, applied)| applied.clone())
            .collect();
        let bundle = (!files_left.is_empty()).then(|| BundleWrite {
            files: files_left,
            diff: String::new(),
            verification: BundleVerification::Unverified {
                reason: "written by an apply that failed; restoring them failed too".to_owned(),
            },
        });
        let source = if failures.is_empty() {
            tracing::warn!(space = %self.space_id, %error, "apply failed; everything it did was undone");
            error
        } else {
            tracing::error!(space = %self.space_id, %error, ?failures, "apply failed and could not be undone completely");
            ApplierError::UndoIncomplete {
                source: Box::new(error),
                undo_failures: failures,
            }
        };
        ApplyFailure {
            partial: Box::new(ApplyLog {
                config_hash_after: hash_after,
                applied,
                bundle,
                ..log.clone()
            }),
            source: source.into(),
        }
    }

    /// Writes the config before the set back and waits until it reads back.
    async fn restore_space(&self) -> Result<(), ApplierError> {
        let genie = self.applier.genie.as_ref();
        let config = &self.applier.config;
        let log = &self.pending.log;
        let now = remote::read(genie, self.space_id).await?;
        if now.hash == log.config_hash_before {
            return Ok(());
        }
        let restored =
            log.restored_config(&now.config)
                .map_err(|source| ApplierError::Restore {
                    space_id: self.space_id.clone(),
                    source,
                })?;
        let written_at = Instant::now();
        remote::write(
            genie,
            config,
            self.space_id,
            &now.hash,
            now.etag(),
            &restored,
        )
        .await?;
        remote::wait_visible(
            genie,
            config,
            self.space_id,
            &log.config_hash_before,
            written_at,
        )
        .await?;
        Ok(())
    }
}
