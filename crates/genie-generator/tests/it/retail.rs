//! The retail fixture: its 54 benchmarks validate, broken and empty ground truths are
//! excluded with the engine's message, `extra_p0` is checked, and synthesis over its
//! space yields validated, labelled questions.

use std::collections::BTreeSet;
use std::sync::Arc;

use genie_core::benchmark::{BenchmarkSource, Priority, Split};
use genie_core::ports::{ExecuteOptions, Llm, Warehouse};
use genie_core::sql::{TemplateVariables, resolve_template};
use genie_core::workers::Generator;
use genie_generator::{BenchmarkGenerator, Config, Error};

use crate::{FirstTableLlm, generator, request, retail_benchmarks, retail_sandbox, warehouse};

#[tokio::test]
async fn all_retail_benchmarks_validate() {
    let (config, server) = retail_sandbox().await;
    let warehouse = warehouse(&server);
    let file = retail_benchmarks();
    let declared_p0 = file
        .benchmarks
        .iter()
        .filter(|b| b.priority == Priority::P0)
        .count();
    let mut request = request(config, Some(file.clone()));
    let extra = file
        .benchmarks
        .iter()
        .find(|b| b.priority != Priority::P0)
        .unwrap()
        .id
        .clone();
    request.extra_p0 = vec![extra.clone()];
    let set = generator(&warehouse).generate(&request).await.unwrap();
    assert_eq!(set.benchmarks.len(), 54);
    assert!(set.excluded.is_empty(), "{:#?}", set.excluded);
    assert_eq!(warehouse.statements(), 54, "each ground truth ran once");
    assert!(
        warehouse.peak() <= Config::default().concurrency,
        "{}",
        warehouse.peak()
    );
    assert!(
        set.dataset_name.starts_with("genie-retail-benchmarks-"),
        "{}",
        set.dataset_name
    );
    assert!(
        set.benchmarks
            .iter()
            .all(|b| !b.expected_sql.contains("${"))
    );
    assert!(
        set.benchmarks
            .iter()
            .all(|b| b.source == BenchmarkSource::User)
    );
    let count = |split: Split| set.benchmarks.iter().filter(|b| b.split == split).count();
    let declared = |split: Split| file.benchmarks.iter().filter(|b| b.split == split).count();
    assert_eq!(
        count(Split::HeldOut),
        declared(Split::HeldOut),
        "declared splits are kept"
    );
    assert_eq!(count(Split::Train), declared(Split::Train));
    let p0: Vec<&str> = set
        .benchmarks
        .iter()
        .filter(|b| b.priority == Priority::P0)
        .map(|b| b.id.as_str())
        .collect();
    assert_eq!(p0.len(), declared_p0 + 1);
    assert!(p0.contains(&extra.as_str()));
    let ids: Vec<&str> = set.benchmarks.iter().map(|b| b.id.as_str()).collect();
    let file_ids: Vec<&str> = file.benchmarks.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(ids, file_ids, "file order is kept");
    server.shutdown().await;
}

