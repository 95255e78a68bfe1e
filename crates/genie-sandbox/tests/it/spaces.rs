//! The Genie spaces API: list (paging), get, create, update (etag), trash, validation.

use genie_core::space::{SpaceConfig, SpaceDocument};
use genie_sandbox::server::{SeedSpace, WAREHOUSE_ID};
use serde_json::{Value, json};

use crate::{delete, get, patch, post, start, start_with};

const PRODUCTION_ID: &str = "01f0aa0000000000a1b2c3d4e5f60718";

fn full_fixture() -> SpaceConfig {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../fixtures/spaces/full.json"
    ))
    .expect("fixture readable");
    SpaceDocument::parse(&text)
        .expect("fixture parses")
        .into_config()
}

fn seeds() -> Vec<SeedSpace> {
    vec![SeedSpace {
        space_id: PRODUCTION_ID.to_owned(),
        title: "Retail (production)".to_owned(),
        config: full_fixture(),
    }]
}

fn create_body(config: &Value, title: &str) -> Value {
    json!({"warehouse_id": WAREHOUSE_ID, "title": title, "serialized_space": config.to_string()})
}

fn is_rfc3339(text: &Value) -> bool {
    let text = text.as_str().unwrap_or_default();
    text.len() == 24 && text.ends_with('Z') && text.as_bytes()[10] == b'T'
}

#[tokio::test]
async fn the_seed_space_is_listed_first_and_gettable_with_its_config() {
    let server = start_with(100, seeds()).await;
    let (status, body) = get(&server, "/api/2.0/genie/spaces").await;
    assert_eq!(status, 200);
    assert_eq!(body["spaces"][0]["space_id"], PRODUCTION_ID);
    assert!(body["spaces"][0].get("serialized_space").is_none());

    let (status, space) = get(&server, &format!("/api/2.0/genie/spaces/{PRODUCTION_ID}")).await;
    assert_eq!(status, 200);
    assert!(
        space.get("serialized_space").is_none(),
        "only when asked for"
    );
    assert!(
        is_rfc3339(&space["create_time"]) && is_rfc3339(&space["update_time"]),
        "{space}"
    );

    let (_, space) = get(
        &server,
        &format!("/api/2.0/genie/spaces/{PRODUCTION_ID}?include_serialized_space=true"),
    )
    .await;
    let config = SpaceConfig::from_json(space["serialized_space"].as_str().unwrap()).unwrap();
    assert_eq!(config.content_hash(), full_fixture().content_hash());
    server.shutdown().await;
}

