//! `cargo xtask bench sandbox`: sustained questions answered per second by the sandbox
//! (no latency, no faults), started in-process on the retail fixture and driven over
//! HTTP on 127.0.0.1 by concurrent clients through the full flow a client follows:
//! start-conversation, poll get-message until `COMPLETED`, fetch the query result.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use genie_sandbox::fixture::Fixture;
use genie_sandbox::server::{SandboxConfig, serve};
use serde_json::{Value, json};

/// The bearer token of the benchmark's sandbox.
const TOKEN: &str = "dapi-bench-sandbox";
/// Questions per concurrency level (after the warm-up).
const QUESTIONS: usize = 2_000;
/// The concurrency levels measured.
const LEVELS: [usize; 3] = [1, 4, 16];
/// The figure the sandbox should reach.
const TARGET_QUESTIONS_PER_SECOND: f64 = 200.0;

/// Runs the benchmark on a fresh multi-threaded runtime.
pub(super) fn sandbox() -> anyhow::Result<Value> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start a tokio runtime")?
        .block_on(measure_all())
}

/// Where the clients send their questions.
struct Target {
    client: reqwest::Client,
    base: String,
    questions: Vec<String>,
}

async fn measure_all() -> anyhow::Result<Value> {
    let directory = crate::workspace_root().join("fixtures/retail");
    let fixture = Fixture::load(&directory)
        .await
        .with_context(|| format!("cannot load `{}`", directory.display()))?;
    let questions = benchmark_questions(&directory.join("benchmarks.yaml"))?;
    let space_id = fixture.production.space_id.clone();
    let server = serve(
        fixture.engine,
        vec![fixture.production],
        SandboxConfig {
            token: TOKEN.to_owned(),
            ..SandboxConfig::default()
        },
    )
    .await
    .context("cannot start the sandbox")?;
    // reqwest needs a TLS crypto provider even for `http://`: rustls' ring one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let target = Arc::new(Target {
        client: reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            .build()
            .context("cannot build an HTTP client")?,
        base: format!("{}/api/2.0/genie/spaces/{space_id}", server.url()),
        questions,
    });
    // Warm-up: every question once, so each level measures a warm server.
    let warm_up = target.questions.len();
    run_level(&target, 4, warm_up).await?;
    let mut levels = Vec::new();
    for concurrency in LEVELS {
        levels.push(run_level(&target, concurrency, QUESTIONS).await?);
    }
    server.shutdown().await;
    let best = levels
        .iter()
        .map(|level| level.questions_per_second)
        .fold(0.0, f64::max);
    Ok(json!({
        "name": "sandbox",
        "profile": super::profile(),
        "fixture": "retail",
        "distinct_questions": target.questions.len(),
        "questions_per_level": QUESTIONS,
        "questions_per_second": round2(best),
        "target_questions_per_second": TARGET_QUESTIONS_PER_SECOND,
        "cores": std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        "levels": levels.iter().map(Level::to_json).collect::<Vec<_>>(),
    }))
}

/// The retail fixture's benchmark questions, in file order.
fn benchmark_questions(path: &std::path::Path) -> anyhow::Result<Vec<String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read `{}`", path.display()))?;
    let file = genie_core::benchmark::parse_benchmark_file(&path.display().to_string(), &text)?;
    let questions: Vec<String> = file
        .benchmarks
        .into_iter()
        .map(|benchmark| benchmark.question)
        .collect();
    if questions.is_empty() {
        bail!("`{}` has no benchmark questions", path.display());
    }
    Ok(questions)
}

/// One concurrency level's figures.
struct Level {
    concurrency: usize,
    questions: usize,
    seconds: f64,
    questions_per_second: f64,
    latencies: Vec<Duration>,
}

impl Level {
    fn to_json(&self) -> Value {
        json!({
            "concurrency": self.concurrency,
            "questions": self.questions,
            "seconds": round3(self.seconds),
            "questions_per_second": round2(self.questions_per_second),
            "p50_ms": round2(percentile_ms(&self.latencies, 0.50)),
            "p95_ms": round2(percentile_ms(&self.latencies, 0.95)),
        })
    }
}

