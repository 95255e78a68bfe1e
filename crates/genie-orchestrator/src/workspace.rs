//! The workspace a command talks to: a Databricks workspace (credentials resolved as
//! the Databricks tools resolve them) or the embedded sandbox, started in-process on
//! 127.0.0.1 with a fresh token. Either way the workers get the same clients —
//! genie-databricks' `DatabricksGenie` and `DatabricksWarehouse` — so the sandbox
//! exercises exactly the code that runs against production.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::Args;
use genie_core::ports::{GenieApi, Llm, Warehouse};
use genie_databricks::auth::{AuthEnvironment, AuthRequest, CredentialSource, Credentials};
use genie_databricks::{
    ChatCompletionsLlm, ChatEndpoint, DatabricksGenie, DatabricksWarehouse, PollPolicy,
    RateLimiter, RestClient, RetryPolicy, Token,
};
use genie_sandbox::fixture::Fixture;
use genie_sandbox::server::{RunningSandbox, SandboxConfig, WAREHOUSE_ID, serve};

use crate::accounting::{Counted, Counters};
use crate::commands::sandbox::FaultFlags;

/// Where the space lives, and how to reach it.
#[derive(Debug, Args)]
pub(crate) struct WorkspaceArgs {
    /// The Genie space to evaluate, in the Databricks workspace the credentials name.
    #[arg(
        long,
        value_name = "ID",
        conflicts_with = "sandbox",
        required_unless_present = "sandbox"
    )]
    pub space_id: Option<String>,
    /// Evaluate a fixture's space on the embedded sandbox instead (no credentials
    /// needed): the directory holds `schema.sql` and `space.json`.
    #[arg(long, value_name = "FIXTURE_DIR")]
    pub sandbox: Option<PathBuf>,
    /// The sandbox space's config (defaults to the fixture's `space.json`).
    #[arg(long, value_name = "FILE", requires = "sandbox")]
    pub space_file: Option<PathBuf>,
    /// Workspace URL (else `DATABRICKS_HOST`, a profile, or `databricks.yml`).
    #[arg(long)]
    pub host: Option<String>,
    /// A `~/.databrickscfg` profile (else `DATABRICKS_CONFIG_PROFILE` or the default).
    #[arg(long)]
    pub profile: Option<String>,
    /// The bundle target whose `workspace` block applies.
    #[arg(long)]
    pub target: Option<String>,
    /// The SQL warehouse for ground truth and Genie's SQL (default: the space's own).
    #[arg(long, value_name = "ID")]
    pub warehouse_id: Option<String>,
    /// Genie questions per minute across every concurrent caller (Databricks default:
    /// 5, Genie's documented limit; sandbox default: unlimited).
    #[arg(long)]
    pub qpm: Option<u32>,
    /// Sandbox faults and simulator seed.
    #[command(flatten, next_help_heading = "Sandbox faults (with --sandbox)")]
    pub faults: FaultFlags,
    /// A sandbox faults YAML file; the flags above override it.
    #[arg(long, value_name = "FILE", requires = "sandbox")]
    pub faults_file: Option<PathBuf>,
}

/// The model the LLM judges ask: a serving endpoint of the workspace, or any
/// OpenAI-compatible API.
#[derive(Debug, Args)]
#[expect(
    clippy::struct_field_names,
    reason = "the fields are the `--llm-*` flags, named as users type them"
)]
pub(crate) struct LlmArgs {
    /// A model serving endpoint of the workspace, by name.
    #[arg(long, value_name = "NAME", conflicts_with = "llm_base_url")]
    pub llm_endpoint: Option<String>,
    /// The base URL of an OpenAI-compatible API (OpenAI, vLLM, Ollama, llama.cpp);
    /// its key, if any, from `GENIE_OPT_LLM_TOKEN`.
    #[arg(long, value_name = "URL", requires = "llm_model")]
    pub llm_base_url: Option<String>,
    /// The model to ask for at `--llm-base-url`.
    #[arg(long, value_name = "MODEL")]
    pub llm_model: Option<String>,
}

