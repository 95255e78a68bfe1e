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
