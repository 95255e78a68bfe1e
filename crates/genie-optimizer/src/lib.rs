//! The optimizer worker: genie-core's [`Optimizer`](genie_core::workers::Optimizer),
//! from failing train rows to a patch set for one lever.
//!
//! [`GenieOptimizer`] reads each failing row's side information (failure types, blame
//! sets, both SQLs), clusters the failures by failure type × blame set (largest
//! first, ids stable across runs), and derives for the requested lever the metadata
//! that names what the ground truths need: value dictionaries and code labels,
//! synonyms and descriptions (lever 1), metric views (2), table functions (3), join
//! specs, snippets, example SQL and instructions (6); levers 4 and 5 answer nothing
//! with the taxonomy's reason. Every candidate passes the guards — not tried before,
//! copying no benchmark (rewritten into the concept or dropped), within the space's
//! budgets, and applied by [`genie_core::patch::apply_patch_set`] — before it is
//! offered. No rule names a schema; see `docs/optimizer.md` for each lever's rules.
//!
//! ```no_run
//! # use genie_core::workers::{Optimizer, Proposal, ProposalRequest};
//! # async fn demo(request: ProposalRequest) -> Result<(), genie_core::error::WorkerError> {
//! use genie_optimizer::{Config, GenieOptimizer};
//!
//! let optimizer = GenieOptimizer::builder()
//!     .config(Config { exclusion_min_failures: 0, ..Config::default() })
//!     .build();
//! match optimizer.propose(&request).await? {
//!     Proposal::Patches { patch_set, .. } => println!("{} patches", patch_set.patches.len()),
//!     Proposal::Nothing { reason } => println!("nothing: {reason}"),
//! }
//! # Ok(())
//! # }
//! ```
//!
//! A held-out row cannot reach it: the request's rows are
//! [`TrainFailures`](genie_core::workers::TrainFailures), which refuse them.
//!
//! ```compile_fail
//! # use genie_core::evaluation::EvaluationRow;
//! # fn demo(row: EvaluationRow) {
//! // A plain row is not a train failure: the request cannot be built from it.
//! let failures: genie_core::workers::TrainFailures = vec![row].into_iter().collect();
//! # }
//! ```

mod config;
mod error;
mod evidence;
mod guards;
mod levers;
mod model;
mod optimizer;
mod search;
mod shape;
mod words;

pub use config::Config;
pub use error::OptimizerError;
pub use guards::{LeakageAction, LeakageOutcome, Skipped};
pub use optimizer::{GenieOptimizer, OptimizerBuilder, ProposalReport};
pub use search::{FrontierEntry, SearchOutcome, SliceEvaluator};
