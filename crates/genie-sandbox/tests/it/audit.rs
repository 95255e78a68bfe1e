//! The audit log: mutating calls with the space config's hashes around them, SQL
//! statements from both sources, in order, and never a token.

use genie_core::space::SpaceConfig;
use genie_sandbox::server::WAREHOUSE_ID;
use serde_json::{Value, json};

use crate::genie::{COUNT_QUESTION, config_with, sales_config, start_conversation, started_path};
use crate::{TOKEN, delete, get, patch, post, start_configured};

fn hash_of(config: &Value) -> String {
    SpaceConfig::from_json(&config.to_string())
        .unwrap()
        .content_hash()
        .as_str()
        .to_owned()
}

#[tokio::test]
async fn records_mutations_statements_and_hashes_in_order() {
    let server = start_configured(crate::config(), Vec::new()).await;
    let first = sales_config();
    let second = config_with(&[(COUNT_QUESTION, "SELECT 2 AS answer")]);

    let (_, space) = post(
        &server,
        "/api/2.0/genie/spaces",
        &json!({"warehouse_id": WAREHOUSE_ID, "serialized_space": first.to_string()}),
    )
    .await;
    let space_id = space["space_id"].as_str().unwrap().to_owned();
    let space_path = format!("/api/2.0/genie/spaces/{space_id}");
    get(&server, &space_path).await;
    patch(
        &server,
        &space_path,
        &json!({"serialized_space": second.to_string()}),
    )
    .await;
    post(
        &server,
        "/api/2.0/sql/statements",
        &json!({"statement": "SELECT 1 AS one", "warehouse_id": WAREHOUSE_ID}),
    )
    .await;
    let started = start_conversation(&server, &space_id, COUNT_QUESTION).await;
    get(&server, &started_path(&started)).await;
    delete(&server, &space_path).await;

    let (status, audit) = get(&server, "/sandbox/audit").await;
    assert_eq!(status, 200);
    let events = audit["events"].as_array().unwrap();
    let summary: Vec<(String, String)> = events
        .iter()
        .map(|event| {
            let kind = event["event"].as_str().unwrap().to_owned();
            let what = match kind.as_str() {
                "call" => format!(
                    "{} {}",
                    event["method"].as_str().unwrap(),
                    event["path"].as_str().unwrap()
                ),
                "statement" => format!(
                    "{} {}",
                    event["source"].as_str().unwrap(),
                    event["sql"].as_str().unwrap()
                ),
                _ => event["kind"].as_str().unwrap().to_owned(),
            };
            (kind, what)
        })
        .collect();
    let expected = [
        ("call", "POST /api/2.0/genie/spaces".to_owned()),
        ("call", format!("PATCH {space_path}")),
        ("call", "POST /api/2.0/sql/statements".to_owned()),
        ("statement", "statements SELECT 1 AS one".to_owned()),
        ("call", format!("POST {space_path}/start-conversation")),
        ("statement", "genie SELECT 2 AS answer".to_owned()),
        ("call", format!("DELETE {space_path}")),
    ];
    let expected: Vec<(String, String)> = expected
        .into_iter()
        .map(|(kind, what)| (kind.to_owned(), what))
        .collect();
    assert_eq!(summary, expected);

    let create = &events[0];
    assert_eq!(create["space_id"], space_id.as_str());
    assert_eq!(create["status"], 200);
    assert!(create.get("config_hash_before").is_none(), "{create}");
    assert_eq!(create["config_hash_after"], hash_of(&first));
    let update = &events[1];
    assert_eq!(update["config_hash_before"], hash_of(&first));
    assert_eq!(update["config_hash_after"], hash_of(&second));
    let trash = &events[6];
    assert_eq!(trash["config_hash_before"], hash_of(&second));
    assert!(trash.get("config_hash_after").is_none(), "trashed: {trash}");
    for statement in [&events[3], &events[5]] {
        assert_eq!(statement["state"], "SUCCEEDED");
        assert_eq!(statement["refused"], false);
        assert!(statement["statement_id"].as_str().unwrap().contains('-'));
        assert!(statement["time_ms"].is_u64());
    }
    let conversation_call = &events[4];
    assert_eq!(conversation_call["space_id"], space_id.as_str());
    assert!(conversation_call.get("config_hash_before").is_none());
    assert!(!audit.to_string().contains(TOKEN), "no token in the audit");
    server.shutdown().await;
}

#[tokio::test]
async fn failed_statements_and_refused_calls_are_recorded_with_their_outcome() {
    let server = start_configured(crate::config(), Vec::new()).await;
    post(
        &server,
        "/api/2.0/sql/statements",
        &json!({"statement": "SELECT nope FROM main.sales.orders", "warehouse_id": WAREHOUSE_ID}),
    )
    .await;
    let (status, _) = patch(
        &server,
        "/api/2.0/genie/spaces/01f0000000000000000000000000dead",
        &json!({"title": "x"}),
    )
    .await;
    assert_eq!(status, 404);
    let (_, audit) = get(&server, "/sandbox/audit").await;
    let events = audit["events"].as_array().unwrap();
    assert_eq!(events[1]["event"], "statement");
    assert_eq!(events[1]["state"], "FAILED");
    assert_eq!(events[2]["event"], "call");
    assert_eq!(events[2]["status"], 404);
    assert!(events[2].get("config_hash_before").is_none());
    server.shutdown().await;
}

#[tokio::test]
async fn the_audit_needs_the_token() {
    let server = start_configured(crate::config(), Vec::new()).await;
    let response = crate::http()
        .get(format!("{}/sandbox/audit", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error_code"], "UNAUTHORIZED");
    server.shutdown().await;
}
