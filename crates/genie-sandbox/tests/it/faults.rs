//! Injected faults and limits: error answers, dropped connections, stalled polls,
//! failed messages, unsafe SQL, etag races, the Genie rate limit — each reproducible
//! from its seed and recorded in the audit.

use std::time::Duration;

use genie_sandbox::server::{Faults, RunningSandbox, SandboxConfig, WAREHOUSE_ID};
use serde_json::{Value, json};

use crate::genie::{
    COUNT_QUESTION, LIST_QUESTION, SPACE_ID, WEATHER_QUESTION, attachment, poll_to_end,
    sales_space, start_conversation, started_path,
};
use crate::{TOKEN, config, get, patch, post, start_configured};

async fn faulty(faults: Faults) -> RunningSandbox {
    start_configured(SandboxConfig { faults, ..config() }, sales_space()).await
}

/// The audit's fault events, as (kind, method, path).
async fn audited_faults(server: &RunningSandbox) -> Vec<(String, String, String)> {
    let (status, audit) = get(server, "/sandbox/audit").await;
    assert_eq!(status, 200, "{audit}");
    audit["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["event"] == "fault")
        .map(|event| {
            (
                event["kind"].as_str().unwrap().to_owned(),
                event["method"].as_str().unwrap().to_owned(),
                event["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn error_rates_answer_databricks_errors_and_are_audited() {
    for (key, status, error_code) in [
        ("error_rate_500", 500, "INTERNAL_ERROR"),
        ("error_rate_503", 503, "TEMPORARILY_UNAVAILABLE"),
        ("error_rate_429", 429, "RESOURCE_EXHAUSTED"),
    ] {
        let mut faults = Faults::default();
        match key {
            "error_rate_500" => faults.error_rate_500 = 1.0,
            "error_rate_503" => faults.error_rate_503 = 1.0,
            _ => faults.error_rate_429 = 1.0,
        }
        let server = faulty(faults).await;
        let response = crate::http()
            .get(format!("{}/api/2.0/genie/spaces", server.url()))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), status);
        let retry_after = response
            .headers()
            .get("retry-after")
            .map(|value| value.to_str().unwrap().to_owned());
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error_code"], error_code, "{body}");
        assert_eq!(retry_after.is_some(), status == 429, "{retry_after:?}");
        assert_eq!(
            audited_faults(&server).await,
            [(
                key.to_owned(),
                "GET".to_owned(),
                "/api/2.0/genie/spaces".to_owned()
            )]
        );
        server.shutdown().await;
    }
}

/// The statuses of `calls` spaces listings on a fresh server with `faults`.
async fn statuses(faults: Faults, calls: usize) -> Vec<u16> {
    let server = faulty(faults).await;
    let mut statuses = Vec::with_capacity(calls);
    for _ in 0..calls {
        statuses.push(get(&server, "/api/2.0/genie/spaces").await.0);
    }
    server.shutdown().await;
    statuses
}

#[tokio::test]
async fn the_same_seed_injects_the_same_faults() {
    let faults = |seed| Faults {
        seed,
        error_rate_500: 0.3,
        error_rate_503: 0.2,
        ..Faults::default()
    };
    let first = statuses(faults(42), 60).await;
    assert_eq!(first, statuses(faults(42), 60).await);
    assert_ne!(first, statuses(faults(43), 60).await);
    for status in [200, 500, 503] {
        assert!(first.contains(&status), "{status} in {first:?}");
    }
}

#[tokio::test]
async fn dropped_connections_end_without_a_complete_answer() {
    let server = faulty(Faults {
        dropped_connection_rate: 1.0,
        ..Faults::default()
    })
    .await;
    let outcome = async {
        let response = crate::http()
            .get(format!("{}/api/2.0/genie/spaces", server.url()))
            .bearer_auth(TOKEN)
            .send()
            .await?;
        response.bytes().await
    }
    .await;
    assert!(outcome.is_err(), "{outcome:?}");
    assert_eq!(
        audited_faults(&server).await[0].0,
        "dropped_connection_rate"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_stalled_poll_hangs_until_the_client_gives_up() {
    let server = faulty(Faults {
        stalled_poll_rate: 1.0,
        ..Faults::default()
    })
    .await;
    let started = start_conversation(&server, SPACE_ID, COUNT_QUESTION).await;
    let error = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap()
        .get(format!("{}{}", server.url(), started_path(&started)))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect_err("the poll hangs");
    assert!(error.is_timeout(), "{error}");
    assert_eq!(audited_faults(&server).await[0].0, "stalled_poll_rate");
    // A poll still hanging does not keep the server from stopping.
    let hanging = tokio::spawn({
        let url = format!("{}{}", server.url(), started_path(&started));
        async move {
            crate::http()
                .get(url)
                .bearer_auth(TOKEN)
                .send()
                .await
                .map(|response| response.status().as_u16())
        }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    server.shutdown().await;
    let ended = hanging.await.unwrap();
    assert!(
        ended.is_err() || ended.as_ref().is_ok_and(|status| *status == 503),
        "{ended:?}"
    );
}

#[tokio::test]
async fn failed_messages_carry_a_message_error_type() {
    let server = faulty(Faults {
        failed_message_rate: 1.0,
        status_latency_ms: 20,
        ..Faults::default()
    })
    .await;
    let started = start_conversation(&server, SPACE_ID, COUNT_QUESTION).await;
    let (statuses, message) = poll_to_end(&server, &started_path(&started)).await;
    assert_eq!(statuses.last().unwrap(), "FAILED");
    assert!(!statuses.iter().any(|status| status == "EXECUTING_QUERY"));
    assert_eq!(message["error"]["type"], "REPLY_PROCESS_TIMEOUT_EXCEPTION");
    assert!(message["error"]["error"].is_string());
    assert_eq!(message["attachments"], json!([]));
    let faults = audited_faults(&server).await;
    assert_eq!(faults[0].0, "failed_message_rate");
    assert!(faults[0].2.ends_with("/start-conversation"), "{faults:?}");
    server.shutdown().await;
}

/// Whether each of `questions` (asked in order, in one conversation each) ended
/// `FAILED`.
async fn failures(server: &RunningSandbox, questions: &[&str]) -> Vec<bool> {
    let mut failed = Vec::new();
    for question in questions {
        let started = start_conversation(server, SPACE_ID, question).await;
        let (_, message) = poll_to_end(server, &started_path(&started)).await;
        failed.push(message["status"] == "FAILED");
    }
    failed
}

#[tokio::test]
async fn message_faults_follow_the_question_and_its_attempt() {
    let faults = Faults {
        seed: 9,
        failed_message_rate: 0.5,
        ..Faults::default()
    };
    let questions = [COUNT_QUESTION; 16];
    let first = faulty(faults.clone()).await;
    let pattern = failures(&first, &questions).await;
    first.shutdown().await;
    assert!(
        pattern.contains(&true) && pattern.contains(&false),
        "{pattern:?}"
    );
    // Another order of other questions in between does not change the draws of the
    // count question's attempts.
    let second = faulty(faults).await;
    failures(&second, &[LIST_QUESTION, WEATHER_QUESTION]).await;
    assert_eq!(failures(&second, &questions).await, pattern);
    second.shutdown().await;
}

#[tokio::test]
async fn unsafe_sql_is_never_run() {
    let server = faulty(Faults {
        unsafe_sql_rate: 1.0,
        ..Faults::default()
    })
    .await;
    for question in [COUNT_QUESTION, LIST_QUESTION, WEATHER_QUESTION] {
        let started = start_conversation(&server, SPACE_ID, question).await;
        let path = started_path(&started);
        let (_, message) = poll_to_end(&server, &path).await;
        assert_eq!(message["status"], "COMPLETED");
        let query = attachment(&message, "query").expect("an unsafe query");
        assert!(
            query["query"]["query"]
                .as_str()
                .unwrap()
                .contains("DROP TABLE main.sales.orders"),
            "{query}"
        );
        let (status, result) = get(&server, &format!("{path}/query-result")).await;
        assert_eq!(status, 200);
        assert_eq!(
            result["statement_response"]["status"]["state"], "FAILED",
            "{result}"
        );
    }
    let (_, audit) = get(&server, "/sandbox/audit").await;
    let genie_statements: Vec<&Value> = audit["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["event"] == "statement")
        .collect();
    assert_eq!(genie_statements.len(), 3);
    assert!(
        genie_statements
            .iter()
            .all(|event| event["refused"] == true && event["source"] == "genie")
    );
    // The table is still there.
    let (_, counted) = post(
        &server,
        "/api/2.0/sql/statements",
        &json!({"statement": "SELECT COUNT(*) FROM main.sales.orders", "warehouse_id": WAREHOUSE_ID}),
    )
    .await;
    assert_eq!(counted["result"]["data_array"], json!([["5"]]));
    server.shutdown().await;
}

#[tokio::test]
async fn an_etag_race_moves_the_etag_and_answers_conflict() {
    let server = faulty(Faults {
        etag_conflict_rate: 1.0,
        ..Faults::default()
    })
    .await;
    let space = format!("/api/2.0/genie/spaces/{SPACE_ID}");
    let (_, before) = get(&server, &space).await;
    let etag = before["etag"].as_str().unwrap();
    let (status, body) = patch(&server, &space, &json!({"title": "Mine", "etag": etag})).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error_code"], "RESOURCE_CONFLICT");
    let (_, after) = get(&server, &space).await;
    assert_ne!(after["etag"], before["etag"]);
    assert_eq!(
        after["title"], before["title"],
        "the losing write is not applied"
    );
    let (status, _) = patch(&server, &space, &json!({"title": "Mine"})).await;
    assert_eq!(status, 200, "without an etag there is no race");
    assert_eq!(audited_faults(&server).await[0].0, "etag_conflict_rate");
    server.shutdown().await;
}

#[tokio::test]
async fn genie_questions_beyond_the_rate_limit_get_429_with_retry_after() {
    // Two questions per minute; the minute is scaled to 6 s.
    let server = faulty(Faults {
        genie_qpm: Some(2),
        time_scale: 0.1,
        ..Faults::default()
    })
    .await;
    let started = start_conversation(&server, SPACE_ID, COUNT_QUESTION).await;
    for _ in 0..5 {
        let (status, _) = get(&server, &started_path(&started)).await;
        assert_eq!(status, 200, "polls do not count");
    }
    let conversation_id = started["conversation_id"].as_str().unwrap();
    let (status, _) = post(
        &server,
        &format!("/api/2.0/genie/spaces/{SPACE_ID}/conversations/{conversation_id}/messages"),
        &json!({"content": LIST_QUESTION}),
    )
    .await;
    assert_eq!(status, 200);
    let throttled = crate::http()
        .post(format!(
            "{}/api/2.0/genie/spaces/{SPACE_ID}/start-conversation",
            server.url()
        ))
        .bearer_auth(TOKEN)
        .json(&json!({"content": COUNT_QUESTION}))
        .send()
        .await
        .unwrap();
    assert_eq!(throttled.status().as_u16(), 429);
    let retry_after: u64 = throttled
        .headers()
        .get("retry-after")
        .expect("a Retry-After header")
        .to_str()
        .unwrap()
        .parse()
        .expect("whole seconds");
    assert!((1..=6).contains(&retry_after), "{retry_after}");
    let body: Value = throttled.json().await.unwrap();
    assert_eq!(body["error_code"], "RESOURCE_EXHAUSTED");
    assert_eq!(audited_faults(&server).await[0].0, "genie_qpm");

    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    start_conversation(&server, SPACE_ID, COUNT_QUESTION).await;
    server.shutdown().await;
}
