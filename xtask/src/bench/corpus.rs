//! `cargo xtask bench corpus`: the Genie simulator read against the phrasing corpora.
//!
//! Each corpus (`fixtures/corpus/*.yaml`, frozen, and `fixtures/corpus/dev/*.yaml`,
//! the development set) holds intents — one ground-truth SQL each — phrased several
//! ways. Every phrasing is asked of the schema's weak space (`space.json`) and its
//! curated space (`space_improved.json`) in-process, and the answer's result compared
//! with the ground truth's. Reported per corpus and space: the share of phrasings
//! answered right, and intent agreement — for each intent, the largest share of its
//! phrasings whose results are equal to each other (right or wrong alike).
//!
//! The curated spaces are asked once more with the reading noise end-to-end runs use
//! ([`Faults::END_TO_END_READING_NOISE`]).
//!
//! `CORPUS_REPORT=FILE` writes every miss of the **development** set with the SQL
//! answered, for working on the simulator. Misses of the frozen corpus are never
//! written anywhere: it measures generalisation only while nobody reads them.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use genie_core::compare::{ComparisonOptions, compare_results};
use genie_core::result::ResultSet;
use genie_core::space::{SpaceConfig, SpaceDocument};
use genie_core::sql::{TemplateVariables, extract, resolve_template};
use genie_sandbox::engine::Engine;
use genie_sandbox::server::Faults;
use genie_sandbox::simulator::{Catalog, Draw, Reply, answer};
use serde::Deserialize;
use serde_json::{Value, json};

/// The schemas with a corpus, each a fixture directory of the same name.
const SCHEMAS: [&str; 3] = ["retail", "field_service", "library"];
/// The acceptance figures of the simulator issue.
const TARGET_CURATED_ACCURACY: f64 = 0.90;
const TARGET_AGREEMENT: f64 = 0.85;
const TARGET_WEAK_ACCURACY_AT_MOST: f64 = 0.50;

/// One corpus file.
#[derive(Debug, Deserialize)]
struct CorpusFile {
    corpus: String,
    schema: String,
    catalog: String,
    gold_schema: String,
    intents: Vec<Intent>,
}

#[derive(Debug, Deserialize)]
struct Intent {
    id: String,
    expected_sql: String,
    #[serde(default)]
    order_matters: Option<bool>,
    phrasings: Vec<Phrasing>,
}

#[derive(Debug, Deserialize)]
struct Phrasing {
    form: String,
    text: String,
}

/// What one phrasing was answered with.
enum Answer {
    Rows(ResultSet),
    Failed,
}

/// One corpus asked of one space.
#[derive(Debug, Default)]
struct Score {
    phrasings: usize,
    correct: usize,
    intents: usize,
    /// Intents whose phrasings agree at least [`TARGET_AGREEMENT`].
    agreeing_intents: usize,
    agreement_sum: f64,
    agreement_min: f64,
}

/// Runs every corpus against both spaces of its schema.
pub(super) fn corpus() -> anyhow::Result<Value> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start a tokio runtime")?
        .block_on(measure())
}

