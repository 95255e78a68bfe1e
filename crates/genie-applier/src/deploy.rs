//! `deploy`: `databricks bundle validate`, `deploy`, then `run <job>`, through the
//! Databricks CLI.
//!
//! Each step is tried up to `Config::deploy_attempts` times, every failure's output
//! kept; a step that still fails ends the deploy with all of it. `bundle run` waits
//! for the job run to end (the CLI polls it) and fails unless it succeeded. Without
//! the CLI the error says what to install.

use std::time::Duration;

use genie_core::workers::{DeployAttempt, DeployRecord, DeployRequest, DeployStep};
use tokio::process::Command;

use crate::applier::GenieApplier;
use crate::error::ApplierError;

const CLI: &str = "databricks";

pub(crate) async fn deploy(
    applier: &GenieApplier,
    request: &DeployRequest,
) -> Result<DeployRecord, ApplierError> {
    let mut commands: Vec<Vec<String>> = vec![
        vec!["bundle".into(), "validate".into()],
        vec!["bundle".into(), "deploy".into()],
    ];
    if let Some(job) = &request.job {
        commands.push(vec!["bundle".into(), "run".into(), job.clone()]);
    }
    let mut steps = Vec::new();
    for mut arguments in commands {
        if let Some(target) = &request.target {
            arguments.extend(["-t".to_owned(), target.clone()]);
        }
        steps.push(step(applier, request, &arguments).await?);
    }
    tracing::info!(
        bundle = request.bundle_dir,
        steps = steps.len(),
        "bundle deployed"
    );
    Ok(DeployRecord { steps })
}

async fn step(
    applier: &GenieApplier,
    request: &DeployRequest,
    arguments: &[String],
) -> Result<DeployStep, ApplierError> {
    let config = &applier.config;
    let command_line = format!("{CLI} {}", arguments.join(" "));
    let attempts = config.deploy_attempts.max(1);
    let mut step = DeployStep {
        command: command_line.clone(),
        attempts: Vec::new(),
    };
    for attempt in 1..=attempts {
        let mut command = Command::new(CLI);
        command.args(arguments).current_dir(&request.bundle_dir);
        if let Some(path) = &config.cli_search_path {
            command.env("PATH", path);
        }
        let output = match command.output().await {
            Ok(output) => output,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(ApplierError::Deploy {
                    message: format!(
                        "the Databricks CLI (`{CLI}`) is not on PATH: install it \
                         (https://docs.databricks.com/dev-tools/cli/install.html, e.g. \
                         `curl -fsSL https://raw.githubusercontent.com/databricks/setup-cli/main/install.sh | sh`) \
                         or run `{command_line}` in `{}` by hand",
                        request.bundle_dir
                    ),
                });
            }
            Err(error) => {
                return Err(ApplierError::Deploy {
                    message: format!(
                        "cannot run `{command_line}` in `{}`: {error}",
                        request.bundle_dir
                    ),
                });
            }
        };
        let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
        text.push_str(&String::from_utf8_lossy(&output.stderr));
        step.attempts.push(DeployAttempt {
            exit_code: output.status.code(),
            output: text.trim_end().to_owned(),
        });
        if output.status.success() {
            tracing::info!(command = command_line, attempt, "deploy step succeeded");
            return Ok(step);
        }
        tracing::warn!(
            command = command_line,
            attempt,
            output = text.trim_end(),
            "deploy step failed"
        );
        if attempt < attempts {
            tokio::time::sleep(Duration::from_millis(config.deploy_retry_delay_ms)).await;
        }
    }
    let outputs: Vec<String> = step
        .attempts
        .iter()
        .enumerate()
        .map(|(index, attempt)| {
            format!(
                "attempt {} (exit {}): {}",
                index + 1,
                attempt
                    .exit_code
                    .map_or_else(|| "signal".to_owned(), |code| code.to_string()),
                attempt.output
            )
        })
        .collect();
    Err(ApplierError::Deploy {
        message: format!(
            "`{command_line}` in `{}` failed {attempts} time(s): {}",
            request.bundle_dir,
            outputs.join("; ")
        ),
    })
}
