//! [`apply_patch_set`]: the one notion of what a patch does.
//!
//! The optimizer's tests, the lever-6 search and the applier all call this function:
//! it applies a [`PatchSet`] to a [`SpaceConfig`] and returns the new config with, for
//! every patch, its exact inverse. It does no I/O, so it only *describes* Unity Catalog
//! changes:
//!
//! - A **space patch** edits the config. Its [`PatchEffect::Space`] holds the
//!   [`SpaceRestore`] that undoes it; [`restore_space`](super::restore_space) over the
//!   changes in reverse order gives back the original config, byte for byte in
//!   canonical form.
//! - A **Unity Catalog patch** (comment, tag, table property, metric view or function
//!   DDL) leaves the config alone. Its [`PatchEffect::UnityCatalog`] holds the statement
//!   to run and the statement that undoes it, written from the prior state in the
//!   [`CatalogSnapshot`], and the bundle file it belongs to. Running or emitting them is
//!   the applier's choice ([`UcWrites`](crate::workers::UcWrites)); later patches of
//!   the set see the change (a metric view created by patch 0 can be added to the space
//!   by patch 1).
//!
//! The set is all or nothing. It is refused, naming the patch and the rule, when the
//! base config breaks a validation rule, when [`PatchSet::check`] finds a conflict, when
//! a patch cannot apply (its target is missing, it would duplicate an item, it changes
//! nothing, its prior state is unknown), or when the config after a patch breaks a
//! validation rule (budgets included, counted by [`SpaceUsage`]). Every intermediate
//! config must be valid: a set that removes an example to make room for another lists
//! the removal first. The input is never changed.
//!
//! New items get ids from `now_ms` and a hash of the set and the patch's index
//! ([`new_id`](crate::space::new_id)): time-ordered, and the same for the same set
//! applied at the same time, so a resumed run re-derives the same config.

mod new_ids;
mod space_ops;
mod uc_ops;

use serde::{Deserialize, Serialize};

use super::inverse::SpaceRestore;
use super::log::DdlChange;
use super::set::{PatchConflict, PatchSet};
use crate::canonical::ContentHash;
use crate::catalog::CatalogSnapshot;
use crate::evaluation::BlameItem;
use crate::ports::BundleFile;
use crate::space::{Problem, SpaceConfig, SpaceUsage};

pub use uc_ops::UcObjectKind;

/// The result of applying a whole set.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchApplication {
    /// The config after every patch, canonical and valid.
    pub config: SpaceConfig,
    /// The canonical base config's hash.
    pub config_hash_before: ContentHash,
    /// [`PatchApplication::config`]'s hash.
    pub config_hash_after: ContentHash,
    /// One change per patch, in the set's order.
    pub changes: Vec<PatchChange>,
    /// The warnings [`SpaceConfig::validate`] reports on the new config (errors refuse
    /// the set).
    pub warnings: Vec<Problem>,
}

/// What one patch changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatchChange {
    /// The patch's index in its set.
    pub index: usize,
    /// The object it changed (what the slice scope looks for).
    pub target: BlameItem,
    /// The changed slot before, as JSON (`None`: absent): a column config, a
    /// description, an item, a comment or tag value, a definition.
    pub before: Option<serde_json::Value>,
    /// The same slot after.
    pub after: Option<serde_json::Value>,
    /// The config's hash before the patch.
    pub config_hash_before: ContentHash,
    /// The config's hash after it (the same for a Unity Catalog patch).
    pub config_hash_after: ContentHash,
    /// The change and its inverse.
    pub effect: PatchEffect,
}

/// A change and how to undo it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PatchEffect {
    /// The space config changed.
    Space {
        /// What undoes it.
        inverse: SpaceRestore,
    },
    /// A Unity Catalog object changes: shared by every space over it, production
    /// included.
    UnityCatalog {
        /// What kind of object.
        object_kind: UcObjectKind,
        /// The object's three-part name (a column's: four parts).
        object: String,
        /// The statement and the one that undoes it.
        ddl: DdlChange,
        /// Where the statement goes when it is emitted rather than run.
        bundle_file: BundleFile,
    },
}

impl PatchChange {
    /// The space inverse, for a space change.
    pub fn space_inverse(&self) -> Option<&SpaceRestore> {
        match &self.effect {
            PatchEffect::Space { inverse } => Some(inverse),
            PatchEffect::UnityCatalog { .. } => None,
        }
    }

    /// The DDL, for a Unity Catalog change.
    pub fn ddl(&self) -> Option<&DdlChange> {
        match &self.effect {
            PatchEffect::Space { .. } => None,
            PatchEffect::UnityCatalog { ddl, .. } => Some(ddl),
        }
    }
}

impl PatchApplication {
    /// The base config again: every space inverse applied in reverse order.
    pub fn restored(&self) -> Result<SpaceConfig, super::RestoreError> {
        super::restore_space(
            &self.config,
            self.changes.iter().filter_map(PatchChange::space_inverse),
        )
    }
}

/// Why a set was refused. Nothing was applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PatchRefusal {
    /// The base config already breaks a rule, so no result could be valid.
    #[error("the space breaks {} validation rule(s) before any patch, first `{}`", problems.len(), problems[0])]
    InvalidBase {
        /// The errors.
        problems: Vec<Problem>,
    },
    /// [`PatchSet::check`] found conflicts.
    #[error("the patch set conflicts: {}", conflicts.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Conflicts {
        /// Every conflict.
        conflicts: Vec<PatchConflict>,
    },
    /// A patch cannot apply to the config as it stands after the patches before it.
    #[error("patch {index} (`{op}`) cannot be applied: {reason}")]
    Inapplicable {
        /// The patch's index.
        index: usize,
        /// Its op's name.
        op: &'static str,
        /// Why.
        reason: Inapplicable,
    },
    /// The config after a patch breaks a validation rule.
    #[error("patch {index} (`{op}`) breaks a validation rule: `{}`", problems[0])]
    Invalid {
        /// The patch's index.
        index: usize,
        /// Its op's name.
        op: &'static str,
        /// Every error of the config after it.
        problems: Vec<Problem>,
    },
}

