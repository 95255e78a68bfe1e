//! `cargo xtask`: the project's only automation (no scripts, no Makefile).
//!
//! - `cargo xtask test` — the full check CI runs: formatting, clippy with warnings
//!   denied, every test of the workspace, `sdk-compat` and `mlflow test`.
//! - `cargo xtask sdk-compat` — the sandbox against the official Databricks Python SDK
//!   (a venv in `target/sdk-compat-venv`, created once; needs Python 3).
//! - `cargo xtask mlflow [test]` — a local MLflow server (a venv in `target/mlflow-venv`,
//!   created once; needs Python 3): serves until Ctrl-C, or runs genie-mlflow's tests
//!   against it with `GENIE_MLFLOW_URI` set.
//! - `cargo xtask bench NAME [--release]` — a benchmark: prints a table and writes
//!   `target/bench/NAME.json` with its figures and the build profile it ran under.
//! - `cargo xtask tidy` — the repository's structural rules (also run as tests).
//! - `cargo xtask codegen` — regenerates the generated part of the docs.

mod bench;
mod ci;
mod mlflow;
mod sdk_compat;
mod tidy;
mod venv;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "cargo xtask", about = "genie-optimizer's automation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Formatting, clippy and docs (warnings denied), every test of the workspace,
    /// sdk-compat and genie-mlflow against a live MLflow server.
    Test,
    /// Run a benchmark; prints a table and writes `target/bench/NAME.json`.
    Bench {
        /// Which benchmark (`compare`, `sandbox`).
        name: String,
        /// Build and run it in the release profile.
        #[arg(long)]
        release: bool,
    },
    /// Check the repository's structural rules.
    Tidy,
    /// Run the official Databricks Python SDK against `genie-opt sandbox` (needs Python 3).
    SdkCompat,
    /// Start a local MLflow server (needs Python 3); `test` runs genie-mlflow's tests against it.
    Mlflow {
        #[command(subcommand)]
        action: Option<MlflowAction>,
    },
    /// Regenerate generated documentation (the validation rules in docs/space-files.md).
    Codegen,
}

/// What `cargo xtask mlflow` does once the server answers (serve until Ctrl-C by default).
#[derive(Debug, Subcommand)]
enum MlflowAction {
    /// Run `cargo test -p genie-mlflow` against the server, then stop it.
    Test,
}

/// The workspace root (the parent of `xtask/`).
fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

/// `target/` of this workspace (or `CARGO_TARGET_DIR`).
fn target_directory() -> std::path::PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), std::path::PathBuf::from)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Test => ci::test(),
        Command::Bench { name, release } => bench::run(&name, release),
        Command::Tidy => tidy::run(),
        Command::SdkCompat => sdk_compat::run(),
        Command::Mlflow { action } => mlflow::run(if matches!(action, Some(MlflowAction::Test)) {
            mlflow::Mode::Test
        } else {
            mlflow::Mode::Serve
        }),
        Command::Codegen => tidy::codegen(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            #[expect(clippy::print_stderr, reason = "xtask reports its own errors")]
            {
                eprintln!("xtask: {error:#}");
            }
            ExitCode::FAILURE
        }
    }
}