#[tokio::test]
async fn broken_and_empty_ground_truths_are_excluded_with_the_engines_message() {
    let (config, server) = retail_sandbox().await;
    let warehouse = warehouse(&server);
    let mut file = retail_benchmarks();
    let original = file.benchmarks[0].expected_sql.clone();
    file.benchmarks[0].expected_sql = format!("SELECT no_such_column FROM ({original}) AS t");
    file.benchmarks[1].expected_sql = format!(
        "SELECT * FROM ({}) AS t WHERE 1 = 0",
        file.benchmarks[1].expected_sql
    );
    let broken_id = file.benchmarks[0].id.clone();
    let empty_id = file.benchmarks[1].id.clone();

    let variables = TemplateVariables::default()
        .with("catalog", file.catalog.clone().unwrap())
        .with("gold_schema", file.gold_schema.clone().unwrap());
    let resolved = resolve_template(&file.benchmarks[0].expected_sql, &variables).unwrap();
    let engine_message = warehouse
        .execute(&resolved, &ExecuteOptions::default())
        .await
        .expect_err("the column does not exist")
        .message;

    let strict = generator(&warehouse)
        .generate(&request(config.clone(), Some(file.clone())))
        .await
        .unwrap();
    assert_eq!(strict.benchmarks.len(), 52);
    let reasons: Vec<(&str, &str)> = strict
        .excluded
        .iter()
        .map(|e| (e.id.as_str(), e.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert_eq!(reasons[0].0, broken_id);
    assert!(
        reasons[0].1.contains(&engine_message),
        "`{}` should carry the engine's `{engine_message}`",
        reasons[0].1
    );
    assert_eq!(
        reasons[1],
        (empty_id.as_str(), "the ground truth returned no rows")
    );
    assert!(
        !strict
            .benchmarks
            .iter()
            .any(|b| b.id == broken_id || b.id == empty_id)
    );

    let mut lenient = request(config, Some(file));
    lenient.keep_invalid = true;
    let kept = generator(&warehouse).generate(&lenient).await.unwrap();
    assert_eq!(kept.benchmarks.len(), 54);
    assert!(kept.excluded.is_empty());
    assert_eq!(
        kept.benchmarks[0].expected_sql, resolved,
        "kept with its SQL resolved"
    );
    assert_ne!(kept.content_hash, strict.content_hash);
    server.shutdown().await;
}

#[tokio::test]
async fn an_unknown_extra_p0_id_is_an_error_before_anything_runs() {
    let (config, server) = retail_sandbox().await;
    let warehouse = warehouse(&server);
    let mut request = request(config, Some(retail_benchmarks()));
    request.extra_p0 = vec!["no_such_question".into()];
    let error = generator(&warehouse).generate(&request).await.unwrap_err();
    assert_eq!(error.to_string(), "generator failed");
    assert_eq!(
        std::error::Error::source(&error).map(ToString::to_string),
        Some("`extra_p0` names unknown benchmark ids: `no_such_question`".to_owned())
    );
    assert!(matches!(
        error.downcast_ref::<Error>(),
        Some(Error::UnknownP0Ids { .. })
    ));
    assert_eq!(warehouse.statements(), 0);
    server.shutdown().await;
}

#[tokio::test]
async fn synthesis_on_the_retail_space_yields_validated_labelled_questions() {
    let (config, server) = retail_sandbox().await;
    let warehouse = warehouse(&server);
    let tables: BTreeSet<String> = config
        .tables()
        .iter()
        .map(|t| t.identifier.clone())
        .collect();
    let mut request = request(config, None);
    request.domain = Some("retail".into());
    let set = generator(&warehouse).generate(&request).await.unwrap();
    assert!(
        set.benchmarks.len() >= 2 * tables.len(),
        "{}",
        set.benchmarks.len()
    );
    assert!(set.benchmarks.len() <= Config::default().max_synthesized);
    assert!(set.excluded.is_empty(), "{:#?}", set.excluded);
    assert!(
        set.benchmarks
            .iter()
            .all(|b| b.source == BenchmarkSource::Synthesized)
    );
    assert!(
        !set.benchmarks.iter().any(|b| b.id.starts_with("sample_")),
        "without a model, sample questions are skipped"
    );
    for table in &tables {
        assert!(
            set.benchmarks
                .iter()
                .any(|b| b.category.as_deref() == Some("row_count")
                    && b.expected_sql.ends_with(table.as_str())),
            "no row count for `{table}`"
        );
    }
    let categories: BTreeSet<&str> = set
        .benchmarks
        .iter()
        .filter_map(|b| b.category.as_deref())
        .collect();
    assert_eq!(categories, BTreeSet::from(["row_count", "top_n", "total"]));
    let held_out = set
        .benchmarks
        .iter()
        .filter(|b| b.split == Split::HeldOut)
        .count();
    #[expect(clippy::cast_precision_loss, reason = "a few dozen questions")]
    let share = held_out as f64 / set.benchmarks.len() as f64;
    assert!(
        (0.25..=0.35).contains(&share),
        "held out {held_out} of {}",
        set.benchmarks.len()
    );
    for benchmark in &set.benchmarks {
        let result = warehouse
            .execute(&benchmark.expected_sql, &ExecuteOptions::default())
            .await
            .unwrap_or_else(|error| panic!("`{}`: {error}", benchmark.id));
        assert!(!result.is_empty(), "`{}` returns rows", benchmark.id);
    }
    let again = generator(&warehouse).generate(&request).await.unwrap();
    assert_eq!(
        again.content_hash, set.content_hash,
        "synthesis is deterministic"
    );

    let llm = Arc::new(FirstTableLlm::default());
    let with_model = BenchmarkGenerator::new(warehouse.clone(), Config::default())
        .unwrap()
        .with_llm(llm.clone() as Arc<dyn Llm>)
        .generate(&request)
        .await
        .unwrap();
    let samples: Vec<_> = with_model
        .benchmarks
        .iter()
        .filter(|b| b.category.as_deref() == Some("sample_question"))
        .collect();
    let asked = llm.questions.lock().unwrap().clone();
    assert_eq!(samples.len(), asked.len());
    assert!(
        !samples.is_empty(),
        "the space's sample questions reach the model"
    );
    assert_eq!(samples[0].question, asked[0]);
    assert_eq!(samples[0].source, BenchmarkSource::Synthesized);
    server.shutdown().await;
}
