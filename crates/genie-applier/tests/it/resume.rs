//! A run interrupted between the space write and the bundle write, then resumed:
//! the change is neither lost nor repeated.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use genie_applier::FileBundleRepo;
use genie_core::error::PortError;
use genie_core::patch::PatchOp;
use genie_core::ports::BundleRepo;
use genie_core::workers::{Applier, BundleVerification, UcWrites};
use genie_sandbox::server::Faults;
use tokio::sync::oneshot;

use crate::support::*;

/// A bundle whose first write never finishes: it reports that it was reached, then
/// hangs until the apply is dropped (the process "dies" there).
struct HangingWrite {
    inner: FileBundleRepo,
    reached: Mutex<Option<oneshot::Sender<()>>>,
}

#[async_trait]
impl BundleRepo for HangingWrite {
    async fn read(&self, path: &str) -> Result<Option<Vec<u8>>, PortError> {
        self.inner.read(path).await
    }

    async fn write(&self, _: &str, _: &[u8]) -> Result<(), PortError> {
        if let Some(reached) = self.reached.lock().unwrap().take() {
            let _ = reached.send(());
        }
        std::future::pending().await
    }

    async fn remove(&self, path: &str) -> Result<(), PortError> {
        self.inner.remove(path).await
    }

    async fn diff(&self) -> Result<String, PortError> {
        self.inner.diff().await
    }
}

#[tokio::test]
async fn an_apply_interrupted_after_the_space_write_resumes_without_repeating_it() {
    let server = sandbox(Faults::default()).await;
    let dir = TempDir::new("resume");
    dir.git_init(&[]);
    let genie = genie(&server);
    let (reached, interrupted) = oneshot::channel();
    let hanging = HangingWrite {
        inner: FileBundleRepo::new(dir.bundle()),
        reached: Mutex::new(Some(reached)),
    };
    let first = applier_with(
        genie.clone(),
        warehouse(&server),
        Arc::new(hanging),
        config(&dir),
    );
    let spaces = clones(&first, "run-resume").await;
    let set = set(vec![PatchOp::SetTableDescription {
        target: "main.retail.rtn_ln".to_owned(),
        value: "Returned order lines".to_owned(),
    }]);
    let request = request(genie.as_ref(), &spaces, set, UcWrites::EmitToBundle).await;
    tokio::select! {
        result = first.apply(&request) => panic!("the apply should hang in the bundle write: {result:?}"),
        _ = interrupted => {}
    }
    drop(first);
    let patched = |events: Vec<serde_json::Value>| {
        events
            .into_iter()
            .filter(|event| event["method"] == "PATCH")
            .collect::<Vec<_>>()
    };
    let writes = patched(mutations(&server, spaces.working().as_str()).await);
    assert_eq!(
        writes.len(),
        1,
        "the space was written before the interruption"
    );
    assert!(
        !dir.bundle()
            .join("src/genie/retail_genie_export.json")
            .exists()
    );

    let resumed = applier(&server, &dir);
    let log = resumed
        .apply(&request)
        .await
        .expect("the resumed apply finishes");
    let writes = patched(mutations(&server, spaces.working().as_str()).await);
    assert_eq!(writes.len(), 1, "not written again");
    assert_eq!(
        writes[0]["config_hash_after"].as_str(),
        Some(log.config_hash_after.as_str())
    );
    let bundle = log.bundle.as_ref().expect("the bundle write was finished");
    assert_eq!(bundle.verification, BundleVerification::Verified);
    let text =
        std::fs::read_to_string(dir.bundle().join("src/genie/retail_genie_export.json")).unwrap();
    assert_eq!(
        genie_core::space::SpaceConfig::from_json(&text)
            .unwrap()
            .content_hash(),
        log.config_hash_after
    );
    assert!(
        !dir.path()
            .join("journal")
            .join(format!("{}.json", spaces.working()))
            .exists(),
        "the journal entry is gone"
    );

    // The same request once more is refused (the space moved on), never re-applied.
    let again = resumed.apply(&request).await.expect_err("already applied");
    assert!(
        matches!(
            again.source.downcast_ref::<genie_applier::ApplierError>(),
            Some(genie_applier::ApplierError::BaseMismatch { .. })
        ),
        "{:?}",
        again.source
    );
    assert_eq!(
        patched(mutations(&server, spaces.working().as_str()).await).len(),
        1
    );
    server.shutdown().await;
}
