//! Test support: the retail fixture's weak space and catalog, and the failing train
//! rows of its baseline evaluation.
//!
//! `data/retail_baseline_train_failures.json` holds the failing rows of one evaluation
//! of `fixtures/retail/space.json` on the sandbox with the evaluator's code judges
//! (`genie-opt evaluate --sandbox fixtures/retail`), given only the fixture's 40
//! `train` benchmarks: 27 failures. Held-out questions were never part of that run.

use std::collections::BTreeMap;

use genie_core::benchmark::{AssetType, Benchmark, BenchmarkSet, BenchmarkSource, Priority, Split};
use genie_core::catalog::{CatalogColumn, CatalogSnapshot, CatalogTable, Routine};
use genie_core::evaluation::EvaluationRow;
use genie_core::patch::{PatchSet, apply_patch_set};
use genie_core::space::SpaceConfig;
use genie_core::taxonomy::Lever;
use genie_core::workers::{LeakageGuard, MetadataSnapshot, ProposalRequest, TrainFailures};
use sqlparser::ast::{CommentObject, Statement};
use sqlparser::dialect::DatabricksDialect;
use sqlparser::parser::Parser;

const ROWS: &str = include_str!("data/retail_baseline_train_failures.json");
const SPACE: &str = include_str!("../../../../fixtures/retail/space.json");
const SCHEMA: &str = include_str!("../../../../fixtures/retail/schema.sql");

/// The failing train rows.
pub(crate) fn rows() -> Vec<EvaluationRow> {
    serde_json::from_str(ROWS).expect("the rows parse")
}

/// The rows as the optimizer takes them.
pub(crate) fn failures() -> TrainFailures {
    serde_json::from_str(ROWS).expect("every row is a failing train row")
}

/// The weak space.
pub(crate) fn space() -> SpaceConfig {
    SpaceConfig::from_json(SPACE).expect("the space parses")
}

/// The catalog of `schema.sql`: its tables, column types and comments, the schema read
/// whole.
pub(crate) fn catalog() -> CatalogSnapshot {
    let catalog = catalog_of(SCHEMA);
    assert_eq!(catalog.tables.len(), 6, "the six retail tables");
    catalog
}

