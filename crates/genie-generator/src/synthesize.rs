//! Synthesis when there is no benchmark file: candidates from the space's example
//! question SQLs, its sample questions (with a language model only) and templates over
//! its tables, in that order, up to [`Config::max_synthesized`]. Every candidate is
//! labelled [`BenchmarkSource::Synthesized`]; the caller validates them by execution.

use std::collections::BTreeSet;
use std::sync::Arc;

use genie_core::benchmark::{
    AssetType, Benchmark, BenchmarkSource, ExcludedBenchmark, Priority, Split,
};
use genie_core::ports::{ExecuteOptions, Llm, Warehouse};
use genie_core::space::SpaceConfig;

use crate::bounded::run_bounded;
use crate::columns::describe_table;
use crate::config::Config;
use crate::error::Error;
use crate::examples::example_candidates;
use crate::ids::UniqueIds;
use crate::samples::sample_candidates;
use crate::templates::template_candidates;

/// What synthesis found: candidates to validate, and those already left out (with why).
#[derive(Debug, Default)]
pub(crate) struct Synthesis {
    /// Candidates, their SQL not validated yet.
    pub(crate) candidates: Vec<Benchmark>,
    /// Candidates that could not be made (a parameter without default, a model failure).
    pub(crate) excluded: Vec<ExcludedBenchmark>,
}

/// A synthesized benchmark: P1, `train`, answered from tables.
pub(crate) fn synthesized(id: String, question: String, sql: String, category: &str) -> Benchmark {
    Benchmark {
        id,
        question,
        expected_sql: sql,
        expected_asset: AssetType::Table,
        priority: Priority::P1,
        split: Split::Train,
        category: Some(category.to_owned()),
        order_matters: None,
        source: BenchmarkSource::Synthesized,
        line: 0,
    }
}

/// Synthesizes candidates from `space`.
pub(crate) async fn synthesize(
    warehouse: &Arc<dyn Warehouse>,
    llm: Option<&Arc<dyn Llm>>,
    space: &SpaceConfig,
    config: &Config,
    options: &ExecuteOptions,
) -> Result<Synthesis, Error> {
    let mut ids = UniqueIds::default();
    let mut synthesis = Synthesis::default();
    let limit = config.max_synthesized;
    let examples: Vec<_> = example_candidates(space.example_question_sqls(), &mut ids)
        .into_iter()
        .take(limit)
        .collect();
    let example_questions: BTreeSet<String> = space
        .example_question_sqls()
        .iter()
        .map(|example| normalized(&example.question.joined()))
        .collect();
    synthesis.extend(examples);

    let tables = describe_tables(warehouse, space, config.concurrency, options).await?;

    let samples: Vec<String> = space
        .sample_questions()
        .iter()
        .map(|sample| sample.question.joined().trim().to_owned())
        .filter(|question| {
            !question.is_empty() && !example_questions.contains(&normalized(question))
        })
        .collect();
    let room = limit.saturating_sub(synthesis.len());
    match llm {
        Some(llm) if !samples.is_empty() && room > 0 => {
            let questions = samples
                .into_iter()
                .take(room)
                .map(|question| (ids.next("sample", &question), question))
                .collect();
            synthesis.extend(sample_candidates(llm, questions, &tables, config.concurrency).await);
        }
        None if !samples.is_empty() => tracing::info!(
            count = samples.len(),
            "sample questions skipped: no language model is configured to write their SQL"
        ),
        _ => {}
    }

    let room = limit.saturating_sub(synthesis.len());
    let templated = template_candidates(&tables, space.join_specs(), config.top_n, room, &mut ids);
    synthesis.candidates.extend(templated);
    tracing::info!(
        candidates = synthesis.candidates.len(),
        excluded = synthesis.excluded.len(),
        tables = tables.len(),
        "synthesized benchmark candidates"
    );
    Ok(synthesis)
}

impl Synthesis {
    /// How many candidates and exclusions there are.
    fn len(&self) -> usize {
        self.candidates.len() + self.excluded.len()
    }

