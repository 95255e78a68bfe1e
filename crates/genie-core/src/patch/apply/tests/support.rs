//! A small space and its catalog, and helpers that check every application undoes.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use crate::catalog::{
    CatalogColumn, CatalogSnapshot, CatalogTable, Routine, RoutineColumn, RoutineParameter,
};
use crate::patch::{
    ColumnTarget, Patch, PatchApplication, PatchOp, PatchRefusal, PatchSet, Risk, apply_patch_set,
};
use crate::space::SpaceConfig;

/// 2026-01-01T00:00:00Z.
pub(super) const NOW: u64 = 1_767_225_600_000;

/// The id of the base's example SQL.
pub(super) const EXAMPLE_ID: &str = "01f00000000000000000000000000e01";

/// Two tables (one without column configs), one example SQL; no text instruction,
/// join spec, snippet, sample question, metric view or function, so adding any of them
/// creates its sections.
pub(super) fn base() -> SpaceConfig {
    serde_json::from_value(json!({
        "version": 2,
        "data_sources": {"tables": [
            {"identifier": "main.sales.customers"},
            {"identifier": "main.sales.orders", "description": ["Order transactions."],
             "column_configs": [
                {"column_name": "amount", "synonyms": ["revenue"]},
                {"column_name": "region", "description": ["Sales region code."],
                 "enable_format_assistance": true}
             ]}
        ]},
        "instructions": {"example_question_sqls": [
            {"id": EXAMPLE_ID, "question": ["How many orders?"],
             "sql": ["SELECT COUNT(*) FROM main.sales.orders"]}
        ]}
    }))
    .unwrap()
}

fn column(name: &str, data_type: &str, comment: Option<&str>) -> CatalogColumn {
    CatalogColumn {
        name: name.to_owned(),
        data_type: data_type.to_owned(),
        full_data_type: None,
        nullable: Some(true),
        comment: comment.map(str::to_owned),
        tags: BTreeMap::new(),
    }
}

fn table(identifier: &str, table_type: &str) -> CatalogTable {
    CatalogTable {
        identifier: identifier.to_owned(),
        table_type: table_type.to_owned(),
        comment: None,
        columns: Vec::new(),
        tags: BTreeMap::new(),
        properties: None,
        view_definition: None,
    }
}

/// The catalog of schema `main.sales`: the two tables, a view, two metric views (one
/// whose YAML is not shown) and two functions (one whose body is not shown).
pub(super) fn catalog() -> CatalogSnapshot {
    let mut orders = table("main.sales.orders", "MANAGED");
    orders.comment = Some("Orders".to_owned());
    orders.columns = vec![
        column("amount", "DECIMAL", None),
        column("region", "STRING", Some("Region")),
        column("status", "STRING", None),
    ];
    orders.columns[1]
        .tags
        .insert("pii".to_owned(), "false".to_owned());
    orders.tags.insert("domain".to_owned(), "sales".to_owned());
    orders.properties = Some(BTreeMap::from([(
        "quality".to_owned(),
        "silver".to_owned(),
    )]));
    let mut customers = table("main.sales.customers", "MANAGED");
    customers.columns = vec![
        column("customer_id", "LONG", None),
        column("name", "STRING", None),
    ];
    let mut revenue = table("main.sales.revenue", "METRIC_VIEW");
    revenue.comment = Some("Revenue metrics".to_owned());
    revenue.view_definition = Some("version: 1.1\nsource: main.sales.orders\n".to_owned());
    let tables = [
        orders,
        customers,
        revenue,
        table("main.sales.legacy_metrics", "METRIC_VIEW"),
        table("main.sales.order_view", "VIEW"),
    ];
    let top = Routine {
        identifier: "main.sales.top_customers".to_owned(),
        routine_type: "FUNCTION".to_owned(),
        return_type: Some("TABLE".to_owned()),
        comment: Some("Best customers".to_owned()),
        parameters: Some(vec![RoutineParameter {
            name: "n".to_owned(),
            data_type: "INT".to_owned(),
            default: Some("10".to_owned()),
            comment: Some("How many".to_owned()),
        }]),
        returns: Some(vec![RoutineColumn {
            name: "name".to_owned(),
            data_type: "STRING".to_owned(),
            comment: None,
        }]),
        definition: Some("SELECT name FROM main.sales.customers LIMIT n".to_owned()),
    };
    let opaque = Routine {
        identifier: "main.sales.opaque".to_owned(),
        definition: None,
        ..top.clone()
    };
    CatalogSnapshot {
        schemas: BTreeSet::from(["main.sales".to_owned()]),
        tables: tables
            .into_iter()
            .map(|table| (table.identifier.clone(), table))
            .collect(),
        routines: [top, opaque]
            .into_iter()
            .map(|routine| (routine.identifier.clone(), routine))
            .collect(),
        unavailable: Vec::new(),
    }
}

