//! The retail fixture (`fixtures/retail/`) holds together: `schema.sql` loads into the
//! engine with 5–7 tables and thousands of rows, every benchmark's ground truth runs on
//! it and returns rows, both spaces (`space.json`, `space_improved.json`) are valid and
//! list every table of the schema, and the improved space's join specs and snippets run
//! on the data.

use std::fmt::Write as _;

use genie_core::benchmark::{BenchmarkFile, Priority, Split, parse_benchmark_file};
use genie_core::result::Cell;
use genie_core::space::{JoinTable, SnippetKind, SpaceConfig, SpaceDocument};
use genie_core::sql::{TemplateVariables, resolve_template};
use genie_sandbox::engine::Engine;

const SCHEMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/retail/schema.sql"
);
const BENCHMARKS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/retail/benchmarks.yaml"
);
const SPACES: [&str; 2] = [
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/retail/space.json"
    ),
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/retail/space_improved.json"
    ),
];

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|error| panic!("cannot read `{path}`: {error}"))
}

async fn engine() -> Engine {
    Engine::from_schema_sql(&read(SCHEMA))
        .await
        .unwrap_or_else(|error| panic!("`schema.sql` does not load: {error}"))
}

fn benchmarks() -> BenchmarkFile {
    parse_benchmark_file("benchmarks.yaml", &read(BENCHMARKS))
        .unwrap_or_else(|error| panic!("{error}"))
}

#[tokio::test]
async fn schema_has_five_to_seven_tables_and_thousands_of_rows() {
    let engine = engine().await;
    let tables = engine.tables();
    assert!(
        (5..=7).contains(&tables.len()),
        "expected 5 to 7 tables, found {tables:?}"
    );
    assert!(
        tables.iter().all(|table| table.starts_with("main.retail.")),
        "every table lives in `main.retail`: {tables:?}"
    );
    let mut total = 0;
    for table in tables {
        let result = engine
            .query(&format!("SELECT * FROM {table}"))
            .await
            .unwrap_or_else(|error| panic!("`{table}`: {error}"));
        assert!(result.row_count() > 0, "`{table}` is empty");
        total += result.row_count();
    }
    assert!(total >= 2_000, "only {total} rows in all tables");
}

#[test]
fn benchmarks_have_the_required_splits_and_priorities() {
    let file = benchmarks();
    assert_eq!(file.domain.as_deref(), Some("retail"));
    let count = |keep: &dyn Fn(&genie_core::benchmark::Benchmark) -> bool| {
        file.benchmarks.iter().filter(|b| keep(b)).count()
    };
    let train = count(&|b| b.split == Split::Train);
    let held_out = count(&|b| b.split == Split::HeldOut);
    let p0 = count(&|b| b.priority == Priority::P0);
    let uncategorised: Vec<&str> = file
        .benchmarks
        .iter()
        .filter(|b| b.category.as_deref().is_none_or(str::is_empty))
        .map(|b| b.id.as_str())
        .collect();
    assert!(
        file.benchmarks.len() >= 40,
        "{} benchmarks",
        file.benchmarks.len()
    );
    assert!(train >= 28, "{train} train benchmarks");
    assert!(held_out >= 12, "{held_out} held-out benchmarks");
    assert!(p0 >= 6, "{p0} P0 benchmarks");
    assert!(uncategorised.is_empty(), "no category: {uncategorised:?}");
}

