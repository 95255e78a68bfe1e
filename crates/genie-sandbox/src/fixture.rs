//! Fixture directories: `schema.sql` (the data, with any CSV files it copies from) and
//! `space.json` (the production space).

use std::path::{Path, PathBuf};

use genie_core::canonical::ContentHash;
use genie_core::space::{SpaceConfig, SpaceDocument};

use crate::engine::{Engine, EngineError};
use crate::server::SeedSpace;

/// Why a fixture directory could not be loaded; each names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FixtureError {
    /// A file could not be read.
    #[error("cannot read `{path}`")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// `schema.sql` is malformed or failed to load.
    #[error("cannot load `{path}`")]
    Schema {
        /// The file.
        path: PathBuf,
        /// Why.
        source: EngineError,
    },
    /// `space.json` is malformed.
    #[error("`{path}`: {message}")]
    Space {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

/// A loaded fixture: its engine and its production space.
#[derive(Debug)]
pub struct Fixture {
    /// The fixture's name (its directory's name).
    pub name: String,
    /// The engine holding `schema.sql`'s data.
    pub engine: Engine,
    /// The production space from `space.json`, with its stable id.
    pub production: SeedSpace,
}

impl Fixture {
    /// Loads `directory/schema.sql` and `directory/space.json`.
    pub async fn load(directory: &Path) -> Result<Self, FixtureError> {
        let name = directory
            .canonicalize()
            .ok()
            .and_then(|path| {
                path.file_name()
                    .map(|name| name.to_string_lossy().into_owned())
            })
            .unwrap_or_else(|| "fixture".to_owned());
        let schema_path = directory.join("schema.sql");
        let engine = Engine::from_schema_file(&schema_path)
            .await
            .map_err(|source| FixtureError::Schema {
                path: schema_path,
                source,
            })?;
        let space_path = directory.join("space.json");
        let config: SpaceConfig = SpaceDocument::parse(&read(&space_path)?)
            .map_err(|error| FixtureError::Space {
                path: space_path.clone(),
                message: error.to_string(),
            })?
            .into_config();
        if let Some(problem) = config
            .validate()
            .into_iter()
            .find(genie_core::space::Problem::is_rejected_by_api)
        {
            return Err(FixtureError::Space {
                path: space_path,
                message: problem.to_string(),
            });
        }
        let production = SeedSpace {
            space_id: production_space_id(&name),
            title: format!("{name} (production)"),
            config,
        };
        Ok(Self {
            name,
            engine,
            production,
        })
    }
}

/// The production space's id: stable for a fixture name, 32 lowercase hex digits.
pub fn production_space_id(fixture_name: &str) -> String {
    ContentHash::of_bytes(format!("genie-sandbox production space {fixture_name}").as_bytes())
        .as_str()[..32]
        .to_owned()
}

fn read(path: &Path) -> Result<String, FixtureError> {
    std::fs::read_to_string(path).map_err(|source| FixtureError::Read {
        path: path.to_owned(),
        source,
    })
}
