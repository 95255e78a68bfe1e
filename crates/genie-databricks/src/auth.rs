//! Credentials, resolved the way the Databricks CLI and SDKs resolve them:
//!
//! 1. explicit flags (`--host`, `--token`, `--profile`);
//! 2. the environment: `DATABRICKS_HOST`, `DATABRICKS_TOKEN`,
//!    `DATABRICKS_CONFIG_PROFILE`, `DATABRICKS_CONFIG_FILE`;
//! 3. a profile of `~/.databrickscfg` (or `DATABRICKS_CONFIG_FILE`): the one named, else
//!    `[__settings__] default_profile`, else `[DEFAULT]`;
//! 4. `workspace.profile` (and `workspace.host`) of a `databricks.yml` in the working
//!    directory or a parent, at the top level or under the selected target.
//!
//! Each of host and token is taken from the first source that has it. A host and token
//! from flags or the environment need no config file, unless a profile is named. A
//! host without a scheme gets `https://`.

mod bundle;
mod config_file;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::AuthError;
use crate::token::Token;
use config_file::ConfigFile;

/// What the user asked for explicitly (command-line flags).
#[derive(Debug, Clone, Default)]
pub struct AuthRequest {
    /// `--host`.
    pub host: Option<String>,
    /// `--token`.
    pub token: Option<Token>,
    /// `--profile`.
    pub profile: Option<String>,
    /// The bundle target whose `workspace` block applies (`--target`).
    pub target: Option<String>,
}

/// The process state resolution reads, passed in so that nothing else reads it and
/// tests control it: environment variables, the home directory, the working directory.
#[derive(Debug, Clone, Default)]
pub struct AuthEnvironment {
    /// Environment variables (only the `DATABRICKS_*` ones are read).
    pub variables: BTreeMap<String, String>,
    /// The home directory (for `~/.databrickscfg`).
    pub home: Option<PathBuf>,
    /// Where `databricks.yml` is looked for first.
    pub working_directory: PathBuf,
}

impl AuthEnvironment {
    /// The current process's environment — the one place that reads it.
    pub fn from_process() -> Self {
        let variables = std::env::vars()
            .filter(|(name, _)| name.starts_with("DATABRICKS_"))
            .collect();
        Self {
            variables,
            home: std::env::home_dir(),
            working_directory: std::env::current_dir().unwrap_or_default(),
        }
    }

    fn variable(&self, name: &str) -> Option<String> {
        self.variables
            .get(name)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    }
}

/// Where credentials came from (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSource {
    /// Flags and/or environment variables.
    Explicit,
    /// A profile of a config file.
    Profile {
        /// The config file.
        path: PathBuf,
        /// The profile.
        profile: String,
    },
}

/// A workspace host and a token to call it with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// `https://…` (or `http://` for a local sandbox), without a trailing `/`.
    pub host: String,
    /// The bearer token.
    pub token: Token,
    /// Where they came from.
    pub source: CredentialSource,
}

/// Resolves credentials for `request` in `environment`.
pub fn resolve(
    request: &AuthRequest,
    environment: &AuthEnvironment,
) -> Result<Credentials, AuthError> {
    let mut host = request
        .host
        .clone()
        .or_else(|| environment.variable("DATABRICKS_HOST"));
    let mut token = request
        .token
        .clone()
        .or_else(|| environment.variable("DATABRICKS_TOKEN").map(Token::new));
    let named = request
        .profile
        .clone()
        .or_else(|| environment.variable("DATABRICKS_CONFIG_PROFILE"));
    if named.is_none()
        && let (Some(host), Some(token)) = (&host, &token)
    {
        return Ok(Credentials {
            host: normalize_host(host),
            token: token.clone(),
            source: CredentialSource::Explicit,
        });
    }
    let config_path = environment
        .variable("DATABRICKS_CONFIG_FILE")
        .map(PathBuf::from)
        .or_else(|| {
            environment
                .home
                .as_ref()
                .map(|home| home.join(".databrickscfg"))
        });
    let config = match &config_path {
        Some(path) if path.is_file() => Some(ConfigFile::parse(path, &read(path)?)?),
        _ => None,
    };
    let bundle = match bundle::find(&environment.working_directory) {
        Some(path) => Some(bundle::workspace(
            &path,
            &read(&path)?,
            request.target.as_deref(),
        )?),
        None => None,
    };
    let profile = match (&named, &config) {
        (Some(name), None) => {
            return Err(AuthError::ConfigFileMissing {
                path: config_path.unwrap_or_else(|| PathBuf::from("~/.databrickscfg")),
                profile: name.clone(),
            });
        }
        (Some(name), Some(_)) => Some(name.clone()),
        (None, Some(config)) => config
            .default_profile()
            .or_else(|| bundle.as_ref().and_then(|b| b.profile.clone())),
        (None, None) => None,
    };
    let mut source = CredentialSource::Explicit;
    if let (Some(profile), Some(config), Some(path)) = (&profile, &config, &config_path) {
        let keys = config
            .profile(profile)
            .ok_or_else(|| AuthError::ProfileNotFound {
                path: path.clone(),
                profile: profile.clone(),
                available: config.profile_names(),
            })?;
        if host.is_none() {
            host =
                Some(
                    keys.get("host")
                        .cloned()
                        .ok_or_else(|| AuthError::ProfileWithoutHost {
                            path: path.clone(),
                            profile: profile.clone(),
                        })?,
                );
            source = CredentialSource::Profile {
                path: path.clone(),
                profile: profile.clone(),
            };
        }
        if token.is_none() {
            token = keys.get("token").cloned().map(Token::new);
        }
    }
    if host.is_none() {
        host = bundle.as_ref().and_then(|bundle| bundle.host.clone());
    }
    let Some(host) = host else {
        return Err(AuthError::NoCredentials);
    };
    let Some(token) = token else {
        return Err(AuthError::MissingToken {
            host: host.clone(),
            source_name: match &source {
                CredentialSource::Explicit => "flags, environment or databricks.yml".to_owned(),
                CredentialSource::Profile { path, profile } => {
                    format!("profile `[{profile}]` of `{}`", path.display())
                }
            },
        });
    };
    Ok(Credentials {
        host: normalize_host(&host),
        token,
        source,
    })
}

/// `adb-1.azuredatabricks.net/` → `https://adb-1.azuredatabricks.net`.
fn normalize_host(host: &str) -> String {
    let host = host.trim().trim_end_matches('/');
    if host.contains("://") {
        host.to_owned()
    } else {
        format!("https://{host}")
    }
}

fn read(path: &Path) -> Result<String, AuthError> {
    std::fs::read_to_string(path).map_err(|error| AuthError::Read {
        path: path.to_owned(),
        message: error.to_string(),
    })
}
