//! The spaces of a run, with production kept out of every write but promotion.
//!
//! A run reads production and writes two clones: dev-working, which patches go to, and
//! dev-best, which holds the best config so far. [`DevSpaces`] holds the three ids and
//! refuses to exist when a clone *is* production, so every applier call that takes it
//! can only name a clone. Production is written by
//! [`Applier::promote_to_production`](super::Applier::promote_to_production) alone,
//! which needs a [`PromotionApproval`] — a value nothing makes implicitly (it has no
//! `Default`, no `Deserialize`).

use serde::{Deserialize, Serialize};

use crate::canonical::ContentHash;
use crate::patch::ApplyBase;
use crate::space::{ConfigDiff, SpaceId};

/// Production and its two clones, all different.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "DevSpacesFields")]
pub struct DevSpaces {
    production: SpaceId,
    best: SpaceId,
    working: SpaceId,
}

/// [`DevSpaces`] as written, checked when read.
#[derive(Deserialize)]
struct DevSpacesFields {
    production: SpaceId,
    best: SpaceId,
    working: SpaceId,
}

impl TryFrom<DevSpacesFields> for DevSpaces {
    type Error = DevSpacesError;

    fn try_from(fields: DevSpacesFields) -> Result<Self, Self::Error> {
        Self::new(fields.production, fields.best, fields.working)
    }
}

/// Why three ids are not a run's spaces.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DevSpacesError {
    /// A clone is the production space.
    #[error("dev space `{0}` is the production space; a run writes clones only")]
    IsProduction(SpaceId),
    /// Both clones are one space.
    #[error("dev-best and dev-working are the same space `{0}`")]
    SameSpace(SpaceId),
}

impl DevSpaces {
    /// The run's spaces; refuses a clone that is production, or one space for both
    /// clones.
    pub fn new(
        production: SpaceId,
        best: SpaceId,
        working: SpaceId,
    ) -> Result<Self, DevSpacesError> {
        for clone in [&best, &working] {
            if *clone == production {
                return Err(DevSpacesError::IsProduction(clone.clone()));
            }
        }
        if best == working {
            return Err(DevSpacesError::SameSpace(best));
        }
        Ok(Self {
            production,
            best,
            working,
        })
    }

    /// The production space (read only during a run).
    pub fn production(&self) -> &SpaceId {
        &self.production
    }

    /// The clone `which` names.
    pub fn get(&self, which: DevSpace) -> &SpaceId {
        match which {
            DevSpace::Best => &self.best,
            DevSpace::Working => &self.working,
        }
    }

    /// The clone holding the best config so far.
    pub fn best(&self) -> &SpaceId {
        &self.best
    }

    /// The clone patches are applied to.
    pub fn working(&self) -> &SpaceId {
        &self.working
    }
}

/// One of the two clones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DevSpace {
    /// The best config so far.
    Best,
    /// Where patches are applied.
    Working,
}

/// A copy of one clone's config onto the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DevCopy {
    /// Keep: dev-working's config becomes dev-best's.
    WorkingToBest,
    /// Reset: dev-best's config becomes dev-working's (after a failed rollback, or to
    /// start a lever-6 candidate from the best).
    BestToWorking,
}

impl DevCopy {
    /// The clone copied from.
    pub fn from(self) -> DevSpace {
        match self {
            Self::WorkingToBest => DevSpace::Working,
            Self::BestToWorking => DevSpace::Best,
        }
    }

    /// The clone copied onto.
    pub fn to(self) -> DevSpace {
        match self {
            Self::WorkingToBest => DevSpace::Best,
            Self::BestToWorking => DevSpace::Working,
        }
    }
}

/// Someone's explicit decision to write a config to production.
///
/// Made only by [`PromotionApproval::given_by`]: the orchestrator makes one when the
/// user passed `--promote` (or approved interactively), never from a file or a default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromotionApproval {
    approved_by: String,
}

impl PromotionApproval {
    /// An approval given by `who` (a user name, or `--promote` on a command line).
    pub fn given_by(who: impl Into<String>) -> Self {
        Self {
            approved_by: who.into(),
        }
    }

    /// Who approved.
    pub fn approved_by(&self) -> &str {
        &self.approved_by
    }
}

/// What to promote, and the approval to do it.
#[derive(Debug, Clone, PartialEq)]
pub struct PromotionRequest {
    /// The run's spaces.
    pub spaces: DevSpaces,
    /// The clone whose config goes to production (normally dev-best).
    pub from: DevSpace,
    /// The hash of the config that was reviewed: the clone must still hold exactly it.
    pub approved_config_hash: ContentHash,
    /// Production as the run read it at the start: if someone changed it since, the
    /// promotion is refused rather than overwriting their change.
    pub production_base: ApplyBase,
    /// The approval.
    pub approval: PromotionApproval,
    /// Now, in milliseconds since the Unix epoch.
    pub now_ms: u64,
}

/// What a promotion did (kept in the session, so it can be reported and undone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionRecord {
    /// The production space.
    pub production: SpaceId,
    /// Its config's hash before.
    pub config_hash_before: ContentHash,
    /// Its config's hash after (the approved hash).
    pub config_hash_after: ContentHash,
    /// Who approved.
    pub approved_by: String,
    /// When, in milliseconds since the Unix epoch.
    pub promoted_at_ms: u64,
    /// The field-level change to production, as shown before writing.
    pub diff: ConfigDiff,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> SpaceId {
        SpaceId::new(text)
    }

    #[test]
    fn a_clone_cannot_be_production() {
        assert_eq!(
            DevSpaces::new(id("p"), id("p"), id("w")),
            Err(DevSpacesError::IsProduction(id("p")))
        );
        assert_eq!(
            DevSpaces::new(id("p"), id("b"), id("p")),
            Err(DevSpacesError::IsProduction(id("p")))
        );
        assert_eq!(
            DevSpaces::new(id("p"), id("d"), id("d")),
            Err(DevSpacesError::SameSpace(id("d")))
        );
        let spaces = DevSpaces::new(id("p"), id("b"), id("w")).unwrap();
        assert_eq!(spaces.get(DevCopy::WorkingToBest.to()), &id("b"));
        assert_eq!(spaces.get(DevCopy::WorkingToBest.from()), &id("w"));
        assert_eq!(spaces.production(), &id("p"));
    }

    #[test]
    fn reading_spaces_back_checks_them_again() {
        let spaces = DevSpaces::new(id("p"), id("b"), id("w")).unwrap();
        let json = serde_json::to_value(&spaces).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"production": "p", "best": "b", "working": "w"})
        );
        assert_eq!(serde_json::from_value::<DevSpaces>(json).unwrap(), spaces);
        let forged = serde_json::json!({"production": "p", "best": "b", "working": "p"});
        let error = serde_json::from_value::<DevSpaces>(forged).unwrap_err();
        assert!(error.to_string().contains("production space"), "{error}");
    }

    #[test]
    fn an_approval_names_who_gave_it() {
        assert_eq!(
            PromotionApproval::given_by("--promote").approved_by(),
            "--promote"
        );
    }
}
