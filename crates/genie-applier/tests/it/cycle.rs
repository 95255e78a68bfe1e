//! Full cycles on the retail fixture.

use genie_core::patch::{ColumnTarget, PatchOp, UcObject, UcWrite};
use genie_core::workers::{Applier, BundleVerification, RollbackRequest, UcWrites};
use genie_sandbox::server::Faults;

use crate::support::*;

fn lever1_set() -> genie_core::patch::PatchSet {
    set(vec![
        PatchOp::SetTableDescription {
            target: "main.retail.ord_ln".to_owned(),
            value: "Order lines: one row per product in an order.".to_owned(),
        },
        PatchOp::SetColumnDescription {
            target: ColumnTarget {
                table: "main.retail.ord_hdr".to_owned(),
                column: "sts_cd".to_owned(),
            },
            value: "Order status: OPEN, SHIPPED, CANCELLED".to_owned(),
        },
        PatchOp::AddColumnSynonym {
            target: ColumnTarget {
                table: "main.retail.str_dim".to_owned(),
                column: "rgn_cd".to_owned(),
            },
            value: "region".to_owned(),
        },
        PatchOp::SetUcComment {
            target: UcObject::Table {
                identifier: "main.retail.ord_ln".to_owned(),
            },
            value: "Order lines".to_owned(),
        },
    ])
}

#[tokio::test]
async fn apply_then_rollback_restores_the_exact_config_under_delay_and_conflicts() {
    let server = sandbox(Faults {
        seed: 3,
        propagation_delay_ms: 300,
        etag_conflict_rate: 0.5,
        ..Faults::default()
    })
    .await;
    let dir = TempDir::new("cycle");
    dir.git_init(&[("databricks.yml", "bundle:\n  name: retail\n")]);
    let mut config = config(&dir);
    config.propagation_wait_ms = 300;
    let genie = genie(&server);
    let applier = applier_with(
        genie.clone(),
        warehouse(&server),
        std::sync::Arc::new(genie_applier::FileBundleRepo::new(dir.bundle())),
        config,
    );
    let spaces = clones(&applier, "run-1").await;
    let original = canonical(genie.as_ref(), spaces.working().as_str()).await;
    assert_eq!(
        original,
        production_config().canonicalized().to_json(),
        "the clone holds production's canonical config"
    );

    let request = request(
        genie.as_ref(),
        &spaces,
        lever1_set(),
        UcWrites::EmitToBundle,
    )
    .await;
    let log = applier.apply(&request).await.expect("the set applies");
    assert_eq!(log.applied.len(), 4);
    assert_ne!(log.config_hash_after, log.config_hash_before);
    let now = genie.get_space(spaces.working().as_str()).await.unwrap();
    assert_eq!(now.config().unwrap().content_hash(), log.config_hash_after);
    assert!(matches!(
        log.applied[3].uc_write,
        Some(UcWrite::Emitted { .. })
    ));
    assert!(log.shared_objects().is_empty(), "nothing ran live");
    assert_eq!(
        table_comment(warehouse(&server).as_ref(), "ord_ln").await,
        None,
        "emitted, not run"
    );
    let bundle = log.bundle.as_ref().expect("bundle written");
    assert_eq!(bundle.verification, BundleVerification::Verified);
    let paths = bundle.paths();
    assert_eq!(
        paths,
        [
            "gold_layer_design/yaml/retail/ord_ln.yaml",
            "src/genie/retail_genie_export.json"
        ]
    );
    let status = git(&dir.bundle(), &["status", "--porcelain"]);
    assert!(
        status.contains("gold_layer_design/") && status.contains("src/"),
        "{status}"
    );
    let yaml = std::fs::read_to_string(dir.bundle().join(paths[0])).unwrap();
    assert!(
        yaml.contains("COMMENT ON TABLE `main`.`retail`.`ord_ln` IS 'Order lines'"),
        "{yaml}"
    );

    let restored = applier
        .rollback(&RollbackRequest {
            spaces: spaces.clone(),
            log: log.clone(),
        })
        .await
        .expect("rollback");
    assert_eq!(restored, log.config_hash_before);
    assert_eq!(
        canonical(genie.as_ref(), spaces.working().as_str()).await,
        original,
        "byte-identical"
    );
    assert_eq!(
        git(&dir.bundle(), &["status", "--porcelain"]),
        "",
        "the bundle is back at its commit"
    );
    assert!(
        mutations(&server, PRODUCTION).await.is_empty(),
        "production was never written"
    );
    let conflicts = audit(&server)
        .await
        .into_iter()
        .filter(|event| event["kind"] == "etag_conflict_rate")
        .count();
    assert!(conflicts > 0, "the conflict fault fired and was retried");
    server.shutdown().await;
}

async fn rows(server: &genie_sandbox::server::RunningSandbox, sql: &str) -> usize {
    warehouse(server)
        .execute(sql, &genie_core::ports::ExecuteOptions::default())
        .await
        .unwrap()
        .rows
        .len()
}

