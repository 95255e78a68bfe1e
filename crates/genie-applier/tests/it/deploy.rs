//! Deploy through a fake `databricks` executable on `PATH`: success, a failing
//! validate, a failing job, and no CLI at all.

use std::os::unix::fs::PermissionsExt;
use std::sync::Arc;

use genie_applier::{ApplierError, Config, FileBundleRepo, GenieApplier};
use genie_core::workers::{Applier, DeployRequest};
use genie_sandbox::server::Faults;

use crate::support::*;

/// A fake CLI: logs its arguments; `validate` fails while `fail_validate` exists, and
/// `run` fails on its first `fail_runs` calls.
const FAKE: &str = r#"#!/bin/sh
dir=$(dirname "$0")
echo "$*" >> "$dir/calls"
case "$2" in
  validate)
    if [ -e "$dir/fail_validate" ]; then echo "Error: databricks.yml: unknown field 'resorces'" >&2; exit 1; fi
    echo "Validation OK!";;
  deploy) echo "Deployment complete!";;
  run)
    count=$(cat "$dir/runs" 2>/dev/null || echo 0); count=$((count + 1)); echo $count > "$dir/runs"
    limit=$(cat "$dir/fail_runs" 2>/dev/null || echo 0)
    if [ "$count" -le "$limit" ]; then echo "Error: run failed with state FAILED: task refresh failed" >&2; exit 1; fi
    echo "Run URL: https://example/jobs/1/runs/$count"; echo "TERMINATED SUCCESS";;
esac
"#;

fn deployer(
    server: &genie_sandbox::server::RunningSandbox,
    dir: &TempDir,
    with_cli: bool,
) -> GenieApplier {
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    if with_cli {
        let cli = bin.join("databricks");
        std::fs::write(&cli, FAKE).unwrap();
        std::fs::set_permissions(&cli, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let config = Config {
        cli_search_path: Some(format!("{}:/usr/bin:/bin", bin.display())),
        deploy_retry_delay_ms: 1,
        ..config(dir)
    };
    GenieApplier::builder(
        genie(server),
        warehouse(server),
        Arc::new(FileBundleRepo::new(dir.bundle())),
    )
    .config(config)
    .build()
}

fn request(dir: &TempDir, job: Option<&str>) -> DeployRequest {
    DeployRequest {
        bundle_dir: dir.bundle().display().to_string(),
        target: Some("dev".to_owned()),
        job: job.map(str::to_owned),
    }
}

fn calls(dir: &TempDir) -> Vec<String> {
    std::fs::read_to_string(dir.path().join("bin/calls"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn deploy_validates_deploys_and_runs_retrying_failures_with_their_text() {
    let server = sandbox(Faults::default()).await;
    let dir = TempDir::new("deploy");
    let applier = deployer(&server, &dir, true);
    std::fs::write(dir.path().join("bin/fail_runs"), "1").unwrap();
    let record = applier
        .deploy(&request(&dir, Some("refresh_genie")))
        .await
        .expect("deploys");
    let commands: Vec<&str> = record
        .steps
        .iter()
        .map(|step| step.command.as_str())
        .collect();
    assert_eq!(
        commands,
        [
            "databricks bundle validate -t dev",
            "databricks bundle deploy -t dev",
            "databricks bundle run refresh_genie -t dev"
        ]
    );
    let run = &record.steps[2];
    assert_eq!(run.attempts.len(), 2, "the failing first run was retried");
    assert!(
        run.attempts[0].output.contains("task refresh failed"),
        "{:?}",
        run.attempts
    );
    assert_eq!(run.attempts[1].exit_code, Some(0));
    assert_eq!(calls(&dir).len(), 4);

    // A failing validate stops the deploy after 3 attempts, naming the failure.
    let dir = TempDir::new("deploy-invalid");
    let applier = deployer(&server, &dir, true);
    std::fs::write(dir.path().join("bin/fail_validate"), "").unwrap();
    let error = applier
        .deploy(&request(&dir, Some("refresh_genie")))
        .await
        .unwrap_err();
    let message = error.downcast_ref::<ApplierError>().unwrap().to_string();
    assert!(
        message.contains("failed 3 time(s)") && message.contains("unknown field 'resorces'"),
        "{message}"
    );
    assert_eq!(
        calls(&dir),
        ["bundle validate -t dev"; 3],
        "nothing deployed after a failing validate"
    );

    // A job that keeps failing fails the deploy.
    let dir = TempDir::new("deploy-job");
    let applier = deployer(&server, &dir, true);
    std::fs::write(dir.path().join("bin/fail_runs"), "9").unwrap();
    let error = applier
        .deploy(&request(&dir, Some("refresh_genie")))
        .await
        .unwrap_err();
    let message = error.downcast_ref::<ApplierError>().unwrap().to_string();
    assert!(
        message.contains("bundle run refresh_genie") && message.contains("state FAILED"),
        "{message}"
    );

    // Without the CLI the message says what to install.
    let dir = TempDir::new("deploy-nocli");
    let applier = deployer(&server, &dir, false);
    let error = applier.deploy(&request(&dir, None)).await.unwrap_err();
    let message = error.downcast_ref::<ApplierError>().unwrap().to_string();
    assert!(message.contains("not on PATH: install it"), "{message}");
    server.shutdown().await;
}