#[tokio::test]
async fn create_update_with_etag_and_trash() {
    let server = start_with(100, seeds()).await;
    let config = serde_json::to_value(full_fixture()).unwrap();
    let (status, created) = post(
        &server,
        "/api/2.0/genie/spaces",
        &create_body(&config, "dev-working"),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let id = created["space_id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 32);
    assert!(
        id.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    let etag = created["etag"].as_str().unwrap().to_owned();

    let mut changed = config.clone();
    changed["data_sources"]["tables"][0]["description"] = json!(["Changed by the test.\n"]);
    let (status, updated) = patch(
        &server,
        &format!("/api/2.0/genie/spaces/{id}"),
        &json!({"serialized_space": changed.to_string(), "etag": etag, "title": "renamed"}),
    )
    .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["title"], "renamed");
    assert_ne!(updated["etag"].as_str(), Some(etag.as_str()));
    assert!(
        updated["serialized_space"]
            .as_str()
            .unwrap()
            .contains("Changed by the test.")
    );

    // A writer holding the old etag is refused; nothing is overwritten.
    let (status, conflict) = patch(
        &server,
        &format!("/api/2.0/genie/spaces/{id}"),
        &json!({"title": "lost update", "etag": etag}),
    )
    .await;
    assert_eq!(
        (status, conflict["error_code"].as_str()),
        (409, Some("RESOURCE_CONFLICT"))
    );
    let (_, current) = get(&server, &format!("/api/2.0/genie/spaces/{id}")).await;
    assert_eq!(current["title"], "renamed");

    let (status, body) = delete(&server, &format!("/api/2.0/genie/spaces/{id}")).await;
    assert_eq!((status, body), (200, json!({})));
    let (status, body) = get(&server, &format!("/api/2.0/genie/spaces/{id}")).await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (404, Some("RESOURCE_DOES_NOT_EXIST"))
    );
    let (_, list) = get(&server, "/api/2.0/genie/spaces").await;
    assert_eq!(list["spaces"].as_array().unwrap().len(), 1);
    server.shutdown().await;
}

#[tokio::test]
async fn invalid_spaces_are_refused_naming_the_rule() {
    let server = start(100).await;
    let mut unsorted = serde_json::to_value(full_fixture()).unwrap();
    unsorted["data_sources"]["tables"]
        .as_array_mut()
        .unwrap()
        .reverse();
    let (status, body) = post(
        &server,
        "/api/2.0/genie/spaces",
        &create_body(&unsorted, "x"),
    )
    .await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (400, Some("INVALID_PARAMETER_VALUE"))
    );
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("data_sources.tables[1]: list is not sorted"),
        "{body}"
    );

    let mut unknown = serde_json::to_value(full_fixture()).unwrap();
    unknown["data_sources"]["tables"][0]["uc_comment"] = json!("not in the schema");
    let (status, body) = post(
        &server,
        "/api/2.0/genie/spaces",
        &create_body(&unknown, "x"),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["message"].as_str().unwrap().contains("uc_comment"),
        "{body}"
    );

    let (status, body) = post(
        &server,
        "/api/2.0/genie/spaces",
        &json!({"warehouse_id": WAREHOUSE_ID, "serialized_space": "{not json"}),
    )
    .await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (400, Some("INVALID_PARAMETER_VALUE"))
    );
    let (status, body) = post(
        &server,
        "/api/2.0/genie/spaces",
        &json!({"serialized_space": "{}"}),
    )
    .await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (400, Some("INVALID_PARAMETER_VALUE"))
    );
    assert!(body["message"].as_str().unwrap().contains("warehouse_id"));
    let (status, _) = patch(
        &server,
        "/api/2.0/genie/spaces/0123456789abcdef0123456789abcdef",
        &json!({"title": "t"}),
    )
    .await;
    assert_eq!(status, 404);
    server.shutdown().await;
}

#[tokio::test]
async fn listing_pages() {
    let server = start(100).await;
    let config = serde_json::to_value(full_fixture()).unwrap();
    for index in 0..5 {
        let (status, _) = post(
            &server,
            "/api/2.0/genie/spaces",
            &create_body(&config, &format!("space {index}")),
        )
        .await;
        assert_eq!(status, 200);
    }
    let (_, first) = get(&server, "/api/2.0/genie/spaces?page_size=2").await;
    assert_eq!(first["spaces"].as_array().unwrap().len(), 2);
    let mut titles: Vec<String> = Vec::new();
    let mut token = first["next_page_token"].as_str().map(str::to_owned);
    titles.extend(
        first["spaces"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["title"].as_str().unwrap().to_owned()),
    );
    while let Some(page_token) = token {
        let (_, page) = get(
            &server,
            &format!("/api/2.0/genie/spaces?page_size=2&page_token={page_token}"),
        )
        .await;
        titles.extend(
            page["spaces"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["title"].as_str().unwrap().to_owned()),
        );
        token = page["next_page_token"].as_str().map(str::to_owned);
    }
    assert_eq!(
        titles,
        (0..5).map(|i| format!("space {i}")).collect::<Vec<_>>()
    );
    let (status, _) = get(&server, "/api/2.0/genie/spaces?page_size=101").await;
    assert_eq!(status, 400);
    server.shutdown().await;
}
