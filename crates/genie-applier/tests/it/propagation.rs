//! The wait after a write: Genie answers from the new config once `apply` returns.

use std::sync::Arc;

use genie_applier::FileBundleRepo;
use genie_core::patch::PatchOp;
use genie_core::workers::{Applier, RollbackRequest, UcWrites};
use genie_sandbox::server::Faults;

use crate::support::*;

const QUESTION: &str = "How many returned lines are there in total?";
const SQL: &str = "SELECT COUNT(*) AS returned_lines FROM main.retail.rtn_ln";

#[tokio::test]
async fn genie_answers_from_the_new_config_only_when_the_applier_waited_for_it() {
    for (wait_ms, expect_new) in [(1_500, true), (0, false)] {
        let server = sandbox(Faults {
            propagation_delay_ms: 1_200,
            ..Faults::default()
        })
        .await;
        let dir = TempDir::new("propagation");
        let genie = genie(&server);
        let mut config = config(&dir);
        config.propagation_wait_ms = wait_ms;
        let applier = applier_with(
            genie.clone(),
            warehouse(&server),
            Arc::new(FileBundleRepo::new(dir.bundle())),
            config,
        );
        let spaces = clones(&applier, "run-wait").await;
        // Let the clone's first config reach Genie.
        tokio::time::sleep(std::time::Duration::from_millis(1_300)).await;
        let set = set(vec![PatchOp::AddExampleSql {
            question: QUESTION.to_owned(),
            sql: SQL.to_owned(),
            usage_guidance: None,
            parameters: Vec::new(),
        }]);
        let request = request(genie.as_ref(), &spaces, set, UcWrites::EmitToBundle).await;
        let log = applier.apply(&request).await.expect("applies");
        let answer = genie
            .ask(spaces.working().as_str(), QUESTION)
            .await
            .unwrap();
        assert_eq!(
            answer.sql.as_deref() == Some(SQL),
            expect_new,
            "wait {wait_ms} ms: Genie answered {:?}",
            answer.sql
        );
        applier
            .rollback(&RollbackRequest {
                spaces: spaces.clone(),
                log,
            })
            .await
            .expect("rolls back");
        server.shutdown().await;
    }
}
