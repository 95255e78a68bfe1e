//! A whole Databricks tracking session — experiment, run, dataset, params, tags, logged
//! model with linked metrics, artifacts through signed URLs, search, failures — with
//! every log line captured at TRACE: the token appears in no log line, error, artifact,
//! request body or record MLflow stored. Needs `GENIE_MLFLOW_URI` (set by `cargo xtask
//! mlflow test`).
//!
//! This test is its own binary: capturing every log line needs a subscriber that no
//! concurrently running test can race (tracing caches per-callsite interest globally).

mod front;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use genie_core::error::PortErrorKind;
use genie_core::ports::{DatasetRef, Metric, ModelQuery, NewLoggedModel, RunStatus, Tracker};
use genie_mlflow::MlflowTracker;

use front::{TOKEN, USER, front, mlflow_get, unique, upstream, urlencode};

/// Log lines, shared with the subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn a_whole_session_leaves_the_token_nowhere() {
    let Some(upstream) = upstream() else { return };
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let (url, workspace) = front(&upstream, false).await;
    let tracker = MlflowTracker::databricks(&url, TOKEN.to_owned()).unwrap();
    assert!(!format!("{tracker:?}").contains(TOKEN));
    let name = unique("genie-opt/secrets");
    let experiment = tracker.experiment(&name).await.unwrap();
    let placed = mlflow_get(
        &upstream,
        &format!(
            "/api/2.0/mlflow/experiments/get-by-name?experiment_name={}",
            urlencode(&format!("/Users/{USER}/{name}"))
        ),
    )
    .await;
    assert_eq!(placed["experiment"]["experiment_id"], experiment.as_str());
    tracker
        .set_experiment_tags(
            &experiment,
            &BTreeMap::from([("genie.best_iteration".into(), "1".into())]),
        )
        .await
        .unwrap();
    let run = tracker
        .start_run(&experiment, "genie_eval_iter1_20261129", 1)
        .await
        .unwrap();
    let dataset = DatasetRef {
        name: "bench".into(),
        digest: "abc".into(),
    };
    tracker
        .log_dataset(&run, &dataset, "benchmarks.yaml")
        .await
        .unwrap();
    tracker
        .log_params(&run, &BTreeMap::from([("space_id".into(), "01ef".into())]))
        .await
        .unwrap();
    tracker
        .set_tags(
            &run,
            &BTreeMap::from([("genie.scope".into(), "full".into())]),
        )
        .await
        .unwrap();
    let model = tracker
        .create_logged_model(
            &experiment,
            &NewLoggedModel {
                name: "genie-x-iter1".into(),
                source_run_id: Some(run.clone()),
                ..NewLoggedModel::default()
            },
        )
        .await
        .unwrap();
    let metric = Metric {
        key: "result_correctness".into(),
        value: 0.5,
        timestamp_ms: 2,
        step: 1,
    };
    tracker
        .log_model_metrics(&run, &model, Some(&dataset), &[metric])
        .await
        .unwrap();
    tracker
        .set_logged_model_tags(
            &model,
            &BTreeMap::from([("promoted".into(), "true".into())]),
        )
        .await
        .unwrap();
    tracker
        .log_artifact(&run, "evaluation/failures.json", b"[]")
        .await
        .unwrap();
    let found = tracker
        .search_logged_models(
            &experiment,
            &ModelQuery {
                order_by_metric: Some("result_correctness".into()),
                ..ModelQuery::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    tracker.end_run(&run, RunStatus::Finished, 3).await.unwrap();

    // Failures: a wrong token, a missing run, a missing artifact.
    let mut errors = Vec::new();
    let wrong = MlflowTracker::databricks(&url, format!("{TOKEN}-revoked")).unwrap();
    errors.push(wrong.experiment("genie-opt/denied").await.unwrap_err());
    errors.push(
        tracker
            .end_run("0123456789abcdef0123456789abcdef", RunStatus::Failed, 4)
            .await
            .unwrap_err(),
    );
    errors.push(
        tracker
            .read_artifact(&run, "missing.json")
            .await
            .unwrap_err(),
    );
    assert_eq!(errors[0].kind, PortErrorKind::Unauthorized, "{}", errors[0]);

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("POST"), "calls were logged at TRACE: {logs}");
    assert!(!logs.contains(TOKEN), "the token is in a log line");
    for error in &errors {
        assert!(
            !error.to_string().contains(TOKEN),
            "the token is in an error: {error}"
        );
        assert!(
            !format!("{error:?}").contains(TOKEN),
            "the token is in an error: {error:?}"
        );
        assert!(
            !error.message.contains("Signature"),
            "a signed URL is in an error: {error}"
        );
    }
    let stored = [
        mlflow_get(&upstream, &format!("/api/2.0/mlflow/runs/get?run_id={run}")).await,
        mlflow_get(&upstream, &format!("/api/2.0/mlflow/logged-models/{model}")).await,
        mlflow_get(
            &upstream,
            &format!("/api/2.0/mlflow/experiments/get?experiment_id={experiment}"),
        )
        .await,
    ];
    for record in &stored {
        assert!(
            !record.to_string().contains(TOKEN),
            "the token was stored in MLflow: {record}"
        );
    }
    assert!(
        !String::from_utf8_lossy(&workspace.bodies.lock().unwrap()).contains(TOKEN),
        "the token was in a request body"
    );
    for blob in workspace.blobs.lock().unwrap().values() {
        assert!(
            !String::from_utf8_lossy(blob).contains(TOKEN),
            "the token is in an artifact"
        );
    }
}