#[tokio::test]
async fn every_ground_truth_runs_and_returns_rows() {
    let engine = engine().await;
    let file = benchmarks();
    let variables = TemplateVariables::default()
        .with("catalog", file.catalog.clone().unwrap_or_default())
        .with("gold_schema", file.gold_schema.clone().unwrap_or_default());
    let mut failures = Vec::new();
    for benchmark in &file.benchmarks {
        let sql = match resolve_template(&benchmark.expected_sql, &variables) {
            Ok(sql) => sql,
            Err(error) => {
                failures.push(format!("{}: {error}", benchmark.id));
                continue;
            }
        };
        match engine.query(&sql).await {
            Ok(result) if result.row_count() == 0 => {
                failures.push(format!("{}: no rows", benchmark.id));
            }
            Ok(_) => {}
            Err(error) => failures.push(format!("{}: {error}", benchmark.id)),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} ground truths fail:\n{}",
        failures.len(),
        file.benchmarks.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn both_spaces_are_valid_and_list_every_table() {
    let engine = engine().await;
    for path in SPACES {
        let document = SpaceDocument::parse(&read(path))
            .unwrap_or_else(|error| panic!("`{path}` does not parse: {error}"));
        let errors: Vec<String> = document
            .config()
            .validate()
            .into_iter()
            .filter(genie_core::space::Problem::is_error)
            .map(|problem| problem.to_string())
            .collect();
        assert!(errors.is_empty(), "`{path}`:\n{}", errors.join("\n"));
        let tables = engine.tables();
        let missing: Vec<&String> = tables
            .iter()
            .filter(|table| document.config().data_source(table).is_none())
            .collect();
        assert!(missing.is_empty(), "`{path}` lacks tables {missing:?}");
    }
}

fn alias(side: &JoinTable) -> &str {
    side.alias.as_deref().unwrap_or(&side.identifier)
}

/// A `FROM` clause over the space's tables, chained with its join specs as `LEFT JOIN`s
/// (no row is lost), and the aliases it reached.
fn joined_from(config: &SpaceConfig) -> (String, Vec<String>) {
    let specs = config.join_specs();
    let first = &specs
        .first()
        .expect("the improved space has join specs")
        .left;
    let mut from = format!("{} AS {}", first.identifier, alias(first));
    let mut reached = vec![alias(first).to_owned()];
    let mut grew = true;
    while grew {
        grew = false;
        for spec in specs {
            let left = reached.iter().any(|name| name == alias(&spec.left));
            let right = reached.iter().any(|name| name == alias(&spec.right));
            let new_side = match (left, right) {
                (true, false) => &spec.right,
                (false, true) => &spec.left,
                _ => continue,
            };
            write!(
                from,
                " LEFT JOIN {} AS {} ON {}",
                new_side.identifier,
                alias(new_side),
                spec.condition()
            )
            .expect("writing to a string");
            reached.push(alias(new_side).to_owned());
            grew = true;
        }
    }
    (from, reached)
}

#[tokio::test]
async fn improved_space_joins_and_snippets_run_on_the_data() {
    let engine = engine().await;
    let document = SpaceDocument::parse(&read(SPACES[1])).expect("the improved space parses");
    let config = document.config();
    let mut failures = Vec::new();
    // Every join spec is many-to-one with full referential integrity: the inner join keeps
    // exactly the left side's rows.
    for spec in config.join_specs() {
        let sql = format!(
            "SELECT (SELECT COUNT(*) FROM {left} AS {left_alias} JOIN {right} AS {right_alias} ON {condition}) \
             = (SELECT COUNT(*) FROM {left}) AS holds",
            left = spec.left.identifier,
            left_alias = alias(&spec.left),
            right = spec.right.identifier,
            right_alias = alias(&spec.right),
            condition = spec.condition(),
        );
        match engine.query(&sql).await {
            Ok(result) if result.rows == [vec![Cell::Boolean(true)]] => {}
            Ok(_) => failures.push(format!(
                "join {}: not many-to-one over every row",
                spec.condition()
            )),
            Err(error) => failures.push(format!("join {}: {error}", spec.condition())),
        }
    }
    let (from, reached) = joined_from(config);
    let tables = engine.tables();
    let unreached: Vec<&str> = tables
        .iter()
        .map(|table| table.rsplit('.').next().unwrap_or(table))
        .filter(|table| !reached.iter().any(|name| name == table))
        .collect();
    assert!(unreached.is_empty(), "no join spec reaches {unreached:?}");
    for kind in SnippetKind::ALL {
        for snippet in config.snippets(kind) {
            let text = snippet.sql.joined();
            let sql = match kind {
                SnippetKind::Filter => format!("SELECT COUNT(*) > 0 FROM {from} WHERE {text}"),
                SnippetKind::Expression => {
                    format!("SELECT COUNT({text}) > 0 FROM {from}")
                }
                SnippetKind::Measure => format!("SELECT {text} IS NOT NULL FROM {from}"),
            };
            match engine.query(&sql).await {
                Ok(result) if result.rows == [vec![Cell::Boolean(true)]] => {}
                Ok(result) => failures.push(format!("{kind} `{text}`: {:?}", result.rows)),
                Err(error) => failures.push(format!("{kind} `{text}`: {error}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
