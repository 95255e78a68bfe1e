//! The Genie conversation API: starting, following up, polling, query results and
//! re-runs, listing, deleting, feedback, status progression, and the errors.

use genie_sandbox::server::{Faults, SandboxConfig, WAREHOUSE_ID};
use serde_json::{Value, json};

use crate::genie::{
    COUNT_QUESTION, HUGE_QUESTION, LIST_QUESTION, SPACE_ID, WEATHER_QUESTION, attachment,
    config_with, message_path, poll_to_end, sales_space, start_conversation, started_path,
};
use crate::{call, config, delete, get, patch, post, start_configured};

fn is_hex32(value: &Value) -> bool {
    value.as_str().is_some_and(|id| {
        id.len() == 32
            && id
                .bytes()
                .all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'))
    })
}

fn is_dashed_uuid(value: &Value) -> bool {
    value.as_str().is_some_and(|id| {
        id.len() == 36
            && id.matches('-').count() == 4
            && id
                .bytes()
                .all(|byte| byte == b'-' || byte.is_ascii_hexdigit())
    })
}

fn with_faults(faults: Faults) -> SandboxConfig {
    SandboxConfig { faults, ..config() }
}

async fn sales_server() -> genie_sandbox::server::RunningSandbox {
    start_configured(config(), sales_space()).await
}

#[tokio::test]
async fn a_question_answered_by_example_sql_completes_with_its_result() {
    let server = sales_server().await;
    let started = start_conversation(&server, SPACE_ID, COUNT_QUESTION).await;
    assert!(is_hex32(&started["conversation_id"]), "{started}");
    assert!(is_hex32(&started["message_id"]), "{started}");
    assert_eq!(
        started["conversation"]["conversation_id"],
        started["conversation_id"]
    );
    assert_eq!(started["conversation"]["title"], COUNT_QUESTION);
    let message = &started["message"];
    assert_eq!(message["status"], "SUBMITTED");
    assert_eq!(message["message_id"], started["message_id"]);
    assert_eq!(message["id"], started["message_id"]);
    assert_eq!(message["conversation_id"], started["conversation_id"]);
    assert_eq!(message["space_id"], SPACE_ID);
    assert_eq!(message["content"], COUNT_QUESTION);
    assert!(message["user_id"].is_u64());
    assert!(message["created_timestamp"].as_u64().unwrap() > 1_600_000_000_000);
    assert_eq!(message["attachments"], json!([]));

    let path = started_path(&started);
    let (status, message) = get(&server, &path).await;
    assert_eq!(status, 200);
    assert_eq!(message["status"], "COMPLETED", "latency 0: {message}");
    assert!(message["error"].is_null());
    let query_attachment = attachment(&message, "query").expect("a query attachment");
    assert!(is_hex32(&query_attachment["attachment_id"]));
    let query = &query_attachment["query"];
    assert_eq!(
        query["query"],
        "SELECT COUNT(*) AS orders FROM main.sales.orders"
    );
    assert!(is_dashed_uuid(&query["statement_id"]), "{query}");
    assert_eq!(
        query["query_result_metadata"],
        json!({"row_count": 1, "is_truncated": false})
    );
    assert!(!query["thoughts"].as_array().unwrap().is_empty());
    assert!(
        query["thoughts"][0]["thought_type"]
            .as_str()
            .unwrap()
            .starts_with("THOUGHT_TYPE_")
    );
    let text = attachment(&message, "text").expect("a summary");
    assert_eq!(text["text"]["purpose"], "TEXT_ATTACHMENT_PURPOSE_ANSWER");
    assert_eq!(message["query_result"]["row_count"], 1);
    assert_eq!(
        message["query_result"]["statement_id"],
        query["statement_id"]
    );
    assert!(message["last_updated_timestamp"].as_u64() >= message["created_timestamp"].as_u64());

    let attachment_id = query_attachment["attachment_id"].as_str().unwrap();
    let (status, result) = get(
        &server,
        &format!("{path}/attachments/{attachment_id}/query-result"),
    )
    .await;
    assert_eq!(status, 200, "{result}");
    let response = &result["statement_response"];
    assert_eq!(response["status"]["state"], "SUCCEEDED");
    assert_eq!(response["statement_id"], query["statement_id"]);
    assert_eq!(response["result"]["data_array"], json!([["5"]]));
    assert_eq!(
        response["manifest"]["schema"]["columns"][0]["name"],
        "orders"
    );

    // Genie's statement is also a statement of the SQL API, rendered the same.
    let statement_id = query["statement_id"].as_str().unwrap();
    let (status, statement) =
        get(&server, &format!("/api/2.0/sql/statements/{statement_id}")).await;
    assert_eq!(status, 200);
    assert_eq!(&statement, response);
    server.shutdown().await;
}