pub(super) fn target(table: &str, column: &str) -> ColumnTarget {
    ColumnTarget {
        table: table.to_owned(),
        column: column.to_owned(),
    }
}

pub(super) fn orders(column: &str) -> ColumnTarget {
    target("main.sales.orders", column)
}

pub(super) fn patch(op: PatchOp) -> Patch {
    Patch {
        lever: op.natural_lever(),
        op,
        risk: Risk::Low,
        rationale: "test".to_owned(),
        fixes: vec!["q1".to_owned()],
        cluster: None,
    }
}

pub(super) fn set(ops: Vec<PatchOp>) -> PatchSet {
    PatchSet {
        lever: ops
            .first()
            .map_or(crate::taxonomy::Lever::UcMetadata, PatchOp::natural_lever),
        patches: ops.into_iter().map(patch).collect(),
    }
}

/// Applies `ops` to `config` with [`catalog`], checking that the inverses restore the
/// canonical base byte for byte and that the hashes chain.
pub(super) fn apply_to(config: &SpaceConfig, ops: Vec<PatchOp>) -> PatchApplication {
    let set = set(ops);
    let application = apply_patch_set(config, &catalog(), &set, NOW)
        .unwrap_or_else(|refusal| panic!("{refusal}"));
    assert_round_trip(config, &set, &application);
    application
}

/// [`apply_to`] on [`base`].
pub(super) fn apply(ops: Vec<PatchOp>) -> PatchApplication {
    apply_to(&base(), ops)
}

/// The refusal of `ops` on `config`, checking that `config` is untouched.
pub(super) fn refuse_on(config: &SpaceConfig, ops: Vec<PatchOp>) -> PatchRefusal {
    let before = config.clone();
    let refusal = apply_patch_set(config, &catalog(), &set(ops), NOW).unwrap_err();
    assert_eq!(*config, before);
    refusal
}

/// [`refuse_on`] on [`base`], as its message.
pub(super) fn refuse(ops: Vec<PatchOp>) -> String {
    refuse_on(&base(), ops).to_string()
}

/// What every successful application must satisfy.
pub(super) fn assert_round_trip(
    config: &SpaceConfig,
    set: &PatchSet,
    application: &PatchApplication,
) {
    let original = config.clone().canonicalized();
    assert_eq!(application.changes.len(), set.patches.len());
    assert_eq!(application.config_hash_before, original.content_hash());
    assert_eq!(
        application.config_hash_after,
        application.config.content_hash()
    );
    assert_eq!(
        application.config,
        application.config.clone().canonicalized()
    );
    assert!(
        !crate::space::has_errors(&application.config.validate()),
        "{:?}",
        application.config.validate()
    );
    let mut hash = &application.config_hash_before;
    for (index, change) in application.changes.iter().enumerate() {
        assert_eq!(change.index, index);
        assert_eq!(&change.config_hash_before, hash);
        if change.ddl().is_some() {
            assert_eq!(change.config_hash_after, change.config_hash_before);
        }
        hash = &change.config_hash_after;
    }
    assert_eq!(hash, &application.config_hash_after);
    let restored = application.restored().unwrap();
    assert_eq!(restored.to_json(), original.to_json());
    // The changes survive the session file: read back, they still restore exactly.
    let json = serde_json::to_string(&application.changes).unwrap();
    let read: Vec<crate::patch::PatchChange> = serde_json::from_str(&json).unwrap();
    assert_eq!(read, application.changes);
}
