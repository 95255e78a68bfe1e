//! Python virtual environments under `target/` with one pinned package from the index,
//! created once and reused (a marker file records the installed version).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};

/// The venv at `venv` with `package==version` installed; returns its interpreter.
/// `progress` reports each slow step.
pub(crate) fn with_package(
    venv: &Path,
    package: &str,
    version: &str,
    note: &str,
    progress: fn(&str),
) -> anyhow::Result<PathBuf> {
    let python = venv.join("bin").join("python");
    let marker = venv.join(format!("{package}-{version}.installed"));
    if python.exists() && marker.exists() {
        return Ok(python);
    }
    if !python.exists() {
        let system = system_python()?;
        progress(&format!("creating `{}`", venv.display()));
        let status = Command::new(&system)
            .args(["-m", "venv"])
            .arg(venv)
            .status()
            .with_context(|| format!("cannot run `{system} -m venv`"))?;
        if !status.success() {
            bail!(
                "`{system} -m venv {}` failed ({status}); install Python's venv module (e.g. \
                 the `python3-venv` package)",
                venv.display()
            );
        }
    }
    progress(&format!("installing {package}=={version}{note}"));
    let status = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .arg(format!("{package}=={version}"))
        .status()
        .context("cannot run pip in the venv")?;
    if !status.success() {
        bail!("`pip install {package}=={version}` failed ({status})");
    }
    std::fs::write(&marker, version)
        .with_context(|| format!("cannot write `{}`", marker.display()))?;
    Ok(python)
}

/// `python3` (or `python` when it is Python 3), or a clear error.
pub(crate) fn system_python() -> anyhow::Result<String> {
    for candidate in ["python3", "python"] {
        let output = Command::new(candidate).arg("--version").output();
        if let Ok(output) = output
            && output.status.success()
            && String::from_utf8_lossy(&output.stdout)
                .trim_start()
                .starts_with("Python 3")
        {
            return Ok(candidate.to_owned());
        }
    }
    bail!(
        "this needs Python 3 (with its venv module) on PATH as `python3` or `python`; \
         none was found"
    )
}
