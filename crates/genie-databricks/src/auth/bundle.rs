//! `databricks.yml` (a Databricks Asset Bundle): its `workspace` block, at the top level
//! or under the selected target (`targets.<name>.workspace`, the named target, else the
//! one marked `default: true`), gives a `profile` (and possibly a `host`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::AuthError;

/// The bundle file's name.
pub(crate) const BUNDLE_FILE: &str = "databricks.yml";

/// What a bundle says about the workspace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct BundleWorkspace {
    pub(crate) path: PathBuf,
    pub(crate) profile: Option<String>,
    pub(crate) host: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Bundle {
    workspace: Option<Workspace>,
    #[serde(default)]
    targets: BTreeMap<String, Target>,
}

#[derive(Debug, Default, Deserialize)]
struct Workspace {
    profile: Option<String>,
    host: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Target {
    #[serde(default)]
    default: bool,
    workspace: Option<Workspace>,
}

/// The nearest `databricks.yml` in `directory` or its parents.
pub(crate) fn find(directory: &Path) -> Option<PathBuf> {
    directory
        .ancestors()
        .map(|ancestor| ancestor.join(BUNDLE_FILE))
        .find(|candidate| candidate.is_file())
}

/// The workspace settings of the bundle at `path` (text `text`) for `target`.
pub(crate) fn workspace(
    path: &Path,
    text: &str,
    target: Option<&str>,
) -> Result<BundleWorkspace, AuthError> {
    let bundle: Bundle =
        serde_saphyr::from_str(text).map_err(|error| AuthError::MalformedBundle {
            path: path.to_owned(),
            message: error.to_string(),
        })?;
    let selected = match target {
        Some(name) => {
            Some(
                bundle
                    .targets
                    .get(name)
                    .ok_or_else(|| AuthError::BundleTargetNotFound {
                        path: path.to_owned(),
                        target: name.to_owned(),
                        available: bundle.targets.keys().cloned().collect(),
                    })?,
            )
        }
        None => bundle.targets.values().find(|target| target.default),
    };
    let top = bundle.workspace.unwrap_or_default();
    let chosen = selected.and_then(|target| target.workspace.as_ref());
    Ok(BundleWorkspace {
        path: path.to_owned(),
        profile: chosen.and_then(|w| w.profile.clone()).or(top.profile),
        host: chosen.and_then(|w| w.host.clone()).or(top.host),
    })
}
