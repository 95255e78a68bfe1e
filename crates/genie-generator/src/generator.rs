//! [`BenchmarkGenerator`]: genie-core's [`Generator`] over a [`Warehouse`] (and,
//! optionally, an [`Llm`] for sample questions).

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use genie_core::benchmark::BenchmarkSet;
use genie_core::error::WorkerError;
use genie_core::ports::{ExecuteOptions, Llm, Warehouse};
use genie_core::sql::TemplateVariables;
use genie_core::workers::{BenchmarkCorrection, GenerateRequest, Generator};

use crate::bounded::run_bounded;
use crate::config::Config;
use crate::corrections::{check_corrections, corrected_set};
use crate::error::Error;
use crate::load::{check_extra_p0, mark_p0, template_variables};
use crate::split::split_if_undeclared;
use crate::synthesize::synthesize;
use crate::validate::{Verdict, check_ground_truth, execute_options, validate_all};

/// The benchmark generator: builds a [`BenchmarkSet`] from a benchmark file or from
/// the space itself, and versions it with arbiter corrections (see the crate docs).
///
/// It holds its ports as `Arc<dyn …>` and no other state, so one generator serves any
/// number of concurrent requests.
pub struct BenchmarkGenerator {
    warehouse: Arc<dyn Warehouse>,
    llm: Option<Arc<dyn Llm>>,
    config: Config,
}

impl BenchmarkGenerator {
    /// A generator running ground truths on `warehouse`, with no language model.
    /// Fails with [`Error::InvalidConfig`] listing every problem of `config`.
    pub fn new(warehouse: Arc<dyn Warehouse>, config: Config) -> Result<Self, Error> {
        let problems = config.validate();
        if !problems.is_empty() {
            return Err(Error::InvalidConfig { problems });
        }
        Ok(Self {
            warehouse,
            llm: None,
            config,
        })
    }

    /// This generator with a language model, which writes the SQL of the space's
    /// sample questions during synthesis.
    #[must_use]
    pub fn with_llm(mut self, llm: Arc<dyn Llm>) -> Self {
        self.llm = Some(llm);
        self
    }

    /// The settings in use.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// [`Generator::generate`] with this crate's [`Error`].
    pub async fn generate_set(&self, request: &GenerateRequest) -> Result<BenchmarkSet, Error> {
        let options = self.execute_options();
        let (candidates, mut excluded, variables) = if let Some(file) = &request.file {
            check_extra_p0(
                file.benchmarks.iter().map(|b| b.id.as_str()),
                &request.extra_p0,
            )?;
            let variables = template_variables(Some(file), &self.config.template_variables);
            (file.benchmarks.clone(), Vec::new(), variables)
        } else {
            let synthesis = synthesize(
                &self.warehouse,
                self.llm.as_ref(),
                &request.config,
                &self.config,
                &options,
            )
            .await?;
            check_extra_p0(
                synthesis
                    .candidates
                    .iter()
                    .map(|b| b.id.as_str())
                    .chain(synthesis.excluded.iter().map(|e| e.id.as_str())),
                &request.extra_p0,
            )?;
            let variables = template_variables(None, &self.config.template_variables);
            (synthesis.candidates, synthesis.excluded, variables)
        };
        let validated = validate_all(
            &self.warehouse,
            candidates,
            &variables,
            &options,
            self.config.concurrency,
            request.keep_invalid,
        )
        .await?;
        excluded.extend(validated.excluded);
        let mut benchmarks = validated.kept;
        if benchmarks.is_empty() {
            return Err(Error::NoValidBenchmarks {
                excluded: excluded.len(),
                first_reason: excluded
                    .first()
                    .map(|e| format!("`{}`: {}", e.id, e.reason)),
            });
        }
        mark_p0(&mut benchmarks, &request.extra_p0);
        let held_out = split_if_undeclared(&mut benchmarks, self.config.holdout_fraction);
        let domain = request
            .domain
            .clone()
            .or_else(|| request.file.as_ref().and_then(|file| file.domain.clone()));
        let set = BenchmarkSet::new(domain, benchmarks, excluded);
        tracing::info!(
            dataset = %set.dataset_name,
            space = %request.space_id,
            questions = set.benchmarks.len(),
            excluded = set.excluded.len(),
            held_out_assigned = held_out,
            synthesized = request.file.is_none(),
            "benchmark set built"
        );
        Ok(set)
    }

    /// [`Generator::apply_corrections`] with this crate's [`Error`]: every corrected
    /// SQL must validate like a ground truth (sanitized, executed, non-empty), or
    /// nothing is corrected.
    pub async fn correct_set(
        &self,
        set: &BenchmarkSet,
        corrections: &[BenchmarkCorrection],
    ) -> Result<BenchmarkSet, Error> {
        check_corrections(set, corrections, self.config.min_corrections)?;
        let options = self.execute_options();
        let checks = run_bounded(
            corrections.to_vec(),
            self.config.concurrency,
            |correction| {
                let warehouse = Arc::clone(&self.warehouse);
                let options = options.clone();
                async move {
                    let verdict = check_ground_truth(
                        warehouse.as_ref(),
                        &correction.corrected_sql,
                        &TemplateVariables::default(),
                        &options,
                    )
                    .await;
                    (correction.id, verdict)
                }
            },
        )
        .await;
        let mut validated_sql = BTreeMap::new();
        for (id, verdict) in checks {
            match verdict {
                Ok(Verdict::Valid(sql)) => {
                    validated_sql.insert(id, sql);
                }
                Ok(Verdict::Invalid { reason, .. }) => {
                    return Err(Error::InvalidCorrection { id, reason });
                }
                Err(source) => return Err(Error::Warehouse { id, source }),
            }
        }
        let corrected = corrected_set(set, &validated_sql);
        tracing::info!(
            from = %set.dataset_name,
            to = %corrected.dataset_name,
            corrections = corrections.len(),
            "benchmark set corrected"
        );
        Ok(corrected)
    }

    fn execute_options(&self) -> ExecuteOptions {
        execute_options(
            self.config.validation_row_limit,
            self.config.statement_timeout_ms,
        )
    }
}

impl std::fmt::Debug for BenchmarkGenerator {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("BenchmarkGenerator")
            .field("llm", &self.llm.is_some())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl Generator for BenchmarkGenerator {
    async fn generate(&self, request: &GenerateRequest) -> Result<BenchmarkSet, WorkerError> {
        Ok(self.generate_set(request).await?)
    }

    async fn apply_corrections(
        &self,
        set: &BenchmarkSet,
        corrections: &[BenchmarkCorrection],
    ) -> Result<BenchmarkSet, WorkerError> {
        Ok(self.correct_set(set, corrections).await?)
    }
}
