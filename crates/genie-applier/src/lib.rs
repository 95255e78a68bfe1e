//! The applier worker: genie-core's [`Applier`](genie_core::workers::Applier) over the
//! Genie spaces API, a warehouse and a bundle.
//!
//! [`GenieApplier`] applies a patch set to the run's working clone all or nothing: the
//! whole result is computed first by [`genie_core::patch::apply_patch_set`], the config
//! is written once with the etag it was read with and waited for, Unity Catalog
//! statements are emitted to bundle files (or run, with
//! [`UcWrites::ExecuteLive`](genie_core::workers::UcWrites::ExecuteLive)), every change
//! is written to the bundle and verified by its `git diff`, and a failure at any step
//! undoes the steps before it. [`rollback`](genie_core::workers::Applier::rollback)
//! restores the exact config, Unity Catalog state and bundle files from the log.
//! Production is only ever written by
//! [`promote_to_production`](genie_core::workers::Applier::promote_to_production).
//! [`FileBundleRepo`] is the bundle on disk; `docs/applier.md` states the guarantees.
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use genie_core::ports::{GenieApi, Warehouse};
//! # use genie_core::workers::{Applier, ApplyRequest};
//! # async fn demo(genie: Arc<dyn GenieApi>, warehouse: Arc<dyn Warehouse>,
//! #               request: ApplyRequest) -> Result<(), genie_core::workers::ApplyFailure> {
//! use genie_applier::{Config, FileBundleRepo, GenieApplier};
//!
//! let applier = GenieApplier::builder(genie, warehouse, Arc::new(FileBundleRepo::new("bundle")))
//!     .config(Config { journal_dir: Some("run/journal".into()), ..Config::default() })
//!     .build();
//! let log = applier.apply(&request).await?;
//! println!("{} -> {}", log.config_hash_before.short(), log.config_hash_after.short());
//! # Ok(())
//! # }
//! ```

mod applier;
mod apply;
mod bundle;
mod config;
mod deploy;
mod error;
mod file_repo;
mod journal;
mod remote;
mod rollback;
mod spaces;

pub use applier::{ApplierBuilder, GenieApplier};
pub use config::Config;
pub use error::ApplierError;
pub use file_repo::FileBundleRepo;
