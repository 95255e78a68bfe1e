//! The contamination check every evaluation runs: which benchmarks the evaluated space
//! itself carries — a question's text or its ground truth in the space's example SQL,
//! sample questions, instructions, snippets, synonyms or description, or in the Unity
//! Catalog comments of the SQL functions it lists, or an example SQL whose result is
//! the ground truth's result — so the report can state accuracy with and without them.
//!
//! The similarity rules are genie-core's ([`genie_core::contamination`]); this module
//! gathers what Genie reads (one space read, one `information_schema.routines` query
//! per catalog of the listed functions, one run per example SQL without parameters)
//! and compares results with [`compare_results`].

use std::collections::{BTreeMap, HashMap};

use genie_core::benchmark::Benchmark;
use genie_core::compare::{ComparisonOptions, compare_results};
use genie_core::contamination::{
    Contamination, Leak, LeakKind, SpaceText, find_leaks, space_texts,
};
use genie_core::evaluation::EvaluationRow;
use genie_core::result::Cell;
use genie_core::space::SpaceConfig;
use genie_core::sql::sanitize;

use crate::run::{GroundTruthOutcome, Runner};

/// Checks the space `space_id` for the `benchmarks`; never fails the evaluation: a
/// space that cannot be read gives a section that says so.
pub(crate) async fn check(
    runner: &Runner,
    space_id: &str,
    benchmarks: &[Benchmark],
    ground_truths: &HashMap<String, GroundTruthOutcome>,
    rows: &[EvaluationRow],
) -> Contamination {
    let space = match runner.genie.get_space(space_id).await {
        Ok(space) => space,
        Err(error) => {
            tracing::warn!(space_id, %error, "contamination check skipped: the space could not be read");
            return Contamination::unavailable(
                format!("the space could not be read: {error}"),
                rows,
            );
        }
    };
    let config = match space.config() {
        Ok(config) => config,
        Err(error) => {
            tracing::warn!(space_id, %error, "contamination check skipped: the config does not parse");
            return Contamination::unavailable(
                format!("the space's config does not parse: {error}"),
                rows,
            );
        }
    };
    let mut texts = space_texts(&config);
    if let Some(description) = space.description.filter(|d| !d.trim().is_empty()) {
        texts.push(SpaceText {
            location: "description".to_owned(),
            text: description,
        });
    }
    texts.extend(function_comments(runner, &config).await);
    let mut leaks = find_leaks(&texts, benchmarks);
    leaks.extend(result_leaks(runner, &config, benchmarks, ground_truths).await);
    let contamination = Contamination::new(leaks, rows);
    if !contamination.flagged.is_empty() {
        tracing::warn!(
            space_id,
            flagged = contamination.flagged.len(),
            accuracy_clean = contamination.accuracy_clean,
            "benchmarks found in the space itself"
        );
    }
    contamination
}

/// The Unity Catalog comments of the functions the space lists, as texts at
/// `uc:<function>.comment`. A catalog whose `information_schema` cannot be read is
/// skipped with a log line.
async fn function_comments(runner: &Runner, config: &SpaceConfig) -> Vec<SpaceText> {
    let mut by_catalog: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for function in config.sql_functions() {
        let identifier = function.identifier.to_lowercase();
        if let Some((catalog, _)) = identifier.split_once('.') {
            by_catalog
                .entry(catalog.to_owned())
                .or_default()
                .push(identifier.clone());
        }
    }
    let mut texts = Vec::new();
    for (catalog, identifiers) in by_catalog {
        if !catalog.chars().all(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let sql = format!(
            "SELECT routine_schema, routine_name, comment FROM {catalog}.information_schema.routines"
        );
        let result = match runner.warehouse.execute(&sql, &runner.options).await {
            Ok(result) => result,
            Err(error) => {
                tracing::warn!(catalog, %error, "function comments not read for the contamination check");
                continue;
            }
        };
        for row in &result.rows {
            let [
                Cell::String(schema),
                Cell::String(name),
                Cell::String(comment),
            ] = row.as_slice()
            else {
                continue;
            };
            let identifier = format!("{catalog}.{schema}.{name}").to_lowercase();
            if identifiers.contains(&identifier) {
                texts.push(SpaceText {
                    location: format!("uc:{identifier}.comment"),
                    text: comment.clone(),
                });
            }
        }
    }
    texts
}

/// Example SQLs without parameters whose result equals a ground truth's result.
async fn result_leaks(
    runner: &Runner,
    config: &SpaceConfig,
    benchmarks: &[Benchmark],
    ground_truths: &HashMap<String, GroundTruthOutcome>,
) -> Vec<Leak> {
    let mut leaks = Vec::new();
    for (index, example) in config.example_question_sqls().iter().enumerate() {
        if !example.parameters().is_empty() {
            continue;
        }
        let Ok(sanitized) = sanitize(&example.sql.joined()) else {
            continue;
        };
        let result = match runner
            .warehouse
            .execute(sanitized.as_str(), &runner.options)
            .await
        {
            Ok(result) => result,
            Err(error) => {
                tracing::info!(index, %error, "an example SQL of the space does not run");
                continue;
            }
        };
        if result.rows.is_empty() {
            continue;
        }
        for benchmark in benchmarks {
            let Some(Ok(truth)) = ground_truths.get(&benchmark.expected_sql) else {
                continue;
            };
            if compare_results(&truth.result, &result, &ComparisonOptions::default()).equal {
                leaks.push(Leak {
                    question_id: benchmark.id.clone(),
                    kind: LeakKind::GroundTruthResult,
                    location: format!("instructions.example_question_sqls[{index}].sql"),
                    similarity: 1.0,
                });
            }
        }
    }
    leaks
}
