//! `rollback`: the exact prior state of an apply log's space, Unity Catalog objects
//! and bundle files.
//!
//! The config before is computed from the log's inverses
//! ([`ApplyLog::restored_config`], which checks the space holds what the log left),
//! written with the etag and waited for; the inverse statements of what ran live run
//! last first; the bundle files get their content before back. The space is read once
//! more at the end: its hash must be the log's `config_hash_before`, or the rollback
//! fails. Every step sets a state, so a failed rollback can be run again whole.

use genie_core::canonical::ContentHash;
use genie_core::workers::RollbackRequest;
use tokio::time::Instant;

use crate::applier::GenieApplier;
use crate::bundle;
use crate::error::ApplierError;
use crate::remote;

pub(crate) async fn rollback(
    applier: &GenieApplier,
    request: &RollbackRequest,
) -> Result<ContentHash, ApplierError> {
    let log = &request.log;
    let space_id = &log.space_id;
    if space_id != request.spaces.working() {
        return Err(ApplierError::NotTheWorkingClone {
            found: space_id.clone(),
            working: request.spaces.working().clone(),
        });
    }
    let genie = applier.genie.as_ref();
    let config = &applier.config;
    let now = remote::read(genie, space_id).await?;
    let space_in_effect = log.applied.iter().any(|applied| applied.uc_write.is_none());
    if now.hash == log.config_hash_before {
        tracing::info!(space = %space_id, "the space already holds the config before the apply");
    } else if space_in_effect && now.hash == log.config_hash_after {
        let restored =
            log.restored_config(&now.config)
                .map_err(|source| ApplierError::Restore {
                    space_id: space_id.clone(),
                    source,
                })?;
        let written_at = Instant::now();
        remote::write(genie, config, space_id, &now.hash, now.etag(), &restored).await?;
        remote::wait_visible(genie, config, space_id, &log.config_hash_before, written_at).await?;
    } else {
        return Err(ApplierError::ChangedElsewhere {
            space_id: space_id.clone(),
            expected: log.config_hash_after.to_string(),
            found: now.hash.to_string(),
            etag: now.etag().unwrap_or("none").to_owned(),
        });
    }
    for statement in log.inverse_statements() {
        applier
            .warehouse
            .execute_ddl(statement)
            .await
            .map_err(|source| ApplierError::Ddl {
                statement: statement.to_owned(),
                source,
            })?;
        tracing::info!(statement, "Unity Catalog change undone");
    }
    if let Some(written) = &log.bundle {
        bundle::restore(applier.bundle.as_ref(), &written.files).await?;
    }
    let restored = remote::read(genie, space_id).await?;
    if restored.hash != log.config_hash_before {
        return Err(ApplierError::RestoredHashMismatch {
            space_id: space_id.clone(),
            expected: log.config_hash_before.to_string(),
            restored: restored.hash.to_string(),
        });
    }
    if let Some((_, pending)) = applier.journal.find(space_id).await?
        && pending.key.patch_set_hash == log.patch_set_hash
    {
        applier.journal.clear(space_id).await?;
    }
    tracing::info!(space = %space_id, config = restored.hash.short(), set = log.patch_set_hash.short(), "patch set rolled back");
    Ok(restored.hash)
}
