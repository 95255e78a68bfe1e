//! Every space op: applied, undone (checked by the support helpers) and refused.

use serde_json::json;

use super::support::{EXAMPLE_ID, apply, apply_to, base, orders, refuse, refuse_on, target};
use crate::patch::{ExampleParameter, PatchChange, PatchOp, Relationship, SpaceUndo};
use crate::space::{SnippetKind, SpaceConfig, TextInstruction};

fn text(value: &str) -> String {
    value.to_owned()
}

fn only(application: &crate::patch::PatchApplication) -> &PatchChange {
    assert_eq!(application.changes.len(), 1);
    &application.changes[0]
}

#[test]
fn set_table_description() {
    let application = apply(vec![PatchOp::SetTableDescription {
        target: text("MAIN.sales.orders"),
        value: text("One row per order.\nAmounts in USD."),
    }]);
    let orders = application.config.data_source("main.sales.orders").unwrap();
    assert_eq!(
        orders.description.as_ref().unwrap().lines(),
        ["One row per order.\n", "Amounts in USD."]
    );
    let change = only(&application);
    assert_eq!(change.before, Some(json!(["Order transactions."])));
    assert_eq!(
        change.after,
        Some(json!(["One row per order.\n", "Amounts in USD."]))
    );
    // A table without a description gets one; the inverse makes it absent again.
    apply(vec![PatchOp::SetTableDescription {
        target: text("main.sales.customers"),
        value: text("One row per customer."),
    }]);

    assert_eq!(
        refuse(vec![PatchOp::SetTableDescription {
            target: text("main.sales.stores"),
            value: text("Stores."),
        }]),
        "patch 0 (`set_table_description`) cannot be applied: the space has no table or \
         metric view `main.sales.stores`"
    );
    assert_eq!(
        refuse(vec![PatchOp::SetTableDescription {
            target: text("main.sales.orders"),
            value: text("Order transactions."),
        }]),
        "patch 0 (`set_table_description`) cannot be applied: it changes nothing: \
         `main.sales.orders` already has this description"
    );
    assert_eq!(
        refuse(vec![PatchOp::SetTableDescription {
            target: text("main.sales.orders"),
            value: text("  "),
        }]),
        "patch 0 (`set_table_description`) cannot be applied: `value` is blank"
    );
}

#[test]
fn set_column_description_on_a_configured_column() {
    let application = apply(vec![PatchOp::SetColumnDescription {
        target: orders("AMOUNT"),
        value: text("Order total in USD."),
    }]);
    let change = only(&application);
    assert_eq!(
        change.before,
        Some(json!({"column_name": "amount", "synonyms": ["revenue"]}))
    );
    assert_eq!(
        change.after,
        Some(json!({"column_name": "amount", "synonyms": ["revenue"],
                    "description": ["Order total in USD."]}))
    );
    assert!(matches!(
        change.space_inverse().unwrap().undo,
        SpaceUndo::RestoreColumn { ref column, prior: Some(_), .. } if column == "amount"
    ));
}

#[test]
fn a_column_without_config_is_created_from_the_catalog_and_removed_again() {
    // `customers` has no `column_configs` list at all: the inverse drops it again.
    let application = apply(vec![PatchOp::AddColumnSynonym {
        target: target("main.sales.customers", "NAME"),
        value: text("customer name"),
    }]);
    let customers = application
        .config
        .data_source("main.sales.customers")
        .unwrap();
    assert_eq!(
        customers.column("name").unwrap().synonyms(),
        ["customer name"]
    );
    let inverse = only(&application).space_inverse().unwrap();
    assert_eq!(inverse.prune.len(), 1, "{inverse:?}");
    // `orders` has a list; a new column in it leaves the list on undo.
    let application = apply(vec![PatchOp::SetColumnExclude {
        target: orders("status"),
        value: true,
    }]);
    assert!(only(&application).space_inverse().unwrap().prune.is_empty());

    assert_eq!(
        refuse(vec![PatchOp::SetColumnExclude {
            target: orders("discount"),
            value: true,
        }]),
        "patch 0 (`set_column_exclude`) cannot be applied: `main.sales.orders` has no column \
         `discount` (no column config in the space, none in the catalog snapshot)"
    );
}

#[test]
fn add_and_remove_column_synonyms() {
    let application = apply(vec![
        PatchOp::AddColumnSynonym {
            target: orders("amount"),
            value: text(" order value "),
        },
        PatchOp::RemoveColumnSynonym {
            target: orders("amount"),
            value: text("REVENUE"),
        },
    ]);
    let amount = application
        .config
        .data_source("main.sales.orders")
        .unwrap()
        .column("amount")
        .unwrap()
        .clone();
    assert_eq!(amount.synonyms(), ["order value"]);

    assert_eq!(
        refuse(vec![PatchOp::AddColumnSynonym {
            target: orders("amount"),
            value: text("Revenue"),
        }]),
        "patch 0 (`add_column_synonym`) cannot be applied: the space already has synonym \
         `Revenue` on column `amount`"
    );
    assert_eq!(
        refuse(vec![PatchOp::RemoveColumnSynonym {
            target: orders("region"),
            value: text("area"),
        }]),
        "patch 0 (`remove_column_synonym`) cannot be applied: column `region` has no synonym \
         `area`"
    );
}

