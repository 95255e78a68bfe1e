//! The apply log: what applying a patch set did to one space (and to Unity Catalog),
//! so rollback is exact and clean-up after a failure knows what was done.

use serde::{Deserialize, Serialize};

use super::apply::{PatchChange, PatchEffect};
use super::inverse::{RestoreError, restore_space};
use super::set::Patch;
use crate::canonical::ContentHash;
use crate::space::{SpaceConfig, SpaceId};
use crate::workers::BundleWrite;

/// A Unity Catalog statement and its inverse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DdlChange {
    /// The statement applied.
    pub forward: String,
    /// The statement that restores the prior state.
    pub inverse: String,
}

/// What a space's config was when a patch set was planned against it: the applier
/// refuses to apply onto anything else.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyBase {
    /// The config's content hash.
    pub config_hash: ContentHash,
    /// The space's etag when read, for the update's optimistic concurrency.
    pub etag: Option<String>,
}

/// How a Unity Catalog change took effect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "write", rename_all = "snake_case")]
pub enum UcWrite {
    /// The statement ran on the warehouse: every space over the object, production
    /// included, sees the change now.
    Executed,
    /// The statement was written to a bundle file, not run.
    Emitted {
        /// The file's path in the bundle.
        path: String,
    },
}

/// One patch that took effect.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppliedPatch {
    /// The patch.
    pub patch: Patch,
    /// What it changed: before and after, config hashes, the inverse or the DDL and its
    /// inverse.
    pub change: PatchChange,
    /// For a Unity Catalog patch, how it took effect.
    pub uc_write: Option<UcWrite>,
}

/// The record of applying one patch set to one space; rollback reads it backwards.
///
/// `applied` lists only what took effect, in that order: an applier that fails half
/// way returns the log so far (see
/// [`ApplyFailure`](crate::workers::ApplyFailure)), and rolling that back undoes
/// exactly what was done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplyLog {
    /// The space changed (a dev-working copy).
    pub space_id: SpaceId,
    /// The patch set's hash.
    pub patch_set_hash: ContentHash,
    /// What the set was planned against.
    pub base: ApplyBase,
    /// The config's hash before applying (rollback must restore exactly this).
    pub config_hash_before: ContentHash,
    /// The config's hash after what took effect.
    pub config_hash_after: ContentHash,
    /// When, in milliseconds since the Unix epoch (passed in by the caller).
    pub applied_at_ms: u64,
    /// What took effect, in order.
    pub applied: Vec<AppliedPatch>,
    /// The bundle files written for the set (`None`: none yet, or no bundle).
    #[serde(default)]
    pub bundle: Option<BundleWrite>,
}

impl ApplyLog {
    /// The Unity Catalog objects changed live: shared with every space over them,
    /// production included, until rolled back.
    pub fn shared_objects(&self) -> Vec<&str> {
        self.applied
            .iter()
            .filter(|applied| applied.uc_write == Some(UcWrite::Executed))
            .filter_map(|applied| match &applied.change.effect {
                PatchEffect::UnityCatalog { object, .. } => Some(object.as_str()),
                PatchEffect::Space { .. } => None,
            })
            .collect()
    }

    /// The statements that undo the live Unity Catalog changes, last change first.
    pub fn inverse_statements(&self) -> Vec<&str> {
        self.applied
            .iter()
            .rev()
            .filter(|applied| applied.uc_write == Some(UcWrite::Executed))
            .filter_map(|applied| applied.change.ddl())
            .map(|ddl| ddl.inverse.as_str())
            .collect()
    }

