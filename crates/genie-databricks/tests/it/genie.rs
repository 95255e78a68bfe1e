//! `DatabricksGenie` against the sandbox on 127.0.0.1: spaces CRUD with etags, asking
//! (SQL, result, text), the shared rate limiter against the sandbox's `genie_qpm`, and
//! questions under injected faults — none lost, none asked twice.

use std::sync::Arc;
use std::time::Duration;

use genie_core::error::PortErrorKind;
use genie_core::evaluation::AnswerStatus;
use genie_core::ports::{GenieApi, NewSpace};
use genie_core::result::Cell;
use genie_core::space::SpaceConfig;
use genie_databricks::auth::{CredentialSource, Credentials};
use genie_databricks::{DatabricksGenie, PollPolicy, RateLimiter, RestClient, RetryPolicy, Token};
use genie_sandbox::engine::Engine;
use genie_sandbox::server::{
    Faults, RunningSandbox, SandboxConfig, SeedSpace, WAREHOUSE_ID, serve,
};
use serde_json::{Value, json};

const TOKEN: &str = "dapi-genie-test";
const SPACE_ID: &str = "01f0dd00000000000000000000000001";
const QUESTION: &str = "How many orders are there?";

fn config() -> SpaceConfig {
    SpaceConfig::from_json(
        &json!({"version": 2,
            "data_sources": {"tables": [{"identifier": "main.sales.orders"}]},
            "instructions": {"example_question_sqls": [{"id": "01f0dd000000000000000000000000aa",
                "question": [QUESTION], "sql": ["SELECT COUNT(*) AS n FROM main.sales.orders"]}]}})
        .to_string(),
    )
    .expect("space parses")
}

async fn sandbox(faults: Faults) -> RunningSandbox {
    let engine = Engine::from_schema_sql(
        "CREATE SCHEMA main.sales;\nCREATE TABLE main.sales.orders (id INT, region STRING);\n\
         INSERT INTO main.sales.orders VALUES (1, 'EMEA'), (2, 'AMER'), (3, 'EMEA');",
    )
    .await
    .expect("schema loads");
    serve(
        engine,
        vec![SeedSpace {
            space_id: SPACE_ID.to_owned(),
            title: "Orders".to_owned(),
            config: config(),
        }],
        SandboxConfig {
            token: TOKEN.to_owned(),
            faults,
            ..SandboxConfig::default()
        },
    )
    .await
    .expect("sandbox starts")
}

fn client(server: &RunningSandbox) -> RestClient {
    let credentials = Credentials {
        host: server.url(),
        token: Token::new(TOKEN),
        source: CredentialSource::Explicit,
    };
    RestClient::new(
        credentials,
        RetryPolicy {
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(50),
            max_attempts: 12,
            request_timeout: Duration::from_secs(2),
        },
    )
    .unwrap()
}

fn fast_polls() -> PollPolicy {
    PollPolicy {
        initial_interval: Duration::from_millis(5),
        max_interval: Duration::from_millis(20),
        deadline: Duration::from_secs(30),
        max_attempts: 12,
    }
}

fn genie(server: &RunningSandbox, limiter: RateLimiter) -> DatabricksGenie {
    DatabricksGenie::new(client(server), Arc::new(limiter), fast_polls())
}

