//! The benchmark generator worker: genie-core's [`Generator`] trait.
//!
//! [`BenchmarkGenerator`] turns a user's benchmark file — or, without one, the space's
//! own metadata — into a [`BenchmarkSet`] the evaluator can trust:
//!
//! - **load**: `${catalog}` / `${gold_schema}` (and any other `${name}`) resolved from
//!   the file and [`Config::template_variables`]; `extra_p0` ids marked P0 (an unknown
//!   id is an error naming it);
//! - **validate**: every ground truth sanitized and executed on the [`Warehouse`],
//!   [`Config::concurrency`] at a time; one that fails or returns no rows is excluded
//!   with the engine's message (kept when `keep_invalid`);
//! - **split**: declared splits kept; a set without any `held_out` question gets a
//!   deterministic split stratified by category ([`Config::holdout_fraction`]);
//! - **synthesize** (no file): the space's example question SQLs, its sample questions
//!   (only with an [`Llm`]) and questions templated over its tables (row counts, top-N
//!   by categorical columns, totals of numeric columns), all labelled
//!   [`BenchmarkSource::Synthesized`] and validated the same way;
//! - **correct**: at least [`Config::min_corrections`] arbiter corrections make a new
//!   set version (`…@v2`), which [`write_corrected_file`] saves next to the original.
//!
//! ```no_run
//! use std::sync::Arc;
//! use genie_core::ports::Warehouse;
//! use genie_core::workers::{GenerateRequest, Generator};
//! use genie_generator::{BenchmarkGenerator, Config};
//!
//! # async fn demo(warehouse: Arc<dyn Warehouse>, request: GenerateRequest)
//! # -> Result<(), Box<dyn std::error::Error>> {
//! let generator = BenchmarkGenerator::new(warehouse, Config::default())?;
//! let set = generator.generate(&request).await?;
//! tracing::info!(dataset = %set.dataset_name, questions = set.benchmarks.len(), excluded = set.excluded.len());
//! # Ok(())
//! # }
//! ```
//!
//! [`Generator`]: genie_core::workers::Generator
//! [`BenchmarkSet`]: genie_core::benchmark::BenchmarkSet
//! [`BenchmarkSource::Synthesized`]: genie_core::benchmark::BenchmarkSource::Synthesized
//! [`Warehouse`]: genie_core::ports::Warehouse
//! [`Llm`]: genie_core::ports::Llm

mod bounded;
mod columns;
mod config;
mod corrections;
mod error;
mod examples;
mod generator;
mod ids;
mod load;
mod samples;
mod split;
mod synthesize;
mod templates;
mod validate;
mod yaml;

pub use config::Config;
pub use error::Error;
pub use generator::BenchmarkGenerator;
pub use yaml::write_corrected_file;
