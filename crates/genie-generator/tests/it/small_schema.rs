//! Synthesis on a small schema of another domain: example SQL with and without
//! parameter defaults, sample questions through a model, templates worded from the
//! space's synonyms, and a table the warehouse does not have.

use std::collections::BTreeMap;
use std::sync::Arc;

use genie_core::benchmark::{BenchmarkSource, Split};
use genie_core::ports::Llm;
use genie_core::space::{
    ColumnConfig, ExampleQuestionSql, ParameterDefaultValue, SampleQuestion, SpaceConfig,
    SqlParameter, TableConfig, TextLines,
};
use genie_core::workers::Generator;
use genie_generator::{BenchmarkGenerator, Config};
use genie_sandbox::engine::Engine;

use crate::{FirstTableLlm, request, sandbox, warehouse};

const SCHEMA: &str = "\
CREATE SCHEMA main.lib;
CREATE TABLE main.lib.loans (loan_id INT, branch STRING, genre STRING, fee DECIMAL(6,2), days INT, due DATE);
INSERT INTO main.lib.loans VALUES
  (1, 'North', 'poetry', 0.50, 14, DATE '2025-01-10'), (2, 'North', 'history', 1.00, 7, DATE '2025-01-11'),
  (3, 'South', 'poetry', 0.00, 21, DATE '2025-01-12'), (4, 'North', 'poetry', 2.25, 14, DATE '2025-01-15'),
  (5, 'South', 'science', 0.75, 7, DATE '2025-02-01'), (6, 'East', 'history', 0.00, 28, DATE '2025-02-03');
CREATE TABLE main.lib.members (member_id INT, full_name STRING, tier STRING);
INSERT INTO main.lib.members VALUES (1, 'Ada', 'gold'), (2, 'Bo', 'basic'), (3, 'Cy', 'basic'), (4, 'Di', 'basic');
";

fn text(value: &str) -> TextLines {
    TextLines::from_text(value)
}

fn example(id: &str, question: &str, sql: &str, default: Option<&str>) -> ExampleQuestionSql {
    ExampleQuestionSql {
        id: id.into(),
        question: text(question),
        sql: text(sql),
        parameters: Some(vec![SqlParameter {
            name: "branch".into(),
            type_hint: Some("STRING".into()),
            default_value: default.map(|value| ParameterDefaultValue {
                values: Some(vec![value.into()]),
                ..ParameterDefaultValue::default()
            }),
            ..SqlParameter::default()
        }]),
        ..ExampleQuestionSql::default()
    }
}

fn space() -> SpaceConfig {
    let mut config = SpaceConfig::default();
    let mut loans = TableConfig::new("main.lib.loans");
    let mut branch = ColumnConfig::new("branch");
    branch.synonyms = Some(vec!["library branch".into()]);
    let mut due = ColumnConfig::new("due");
    due.exclude = Some(true);
    *loans.column_configs_mut() = vec![branch, due];
    *config.tables_mut() = vec![
        loans,
        TableConfig::new("main.lib.members"),
        TableConfig::new("main.lib.not_loaded"),
    ];
    config.instructions_mut().example_question_sqls = Some(vec![
        example(
            "01",
            "Total fees of a branch",
            "SELECT SUM(fee) AS fees FROM main.lib.loans WHERE branch = :branch",
            Some("North"),
        ),
        example(
            "02",
            "Loans of a branch",
            "SELECT loan_id FROM main.lib.loans WHERE branch = :branch",
            None,
        ),
    ]);
    *config.sample_questions_mut() = vec![SampleQuestion {
        id: "03".into(),
        question: text("How many loans are there?"),
        ..SampleQuestion::default()
    }];
    config
}

#[tokio::test]
async fn synthesis_works_on_a_small_schema_of_another_domain() {
    let server = sandbox(Engine::from_schema_sql(SCHEMA).await.unwrap()).await;
    let warehouse = warehouse(&server);
    let llm = Arc::new(FirstTableLlm::default());
    let generator = BenchmarkGenerator::new(
        warehouse.clone(),
        Config {
            holdout_fraction: 0.0,
            ..Config::default()
        },
    )
    .unwrap()
    .with_llm(llm.clone() as Arc<dyn Llm>);
    let mut request = request(space(), None);
    request.domain = Some("library".into());
    request.extra_p0 = vec!["row_count_members".into()];
    let set = generator.generate(&request).await.unwrap();

    let by_id: BTreeMap<&str, _> = set.benchmarks.iter().map(|b| (b.id.as_str(), b)).collect();
    assert_eq!(
        by_id.keys().copied().collect::<Vec<_>>(),
        [
            "example_total_fees_of_a_branch",
            "row_count_loans",
            "row_count_members",
            "sample_how_many_loans_are_there",
            "top_branch_loans",
            "top_genre_loans",
            "top_tier_members",
            "total_days_loans",
            "total_fee_loans",
        ],
        "ids, unique names and excluded columns get no template; the missing table is skipped"
    );
    assert!(set.dataset_name.starts_with("genie-library-benchmarks-"));
    assert!(
        set.benchmarks
            .iter()
            .all(|b| b.source == BenchmarkSource::Synthesized)
    );
    assert!(
        set.benchmarks.iter().all(|b| b.split == Split::Train),
        "fraction 0 holds out none"
    );
    assert_eq!(
        by_id["example_total_fees_of_a_branch"].expected_sql,
        "SELECT SUM(fee) AS fees FROM main.lib.loans WHERE branch = 'North'"
    );
    assert_eq!(
        by_id["top_branch_loans"].question,
        "What are the 5 most common library branch values in the loans table, with how many rows each has?"
    );
    assert_eq!(
        by_id["row_count_members"].priority,
        genie_core::benchmark::Priority::P0
    );
    assert_eq!(
        by_id["sample_how_many_loans_are_there"].question,
        "How many loans are there?"
    );
    assert_eq!(
        llm.questions.lock().unwrap().as_slice(),
        ["How many loans are there?"]
    );
    assert_eq!(set.excluded.len(), 1, "{:#?}", set.excluded);
    assert_eq!(set.excluded[0].id, "example_loans_of_a_branch");
    assert_eq!(
        set.excluded[0].reason,
        "parameter `branch` has no default value"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_space_with_nothing_valid_is_an_error() {
    let server = sandbox(Engine::from_schema_sql(SCHEMA).await.unwrap()).await;
    let warehouse = warehouse(&server);
    let mut config = SpaceConfig::default();
    *config.tables_mut() = vec![TableConfig::new("main.lib.not_loaded")];
    let error = BenchmarkGenerator::new(warehouse.clone(), Config::default())
        .unwrap()
        .generate(&request(config, None))
        .await
        .unwrap_err();
    assert_eq!(
        std::error::Error::source(&error).map(ToString::to_string),
        Some("no valid benchmark: 0 question(s) excluded".to_owned())
    );
    server.shutdown().await;
}
