//! `log_report` into the file tracker (genie-mlflow's `FileTracker`): the run's name,
//! params, metrics and the three artifacts; `report_artifacts` round-trips the report.

use genie_core::evaluation::{EvalReport, Scope};
use genie_core::ports::Tracker;
use genie_evaluator::{log_report, report_artifacts};
use genie_mlflow::FileTracker;
use genie_sandbox::server::Faults;
use serde_json::Value;

use crate::support;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_is_logged_as_one_run_with_params_metrics_and_artifacts() {
    let server = support::sandbox(Faults::default()).await;
    let mut request = support::request(support::WEAK, support::benchmarks(), Scope::P0);
    request.iteration = 2;
    let report = support::evaluate(&server, &request).await;
    server.shutdown().await;

    let artifacts = report_artifacts(&report);
    let paths: Vec<&str> = artifacts.iter().map(|(path, _)| path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "evaluation/eval_results.json",
            "evaluation/failures.json",
            "evaluation/arbiter_actions.json"
        ]
    );
    let round_trip: EvalReport = serde_json::from_slice(&artifacts[0].1).unwrap();
    assert_eq!(round_trip, report);
    let failures: Value = serde_json::from_slice(&artifacts[1].1).unwrap();
    assert_eq!(
        failures["failures"].as_array().unwrap().len(),
        report.scored - report.correct_count
    );

    let root =
        std::env::temp_dir().join(format!("genie-evaluator-tracking-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let tracker = FileTracker::new(&root);
    let experiment = tracker.experiment("genie-opt/retail").await.unwrap();
    let now_ms = 1_795_370_592_433;
    let run_id = log_report(&tracker, &experiment, &report, now_ms)
        .await
        .unwrap();
    let run_dir = root.join("runs").join(&run_id);
    let run: Value =
        serde_json::from_str(&std::fs::read_to_string(run_dir.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["run_name"], "genie_eval_iter2_20261122_180312");
    assert_eq!(run["status"], "FINISHED");
    assert_eq!(run["params"]["space_id"], support::WEAK);
    assert_eq!(run["params"]["iteration"], "2");
    assert_eq!(run["params"]["eval_scope"], "p0");
    assert_eq!(run["params"]["dataset"], report.dataset.as_str());
    assert_eq!(
        run["params"]["num_scorers"],
        report.scores.len().to_string()
    );
    let metrics = std::fs::read_to_string(run_dir.join("metrics.json")).unwrap();
    for key in ["result_correctness", "overall_accuracy", "syntax_validity"] {
        assert!(
            metrics.contains(&format!("\"{key}\"")),
            "{key} missing: {metrics}"
        );
    }
    for (path, content) in &artifacts {
        let written = std::fs::read(run_dir.join("artifacts").join(path)).unwrap();
        assert_eq!(&written, content, "{path}");
    }
    let _ = std::fs::remove_dir_all(&root);
}
