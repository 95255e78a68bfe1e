//! [`FileBundleRepo`]: the [`BundleRepo`] port over a directory, usually a git
//! checkout of the team's Databricks Asset Bundle.

use std::path::{Component, Path, PathBuf};

use async_trait::async_trait;
use genie_core::error::{PortError, PortErrorKind};
use genie_core::ports::BundleRepo;
use tokio::process::Command;

use crate::journal::write_atomic;

/// A bundle on the local filesystem.
///
/// Writes are atomic (a temporary file beside the target, flushed, then renamed onto
/// it). [`BundleRepo::diff`] is `git diff HEAD` of the directory plus every untracked
/// file as a new one, with paths relative to the directory; outside a git repository
/// it fails with [`PortErrorKind::NotFound`], which the applier reports as "written,
/// not verified".
#[derive(Debug, Clone)]
pub struct FileBundleRepo {
    root: PathBuf,
}

impl FileBundleRepo {
    /// The bundle rooted at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn full(&self, path: &str) -> Result<PathBuf, PortError> {
        let relative = Path::new(path);
        let plain = !path.is_empty()
            && relative
                .components()
                .all(|component| matches!(component, Component::Normal(_)));
        if !plain {
            return Err(PortError::new(
                PortErrorKind::InvalidRequest,
                format!("bundle path `{path}` is not a relative path inside the bundle"),
            ));
        }
        Ok(self.root.join(relative))
    }

    async fn git(&self, arguments: &[&str]) -> Result<std::process::Output, PortError> {
        Command::new("git")
            .arg("-C")
            .arg(&self.root)
            .args(arguments)
            .env("GIT_PAGER", "cat")
            .output()
            .await
            .map_err(|error| {
                PortError::new(
                    PortErrorKind::NotFound,
                    format!(
                        "cannot run `git` to verify the bundle `{}`: {error}",
                        self.root.display()
                    ),
                )
            })
    }
}

fn io_error(action: &str, path: &Path, error: &std::io::Error) -> PortError {
    PortError::new(
        PortErrorKind::Other,
        format!("cannot {action} `{}`: {error}", path.display()),
    )
}

/// The hash of git's empty tree: what a repository without commits is diffed against.
const EMPTY_TREE: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

#[async_trait]
impl BundleRepo for FileBundleRepo {
    async fn read(&self, path: &str) -> Result<Option<Vec<u8>>, PortError> {
        let full = self.full(path)?;
        match tokio::fs::read(&full).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(io_error("read", &full, &error)),
        }
    }

    async fn write(&self, path: &str, content: &[u8]) -> Result<(), PortError> {
        let full = self.full(path)?;
        write_atomic(&full, content)
            .await
            .map_err(|error| io_error("write", &full, &error))
    }

    async fn remove(&self, path: &str) -> Result<(), PortError> {
        let full = self.full(path)?;
        match tokio::fs::remove_file(&full).await {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(error) => Err(io_error("remove", &full, &error)),
        }
    }

    async fn diff(&self) -> Result<String, PortError> {
        let inside = self.git(&["rev-parse", "--is-inside-work-tree"]).await?;
        if !inside.status.success() {
            return Err(PortError::new(
                PortErrorKind::NotFound,
                format!("`{}` is not inside a git repository", self.root.display()),
            ));
        }
        let has_head = self
            .git(&["rev-parse", "--verify", "--quiet", "HEAD"])
            .await?
            .status
            .success();
        let base = if has_head { "HEAD" } else { EMPTY_TREE };
        let tracked = self
            .git(&[
                "diff",
                "--no-color",
                "--no-ext-diff",
                "--relative",
                base,
                "--",
                ".",
            ])
            .await?;
        if !tracked.status.success() {
            return Err(PortError::new(
                PortErrorKind::Other,
                format!(
                    "`git diff` failed in `{}`: {}",
                    self.root.display(),
                    String::from_utf8_lossy(&tracked.stderr).trim()
                ),
            ));
        }
        let mut diff = String::from_utf8_lossy(&tracked.stdout).into_owned();
        let untracked = self
            .git(&[
                "ls-files",
                "--others",
                "--exclude-standard",
                "-z",
                "--",
                ".",
            ])
            .await?;
        for file in String::from_utf8_lossy(&untracked.stdout)
            .split('\0')
            .filter(|file| !file.is_empty())
        {
            let new = Command::new("git")
                .current_dir(&self.root)
                .args([
                    "diff",
                    "--no-color",
                    "--no-ext-diff",
                    "--no-index",
                    "--",
                    "/dev/null",
                    file,
                ])
                .env("GIT_PAGER", "cat")
                .output()
                .await
                .map_err(|error| {
                    PortError::new(
                        PortErrorKind::Other,
                        format!("cannot run `git diff --no-index`: {error}"),
                    )
                })?;
            diff.push_str(&String::from_utf8_lossy(&new.stdout));
        }
        Ok(diff)
    }
}