    /// Sorts results into candidates and exclusions.
    fn extend(&mut self, results: Vec<Result<Benchmark, ExcludedBenchmark>>) {
        for result in results {
            match result {
                Ok(candidate) => self.candidates.push(candidate),
                Err(excluded) => {
                    tracing::warn!(id = %excluded.id, reason = %excluded.reason, "synthesized question left out");
                    self.excluded.push(excluded);
                }
            }
        }
    }
}

/// The space's tables as the warehouse describes them (those it cannot are skipped).
async fn describe_tables(
    warehouse: &Arc<dyn Warehouse>,
    space: &SpaceConfig,
    concurrency: usize,
    options: &ExecuteOptions,
) -> Result<Vec<crate::columns::TableInfo>, Error> {
    let described = run_bounded(space.tables().to_vec(), concurrency, |table| {
        let warehouse = Arc::clone(warehouse);
        let options = options.clone();
        async move {
            let described = describe_table(warehouse.as_ref(), &table, &options).await;
            (table.identifier, described)
        }
    })
    .await;
    let mut tables = Vec::new();
    for (identifier, described) in described {
        match described {
            Ok(Some(table)) => tables.push(table),
            Ok(None) => {}
            Err(source) => {
                return Err(Error::Warehouse {
                    id: identifier,
                    source,
                });
            }
        }
    }
    Ok(tables)
}

/// A question compared loosely: lowercase words.
fn normalized(question: &str) -> String {
    question
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use genie_core::space::{ExampleQuestionSql, SampleQuestion, TextLines};

    use super::*;
    use crate::samples::tests::ScriptedLlm;
    use crate::validate::tests::ScriptedWarehouse;

    fn space() -> SpaceConfig {
        let mut space = SpaceConfig::default();
        space.instructions_mut().example_question_sqls = Some(
            ["First?", "Second?", "Third?"]
                .iter()
                .enumerate()
                .map(|(index, question)| ExampleQuestionSql {
                    id: index.to_string(),
                    question: TextLines::from_text(question),
                    sql: TextLines::from_text(&format!("SELECT {index}")),
                    ..ExampleQuestionSql::default()
                })
                .collect(),
        );
        *space.sample_questions_mut() = ["first", "Fourth?"]
            .iter()
            .map(|question| SampleQuestion {
                id: (*question).to_owned(),
                question: TextLines::from_text(question),
                ..SampleQuestion::default()
            })
            .collect();
        space
    }

    async fn run(llm: Option<&Arc<dyn Llm>>, max_synthesized: usize) -> Synthesis {
        let warehouse: Arc<dyn Warehouse> = Arc::new(ScriptedWarehouse::default());
        let config = Config {
            max_synthesized,
            ..Config::default()
        };
        synthesize(
            &warehouse,
            llm,
            &space(),
            &config,
            &ExecuteOptions::default(),
        )
        .await
        .unwrap()
    }

    fn ids(synthesis: &Synthesis) -> Vec<&str> {
        synthesis.candidates.iter().map(|b| b.id.as_str()).collect()
    }

    #[tokio::test]
    async fn examples_then_new_sample_questions_up_to_the_limit() {
        let scripted = Arc::new(ScriptedLlm {
            reply: "SELECT 4".into(),
            asked: std::sync::Mutex::default(),
        });
        let llm: Arc<dyn Llm> = scripted.clone();
        let all = run(Some(&llm), 10).await;
        assert_eq!(
            ids(&all),
            [
                "example_first",
                "example_second",
                "example_third",
                "sample_fourth"
            ],
            "a sample question that repeats an example is not asked again"
        );
        assert_eq!(scripted.asked.lock().unwrap().len(), 1);
        assert!(
            all.candidates
                .iter()
                .all(|b| b.source == BenchmarkSource::Synthesized)
        );
        assert_eq!(
            ids(&run(Some(&llm), 2).await),
            ["example_first", "example_second"]
        );
        assert_eq!(
            scripted.asked.lock().unwrap().len(),
            1,
            "no room left: not asked"
        );
    }

    #[tokio::test]
    async fn without_a_model_sample_questions_are_skipped() {
        let synthesis = run(None, 10).await;
        assert_eq!(
            ids(&synthesis),
            ["example_first", "example_second", "example_third"]
        );
        assert!(synthesis.excluded.is_empty());
    }
}
