//! `genie-opt sandbox`: serve a fixture as a local Databricks workspace on 127.0.0.1.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use genie_sandbox::fixture::Fixture;
use genie_sandbox::server::{Faults, SandboxConfig, serve};

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
    /// A faults YAML file (keys as the flags below, with `_` for `-`); flags override
    /// it.
    #[arg(long, value_name = "FILE")]
    faults: Option<PathBuf>,
    #[command(flatten)]
    overrides: FaultFlags,
}

/// One flag per key of the faults file; each overrides the file's value.
#[derive(Debug, Args)]
pub(crate) struct FaultFlags {
    /// The seed of every fault draw and of the Genie simulator.
    #[arg(long)]
    seed: Option<u64>,
    /// Multiplies every latency, wait and rate window.
    #[arg(long)]
    time_scale: Option<f64>,
    /// Milliseconds a Genie message spends in each status.
    #[arg(long)]
    status_latency_ms: Option<u64>,
    /// Genie questions admitted per minute (then HTTP 429 with `Retry-After`).
    #[arg(long)]
    genie_qpm: Option<u32>,
    /// Share of calls answered HTTP 429.
    #[arg(long)]
    error_rate_429: Option<f64>,
    /// Share of calls answered HTTP 500.
    #[arg(long)]
    error_rate_500: Option<f64>,
    /// Share of calls answered HTTP 503.
    #[arg(long)]
    error_rate_503: Option<f64>,
    /// Share of Genie messages that end `FAILED`.
    #[arg(long)]
    failed_message_rate: Option<f64>,
    /// Share of get-message polls that hang.
    #[arg(long)]
    stalled_poll_rate: Option<f64>,
    /// Share of calls whose connection is dropped.
    #[arg(long)]
    dropped_connection_rate: Option<f64>,
    /// Milliseconds before Genie sees a space change.
    #[arg(long)]
    propagation_delay_ms: Option<u64>,
    /// Share of `PATCH`es with an `etag` that lose a race (HTTP 409).
    #[arg(long)]
    etag_conflict_rate: Option<f64>,
    /// Share of Genie answers with unsafe SQL (never run).
    #[arg(long)]
    unsafe_sql_rate: Option<f64>,
}

impl FaultFlags {
    /// `faults` with every given flag applied.
    fn apply(&self, mut faults: Faults) -> Faults {
        fn set<T: Copy>(target: &mut T, flag: Option<T>) {
            if let Some(value) = flag {
                *target = value;
            }
        }
        set(&mut faults.seed, self.seed);
        set(&mut faults.time_scale, self.time_scale);
        set(&mut faults.status_latency_ms, self.status_latency_ms);
        if self.genie_qpm.is_some() {
            faults.genie_qpm = self.genie_qpm;
        }
        set(&mut faults.error_rate_429, self.error_rate_429);
        set(&mut faults.error_rate_500, self.error_rate_500);
        set(&mut faults.error_rate_503, self.error_rate_503);
        set(&mut faults.failed_message_rate, self.failed_message_rate);
        set(&mut faults.stalled_poll_rate, self.stalled_poll_rate);
        set(
            &mut faults.dropped_connection_rate,
            self.dropped_connection_rate,
        );
        set(&mut faults.propagation_delay_ms, self.propagation_delay_ms);
        set(&mut faults.etag_conflict_rate, self.etag_conflict_rate);
        set(&mut faults.unsafe_sql_rate, self.unsafe_sql_rate);
        faults
    }
}

/// The faults file (if any) with the flags applied, validated.
pub(crate) fn faults(file: Option<&Path>, flags: &FaultFlags) -> anyhow::Result<Faults> {
    let from_file = match file {
        Some(path) => Faults::from_file(path)?,
        None => Faults::default(),
    };
    let faults = flags.apply(from_file);
    faults.validate("the command line")?;
    Ok(faults)
}

/// Loads the fixture, serves it, prints `listening on http://127.0.0.1:PORT`, and
/// runs until interrupted.
pub(crate) fn run(args: SandboxArgs) -> Result<(), Failure> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let faults = faults(args.faults.as_deref(), &args.overrides)?;
    runtime.block_on(async {
        let fixture = Fixture::load(&args.fixture).await?;
        let (token, generated) = match args.token {
            Some(token) => (token, false),
            None => (random_token()?, true),
        };
        let config = SandboxConfig {
            port: args.port,
            token: token.clone(),
            faults,
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
pub(crate) fn random_token() -> anyhow::Result<String> {
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