/// Why one patch cannot apply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Inapplicable {
    /// The space has no such table or metric view.
    #[error("the space has no table or metric view `{0}`")]
    NoSuchDataSource(String),
    /// The column has no config in the space and the catalog snapshot does not list it.
    #[error(
        "`{table}` has no column `{column}` (no column config in the space, none in the \
         catalog snapshot)"
    )]
    NoSuchColumn {
        /// The data source.
        table: String,
        /// The column.
        column: String,
    },
    /// The column has no such synonym.
    #[error("column `{column}` has no synonym `{synonym}`")]
    NoSuchSynonym {
        /// The column.
        column: String,
        /// The synonym.
        synonym: String,
    },
    /// The space has no text instruction with this id.
    #[error("the space has no text instruction `{0}`")]
    NoSuchInstruction(String),
    /// The space has no example SQL with this id.
    #[error("the space has no example SQL `{0}`")]
    NoSuchExample(String),
    /// The item is already there.
    #[error("the space already has {0}")]
    Duplicate(String),
    /// A join spec needs two different data sources.
    #[error("a join spec joins two different data sources, not `{0}` with itself")]
    SelfJoin(String),
    /// The catalog snapshot does not know the object.
    #[error("the catalog snapshot has no {0}")]
    NotInCatalog(String),
    /// The object exists with another kind.
    #[error("`{identifier}` is a `{table_type}`, not a metric view")]
    NotAMetricView {
        /// The object.
        identifier: String,
        /// What it is.
        table_type: String,
    },
    /// The prior state, which the inverse must restore, is unknown.
    #[error("{0} is unknown, so the change could not be undone exactly")]
    PriorUnknown(String),
    /// The two sides of a join spec would get the same alias (their names' last parts).
    #[error("both sides of the join spec would be aliased `{0}`")]
    AmbiguousAlias(String),
    /// A value cannot be written into a statement.
    #[error(transparent)]
    Unquotable(#[from] crate::sql::SqlError),
    /// A function patch's statement does not create the target.
    #[error("the statement must be `CREATE OR REPLACE FUNCTION {target} …`, found `{found}`")]
    NotTheFunction {
        /// The patch's target.
        target: String,
        /// The statement's start.
        found: String,
    },
    /// A value is empty or blank.
    #[error("`{0}` is blank")]
    Blank(&'static str),
    /// The patch would change nothing.
    #[error("it changes nothing: {0}")]
    NoChange(String),
}

/// Applies `set` to `base` (see the module documentation): the new config and every
/// patch's change, or the refusal. `catalog` gives the prior state of Unity Catalog
/// objects (and the columns a space has no config for yet); `now_ms` dates new ids.
pub fn apply_patch_set(
    base: &SpaceConfig,
    catalog: &CatalogSnapshot,
    set: &PatchSet,
    now_ms: u64,
) -> Result<PatchApplication, PatchRefusal> {
    let mut config = base.clone().canonicalized();
    let problems = errors(&config);
    if !problems.is_empty() {
        return Err(PatchRefusal::InvalidBase { problems });
    }
    let conflicts = set.check(&SpaceUsage::of(&config));
    if !conflicts.is_empty() {
        return Err(PatchRefusal::Conflicts { conflicts });
    }
    let mut catalog = catalog.clone();
    let mut ids = new_ids::IdMaker::new(&config, &set.content_hash(), now_ms);
    // The config is canonical from here on, so its plain hash is its content hash.
    let config_hash_before = ContentHash::of(&config);
    let mut hash = config_hash_before.clone();
    let mut changes = Vec::with_capacity(set.patches.len());
    for (index, patch) in set.patches.iter().enumerate() {
        let op = patch.op.name();
        let refuse = |reason| PatchRefusal::Inapplicable { index, op, reason };
        let step = if patch.op.is_uc_change() {
            uc_ops::apply(&mut catalog, &patch.op).map_err(refuse)?
        } else {
            ids.start_patch(index);
            let step =
                space_ops::apply(&mut config, &catalog, &patch.op, &mut ids).map_err(refuse)?;
            config.canonicalize();
            let problems = errors(&config);
            if !problems.is_empty() {
                return Err(PatchRefusal::Invalid {
                    index,
                    op,
                    problems,
                });
            }
            step
        };
        let hash_after = ContentHash::of(&config);
        changes.push(PatchChange {
            index,
            target: patch.op.patched_object(),
            before: step.before,
            after: step.after,
            config_hash_before: hash,
            config_hash_after: hash_after.clone(),
            effect: step.effect,
        });
        hash = hash_after;
    }
    let warnings = config
        .validate()
        .into_iter()
        .filter(|problem| !problem.is_error())
        .collect();
    Ok(PatchApplication {
        config,
        config_hash_before,
        config_hash_after: hash,
        changes,
        warnings,
    })
}

/// What one op did: its effect and the slot before and after.
struct Step {
    effect: PatchEffect,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
}

fn errors(config: &SpaceConfig) -> Vec<Problem> {
    config
        .validate()
        .into_iter()
        .filter(Problem::is_error)
        .collect()
}

/// A value as JSON for [`PatchChange::before`] and [`PatchChange::after`].
fn json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).expect("space and catalog values serialize to JSON")
}

#[cfg(test)]
mod tests;