/// Where the run's space lives, resolved once from the flags: files read, faults
/// merged, credentials looked up later by [`Workspace::connect`] alone.
#[derive(Debug, Clone)]
pub(crate) struct WorkspaceSpec {
    /// The workspace.
    pub target: Target,
    /// Genie questions per minute across every caller (`None`: the target's default).
    pub qpm: Option<u32>,
}

/// The workspace kind.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// The embedded sandbox on a fixture.
    Sandbox {
        /// The fixture directory.
        fixture_dir: PathBuf,
        /// The production space's config, when not the fixture's `space.json`.
        space_config: Option<Box<genie_core::space::SpaceConfig>>,
        /// Faults and the simulator's seed.
        faults: Box<genie_sandbox::server::Faults>,
    },
    /// A Databricks workspace.
    Databricks {
        /// The space.
        space_id: String,
        /// How to find credentials.
        auth: AuthRequest,
        /// The warehouse, when not the space's own.
        warehouse_id: Option<String>,
    },
}

impl WorkspaceSpec {
    /// The spec the flags give (reads `--space-file` and `--faults-file`).
    pub(crate) fn from_args(args: &WorkspaceArgs) -> anyhow::Result<Self> {
        let target = match (&args.sandbox, &args.space_id) {
            (Some(fixture_dir), _) => {
                let faults =
                    crate::commands::sandbox::faults(args.faults_file.as_deref(), &args.faults)?;
                let space_config = match &args.space_file {
                    Some(space_file) => {
                        let text = crate::files::read_text(space_file)?;
                        let document = genie_core::space::SpaceDocument::parse(&text)
                            .with_context(|| {
                                format!("`{}` is not a valid space file", space_file.display())
                            })?;
                        Some(Box::new(document.config().clone()))
                    }
                    None => None,
                };
                Target::Sandbox {
                    fixture_dir: fixture_dir.clone(),
                    space_config,
                    faults: Box::new(faults),
                }
            }
            (None, Some(space_id)) => Target::Databricks {
                space_id: space_id.clone(),
                auth: AuthRequest {
                    host: args.host.clone(),
                    token: None,
                    profile: args.profile.clone(),
                    target: args.target.clone(),
                },
                warehouse_id: args.warehouse_id.clone(),
            },
            (None, None) => bail!("name a space with --space-id, or a fixture with --sandbox"),
        };
        Ok(Self {
            target,
            qpm: args.qpm,
        })
    }

    /// The questions per minute the run is limited to (`None`: unlimited).
    pub(crate) fn effective_qpm(&self) -> Option<u32> {
        match self.target {
            Target::Sandbox { .. } => self.qpm,
            Target::Databricks { .. } => Some(self.qpm.unwrap_or(5)),
        }
    }
}

/// The model the LLM judges and the optimizer ask, resolved from the `--llm-*` flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LlmSpec {
    /// A serving endpoint of the workspace.
    Serving(String),
    /// An OpenAI-compatible API.
    OpenAi {
        /// Its base URL.
        base_url: String,
        /// The model.
        model: String,
    },
}

impl LlmSpec {
    /// The model the flags name, if any.
    pub(crate) fn from_args(args: &LlmArgs) -> Option<Self> {
        match (&args.llm_endpoint, &args.llm_base_url, &args.llm_model) {
            (Some(name), _, _) => Some(Self::Serving(name.clone())),
            (None, Some(base_url), Some(model)) => Some(Self::OpenAi {
                base_url: base_url.trim_end_matches('/').to_owned(),
                model: model.clone(),
            }),
            _ => None,
        }
    }
}

