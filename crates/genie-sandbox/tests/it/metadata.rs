//! Unity Catalog metadata through the SQL Statement Execution API: comments seen by
//! `information_schema` and `DESCRIBE`, views, SQL table functions, and a fixture
//! loading a CSV file, and a comment changing what Genie answers.

use genie_sandbox::fixture::Fixture;
use genie_sandbox::server::{SandboxConfig, WAREHOUSE_ID, serve};
use genie_sandbox::simulator::Catalog;
use serde_json::{Value, json};

use crate::{TOKEN, post, start};

/// Runs `sql`; returns the state and either the data or the error message.
async fn run(server: &genie_sandbox::server::RunningSandbox, sql: &str) -> (String, Value) {
    let (status, body) = post(
        server,
        "/api/2.0/sql/statements",
        &json!({"statement": sql, "warehouse_id": WAREHOUSE_ID, "wait_timeout": "30s"}),
    )
    .await;
    assert_eq!(status, 200, "{sql}: {body}");
    let state = body["status"]["state"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if state == "SUCCEEDED" {
        let data = body["result"]["data_array"].clone();
        (state, data)
    } else {
        (state, body["status"]["error"]["message"].clone())
    }
}

async fn succeeds(server: &genie_sandbox::server::RunningSandbox, sql: &str) -> Value {
    let (state, data) = run(server, sql).await;
    assert_eq!(state, "SUCCEEDED", "{sql}: {data}");
    data
}

#[tokio::test]
async fn comments_set_over_http_are_visible_in_information_schema_and_describe() {
    let server = start(100).await;
    succeeds(
        &server,
        "COMMENT ON TABLE main.sales.orders IS 'One row per order'",
    )
    .await;
    succeeds(
        &server,
        "ALTER TABLE main.sales.orders ALTER COLUMN amount COMMENT 'Net amount in USD'",
    )
    .await;
    assert_eq!(
        succeeds(
            &server,
            "SELECT table_catalog, table_schema, table_name, table_type, comment \
             FROM main.information_schema.tables"
        )
        .await,
        json!([["main", "sales", "orders", "MANAGED", "One row per order"]])
    );
    assert_eq!(
        succeeds(
            &server,
            "SELECT column_name, ordinal_position, data_type, is_nullable, comment \
             FROM main.information_schema.columns WHERE comment IS NOT NULL"
        )
        .await,
        json!([["amount", "2", "DECIMAL", "YES", "Net amount in USD"]])
    );
    assert_eq!(
        succeeds(&server, "DESCRIBE TABLE main.sales.orders").await,
        json!([
            ["id", "int", null],
            ["region", "string", null],
            ["amount", "decimal(10,2)", "Net amount in USD"],
            ["day", "date", null]
        ])
    );
    let (state, message) = run(&server, "COMMENT ON TABLE main.sales.nope IS 'x'").await;
    assert_eq!(state, "FAILED");
    assert!(
        message
            .as_str()
            .unwrap()
            .starts_with("[TABLE_OR_VIEW_NOT_FOUND] The table or view `main`.`sales`.`nope`"),
        "{message}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn views_and_table_functions_work_over_http() {
    let server = start(100).await;
    succeeds(
        &server,
        "CREATE OR REPLACE VIEW main.sales.emea COMMENT 'EMEA orders' AS \
         SELECT id, amount FROM main.sales.orders WHERE region = 'EMEA'",
    )
    .await;
    assert_eq!(
        succeeds(&server, "SELECT id FROM main.sales.emea ORDER BY id").await,
        json!([["1"], ["3"]])
    );
    assert_eq!(
        succeeds(
            &server,
            "SELECT table_type, comment FROM main.information_schema.tables WHERE table_name = 'emea'"
        )
        .await,
        json!([["VIEW", "EMEA orders"]])
    );
    succeeds(
        &server,
        "CREATE OR REPLACE FUNCTION main.sales.orders_of(p_region STRING) \
         RETURNS TABLE (id INT, amount DECIMAL(10,2)) COMMENT 'Orders of a region' \
         RETURN SELECT id, amount FROM main.sales.orders WHERE region = p_region",
    )
    .await;
    assert_eq!(
        succeeds(
            &server,
            "SELECT id, amount FROM main.sales.orders_of('AMER') ORDER BY id"
        )
        .await,
        json!([["2", "20.25"], ["5", "1.00"]])
    );
    let (state, message) = run(&server, "SELECT * FROM main.sales.orders_of()").await;
    assert_eq!(state, "FAILED");
    assert!(
        message
            .as_str()
            .unwrap()
            .starts_with("[REQUIRED_PARAMETER_NOT_FOUND]"),
        "{message}"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_fixture_loads_its_csv_file_view_and_function() {
    let directory = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/csv_mini");
    let fixture = Fixture::load(std::path::Path::new(directory))
        .await
        .expect("csv_mini loads");
    assert_eq!(
        fixture.engine.tables(),
        ["main.mini.stores", "main.mini.flagships"]
    );
    assert_eq!(fixture.engine.views(), ["main.mini.flagships"]);
    assert_eq!(fixture.engine.functions()[0].name, "main.mini.stores_in");
    let catalog = Catalog::load(&fixture.engine).await.expect("catalog loads");
    let view = catalog
        .table("main.mini.flagships")
        .expect("views are tables");
    assert_eq!(view.comment.as_deref(), Some("Flagship stores only"));
    assert!(catalog.is_view("main.mini.flagships") && !catalog.is_view("main.mini.stores"));
    assert_eq!(
        view.column("region").map(|column| column.values.clone()),
        Some(vec!["NE".to_owned(), "SE".to_owned()])
    );
    let function = &catalog.functions()[0];
    assert_eq!(
        (function.name.as_str(), function.comment.as_deref()),
        ("main.mini.stores_in", Some("The stores of one region"))
    );
    assert_eq!(
        function.parameters[0].comment.as_deref(),
        Some("Region code")
    );
    assert_eq!(function.returns.len(), 2);
    let server = serve(
        fixture.engine,
        vec![fixture.production],
        SandboxConfig {
            token: TOKEN.to_owned(),
            ..SandboxConfig::default()
        },
    )
    .await
    .expect("binds 127.0.0.1");
    assert_eq!(
        succeeds(
            &server,
            "SELECT store_id, store_name, region, opened, sqft, flagship FROM main.mini.stores ORDER BY store_id"
        )
        .await,
        json!([
            ["101", "Boston Back Bay", "NE", "2012-04-14", "42000", "true"],
            ["102", "Providence Place, Mall", "NE", "2015-09-01", "24000", "false"],
            ["201", "Atlanta Midtown", "SE", "2011-10-08", null, "true"],
            ["501", "Seattle Downtown", "WC", null, "50000", null]
        ])
    );
    assert_eq!(
        succeeds(
            &server,
            "SELECT store_id FROM main.mini.flagships ORDER BY store_id"
        )
        .await,
        json!([["101"], ["201"]])
    );
    assert_eq!(
        succeeds(&server, "SELECT store_name FROM main.mini.stores_in('SE')").await,
        json!([["Atlanta Midtown"]])
    );
    assert_eq!(
        succeeds(
            &server,
            "SELECT comment FROM main.information_schema.columns WHERE column_name = 'region' AND table_name = 'stores'"
        )
        .await,
        json!([["Region code: NE, SE, WC"]])
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_comment_set_over_http_changes_what_genie_answers() {
    use crate::genie::{attachment, poll_to_end, start_conversation, started_path};
    let config = json!({
        "version": 2,
        "data_sources": {"tables": [{"identifier": "main.sales.orders"}]},
    });
    let space_id = "01f0bb0000000000a1b2c3d4e5f6aaaa";
    let server = crate::start_with(
        100,
        vec![genie_sandbox::server::SeedSpace {
            space_id: space_id.to_owned(),
            title: "Orders".to_owned(),
            config: genie_core::space::SpaceConfig::from_json(&config.to_string()).unwrap(),
        }],
    )
    .await;
    let question = "How many orders are there per sales territory?";
    let sql = |message: &Value| {
        attachment(message, "query").map_or(String::new(), |query| {
            query["query"]["query"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
    };
    let started = start_conversation(&server, space_id, question).await;
    let (_, before) = poll_to_end(&server, &started_path(&started)).await;
    assert!(
        !sql(&before).contains("GROUP BY `orders`.`region`"),
        "{before}"
    );
    succeeds(
        &server,
        "COMMENT ON COLUMN main.sales.orders.region IS 'Sales territory of the order'",
    )
    .await;
    let started = start_conversation(&server, space_id, question).await;
    let (_, after) = poll_to_end(&server, &started_path(&started)).await;
    assert!(
        sql(&after).contains("GROUP BY `orders`.`region`"),
        "{after}"
    );
    server.shutdown().await;
}
