//! Helpers for the Genie tests: a space whose example SQL answers known questions,
//! asking, and polling a message to its final status.

use genie_core::space::SpaceConfig;
use genie_sandbox::server::{RunningSandbox, SeedSpace};
use serde_json::{Value, json};

use crate::{get, post};

/// The id of the seeded sales space.
pub(crate) const SPACE_ID: &str = "01f0bb0000000000a1b2c3d4e5f60718";

/// Answered by example SQL with one row: `[["5"]]`.
pub(crate) const COUNT_QUESTION: &str = "How many orders are there?";
/// Answered by example SQL with one row per order.
pub(crate) const LIST_QUESTION: &str = "List every order id";
/// Answered by example SQL with 5^6 = 15,625 rows.
pub(crate) const HUGE_QUESTION: &str = "Show every combination of six orders";
/// Not answerable from the space: a text reply.
pub(crate) const WEATHER_QUESTION: &str = "Will it rain in Paris tomorrow?";

/// The sales space's config with example SQL answering `examples` (question, SQL).
pub(crate) fn config_with(examples: &[(&str, &str)]) -> Value {
    let examples: Vec<Value> = examples
        .iter()
        .enumerate()
        .map(|(index, (question, sql))| {
            json!({
                "id": format!("01f0000000000000000000000000{index:04x}"),
                "question": [question],
                "sql": [sql],
            })
        })
        .collect();
    json!({
        "version": 2,
        "data_sources": {"tables": [{"identifier": "main.sales.orders", "description": ["Orders"]}]},
        "instructions": {"example_question_sqls": examples},
    })
}

/// The sales space's config.
pub(crate) fn sales_config() -> Value {
    config_with(&[
        (
            COUNT_QUESTION,
            "SELECT COUNT(*) AS orders FROM main.sales.orders",
        ),
        (
            LIST_QUESTION,
            "SELECT id FROM main.sales.orders ORDER BY id",
        ),
        (
            HUGE_QUESTION,
            "SELECT a.id FROM main.sales.orders a CROSS JOIN main.sales.orders b \
             CROSS JOIN main.sales.orders c CROSS JOIN main.sales.orders d \
             CROSS JOIN main.sales.orders e CROSS JOIN main.sales.orders f",
        ),
    ])
}

/// The seeded sales space.
pub(crate) fn sales_space() -> Vec<SeedSpace> {
    vec![SeedSpace {
        space_id: SPACE_ID.to_owned(),
        title: "Sales".to_owned(),
        config: SpaceConfig::from_json(&sales_config().to_string()).expect("valid space"),
    }]
}

/// Starts a conversation in `space_id`; returns the whole response after checking
/// its status is 200.
pub(crate) async fn start_conversation(
    server: &RunningSandbox,
    space_id: &str,
    question: &str,
) -> Value {
    let (status, body) = post(
        server,
        &format!("/api/2.0/genie/spaces/{space_id}/start-conversation"),
        &json!({"content": question}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// The path of a message.
pub(crate) fn message_path(space_id: &str, conversation_id: &str, message_id: &str) -> String {
    format!(
        "/api/2.0/genie/spaces/{space_id}/conversations/{conversation_id}/messages/{message_id}"
    )
}

/// The path of the message a start-conversation response created.
pub(crate) fn started_path(started: &Value) -> String {
    message_path(
        started["message"]["space_id"].as_str().expect("space id"),
        started["conversation_id"]
            .as_str()
            .expect("conversation id"),
        started["message_id"].as_str().expect("message id"),
    )
}

/// Polls a message until it is `COMPLETED` or `FAILED`; returns every status seen,
/// in order, and the final message.
pub(crate) async fn poll_to_end(server: &RunningSandbox, path: &str) -> (Vec<String>, Value) {
    let mut seen: Vec<String> = Vec::new();
    for _ in 0..2_000 {
        let (status, message) = get(server, path).await;
        assert_eq!(status, 200, "{message}");
        let current = message["status"].as_str().expect("status").to_owned();
        if seen.last() != Some(&current) {
            seen.push(current.clone());
        }
        if current == "COMPLETED" || current == "FAILED" {
            return (seen, message);
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("message `{path}` never finished; statuses {seen:?}");
}

/// The first attachment of `message` that has `kind` (`query`, `text`, `viz`).
pub(crate) fn attachment<'a>(message: &'a Value, kind: &str) -> Option<&'a Value> {
    message["attachments"]
        .as_array()
        .expect("attachments")
        .iter()
        .find(|attachment| attachment.get(kind).is_some())
}