#[test]
fn column_switches() {
    let application = apply(vec![
        PatchOp::SetColumnExclude {
            target: orders("amount"),
            value: true,
        },
        PatchOp::EnableExampleValues {
            target: orders("amount"),
            value: true,
        },
        PatchOp::EnableValueDictionary {
            target: orders("region"),
            value: true,
        },
    ]);
    let orders_config = application.config.data_source("main.sales.orders").unwrap();
    let amount = orders_config.column("amount").unwrap();
    assert!(amount.is_excluded() && amount.format_assistance());
    assert!(orders_config.column("region").unwrap().entity_matching());
    assert!(
        application.warnings.is_empty(),
        "{:?}",
        application.warnings
    );

    // Entity matching without format assistance applies, with the validator's warning.
    let application = apply(vec![PatchOp::EnableValueDictionary {
        target: orders("amount"),
        value: true,
    }]);
    assert_eq!(application.warnings.len(), 1, "{:?}", application.warnings);

    for (op, message) in [
        (
            PatchOp::EnableExampleValues {
                target: orders("region"),
                value: true,
            },
            "`enable_format_assistance` is already `true`",
        ),
        (
            PatchOp::EnableValueDictionary {
                target: orders("region"),
                value: false,
            },
            "`enable_entity_matching` is already `false`",
        ),
        (
            PatchOp::SetColumnExclude {
                target: orders("region"),
                value: false,
            },
            "`exclude` is already `false`",
        ),
    ] {
        let refusal = refuse(vec![op]);
        assert!(
            refusal.ends_with(&format!("it changes nothing: {message}")),
            "{refusal}"
        );
    }
}

#[test]
fn add_instruction_creates_then_appends_the_text_instruction() {
    let application = apply(vec![
        PatchOp::AddInstruction {
            value: text("Revenue means SUM(orders.amount)."),
        },
        PatchOp::AddInstruction {
            value: text("Fiscal years start in April."),
        },
    ]);
    let instructions = application.config.text_instructions();
    assert_eq!(instructions.len(), 1);
    assert_eq!(
        instructions[0].content.joined(),
        "Revenue means SUM(orders.amount).\nFiscal years start in April."
    );
    assert!(crate::space::is_valid_id(&instructions[0].id));
    let first = application.changes[0].space_inverse().unwrap();
    assert!(matches!(
        first.undo,
        SpaceUndo::RemoveTextInstruction { .. }
    ));
    assert_eq!(
        first.prune.len(),
        1,
        "the list is created, the section exists"
    );
    assert!(matches!(
        application.changes[1].space_inverse().unwrap().undo,
        SpaceUndo::RestoreTextInstruction { .. }
    ));

    let with_text = application.config.clone();
    assert_eq!(
        refuse_on(
            &with_text,
            vec![PatchOp::AddInstruction {
                value: text("fiscal YEARS start in april."),
            }]
        )
        .to_string(),
        "patch 0 (`add_instruction`) cannot be applied: the space already has this text in \
         its text instruction"
    );
}

fn with_text_instruction() -> SpaceConfig {
    let mut config = base();
    config.text_instructions_mut().push(TextInstruction {
        id: "01f00000000000000000000000000a01".to_owned(),
        content: "Revenue means SUM(orders.amount).\n".into(),
        ..TextInstruction::default()
    });
    config
}

#[test]
fn update_instruction() {
    let config = with_text_instruction();
    let application = apply_to(
        &config,
        vec![PatchOp::UpdateInstruction {
            target: text("01f00000000000000000000000000a01"),
            value: text("Revenue means SUM(orders.amount) net of tax."),
        }],
    );
    assert_eq!(
        application.config.text_instructions()[0].content.joined(),
        "Revenue means SUM(orders.amount) net of tax."
    );
    // Appending to an instruction that ends with a newline makes a paragraph.
    let appended = apply_to(
        &config,
        vec![PatchOp::AddInstruction {
            value: text("Round to cents."),
        }],
    );
    assert_eq!(
        appended.config.text_instructions()[0].content.joined(),
        "Revenue means SUM(orders.amount).\n\nRound to cents."
    );
    assert_eq!(
        refuse_on(
            &config,
            vec![PatchOp::UpdateInstruction {
                target: text("01f00000000000000000000000000a99"),
                value: text("x"),
            }]
        )
        .to_string(),
        "patch 0 (`update_instruction`) cannot be applied: the space has no text instruction \
         `01f00000000000000000000000000a99`"
    );
}

