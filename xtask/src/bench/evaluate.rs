//! `cargo xtask bench evaluate`: how close a whole evaluation gets to the rate limit's
//! bound. 60 questions (the retail benchmarks, cycled) against the sandbox admitting
//! 30 Genie questions per minute with 500 ms in each message status, everything
//! time-scaled by [`TIME_SCALE`] so the run takes seconds. The evaluator (bounded
//! concurrency behind the shared rate limiter) should finish within 1.1 × the bound
//! `questions / qpm`; the same questions asked the seeds' way — one at a time, each
//! followed by a 12 s sleep — are timed in the same run for comparison.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use genie_core::benchmark::{Benchmark, BenchmarkSet, parse_benchmark_file};
use genie_core::compare::{ComparisonOptions, compare_results};
use genie_core::evaluation::Scope;
use genie_core::ports::{ExecuteOptions, GenieApi, Warehouse};
use genie_core::workers::{EvaluationRequest, Evaluator as _, GenerateRequest, Generator as _};
use genie_databricks::auth::{CredentialSource, Credentials};
use genie_databricks::{
    DatabricksGenie, DatabricksWarehouse, PollPolicy, RateLimiter, RestClient, RetryPolicy, Token,
};
use genie_evaluator::GenieEvaluator;
use genie_generator::BenchmarkGenerator;
use genie_sandbox::fixture::Fixture;
use genie_sandbox::server::{Faults, SandboxConfig, WAREHOUSE_ID, serve};
use serde_json::{Value, json};

/// The bearer token of the benchmark's sandbox.
const TOKEN: &str = "dapi-bench-evaluate";
/// Questions per run.
const QUESTIONS: u32 = 60;
/// Genie questions admitted per minute (sandbox and client limiter alike).
const QPM: u32 = 30;
/// Milliseconds a Genie message spends in each status.
const STATUS_LATENCY_MS: u64 = 500;
/// Every latency, wait and rate window is multiplied by this.
const TIME_SCALE: f64 = 0.025;
/// The seeds' pause after each question, in unscaled seconds.
const SEQUENTIAL_SLEEP_SECONDS: f64 = 12.0;
/// Questions in flight at once in the evaluator.
const CONCURRENCY: usize = 16;
/// The target: wall time at most this multiple of the bound.
const TARGET_RATIO: f64 = 1.1;

/// Runs the benchmark on a fresh multi-threaded runtime.
pub(super) fn evaluate() -> anyhow::Result<Value> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start a tokio runtime")?
        .block_on(measure())
}

async fn measure() -> anyhow::Result<Value> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let directory = crate::workspace_root().join("fixtures/retail");
    let fixture = Fixture::load(&directory)
        .await
        .with_context(|| format!("cannot load `{}`", directory.display()))?;
    let space_id = fixture.production.space_id.clone();
    let config = fixture.production.config.clone();
    let faults = Faults {
        time_scale: TIME_SCALE,
        status_latency_ms: STATUS_LATENCY_MS,
        genie_qpm: Some(QPM),
        ..Faults::default()
    };
    let server = serve(
        fixture.engine,
        vec![fixture.production],
        SandboxConfig {
            token: TOKEN.to_owned(),
            faults,
            ..SandboxConfig::default()
        },
    )
    .await
    .context("cannot start the sandbox")?;
    let (genie, warehouse) = clients(&server.url())?;

    let benchmarks = benchmark_set(&directory, &space_id, config, &warehouse).await?;
    let window = Duration::from_mins(1).mul_f64(TIME_SCALE);
    let bound = window.as_secs_f64() * f64::from(QUESTIONS) / f64::from(QPM);

    let evaluator = GenieEvaluator::builder(Arc::clone(&genie), Arc::clone(&warehouse))
        .config(genie_evaluator::Config {
            concurrency: CONCURRENCY,
            ..genie_evaluator::Config::default()
        })
        .build();
    let request = EvaluationRequest {
        space_id: space_id.clone(),
        config_hash: None,
        benchmarks: benchmarks.clone(),
        scope: Scope::Full,
        iteration: 0,
        previous: None,
    };
    let started = Instant::now();
    let report = evaluator.evaluate(&request).await?;
    let wall = started.elapsed().as_secs_f64();

    let (sequential_wall, sequential_correct) = sequential(
        genie.as_ref(),
        warehouse.as_ref(),
        &space_id,
        &benchmarks.benchmarks,
    )
    .await?;
    server.shutdown().await;
    Ok(json!({
        "name": "evaluate",
        "profile": super::profile(),
        "fixture": "retail",
        "questions": QUESTIONS,
        "qpm": QPM,
        "status_latency_ms": STATUS_LATENCY_MS,
        "time_scale": TIME_SCALE,
        "concurrency": CONCURRENCY,
        "bound_seconds": round3(bound),
        "wall_seconds": round3(wall),
        "ratio": round3(wall / bound),
        "target_ratio": TARGET_RATIO,
        "within_target": wall <= TARGET_RATIO * bound,
        "correct": report.correct_count,
        "scored": report.scored,
        "sequential_wall_seconds": round3(sequential_wall),
        "sequential_correct": sequential_correct,
        "speedup_over_sequential": round3(sequential_wall / wall),
    }))
}