/// The catalog of a fixture's `schema.sql` text: its tables, column types and comments.
pub(crate) fn catalog_of(schema: &str) -> CatalogSnapshot {
    let mut catalog = CatalogSnapshot::default();
    for text in schema.split(";\n") {
        let text = text.trim();
        metric_view_or_function(&mut catalog, text);
        if !(text.contains("CREATE TABLE") || text.starts_with("COMMENT ON")) {
            continue;
        }
        let text: String = text
            .lines()
            .filter(|line| !line.trim_start().starts_with("--"))
            .collect::<Vec<_>>()
            .join("\n");
        let Ok(statements) = Parser::parse_sql(&DatabricksDialect {}, &text) else {
            continue;
        };
        for statement in statements {
            match statement {
                Statement::CreateTable(create) => {
                    let identifier = create.name.to_string().to_lowercase();
                    let parts: Vec<&str> = identifier.split('.').collect();
                    catalog.schemas.insert(format!("{}.{}", parts[0], parts[1]));
                    catalog.tables.insert(
                        identifier.clone(),
                        CatalogTable {
                            identifier,
                            table_type: "MANAGED".to_owned(),
                            comment: None,
                            columns: create
                                .columns
                                .iter()
                                .map(|column| {
                                    let full = column.data_type.to_string();
                                    CatalogColumn {
                                        name: column.name.value.clone(),
                                        data_type: full
                                            .split('(')
                                            .next()
                                            .unwrap_or_default()
                                            .to_uppercase(),
                                        full_data_type: Some(full.to_lowercase()),
                                        nullable: Some(true),
                                        comment: None,
                                        tags: BTreeMap::new(),
                                    }
                                })
                                .collect(),
                            tags: BTreeMap::new(),
                            properties: Some(BTreeMap::new()),
                            view_definition: None,
                        },
                    );
                }
                Statement::Comment {
                    object_type,
                    object_name,
                    comment,
                    ..
                } => {
                    let name = object_name.to_string().to_lowercase();
                    match object_type {
                        CommentObject::Table => {
                            if let Some(table) = catalog.tables.get_mut(&name) {
                                table.comment = comment;
                            }
                        }
                        CommentObject::Column => {
                            let (table, column) = name.rsplit_once('.').unwrap();
                            if let Some(table) = catalog.tables.get_mut(table)
                                && let Some(known) =
                                    table.columns.iter_mut().find(|c| c.name == column)
                            {
                                known.comment = comment;
                            }
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
    }
    catalog
}

/// Metric views and table functions, which sqlparser does not read, by their heading:
/// `CREATE [OR REPLACE] VIEW name WITH METRICS …` and `CREATE [OR REPLACE] FUNCTION
/// name(…) RETURNS TABLE …`.
fn metric_view_or_function(catalog: &mut CatalogSnapshot, text: &str) {
    let statement: String = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("--"))
        .collect::<Vec<_>>()
        .join(" ");
    let statement = statement.trim();
    let upper = statement.to_uppercase();
    let rest = upper
        .strip_prefix("CREATE OR REPLACE ")
        .or_else(|| upper.strip_prefix("CREATE "))
        .unwrap_or_default();
    let offset = statement.len() - rest.len();
    let name_of = |from: usize| -> String {
        statement[from..]
            .split(|c: char| c.is_whitespace() || c == '(')
            .next()
            .unwrap_or_default()
            .to_lowercase()
    };
    if let Some(view) = rest.strip_prefix("VIEW ")
        && view.contains(" WITH METRICS")
    {
        let identifier = name_of(offset + "VIEW ".len());
        catalog.tables.insert(
            identifier.clone(),
            CatalogTable {
                identifier,
                table_type: "METRIC_VIEW".to_owned(),
                comment: None,
                columns: Vec::new(),
                tags: BTreeMap::new(),
                properties: None,
                view_definition: None,
            },
        );
    } else if rest.starts_with("FUNCTION ") {
        let identifier = name_of(offset + "FUNCTION ".len());
        catalog.routines.insert(
            identifier.clone(),
            Routine {
                identifier,
                routine_type: "FUNCTION".to_owned(),
                return_type: Some(
                    if upper.contains("RETURNS TABLE") {
                        "TABLE"
                    } else {
                        "SCALAR"
                    }
                    .to_owned(),
                ),
                comment: None,
                parameters: None,
                returns: None,
                definition: None,
            },
        );
    }
}

/// A benchmark.
pub(crate) fn benchmark(id: &str, split: Split, question: &str, sql: &str) -> Benchmark {
    Benchmark {
        id: id.to_owned(),
        question: question.to_owned(),
        expected_sql: sql.to_owned(),
        expected_asset: AssetType::Table,
        priority: Priority::P1,
        split,
        category: None,
        order_matters: None,
        source: BenchmarkSource::User,
        line: 0,
    }
}

/// The guard over the failing rows' benchmarks and `extra` ones.
pub(crate) fn guard(extra: Vec<Benchmark>) -> LeakageGuard {
    let mut benchmarks: Vec<Benchmark> = rows()
        .iter()
        .map(|row| benchmark(&row.id, Split::Train, &row.question, &row.expected_sql))
        .collect();
    benchmarks.extend(extra);
    LeakageGuard::new(&BenchmarkSet::new(
        Some("retail".to_owned()),
        benchmarks,
        Vec::new(),
    ))
}

/// The request for `lever` on the weak space.
pub(crate) fn request(lever: Lever) -> ProposalRequest {
    ProposalRequest {
        failures: failures(),
        metadata: MetadataSnapshot::new(space(), catalog()),
        lever,
        leakage: guard(Vec::new()),
        history: Vec::new(),
    }
}

/// The space after `set`, through genie-core's application.
pub(crate) fn applied(request: &ProposalRequest, set: &PatchSet) -> SpaceConfig {
    apply_patch_set(
        request.metadata.config(),
        request.metadata.catalog(),
        set,
        1_700_000_000_000,
    )
    .expect("the set applies")
    .config
}
