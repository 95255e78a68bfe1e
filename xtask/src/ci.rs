//! `cargo xtask test`: the one test command of the README and of `.ci/run`.

use std::process::Command;

use anyhow::{Context as _, bail};

/// Runs formatting, clippy, the docs (warnings denied), the workspace's tests, the
/// Python SDK check (`sdk-compat`) and genie-mlflow's tests against a live MLflow
/// server (`mlflow test`), stopping at the first failure.
pub(crate) fn test() -> anyhow::Result<()> {
    let steps: [(&str, &[&str]); 4] = [
        ("formatting", &["fmt", "--all", "--check"]),
        (
            "clippy",
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--locked",
                "--",
                "-D",
                "warnings",
            ],
        ),
        ("docs", &["doc", "--workspace", "--no-deps", "--locked"]),
        ("tests", &["test", "--workspace", "--locked"]),
    ];
    for (name, args) in steps {
        #[expect(clippy::print_stderr, reason = "progress of the check run")]
        {
            eprintln!("xtask test: {name}: cargo {}", args.join(" "));
        }
        let mut command = Command::new(cargo());
        command.args(args);
        if name == "docs" {
            // Broken intra-doc links and the like fail the docs step.
            command.env("RUSTDOCFLAGS", "-D warnings");
        }
        let status = command
            .status()
            .with_context(|| format!("cannot run cargo for {name}"))?;
        if !status.success() {
            bail!("{name} failed ({status})");
        }
    }
    #[expect(clippy::print_stderr, reason = "progress of the check run")]
    {
        eprintln!("xtask test: sdk-compat: the sandbox against the Databricks Python SDK");
    }
    crate::sdk_compat::run().context("sdk-compat failed")?;
    #[expect(clippy::print_stderr, reason = "progress of the check run")]
    {
        eprintln!("xtask test: mlflow: genie-mlflow against a live MLflow server");
    }
    crate::mlflow::run(crate::mlflow::Mode::Test).context("mlflow test failed")
}

/// The cargo that runs us (so a `rustup` override is honoured).
pub(crate) fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}
