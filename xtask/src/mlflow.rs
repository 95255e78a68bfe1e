//! `cargo xtask mlflow`: a local MLflow tracking server for genie-mlflow.
//!
//! - `cargo xtask mlflow` — starts the server, prints its URL and serves until Ctrl-C.
//! - `cargo xtask mlflow test` — starts it, runs `cargo test -p genie-mlflow` with
//!   `GENIE_MLFLOW_URI` set to it (the tests that need a server read that variable),
//!   and stops it.
//!
//! The server is `mlflow` [`MLFLOW_VERSION`] from a venv at `target/mlflow-venv`,
//! created once (reused while its marker file is there), running on a free loopback
//! port with a `SQLite` store and the artifact proxy, its data and log under
//! `target/mlflow-data/`. It runs in its own process group, stopped with SIGTERM
//! (SIGKILL if it lingers) whatever happened.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use crate::ci::cargo;

/// The `mlflow` release served: the one `docs/mlflow-rest.md` was checked against.
const MLFLOW_VERSION: &str = "3.17.2";

/// How long the server may take to answer `GET /health` (a fresh database runs its
/// migrations first: about 10 s on two cores).
const START_TIMEOUT: Duration = Duration::from_mins(1);

/// How long the server may take to stop after SIGTERM before it is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(15);

/// What to do with the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Serve until Ctrl-C.
    Serve,
    /// Run genie-mlflow's tests against it, then stop.
    Test,
}

/// Installs (once) and starts the server, then serves or tests.
pub(crate) fn run(mode: Mode) -> anyhow::Result<()> {
    let target = crate::target_directory();
    let started = Instant::now();
    let mlflow = venv_mlflow(&target.join("mlflow-venv"))?;
    progress(&format!(
        "mlflow {MLFLOW_VERSION} ready in {:.1?}",
        started.elapsed()
    ));
    let data = target.join("mlflow-data");
    std::fs::create_dir_all(data.join("artifacts"))
        .with_context(|| format!("cannot create `{}`", data.display()))?;
    let started = Instant::now();
    let mut server = Server::start(&mlflow, &data)?;
    progress(&format!(
        "MLflow server listening on {} (started in {:.1?}; log: {})",
        server.url,
        started.elapsed(),
        data.join("server.log").display()
    ));
    let outcome = match mode {
        Mode::Serve => serve(&mut server),
        Mode::Test => test(&server.url),
    };
    server.stop();
    outcome
}

/// Prints the URL on stdout and waits for Ctrl-C (or the server's own exit).
fn serve(server: &mut Server) -> anyhow::Result<()> {
    #[expect(clippy::print_stdout, reason = "the URL is this command's output")]
    {
        println!("{}", server.url);
    }
    progress("serving; press Ctrl-C to stop");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start a runtime to wait for Ctrl-C")?;
    runtime.block_on(async {
        let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
        loop {
            tokio::select! {
                result = &mut ctrl_c => {
                    result.context("cannot listen for Ctrl-C")?;
                    progress("Ctrl-C: stopping the server");
                    return Ok(());
                }
                () = tokio::time::sleep(Duration::from_secs(1)) => {
                    if let Some(status) = server.child.try_wait()? {
                        bail!("the MLflow server stopped by itself ({status}); see its log");
                    }
                }
            }
        }
    })
}

/// `cargo test -p genie-mlflow` with `GENIE_MLFLOW_URI` set to the server.
fn test(url: &str) -> anyhow::Result<()> {
    progress(&format!(
        "cargo test -p genie-mlflow with GENIE_MLFLOW_URI={url}"
    ));
    let status = Command::new(cargo())
        .args(["test", "--locked", "--package", "genie-mlflow"])
        .env("GENIE_MLFLOW_URI", url)
        .status()
        .context("cannot run cargo test")?;
    if !status.success() {
        bail!("genie-mlflow's tests against MLflow failed ({status})");
    }
    Ok(())
}

/// The venv's `mlflow` command, creating the venv and installing MLflow when needed.
fn venv_mlflow(venv: &Path) -> anyhow::Result<PathBuf> {
    crate::venv::with_package(
        venv,
        "mlflow",
        MLFLOW_VERSION,
        " (about a minute and 850 MB the first time)",
        progress,
    )?;
    Ok(venv.join("bin").join("mlflow"))
}

/// A running `mlflow server` in its own process group, stopped when dropped.
struct Server {
    child: Child,
    url: String,
    stopped: bool,
}

impl Server {
    fn start(mlflow: &Path, data: &Path) -> anyhow::Result<Self> {
        let port = free_port()?;
        let log_path = data.join("server.log");
        let log = std::fs::File::create(&log_path)
            .with_context(|| format!("cannot create `{}`", log_path.display()))?;
        let data = std::path::absolute(data).context("cannot make the data path absolute")?;
        // An absolute SQLite path needs four slashes: `sqlite:////abs/db`.
        let store = format!("sqlite:///{}", data.join("mlflow.db").display());
        let child = Command::new(mlflow)
            .args(["server", "--host", "127.0.0.1", "--port", &port.to_string()])
            .arg("--backend-store-uri")
            .arg(&store)
            .arg("--artifacts-destination")
            .arg(data.join("artifacts"))
            .args(["--serve-artifacts", "--workers", "1"])
            // The job runner is not needed and only slows the start down.
            .env("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false")
            .stdin(Stdio::null())
            .stdout(log.try_clone().context("cannot share the log file")?)
            .stderr(log)
            // Its own group: Ctrl-C reaches only us, and we stop the whole tree.
            .process_group(0)
            .spawn()
            .with_context(|| format!("cannot start `{}`", mlflow.display()))?;
        let mut server = Self {
            child,
            url: format!("http://127.0.0.1:{port}"),
            stopped: false,
        };
        server.wait_healthy(port, &log_path)?;
        Ok(server)
    }

    /// Polls `GET /health` until it answers `OK`.
    fn wait_healthy(&mut self, port: u16, log: &Path) -> anyhow::Result<()> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if health(port) {
                return Ok(());
            }
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "the MLflow server stopped before answering ({status}); its log:\n{}",
                    std::fs::read_to_string(log).unwrap_or_default()
                );
            }
            if Instant::now() > deadline {
                bail!(
                    "the MLflow server did not answer /health within {START_TIMEOUT:?}; see `{}`",
                    log.display()
                );
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// SIGTERM to the server's process group, then SIGKILL if it lingers.
    fn stop(&mut self) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let deadline = Instant::now() + STOP_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                // The parent is gone; make sure no worker of its group stays behind.
                let _ = Command::new("kill")
                    .args(["-KILL", "--", &group])
                    .stderr(Stdio::null())
                    .status();
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        progress("the MLflow server ignored SIGTERM; killing it");
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A loopback port nothing listens on right now.
fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("cannot find a free port")?;
    Ok(listener.local_addr()?.port())
}

/// Whether `GET /health` on the port answers 200 `OK`.
fn health(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET /health HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.") && answer.contains(" 200 ") && answer.trim_end().ends_with("OK")
}

fn progress(message: &str) {
    #[expect(clippy::print_stderr, reason = "progress of the command")]
    {
        eprintln!("xtask mlflow: {message}");
    }
}
