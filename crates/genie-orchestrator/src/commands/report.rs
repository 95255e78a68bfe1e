//! `genie-opt report --session FILE` (the reports of an optimization, rendered again
//! from its session file and the evaluations beside it) and `genie-opt routes`.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;

use crate::optimize::results::Results;
use crate::optimize::session::Session;
use crate::{Failure, files};

/// Flags of `genie-opt report`.
#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// The session file (`optimization-progress.json`).
    #[arg(long, value_name = "FILE")]
    session: PathBuf,
    /// Where to write the reports (default: beside the session file).
    #[arg(long, value_name = "DIR")]
    output_dir: Option<PathBuf>,
}

/// Writes `report.md`, `report.html` and `results.json` again.
pub(crate) fn run(args: &ReportArgs) -> Result<(), Failure> {
    let session = Session::load(&args.session)?;
    let results = Results::of(&session);
    let beside = args
        .session
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), PathBuf::from);
    let output_dir = args.output_dir.clone().unwrap_or_else(|| beside.clone());
    std::fs::create_dir_all(&output_dir)
        .with_context(|| format!("cannot create `{}`", output_dir.display()))?;
    if output_dir != beside {
        // The per-question tables read the evaluations kept beside the session.
        let evaluations = output_dir.join("evaluations");
        std::fs::create_dir_all(&evaluations)
            .with_context(|| format!("cannot create `{}`", evaluations.display()))?;
        for entry in std::fs::read_dir(beside.join("evaluations"))
            .into_iter()
            .flatten()
        {
            let entry = entry.context("cannot list the session's evaluations")?;
            let text = files::read_text(&entry.path())?;
            files::write_atomic(&evaluations.join(entry.file_name()), text.as_bytes())?;
        }
    }
    files::write_atomic(
        &output_dir.join("results.json"),
        results.to_json().as_bytes(),
    )?;
    crate::report_files::write(&output_dir, &session, &results)?;
    writeln!(
        std::io::stdout().lock(),
        "{}\nreports in {}",
        crate::report_files::terminal_summary(&session, &results),
        output_dir.display()
    )
    .context("cannot write to standard output")?;
    Ok(())
}

/// Prints the routing table.
pub(crate) fn routes() -> Result<(), Failure> {
    write!(std::io::stdout().lock(), "{}", crate::routes::table())
        .context("cannot write to standard output")?;
    Ok(())
}
