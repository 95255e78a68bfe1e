//! Integration tests of the `genie-opt` binary, run as a process.

mod evaluate;
mod lint;
mod optimize;
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

/// Kills a server process when the test ends, pass or fail.
pub(crate) struct Server(pub(crate) std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `genie-opt sandbox` on the retail fixture as its own process with `token`; returns
/// the process (killed on drop) and its URL.
pub(crate) fn sandbox_process(token: &str) -> (Server, String) {
    use std::io::{BufRead as _, BufReader};
    let mut server = Server(
        Command::new(env!("CARGO_BIN_EXE_genie-opt"))
            .args([
                "sandbox",
                "--fixture",
                &fixture("retail").display().to_string(),
                "--port",
                "0",
                "--token",
                token,
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the sandbox starts"),
    );
    let mut line = String::new();
    BufReader::new(server.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected line `{line}`"))
        .to_owned();
    (server, url)
}
