//! The round-trip property: random valid spaces × random patch sets — applying, then
//! applying the inverses, gives the canonical original byte for byte; a refusal at any
//! index applies nothing.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use proptest::sample::subsequence;
use proptest::strategy::ValueTree as _;
use proptest::test_runner::TestRunner;

use super::support::{NOW, assert_round_trip, set};
use crate::catalog::{CatalogColumn, CatalogSnapshot, CatalogTable, Routine};
use crate::patch::{
    ColumnTarget, ExampleParameter, PatchOp, PatchRefusal, Relationship, UcObject, apply_patch_set,
};
use crate::space::{
    ColumnConfig, ExampleQuestionSql, JoinSpec, JoinTable, SampleQuestion, SnippetKind,
    SpaceConfig, SqlFunction, SqlSnippet, TableConfig, TextInstruction, TextLines,
};

const TABLES: [&str; 4] = [
    "main.sales.t0",
    "main.sales.t1",
    "main.sales.t2",
    "main.sales.t3",
];
/// Columns a space's configs may name; the catalog also has `c3`, which none does.
const COLUMNS: [&str; 3] = ["c0", "c1", "c2"];
const METRIC_VIEWS: [&str; 3] = ["main.sales.mv0", "main.sales.mv1", "main.sales.mv2"];
const FUNCTIONS: [&str; 3] = ["main.sales.f0", "main.sales.f1", "main.sales.f2"];
const WORDS: [&str; 6] = ["alpha", "beta", "gamma", "delta", "revenue", "region"];

fn id(n: u64) -> String {
    format!("{:032x}", 0x01f0_0000_0000_0000_u64 + n)
}

fn word() -> impl Strategy<Value = String> {
    proptest::sample::select(WORDS.to_vec()).prop_map(str::to_owned)
}

fn sentence() -> impl Strategy<Value = String> {
    proptest::collection::vec(word(), 1..4).prop_map(|words| words.join(" "))
}