#[tokio::test]
async fn an_unanswerable_question_gets_a_text_reply_only() {
    let server = sales_server().await;
    let started = start_conversation(&server, SPACE_ID, WEATHER_QUESTION).await;
    let (statuses, message) = poll_to_end(&server, &started_path(&started)).await;
    assert_eq!(statuses, ["COMPLETED"]);
    assert!(attachment(&message, "query").is_none(), "{message}");
    let text = attachment(&message, "text").expect("a text attachment");
    assert!(!text["text"]["content"].as_str().unwrap().is_empty());
    assert!(message["query_result"].is_null());
    let (status, body) = get(&server, &format!("{}/query-result", started_path(&started))).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error_code"], "RESOURCE_DOES_NOT_EXIST");
    server.shutdown().await;
}

#[tokio::test]
async fn follow_ups_listing_feedback_and_deletion() {
    let server = sales_server().await;
    let started = start_conversation(&server, SPACE_ID, COUNT_QUESTION).await;
    let conversation_id = started["conversation_id"].as_str().unwrap();
    let conversation = format!("/api/2.0/genie/spaces/{SPACE_ID}/conversations/{conversation_id}");
    let (status, follow_up) = post(
        &server,
        &format!("{conversation}/messages"),
        &json!({"content": LIST_QUESTION}),
    )
    .await;
    assert_eq!(status, 200, "{follow_up}");
    assert_eq!(follow_up["conversation_id"], conversation_id);
    assert_eq!(follow_up["status"], "SUBMITTED");
    assert!(is_hex32(&follow_up["message_id"]));
    let follow_up_id = follow_up["message_id"].as_str().unwrap();
    let (_, message) = poll_to_end(
        &server,
        &message_path(SPACE_ID, conversation_id, follow_up_id),
    )
    .await;
    assert_eq!(
        attachment(&message, "query").unwrap()["query"]["query_result_metadata"]["row_count"],
        5
    );

    let (status, listed) = get(&server, &format!("{conversation}/messages")).await;
    assert_eq!(status, 200);
    let contents: Vec<&Value> = listed["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|message| &message["content"])
        .collect();
    assert_eq!(contents, [COUNT_QUESTION, LIST_QUESTION]);

    let second = start_conversation(&server, SPACE_ID, WEATHER_QUESTION).await;
    let conversations = format!("/api/2.0/genie/spaces/{SPACE_ID}/conversations");
    let (status, page) = get(&server, &format!("{conversations}?page_size=1")).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        page["conversations"][0]["conversation_id"], second["conversation_id"],
        "newest first"
    );
    assert_eq!(page["conversations"][0]["title"], WEATHER_QUESTION);
    assert!(page["conversations"][0]["created_timestamp"].is_u64());
    let token = page["next_page_token"].as_str().expect("a second page");
    let (_, page) = get(
        &server,
        &format!("{conversations}?page_size=1&page_token={token}&include_all=true"),
    )
    .await;
    assert_eq!(page["conversations"][0]["conversation_id"], conversation_id);
    assert!(page.get("next_page_token").is_none(), "{page}");

    let feedback = format!("{conversation}/messages/{follow_up_id}/feedback");
    let (status, body) = post(&server, &feedback, &json!({"rating": "GREAT"})).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error_code"], "INVALID_PARAMETER_VALUE");
    let (status, body) = post(
        &server,
        &feedback,
        &json!({"rating": "POSITIVE", "comment": "right"}),
    )
    .await;
    assert_eq!((status, body), (200, json!({})));
    let (_, message) = get(
        &server,
        &message_path(SPACE_ID, conversation_id, follow_up_id),
    )
    .await;
    assert_eq!(
        message["feedback"],
        json!({"rating": "POSITIVE", "comment": "right"})
    );

    let (status, _) = delete(
        &server,
        &message_path(SPACE_ID, conversation_id, follow_up_id),
    )
    .await;
    assert_eq!(status, 200);
    let (_, listed) = get(&server, &format!("{conversation}/messages")).await;
    assert_eq!(listed["messages"].as_array().unwrap().len(), 1);

    let (status, body) = delete(&server, &conversation).await;
    assert_eq!((status, body), (200, json!({})));
    let (status, body) = get(&server, &started_path(&started)).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error_code"], "RESOURCE_DOES_NOT_EXIST");
    let (status, _) = delete(&server, &conversation).await;
    assert_eq!(status, 404);
    let (_, page) = get(&server, &conversations).await;
    assert_eq!(page["conversations"].as_array().unwrap().len(), 1);
    server.shutdown().await;
}

