//! Every Unity Catalog op: the statement, its inverse, and the refusals when the
//! prior state is unknown.

use std::fmt::Write as _;

use super::support::{NOW, apply, base, catalog, orders, refuse, set};
use crate::catalog::CatalogSnapshot;
use crate::patch::{PatchApplication, PatchEffect, PatchOp, UcObject, apply_patch_set};

fn text(value: &str) -> String {
    value.to_owned()
}

/// Each change as `index kind object -> bundle file`, then its two statements.
fn ddl_listing(application: &PatchApplication) -> String {
    let mut listing = String::new();
    for change in &application.changes {
        let PatchEffect::UnityCatalog {
            object_kind,
            object,
            ddl,
            bundle_file,
        } = &change.effect
        else {
            panic!("not a Unity Catalog change: {change:?}");
        };
        writeln!(
            listing,
            "{} {object_kind:?} {object} -> {bundle_file:?}\n  forward: {}\n  inverse: {}",
            change.index, ddl.forward, ddl.inverse
        )
        .unwrap();
    }
    listing
}

fn table(identifier: &str) -> UcObject {
    UcObject::Table {
        identifier: identifier.to_owned(),
    }
}

fn column(table: &str, column: &str) -> UcObject {
    UcObject::Column {
        table: table.to_owned(),
        column: column.to_owned(),
    }
}

#[test]
fn comments_tags_and_properties() {
    let application = apply(vec![
        PatchOp::SetUcComment {
            target: table("main.sales.orders"),
            value: text("Order transactions, one row per order"),
        },
        PatchOp::SetUcComment {
            target: column("main.sales.orders", "AMOUNT"),
            value: text("Order total in USD, tax included"),
        },
        PatchOp::SetUcComment {
            target: column("main.sales.orders", "region"),
            value: text("The customer's sales region"),
        },
        PatchOp::SetUcTag {
            target: table("main.sales.orders"),
            key: text("domain"),
            value: text("retail"),
        },
        PatchOp::SetUcTag {
            target: column("main.sales.orders", "amount"),
            key: text("unit"),
            value: text("usd"),
        },
        PatchOp::SetUcTag {
            target: table("main.sales.revenue"),
            key: text("owner"),
            value: text("finance"),
        },
        PatchOp::SetTableProperty {
            target: text("main.sales.orders"),
            key: text("quality"),
            value: text("gold"),
        },
        PatchOp::SetTableProperty {
            target: text("main.sales.orders"),
            key: text("genie.monitored"),
            value: text("true"),
        },
    ]);
    assert_eq!(
        application.config,
        base().canonicalized(),
        "the space is untouched"
    );
    assert_eq!(
        application.changes[0].before,
        Some(serde_json::json!("Orders"))
    );
    assert_eq!(application.changes[1].before, None);
    insta::assert_snapshot!(ddl_listing(&application));
}