async fn audit(server: &RunningSandbox) -> Vec<Value> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let response = reqwest::Client::new()
        .get(format!("{}/sandbox/audit", server.url()))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    body["events"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn spaces_are_listed_read_created_updated_with_etags_and_trashed() {
    let server = sandbox(Faults::default()).await;
    let genie = genie(&server, RateLimiter::new(100, Duration::from_secs(1)));
    let listed = genie.list_spaces().await.unwrap();
    assert_eq!(listed[0].space_id, SPACE_ID);
    let created = genie
        .create_space(&NewSpace {
            title: "Copy".into(),
            description: None,
            warehouse_id: WAREHOUSE_ID.into(),
            parent_path: None,
            config: config(),
        })
        .await
        .unwrap();
    let id = created.space_id.clone().unwrap();
    let read = genie.get_space(&id).await.unwrap();
    assert_eq!(
        read.config().unwrap().content_hash(),
        config().content_hash()
    );
    let etag = read.etag.clone().unwrap();
    let updated = genie
        .update_space(&id, &config(), Some(&etag))
        .await
        .unwrap();
    assert_ne!(updated.etag, read.etag);
    let conflict = genie
        .update_space(&id, &config(), Some(&etag))
        .await
        .unwrap_err();
    assert_eq!(conflict.kind, PortErrorKind::Conflict, "{conflict}");
    let current = genie.get_space(&id).await.unwrap().etag.unwrap();
    assert!(conflict.message.contains(&current), "{conflict}");
    genie.trash_space(&id).await.unwrap();
    assert_eq!(
        genie.get_space(&id).await.unwrap_err().kind,
        PortErrorKind::NotFound
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_question_returns_its_sql_result_and_text() {
    let server = sandbox(Faults {
        status_latency_ms: 5,
        ..Faults::default()
    })
    .await;
    let genie = genie(&server, RateLimiter::new(100, Duration::from_secs(1)));
    let answer = genie.ask(SPACE_ID, QUESTION).await.unwrap();
    assert_eq!(answer.status, AnswerStatus::Completed);
    assert_eq!(
        answer.sql.as_deref(),
        Some("SELECT COUNT(*) AS n FROM main.sales.orders")
    );
    assert_eq!(answer.result.unwrap().rows, [vec![Cell::Integer(3)]]);
    assert!(answer.polls >= 1 && answer.attempts == 1);
    let unanswerable = genie
        .ask(SPACE_ID, "Will it rain in Lisbon?")
        .await
        .unwrap();
    assert_eq!((unanswerable.sql, unanswerable.result), (None, None));
    assert!(unanswerable.text.is_some());
    server.shutdown().await;
}

#[tokio::test]
async fn the_shared_limiter_keeps_under_the_workspace_rate() {
    // 30 questions a minute, time-scaled to a 3-second window.
    let server = sandbox(Faults {
        genie_qpm: Some(6),
        time_scale: 0.05,
        ..Faults::default()
    })
    .await;
    let limiter = Arc::new(RateLimiter::new(6, Duration::from_secs(3)));
    let mut tasks = Vec::new();
    for index in 0..12 {
        let genie = DatabricksGenie::new(client(&server), Arc::clone(&limiter), fast_polls());
        tasks.push(tokio::spawn(async move {
            genie.ask(SPACE_ID, &format!("{QUESTION} ({index})")).await
        }));
    }
    for task in tasks {
        assert!(task.await.unwrap().is_ok());
    }
    let events = audit(&server).await;
    assert!(
        !events.iter().any(|event| event["kind"] == "genie_qpm"),
        "the sandbox refused a question for the rate: {events:?}"
    );
    server.shutdown().await;
}

/// The backends issue's fault mix, 200 questions from 16 concurrent tasks sharing one
/// limiter that matches the sandbox's `genie_qpm`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_the_fault_mix_no_question_is_lost_or_asked_twice_and_the_rate_holds() {
    // 100 questions a minute, time-scaled to a 3-second window.
    let server = sandbox(Faults {
        seed: 5,
        time_scale: 0.05,
        genie_qpm: Some(100),
        error_rate_429: 0.2,
        error_rate_500: 0.05,
        error_rate_503: 0.05,
        stalled_poll_rate: 0.02,
        dropped_connection_rate: 0.02,
        ..Faults::default()
    })
    .await;
    let limiter = Arc::new(RateLimiter::new(100, Duration::from_secs(3)));
    let questions = 200;
    let mut tasks = Vec::new();
    for worker in 0..16 {
        let genie = DatabricksGenie::new(client(&server), Arc::clone(&limiter), fast_polls());
        tasks.push(tokio::spawn(async move {
            let mut outcomes = Vec::new();
            for index in (worker..questions).step_by(16) {
                let question = format!("{QUESTION} #{index}");
                outcomes.push((question.clone(), genie.ask(SPACE_ID, &question).await));
            }
            outcomes
        }));
    }
    let mut answered = 0;
    let mut outcomes = 0;
    for task in tasks {
        for (question, outcome) in task.await.unwrap() {
            outcomes += 1;
            match outcome {
                Ok(answer) => {
                    answered += 1;
                    assert_eq!(answer.question, question);
                    assert_eq!(answer.status, AnswerStatus::Completed, "{answer:?}");
                }
                Err(error) => assert!(
                    matches!(
                        error.kind,
                        PortErrorKind::Unavailable
                            | PortErrorKind::RateLimited
                            | PortErrorKind::Timeout
                    ),
                    "{question}: {error}"
                ),
            }
        }
    }
    assert_eq!(outcomes, questions, "every question has an outcome");
    assert!(answered >= questions * 3 / 4, "{answered} of {questions}");
    let events = audit(&server).await;
    // Each question reached Genie (a start-conversation answered 200) at most once.
    let mut started: Vec<&str> = Vec::new();
    for event in &events {
        if event["event"] == "call"
            && event["status"] == 200
            && event["path"]
                .as_str()
                .is_some_and(|path| path.ends_with("/start-conversation"))
        {
            started.push(event["path"].as_str().unwrap_or_default());
        }
    }
    assert!(
        started.len() <= questions && started.len() >= answered,
        "{} started, {answered} answered",
        started.len()
    );
    assert!(
        !events.iter().any(|event| event["kind"] == "genie_qpm"),
        "the limiter let through more than the workspace's rate"
    );
    server.shutdown().await;
}

/// A space with two benchmark questions: one its example SQL answers, one no space can.
fn config_with_benchmarks() -> SpaceConfig {
    SpaceConfig::from_json(
        &json!({"version": 2,
            "data_sources": {"tables": [{"identifier": "main.sales.orders"}]},
            "instructions": {"example_question_sqls": [{"id": "01f0dd000000000000000000000000aa",
                "question": [QUESTION], "sql": ["SELECT COUNT(*) AS n FROM main.sales.orders"]}]},
            "benchmarks": {"questions": [
                {"id": "01f0dd000000000000000000000000b1", "question": [QUESTION],
                 "answer": [{"format": "SQL", "content": ["SELECT COUNT(*) AS n FROM main.sales.orders"]}]},
                {"id": "01f0dd000000000000000000000000b2", "question": ["Will it rain in Lisbon?"],
                 "answer": [{"format": "SQL", "content": ["SELECT COUNT(*) AS n FROM main.sales.orders WHERE region = 'EMEA'"]}]}
            ]}})
        .to_string(),
    )
    .expect("space parses")
}

#[tokio::test]
async fn an_eval_run_is_created_polled_and_its_results_read_with_details() {
    let server = sandbox(Faults {
        status_latency_ms: 20,
        ..Faults::default()
    })
    .await;
    let genie = genie(&server, RateLimiter::new(100, Duration::from_secs(1)));
    let created = genie
        .create_space(&NewSpace {
            title: "Benchmarked".into(),
            description: None,
            warehouse_id: WAREHOUSE_ID.into(),
            parent_path: None,
            config: config_with_benchmarks(),
        })
        .await
        .unwrap();
    let space_id = created.space_id.unwrap();
    let run = genie.create_eval_run(&space_id, &[]).await.unwrap();
    assert_eq!(run.num_questions, 2);
    let mut current = run.clone();
    for _ in 0..200 {
        if current.is_finished() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        current = genie
            .get_eval_run(&space_id, &run.eval_run_id)
            .await
            .unwrap();
    }
    assert_eq!(current.status, "DONE", "{current:?}");
    assert_eq!(current.num_done, 2);
    let mut results = genie
        .list_eval_results(&space_id, &run.eval_run_id)
        .await
        .unwrap();
    results.sort_by(|a, b| a.benchmark_question_id.cmp(&b.benchmark_question_id));
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].assessment.as_deref(), Some("GOOD"));
    assert_eq!(
        results[0].genie_sql.as_deref(),
        Some("SELECT COUNT(*) AS n FROM main.sales.orders")
    );
    assert_eq!(results[0].question.as_deref(), Some(QUESTION));
    assert_eq!(
        results[1].assessment.as_deref(),
        Some("NEEDS_REVIEW"),
        "{:?}",
        results[1]
    );
    assert!(results[1].genie_text.is_some() && results[1].genie_sql.is_none());
    assert_eq!((current.num_correct, current.num_needs_review), (1, 1));
    let one = genie
        .create_eval_run(&space_id, &["01f0dd000000000000000000000000b2".to_owned()])
        .await
        .unwrap();
    assert_eq!(one.num_questions, 1);
    server.shutdown().await;
}