/// The clients a command works with, and the sandbox they may run against. Every
/// client is counted ([`Counters`]).
pub(crate) struct Workspace {
    /// The Genie API.
    pub genie: Arc<dyn GenieApi>,
    /// The SQL warehouse.
    pub warehouse: Arc<dyn Warehouse>,
    /// The space to work on.
    pub space_id: String,
    /// Whether the workspace is the embedded sandbox (it ends with the process).
    pub embedded: bool,
    /// Whether the workspace is a server on this machine.
    pub local: bool,
    /// What the clients spent.
    pub counters: Arc<Counters>,
    /// The embedded sandbox, when there is one; dropped (stopped) with the workspace.
    sandbox: Option<RunningSandbox>,
    /// How the clients authenticate (for further clients of the same workspace).
    credentials: Credentials,
}

impl Workspace {
    /// Connects as `spec` says: starts the sandbox, or resolves Databricks credentials.
    pub(crate) async fn connect(spec: &WorkspaceSpec) -> anyhow::Result<Self> {
        match &spec.target {
            Target::Sandbox {
                fixture_dir,
                space_config,
                faults,
            } => Self::sandbox(spec, fixture_dir, space_config.as_deref(), faults).await,
            Target::Databricks {
                space_id,
                auth,
                warehouse_id,
            } => Self::databricks(spec, space_id, auth, warehouse_id.as_deref()).await,
        }
    }

    async fn sandbox(
        spec: &WorkspaceSpec,
        fixture_dir: &Path,
        space_config: Option<&genie_core::space::SpaceConfig>,
        faults: &genie_sandbox::server::Faults,
    ) -> anyhow::Result<Self> {
        let fixture = Fixture::load(fixture_dir).await?;
        let mut production = fixture.production.clone();
        if let Some(config) = space_config {
            production.config = config.clone();
        }
        let space_id = production.space_id.clone();
        let token = crate::commands::sandbox::random_token()?;
        let config = SandboxConfig {
            token: token.clone(),
            faults: faults.clone(),
            ..SandboxConfig::default()
        };
        let server = serve(fixture.engine, vec![production], config)
            .await
            .context("cannot start the embedded sandbox on 127.0.0.1")?;
        let credentials = Credentials {
            host: server.url(),
            token: Token::new(token),
            source: CredentialSource::Explicit,
        };
        let limiter = spec.effective_qpm().map_or_else(
            || RateLimiter::new(usize::MAX >> 1, Duration::from_mins(1)),
            qpm_limiter,
        );
        let (retry, poll) = local_policies();
        let mut workspace =
            Self::clients(credentials, retry, poll, limiter, &space_id, WAREHOUSE_ID)?;
        workspace.sandbox = Some(server);
        workspace.embedded = true;
        Ok(workspace)
    }

    async fn databricks(
        spec: &WorkspaceSpec,
        space_id: &str,
        auth: &AuthRequest,
        warehouse_id: Option<&str>,
    ) -> anyhow::Result<Self> {
        let credentials = genie_databricks::auth::resolve(auth, &AuthEnvironment::from_process())
            .map_err(|error| {
            anyhow::anyhow!("{error}\n(or work on a fixture offline with --sandbox FIXTURE_DIR)")
        })?;
        let limiter = qpm_limiter(spec.effective_qpm().unwrap_or(5));
        let warehouse_id = if let Some(id) = warehouse_id {
            id.to_owned()
        } else {
            let client = RestClient::new(credentials.clone(), RetryPolicy::default())?;
            let genie = DatabricksGenie::new(
                client,
                Arc::new(RateLimiter::genie_default()),
                PollPolicy::default(),
            );
            let space = genie
                .get_space(space_id)
                .await
                .with_context(|| format!("cannot read space {space_id}"))?;
            space
                .warehouse_id
                .filter(|id| !id.is_empty())
                .with_context(|| {
                    format!("space {space_id} names no warehouse; pass --warehouse-id")
                })?
        };
        let (retry, poll) = if is_loopback(&credentials.host) {
            local_policies()
        } else {
            (RetryPolicy::default(), PollPolicy::default())
        };
        Self::clients(credentials, retry, poll, limiter, space_id, &warehouse_id)
    }