#[test]
fn uc_refusals_name_what_is_unknown() {
    assert_eq!(
        refuse(vec![PatchOp::SetUcComment {
            target: table("main.sales.stores"),
            value: text("Stores"),
        }]),
        "patch 0 (`set_uc_comment`) cannot be applied: the catalog snapshot has no table or \
         view `main.sales.stores`"
    );
    assert!(
        refuse(vec![PatchOp::SetUcComment {
            target: column("main.sales.orders", "discount"),
            value: text("Discount"),
        }])
        .ends_with("the catalog snapshot has no column `discount` of `main.sales.orders`")
    );
    assert!(
        refuse(vec![PatchOp::SetUcComment {
            target: table("main.sales.orders"),
            value: text("Orders"),
        }])
        .ends_with("it changes nothing: `main.sales.orders` already has this comment")
    );
    assert_eq!(
        refuse(vec![PatchOp::SetTableProperty {
            target: text("main.sales.customers"),
            key: text("quality"),
            value: text("gold"),
        }]),
        "patch 0 (`set_table_property`) cannot be applied: the properties of \
         `main.sales.customers` is unknown, so the change could not be undone exactly"
    );
    assert!(
        refuse(vec![PatchOp::SetUcComment {
            target: table("main.sales.orders"),
            value: text(r#"it's "quoted""#),
        }])
        .contains("cannot quote"),
    );
    assert!(
        refuse(vec![PatchOp::SetUcTag {
            target: table("main.sales.orders"),
            key: text(" "),
            value: text("x"),
        }])
        .ends_with("`key` is blank")
    );
}

#[test]
fn metric_views_new_replaced_and_unknown() {
    let application = apply(vec![
        PatchOp::CreateMetricView {
            target: text("main.sales.margin"),
            value: text(
                "version: 1.1\nsource: main.sales.orders\nmeasures:\n  - name: margin\n    expr: SUM(amount)\n",
            ),
        },
        PatchOp::CreateMetricView {
            target: text("main.sales.revenue"),
            value: text("version: 1.1\nsource: main.sales.orders\nfilter: status = 'DONE'\n"),
        },
        // The view patch 0 creates can be added to the space by the same set.
        PatchOp::AddMetricViewToSpace {
            target: text("main.sales.margin"),
        },
    ]);
    assert_eq!(
        application.config.metric_views()[0].identifier,
        "main.sales.margin"
    );
    let mut uc = application.clone();
    uc.changes.truncate(2);
    insta::assert_snapshot!(ddl_listing(&uc));

    assert_eq!(
        refuse(vec![PatchOp::CreateMetricView {
            target: text("main.sales.legacy_metrics"),
            value: text("version: 1.1"),
        }]),
        "patch 0 (`create_metric_view`) cannot be applied: the definition of metric view \
         `main.sales.legacy_metrics` is unknown, so the change could not be undone exactly"
    );
    assert!(
        refuse(vec![PatchOp::CreateMetricView {
            target: text("main.sales.orders"),
            value: text("version: 1.1"),
        }])
        .ends_with("`main.sales.orders` is a `MANAGED`, not a metric view")
    );
    assert!(
        refuse(vec![PatchOp::CreateMetricView {
            target: text("main.finance.margin"),
            value: text("version: 1.1"),
        }])
        .ends_with(
            "whether `main.finance.margin` exists (the catalog snapshot did not read its \
             schema) is unknown, so the change could not be undone exactly"
        )
    );
    assert!(
        refuse(vec![PatchOp::CreateMetricView {
            target: text("main.sales.margin"),
            value: text("expr: '$$'"),
        }])
        .contains("it holds `$$`")
    );
}

#[test]
fn functions_new_replaced_and_unknown() {
    let application = apply(vec![
        PatchOp::CreateFunction {
            target: text("main.sales.orders_in"),
            value: text(
                "CREATE OR REPLACE FUNCTION main.sales.orders_in(p_region STRING)\n\
                 RETURNS TABLE (order_id BIGINT)\nRETURN SELECT order_id FROM main.sales.orders \
                 WHERE region = p_region",
            ),
        },
        PatchOp::CreateFunction {
            target: text("main.sales.top_customers"),
            value: text(
                "create or replace function `main`.`sales`.`top_customers`(n INT DEFAULT 5) \
                 RETURNS TABLE (name STRING) RETURN SELECT name FROM main.sales.customers \
                 ORDER BY name LIMIT n",
            ),
        },
        PatchOp::AddFunctionToSpace {
            target: text("main.sales.orders_in"),
        },
    ]);
    assert_eq!(application.config.sql_functions().len(), 1);
    let mut uc = application.clone();
    uc.changes.truncate(2);
    insta::assert_snapshot!(ddl_listing(&uc));

    assert!(
        refuse(vec![PatchOp::CreateFunction {
            target: text("main.sales.opaque"),
            value: text("CREATE OR REPLACE FUNCTION main.sales.opaque() RETURNS INT RETURN 1"),
        }])
        .ends_with(
            "the definition of function `main.sales.opaque` is unknown, so the change could \
             not be undone exactly"
        )
    );
    assert_eq!(
        refuse(vec![PatchOp::CreateFunction {
            target: text("main.sales.f"),
            value: text("CREATE FUNCTION main.sales.f() RETURNS INT RETURN 1"),
        }]),
        "patch 0 (`create_function`) cannot be applied: the statement must be `CREATE OR \
         REPLACE FUNCTION main.sales.f …`, found `CREATE FUNCTION main.sales.f() RETURNS INT \
         RETURN 1`"
    );
    assert!(
        refuse(vec![PatchOp::CreateFunction {
            target: text("main.sales.f"),
            value: text("CREATE OR REPLACE FUNCTION main.sales.g() RETURNS INT RETURN 1"),
        }])
        .contains("must be `CREATE OR REPLACE FUNCTION main.sales.f")
    );
}

#[test]
fn without_a_catalog_every_uc_patch_is_refused_and_space_patches_apply() {
    let empty = CatalogSnapshot::default();
    let refusal = apply_patch_set(
        &base(),
        &empty,
        &set(vec![PatchOp::SetUcTag {
            target: table("main.sales.orders"),
            key: text("k"),
            value: text("v"),
        }]),
        NOW,
    )
    .unwrap_err();
    assert!(
        refusal
            .to_string()
            .contains("the catalog snapshot has no table")
    );
    let applied = apply_patch_set(
        &base(),
        &empty,
        &set(vec![PatchOp::SetColumnExclude {
            target: orders("amount"),
            value: true,
        }]),
        NOW,
    );
    assert!(applied.is_ok());
    assert!(catalog().covers("main.sales.anything"));
}
