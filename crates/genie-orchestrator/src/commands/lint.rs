//! `genie-opt lint`: the static checks of [`crate::lint`] on a space file or a live
//! space (then with its Unity Catalog metadata), as a table or `--json`; exit 1 when
//! a finding is at or above `--fail-on`.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use genie_core::catalog::{CatalogScope, read_catalog};
use genie_core::ports::ExecuteOptions;
use genie_databricks::auth::AuthRequest;

use crate::lint::{Severity, lint, render};
use crate::workspace::{Target, Workspace, WorkspaceSpec};
use crate::{Failure, files};

/// Flags of `genie-opt lint`.
#[derive(Debug, Args)]
pub(crate) struct LintArgs {
    /// A serialized space (export or config JSON), checked offline.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "space_id",
        required_unless_present = "space_id"
    )]
    config: Option<PathBuf>,
    /// A space of the workspace the credentials name (read, never written; no Genie
    /// question is asked).
    #[arg(long, value_name = "ID")]
    space_id: Option<String>,
    /// Workspace URL (else `DATABRICKS_HOST`, a profile, or `databricks.yml`).
    #[arg(long)]
    host: Option<String>,
    /// A `~/.databrickscfg` profile.
    #[arg(long)]
    profile: Option<String>,
    /// The SQL warehouse that reads the catalog (default: the space's own).
    #[arg(long, value_name = "ID")]
    warehouse_id: Option<String>,
    /// Print the findings as JSON.
    #[arg(long)]
    json: bool,
    /// Exit 1 when a finding is at least this serious.
    #[arg(long, value_enum, default_value_t = Severity::Warning)]
    fail_on: Severity,
}

/// Runs the checks.
pub(crate) fn run(args: &LintArgs) -> Result<(), Failure> {
    let findings = match (&args.config, &args.space_id) {
        (Some(path), _) => {
            let text = files::read_text(path)?;
            let document = genie_core::space::SpaceDocument::parse(&text)
                .with_context(|| format!("`{}` is not a valid space file", path.display()))?;
            lint(document.config(), None)
        }
        (None, Some(space_id)) => {
            let spec = WorkspaceSpec {
                target: Target::Databricks {
                    space_id: space_id.clone(),
                    auth: AuthRequest {
                        host: args.host.clone(),
                        token: None,
                        profile: args.profile.clone(),
                        target: None,
                    },
                    warehouse_id: args.warehouse_id.clone(),
                },
                qpm: None,
            };
            let runtime =
                tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            runtime.block_on(async {
                let workspace = Workspace::connect(&spec).await?;
                let space = workspace
                    .genie
                    .get_space(space_id)
                    .await
                    .with_context(|| format!("cannot read space {space_id}"))?;
                let config = space.config().context("the space has no readable config")?;
                let catalog = read_catalog(
                    workspace.warehouse.as_ref(),
                    &CatalogScope::of_space(&config),
                    &ExecuteOptions::default(),
                )
                .await
                .context("cannot read the space's Unity Catalog metadata")?;
                workspace.close().await;
                Ok::<_, anyhow::Error>(lint(&config, Some(&catalog)))
            })?
        }
        (None, None) => {
            return Err(
                anyhow::anyhow!("name a space with --space-id, or a file with --config").into(),
            );
        }
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        let text = serde_json::to_string_pretty(&findings).context("cannot render the findings")?;
        writeln!(out, "{text}")
    } else {
        writeln!(out, "{}", render(&findings))
    }
    .context("cannot write to standard output")?;
    if findings.iter().any(|f| f.severity >= args.fail_on) {
        Err(Failure::Findings)
    } else {
        Ok(())
    }
}