#[test]
fn add_and_remove_example_sql() {
    let application = apply(vec![
        PatchOp::RemoveExampleSql {
            target: text(EXAMPLE_ID),
        },
        PatchOp::AddExampleSql {
            question: text("Revenue by region?"),
            sql: text(
                "SELECT region, SUM(amount)\nFROM main.sales.orders\nWHERE order_date >= :since \
                 AND region = :region\nGROUP BY region",
            ),
            usage_guidance: Some(text("Any per-region revenue question")),
            parameters: vec![
                ExampleParameter {
                    name: text("since"),
                    type_hint: text("DATE"),
                    description: None,
                },
                ExampleParameter {
                    name: text("region"),
                    type_hint: text("STRING"),
                    description: Some(text("Region code")),
                },
            ],
        },
    ]);
    let examples = application.config.example_question_sqls();
    assert_eq!(examples.len(), 1);
    let declared: Vec<(&str, Option<&str>)> = examples[0]
        .parameters()
        .iter()
        .map(|parameter| (parameter.name.as_str(), parameter.type_hint.as_deref()))
        .collect();
    assert_eq!(
        declared,
        [("region", Some("STRING")), ("since", Some("DATE"))],
        "declared, sorted by name"
    );
    assert_eq!(examples[0].sql.lines().len(), 4);
    assert_eq!(
        examples[0].usage_guidance.as_ref().unwrap().joined(),
        "Any per-region revenue question"
    );
    assert_eq!(application.changes[0].after, None);
    assert_eq!(application.changes[1].before, None);

    assert_eq!(
        refuse(vec![PatchOp::RemoveExampleSql {
            target: text("01f00000000000000000000000000e99"),
        }]),
        "patch 0 (`remove_example_sql`) cannot be applied: the space has no example SQL \
         `01f00000000000000000000000000e99`"
    );
    assert_eq!(
        refuse(vec![PatchOp::AddExampleSql {
            question: text("how  many ORDERS?"),
            sql: text("SELECT 1"),
            usage_guidance: None,
            parameters: Vec::new(),
        }]),
        "patch 0 (`add_example_sql`) cannot be applied: the space already has an example SQL \
         for `how  many ORDERS?`"
    );
}

#[test]
fn add_join_spec() {
    let application = apply(vec![PatchOp::AddJoinSpec {
        left: text("main.sales.orders"),
        right: text("main.sales.customers"),
        condition: text("`orders`.`customer_id` = `customers`.`customer_id`"),
        relationship: Relationship::ManyToOne,
    }]);
    let join = &application.config.join_specs()[0];
    assert_eq!(
        join.sql.lines(),
        [
            "`orders`.`customer_id` = `customers`.`customer_id`",
            "--rt=FROM_RELATIONSHIP_TYPE_MANY_TO_ONE--"
        ]
    );
    assert_eq!(join.left.alias.as_deref(), Some("orders"));
    assert_eq!(join.right.alias.as_deref(), Some("customers"));
    assert_eq!(
        join.condition(),
        "`orders`.`customer_id` = `customers`.`customer_id`"
    );
    // A second condition on the same pair (a multi-column join) applies; the same
    // condition again does not.
    let joined = application.config.clone();
    apply_to(
        &joined,
        vec![PatchOp::AddJoinSpec {
            left: text("main.sales.customers"),
            right: text("main.sales.orders"),
            condition: text("`orders`.`region` = `customers`.`region`"),
            relationship: Relationship::OneToMany,
        }],
    );
    let refusal = refuse_on(
        &joined,
        vec![PatchOp::AddJoinSpec {
            left: text("main.sales.customers"),
            right: text("main.sales.orders"),
            condition: text("`orders`.`customer_id`  = `customers`.`customer_id`"),
            relationship: Relationship::OneToMany,
        }],
    );
    assert!(
        refusal.to_string().contains("already has the join spec"),
        "{refusal}"
    );

    assert_eq!(
        refuse(vec![PatchOp::AddJoinSpec {
            left: text("main.sales.orders"),
            right: text("MAIN.SALES.ORDERS"),
            condition: text("a.id = b.parent_id"),
            relationship: Relationship::ManyToOne,
        }]),
        "patch 0 (`add_join_spec`) cannot be applied: a join spec joins two different data \
         sources, not `main.sales.orders` with itself"
    );
    assert!(
        refuse(vec![PatchOp::AddJoinSpec {
            left: text("main.sales.orders"),
            right: text("main.sales.stores"),
            condition: text("orders.store_id = stores.store_id"),
            relationship: Relationship::ManyToOne,
        }])
        .ends_with("the space has no table or metric view `main.sales.stores`")
    );
}

