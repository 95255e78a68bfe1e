//! Failures at each step — the write refused, a statement failing, a bundle write
//! failing — leave nothing applied: space, Unity Catalog and bundle as before.

use std::sync::Arc;

use genie_applier::{ApplierError, FileBundleRepo};
use genie_core::patch::{PatchOp, UcObject};
use genie_core::workers::{Applier, BundleVerification, UcWrites};
use genie_sandbox::server::Faults;

use crate::support::*;

fn comment(table: &str, value: &str) -> PatchOp {
    PatchOp::SetUcComment {
        target: UcObject::Table {
            identifier: format!("main.retail.{table}"),
        },
        value: value.to_owned(),
    }
}

fn description(table: &str, value: &str) -> PatchOp {
    PatchOp::SetTableDescription {
        target: format!("main.retail.{table}"),
        value: value.to_owned(),
    }
}

fn applier_error(failure: &genie_core::workers::ApplyFailure) -> &ApplierError {
    failure
        .source
        .downcast_ref::<ApplierError>()
        .expect("the applier's own error")
}

#[tokio::test]
async fn a_write_refused_on_every_attempt_undoes_the_statements_run_before_it() {
    let server = sandbox(Faults {
        etag_conflict_rate: 1.0,
        ..Faults::default()
    })
    .await;
    let dir = TempDir::new("refused");
    dir.git_init(&[]);
    let applier = applier(&server, &dir);
    let genie = genie(&server);
    let spaces = clones(&applier, "run-refused").await;
    let before = canonical(genie.as_ref(), spaces.working().as_str()).await;
    let set = set(vec![
        comment("ord_ln", "Order lines"),
        description("ord_ln", "Lines"),
    ]);
    let request = request(genie.as_ref(), &spaces, set, UcWrites::ExecuteLive).await;
    let failure = applier
        .apply(&request)
        .await
        .expect_err("every write conflicts");
    let message = applier_error(&failure).to_string();
    assert!(
        matches!(
            applier_error(&failure),
            ApplierError::Conflict { attempts: 4, .. }
        ),
        "{message}"
    );
    assert!(
        message.contains("etag `") && message.contains(spaces.working().as_str()),
        "{message}"
    );
    assert!(
        failure.partial.applied.is_empty(),
        "nothing is left in effect"
    );
    assert_eq!(
        canonical(genie.as_ref(), spaces.working().as_str()).await,
        before
    );
    assert_eq!(
        table_comment(warehouse(&server).as_ref(), "ord_ln").await,
        None,
        "the comment was undone"
    );
    assert_eq!(git(&dir.bundle(), &["status", "--porcelain"]), "");
    let ran: Vec<String> = audit(&server)
        .await
        .into_iter()
        .filter(|event| {
            event["event"] == "statement"
                && event["sql"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with("COMMENT ON")
        })
        .map(|event| event["sql"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        ran,
        [
            "COMMENT ON TABLE `main`.`retail`.`ord_ln` IS 'Order lines'",
            "COMMENT ON TABLE `main`.`retail`.`ord_ln` IS NULL"
        ]
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_failing_statement_undoes_the_earlier_ones_and_writes_nothing() {
    let server = sandbox(Faults::default()).await;
    let dir = TempDir::new("ddl");
    dir.git_init(&[]);
    let genie = genie(&server);
    let failing = Arc::new(FailingDdl {
        inner: warehouse(&server),
        needle: "prod_dim".to_owned(),
    });
    let applier = applier_with(
        genie.clone(),
        failing,
        Arc::new(FileBundleRepo::new(dir.bundle())),
        config(&dir),
    );
    let spaces = clones(&applier, "run-ddl").await;
    let before = canonical(genie.as_ref(), spaces.working().as_str()).await;
    let set = set(vec![
        comment("ord_ln", "Order lines"),
        description("ord_ln", "Lines"),
        comment("prod_dim", "Products"),
    ]);
    let request = request(genie.as_ref(), &spaces, set, UcWrites::ExecuteLive).await;
    let failure = applier
        .apply(&request)
        .await
        .expect_err("the second statement fails");
    let message = applier_error(&failure).to_string();
    assert!(
        message.contains("COMMENT ON TABLE `main`.`retail`.`prod_dim`"),
        "{message}"
    );
    assert!(failure.partial.applied.is_empty());
    assert_eq!(
        failure.partial.config_hash_after,
        failure.partial.config_hash_before
    );
    assert_eq!(
        canonical(genie.as_ref(), spaces.working().as_str()).await,
        before
    );
    assert_eq!(
        table_comment(warehouse(&server).as_ref(), "ord_ln").await,
        None
    );
    let writes: Vec<_> = mutations(&server, spaces.working().as_str())
        .await
        .into_iter()
        .filter(|event| event["method"] == "PATCH")
        .collect();
    assert!(writes.is_empty(), "the space was never written: {writes:?}");
    assert_eq!(git(&dir.bundle(), &["status", "--porcelain"]), "");
    server.shutdown().await;
}

#[tokio::test]
async fn a_failing_bundle_write_rolls_the_space_and_the_statements_back() {
    let server = sandbox(Faults::default()).await;
    let dir = TempDir::new("bundle-fails");
    dir.git_init(&[(
        "gold_layer_design/yaml/retail/ord_ln.yaml",
        "table: main.retail.ord_ln\n",
    )]);
    let genie = genie(&server);
    let repo = FailingWrite {
        inner: FileBundleRepo::new(dir.bundle()),
        needle: "retail_genie_export".to_owned(),
    };
    let applier = applier_with(
        genie.clone(),
        warehouse(&server),
        Arc::new(repo),
        config(&dir),
    );
    let spaces = clones(&applier, "run-bundle").await;
    let before = canonical(genie.as_ref(), spaces.working().as_str()).await;
    let set = set(vec![
        comment("ord_ln", "Order lines"),
        description("ord_ln", "Lines"),
    ]);
    let request = request(genie.as_ref(), &spaces, set, UcWrites::ExecuteLive).await;
    let failure = applier
        .apply(&request)
        .await
        .expect_err("the export cannot be written");
    let message = applier_error(&failure).to_string();
    assert!(
        message.contains("src/genie/retail_genie_export.json"),
        "{message}"
    );
    assert!(failure.partial.applied.is_empty());
    assert_eq!(
        canonical(genie.as_ref(), spaces.working().as_str()).await,
        before,
        "the space write was undone"
    );
    let writes: Vec<_> = mutations(&server, spaces.working().as_str())
        .await
        .into_iter()
        .filter(|event| event["method"] == "PATCH")
        .collect();
    assert_eq!(writes.len(), 2, "written, then written back");
    assert_eq!(
        writes[1]["config_hash_after"],
        writes[0]["config_hash_before"]
    );
    assert_eq!(
        table_comment(warehouse(&server).as_ref(), "ord_ln").await,
        None
    );
    assert_eq!(
        std::fs::read_to_string(
            dir.bundle()
                .join("gold_layer_design/yaml/retail/ord_ln.yaml")
        )
        .unwrap(),
        "table: main.retail.ord_ln\n",
        "the file written before the failing one is restored"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn outside_git_the_files_are_written_and_reported_unverified() {
    let server = sandbox(Faults::default()).await;
    let dir = TempDir::new("no-git");
    let applier = applier(&server, &dir);
    let genie = genie(&server);
    let spaces = clones(&applier, "run-nogit").await;
    let request = request(
        genie.as_ref(),
        &spaces,
        set(vec![description("ord_ln", "Lines")]),
        UcWrites::EmitToBundle,
    )
    .await;
    let log = applier.apply(&request).await.expect("applies");
    let bundle = log.bundle.expect("written");
    assert!(
        matches!(&bundle.verification, BundleVerification::Unverified { reason } if reason.contains("not inside a git repository")),
        "{:?}",
        bundle.verification
    );
    let text =
        std::fs::read_to_string(dir.bundle().join("src/genie/retail_genie_export.json")).unwrap();
    let written = genie_core::space::SpaceConfig::from_json(&text).unwrap();
    assert_eq!(written.content_hash(), log.config_hash_after);
    server.shutdown().await;
}
