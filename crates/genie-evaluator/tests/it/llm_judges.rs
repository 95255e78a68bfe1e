//! The model forms of semantic equivalence, completeness and the arbiter: prompt
//! assembly and reply parsing of the evaluator's own logic, with an in-test model
//! that answers canned JSON and records what it was asked; a failing model leaves
//! the code verdicts in place.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use genie_core::error::{PortError, PortErrorKind};
use genie_core::evaluation::{ArbiterDecision, Judge, Scope, VerdictSource};
use genie_core::ports::{ChatRequest, ChatResponse, ChatRole, Llm, TokenUsage};
use genie_core::workers::Evaluator;
use genie_evaluator::{Config, GenieEvaluator, JudgeBackend};
use genie_sandbox::server::Faults;
use serde_json::Value;

use crate::support;

/// Answers by the prompt it is given; records every request.
#[derive(Default)]
struct CannedModel {
    requests: Mutex<Vec<ChatRequest>>,
    fail: bool,
}

#[async_trait]
impl Llm for CannedModel {
    async fn complete(&self, request: &ChatRequest) -> Result<ChatResponse, PortError> {
        self.requests.lock().unwrap().push(request.clone());
        if self.fail {
            return Err(PortError::new(PortErrorKind::Unavailable, "model is down"));
        }
        let system = &request.messages[0].content;
        let content = if system.contains("You are the arbiter") {
            "Here is my decision:\n```json\n{\"decision\": \"both_wrong\", \"rationale\": \"canned\"}\n```"
        } else {
            "{\"outcome\": \"fail\", \"rationale\": \"canned\", \"failure_type\": \"wrong_filter\"}"
        };
        Ok(ChatResponse {
            content: content.to_owned(),
            model: "canned".to_owned(),
            usage: TokenUsage::default(),
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn model_verdicts_record_their_prompt_version_and_fall_back_to_code() {
    let server = support::sandbox(Faults::default()).await;
    let request = support::request(support::WEAK, support::benchmarks(), Scope::P0);
    let model = Arc::new(CannedModel::default());
    let report = GenieEvaluator::builder(support::genie(&server), support::warehouse(&server))
        .config(Config {
            judges: JudgeBackend::Llm,
            ..Config::default()
        })
        .llm(model.clone())
        .build()
        .evaluate(&request)
        .await
        .unwrap();
    let judged = report
        .rows
        .iter()
        .filter(|row| row.genie_result_hash.is_some())
        .collect::<Vec<_>>();
    assert!(!judged.is_empty());
    for row in &judged {
        let semantic = row.verdict(Judge::SemanticEquivalence).unwrap();
        assert_eq!(
            semantic.source,
            VerdictSource::Llm {
                prompt_version: "semantic_equivalence.v1".to_owned()
            }
        );
        assert_eq!(semantic.rationale, "canned");
        let completeness = row.verdict(Judge::Completeness).unwrap();
        assert_eq!(
            completeness.source,
            VerdictSource::Llm {
                prompt_version: "completeness.v1".to_owned()
            }
        );
        // The result judge stays code.
        assert_eq!(
            row.verdict(Judge::ResultCorrectness).unwrap().source,
            VerdictSource::Code
        );
        if !row.correct {
            let arbiter = row.arbiter.as_ref().unwrap();
            assert_eq!(arbiter.decision, ArbiterDecision::BothWrong);
            assert_eq!(
                arbiter.source,
                VerdictSource::Llm {
                    prompt_version: "arbiter.v1".to_owned()
                }
            );
        }
    }
    let requests = model.requests.lock().unwrap().clone();
    let prompts = [
        include_str!("../../prompts/semantic_equivalence.v1.md"),
        include_str!("../../prompts/completeness.v1.md"),
        include_str!("../../prompts/arbiter.v1.md"),
    ];
    for request in &requests {
        assert_eq!(request.messages[0].role, ChatRole::System);
        assert!(prompts.contains(&request.messages[0].content.as_str()));
        assert_eq!(request.temperature, Some(0.0));
        let input: Value = serde_json::from_str(&request.messages[1].content).unwrap();
        let question = input["question"].as_str().unwrap();
        let row = report
            .rows
            .iter()
            .find(|row| row.question == question)
            .unwrap();
        assert_eq!(input["genie_sql"].as_str(), row.genie_sql.as_deref());
        assert!(
            input["expected_sql"]
                .as_str()
                .is_some_and(|sql| sql.contains("SELECT"))
        );
    }

    // A failing model: every verdict is the code form's.
    let down = Arc::new(CannedModel {
        fail: true,
        ..CannedModel::default()
    });
    let fallback = GenieEvaluator::builder(support::genie(&server), support::warehouse(&server))
        .config(Config {
            judges: JudgeBackend::Llm,
            ..Config::default()
        })
        .llm(down.clone())
        .build()
        .evaluate(&request)
        .await
        .unwrap();
    assert!(!down.requests.lock().unwrap().is_empty());
    assert!(fallback.rows.iter().all(|row| {
        row.verdicts
            .iter()
            .all(|verdict| verdict.source == VerdictSource::Code)
            && row
                .arbiter
                .as_ref()
                .is_none_or(|arbiter| arbiter.source == VerdictSource::Code)
    }));
    assert_eq!(fallback.correct_count, report.correct_count);
    server.shutdown().await;
}