/// The Genie and warehouse clients, with the limiter at the sandbox's scaled rate.
fn clients(url: &str) -> anyhow::Result<(Arc<dyn GenieApi>, Arc<dyn Warehouse>)> {
    let credentials = Credentials {
        host: url.to_owned(),
        token: Token::new(TOKEN),
        source: CredentialSource::Explicit,
    };
    let retry = RetryPolicy {
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(200),
        ..RetryPolicy::default()
    };
    let client = RestClient::new(credentials, retry)?;
    let limiter = RateLimiter::new(
        usize::try_from(QPM)?,
        Duration::from_mins(1).mul_f64(TIME_SCALE),
    );
    let poll = PollPolicy {
        initial_interval: Duration::from_millis(5),
        max_interval: Duration::from_millis(50),
        ..PollPolicy::default()
    };
    let genie = DatabricksGenie::new(client.clone(), Arc::new(limiter), poll);
    let mut warehouse = DatabricksWarehouse::new(client, WAREHOUSE_ID);
    warehouse.poll_interval = Duration::from_millis(5);
    Ok((Arc::new(genie), Arc::new(warehouse)))
}

/// The retail benchmarks, validated by the generator, cycled to [`QUESTIONS`].
async fn benchmark_set(
    directory: &std::path::Path,
    space_id: &str,
    config: genie_core::space::SpaceConfig,
    warehouse: &Arc<dyn Warehouse>,
) -> anyhow::Result<BenchmarkSet> {
    let path = directory.join("benchmarks.yaml");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read `{}`", path.display()))?;
    let file = parse_benchmark_file(&path.display().to_string(), &text)?;
    let generator =
        BenchmarkGenerator::new(Arc::clone(warehouse), genie_generator::Config::default())?;
    let set = generator
        .generate(&GenerateRequest {
            space_id: space_id.to_owned(),
            config,
            domain: file.domain.clone(),
            file: Some(file),
            extra_p0: Vec::new(),
            keep_invalid: false,
        })
        .await?;
    let count = usize::try_from(QUESTIONS)?;
    let benchmarks: Vec<Benchmark> = set
        .benchmarks
        .iter()
        .cycle()
        .take(count)
        .enumerate()
        .map(|(index, benchmark)| {
            let mut benchmark = benchmark.clone();
            if index >= set.benchmarks.len() {
                benchmark.id = format!("{}-again", benchmark.id);
            }
            benchmark
        })
        .collect();
    Ok(BenchmarkSet::new(
        set.domain.clone(),
        benchmarks,
        Vec::new(),
    ))
}

/// The seeds' evaluator: one question at a time, both SQLs run and compared, then a
/// 12 s (scaled) sleep. Returns the wall time and the correct count.
async fn sequential(
    genie: &dyn GenieApi,
    warehouse: &dyn Warehouse,
    space_id: &str,
    benchmarks: &[Benchmark],
) -> anyhow::Result<(f64, usize)> {
    let pause = Duration::from_secs_f64(SEQUENTIAL_SLEEP_SECONDS * TIME_SCALE);
    let options = ExecuteOptions::default();
    let started = Instant::now();
    let mut correct = 0;
    for benchmark in benchmarks {
        let answer = genie.ask(space_id, &benchmark.question).await;
        if let Ok(answer) = answer
            && let Some(sql) = answer.sql.as_deref()
            && genie_core::sql::sanitize(sql).is_ok()
        {
            let expected = warehouse.execute(&benchmark.expected_sql, &options).await?;
            if let Ok(actual) = warehouse.execute(sql, &options).await {
                let comparison = compare_results(
                    &expected,
                    &actual,
                    &ComparisonOptions {
                        order_matters: benchmark.order_matters(),
                        ..ComparisonOptions::default()
                    },
                );
                if comparison.equal {
                    correct += 1;
                }
            }
        }
        tokio::time::sleep(pause).await;
    }
    Ok((started.elapsed().as_secs_f64(), correct))
}

fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}
