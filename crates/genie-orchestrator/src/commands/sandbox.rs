//! `genie-opt sandbox`: serve a fixture as a local Databricks workspace on 127.0.0.1.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;
use genie_sandbox::fixture::Fixture;
use genie_sandbox::server::{SandboxConfig, serve};

use crate::Failure;

/// Flags of `genie-opt sandbox`.
#[derive(Debug, Args)]
pub(crate) struct SandboxArgs {
    /// The fixture directory (`schema.sql`, `space.json`).
    #[arg(long)]
    fixture: PathBuf,
    /// The port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The bearer token clients must send; by default a random one, printed once.
    #[arg(long)]
    token: Option<String>,
}

/// Loads the fixture, serves it, prints `listening on http://127.0.0.1:PORT`, and
/// runs until interrupted.
pub(crate) fn run(args: SandboxArgs) -> Result<(), Failure> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let fixture = Fixture::load(&args.fixture).await?;
        let (token, generated) = match args.token {
            Some(token) => (token, false),
            None => (random_token()?, true),
        };
        let config = SandboxConfig {
            port: args.port,
            token: token.clone(),
            ..SandboxConfig::default()
        };
        let server = serve(fixture.engine, vec![fixture.production.clone()], config)
            .await
            .with_context(|| format!("cannot listen on 127.0.0.1:{}", args.port))?;
        #[expect(
            clippy::print_stderr,
            reason = "the generated token is shown once, to the operator"
        )]
        if generated {
            eprintln!("token: {token}");
        }
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "listening on {}", server.url())
            .and_then(|()| stdout.flush())
            .context("cannot write to standard output")?;
        drop(stdout);
        tokio::signal::ctrl_c()
            .await
            .context("cannot wait for Ctrl-C")?;
        server.shutdown().await;
        Ok::<(), anyhow::Error>(())
    })?;
    Ok(())
}

/// A `dapi`-style token from the operating system's randomness.
fn random_token() -> anyhow::Result<String> {
    let mut bytes = [0_u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut file| std::io::Read::read_exact(&mut file, &mut bytes))
        .context("cannot read `/dev/urandom` for a token; pass --token")?;
    Ok(bytes.iter().fold(String::from("dapi"), |mut token, byte| {
        use std::fmt::Write as _;
        let _ = write!(token, "{byte:02x}");
        token
    }))
}
