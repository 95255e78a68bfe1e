//! The Genie benchmark eval-run API: runs judged `GOOD`, `BAD` and `NEEDS_REVIEW` in the
//! SDK's shapes, chosen questions, listing and paging, status progression with the
//! latency, the audit, and the errors.

use genie_core::space::SpaceConfig;
use genie_sandbox::server::{Faults, RunningSandbox, SandboxConfig, SeedSpace};
use serde_json::{Value, json};

use crate::genie::{COUNT_QUESTION, LIST_QUESTION, SPACE_ID, WEATHER_QUESTION, sales_config};
use crate::{config, delete, get, post, start_configured};

/// Answered by example SQL with order 1 only.
const FIRST_QUESTION: &str = "Show the first order";

/// Benchmark ids, in the (sorted) order of the space.
const GOOD_ID: &str = "01f0eb00000000000000000000000001";
const BAD_ID: &str = "01f0eb00000000000000000000000002";
const EMPTY_ID: &str = "01f0eb00000000000000000000000003";
const TEXT_ID: &str = "01f0eb00000000000000000000000004";

/// The sales space with one more example and four benchmark questions: one the
/// example SQL answers right, one it answers with extra rows, one whose expected SQL
/// returns no rows, and one Genie answers in text.
fn benchmarked_config() -> Value {
    let mut config = sales_config();
    config["instructions"]["example_question_sqls"]
        .as_array_mut()
        .unwrap()
        .push(json!({
            "id": "01f0000000000000000000000000ffff",
            "question": [FIRST_QUESTION],
            "sql": ["SELECT id FROM main.sales.orders WHERE id = 1"],
        }));
    let benchmark = |id: &str, question: &str, sql: &str| json!({"id": id, "question": [question], "answer": [{"format": "SQL", "content": [sql]}]});
    config["benchmarks"] = json!({"questions": [
        benchmark(GOOD_ID, COUNT_QUESTION, "SELECT COUNT(id) AS order_count FROM main.sales.orders"),
        benchmark(BAD_ID, LIST_QUESTION, "SELECT id FROM main.sales.orders WHERE region = 'EMEA'"),
        benchmark(EMPTY_ID, FIRST_QUESTION, "SELECT id FROM main.sales.orders WHERE region = 'MARS'"),
        benchmark(TEXT_ID, WEATHER_QUESTION, "SELECT 1 AS one"),
    ]});
    config
}

fn seed(space_id: &str, config: &Value) -> SeedSpace {
    SeedSpace {
        space_id: space_id.to_owned(),
        title: "Sales".to_owned(),
        config: SpaceConfig::from_json(&config.to_string()).expect("valid space"),
    }
}

async fn server_with(faults: Faults) -> RunningSandbox {
    start_configured(
        SandboxConfig { faults, ..config() },
        vec![seed(SPACE_ID, &benchmarked_config())],
    )
    .await
}

fn runs_path() -> String {
    format!("/api/2.0/genie/spaces/{SPACE_ID}/eval-runs")
}

/// Creates a run; returns its body after checking the status is 200.
async fn create_run(server: &RunningSandbox, body: &Value) -> Value {
    let (status, run) = post(server, &runs_path(), body).await;
    assert_eq!(status, 200, "{run}");
    run
}

fn run_path(run: &Value) -> String {
    format!("{}/{}", runs_path(), run["eval_run_id"].as_str().unwrap())
}

/// The results of a run, by benchmark question id.
async fn results(server: &RunningSandbox, run: &Value) -> Vec<Value> {
    let (status, body) = get(server, &format!("{}/results", run_path(run))).await;
    assert_eq!(status, 200, "{body}");
    body["eval_results"].as_array().unwrap().clone()
}