#[test]
fn add_sql_snippets() {
    let application = apply(vec![
        PatchOp::AddSqlSnippet {
            kind: SnippetKind::Filter,
            name: text("high value"),
            sql: text("orders.amount > 1000"),
            synonyms: vec![text("big deal"), text(" Big Deal "), text("")],
        },
        PatchOp::AddSqlSnippet {
            kind: SnippetKind::Measure,
            name: text("total_revenue"),
            sql: text("SUM(orders.amount)"),
            synonyms: Vec::new(),
        },
    ]);
    let filter = &application.config.filters()[0];
    assert_eq!(filter.display_name.as_deref(), Some("high value"));
    assert_eq!(filter.alias, None);
    assert_eq!(filter.synonyms(), ["big deal"]);
    let measure = &application.config.measures()[0];
    assert_eq!(measure.alias.as_deref(), Some("total_revenue"));
    assert_eq!(measure.synonyms, None);
    let first = application.changes[0].space_inverse().unwrap();
    assert_eq!(
        first.prune.len(),
        2,
        "the filters list and `sql_snippets`: {first:?}"
    );

    let with_filter = application.config.clone();
    assert_eq!(
        refuse_on(
            &with_filter,
            vec![PatchOp::AddSqlSnippet {
                kind: SnippetKind::Filter,
                name: text("HIGH VALUE"),
                sql: text("orders.amount > 5000"),
                synonyms: Vec::new(),
            }]
        )
        .to_string(),
        "patch 0 (`add_sql_snippet`) cannot be applied: the space already has a filter named \
         `HIGH VALUE`"
    );
}

#[test]
fn add_sample_question() {
    let application = apply(vec![PatchOp::AddSampleQuestion {
        value: text("Which region sells most?"),
    }]);
    assert_eq!(application.config.sample_questions().len(), 1);
    let inverse = only(&application).space_inverse().unwrap();
    assert_eq!(inverse.prune.len(), 2, "the list and the `config` section");
    let asked = application.config.clone();
    assert!(
        refuse_on(
            &asked,
            vec![PatchOp::AddSampleQuestion {
                value: text("which region sells most?"),
            }]
        )
        .to_string()
        .ends_with("the space already has the sample question `which region sells most?`")
    );
}

#[test]
fn add_metric_view_to_space() {
    let application = apply(vec![PatchOp::AddMetricViewToSpace {
        target: text("MAIN.SALES.REVENUE"),
    }]);
    assert_eq!(
        application.config.metric_views()[0].identifier,
        "main.sales.revenue"
    );
    assert_eq!(only(&application).space_inverse().unwrap().prune.len(), 1);

    assert!(
        refuse(vec![PatchOp::AddMetricViewToSpace {
            target: text("main.sales.orders"),
        }])
        .ends_with("the space already has `main.sales.orders` as a data source")
    );
    assert_eq!(
        refuse(vec![PatchOp::AddMetricViewToSpace {
            target: text("main.sales.order_view"),
        }]),
        "patch 0 (`add_metric_view_to_space`) cannot be applied: `main.sales.order_view` is a \
         `VIEW`, not a metric view"
    );
    assert!(
        refuse(vec![PatchOp::AddMetricViewToSpace {
            target: text("main.sales.margin"),
        }])
        .ends_with("the catalog snapshot has no metric view `main.sales.margin`")
    );
}

#[test]
fn add_function_to_space() {
    let application = apply(vec![PatchOp::AddFunctionToSpace {
        target: text("main.sales.top_customers"),
    }]);
    let function = &application.config.sql_functions()[0];
    assert_eq!(function.identifier, "main.sales.top_customers");
    assert!(crate::space::is_valid_id(&function.id));
    let added = application.config.clone();
    assert!(
        refuse_on(
            &added,
            vec![PatchOp::AddFunctionToSpace {
                target: text("`main`.`sales`.`top_customers`"),
            }]
        )
        .to_string()
        .ends_with("the space already has the function `main.sales.top_customers`")
    );
    assert!(
        refuse(vec![PatchOp::AddFunctionToSpace {
            target: text("main.sales.nope"),
        }])
        .ends_with("the catalog snapshot has no function `main.sales.nope`")
    );
}

#[test]
fn a_space_change_is_snapshotted_as_json() {
    let application = apply(vec![
        PatchOp::AddColumnSynonym {
            target: orders("region"),
            value: text("territory"),
        },
        PatchOp::AddJoinSpec {
            left: text("main.sales.orders"),
            right: text("main.sales.customers"),
            condition: text("orders.customer_id = customers.customer_id"),
            relationship: Relationship::ManyToOne,
        },
    ]);
    insta::assert_json_snapshot!(application.changes);
}