const QUERY_STATUSES: [&str; 7] = [
    "SUBMITTED",
    "FETCHING_METADATA",
    "FILTERING_CONTEXT",
    "ASKING_AI",
    "PENDING_WAREHOUSE",
    "EXECUTING_QUERY",
    "COMPLETED",
];

/// Whether `seen` follows `order` (each status later in `order` than the one before).
fn in_order(seen: &[String], order: &[&str]) -> bool {
    let positions: Vec<Option<usize>> = seen
        .iter()
        .map(|status| order.iter().position(|known| known == status))
        .collect();
    positions.iter().all(Option::is_some) && positions.windows(2).all(|pair| pair[0] < pair[1])
}

#[tokio::test]
async fn statuses_advance_with_the_latency() {
    let server = start_configured(
        with_faults(Faults {
            status_latency_ms: 250,
            ..Faults::default()
        }),
        sales_space(),
    )
    .await;
    let started = start_conversation(&server, SPACE_ID, COUNT_QUESTION).await;
    let path = started_path(&started);
    let (status, early) = get(&server, &path).await;
    assert_eq!(status, 200);
    if matches!(
        early["status"].as_str(),
        Some("SUBMITTED" | "FETCHING_METADATA" | "FILTERING_CONTEXT" | "ASKING_AI")
    ) {
        assert_eq!(early["attachments"], json!([]), "no answer yet: {early}");
        let attachment_id = "01f0000000000000000000000000ffff";
        let (status, body) = get(
            &server,
            &format!("{path}/attachments/{attachment_id}/query-result"),
        )
        .await;
        assert!(status == 400 || status == 404, "{status} {body}");
    }
    let (statuses, message) = poll_to_end(&server, &path).await;
    assert!(in_order(&statuses, &QUERY_STATUSES), "{statuses:?}");
    assert!(
        statuses.len() >= 4,
        "polling every 10 ms sees most 250 ms steps: {statuses:?}"
    );
    assert_eq!(statuses.last().unwrap(), "COMPLETED");
    let created = message["created_timestamp"].as_u64().unwrap();
    let updated = message["last_updated_timestamp"].as_u64().unwrap();
    assert!(
        updated >= created + 6 * 250,
        "completed six steps after: {created} {updated}"
    );

    let text = start_conversation(&server, SPACE_ID, WEATHER_QUESTION).await;
    let (statuses, _) = poll_to_end(&server, &started_path(&text)).await;
    assert!(
        !statuses
            .iter()
            .any(|status| status == "PENDING_WAREHOUSE" || status == "EXECUTING_QUERY"),
        "a text reply skips the warehouse: {statuses:?}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn time_scale_shortens_the_latency() {
    // 60 s per step scaled by 0.005 is 300 ms per step.
    let server = start_configured(
        with_faults(Faults {
            status_latency_ms: 60_000,
            time_scale: 0.005,
            ..Faults::default()
        }),
        sales_space(),
    )
    .await;
    let started = start_conversation(&server, SPACE_ID, COUNT_QUESTION).await;
    let (statuses, message) = poll_to_end(&server, &started_path(&started)).await;
    assert!(in_order(&statuses, &QUERY_STATUSES), "{statuses:?}");
    assert!(statuses.len() >= 3, "{statuses:?}");
    let elapsed = message["last_updated_timestamp"].as_u64().unwrap()
        - message["created_timestamp"].as_u64().unwrap();
    assert_eq!(elapsed, 6 * 300, "COMPLETED began after six scaled steps");
    server.shutdown().await;
}

#[tokio::test]
async fn execute_query_reruns_and_deprecated_paths_answer_the_same() {
    let server = sales_server().await;
    let started = start_conversation(&server, SPACE_ID, LIST_QUESTION).await;
    let path = started_path(&started);
    let (_, message) = poll_to_end(&server, &path).await;
    let query = attachment(&message, "query").unwrap();
    let attachment_id = query["attachment_id"].as_str().unwrap();
    let first_statement = query["query"]["statement_id"].clone();

    let (status, deprecated) = get(&server, &format!("{path}/query-result")).await;
    assert_eq!(status, 200, "{deprecated}");
    let (_, by_attachment) = get(&server, &format!("{path}/query-result/{attachment_id}")).await;
    assert_eq!(deprecated, by_attachment);
    assert_eq!(
        deprecated["statement_response"]["result"]["data_array"],
        json!([["1"], ["2"], ["3"], ["4"], ["5"]])
    );

    let (status, rerun) = post(
        &server,
        &format!("{path}/attachments/{attachment_id}/execute-query"),
        &json!({}),
    )
    .await;
    assert_eq!(status, 200, "{rerun}");
    let response = &rerun["statement_response"];
    assert_eq!(response["status"]["state"], "SUCCEEDED");
    assert_ne!(response["statement_id"], first_statement);
    assert_eq!(
        response["result"]["data_array"],
        deprecated["statement_response"]["result"]["data_array"]
    );
    let (_, message) = get(&server, &path).await;
    assert_eq!(
        attachment(&message, "query").unwrap()["query"]["statement_id"],
        response["statement_id"]
    );
    let (status, rerun) = post(&server, &format!("{path}/execute-query"), &json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(rerun["statement_response"]["status"]["state"], "SUCCEEDED");

    let (status, body) = get(
        &server,
        &format!("{path}/attachments/01f0000000000000000000000000ffff/query-result"),
    )
    .await;
    assert_eq!(status, 404, "{body}");
    server.shutdown().await;
}

#[tokio::test]
async fn results_stop_at_five_thousand_rows() {
    let server = sales_server().await;
    let started = start_conversation(&server, SPACE_ID, HUGE_QUESTION).await;
    let path = started_path(&started);
    let (_, message) = poll_to_end(&server, &path).await;
    let query = attachment(&message, "query").expect("a query");
    assert_eq!(
        query["query"]["query_result_metadata"],
        json!({"row_count": 5000, "is_truncated": true})
    );
    let (_, result) = get(&server, &format!("{path}/query-result")).await;
    let response = &result["statement_response"];
    assert_eq!(response["manifest"]["total_row_count"], 5000);
    assert_eq!(response["manifest"]["truncated"], true);
    server.shutdown().await;
}

#[tokio::test]
async fn visualization_adds_a_viz_attachment() {
    let server = sales_server().await;
    let (status, started) = post(
        &server,
        &format!("/api/2.0/genie/spaces/{SPACE_ID}/start-conversation"),
        &json!({"content": LIST_QUESTION, "enable_visualization": true}),
    )
    .await;
    assert_eq!(status, 200);
    let (_, message) = poll_to_end(&server, &started_path(&started)).await;
    let query_id = &attachment(&message, "query").unwrap()["attachment_id"];
    let viz = attachment(&message, "viz").expect("a viz attachment");
    assert_eq!(&viz["viz"]["query_attachment_id"], query_id);
    server.shutdown().await;
}

#[tokio::test]
async fn genie_sees_space_changes_only_after_the_propagation_delay() {
    let old = config_with(&[(COUNT_QUESTION, "SELECT 1 AS answer")]);
    let new = config_with(&[(COUNT_QUESTION, "SELECT 2 AS answer")]);
    for (delay, expected) in [(600_000, "SELECT 1 AS answer"), (0, "SELECT 2 AS answer")] {
        let server = start_configured(
            with_faults(Faults {
                propagation_delay_ms: delay,
                ..Faults::default()
            }),
            Vec::new(),
        )
        .await;
        let (status, space) = post(
            &server,
            "/api/2.0/genie/spaces",
            &json!({"warehouse_id": WAREHOUSE_ID, "serialized_space": old.to_string()}),
        )
        .await;
        assert_eq!(status, 200, "{space}");
        let space_id = space["space_id"].as_str().unwrap();
        let (status, _) = patch(
            &server,
            &format!("/api/2.0/genie/spaces/{space_id}"),
            &json!({"serialized_space": new.to_string()}),
        )
        .await;
        assert_eq!(status, 200);
        let started = start_conversation(&server, space_id, COUNT_QUESTION).await;
        let (_, message) = poll_to_end(&server, &started_path(&started)).await;
        assert_eq!(
            attachment(&message, "query").unwrap()["query"]["query"],
            expected,
            "propagation delay {delay} ms"
        );
        server.shutdown().await;
    }
}

#[tokio::test]
async fn a_space_on_an_unknown_warehouse_fails_its_messages() {
    let server = sales_server().await;
    let (status, _) = patch(
        &server,
        &format!("/api/2.0/genie/spaces/{SPACE_ID}"),
        &json!({"warehouse_id": "0000000000000000"}),
    )
    .await;
    assert_eq!(status, 200);
    let started = start_conversation(&server, SPACE_ID, COUNT_QUESTION).await;
    let (statuses, message) = poll_to_end(&server, &started_path(&started)).await;
    assert_eq!(statuses, ["FAILED"]);
    assert_eq!(message["error"]["type"], "WAREHOUSE_NOT_FOUND_EXCEPTION");
    server.shutdown().await;
}

#[tokio::test]
async fn unknown_spaces_conversations_and_messages_are_not_found() {
    let server = sales_server().await;
    let started = start_conversation(&server, SPACE_ID, COUNT_QUESTION).await;
    let conversation_id = started["conversation_id"].as_str().unwrap();
    let missing = "01f0000000000000000000000000dead";
    for (method, path) in [
        (
            "POST",
            format!("/api/2.0/genie/spaces/{missing}/start-conversation"),
        ),
        (
            "POST",
            format!("/api/2.0/genie/spaces/{SPACE_ID}/conversations/{missing}/messages"),
        ),
        ("GET", message_path(SPACE_ID, conversation_id, missing)),
        ("GET", message_path(SPACE_ID, missing, missing)),
        ("GET", message_path(missing, conversation_id, missing)),
        (
            "GET",
            format!("/api/2.0/genie/spaces/{missing}/conversations"),
        ),
    ] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let (status, body) = call(&server, method, &path, Some(&json!({"content": "hi"}))).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert!(body["error_code"].is_string() && body["message"].is_string());
    }
    // A trashed space answers no more questions and shows no more messages.
    let (status, _) = delete(&server, &format!("/api/2.0/genie/spaces/{SPACE_ID}")).await;
    assert_eq!(status, 200);
    let (status, body) = post(
        &server,
        &format!("/api/2.0/genie/spaces/{SPACE_ID}/start-conversation"),
        &json!({"content": COUNT_QUESTION}),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(body["error_code"], "RESOURCE_DOES_NOT_EXIST");
    let (status, _) = get(&server, &started_path(&started)).await;
    assert_eq!(status, 404);
    server.shutdown().await;
}

#[tokio::test]
async fn malformed_requests_and_unknown_routes_get_databricks_errors() {
    let server = sales_server().await;
    let start_path = format!("/api/2.0/genie/spaces/{SPACE_ID}/start-conversation");
    for body in [json!({}), json!({"content": 7}), json!([1, 2])] {
        let (status, answer) = post(&server, &start_path, &body).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert!(answer["error_code"].is_string(), "{answer}");
    }
    let (status, answer) = post(&server, &start_path, &json!({"content": "   "})).await;
    assert_eq!(status, 400);
    assert_eq!(answer["error_code"], "INVALID_PARAMETER_VALUE");

    let response = crate::http()
        .post(format!("{}{start_path}", server.url()))
        .bearer_auth(crate::TOKEN)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["error_code"], "MALFORMED_REQUEST");

    let (status, answer) = get(
        &server,
        &format!("/api/2.0/genie/spaces/{SPACE_ID}/conversations/x/messages/y/nonsense"),
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(answer["error_code"], "ENDPOINT_NOT_FOUND");
    let (status, answer) = get(
        &server,
        &format!("/api/2.0/genie/spaces/{SPACE_ID}/conversations?page_size=0"),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    let unauthenticated = crate::http()
        .post(format!("{}{start_path}", server.url()))
        .json(&json!({"content": COUNT_QUESTION}))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status().as_u16(), 401);
    server.shutdown().await;
}

#[tokio::test]
async fn answers_follow_data_changed_through_the_statements_api() {
    let server = sales_server().await;
    let count = async |server: &genie_sandbox::server::RunningSandbox| {
        let started = start_conversation(server, SPACE_ID, COUNT_QUESTION).await;
        let path = started_path(&started);
        let (_, message) = poll_to_end(server, &path).await;
        let attachment_id = attachment(&message, "query").unwrap()["attachment_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let (_, result) = get(
            server,
            &format!("{path}/attachments/{attachment_id}/query-result"),
        )
        .await;
        result["statement_response"]["result"]["data_array"].clone()
    };
    assert_eq!(count(&server).await, json!([["5"]]));
    assert_eq!(count(&server).await, json!([["5"]]), "asked again");
    let (status, inserted) = post(
        &server,
        "/api/2.0/sql/statements",
        &json!({
            "statement": "INSERT INTO main.sales.orders VALUES (6, 'APJ', 3.00, DATE '2024-04-01')",
            "warehouse_id": WAREHOUSE_ID,
        }),
    )
    .await;
    assert_eq!(status, 200, "{inserted}");
    assert_eq!(inserted["status"]["state"], "SUCCEEDED", "{inserted}");
    assert_eq!(
        count(&server).await,
        json!([["6"]]),
        "not an answer remembered from before the insert"
    );
    server.shutdown().await;
}
