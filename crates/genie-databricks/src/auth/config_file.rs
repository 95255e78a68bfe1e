//! `~/.databrickscfg`: an INI file of profiles (`[DEFAULT]`, `[name]`) with `key =
//! value` lines, and `[__settings__] default_profile = name`.

use std::collections::BTreeMap;
use std::path::Path;

use super::AuthError;

/// The settings section's name.
const SETTINGS: &str = "__settings__";

/// The profiles of a config file, by section name (as written), keys lower case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ConfigFile {
    sections: BTreeMap<String, BTreeMap<String, String>>,
}

impl ConfigFile {
    /// Parses `text`, read from `path` (named in errors).
    pub(crate) fn parse(path: &Path, text: &str) -> Result<Self, AuthError> {
        let mut file = Self::default();
        let mut current: Option<String> = None;
        for (index, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            let malformed = |message: &str| AuthError::MalformedConfig {
                path: path.to_owned(),
                line: index + 1,
                message: message.to_owned(),
            };
            if let Some(name) = line.strip_prefix('[') {
                let name = name
                    .strip_suffix(']')
                    .ok_or_else(|| malformed("a section header must end with `]`"))?
                    .trim();
                if name.is_empty() {
                    return Err(malformed("a section needs a name"));
                }
                file.sections.entry(name.to_owned()).or_default();
                current = Some(name.to_owned());
                continue;
            }
            let (key, value) = line
                .split_once('=')
                .ok_or_else(|| malformed("expected `key = value` or `[section]`"))?;
            let section = current
                .as_ref()
                .ok_or_else(|| malformed("a `key = value` line before any `[section]`"))?;
            file.sections
                .entry(section.clone())
                .or_default()
                .insert(key.trim().to_lowercase(), value.trim().to_owned());
        }
        Ok(file)
    }

    /// The profile `name`'s keys.
    pub(crate) fn profile(&self, name: &str) -> Option<&BTreeMap<String, String>> {
        self.sections.get(name).filter(|_| name != SETTINGS)
    }

    /// The profile used when none is named: `[__settings__] default_profile`, else
    /// `DEFAULT` when it exists.
    pub(crate) fn default_profile(&self) -> Option<String> {
        self.sections
            .get(SETTINGS)
            .and_then(|settings| settings.get("default_profile"))
            .cloned()
            .or_else(|| {
                self.sections
                    .contains_key("DEFAULT")
                    .then(|| "DEFAULT".to_owned())
            })
    }

    /// Every profile's name, for error messages.
    pub(crate) fn profile_names(&self) -> Vec<String> {
        self.sections
            .keys()
            .filter(|name| name.as_str() != SETTINGS)
            .cloned()
            .collect()
    }
}
