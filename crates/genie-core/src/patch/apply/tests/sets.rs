//! Whole sets: conflicts, validation after each patch, an invalid base, ids.

use super::support::{NOW, apply, base, catalog, orders, refuse, refuse_on, set};
use crate::patch::{PatchConflict, PatchOp, PatchRefusal, apply_patch_set};
use crate::space::{MAX_STRING_CHARS, SqlFunction, TableConfig};

fn text(value: &str) -> String {
    value.to_owned()
}

#[test]
fn a_conflicting_set_is_refused_before_any_patch() {
    let refusal = refuse_on(
        &base(),
        vec![
            PatchOp::SetColumnDescription {
                target: orders("amount"),
                value: text("one"),
            },
            PatchOp::SetColumnDescription {
                target: orders("AMOUNT"),
                value: text("two"),
            },
        ],
    );
    assert!(matches!(
        &refusal,
        PatchRefusal::Conflicts { conflicts } if matches!(
            conflicts.as_slice(),
            [PatchConflict::SameTarget { first: 0, second: 1, .. }]
        )
    ));
    assert_eq!(
        refusal.to_string(),
        "the patch set conflicts: patches 0 and 1 both change column description \
         main.sales.orders.amount"
    );
}

#[test]
fn a_patch_that_breaks_a_validation_rule_is_named_with_the_rule() {
    let refusal = refuse(vec![
        PatchOp::AddSampleQuestion {
            value: text("How many customers?"),
        },
        PatchOp::SetColumnDescription {
            target: orders("amount"),
            value: "x".repeat(MAX_STRING_CHARS + 1),
        },
    ]);
    assert_eq!(
        refusal,
        "patch 1 (`set_column_description`) breaks a validation rule: \
         `data_sources.tables[1].column_configs[0].description: text of 25001 characters, \
         more than the limit of 25000`"
    );
}

#[test]
fn an_invalid_base_is_refused() {
    let mut config = base();
    config.sql_functions_mut().push(SqlFunction {
        id: "not-an-id".to_owned(),
        identifier: "main.sales.f".to_owned(),
        ..SqlFunction::default()
    });
    let refusal = refuse_on(
        &config,
        vec![PatchOp::AddSampleQuestion {
            value: text("How many?"),
        }],
    );
    assert!(
        matches!(refusal, PatchRefusal::InvalidBase { .. }),
        "{refusal}"
    );
    assert!(
        refusal
            .to_string()
            .starts_with("the space breaks 1 validation rule(s) before any patch"),
        "{refusal}"
    );
}

#[test]
fn an_unsorted_base_is_canonicalized_first() {
    let mut config = base();
    config.tables_mut().reverse();
    config
        .tables_mut()
        .push(TableConfig::new("main.sales.a_first"));
    let application = super::support::apply_to(
        &config,
        vec![PatchOp::SetTableDescription {
            target: text("main.sales.a_first"),
            value: text("Sorted first."),
        }],
    );
    assert_eq!(
        application.config.tables()[0].identifier,
        "main.sales.a_first"
    );
}

#[test]
fn a_refusal_at_any_index_applies_nothing() {
    let good = [
        PatchOp::AddSampleQuestion {
            value: text("How many customers?"),
        },
        PatchOp::SetUcTag {
            target: crate::patch::UcObject::Table {
                identifier: text("main.sales.orders"),
            },
            key: text("domain"),
            value: text("retail"),
        },
        PatchOp::AddColumnSynonym {
            target: orders("amount"),
            value: text("order value"),
        },
    ];
    for index in 0..=good.len() {
        let mut ops = good.to_vec();
        ops.insert(
            index,
            PatchOp::RemoveExampleSql {
                target: text("01f00000000000000000000000000e99"),
            },
        );
        match refuse_on(&base(), ops) {
            PatchRefusal::Inapplicable { index: at, op, .. } => {
                assert_eq!((at, op), (index, "remove_example_sql"));
            }
            other => panic!("{other}"),
        }
    }
}

#[test]
fn ids_are_time_ordered_and_the_same_for_the_same_set_and_time() {
    let ops = vec![
        PatchOp::AddSampleQuestion {
            value: text("How many customers?"),
        },
        PatchOp::AddSampleQuestion {
            value: text("How many stores?"),
        },
    ];
    let once = apply(ops.clone());
    let again = apply(ops.clone());
    assert_eq!(once.config, again.config);
    let ids: Vec<&str> = once
        .config
        .sample_questions()
        .iter()
        .map(|question| question.id.as_str())
        .collect();
    assert!(ids.iter().all(|id| id.starts_with(&format!("{NOW:016x}"))));
    assert_ne!(ids[0], ids[1]);
    let later = apply_patch_set(&base(), &catalog(), &set(ops), NOW + 1).unwrap();
    assert!(later.config.sample_questions()[0].id > once.config.sample_questions()[1].id);
}

#[test]
fn uc_and_space_changes_mix_and_hashes_chain() {
    let application = apply(vec![
        PatchOp::SetUcComment {
            target: crate::patch::UcObject::Table {
                identifier: text("main.sales.orders"),
            },
            value: text("Order transactions"),
        },
        PatchOp::SetColumnDescription {
            target: orders("amount"),
            value: text("Order total in USD."),
        },
    ]);
    let [uc, space] = application.changes.as_slice() else {
        panic!("two changes");
    };
    assert!(uc.ddl().is_some() && uc.space_inverse().is_none());
    assert_eq!(uc.config_hash_after, application.config_hash_before);
    assert!(space.ddl().is_none());
    assert_ne!(space.config_hash_after, space.config_hash_before);
}
