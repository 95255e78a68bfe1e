//! [`GenieApplier`]: the [`Applier`] over a Genie client, a warehouse and a bundle.

use std::sync::Arc;

use async_trait::async_trait;
use genie_core::canonical::ContentHash;
use genie_core::error::WorkerError;
use genie_core::patch::ApplyLog;
use genie_core::ports::{BundleRepo, GenieApi, Warehouse};
use genie_core::space::{ConfigDiff, SpaceId};
use genie_core::workers::{
    Applier, ApplyFailure, ApplyRequest, BundleWrite, CleanUp, CloneRequest, ClonedSpace,
    CopyRecord, DeployRecord, DeployRequest, DevCopy, DevSpaces, ExportRequest, PromotionRecord,
    PromotionRequest, RollbackRequest,
};

use crate::config::Config;
use crate::journal::Journal;

/// The applier worker (see the [crate] documentation).
pub struct GenieApplier {
    pub(crate) genie: Arc<dyn GenieApi>,
    pub(crate) warehouse: Arc<dyn Warehouse>,
    pub(crate) bundle: Arc<dyn BundleRepo>,
    pub(crate) config: Config,
    pub(crate) journal: Journal,
}

/// Builds a [`GenieApplier`].
pub struct ApplierBuilder {
    genie: Arc<dyn GenieApi>,
    warehouse: Arc<dyn Warehouse>,
    bundle: Arc<dyn BundleRepo>,
    config: Config,
}

impl GenieApplier {
    /// A builder over the spaces API, the warehouse that reads (and, with
    /// [`UcWrites::ExecuteLive`](genie_core::workers::UcWrites::ExecuteLive), writes)
    /// Unity Catalog, and the bundle every change is persisted to.
    pub fn builder(
        genie: Arc<dyn GenieApi>,
        warehouse: Arc<dyn Warehouse>,
        bundle: Arc<dyn BundleRepo>,
    ) -> ApplierBuilder {
        ApplierBuilder {
            genie,
            warehouse,
            bundle,
            config: Config::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }
}

impl ApplierBuilder {
    /// Sets the configuration.
    #[must_use]
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// The applier.
    pub fn build(self) -> GenieApplier {
        GenieApplier {
            journal: Journal::new(self.config.journal_dir.clone()),
            genie: self.genie,
            warehouse: self.warehouse,
            bundle: self.bundle,
            config: self.config,
        }
    }
}

#[async_trait]
impl Applier for GenieApplier {
    async fn apply(&self, request: &ApplyRequest) -> Result<ApplyLog, ApplyFailure> {
        crate::apply::apply(self, request).await
    }

    async fn rollback(&self, request: &RollbackRequest) -> Result<ContentHash, WorkerError> {
        Ok(crate::rollback::rollback(self, request).await?)
    }

    async fn clone_space(&self, request: &CloneRequest) -> Result<ClonedSpace, WorkerError> {
        Ok(crate::spaces::clone_space(self, request).await?)
    }

    async fn copy_config(
        &self,
        spaces: &DevSpaces,
        copy: DevCopy,
    ) -> Result<CopyRecord, WorkerError> {
        Ok(crate::spaces::copy_config(self, spaces, copy).await?)
    }

    async fn diff_spaces(&self, from: &SpaceId, to: &SpaceId) -> Result<ConfigDiff, WorkerError> {
        Ok(crate::spaces::diff_spaces(self, from, to).await?)
    }

    async fn promote_to_production(
        &self,
        request: &PromotionRequest,
    ) -> Result<PromotionRecord, WorkerError> {
        Ok(crate::spaces::promote(self, request).await?)
    }

    async fn export_to_bundle(&self, request: &ExportRequest) -> Result<BundleWrite, WorkerError> {
        Ok(crate::spaces::export(self, request).await?)
    }

    async fn deploy(&self, request: &DeployRequest) -> Result<DeployRecord, WorkerError> {
        Ok(crate::deploy::deploy(self, request).await?)
    }

    async fn clean_up(
        &self,
        spaces: &DevSpaces,
        choice: CleanUp,
    ) -> Result<Vec<SpaceId>, WorkerError> {
        Ok(crate::spaces::clean_up(self, spaces, choice).await?)
    }
}
