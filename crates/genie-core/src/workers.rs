//! Worker traits: the targets of the orchestrator's routing table (DESIGN §3).
//!
//! Each worker crate exposes one struct implementing one of these traits. The traits
//! take plain request structs and return domain types, so the orchestrator can hold
//! them as `Arc<dyn …>` and route to them by one table, and so another tool can embed
//! a single worker with its own backends. Workers report failure as a
//! [`WorkerError`](crate::error::WorkerError), which wraps each worker's own error
//! enum; callers that need the detail downcast to it. The applier's `apply` returns an
//! [`ApplyFailure`] instead, which also carries what was done before the failure.
//!
//! - [`Generator`]: benchmark sets ([`GenerateRequest`], [`BenchmarkCorrection`]).
//! - [`Evaluator`]: reports ([`EvaluationRequest`]).
//! - [`Optimizer`]: a [`Proposal`] per lever from a [`ProposalRequest`] — failing
//!   [`TrainFailures`] only, a [`MetadataSnapshot`], a [`LeakageGuard`], the patch
//!   history.
//! - [`Applier`]: [`ApplyRequest`] on the working clone of [`DevSpaces`], rollback,
//!   clones, copies between clones, promotion with a [`PromotionApproval`], bundle
//!   exports.

mod applier;
mod dev_spaces;
mod evaluator;
mod generator;
mod leakage;
mod optimizer;

pub use applier::{
    Applier, ApplyFailure, ApplyRequest, BundleFileChange, BundleVerification, BundleWrite,
    CleanUp, CloneRequest, ClonedSpace, CopyRecord, DeployAttempt, DeployRecord, DeployRequest,
    DeployStep, ExportRequest, RollbackRequest, UcWrites,
};
pub use dev_spaces::{
    DevCopy, DevSpace, DevSpaces, DevSpacesError, PromotionApproval, PromotionRecord,
    PromotionRequest,
};
pub use evaluator::{EvaluationRequest, Evaluator};
pub use generator::{BenchmarkCorrection, GenerateRequest, Generator};
pub use leakage::{BenchmarkLeak, LeakageGuard, LeakedPart};
pub use optimizer::{
    FailureCluster, MetadataSnapshot, NotATrainFailure, Optimizer, Proposal, ProposalRequest,
    TrainFailure, TrainFailures,
};
