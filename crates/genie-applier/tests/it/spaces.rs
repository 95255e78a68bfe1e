//! The three spaces: clones found again on resume, copies between them with their
//! diff, promotion only with approval and only over the production the run found,
//! clean-up.

use genie_applier::ApplierError;
use genie_core::patch::{ApplyBase, PatchOp};
use genie_core::space::SpaceId;
use genie_core::workers::{
    Applier, CleanUp, CloneRequest, DevCopy, DevSpace, PromotionApproval, PromotionRequest,
    UcWrites,
};
use genie_sandbox::server::Faults;

use crate::support::*;

#[tokio::test]
async fn clones_are_reused_copies_show_their_diff_and_production_moves_only_on_promotion() {
    let server = sandbox(Faults::default()).await;
    let dir = TempDir::new("spaces");
    let applier = applier(&server, &dir);
    let genie = genie(&server);
    let spaces = clones(&applier, "run-7").await;
    let again = clones(&applier, "run-7").await;
    assert_eq!(again, spaces, "a resumed run finds its clones");
    let found = applier
        .clone_space(&CloneRequest {
            source: SpaceId::new(PRODUCTION),
            clone: DevSpace::Best,
            run_id: "run-7".to_owned(),
        })
        .await
        .unwrap();
    assert!(!found.created);
    assert_eq!(found.title, "Retail [run-7]_dev_best");
    let listed = genie.list_spaces().await.unwrap();
    assert_eq!(
        listed.len(),
        3,
        "production and two clones, no duplicates: {listed:?}"
    );
    let production = genie.get_space(PRODUCTION).await.unwrap();
    let clone = genie.get_space(spaces.working().as_str()).await.unwrap();
    assert_eq!(clone.warehouse_id, production.warehouse_id);
    let production_base = ApplyBase {
        config_hash: production.config().unwrap().content_hash(),
        etag: production.etag.clone(),
    };

    let set = set(vec![PatchOp::AddInstruction {
        value: "Revenue is amt_net.\n".to_owned(),
    }]);
    let request = request(genie.as_ref(), &spaces, set, UcWrites::EmitToBundle).await;
    let log = applier
        .apply(&request)
        .await
        .expect("the instruction is added");
    let copy = applier
        .copy_config(&spaces, DevCopy::WorkingToBest)
        .await
        .unwrap();
    assert_eq!(copy.config_hash_after, log.config_hash_after);
    assert!(!copy.diff.is_empty());
    assert!(
        copy.diff
            .to_string()
            .contains("instructions.text_instructions"),
        "{}",
        copy.diff
    );
    let best = genie.get_space(spaces.best().as_str()).await.unwrap();
    assert_eq!(best.config().unwrap().content_hash(), log.config_hash_after);

    let preview = applier
        .diff_spaces(spaces.best(), spaces.production())
        .await
        .unwrap();
    assert_eq!(
        preview, copy.diff,
        "production and dev-best differ as dev-best did from dev-working's old config"
    );
    assert!(
        mutations(&server, PRODUCTION).await.is_empty(),
        "production is untouched by the run"
    );

    let promotion = |approved: &str, base: &ApplyBase| PromotionRequest {
        spaces: spaces.clone(),
        from: DevSpace::Best,
        approved_config_hash: genie_core::canonical::ContentHash::of_bytes(approved.as_bytes()),
        production_base: base.clone(),
        approval: PromotionApproval::given_by("--promote"),
        now_ms: 1,
    };
    let refused = applier
        .promote_to_production(&promotion("another config", &production_base))
        .await
        .unwrap_err();
    assert!(
        matches!(
            refused.downcast_ref::<ApplierError>(),
            Some(ApplierError::PromotionRefused { .. })
        ),
        "{refused:?}"
    );
    let mut approved = promotion("", &production_base);
    approved.approved_config_hash = log.config_hash_after.clone();
    let stale = ApplyBase {
        config_hash: log.config_hash_before.clone(),
        etag: None,
    };
    let mut moved = approved.clone();
    moved.production_base = ApplyBase {
        config_hash: genie_core::canonical::ContentHash::of_bytes(b"x"),
        ..stale
    };
    let refused = applier.promote_to_production(&moved).await.unwrap_err();
    assert!(
        refused.source.to_string().contains("someone changed it"),
        "{}",
        refused.source
    );
    assert!(
        mutations(&server, PRODUCTION).await.is_empty(),
        "refused promotions write nothing"
    );

    let record = applier
        .promote_to_production(&approved)
        .await
        .expect("promoted");
    assert_eq!(record.config_hash_after, log.config_hash_after);
    assert_eq!(record.approved_by, "--promote");
    assert_eq!(record.diff, preview);
    let production = genie.get_space(PRODUCTION).await.unwrap();
    assert_eq!(
        production.config().unwrap().content_hash(),
        log.config_hash_after
    );
    assert_eq!(
        mutations(&server, PRODUCTION).await.len(),
        1,
        "one write, by the promotion"
    );

    let back = applier
        .copy_config(&spaces, DevCopy::BestToWorking)
        .await
        .unwrap();
    assert!(back.diff.is_empty(), "the clones already agree");

    let trashed = applier.clean_up(&spaces, CleanUp::Trash).await.unwrap();
    assert_eq!(trashed, [spaces.working().clone(), spaces.best().clone()]);
    assert!(genie.get_space(spaces.working().as_str()).await.is_err());
    assert!(genie.get_space(PRODUCTION).await.is_ok());
    assert!(
        applier
            .clean_up(&spaces, CleanUp::Keep)
            .await
            .unwrap()
            .is_empty()
    );
    server.shutdown().await;
}
