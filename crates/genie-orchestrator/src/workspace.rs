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

/// The clients a command works with, and the sandbox they may run against.
pub(crate) struct Workspace {
    /// The Genie API.
    pub genie: Arc<dyn GenieApi>,
    /// The SQL warehouse.
    pub warehouse: Arc<dyn Warehouse>,
    /// The space to work on.
    pub space_id: String,
    /// The embedded sandbox, when there is one; dropped (stopped) with the workspace.
    pub sandbox: Option<RunningSandbox>,
    /// How the clients authenticate (for further clients of the same workspace).
    credentials: Credentials,
}

impl Workspace {
    /// Connects as `args` say: starts the sandbox, or resolves Databricks credentials.
    pub(crate) async fn connect(args: &WorkspaceArgs) -> anyhow::Result<Self> {
        match (&args.sandbox, &args.space_id) {
            (Some(fixture), _) => Self::sandbox(args, fixture).await,
            (None, Some(space_id)) => Self::databricks(args, space_id).await,
            (None, None) => bail!("name a space with --space-id, or a fixture with --sandbox"),
        }
    }

    async fn sandbox(args: &WorkspaceArgs, fixture_dir: &Path) -> anyhow::Result<Self> {
        let faults = crate::commands::sandbox::faults(args.faults_file.as_deref(), &args.faults)?;
        let fixture = Fixture::load(fixture_dir).await?;
        let mut production = fixture.production.clone();
        if let Some(space_file) = &args.space_file {
            let text = crate::files::read_text(space_file)?;
            let document = genie_core::space::SpaceDocument::parse(&text)
                .with_context(|| format!("`{}` is not a valid space file", space_file.display()))?;
            production.config = document.config().clone();
        }
        let space_id = production.space_id.clone();
        let token = crate::commands::sandbox::random_token()?;
        let config = SandboxConfig {
            token: token.clone(),
            faults,
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
        let limiter = args.qpm.map_or_else(
            || RateLimiter::new(usize::MAX >> 1, Duration::from_mins(1)),
            qpm_limiter,
        );
        let retry = RetryPolicy {
            initial_backoff: Duration::from_millis(50),
            max_backoff: Duration::from_secs(2),
            ..RetryPolicy::default()
        };
        let poll = PollPolicy {
            initial_interval: Duration::from_millis(20),
            max_interval: Duration::from_millis(500),
            ..PollPolicy::default()
        };
        let mut workspace =
            Self::clients(credentials, retry, poll, limiter, &space_id, WAREHOUSE_ID)?;
        workspace.sandbox = Some(server);
        Ok(workspace)
    }

    async fn databricks(args: &WorkspaceArgs, space_id: &str) -> anyhow::Result<Self> {
        let request = AuthRequest {
            host: args.host.clone(),
            token: None,
            profile: args.profile.clone(),
            target: args.target.clone(),
        };
        let credentials = genie_databricks::auth::resolve(
            &request,
            &AuthEnvironment::from_process(),
        )
        .map_err(|error| {
            anyhow::anyhow!("{error}\n(or evaluate a fixture offline with --sandbox FIXTURE_DIR)")
        })?;
        let limiter = qpm_limiter(args.qpm.unwrap_or(5));
        let warehouse_id = if let Some(id) = &args.warehouse_id {
            id.clone()
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
        Self::clients(
            credentials,
            RetryPolicy::default(),
            PollPolicy::default(),
            limiter,
            space_id,
            &warehouse_id,
        )
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
        let genie = DatabricksGenie::new(client.clone(), Arc::new(limiter), poll);
        let warehouse = DatabricksWarehouse::new(client, warehouse_id);
        Ok(Self {
            genie: Arc::new(genie),
            warehouse: Arc::new(warehouse),
            space_id: space_id.to_owned(),
            sandbox: None,
            credentials,
        })
    }

    /// The chat model `args` name, for the LLM judges.
    pub(crate) fn llm(&self, args: &LlmArgs) -> anyhow::Result<Arc<dyn Llm>> {
        let (credentials, endpoint) = match (
            &args.llm_endpoint,
            &args.llm_base_url,
            &args.llm_model,
        ) {
            (Some(name), _, _) => (
                self.credentials.clone(),
                ChatEndpoint::Serving(name.clone()),
            ),
            (None, Some(base_url), Some(model)) => {
                let token = std::env::var("GENIE_OPT_LLM_TOKEN").unwrap_or_default();
                let credentials = Credentials {
                    host: base_url.trim_end_matches('/').to_owned(),
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
            _ => bail!(
                "--judges llm needs a model: --llm-endpoint NAME, or --llm-base-url URL with --llm-model MODEL"
            ),
        };
        let client = RestClient::new(credentials, RetryPolicy::default())?;
        Ok(Arc::new(ChatCompletionsLlm::new(client, endpoint)))
    }

    /// Stops the sandbox, if one runs.
    pub(crate) async fn close(self) {
        if let Some(sandbox) = self.sandbox {
            sandbox.shutdown().await;
        }
    }
}

/// A limiter admitting `qpm` Genie questions per minute.
fn qpm_limiter(qpm: u32) -> RateLimiter {
    RateLimiter::new(
        usize::try_from(qpm.max(1)).unwrap_or(usize::MAX),
        Duration::from_mins(1),
    )
}