    fn clients(
        credentials: Credentials,
        retry: RetryPolicy,
        poll: PollPolicy,
        limiter: RateLimiter,
        space_id: &str,
        warehouse_id: &str,
    ) -> anyhow::Result<Self> {
        let client = RestClient::new(credentials.clone(), retry)?;
        let genie: Arc<dyn GenieApi> = Arc::new(DatabricksGenie::new(
            client.clone(),
            Arc::new(limiter),
            poll,
        ));
        let warehouse: Arc<dyn Warehouse> =
            Arc::new(DatabricksWarehouse::new(client, warehouse_id));
        let counters = Arc::new(Counters::default());
        Ok(Self {
            genie: Arc::new(Counted::new(genie, Arc::clone(&counters))),
            warehouse: Arc::new(Counted::new(warehouse, Arc::clone(&counters))),
            space_id: space_id.to_owned(),
            embedded: false,
            local: is_loopback(&credentials.host),
            counters,
            sandbox: None,
            credentials,
        })
    }

    /// The chat model `spec` names (counted like every client).
    pub(crate) fn llm(&self, spec: &LlmSpec) -> anyhow::Result<Arc<dyn Llm>> {
        let (credentials, endpoint) = match spec {
            LlmSpec::Serving(name) => (
                self.credentials.clone(),
                ChatEndpoint::Serving(name.clone()),
            ),
            LlmSpec::OpenAi { base_url, model } => {
                let token = std::env::var("GENIE_OPT_LLM_TOKEN").unwrap_or_default();
                let credentials = Credentials {
                    host: base_url.clone(),
                    token: Token::new(token),
                    source: CredentialSource::Explicit,
                };
                (
                    credentials,
                    ChatEndpoint::OpenAiCompatible {
                        model: model.clone(),
                    },
                )
            }
        };
        let client = RestClient::new(credentials, RetryPolicy::default())?;
        let llm: Arc<dyn Llm> = Arc::new(ChatCompletionsLlm::new(client, endpoint));
        Ok(Arc::new(Counted::new(llm, Arc::clone(&self.counters))))
    }

    /// Stops the sandbox, if one runs.
    pub(crate) async fn close(self) {
        if let Some(sandbox) = self.sandbox {
            sandbox.shutdown().await;
        }
    }
}

/// Whether a workspace URL is a server on this machine (the sandbox served by
/// `genie-opt sandbox`): then it answers in milliseconds, and polls are paced so.
pub(crate) fn is_loopback(host: &str) -> bool {
    let rest = host
        .strip_prefix("http://")
        .or_else(|| host.strip_prefix("https://"))
        .unwrap_or(host);
    let authority = rest.split('/').next().unwrap_or(rest);
    let name = authority
        .rsplit_once(':')
        .map_or(authority, |(name, _)| name);
    matches!(name, "127.0.0.1" | "localhost" | "[::1]")
}

/// Retry and poll pacing for a server on this machine.
fn local_policies() -> (RetryPolicy, PollPolicy) {
    (
        RetryPolicy {
            initial_backoff: Duration::from_millis(50),
            max_backoff: Duration::from_secs(2),
            ..RetryPolicy::default()
        },
        PollPolicy {
            initial_interval: Duration::from_millis(20),
            max_interval: Duration::from_millis(500),
            ..PollPolicy::default()
        },
    )
}

/// A limiter admitting `qpm` Genie questions per minute.
fn qpm_limiter(qpm: u32) -> RateLimiter {
    RateLimiter::new(
        usize::try_from(qpm.max(1)).unwrap_or(usize::MAX),
        Duration::from_mins(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_machine_is_loopback() {
        assert!(is_loopback("http://127.0.0.1:8765"));
        assert!(is_loopback("http://localhost:1/api"));
        assert!(!is_loopback("https://adb-1.azuredatabricks.net"));
        assert!(!is_loopback("https://127.0.0.1.example.com"));
    }
}