async fn measure() -> anyhow::Result<Value> {
    let root = crate::workspace_root();
    let report_path = std::env::var_os("CORPUS_REPORT").map(PathBuf::from);
    let mut report = String::new();
    let mut rows = Vec::new();
    // Frozen weak, frozen curated, dev weak, dev curated, then both curated again
    // with the end-to-end reading noise.
    let mut totals: [Score; 6] = Default::default();
    let noise = Faults::END_TO_END_READING_NOISE;
    for schema in SCHEMAS {
        let fixture = root.join("fixtures").join(schema);
        let engine = Engine::from_schema_file(&fixture.join("schema.sql"))
            .await
            .with_context(|| format!("cannot load `{}`", fixture.display()))?;
        let catalog = Catalog::load(&engine).await?;
        let weak = space(&fixture.join("space.json"))?;
        let curated = space(&fixture.join("space_improved.json"))?;
        for (frozen, path) in [
            (true, root.join(format!("fixtures/corpus/{schema}.yaml"))),
            (
                false,
                root.join(format!("fixtures/corpus/dev/{schema}.yaml")),
            ),
        ] {
            let file = corpus_file(&path)?;
            if file.schema != schema {
                bail!(
                    "`{}`: schema `{}`, expected `{schema}`",
                    path.display(),
                    file.schema
                );
            }
            for (space_name, config) in [("weak", &weak), ("curated", &curated)] {
                let misses = (!frozen && report_path.is_some()).then_some(&mut report);
                let draw = Draw::default();
                let score =
                    ask_all(&engine, &catalog, config, &file, misses, space_name, draw).await?;
                let total =
                    &mut totals[usize::from(!frozen) * 2 + usize::from(space_name == "curated")];
                add(total, &score);
                rows.push(row(schema, &file.corpus, space_name, &score));
            }
            let draw = Draw::with_noise(0, 0, noise);
            let score = ask_all(&engine, &catalog, &curated, &file, None, "curated", draw).await?;
            add(&mut totals[4 + usize::from(!frozen)], &score);
            rows.push(row(schema, &file.corpus, "curated+noise", &score));
        }
    }
    if let Some(path) = report_path {
        std::fs::write(&path, &report)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    let summary = |score: &Score| {
        json!({
            "accuracy": ratio(score.correct, score.phrasings),
            "phrasings": score.phrasings,
            "intents": score.intents,
            "agreement_mean": round3(mean(score.agreement_sum, score.intents)),
            "agreement_min": round3(score.agreement_min),
            "intents_agreeing": score.agreeing_intents,
        })
    };
    let frozen_curated = &totals[1];
    let frozen_weak = &totals[0];
    Ok(json!({
        "name": "corpus",
        "profile": super::profile(),
        "frozen_weak": summary(frozen_weak),
        "frozen_curated": summary(frozen_curated),
        "dev_weak": summary(&totals[2]),
        "dev_curated": summary(&totals[3]),
        "reading_noise": noise,
        "frozen_curated_noisy": summary(&totals[4]),
        "dev_curated_noisy": summary(&totals[5]),
        "target_curated_accuracy": TARGET_CURATED_ACCURACY,
        "target_agreement": TARGET_AGREEMENT,
        "target_weak_accuracy_at_most": TARGET_WEAK_ACCURACY_AT_MOST,
        "frozen_within_target": ratio(frozen_curated.correct, frozen_curated.phrasings) >= TARGET_CURATED_ACCURACY
            && frozen_curated.agreement_min >= TARGET_AGREEMENT
            && ratio(frozen_weak.correct, frozen_weak.phrasings) <= TARGET_WEAK_ACCURACY_AT_MOST,
        "corpora": rows,
    }))
}

/// Asks every phrasing of `file` of `config`; appends misses to `misses` when given.
async fn ask_all(
    engine: &Engine,
    catalog: &Catalog,
    config: &SpaceConfig,
    file: &CorpusFile,
    mut misses: Option<&mut String>,
    space_name: &str,
    draw: Draw,
) -> anyhow::Result<Score> {
    let variables = TemplateVariables::default()
        .with("catalog", file.catalog.clone())
        .with("gold_schema", file.gold_schema.clone());
    let mut score = Score {
        agreement_min: 1.0,
        ..Score::default()
    };
    for intent in &file.intents {
        let expected_sql = resolve_template(&intent.expected_sql, &variables)
            .with_context(|| format!("intent `{}`", intent.id))?;
        let expected = engine
            .query(&expected_sql)
            .await
            .with_context(|| format!("intent `{}`: the ground truth fails", intent.id))?;
        let facts = extract(&expected_sql)?;
        let options = ComparisonOptions {
            order_matters: intent
                .order_matters
                .unwrap_or(!facts.order_by.is_empty() && facts.limit.is_some()),
            ..ComparisonOptions::default()
        };
        let mut answers = Vec::new();
        for phrasing in &intent.phrasings {
            let reply = answer(catalog, config, &phrasing.text, draw);
            let (answered, sql) = match reply {
                Reply::Text(text) => (Answer::Failed, format!("TEXT: {}", text.content)),
                Reply::Query(query) => match engine.query(&query.sql).await {
                    Ok(rows) => (Answer::Rows(rows), query.sql),
                    Err(error) => (Answer::Failed, format!("{}\n-- ERROR {error}", query.sql)),
                },
            };
            let correct = matches!(&answered, Answer::Rows(rows)
                if compare_results(&expected, rows, &options).equal);
            score.phrasings += 1;
            if correct {
                score.correct += 1;
            } else if let Some(misses) = misses.as_deref_mut() {
                let _ = writeln!(
                    misses,
                    "MISS {} {space_name} {} [{}] {}\n    {}\n",
                    file.schema,
                    intent.id,
                    phrasing.form,
                    phrasing.text,
                    sql.replace('\n', "\n    ")
                );
            }
            answers.push(answered);
        }
        let agreement = agreement(&answers, &options);
        score.intents += 1;
        score.agreement_sum += agreement;
        score.agreement_min = score.agreement_min.min(agreement);
        if agreement >= TARGET_AGREEMENT {
            score.agreeing_intents += 1;
        }
    }
    Ok(score)
}

/// The largest share of `answers` equal to each other; failures agree with nothing.
fn agreement(answers: &[Answer], options: &ComparisonOptions) -> f64 {
    let largest = answers
        .iter()
        .map(|one| match one {
            Answer::Failed => 1,
            Answer::Rows(rows) => answers
                .iter()
                .filter(|other| {
                    matches!(other, Answer::Rows(others) if compare_results(rows, others, options).equal)
                })
                .count(),
        })
        .max()
        .unwrap_or(0);
    ratio(largest, answers.len())
}

fn add(total: &mut Score, score: &Score) {
    if total.intents == 0 {
        total.agreement_min = 1.0;
    }
    total.phrasings += score.phrasings;
    total.correct += score.correct;
    total.intents += score.intents;
    total.agreeing_intents += score.agreeing_intents;
    total.agreement_sum += score.agreement_sum;
    total.agreement_min = total.agreement_min.min(score.agreement_min);
}

fn row(schema: &str, corpus: &str, space: &str, score: &Score) -> Value {
    json!({
        "schema": schema,
        "corpus": corpus,
        "space": space,
        "phrasings": score.phrasings,
        "correct": score.correct,
        "accuracy": ratio(score.correct, score.phrasings),
        "agreement_min": round3(score.agreement_min),
        "intents_agreeing": format!("{}/{}", score.agreeing_intents, score.intents),
    })
}

fn space(path: &Path) -> anyhow::Result<SpaceConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read `{}`", path.display()))?;
    Ok(SpaceDocument::parse(&text)
        .map_err(|error| anyhow::anyhow!("`{}`: {error}", path.display()))?
        .into_config())
}

fn corpus_file(path: &Path) -> anyhow::Result<CorpusFile> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read `{}`", path.display()))?;
    serde_saphyr::from_str(&text).with_context(|| format!("`{}`", path.display()))
}

#[expect(clippy::cast_precision_loss, reason = "counts of phrasings")]
fn ratio(part: usize, whole: usize) -> f64 {
    round3(part as f64 / whole.max(1) as f64)
}

#[expect(clippy::cast_precision_loss, reason = "counts of intents")]
fn mean(sum: f64, count: usize) -> f64 {
    sum / count.max(1) as f64
}

fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}
