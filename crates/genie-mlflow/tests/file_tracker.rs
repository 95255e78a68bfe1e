//! [`FileTracker`] over temporary directories: everything written is read back from
//! the JSON files, and MLflow's rules (immutable params, limits, safe paths) hold.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use genie_core::error::PortErrorKind;
use genie_core::ports::{DatasetRef, Metric, ModelQuery, NewLoggedModel, RunStatus, Tracker};
use genie_mlflow::FileTracker;
use serde_json::{Value, json};

/// A fresh directory under the system's temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(
            format!(
                "genie-mlflow-{name}-{}-{:?}",
                std::process::id(),
                std::time::SystemTime::now()
            )
            .replace([' ', '{', '}', ':', ','], "_"),
        );
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn read(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn map(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
    entries
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[tokio::test]
async fn a_run_is_written_and_read_back() {
    let dir = TempDir::new("run");
    let tracker = FileTracker::new(&dir.0);
    assert_eq!(tracker.root(), dir.0);

    let experiment = tracker.experiment("genie-opt/sales").await.unwrap();
    assert_eq!(experiment, "1");
    assert_eq!(tracker.experiment("genie-opt/sales").await.unwrap(), "1");
    assert_eq!(tracker.experiment("genie-opt/other").await.unwrap(), "2");
    tracker
        .set_experiment_tags(&experiment, &map(&[("mlflow.note.content", "summary")]))
        .await
        .unwrap();
    let stored = read(&dir.0.join("experiments/1.json"));
    assert_eq!(stored["name"], "genie-opt/sales");
    assert_eq!(stored["tags"]["mlflow.note.content"], "summary");

    let run = tracker
        .start_run(&experiment, "iter-0", 1000)
        .await
        .unwrap();
    let params: BTreeMap<String, String> = (0..250)
        .map(|i| (format!("p{i:03}"), format!("v{i}")))
        .collect();
    tracker.log_params(&run, &params).await.unwrap();
    tracker
        .log_params(&run, &map(&[("p000", "v0")]))
        .await
        .unwrap();
    let metrics: Vec<Metric> = (0..1500_u32)
        .map(|i| Metric {
            key: format!("m{}", i % 3),
            value: f64::from(i) / 10.0,
            timestamp_ms: 2000 + u64::from(i),
            step: u64::from(i / 3),
        })
        .collect();
    tracker.log_metrics(&run, &metrics).await.unwrap();
    tracker
        .log_metrics(
            &run,
            &[Metric {
                key: "nan".into(),
                value: f64::NAN,
                timestamp_ms: 5,
                step: 0,
            }],
        )
        .await
        .unwrap();
    tracker
        .set_tags(&run, &map(&[("genie.space_id", "01ef")]))
        .await
        .unwrap();
    tracker
        .log_artifact(&run, "evaluation/results.json", b"{\"ok\":true}")
        .await
        .unwrap();
    tracker
        .end_run(&run, RunStatus::Finished, 9000)
        .await
        .unwrap();

    let run_dir = dir.0.join("runs").join(&run);
    let stored = read(&run_dir.join("run.json"));
    assert_eq!(stored["experiment_id"], "1");
    assert_eq!(stored["run_name"], "iter-0");
    assert_eq!(stored["status"], "FINISHED");
    assert_eq!(stored["start_time"], 1000);
    assert_eq!(stored["end_time"], 9000);
    assert_eq!(stored["tags"]["mlflow.runName"], "iter-0");
    assert_eq!(stored["tags"]["genie.space_id"], "01ef");
    let stored_params: BTreeMap<String, String> =
        serde_json::from_value(stored["params"].clone()).unwrap();
    assert_eq!(stored_params, params);
    let stored_metrics = read(&run_dir.join("metrics.json"));
    let stored_metrics = stored_metrics.as_array().unwrap();
    assert_eq!(stored_metrics.len(), 1501);
    assert_eq!(
        stored_metrics[1499],
        json!({"key": "m2", "value": 149.9, "timestamp": 3499, "step": 499})
    );
    assert_eq!(
        stored_metrics[1500],
        json!({"key": "nan", "value": null, "text": "NaN", "timestamp": 5, "step": 0})
    );
    assert_eq!(
        std::fs::read(run_dir.join("artifacts/evaluation/results.json")).unwrap(),
        b"{\"ok\":true}"
    );
}

#[tokio::test]
async fn logged_models_keep_params_tags_and_parent() {
    let dir = TempDir::new("model");
    let tracker = FileTracker::new(&dir.0);
    let experiment = tracker.experiment("genie-opt/models").await.unwrap();
    let run = tracker.start_run(&experiment, "iter-1", 1).await.unwrap();
    let model = NewLoggedModel {
        name: "genie-sales-iter1-0123456789ab".into(),
        source_run_id: Some(run.clone()),
        parent_model_id: Some("m-parent".into()),
        params: map(&[("n_examples", "12")]),
        tags: map(&[("stage", "candidate")]),
    };
    let id = tracker
        .create_logged_model(&experiment, &model)
        .await
        .unwrap();
    assert!(id.starts_with("m-"), "{id}");
    tracker
        .set_logged_model_tags(&id, &map(&[("promoted", "true")]))
        .await
        .unwrap();
    let stored = read(&dir.0.join("models").join(format!("{id}.json")));
    assert_eq!(stored["name"], "genie-sales-iter1-0123456789ab");
    assert_eq!(stored["experiment_id"], experiment.as_str());
    assert_eq!(stored["source_run_id"], run.as_str());
    assert_eq!(stored["status"], "LOGGED_MODEL_READY");
    assert_eq!(stored["params"], json!({"n_examples": "12"}));
    assert_eq!(
        stored["tags"],
        json!({"stage": "candidate", "promoted": "true", "genie.parent_model_id": "m-parent"})
    );
}

#[tokio::test]
async fn mlflow_rules_are_enforced() {
    let dir = TempDir::new("rules");
    let tracker = FileTracker::new(&dir.0);
    let experiment = tracker.experiment("genie-opt/rules").await.unwrap();
    let run = tracker.start_run(&experiment, "iter-0", 1).await.unwrap();
    tracker.log_params(&run, &map(&[("k", "v")])).await.unwrap();

    let changed = tracker
        .log_params(&run, &map(&[("k", "w")]))
        .await
        .unwrap_err();
    assert_eq!(changed.kind, PortErrorKind::InvalidRequest);
    let long = "x".repeat(6001);
    let too_long = tracker
        .log_params(&run, &map(&[("long", &long)]))
        .await
        .unwrap_err();
    assert_eq!(too_long.kind, PortErrorKind::InvalidRequest);
    let bad_key = tracker
        .set_tags(&run, &map(&[("a;b", "v")]))
        .await
        .unwrap_err();
    assert_eq!(bad_key.kind, PortErrorKind::InvalidRequest);
    let escape = tracker
        .log_artifact(&run, "../../outside", b"x")
        .await
        .unwrap_err();
    assert_eq!(escape.kind, PortErrorKind::InvalidRequest);
    assert!(!dir.0.join("outside").exists());

    let missing_run = tracker
        .end_run("0000", RunStatus::Failed, 2)
        .await
        .unwrap_err();
    assert_eq!(missing_run.kind, PortErrorKind::NotFound);
    let missing_experiment = tracker.start_run("99", "x", 1).await.unwrap_err();
    assert_eq!(missing_experiment.kind, PortErrorKind::NotFound);
    let bad_id = tracker
        .set_tags("../x", &map(&[("k", "v")]))
        .await
        .unwrap_err();
    assert_eq!(bad_id.kind, PortErrorKind::InvalidRequest);

    // Nothing the refused calls carried was written.
    let stored = read(&dir.0.join("runs").join(&run).join("run.json"));
    assert_eq!(stored["params"], json!({"k": "v"}));
    assert_eq!(stored["status"], "RUNNING");
}

#[tokio::test]
async fn concurrent_writers_lose_nothing() {
    let dir = TempDir::new("concurrent");
    let tracker = FileTracker::new(&dir.0);
    let experiment = tracker.experiment("genie-opt/concurrent").await.unwrap();
    let run = tracker.start_run(&experiment, "iter-0", 1).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..16_u32 {
        let (tracker, run) = (tracker.clone(), run.clone());
        tasks.push(tokio::spawn(async move {
            let metric = Metric {
                key: "m".into(),
                value: f64::from(i),
                timestamp_ms: 1,
                step: u64::from(i),
            };
            tracker.log_metrics(&run, &[metric]).await.unwrap();
            tracker
                .set_tags(&run, &map(&[(&format!("t{i}"), "x")]))
                .await
                .unwrap();
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let run_dir = dir.0.join("runs").join(&run);
    let mut steps: Vec<u64> = read(&run_dir.join("metrics.json"))
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["step"].as_u64().unwrap())
        .collect();
    steps.sort_unstable();
    assert_eq!(steps, (0..16).collect::<Vec<u64>>());
    let tags = read(&run_dir.join("run.json"))["tags"]
        .as_object()
        .unwrap()
        .len();
    assert_eq!(
        tags,
        16 + 2,
        "16 tags plus mlflow.runName and mlflow.source.name"
    );
}

#[tokio::test]
async fn model_metrics_datasets_search_and_downloads() {
    let dir = TempDir::new("lineage");
    let tracker = FileTracker::new(&dir.0);
    let experiment = tracker.experiment("genie-opt/lineage").await.unwrap();
    let other = tracker.experiment("genie-opt/other").await.unwrap();
    let dataset = DatasetRef {
        name: "bench".into(),
        digest: "d1".into(),
    };
    let mut models = Vec::new();
    for (step, accuracy) in [(0_u64, 0.4), (1, 0.8), (2, 0.6)] {
        let run = tracker.start_run(&experiment, "eval", 1).await.unwrap();
        tracker.log_dataset(&run, &dataset, "b.yaml").await.unwrap();
        tracker.log_dataset(&run, &dataset, "b.yaml").await.unwrap();
        let model = NewLoggedModel {
            name: format!("iter{step}"),
            source_run_id: Some(run.clone()),
            tags: map(&[("space", "01ef")]),
            ..NewLoggedModel::default()
        };
        let id = tracker
            .create_logged_model(&experiment, &model)
            .await
            .unwrap();
        let metric = Metric {
            key: "accuracy".into(),
            value: accuracy,
            timestamp_ms: 5,
            step,
        };
        tracker
            .log_model_metrics(&run, &id, Some(&dataset), &[metric])
            .await
            .unwrap();
        tracker
            .log_artifact(&run, "evaluation/a.json", b"[1]")
            .await
            .unwrap();
        assert_eq!(
            tracker
                .read_artifact(&run, "evaluation/a.json")
                .await
                .unwrap(),
            b"[1]"
        );
        let missing = tracker
            .read_artifact(&run, "evaluation/b.json")
            .await
            .unwrap_err();
        assert_eq!(missing.kind, PortErrorKind::NotFound, "{missing}");
        let stored = read(&dir.0.join("runs").join(&run).join("run.json"));
        assert_eq!(
            stored["inputs"],
            json!([{"name": "bench", "digest": "d1", "source": "b.yaml"}]),
            "a dataset is recorded once"
        );
        let metrics = read(&dir.0.join("runs").join(&run).join("metrics.json"));
        assert_eq!(metrics[0]["model_id"], id.as_str());
        assert_eq!(metrics[0]["dataset_digest"], "d1");
        models.push(id);
    }
    let foreign = tracker
        .create_logged_model(
            &other,
            &NewLoggedModel {
                tags: map(&[("space", "01ef")]),
                ..NewLoggedModel::default()
            },
        )
        .await
        .unwrap();
    let query = ModelQuery {
        tags: map(&[("space", "01ef")]),
        order_by_metric: Some("accuracy".into()),
        max_results: 2,
    };
    let found = tracker
        .search_logged_models(&experiment, &query)
        .await
        .unwrap();
    let ids: Vec<_> = found.iter().map(|model| model.model_id.clone()).collect();
    assert_eq!(ids, [models[1].clone(), models[2].clone()]);
    assert_eq!(found[0].metric("accuracy"), Some(0.8));
    assert_eq!(found[0].metrics[0].dataset.as_ref(), Some(&dataset));
    let all = tracker
        .search_logged_models(&experiment, &ModelQuery::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    assert!(all.iter().all(|model| model.model_id != foreign));
    let unknown = tracker
        .log_model_metrics(&models[0].clone(), "m-missing", None, &[])
        .await
        .unwrap_err();
    assert_eq!(unknown.kind, PortErrorKind::NotFound, "{unknown}");
}
