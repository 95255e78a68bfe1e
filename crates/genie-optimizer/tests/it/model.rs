//! The model path against a loopback OpenAI-compatible server with canned answers,
//! through genie-databricks' real chat-completions client: good patches are offered
//! after the guards, a malformed answer is dropped whole, SQL the warehouse refuses is
//! dropped, and a model patch that copies a benchmark is rewritten or dropped.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use axum::Json;
use axum::extract::State;
use genie_core::benchmark::Split;
use genie_core::error::{PortError, PortErrorKind};
use genie_core::patch::{Patch, PatchOp};
use genie_core::ports::{ExecuteOptions, Llm, Warehouse};
use genie_core::result::ResultSet;
use genie_core::taxonomy::Lever;
use genie_core::workers::Proposal;
use genie_databricks::auth::{CredentialSource, Credentials};
use genie_databricks::{ChatCompletionsLlm, ChatEndpoint, RestClient, RetryPolicy, Token};
use genie_optimizer::{GenieOptimizer, LeakageOutcome, ProposalReport};
use serde_json::{Value, json};

use crate::support::{benchmark, guard, request, rows};

/// The canned answers, served in order, and the requests seen.
#[derive(Default)]
struct Canned {
    answers: VecDeque<String>,
    requests: Vec<Value>,
}

async fn completions(
    State(canned): State<Arc<Mutex<Canned>>>,
    Json(body): Json<Value>,
) -> Json<Value> {
    let mut canned = canned.lock().unwrap();
    canned.requests.push(body);
    let content = canned
        .answers
        .pop_front()
        .unwrap_or_else(|| "{\"patches\": []}".to_owned());
    Json(json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "canned",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
    }))
}

async fn model(answers: Vec<String>) -> (Arc<dyn Llm>, Arc<Mutex<Canned>>) {
    let canned = Arc::new(Mutex::new(Canned {
        answers: answers.into(),
        requests: Vec::new(),
    }));
    let app = axum::Router::new()
        .fallback(axum::routing::post(completions))
        .with_state(Arc::clone(&canned));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let credentials = Credentials {
        host: format!("http://{address}/v1"),
        token: Token::new("model-token"),
        source: CredentialSource::Explicit,
    };
    let retry = RetryPolicy {
        initial_backoff: Duration::from_millis(5),
        ..RetryPolicy::default()
    };
    let llm = ChatCompletionsLlm::new(
        RestClient::new(credentials, retry).unwrap(),
        ChatEndpoint::OpenAiCompatible {
            model: "canned".to_owned(),
        },
    );
    (Arc::new(llm), canned)
}

/// A warehouse that knows the retail columns' names only: a statement naming
/// `no_such_column` fails, any other runs and returns nothing.
struct Picky;

#[async_trait]
impl Warehouse for Picky {
    async fn execute(&self, sql: &str, _options: &ExecuteOptions) -> Result<ResultSet, PortError> {
        if sql.contains("no_such_column") {
            return Err(PortError::new(
                PortErrorKind::StatementFailed,
                "[UNRESOLVED_COLUMN] `no_such_column` cannot be resolved",
            ));
        }
        Ok(ResultSet::default())
    }

    async fn explain(&self, _sql: &str) -> Result<String, PortError> {
        Ok(String::new())
    }

    async fn execute_ddl(&self, _statement: &str) -> Result<(), PortError> {
        Ok(())
    }
}

fn offered(report: &ProposalReport) -> Vec<Patch> {
    match &report.proposal {
        Proposal::Patches { patch_set, .. } => patch_set.patches.clone(),
        Proposal::Nothing { reason } => panic!("nothing: {reason}"),
    }
}

fn model_patches(report: &ProposalReport) -> Vec<Patch> {
    offered(report)
        .into_iter()
        .filter(|patch| patch.rationale.contains("(model, prompt propose.v1)"))
        .collect()
}