    /// The config rollback writes back: `current` (which must be the config the log
    /// left, `config_hash_after`) with every space change undone, last first. Its hash
    /// is `config_hash_before`, or this is an error.
    pub fn restored_config(&self, current: &SpaceConfig) -> Result<SpaceConfig, RestoreError> {
        let found = current.content_hash();
        if found != self.config_hash_after {
            return Err(RestoreError::UnexpectedCurrent {
                expected: self.config_hash_after.to_string(),
                found: found.to_string(),
            });
        }
        let restored = restore_space(
            current,
            self.applied
                .iter()
                .filter_map(|applied| applied.change.space_inverse()),
        )?;
        let hash = restored.content_hash();
        if hash != self.config_hash_before {
            return Err(RestoreError::HashMismatch {
                expected: self.config_hash_before.to_string(),
                restored: hash.to_string(),
            });
        }
        Ok(restored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{CatalogSnapshot, CatalogTable};
    use crate::patch::{PatchOp, PatchSet, Risk, UcObject, apply_patch_set};
    use crate::space::TableConfig;
    use crate::taxonomy::Lever;

    fn patch(op: PatchOp) -> Patch {
        Patch {
            lever: op.natural_lever(),
            op,
            risk: Risk::Medium,
            rationale: String::new(),
            fixes: Vec::new(),
            cluster: None,
        }
    }

    /// A log as an applier would write it: the space update, then the comment run live
    /// and the tag only emitted.
    fn log() -> (SpaceConfig, ApplyLog, SpaceConfig) {
        let mut config = SpaceConfig::default();
        config.tables_mut().push(TableConfig::new("main.s.t"));
        let mut catalog = CatalogSnapshot::default();
        catalog.tables.insert(
            "main.s.t".to_owned(),
            CatalogTable {
                identifier: "main.s.t".to_owned(),
                table_type: "MANAGED".to_owned(),
                comment: None,
                columns: Vec::new(),
                tags: std::collections::BTreeMap::new(),
                properties: None,
                view_definition: None,
            },
        );
        let set = PatchSet {
            lever: Lever::UcMetadata,
            patches: vec![
                patch(PatchOp::SetTableDescription {
                    target: "main.s.t".to_owned(),
                    value: "The t.".to_owned(),
                }),
                patch(PatchOp::SetUcComment {
                    target: UcObject::Table {
                        identifier: "main.s.t".to_owned(),
                    },
                    value: "The t".to_owned(),
                }),
                patch(PatchOp::SetUcTag {
                    target: UcObject::Table {
                        identifier: "main.s.t".to_owned(),
                    },
                    key: "k".to_owned(),
                    value: "v".to_owned(),
                }),
            ],
        };
        let application = apply_patch_set(&config, &catalog, &set, 1).unwrap();
        let writes = [
            None,
            Some(UcWrite::Executed),
            Some(UcWrite::Emitted {
                path: "gold_layer_design/yaml/retail/t.yaml".to_owned(),
            }),
        ];
        let log = ApplyLog {
            space_id: SpaceId::new("working"),
            patch_set_hash: set.content_hash(),
            base: ApplyBase {
                config_hash: application.config_hash_before.clone(),
                etag: Some("e1".to_owned()),
            },
            config_hash_before: application.config_hash_before.clone(),
            config_hash_after: application.config_hash_after.clone(),
            applied_at_ms: 1,
            applied: set
                .patches
                .iter()
                .zip(&application.changes)
                .zip(writes)
                .map(|((patch, change), uc_write)| AppliedPatch {
                    patch: patch.clone(),
                    change: change.clone(),
                    uc_write,
                })
                .collect(),
            bundle: None,
        };
        (config, log, application.config)
    }

    #[test]
    fn a_log_restores_the_config_and_names_what_ran_live() {
        let (original, log, applied) = log();
        let restored = log.restored_config(&applied).unwrap();
        assert_eq!(restored.to_json(), original.canonicalized().to_json());
        assert_eq!(log.shared_objects(), ["main.s.t"]);
        assert_eq!(
            log.inverse_statements(),
            ["COMMENT ON TABLE `main`.`s`.`t` IS NULL"]
        );
        let read: ApplyLog = serde_json::from_str(&serde_json::to_string(&log).unwrap()).unwrap();
        assert_eq!(read, log);
    }

    #[test]
    fn rollback_refuses_a_config_the_log_did_not_leave() {
        let (original, log, _) = log();
        let error = log.restored_config(&original).unwrap_err();
        assert!(
            matches!(error, RestoreError::UnexpectedCurrent { .. }),
            "{error}"
        );
    }
}
