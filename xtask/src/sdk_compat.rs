//! `cargo xtask sdk-compat`: the sandbox against the official Databricks Python SDK.
//!
//! Creates a venv at `target/sdk-compat-venv` with `databricks-sdk` [`SDK_VERSION`]
//! once (reused while its marker file is there), builds `genie-opt`, starts
//! `genie-opt sandbox --fixture fixtures/retail --port 0 --token <random>`, runs
//! `xtask/sdk_compat/check.py` against it (spaces, a Genie conversation and its query
//! result, statements that succeed and fail), and stops the server whatever happened.

use std::io::{BufRead as _, BufReader, Read as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context as _, bail};

use crate::ci::cargo;

/// The `databricks-sdk` release the check runs against: the newest that installs from
/// `PyPI` with its dependencies here (0.162.0 needs a newer `certifi`).
const SDK_VERSION: &str = "0.156.0";

/// How long the sandbox may take to load its fixture and print its address.
const START_TIMEOUT: Duration = Duration::from_mins(3);

/// Runs the check; fails when Python is missing, the install fails, or a check fails.
pub(crate) fn run() -> anyhow::Result<()> {
    let root = crate::workspace_root();
    let target = crate::target_directory();
    let python = venv_python(&target.join("sdk-compat-venv"))?;
    build_genie_opt()?;
    let token = random_token()?;
    let binary = target.join("debug").join("genie-opt");
    let mut server = Server::start(&binary, &root.join("fixtures").join("retail"), &token)?;
    let url = server.url()?;
    progress(&format!(
        "sandbox listening on {url}; running the SDK checks"
    ));
    let status = Command::new(&python)
        .arg(root.join("xtask").join("sdk_compat").join("check.py"))
        .env("GENIE_SANDBOX_HOST", &url)
        .env("GENIE_SANDBOX_TOKEN", &token)
        .status()
        .context("cannot run the check script")?;
    server.stop();
    if !status.success() {
        bail!("the SDK checks failed ({status}); see the FAIL lines above");
    }
    Ok(())
}

/// The venv's interpreter, creating the venv and installing the SDK when needed.
fn venv_python(venv: &Path) -> anyhow::Result<PathBuf> {
    crate::venv::with_package(venv, "databricks-sdk", SDK_VERSION, "", progress)
}

fn build_genie_opt() -> anyhow::Result<()> {
    progress("building genie-opt");
    let status = Command::new(cargo())
        .args([
            "build",
            "--quiet",
            "--locked",
            "--package",
            "genie-orchestrator",
            "--bin",
            "genie-opt",
        ])
        .status()
        .context("cannot run cargo build")?;
    if !status.success() {
        bail!("building genie-opt failed ({status})");
    }
    Ok(())
}

/// A running `genie-opt sandbox`, killed when dropped.
struct Server {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Server {
    fn start(binary: &Path, fixture: &Path, token: &str) -> anyhow::Result<Self> {
        let mut child = Command::new(binary)
            .arg("sandbox")
            .arg("--fixture")
            .arg(fixture)
            .args(["--port", "0", "--token", token])
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("cannot start `{}`", binary.display()))?;
        let stdout = child.stdout.take().context("the sandbox has no stdout")?;
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(Self { child, lines })
    }

    /// The URL from the `listening on http://127.0.0.1:PORT` line.
    fn url(&mut self) -> anyhow::Result<String> {
        let line = match self.lines.recv_timeout(START_TIMEOUT) {
            Ok(line) => line,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                bail!("the sandbox printed no address within {START_TIMEOUT:?}")
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = self.child.wait().ok();
                bail!("the sandbox stopped before listening (exit: {status:?})")
            }
        };
        line.strip_prefix("listening on ")
            .filter(|url| url.starts_with("http://127.0.0.1:"))
            .map(str::to_owned)
            .with_context(|| format!("unexpected first line from the sandbox: `{line}`"))
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A `dapi`-style token from the operating system's randomness.
fn random_token() -> anyhow::Result<String> {
    let mut bytes = [0_u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut file| file.read_exact(&mut bytes))
        .context("cannot read `/dev/urandom` for a token")?;
    Ok(bytes.iter().fold(String::from("dapi"), |mut token, byte| {
        use std::fmt::Write as _;
        let _ = write!(token, "{byte:02x}");
        token
    }))
}

fn progress(message: &str) {
    #[expect(clippy::print_stderr, reason = "progress of the check run")]
    {
        eprintln!("xtask sdk-compat: {message}");
    }
}
