//! The crate's errors: why credentials could not be resolved. Each names the file,
//! line, section or variable at fault and never holds a token.

use std::path::PathBuf;

/// Why Databricks credentials could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// Nothing gave a host and a token.
    #[error(
        "no Databricks credentials: pass --host and --token, set DATABRICKS_HOST and \
         DATABRICKS_TOKEN, name a profile of ~/.databrickscfg (--profile or \
         DATABRICKS_CONFIG_PROFILE), or run against the embedded sandbox (--sandbox FIXTURE)"
    )]
    NoCredentials,
    /// A profile was named but the config file does not exist.
    #[error("profile `{profile}` was asked for, but `{path}` does not exist")]
    ConfigFileMissing {
        /// The config file looked for.
        path: PathBuf,
        /// The profile named.
        profile: String,
    },
    /// The config file has no such profile.
    #[error("`{path}` has no profile `[{profile}]` (it has: {})", available.join(", "))]
    ProfileNotFound {
        /// The config file.
        path: PathBuf,
        /// The profile named.
        profile: String,
        /// The profiles it has.
        available: Vec<String>,
    },
    /// The config file is not INI.
    #[error("`{path}` line {line}: {message}")]
    MalformedConfig {
        /// The config file.
        path: PathBuf,
        /// The 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A file could not be read.
    #[error("cannot read `{path}`: {message}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// A profile gives no host.
    #[error("profile `[{profile}]` of `{path}` has no `host`")]
    ProfileWithoutHost {
        /// The config file.
        path: PathBuf,
        /// The profile.
        profile: String,
    },
    /// A host came without a token (only personal access tokens are supported).
    #[error(
        "a host (`{host}`, from {source_name}) but no token: set DATABRICKS_TOKEN, pass \
         --token, or add `token = …` to the profile"
    )]
    MissingToken {
        /// The host found.
        host: String,
        /// Where the host came from.
        source_name: String,
    },
    /// `databricks.yml` is not valid YAML of the bundle shape.
    #[error("`{path}`: {message}")]
    MalformedBundle {
        /// The bundle file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The bundle has no such target.
    #[error("`{path}` has no target `{target}` (it has: {})", available.join(", "))]
    BundleTargetNotFound {
        /// The bundle file.
        path: PathBuf,
        /// The target named.
        target: String,
        /// The targets it has.
        available: Vec<String>,
    },
}