/// Asks `total` questions (cycling through the benchmark questions) with `concurrency`
/// clients at once.
#[expect(
    clippy::cast_precision_loss,
    reason = "question counts are far below 2^52"
)]
async fn run_level(
    target: &Arc<Target>,
    concurrency: usize,
    total: usize,
) -> anyhow::Result<Level> {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let clients: Vec<_> = (0..concurrency)
        .map(|_| {
            let target = Arc::clone(target);
            let next = Arc::clone(&next);
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= total {
                        return anyhow::Ok(latencies);
                    }
                    let question = &target.questions[index % target.questions.len()];
                    let asked = Instant::now();
                    ask(&target, question)
                        .await
                        .with_context(|| format!("question `{question}`"))?;
                    latencies.push(asked.elapsed());
                }
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(total);
    for client in clients {
        latencies.extend(client.await.context("a client task panicked")??);
    }
    let seconds = started.elapsed().as_secs_f64();
    Ok(Level {
        concurrency,
        questions: total,
        seconds,
        questions_per_second: total as f64 / seconds,
        latencies,
    })
}

/// One question through the full flow: start a conversation, poll the message until it
/// completes, fetch its query result (text answers have none).
async fn ask(target: &Target, question: &str) -> anyhow::Result<()> {
    let started = send(
        target
            .client
            .post(format!("{}/start-conversation", target.base))
            .json(&json!({"content": question})),
    )
    .await?;
    let message_path = format!(
        "{}/conversations/{}/messages/{}",
        target.base,
        text(&started["conversation_id"])?,
        text(&started["message_id"])?
    );
    // With no latency the first poll sees the final status; the bound only stops a
    // broken sandbox from hanging the benchmark.
    let mut polls = 0;
    let message = loop {
        let message = send(target.client.get(&message_path)).await?;
        match message["status"].as_str() {
            Some("COMPLETED") => break message,
            Some("FAILED") => bail!("the message failed: {}", message["error"]),
            status if polls >= 1_000 => bail!("the message is still {status:?}"),
            _ => polls += 1,
        }
    };
    let query = message["attachments"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|attachment| attachment.get("query").is_some());
    if let Some(query) = query {
        let result = send(target.client.get(format!(
            "{message_path}/attachments/{}/query-result",
            text(&query["attachment_id"])?
        )))
        .await?;
        if result["statement_response"]["status"]["state"]
            .as_str()
            .is_none()
        {
            bail!("a query result without a state: {result}");
        }
    }
    Ok(())
}

/// Sends an authenticated request; the JSON body of a 200 answer.
async fn send(request: reqwest::RequestBuilder) -> anyhow::Result<Value> {
    let response = request.bearer_auth(TOKEN).send().await?;
    let status = response.status();
    let body: Value = response.json().await?;
    if !status.is_success() {
        bail!("HTTP {status}: {body}");
    }
    Ok(body)
}

fn text(value: &Value) -> anyhow::Result<&str> {
    value
        .as_str()
        .with_context(|| format!("expected a string, got {value}"))
}

/// The `fraction` percentile of `latencies`, in milliseconds (nearest rank).
#[expect(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "counts are small and the rank is non-negative"
)]
fn percentile_ms(latencies: &[Duration], fraction: f64) -> f64 {
    if latencies.is_empty() {
        return 0.0;
    }
    let mut sorted = latencies.to_vec();
    sorted.sort_unstable();
    let rank = ((sorted.len() as f64 * fraction).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1000.0
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let latencies: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert!((percentile_ms(&latencies, 0.50) - 50.0).abs() < 1e-9);
        assert!((percentile_ms(&latencies, 0.95) - 95.0).abs() < 1e-9);
        assert!((percentile_ms(&[Duration::from_millis(7)], 0.95) - 7.0).abs() < 1e-9);
        assert!(percentile_ms(&[], 0.5).abs() < 1e-9);
    }
}