#[tokio::test]
async fn good_model_patches_are_offered_after_the_guards() {
    let answer = json!({"patches": [
        {"op": "add_sql_snippet", "kind": "measure", "name": "line_count", "sql": "COUNT(ord_ln.ln_id)",
         "synonyms": ["order lines"], "risk": "low", "rationale": "lines are counted by their id",
         "fixes": ["apparel_average_discount"]},
        {"op": "add_sql_snippet", "kind": "filter", "name": "discounted", "sql": "ord_ln.no_such_column > 0",
         "risk": "low", "rationale": "a column that does not exist", "fixes": []},
        {"op": "add_sql_snippet", "kind": "filter", "name": "nowhere", "sql": "other.thing > 0",
         "risk": "low", "rationale": "names no table of the space", "fixes": []}
    ]});
    let (llm, canned) = model(vec![format!("Here you are:\n```json\n{answer}\n```")]).await;
    let optimizer = GenieOptimizer::builder()
        .llm(llm)
        .warehouse(Arc::new(Picky))
        .build();
    let report = optimizer
        .propose_with_report(&request(Lever::SpaceInstructions))
        .await
        .unwrap();
    let from_model = model_patches(&report);
    assert_eq!(from_model.len(), 1, "{from_model:?}");
    assert!(
        matches!(&from_model[0].op, PatchOp::AddSqlSnippet { name, .. } if name == "line_count")
    );
    assert!(
        from_model[0].cluster.is_some(),
        "a model patch gets the cluster of what it fixes"
    );
    let reasons: Vec<&str> = report
        .skipped
        .iter()
        .map(|skipped| skipped.reason.as_str())
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("the warehouse refused its SQL")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("names no table of the space")),
        "{reasons:?}"
    );
    // The model was shown the lever, the allowed ops and the failures.
    let canned = canned.lock().unwrap();
    let user: Value = serde_json::from_str(
        canned.requests[0]["messages"][1]["content"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(user["lever"]["number"], 6);
    assert!(!user["failures"].as_array().unwrap().is_empty());
    assert!(
        canned.requests[0]["messages"][0]["content"]
            .as_str()
            .unwrap()
            .contains("Genie space")
    );
}

#[tokio::test]
async fn a_malformed_answer_is_dropped_whole() {
    let half = json!({"patches": [
        {"op": "add_sql_snippet", "kind": "measure", "name": "line_count", "sql": "COUNT(ord_ln.ln_id)",
         "risk": "low", "rationale": "fine", "fixes": []},
        {"op": "drop_everything", "rationale": "not an op"}
    ]})
    .to_string();
    let wrong_lever = json!({"patches": [{"op": "add_column_synonym",
        "target": {"table": "main.retail.ord_ln", "column": "qty"}, "value": "pieces", "rationale": "r"}]})
    .to_string();
    let deterministic = GenieOptimizer::default()
        .propose_with_report(&request(Lever::SpaceInstructions))
        .await
        .unwrap();
    for answer in [
        "I would add a revenue measure.".to_owned(),
        half,
        wrong_lever,
    ] {
        let (llm, _) = model(vec![answer.clone()]).await;
        let report = GenieOptimizer::builder()
            .llm(llm)
            .build()
            .propose_with_report(&request(Lever::SpaceInstructions))
            .await
            .unwrap();
        assert_eq!(report.proposal, deterministic.proposal, "{answer}");
        assert!(
            report
                .skipped
                .iter()
                .any(|skipped| skipped.reason.starts_with("model answer dropped")),
            "{answer}"
        );
    }
}

#[tokio::test]
async fn model_patches_copying_a_benchmark_are_rewritten_or_dropped() {
    let train = rows()
        .into_iter()
        .find(|row| row.id == "monthly_revenue_2024")
        .unwrap();
    let held_out_question = "What were the monthly refunds of 2023 for each store format?";
    let held_out_sql = "SELECT s.fmt_cd, month(r.rtn_dt) AS m, SUM(r.rfnd_amt) AS refunds \
                        FROM main.retail.rtn_ln AS r JOIN main.retail.ord_ln AS l ON r.ln_id = l.ln_id \
                        JOIN main.retail.ord_hdr AS o ON l.ord_id = o.ord_id \
                        JOIN main.retail.str_dim AS s ON o.str_id = s.str_id \
                        WHERE r.rtn_dt BETWEEN DATE '2023-01-01' AND DATE '2023-12-31' GROUP BY s.fmt_cd, month(r.rtn_dt)";
    let answer = json!({"patches": [
        {"op": "add_example_sql", "question": train.question, "sql": train.expected_sql,
         "usage_guidance": "Use for monthly revenue questions.", "risk": "medium",
         "rationale": "copies a train benchmark", "fixes": [train.id]},
        {"op": "add_example_sql", "question": held_out_question, "sql": held_out_sql,
         "risk": "medium", "rationale": "copies a held-out benchmark", "fixes": []},
        {"op": "add_instruction", "value": format!("Example: {held_out_question}\nRevenue counts completed orders only."),
         "risk": "medium", "rationale": "one line copies a held-out question", "fixes": []}
    ]})
    .to_string();
    let (llm, _) = model(vec![answer]).await;
    let mut leaky = request(Lever::SpaceInstructions);
    leaky.leakage = guard(vec![benchmark(
        "held_out_refunds",
        Split::HeldOut,
        held_out_question,
        held_out_sql,
    )]);
    let report = GenieOptimizer::builder()
        .llm(llm)
        .build()
        .propose_with_report(&leaky)
        .await
        .unwrap();
    let acted: Vec<(&str, &LeakageOutcome)> = report
        .leakage
        .iter()
        .filter(|action| action.patch.rationale.contains("(model"))
        .flat_map(|action| {
            action
                .leaks
                .iter()
                .map(move |leak| (leak.benchmark_id.as_str(), &action.outcome))
        })
        .collect();
    assert!(acted.iter().any(|(id, _)| *id == train.id), "{acted:?}");
    assert!(
        acted.iter().any(|(id, _)| *id == "held_out_refunds"),
        "{acted:?}"
    );
    let instruction_rewritten = report.leakage.iter().any(|action| {
        matches!(&action.outcome, LeakageOutcome::Rewritten { patch }
            if matches!(&patch.op, PatchOp::AddInstruction { value } if value == "Revenue counts completed orders only."))
    });
    assert!(instruction_rewritten, "{:?}", report.leakage);
    for patch in offered(&report) {
        assert!(leaky.leakage.patch_leaks(&patch).is_empty(), "{patch}");
    }
}
