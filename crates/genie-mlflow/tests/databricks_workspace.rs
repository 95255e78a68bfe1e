//! [`MlflowTracker::databricks`] against a live MLflow server (`GENIE_MLFLOW_URI`, set
//! by `cargo xtask mlflow test`) behind the loopback workspace front in `front/`:
//! experiments under the user's folder with parents created, and artifacts through the
//! Files API or signed URLs. Everything written is read back through MLflow's own REST
//! API.

mod front;

use genie_core::error::PortErrorKind;
use genie_core::ports::Tracker;
use genie_mlflow::MlflowTracker;

use front::{TOKEN, USER, front, mlflow_get, unique, upstream, urlencode};

#[tokio::test]
async fn experiments_go_under_the_users_folder_with_parents_created() {
    let Some(upstream) = upstream() else { return };
    let (url, workspace) = front(&upstream, true).await;
    let tracker = MlflowTracker::databricks(&url, TOKEN.to_owned()).unwrap();

    let relative = unique("genie-opt/retail");
    let id = tracker.experiment(&relative).await.unwrap();
    assert_eq!(
        tracker.experiment(&relative).await.unwrap(),
        id,
        "got, not created again"
    );
    let path = format!("/Users/{USER}/{relative}");
    let read = mlflow_get(
        &upstream,
        &format!(
            "/api/2.0/mlflow/experiments/get-by-name?experiment_name={}",
            urlencode(&path)
        ),
    )
    .await;
    assert_eq!(read["experiment"]["experiment_id"], id.as_str());
    let parent = path.rsplit_once('/').unwrap().0.to_owned();
    assert!(
        workspace.folders.lock().unwrap().contains(&parent),
        "{parent} created"
    );

    let shared = unique("/Shared/genie-opt/team");
    let shared_id = tracker.experiment(&shared).await.unwrap();
    let prefixed = format!("/Workspace{shared}");
    assert_eq!(
        tracker.experiment(&prefixed).await.unwrap(),
        shared_id,
        "a /Workspace prefix names the same experiment"
    );
}

#[tokio::test]
async fn artifacts_use_the_files_api_or_signed_urls() {
    let Some(upstream) = upstream() else { return };
    for files_api_open in [true, false] {
        let (url, workspace) = front(&upstream, files_api_open).await;
        let tracker = MlflowTracker::databricks(&url, TOKEN.to_owned()).unwrap();
        let experiment = tracker
            .experiment(&unique("genie-opt/artifacts"))
            .await
            .unwrap();
        let run = tracker.start_run(&experiment, "iter-0", 1).await.unwrap();
        tracker
            .log_artifact(&run, "evaluation/eval_results.json", b"{\"rows\":[]}")
            .await
            .unwrap();
        assert_eq!(
            tracker
                .read_artifact(&run, "evaluation/eval_results.json")
                .await
                .unwrap(),
            b"{\"rows\":[]}"
        );
        let missing = tracker
            .read_artifact(&run, "evaluation/none.json")
            .await
            .unwrap_err();
        assert_eq!(missing.kind, PortErrorKind::NotFound, "{missing}");
        if files_api_open {
            let key = format!(
                "WorkspaceInternal/Mlflow/Artifacts/{experiment}/Runs/{run}/artifacts/evaluation/eval_results.json"
            );
            assert!(
                workspace.files.lock().unwrap().contains_key(&key),
                "stored through the Files API"
            );
            assert!(workspace.blobs.lock().unwrap().is_empty());
        } else {
            let key = format!("{run}/evaluation/eval_results.json");
            assert!(
                workspace.blobs.lock().unwrap().contains_key(&key),
                "stored through a signed URL"
            );
        }
        let calls = workspace.calls.lock().unwrap();
        assert!(
            calls
                .iter()
                .filter(|call| call.contains(" /storage/"))
                .all(|call| call.ends_with("without-authorization")),
            "signed URLs never get the workspace token: {calls:?}"
        );
    }
}
