//! Integration tests of the `genie-opt` binary, run as a process.

mod evaluate;
mod sandbox;
mod space;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fixture under `fixtures/`.
fn fixture(relative: &str) -> PathBuf {
    root().join("fixtures").join(relative)
}

/// Runs `genie-opt` with `args` from the repository root.
fn genie_opt(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_genie-opt"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("genie-opt runs")
}

/// A fresh, empty directory for one test.
fn scratch(name: &str) -> PathBuf {
    let directory =
        std::env::temp_dir().join(format!("genie-opt-it-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&directory);
    std::fs::create_dir_all(&directory).expect("scratch directory");
    directory
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("utf-8 stderr")
}

/// An HTTP client. Clients need a TLS crypto provider even for `http://`; the
/// workspace's reqwest brings none of its own, so the tests install rustls' ring one.
fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}