#[tokio::test]
async fn live_unity_catalog_changes_are_reported_shared_and_undone_by_rollback() {
    let server = sandbox(Faults::default()).await;
    let dir = TempDir::new("live");
    dir.git_init(&[]);
    let genie = genie(&server);
    let applier = applier(&server, &dir);
    let spaces = clones(&applier, "run-live").await;
    let original = canonical(genie.as_ref(), spaces.working().as_str()).await;
    let yaml = "version: 0.1\nsource: main.retail.ord_ln\ndimensions:\n  - name: prod_id\n    expr: prod_id\nmeasures:\n  - name: net_sales\n    expr: SUM(amt_net)\n";
    let function = "CREATE OR REPLACE FUNCTION main.retail.big_lines(min_qty INT) RETURNS TABLE (ln_id BIGINT, qty INT) RETURN SELECT ln_id, qty FROM main.retail.ord_ln WHERE qty >= min_qty";
    let set = set(vec![
        PatchOp::CreateMetricView {
            target: "main.retail.sales_metrics".to_owned(),
            value: yaml.to_owned(),
        },
        PatchOp::AddMetricViewToSpace {
            target: "main.retail.sales_metrics".to_owned(),
        },
        PatchOp::CreateFunction {
            target: "main.retail.big_lines".to_owned(),
            value: function.to_owned(),
        },
        PatchOp::AddFunctionToSpace {
            target: "main.retail.big_lines".to_owned(),
        },
        PatchOp::SetUcTag {
            target: UcObject::Table {
                identifier: "main.retail.ord_hdr".to_owned(),
            },
            key: "domain".to_owned(),
            value: "sales".to_owned(),
        },
        PatchOp::SetTableProperty {
            target: "main.retail.ord_hdr".to_owned(),
            key: "quality".to_owned(),
            value: "gold".to_owned(),
        },
    ]);
    let request = request(genie.as_ref(), &spaces, set, UcWrites::ExecuteLive).await;
    let log = applier.apply(&request).await.expect("applies live");
    assert_eq!(
        log.shared_objects(),
        [
            "main.retail.sales_metrics",
            "main.retail.big_lines",
            "main.retail.ord_hdr",
            "main.retail.ord_hdr"
        ]
    );
    let views =
        "SELECT table_name FROM main.information_schema.tables WHERE table_name = 'sales_metrics'";
    let functions = "SELECT routine_name FROM main.information_schema.routines WHERE routine_name = 'big_lines'";
    let tags =
        "SELECT tag_name FROM main.information_schema.table_tags WHERE table_name = 'ord_hdr'";
    assert_eq!(
        (
            rows(&server, views).await,
            rows(&server, functions).await,
            rows(&server, tags).await
        ),
        (1, 1, 1)
    );
    let bundle = log.bundle.as_ref().unwrap();
    assert_eq!(
        bundle.paths(),
        [
            "gold_layer_design/yaml/retail/ord_hdr.yaml",
            "src/genie/retail_genie_export.json",
            "src/semantic/metric_views/sales_metrics.yaml",
            "src/semantic/tvfs/big_lines.sql",
        ]
    );
    assert_eq!(
        std::fs::read_to_string(
            dir.bundle()
                .join("src/semantic/metric_views/sales_metrics.yaml")
        )
        .unwrap(),
        yaml
    );
    let metadata = std::fs::read_to_string(
        dir.bundle()
            .join("gold_layer_design/yaml/retail/ord_hdr.yaml"),
    )
    .unwrap();
    assert!(
        metadata.contains("quality: gold") && !metadata.contains("statements"),
        "ran live, nothing pending: {metadata}"
    );

    let restored = applier
        .rollback(&RollbackRequest {
            spaces: spaces.clone(),
            log: log.clone(),
        })
        .await
        .expect("rolls back");
    assert_eq!(
        canonical(genie.as_ref(), spaces.working().as_str()).await,
        original
    );
    assert_eq!(restored, log.config_hash_before);
    assert_eq!(
        (
            rows(&server, views).await,
            rows(&server, functions).await,
            rows(&server, tags).await
        ),
        (0, 0, 0),
        "dropped and unset"
    );
    let properties = warehouse(&server)
        .execute(
            "SHOW TBLPROPERTIES main.retail.ord_hdr",
            &genie_core::ports::ExecuteOptions::default(),
        )
        .await
        .unwrap();
    assert!(
        !format!("{:?}", properties.rows).contains("quality"),
        "{:?}",
        properties.rows
    );
    assert_eq!(git(&dir.bundle(), &["status", "--porcelain"]), "");
    assert!(mutations(&server, PRODUCTION).await.is_empty());
    server.shutdown().await;
}

#[tokio::test]
async fn a_write_back_to_the_committed_export_verifies() {
    let server = sandbox(Faults::default()).await;
    let dir = TempDir::new("back-to-commit");
    let genie = genie(&server);
    let applier = applier(&server, &dir);
    let spaces = clones(&applier, "run-back").await;
    // The bundle's committed export is the clone's config, as the applier writes it.
    let export = applier
        .export_to_bundle(&genie_core::workers::ExportRequest {
            space_id: spaces.working().clone(),
            domain: DOMAIN.to_owned(),
        })
        .await
        .unwrap();
    assert!(
        matches!(export.verification, BundleVerification::Unverified { .. }),
        "not a repository yet"
    );
    dir.git_init(&[]);
    let describe = |value: &str| {
        set(vec![PatchOp::SetTableDescription {
            target: "main.retail.ord_hdr".to_owned(),
            value: value.to_owned(),
        }])
    };
    let away = applier
        .apply(
            &request(
                genie.as_ref(),
                &spaces,
                describe("Order headers"),
                UcWrites::EmitToBundle,
            )
            .await,
        )
        .await
        .expect("applies");
    assert_eq!(
        away.bundle.unwrap().verification,
        BundleVerification::Verified
    );
    let back = applier
        .apply(
            &request(
                genie.as_ref(),
                &spaces,
                describe("orders"),
                UcWrites::EmitToBundle,
            )
            .await,
        )
        .await
        .expect("applies back");
    let bundle = back.bundle.unwrap();
    assert_eq!(bundle.paths(), ["src/genie/retail_genie_export.json"]);
    assert_eq!(
        bundle.verification,
        BundleVerification::Verified,
        "back at the committed content"
    );
    assert_eq!(
        git(&dir.bundle(), &["status", "--porcelain"]),
        "",
        "the export equals its commit again"
    );
    server.shutdown().await;
}
