//! The SQL Statement Execution API.

use genie_sandbox::server::WAREHOUSE_ID;
use serde_json::{Value, json};

use crate::{TOKEN, get, post, start};

fn statement(sql: &str) -> Value {
    json!({"statement": sql, "warehouse_id": WAREHOUSE_ID, "wait_timeout": "30s"})
}

#[tokio::test]
async fn listens_on_loopback_only() {
    let server = start(100).await;
    assert!(server.address().ip().is_loopback());
    assert!(server.url().starts_with("http://127.0.0.1:"));
    server.shutdown().await;
}

#[tokio::test]
async fn executes_a_query_with_the_databricks_response_shape() {
    let server = start(100).await;
    let (status, body) = post(
        &server,
        "/api/2.0/sql/statements",
        &statement("SELECT region, SUM(amount) AS total FROM main.sales.orders GROUP BY region ORDER BY region"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["status"]["state"], "SUCCEEDED");
    let id = body["statement_id"].as_str().unwrap();
    assert_eq!(id.len(), 36);
    assert_eq!(id.matches('-').count(), 4);
    assert_eq!(body["manifest"]["schema"]["column_count"], 2);
    assert_eq!(
        body["manifest"]["schema"]["columns"][1]["type_name"],
        "DECIMAL"
    );
    assert_eq!(body["manifest"]["total_row_count"], 3);
    assert_eq!(
        body["result"]["data_array"],
        json!([["AMER", "21.25"], ["APJ", "7.00"], ["EMEA", "10.50"]])
    );
    let (status, again) = get(&server, &format!("/api/2.0/sql/statements/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(again, body);
    server.shutdown().await;
}

#[tokio::test]
async fn failures_are_http_200_with_state_failed() {
    let server = start(100).await;
    let (status, body) = post(
        &server,
        "/api/2.0/sql/statements",
        &statement("SELECT nope FROM main.sales.orders"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["status"]["state"], "FAILED");
    assert_eq!(body["status"]["error"]["error_code"], "BAD_REQUEST");
    assert!(
        body["status"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nope"),
        "{body}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn chunks_row_limit_and_asynchronous_submission() {
    let server = start(2).await;
    let (_, body) = post(
        &server,
        "/api/2.0/sql/statements",
        &statement("SELECT id FROM main.sales.orders ORDER BY id"),
    )
    .await;
    let id = body["statement_id"].as_str().unwrap().to_owned();
    assert_eq!(body["manifest"]["total_chunk_count"], 3);
    assert_eq!(body["result"]["next_chunk_index"], 1);
    let (status, chunk) = get(
        &server,
        &format!("/api/2.0/sql/statements/{id}/result/chunks/2"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(chunk["data_array"], json!([["5"]]));
    assert_eq!(chunk["row_offset"], 4);
    assert!(chunk.get("next_chunk_index").is_none());
    let (status, missing) = get(
        &server,
        &format!("/api/2.0/sql/statements/{id}/result/chunks/3"),
    )
    .await;
    assert_eq!(
        (status, missing["error_code"].as_str()),
        (404, Some("NOT_FOUND"))
    );

    let mut limited = statement("SELECT id FROM main.sales.orders ORDER BY id");
    limited["row_limit"] = json!(3);
    let (_, body) = post(&server, "/api/2.0/sql/statements", &limited).await;
    assert_eq!(body["manifest"]["total_row_count"], 3);
    assert_eq!(body["manifest"]["truncated"], true);

    let mut asynchronous = statement("SELECT COUNT(*) FROM main.sales.orders");
    asynchronous["wait_timeout"] = json!("0s");
    let (_, body) = post(&server, "/api/2.0/sql/statements", &asynchronous).await;
    assert_eq!(body["status"]["state"], "PENDING");
    let id = body["statement_id"].as_str().unwrap();
    let (_, polled) = get(&server, &format!("/api/2.0/sql/statements/{id}")).await;
    assert_eq!(polled["status"]["state"], "SUCCEEDED");
    assert_eq!(polled["result"]["data_array"], json!([["5"]]));
    let (status, cancelled) = post(
        &server,
        &format!("/api/2.0/sql/statements/{id}/cancel"),
        &json!({}),
    )
    .await;
    assert_eq!((status, cancelled), (200, json!({})));
    server.shutdown().await;
}

#[tokio::test]
async fn named_parameters_are_bound_as_typed_literals() {
    let server = start(100).await;
    let mut request = statement(
        "SELECT COUNT(*) AS n FROM main.sales.orders WHERE region = :region AND day >= :since",
    );
    request["parameters"] = json!([
        {"name": "region", "value": "EMEA"},
        {"name": "since", "value": "2024-02-01", "type": "DATE"}
    ]);
    let (_, body) = post(&server, "/api/2.0/sql/statements", &request).await;
    assert_eq!(body["result"]["data_array"], json!([["1"]]), "{body}");
    let (_, body) = post(
        &server,
        "/api/2.0/sql/statements",
        &statement("SELECT * FROM main.sales.orders WHERE region = :missing"),
    )
    .await;
    assert_eq!(body["status"]["state"], "FAILED");
    assert!(
        body["status"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("UNBOUND_SQL_PARAMETER")
    );
    server.shutdown().await;
}

#[tokio::test]
async fn catalog_and_schema_complete_short_table_names() {
    let server = start(100).await;
    let mut request = statement("SELECT COUNT(*) AS n FROM orders");
    request["catalog"] = json!("main");
    request["schema"] = json!("sales");
    let (_, body) = post(&server, "/api/2.0/sql/statements", &request).await;
    assert_eq!(body["result"]["data_array"], json!([["5"]]), "{body}");
    let mut request = statement("SELECT COUNT(*) AS n FROM sales.orders");
    request["catalog"] = json!("main");
    let (_, body) = post(&server, "/api/2.0/sql/statements", &request).await;
    assert_eq!(body["result"]["data_array"], json!([["5"]]), "{body}");
    let (_, body) = post(
        &server,
        "/api/2.0/sql/statements",
        &statement("SELECT COUNT(*) AS n FROM orders"),
    )
    .await;
    assert_eq!(body["status"]["state"], "FAILED", "{body}");
    server.shutdown().await;
}

#[tokio::test]
async fn bad_requests_get_databricks_errors() {
    let server = start(100).await;
    let mut wrong_warehouse = statement("SELECT 1");
    wrong_warehouse["warehouse_id"] = json!("nope");
    let (status, body) = post(&server, "/api/2.0/sql/statements", &wrong_warehouse).await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (404, Some("RESOURCE_DOES_NOT_EXIST"))
    );
    let mut bad_wait = statement("SELECT 1");
    bad_wait["wait_timeout"] = json!("3s");
    let (status, body) = post(&server, "/api/2.0/sql/statements", &bad_wait).await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (400, Some("INVALID_PARAMETER_VALUE"))
    );
    let (status, body) = post(
        &server,
        "/api/2.0/sql/statements",
        &json!({"warehouse_id": WAREHOUSE_ID}),
    )
    .await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (400, Some("MALFORMED_REQUEST")),
        "{body}"
    );
    let response = crate::http()
        .post(format!("{}/api/2.0/sql/statements", server.url()))
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error_code"], "MALFORMED_REQUEST");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("line 1 column 2"),
        "{body}"
    );
    // A JSON body sent as a form (`curl -d`) is read as JSON, as Databricks reads it.
    let response = crate::http()
        .post(format!("{}/api/2.0/sql/statements", server.url()))
        .bearer_auth(TOKEN)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            r#"{{"statement": "SELECT 1 AS one", "warehouse_id": "{WAREHOUSE_ID}"}}"#
        ))
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["result"]["data_array"], json!([["1"]]), "{body}");
    let (status, body) = get(
        &server,
        "/api/2.0/sql/statements/00000000-0000-0000-0000-000000000000",
    )
    .await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (404, Some("NOT_FOUND"))
    );
    let (status, body) = get(&server, "/api/2.0/no/such/route").await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (404, Some("ENDPOINT_NOT_FOUND"))
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_missing_or_wrong_token_is_401_and_never_echoed() {
    let server = start(100).await;
    let client = crate::http();
    let url = format!("{}/api/2.0/sql/warehouses", server.url());
    let response = client.get(&url).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error_code"], "UNAUTHORIZED");
    let response = client
        .get(&url)
        .bearer_auth("dapi-wrong-secret")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    assert!(!response.text().await.unwrap().contains("dapi-wrong-secret"));
    let (status, body) = get(&server, "/api/2.0/sql/warehouses").await;
    assert_eq!(status, 200);
    assert_eq!(body["warehouses"][0]["id"], WAREHOUSE_ID);
    // The host metadata the Databricks SDKs fetch first needs no token.
    let response = client
        .get(format!("{}/.well-known/databricks-config", server.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    server.shutdown().await;
}