fn column_config(name: &'static str) -> impl Strategy<Value = ColumnConfig> {
    (
        proptest::option::of(word()),
        proptest::option::of(proptest::collection::vec(word(), 0..3)),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(
            move |(description, synonyms, exclude, format, entity)| ColumnConfig {
                column_name: name.to_owned(),
                description: description.map(TextLines::from),
                synonyms,
                exclude,
                enable_format_assistance: format,
                enable_entity_matching: entity,
                ..ColumnConfig::default()
            },
        )
}

fn table_config(identifier: &'static str) -> impl Strategy<Value = TableConfig> {
    (
        proptest::option::of(sentence()),
        proptest::option::of(
            subsequence(COLUMNS.to_vec(), 0..=3)
                .prop_flat_map(|names| names.into_iter().map(column_config).collect::<Vec<_>>()),
        ),
    )
        .prop_map(move |(description, column_configs)| TableConfig {
            identifier: identifier.to_owned(),
            description: description.map(TextLines::from),
            column_configs,
            ..TableConfig::default()
        })
}

/// A valid space over the pools: 1–4 tables, and every other part present, empty or
/// absent.
fn space() -> impl Strategy<Value = SpaceConfig> {
    let tables = subsequence(TABLES.to_vec(), 1..=4)
        .prop_flat_map(|names| names.into_iter().map(table_config).collect::<Vec<_>>());
    (
        tables,
        subsequence(METRIC_VIEWS[..2].to_vec(), 0..=2),
        proptest::option::of(sentence()),
        subsequence(vec!["How many?", "Revenue by region?"], 0..=2),
        subsequence(vec!["What sells?", "Who buys?"], 0..=2),
        any::<bool>(),
        proptest::option::of(word()),
        subsequence(FUNCTIONS[..2].to_vec(), 0..=2),
        any::<bool>(),
    )
        .prop_map(
            |(tables, views, text, examples, samples, join, filter, functions, empty_lists)| {
                let mut config = SpaceConfig {
                    version: Some(2),
                    ..SpaceConfig::default()
                };
                let pair = (tables.len() >= 2)
                    .then(|| (tables[0].identifier.clone(), tables[1].identifier.clone()));
                *config.tables_mut() = tables;
                for view in views {
                    config.metric_views_mut().push(TableConfig::new(view));
                }
                if let Some(text) = text {
                    config.text_instructions_mut().push(TextInstruction {
                        id: id(100),
                        content: TextLines::from(text),
                        ..TextInstruction::default()
                    });
                }
                for (n, question) in (200..).zip(examples) {
                    config.example_question_sqls_mut().push(ExampleQuestionSql {
                        id: id(n),
                        question: question.into(),
                        sql: "SELECT 1".into(),
                        ..ExampleQuestionSql::default()
                    });
                }
                for (n, question) in (300..).zip(samples) {
                    config.sample_questions_mut().push(SampleQuestion {
                        id: id(n),
                        question: question.into(),
                        ..SampleQuestion::default()
                    });
                }
                if let (true, Some((left, right))) = (join, pair) {
                    config.join_specs_mut().push(JoinSpec {
                        id: id(400),
                        left: JoinTable {
                            identifier: left,
                            ..JoinTable::default()
                        },
                        right: JoinTable {
                            identifier: right,
                            ..JoinTable::default()
                        },
                        sql: "t0.c0 = t1.c0".into(),
                        ..JoinSpec::default()
                    });
                }
                if let Some(name) = filter {
                    config.snippets_mut(SnippetKind::Filter).push(SqlSnippet {
                        id: id(500),
                        sql: "t0.c0 > 1".into(),
                        display_name: Some(name),
                        ..SqlSnippet::default()
                    });
                }
                for (n, function) in (600..).zip(functions) {
                    config.sql_functions_mut().push(SqlFunction {
                        id: id(n),
                        identifier: function.to_owned(),
                        ..SqlFunction::default()
                    });
                }
                if empty_lists {
                    // Present but empty lists must stay present and empty.
                    config.join_specs_mut();
                    config.sample_questions_mut();
                    config.snippets_mut(SnippetKind::Measure);
                }
                config
            },
        )
}

/// Every table with columns `c0`–`c3`, comments, tags and properties; three metric
/// views and three functions, all fully known.
fn catalog() -> CatalogSnapshot {
    let mut snapshot = CatalogSnapshot {
        schemas: BTreeSet::from(["main.sales".to_owned()]),
        ..CatalogSnapshot::default()
    };
    for identifier in TABLES {
        let columns = ["c0", "c1", "c2", "c3"]
            .into_iter()
            .map(|name| CatalogColumn {
                name: name.to_owned(),
                data_type: "STRING".to_owned(),
                full_data_type: None,
                nullable: None,
                comment: (name == "c0").then(|| "first".to_owned()),
                tags: BTreeMap::from([("pii".to_owned(), "no".to_owned())]),
            })
            .collect();
        snapshot.tables.insert(
            identifier.to_owned(),
            CatalogTable {
                identifier: identifier.to_owned(),
                table_type: "MANAGED".to_owned(),
                comment: Some("a table".to_owned()),
                columns,
                tags: BTreeMap::from([("domain".to_owned(), "alpha".to_owned())]),
                properties: Some(BTreeMap::from([("p".to_owned(), "1".to_owned())])),
                view_definition: None,
            },
        );
    }
    for identifier in METRIC_VIEWS {
        snapshot.tables.insert(
            identifier.to_owned(),
            CatalogTable {
                identifier: identifier.to_owned(),
                table_type: "METRIC_VIEW".to_owned(),
                comment: None,
                columns: Vec::new(),
                tags: BTreeMap::new(),
                properties: Some(BTreeMap::new()),
                view_definition: Some("version: 1.1\nsource: main.sales.t0\n".to_owned()),
            },
        );
    }
    for identifier in FUNCTIONS {
        snapshot.routines.insert(
            identifier.to_owned(),
            Routine {
                identifier: identifier.to_owned(),
                routine_type: "FUNCTION".to_owned(),
                return_type: Some("INT".to_owned()),
                comment: None,
                parameters: Some(Vec::new()),
                returns: Some(Vec::new()),
                definition: Some("1".to_owned()),
            },
        );
    }
    snapshot
}

/// A table of the pools, or one no space has.
fn any_table() -> impl Strategy<Value = String> {
    proptest::sample::select(vec![
        TABLES[0],
        TABLES[1],
        TABLES[2],
        TABLES[3],
        "main.sales.zz",
    ])
    .prop_map(str::to_owned)
}

fn any_column() -> impl Strategy<Value = ColumnTarget> {
    (
        any_table(),
        proptest::sample::select(vec!["c0", "c1", "c2", "c3", "zz"]),
    )
        .prop_map(|(table, column)| ColumnTarget {
            table,
            column: column.to_owned(),
        })
}

fn uc_object() -> impl Strategy<Value = UcObject> {
    prop_oneof![
        any_table().prop_map(|identifier| UcObject::Table { identifier }),
        any_column().prop_map(|target| UcObject::Column {
            table: target.table,
            column: target.column,
        }),
    ]
}

fn one_of(items: &[&'static str]) -> impl Strategy<Value = String> + Clone {
    proptest::sample::select(items.to_vec()).prop_map(str::to_owned)
}

/// Any op of the DSL, on targets that exist or not.
fn op() -> impl Strategy<Value = PatchOp> {
    let views = one_of(&[
        METRIC_VIEWS[0],
        METRIC_VIEWS[1],
        METRIC_VIEWS[2],
        "main.sales.mv9",
    ]);
    let functions = one_of(&[FUNCTIONS[0], FUNCTIONS[1], FUNCTIONS[2], "main.sales.f9"]);
    let relationship = prop_oneof![
        Just(Relationship::ManyToOne),
        Just(Relationship::OneToMany),
        Just(Relationship::OneToOne),
        Just(Relationship::ManyToMany),
    ];
    let kind = prop_oneof![
        Just(SnippetKind::Filter),
        Just(SnippetKind::Expression),
        Just(SnippetKind::Measure),
    ];
    prop_oneof![
        (any_table(), sentence())
            .prop_map(|(target, value)| PatchOp::SetTableDescription { target, value }),
        (any_column(), sentence())
            .prop_map(|(target, value)| PatchOp::SetColumnDescription { target, value }),
        (any_column(), word())
            .prop_map(|(target, value)| PatchOp::AddColumnSynonym { target, value }),
        (any_column(), word())
            .prop_map(|(target, value)| PatchOp::RemoveColumnSynonym { target, value }),
        (any_column(), any::<bool>())
            .prop_map(|(target, value)| PatchOp::SetColumnExclude { target, value }),
        (any_column(), any::<bool>())
            .prop_map(|(target, value)| PatchOp::EnableExampleValues { target, value }),
        (any_column(), any::<bool>())
            .prop_map(|(target, value)| PatchOp::EnableValueDictionary { target, value }),
        (uc_object(), sentence())
            .prop_map(|(target, value)| PatchOp::SetUcComment { target, value }),
        (uc_object(), word(), word()).prop_map(|(target, key, value)| PatchOp::SetUcTag {
            target,
            key,
            value
        }),
        (views.clone(), word()).prop_map(|(target, word)| PatchOp::CreateMetricView {
            value: format!("version: 1.1\nsource: main.sales.t0\ncomment: {word}\n"),
            target,
        }),
        views.prop_map(|target| PatchOp::AddMetricViewToSpace { target }),
        (functions.clone(), 0..5_u8).prop_map(|(target, n)| PatchOp::CreateFunction {
            value: format!("CREATE OR REPLACE FUNCTION {target}() RETURNS INT RETURN {n}"),
            target,
        }),
        functions.prop_map(|target| PatchOp::AddFunctionToSpace { target }),
        (any_table(), word(), word()).prop_map(|(target, key, value)| PatchOp::SetTableProperty {
            target,
            key,
            value
        }),
        sentence().prop_map(|value| PatchOp::AddInstruction { value }),
        (prop_oneof![Just(id(100)), Just(id(999))], sentence())
            .prop_map(|(target, value)| PatchOp::UpdateInstruction { target, value }),
        (sentence(), 0..5_u8, proptest::option::of(word())).prop_map(
            |(question, n, usage_guidance)| PatchOp::AddExampleSql {
                question,
                sql: format!("SELECT {n}"),
                usage_guidance,
                parameters: if n % 2 == 1 {
                    vec![ExampleParameter {
                        name: "n".to_owned(),
                        type_hint: "INT".to_owned(),
                        description: None,
                    }]
                } else {
                    Vec::new()
                },
            }
        ),
        (200..203_u64).prop_map(|n| PatchOp::RemoveExampleSql { target: id(n) }),
        (any_table(), any_table(), relationship).prop_map(|(left, right, relationship)| {
            PatchOp::AddJoinSpec {
                condition: format!("{left}.c0 = {right}.c1"),
                left,
                right,
                relationship,
            }
        }),
        (
            kind,
            word(),
            0..5_u8,
            proptest::collection::vec(word(), 0..3)
        )
            .prop_map(|(kind, name, n, synonyms)| PatchOp::AddSqlSnippet {
                kind,
                name,
                sql: format!("t0.c0 > {n}"),
                synonyms,
            }),
        sentence().prop_map(|value| PatchOp::AddSampleQuestion { value }),
    ]
}

/// The ops that apply one after the other: each kept when the set so far plus it is
/// accepted.
fn applicable(space: &SpaceConfig, catalog: &CatalogSnapshot, ops: Vec<PatchOp>) -> Vec<PatchOp> {
    let mut kept: Vec<PatchOp> = Vec::new();
    for op in ops {
        kept.push(op);
        if apply_patch_set(space, catalog, &set(kept.clone()), NOW).is_err() {
            kept.pop();
        }
    }
    kept
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn inverses_restore_the_canonical_original(
        space in space(),
        ops in proptest::collection::vec(op(), 1..10),
    ) {
        prop_assert!(!crate::space::has_errors(&space.validate()), "{:?}", space.validate());
        let catalog = catalog();
        let ops = applicable(&space, &catalog, ops);
        let set = set(ops);
        let application = apply_patch_set(&space, &catalog, &set, NOW).unwrap();
        assert_round_trip(&space, &set, &application);
    }

    #[test]
    fn any_set_either_round_trips_or_leaves_the_space_untouched(
        space in space(),
        ops in proptest::collection::vec(op(), 1..6),
    ) {
        let before = space.clone();
        let set = set(ops);
        if let Ok(application) = apply_patch_set(&space, &catalog(), &set, NOW) {
            assert_round_trip(&space, &set, &application);
        } else {
            prop_assert_eq!(&space, &before);
        }
    }

    #[test]
    fn a_refusal_at_any_index_applies_nothing(
        space in space(),
        ops in proptest::collection::vec(op(), 1..8),
        at in any::<proptest::sample::Index>(),
    ) {
        let catalog = catalog();
        let mut ops = applicable(&space, &catalog, ops);
        let index = at.index(ops.len() + 1);
        ops.insert(index, PatchOp::RemoveExampleSql { target: id(999) });
        let before = space.clone();
        match apply_patch_set(&space, &catalog, &set(ops), NOW) {
            Err(PatchRefusal::Inapplicable { index: refused, .. }) => {
                prop_assert_eq!(refused, index);
            }
            other => prop_assert!(false, "expected a refusal at {}, got {:?}", index, other),
        }
        prop_assert_eq!(space, before);
    }
}

/// The property is not vacuous: the sets it checks are long and varied.
#[test]
fn the_generated_sets_apply_several_kinds_of_op() {
    let mut runner = TestRunner::deterministic();
    let strategy = (space(), proptest::collection::vec(op(), 1..10));
    let catalog = catalog();
    let mut kept = 0;
    let mut kinds = BTreeSet::new();
    let cases = 100;
    for _ in 0..cases {
        let (space, ops) = strategy.new_tree(&mut runner).unwrap().current();
        let ops = applicable(&space, &catalog, ops);
        kept += ops.len();
        kinds.extend(ops.iter().map(PatchOp::name));
    }
    assert!(kept >= 2 * cases, "only {kept} ops kept in {cases} sets");
    assert!(
        kinds.len() >= 18,
        "only {} kinds of op applied: {kinds:?}",
        kinds.len()
    );
}
