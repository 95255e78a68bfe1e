//! `genie-opt`: measures and raises the accuracy of Databricks Genie spaces.
//!
//! This binary is thin: it parses the command line, routes each command to the
//! crate that does the work, and maps failures to exit codes:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | the command ran and found a problem (an invalid space, accuracy below target) |
//! | 2 | usage or configuration error (bad flags, unreadable or malformed input) |

mod accounting;
mod clock;
mod commands;
mod files;
mod lint;
mod optimize;
mod progress;
mod report;
mod report_files;
mod routes;
mod tracking;
mod workers;
mod workspace;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Measures and raises the accuracy of Databricks Genie spaces.
#[derive(Debug, Parser)]
#[command(name = "genie-opt", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Offline checks of a serialized space: validate, canonicalize, hash.
    #[command(subcommand)]
    Space(commands::space::SpaceCommand),
    /// Serve a fixture as a local Databricks workspace on 127.0.0.1.
    Sandbox(Box<commands::sandbox::SandboxArgs>),
    /// Measure a space on benchmark questions: ask Genie, run both SQLs, judge.
    Evaluate(Box<commands::evaluate::EvaluateArgs>),
    /// Compare two evaluation reports question by question (exact McNemar test).
    Compare(commands::compare::CompareArgs),
    /// Raise a space's accuracy: baseline, levers 1–6 on dev clones, keep or roll
    /// back, held-out check, reports; production is written only with --promote.
    Optimize(Box<optimize::config::OptimizeArgs>),
    /// Render an optimization session's reports again from its session file.
    Report(commands::report::ReportArgs),
    /// Print the routing table: which worker serves which situation of the loop.
    Routes,
    /// Static checks of a space mapped to the levers that fix them (no Genie call).
    Lint(commands::lint::LintArgs),
}

/// How a command ended, when it did not simply succeed.
#[derive(Debug)]
enum Failure {
    /// The command ran and found a problem (exit code 1); it has already said what.
    Findings,
    /// Usage or configuration error (exit code 2).
    Usage(anyhow::Error),
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Self {
        Self::Usage(error)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let outcome = match cli.command {
        Command::Space(command) => commands::space::run(command),
        Command::Sandbox(args) => commands::sandbox::run(*args),
        Command::Evaluate(args) => commands::evaluate::run(&args),
        Command::Compare(args) => commands::compare::run(&args),
        Command::Optimize(args) => optimize::run(&args),
        Command::Report(args) => commands::report::run(&args),
        Command::Routes => commands::report::routes(),
        Command::Lint(args) => commands::lint::run(&args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Findings) => ExitCode::from(1),
        Err(Failure::Usage(error)) => {
            #[expect(clippy::print_stderr, reason = "the binary reports its own errors")]
            {
                eprintln!("error: {error:#}");
            }
            ExitCode::from(2)
        }
    }
}

/// Logs to standard error at the level `GENIE_OPT_LOG` names (`RUST_LOG` syntax;
/// warnings by default). Clients never log secrets, so no filtering is needed here.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("GENIE_OPT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}