async fn details(server: &RunningSandbox, run: &Value, result: &Value) -> Value {
    let path = format!(
        "{}/results/{}",
        run_path(run),
        result["result_id"].as_str().unwrap()
    );
    let (status, body) = get(server, &path).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn reasons(details: &Value) -> Vec<&str> {
    details["assessment_reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|reason| reason.as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_run_judges_every_benchmark_question() {
    let server = server_with(Faults::default()).await;
    let run = create_run(&server, &json!({})).await;
    assert_eq!(run["num_questions"], 4, "{run}");
    let (status, fetched) = get(&server, &run_path(&run)).await;
    assert_eq!(status, 200);
    assert_eq!(fetched["eval_run_id"], run["eval_run_id"]);
    assert_eq!(fetched["eval_run_status"], "DONE", "latency 0: {fetched}");
    assert_eq!(fetched["num_done"], 4);
    assert_eq!(fetched["num_correct"], 1);
    assert_eq!(fetched["num_needs_review"], 2);
    assert!(fetched["created_timestamp"].as_u64().unwrap() > 1_600_000_000_000);
    assert!(fetched["run_by_user"].is_u64());

    let results = results(&server, &run).await;
    let ids: Vec<&str> = results
        .iter()
        .map(|result| result["benchmark_question_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [GOOD_ID, BAD_ID, EMPTY_ID, TEXT_ID]);
    for result in &results {
        assert_eq!(result["status"], "DONE", "{result}");
        assert_eq!(result["space_id"], SPACE_ID);
        assert!(
            result["result_id"]
                .as_str()
                .is_some_and(|id| id.len() == 32)
        );
    }
    assert_eq!(results[0]["question"], COUNT_QUESTION);
    assert_eq!(
        results[0]["benchmark_answer"],
        "SELECT COUNT(id) AS order_count FROM main.sales.orders"
    );

    let good = details(&server, &run, &results[0]).await;
    assert_eq!(good["assessment"], "GOOD", "{good}");
    assert_eq!(reasons(&good), Vec::<&str>::new());
    assert_eq!(good["eval_run_status"], "DONE");
    assert_eq!(good["benchmark_question_id"], GOOD_ID);
    let actual = &good["actual_response"][0];
    assert_eq!(actual["response_type"], "SQL");
    assert_eq!(
        actual["response"],
        "SELECT COUNT(*) AS orders FROM main.sales.orders"
    );
    let executed = &actual["sql_execution_result"];
    assert_eq!(executed["result"]["data_array"], json!([["5"]]));
    // Rendered exactly as the SQL Statement Execution API renders the statement.
    let statement_id = executed["statement_id"].as_str().unwrap();
    let (_, statement) = get(&server, &format!("/api/2.0/sql/statements/{statement_id}")).await;
    assert_eq!(&statement, executed);
    let expected = &good["expected_response"][0];
    assert_eq!(expected["response_type"], "SQL");
    assert_eq!(
        expected["sql_execution_result"]["manifest"]["schema"]["columns"][0]["name"],
        "order_count"
    );

    let bad = details(&server, &run, &results[1]).await;
    assert_eq!(bad["assessment"], "BAD", "{bad}");
    assert_eq!(reasons(&bad), ["RESULT_EXTRA_ROWS"]);

    let empty = details(&server, &run, &results[2]).await;
    assert_eq!(empty["assessment"], "NEEDS_REVIEW", "{empty}");
    assert_eq!(reasons(&empty), ["EMPTY_GOOD_SQL"]);

    let text = details(&server, &run, &results[3]).await;
    assert_eq!(text["assessment"], "NEEDS_REVIEW", "{text}");
    assert_eq!(text["actual_response"][0]["response_type"], "TEXT");
    assert!(text["actual_response"][0]["sql_execution_result"].is_null());
    assert!(
        !text["actual_response"][0]["response"]
            .as_str()
            .unwrap()
            .is_empty()
    );
    server.shutdown().await;
}

#[tokio::test]
async fn chosen_questions_and_runs_listed_newest_first() {
    let server = server_with(Faults::default()).await;
    let all = create_run(&server, &json!({})).await;
    let chosen = create_run(
        &server,
        &json!({"benchmark_question_ids": [TEXT_ID, BAD_ID]}),
    )
    .await;
    assert_eq!(chosen["num_questions"], 2, "{chosen}");
    let ids: Vec<Value> = results(&server, &chosen)
        .await
        .iter()
        .map(|result| result["benchmark_question_id"].clone())
        .collect();
    assert_eq!(ids, [json!(BAD_ID), json!(TEXT_ID)], "in the space's order");

    let (status, listed) = get(&server, &runs_path()).await;
    assert_eq!(status, 200);
    let listed_ids: Vec<&Value> = listed["eval_runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|run| &run["eval_run_id"])
        .collect();
    assert_eq!(listed_ids, [&chosen["eval_run_id"], &all["eval_run_id"]]);
    assert!(listed.get("next_page_token").is_none());

    let (_, first_page) = get(&server, &format!("{}?page_size=1", runs_path())).await;
    assert_eq!(first_page["eval_runs"].as_array().unwrap().len(), 1);
    let token = first_page["next_page_token"].as_str().unwrap();
    let (_, second_page) = get(
        &server,
        &format!("{}?page_size=1&page_token={token}", runs_path()),
    )
    .await;
    assert_eq!(
        second_page["eval_runs"][0]["eval_run_id"],
        all["eval_run_id"]
    );
    assert!(second_page.get("next_page_token").is_none());
    let (_, paged) = get(&server, &format!("{}/results?page_size=3", run_path(&all))).await;
    assert_eq!(paged["eval_results"].as_array().unwrap().len(), 3);
    assert_eq!(paged["next_page_token"], "3");
    server.shutdown().await;
}

#[tokio::test]
async fn nothing_is_revealed_before_the_run_starts() {
    let server = server_with(Faults {
        status_latency_ms: 600_000,
        ..Faults::default()
    })
    .await;
    let run = create_run(&server, &json!({})).await;
    assert_eq!(run["eval_run_status"], "NOT_STARTED", "{run}");
    let (_, fetched) = get(&server, &run_path(&run)).await;
    assert_eq!(fetched["eval_run_status"], "NOT_STARTED");
    assert_eq!(fetched["num_done"], 0);
    assert_eq!(fetched["num_correct"], 0);
    let results = results(&server, &run).await;
    assert!(
        results
            .iter()
            .all(|result| result["status"] == "NOT_STARTED")
    );
    assert!(
        results
            .iter()
            .all(|result| result.get("assessment").is_none())
    );
    let hidden = details(&server, &run, &results[0]).await;
    assert_eq!(hidden["eval_run_status"], "NOT_STARTED");
    assert!(hidden.get("assessment").is_none(), "{hidden}");
    assert!(hidden.get("actual_response").is_none(), "{hidden}");
    server.shutdown().await;
}

#[tokio::test]
async fn status_advances_a_question_per_step() {
    let server = server_with(Faults {
        status_latency_ms: 50,
        ..Faults::default()
    })
    .await;
    let run = create_run(&server, &json!({})).await;
    let mut statuses = vec![run["eval_run_status"].as_str().unwrap().to_owned()];
    let mut done_counts = vec![0];
    let mut last = run.clone();
    for _ in 0..2_000 {
        let (_, fetched) = get(&server, &run_path(&run)).await;
        let status = fetched["eval_run_status"].as_str().unwrap().to_owned();
        if statuses.last() != Some(&status) {
            statuses.push(status.clone());
        }
        done_counts.push(fetched["num_done"].as_u64().unwrap());
        last = fetched;
        if status == "DONE" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    // RUNNING lasts four steps, so polling sees it, but the order is what counts.
    assert!(
        statuses == ["NOT_STARTED", "RUNNING", "DONE"] || statuses == ["NOT_STARTED", "DONE"],
        "{statuses:?}"
    );
    assert!(done_counts.windows(2).all(|pair| pair[0] <= pair[1]));
    assert_eq!(last["num_done"], 4);
    assert_eq!(last["num_correct"], 1);
    // One step waiting, then one step per question.
    let elapsed = last["last_updated_timestamp"].as_u64().unwrap()
        - last["created_timestamp"].as_u64().unwrap();
    assert_eq!(elapsed, 5 * 50);
    server.shutdown().await;
}

#[tokio::test]
async fn runs_are_audited_with_their_statements() {
    let server = server_with(Faults::default()).await;
    create_run(&server, &json!({"benchmark_question_ids": [GOOD_ID]})).await;
    let (_, audit) = get(&server, "/sandbox/audit").await;
    let events = audit["events"].as_array().unwrap();
    let call = events
        .iter()
        .find(|event| event["event"] == "call")
        .expect("the POST");
    assert_eq!(call["method"], "POST");
    assert_eq!(call["path"], runs_path());
    assert_eq!(call["space_id"], SPACE_ID);
    assert_eq!(call["status"], 200);
    let sources: Vec<(&Value, &Value)> = events
        .iter()
        .filter(|event| event["event"] == "statement")
        .map(|event| (&event["source"], &event["sql"]))
        .collect();
    assert_eq!(
        sources,
        [
            (
                &json!("genie"),
                &json!("SELECT COUNT(*) AS orders FROM main.sales.orders")
            ),
            (
                &json!("benchmark"),
                &json!("SELECT COUNT(id) AS order_count FROM main.sales.orders")
            ),
        ]
    );
    server.shutdown().await;
}

#[tokio::test]
async fn errors_are_databricks_shaped() {
    let no_benchmarks = "01f0bb0000000000a1b2c3d4e5f6ffff";
    let server = start_configured(
        config(),
        vec![
            seed(SPACE_ID, &benchmarked_config()),
            seed(no_benchmarks, &sales_config()),
        ],
    )
    .await;
    let missing = "01f0bb00000000000000000000000000";
    let (status, body) = post(
        &server,
        &format!("/api/2.0/genie/spaces/{missing}/eval-runs"),
        &json!({}),
    )
    .await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (404, Some("RESOURCE_DOES_NOT_EXIST"))
    );
    let (status, _) = get(
        &server,
        &format!("/api/2.0/genie/spaces/{missing}/eval-runs"),
    )
    .await;
    assert_eq!(status, 404);

    let (status, body) = post(
        &server,
        &format!("/api/2.0/genie/spaces/{no_benchmarks}/eval-runs"),
        &json!({}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error_code"], "INVALID_PARAMETER_VALUE");

    let unknown = "01f0eb0000000000000000000000ffff";
    let (status, body) = post(
        &server,
        &runs_path(),
        &json!({"benchmark_question_ids": [GOOD_ID, unknown]}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error_code"], "INVALID_PARAMETER_VALUE");
    assert!(
        body["message"].as_str().unwrap().contains(unknown),
        "{body}"
    );

    let (status, body) = post(
        &server,
        &runs_path(),
        &json!({"benchmark_question_ids": GOOD_ID}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error_code"].is_string() && body["message"].is_string());

    let (status, _) = get(&server, &format!("{}/{unknown}", runs_path())).await;
    assert_eq!(status, 404);
    let run = create_run(&server, &json!({"benchmark_question_ids": [GOOD_ID]})).await;
    let (status, body) = get(&server, &format!("{}/results/{unknown}", run_path(&run))).await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (404, Some("RESOURCE_DOES_NOT_EXIST"))
    );
    let (status, _) = get(&server, &format!("{}?page_size=0", runs_path())).await;
    assert_eq!(status, 400);
    let other_space_run = format!(
        "/api/2.0/genie/spaces/{no_benchmarks}/eval-runs/{}",
        run["eval_run_id"].as_str().unwrap()
    );
    let (status, _) = get(&server, &other_space_run).await;
    assert_eq!(status, 404, "a run belongs to its space");

    delete(&server, &format!("/api/2.0/genie/spaces/{SPACE_ID}")).await;
    let (status, _) = post(&server, &runs_path(), &json!({})).await;
    assert_eq!(status, 404, "a trashed space");
    let (status, _) = get(&server, &run_path(&run)).await;
    assert_eq!(status, 404);
    server.shutdown().await;
}

#[tokio::test]
async fn failed_messages_and_unsafe_sql_are_judged_as_genie_answered() {
    let server = server_with(Faults {
        failed_message_rate: 1.0,
        ..Faults::default()
    })
    .await;
    let run = create_run(&server, &json!({})).await;
    assert_eq!(run["num_done"], 4, "{run}");
    assert_eq!(run["num_correct"], 0);
    assert_eq!(run["num_needs_review"], 0);
    let listed = results(&server, &run).await;
    assert!(
        listed
            .iter()
            .all(|result| result["status"] == "EVALUATION_FAILED"),
        "{listed:?}"
    );
    let failed = details(&server, &run, &listed[0]).await;
    assert!(failed.get("assessment").is_none(), "{failed}");
    assert_eq!(failed["actual_response"], json!([]));
    assert_eq!(failed["expected_response"][0]["response_type"], "SQL");
    server.shutdown().await;

    let server = server_with(Faults {
        unsafe_sql_rate: 1.0,
        ..Faults::default()
    })
    .await;
    let run = create_run(&server, &json!({})).await;
    assert_eq!(run["num_correct"], 0, "{run}");
    assert_eq!(run["num_needs_review"], 1, "only the empty expected result");
    let listed = results(&server, &run).await;
    let unsafe_answer = details(&server, &run, &listed[0]).await;
    assert_eq!(unsafe_answer["assessment"], "BAD", "{unsafe_answer}");
    assert_eq!(reasons(&unsafe_answer), ["EMPTY_RESULT"]);
    let executed = &unsafe_answer["actual_response"][0]["sql_execution_result"];
    assert_eq!(executed["status"]["state"], "FAILED", "refused unrun");
    let (_, orders) = post(
        &server,
        "/api/2.0/sql/statements",
        &json!({"statement": "SELECT COUNT(*) FROM main.sales.orders", "warehouse_id": genie_sandbox::server::WAREHOUSE_ID}),
    )
    .await;
    assert_eq!(
        orders["result"]["data_array"],
        json!([["5"]]),
        "nothing dropped"
    );
    server.shutdown().await;
}
