//! Reading and writing a space's config: one etag-guarded write, conflicts re-read and
//! retried, and the bounded wait until the write reads back and Genie has it.

use std::time::Duration;

use genie_core::canonical::ContentHash;
use genie_core::error::PortErrorKind;
use genie_core::ports::GenieApi;
use genie_core::space::{GenieSpace, SpaceConfig, SpaceId};
use tokio::time::Instant;

use crate::config::Config;
use crate::error::{ApplierError, port};

/// A space as read: its config in canonical form, that config's hash, its etag.
#[derive(Debug, Clone)]
pub(crate) struct ReadSpace {
    pub(crate) space: GenieSpace,
    pub(crate) config: SpaceConfig,
    pub(crate) hash: ContentHash,
}

impl ReadSpace {
    pub(crate) fn etag(&self) -> Option<&str> {
        self.space.etag.as_deref()
    }

    fn etag_text(&self) -> String {
        self.etag().unwrap_or("none").to_owned()
    }
}

/// Reads `space_id` with its config.
pub(crate) async fn read(
    genie: &dyn GenieApi,
    space_id: &SpaceId,
) -> Result<ReadSpace, ApplierError> {
    let space = genie
        .get_space(space_id.as_str())
        .await
        .map_err(port(format!("reading space `{space_id}`")))?;
    let config = space
        .config()
        .map_err(|error| ApplierError::UnreadableConfig {
            space_id: space_id.clone(),
            message: error.to_string(),
        })?
        .canonicalized();
    let hash = config.content_hash();
    Ok(ReadSpace {
        space,
        config,
        hash,
    })
}

/// Replaces the config of `space_id`, which must hold `current` (with `etag`), by
/// `target`, and returns the etag after.
///
/// An etag conflict is re-read: when the content is still `current` (only the etag
/// moved), the write is retried with the new etag, up to `config.conflict_retries`
/// times; when it is `target`, an earlier attempt of this very write went through;
/// anything else is another writer's change, never overwritten. Any other failure is
/// re-read too, so a write that went through before its answer was lost counts.
pub(crate) async fn write(
    genie: &dyn GenieApi,
    config: &Config,
    space_id: &SpaceId,
    current: &ContentHash,
    etag: Option<&str>,
    target: &SpaceConfig,
) -> Result<Option<String>, ApplierError> {
    let target_hash = target.content_hash();
    let mut etag = etag.map(str::to_owned);
    let mut attempts = 0;
    loop {
        attempts += 1;
        let error = match genie
            .update_space(space_id.as_str(), target, etag.as_deref())
            .await
        {
            Ok(space) => {
                tracing::info!(space = %space_id, config = target_hash.short(), "space config written");
                return Ok(space.etag);
            }
            Err(error) => error,
        };
        let now = read(genie, space_id).await?;
        if now.hash == target_hash {
            tracing::info!(space = %space_id, "the write went through before its answer was lost");
            return Ok(now.space.etag);
        }
        if now.hash != *current {
            return Err(ApplierError::ChangedElsewhere {
                space_id: space_id.clone(),
                expected: current.to_string(),
                found: now.hash.to_string(),
                etag: now.etag_text(),
            });
        }
        if error.kind != PortErrorKind::Conflict {
            return Err(ApplierError::Port {
                action: format!(
                    "writing config `{}` to space `{space_id}`",
                    target_hash.short()
                ),
                source: error,
            });
        }
        if attempts > config.conflict_retries {
            return Err(ApplierError::Conflict {
                space_id: space_id.clone(),
                attempts,
                etag: now.etag_text(),
                update_time: now
                    .space
                    .update_time
                    .clone()
                    .unwrap_or_else(|| "?".to_owned()),
                config_hash: now.hash.to_string(),
            });
        }
        tracing::warn!(space = %space_id, attempt = attempts, etag = now.etag_text(), "etag conflict; retrying on the re-read space");
        etag.clone_from(&now.space.etag);
    }
}

/// Waits until `space_id` reads back with `expected` (at most
/// `config.visibility_timeout_ms`), then until `config.propagation_wait_ms` after
/// `written_at`, so Genie answers from it. Returns the space as read.
pub(crate) async fn wait_visible(
    genie: &dyn GenieApi,
    config: &Config,
    space_id: &SpaceId,
    expected: &ContentHash,
    written_at: Instant,
) -> Result<ReadSpace, ApplierError> {
    let deadline = written_at + Duration::from_millis(config.visibility_timeout_ms);
    let read_back = loop {
        let now = read(genie, space_id).await?;
        if now.hash == *expected {
            break now;
        }
        if Instant::now() >= deadline {
            return Err(ApplierError::NotVisible {
                space_id: space_id.clone(),
                expected: expected.to_string(),
                found: now.hash.to_string(),
                waited_ms: u64::try_from(written_at.elapsed().as_millis()).unwrap_or(u64::MAX),
            });
        }
        tokio::time::sleep(Duration::from_millis(config.poll_interval_ms.max(1))).await;
    };
    let settled = written_at + Duration::from_millis(config.propagation_wait_ms);
    if Instant::now() < settled {
        tracing::debug!(space = %space_id, wait_ms = config.propagation_wait_ms, "waiting for Genie to see the change");
        tokio::time::sleep_until(settled).await;
    }
    Ok(read_back)
}
