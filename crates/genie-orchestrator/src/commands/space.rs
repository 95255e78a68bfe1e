//! `genie-opt space …`: offline checks of a serialized space.
//!
//! People hit PATCH rejections for unsorted arrays and duplicate ids; these commands
//! find and fix them before anything is sent. FILE may be a bare serialized space or
//! a GenieSpace API object (as GET returns it) whose `serialized_space` is a string.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Subcommand;
use genie_core::space::{Problem, Severity, SpaceDocument};

use crate::Failure;
use crate::files;

/// The `space` subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum SpaceCommand {
    /// Report every broken rule (one `PATH: message` line each); exit 1 on any error.
    Validate {
        /// The space file (serialized space or GenieSpace API object).
        file: PathBuf,
        /// Print a JSON report instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// Write the canonical form: version 2, every list sorted, keys sorted.
    Canonicalize {
        /// The space file.
        file: PathBuf,
        /// Write here (atomically) instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Print the config's short content hash (its identity everywhere).
    Hash {
        /// The space file.
        file: PathBuf,
    },
}

/// Runs one `space` subcommand.
pub(crate) fn run(command: SpaceCommand) -> Result<(), Failure> {
    match command {
        SpaceCommand::Validate { file, json } => validate(&file, json),
        SpaceCommand::Canonicalize { file, output } => canonicalize(&file, output.as_deref()),
        SpaceCommand::Hash { file } => {
            let document = load(&file)?;
            print(&format!("{}\n", document.config().content_hash().short()))?;
            Ok(())
        }
    }
}

fn load(path: &Path) -> anyhow::Result<SpaceDocument> {
    let text = files::read_text(path)?;
    SpaceDocument::parse(&text)
        .with_context(|| format!("`{}` is not a valid space file", path.display()))
}

fn validate(path: &Path, json: bool) -> Result<(), Failure> {
    let document = load(path)?;
    let problems = document.config().validate();
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    let warnings = problems.len() - errors;
    if json {
        let report = serde_json::json!({
            "file": path.display().to_string(),
            "valid": errors == 0,
            "errors": errors,
            "warnings": warnings,
            "hash": document.config().content_hash().short(),
            "problems": problems,
        });
        let mut text = serde_json::to_string_pretty(&report).context("cannot render the report")?;
        text.push('\n');
        print(&text)?;
    } else {
        let mut text = String::new();
        for problem in &problems {
            text.push_str(&line(problem));
            text.push('\n');
        }
        print(&text)?;
        #[expect(
            clippy::print_stderr,
            reason = "the summary goes to stderr so stdout stays one line per problem"
        )]
        {
            eprintln!(
                "{}: {errors} error(s), {warnings} warning(s)",
                path.display()
            );
        }
    }
    if errors > 0 {
        Err(Failure::Findings)
    } else {
        Ok(())
    }
}

/// One problem as a line: `PATH: message`, warnings marked as such.
fn line(problem: &Problem) -> String {
    match problem.severity {
        Severity::Error => format!("{}: {}", problem.path, problem.message),
        Severity::Warning => format!("{}: warning: {}", problem.path, problem.message),
    }
}

fn canonicalize(path: &Path, output: Option<&Path>) -> Result<(), Failure> {
    let mut document = load(path)?;
    document.canonicalize();
    let text = document.to_pretty_json();
    match output {
        Some(output) => files::write_atomic(output, text.as_bytes())?,
        None => print(&text)?,
    }
    Ok(())
}

/// Writes to standard output, turning a closed pipe into an error instead of a panic.
fn print(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .context("cannot write to standard output")
}
