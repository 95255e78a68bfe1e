//! The apply journal: an unfinished apply's plan on disk, so a run interrupted between
//! the space write and the bundle write resumes it instead of losing or repeating it.
//!
//! Before its first write an apply records its plan — the log it will return, the
//! config it writes, the bundle files with their content before — in
//! `{journal_dir}/{space_id}.json` (a temporary file renamed into place). The same
//! request again finds the plan and finishes it from wherever the space is; the file
//! goes when the apply ends, in success or after undoing itself.

use std::path::{Path, PathBuf};

use genie_core::canonical::ContentHash;
use genie_core::patch::ApplyLog;
use genie_core::space::{SpaceConfig, SpaceId};
use genie_core::workers::BundleFileChange;
use serde::{Deserialize, Serialize};

use crate::error::ApplierError;

/// One unfinished apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Pending {
    /// The request it serves.
    pub(crate) key: RequestKey,
    /// The log to return (every patch, as planned).
    pub(crate) log: ApplyLog,
    /// The config to write (`None`: the set changes Unity Catalog only).
    pub(crate) config_after: Option<SpaceConfig>,
    /// The bundle files, with their content before the apply.
    pub(crate) files: Vec<BundleFileChange>,
}

/// What identifies an apply request: the same set on the same base at the same time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RequestKey {
    pub(crate) space_id: SpaceId,
    pub(crate) patch_set_hash: ContentHash,
    pub(crate) base_hash: ContentHash,
    pub(crate) now_ms: u64,
}

/// The journal directory (or none).
#[derive(Debug, Clone)]
pub(crate) struct Journal {
    dir: Option<PathBuf>,
}

impl Journal {
    pub(crate) fn new(dir: Option<PathBuf>) -> Self {
        Self { dir }
    }

    fn path(&self, space_id: &SpaceId) -> Option<PathBuf> {
        self.dir
            .as_ref()
            .map(|dir| dir.join(format!("{}.json", file_part(space_id.as_str()))))
    }

    /// The unfinished apply on `space_id`, if any.
    pub(crate) async fn find(
        &self,
        space_id: &SpaceId,
    ) -> Result<Option<(PathBuf, Pending)>, ApplierError> {
        let Some(path) = self.path(space_id) else {
            return Ok(None);
        };
        match tokio::fs::read(&path).await {
            Ok(bytes) => {
                let pending =
                    serde_json::from_slice(&bytes).map_err(|error| journal_error(&path, &error))?;
                Ok(Some((path, pending)))
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(journal_error(&path, &error)),
        }
    }

    /// Records `pending` (replacing any earlier record for its space).
    pub(crate) async fn record(&self, pending: &Pending) -> Result<(), ApplierError> {
        let Some(path) = self.path(&pending.key.space_id) else {
            return Ok(());
        };
        let text = serde_json::to_vec_pretty(pending).expect("the journal serializes to JSON");
        write_atomic(&path, &text)
            .await
            .map_err(|error| journal_error(&path, &error))
    }

    /// Forgets the unfinished apply on `space_id`.
    pub(crate) async fn clear(&self, space_id: &SpaceId) -> Result<(), ApplierError> {
        let Some(path) = self.path(space_id) else {
            return Ok(());
        };
        match tokio::fs::remove_file(&path).await {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(error) => Err(journal_error(&path, &error)),
        }
    }
}

fn journal_error(path: &Path, error: &dyn std::fmt::Display) -> ApplierError {
    ApplierError::Journal {
        path: path.to_owned(),
        message: error.to_string(),
    }
}

/// `id` with anything but letters, digits, `-` and `_` replaced, for a file name.
fn file_part(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes `content` to a new temporary file beside `path`, flushes it and renames it
/// onto `path`, so `path` holds either the old or the new content, never part.
pub(crate) async fn write_atomic(path: &Path, content: &[u8]) -> std::io::Result<()> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let parent = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    tokio::fs::create_dir_all(parent).await?;
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = parent.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = async {
        let mut file = tokio::fs::File::create(&temporary).await?;
        tokio::io::AsyncWriteExt::write_all(&mut file, content).await?;
        file.sync_all().await?;
        drop(file);
        tokio::fs::rename(&temporary, path).await
    }
    .await;
    if result.is_err() {
        let _ = tokio::fs::remove_file(&temporary).await;
    }
    result
}
