//! The evaluator worker: genie-core's [`Evaluator`](genie_core::workers::Evaluator)
//! over a Genie client and a warehouse.
//!
//! [`GenieEvaluator`] asks Genie every question in scope (concurrently, bounded by
//! [`Config::concurrency`]), runs each ground truth once and Genie's SQL only after
//! [`genie_core::sql::sanitize`] admitted it, judges every answer with the judges of
//! DESIGN §5 (code forms; model forms with [`JudgeBackend::Llm`]) and builds an
//! [`EvalReport`](genie_core::evaluation::EvalReport) whose failing rows carry a
//! failure type, a blame set and a counterfactual fix. [`compare_reports`],
//! [`report_artifacts`] and [`log_report`] serve the loop around it.
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use genie_core::ports::{GenieApi, Warehouse};
//! # use genie_core::workers::{EvaluationRequest, Evaluator};
//! # async fn demo(genie: Arc<dyn GenieApi>, warehouse: Arc<dyn Warehouse>,
//! #               request: EvaluationRequest) -> Result<(), genie_core::error::WorkerError> {
//! use genie_evaluator::{Config, GenieEvaluator};
//!
//! let evaluator = GenieEvaluator::builder(genie, warehouse)
//!     .config(Config { concurrency: 8, ..Config::default() })
//!     .build();
//! let report = evaluator.evaluate(&request).await?;
//! println!("{:.1}% ({})", report.overall_accuracy, report.denominator());
//! # Ok(())
//! # }
//! ```

mod artifacts;
mod compare_reports;
mod config;
mod contamination;
mod diagnose;
mod error;
mod evaluator;
mod judges;
mod llm;
mod official;
mod run;
mod scope;
mod tracking;

pub use artifacts::{benchmark_corrections, report_artifacts};
pub use compare_reports::{
    ALPHA, QuestionTransition, ReportComparison, Transition, compare_reports, mcnemar_exact,
};
pub use config::{Config, JudgeBackend, Progress};
pub use error::EvaluatorError;
pub use evaluator::{EvaluatorBuilder, GenieEvaluator};
pub use tracking::log_report;
