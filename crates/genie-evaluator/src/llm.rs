//! The language-model forms of semantic equivalence, completeness and the arbiter.
//!
//! Prompts are versioned files in `prompts/` (compiled in); a verdict records the
//! version it came from ([`VerdictSource::Llm`]). The model gets the question, both
//! SQLs and the code judges' findings as JSON and must reply with one JSON object; a
//! failed call or an unreadable reply returns `None`, and the caller keeps the code
//! form's verdict.

use std::sync::Arc;

use genie_core::evaluation::{
    ArbiterDecision, ArbiterVerdict, Judge, JudgeVerdict, Outcome, VerdictSource,
};
use genie_core::ports::{ChatMessage, ChatRequest, ChatRole, Llm};
use genie_core::taxonomy::FailureType;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::judges::Evidence;

/// One versioned prompt.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Prompt {
    /// `semantic_equivalence.v1`, recorded with each verdict.
    pub(crate) version: &'static str,
    /// The system message.
    pub(crate) text: &'static str,
}

/// The semantic-equivalence prompt.
pub(crate) const SEMANTIC_EQUIVALENCE: Prompt = Prompt {
    version: "semantic_equivalence.v1",
    text: include_str!("../prompts/semantic_equivalence.v1.md"),
};

/// The completeness prompt.
pub(crate) const COMPLETENESS: Prompt = Prompt {
    version: "completeness.v1",
    text: include_str!("../prompts/completeness.v1.md"),
};

/// The arbiter prompt.
pub(crate) const ARBITER: Prompt = Prompt {
    version: "arbiter.v1",
    text: include_str!("../prompts/arbiter.v1.md"),
};

/// The model judges.
pub(crate) struct LlmJudges {
    pub(crate) llm: Arc<dyn Llm>,
}

#[derive(Deserialize)]
struct JudgeReply {
    outcome: String,
    rationale: String,
    #[serde(default)]
    failure_type: Option<FailureType>,
}

#[derive(Deserialize)]
struct ArbiterReply {
    decision: ArbiterDecision,
    rationale: String,
}

impl LlmJudges {
    /// The model's semantic-equivalence verdict.
    pub(crate) async fn semantic_equivalence(
        &self,
        evidence: &Evidence<'_>,
    ) -> Option<JudgeVerdict> {
        let input = base_input(evidence);
        let reply: JudgeReply = self.ask(SEMANTIC_EQUIVALENCE, &input).await?;
        judge_verdict(
            Judge::SemanticEquivalence,
            reply,
            evidence,
            SEMANTIC_EQUIVALENCE,
        )
    }

    /// The model's completeness verdict.
    pub(crate) async fn completeness(&self, evidence: &Evidence<'_>) -> Option<JudgeVerdict> {
        let mut input = base_input(evidence);
        let names = |result: Option<&genie_core::result::ResultSet>| {
            result.map_or_else(Vec::new, |result| {
                result
                    .columns
                    .iter()
                    .map(|c| c.name.clone())
                    .collect::<Vec<_>>()
            })
        };
        input["expected_columns"] = json!(names(Some(&evidence.expected.result)));
        input["genie_columns"] = json!(names(evidence.genie.result()));
        input["missing_columns"] = json!(
            evidence
                .comparison
                .map(|comparison| comparison.diff.missing_columns.clone())
                .unwrap_or_default()
        );
        let reply: JudgeReply = self.ask(COMPLETENESS, &input).await?;
        judge_verdict(Judge::Completeness, reply, evidence, COMPLETENESS)
    }

    /// The model arbiter's verdict.
    pub(crate) async fn arbiter(&self, evidence: &Evidence<'_>) -> Option<ArbiterVerdict> {
        let mut input = base_input(evidence);
        input["findings"] = json!(
            evidence
                .findings
                .iter()
                .map(|finding| json!({"failure_type": finding.failure_type, "rationale": finding.rationale}))
                .collect::<Vec<_>>()
        );
        let reply: ArbiterReply = self.ask(ARBITER, &input).await?;
        Some(ArbiterVerdict {
            decision: reply.decision,
            rationale: reply.rationale,
            source: VerdictSource::Llm {
                prompt_version: ARBITER.version.to_owned(),
            },
        })
    }

    async fn ask<T: for<'de> Deserialize<'de>>(&self, prompt: Prompt, input: &Value) -> Option<T> {
        let request = ChatRequest {
            messages: vec![
                ChatMessage {
                    role: ChatRole::System,
                    content: prompt.text.to_owned(),
                },
                ChatMessage {
                    role: ChatRole::User,
                    content: input.to_string(),
                },
            ],
            max_tokens: Some(400),
            temperature: Some(0.0),
        };
        match self.llm.complete(&request).await {
            Ok(response) => {
                let parsed = parse_reply(&response.content);
                if parsed.is_none() {
                    tracing::warn!(
                        prompt = prompt.version,
                        "unreadable model reply; code form kept"
                    );
                }
                parsed
            }
            Err(error) => {
                tracing::warn!(prompt = prompt.version, %error, "model failed; code form kept");
                None
            }
        }
    }
}

/// The first JSON object in a reply (models sometimes wrap it in prose or a fence).
pub(crate) fn parse_reply<T: for<'de> Deserialize<'de>>(content: &str) -> Option<T> {
    let start = content.find('{')?;
    let end = content.rfind('}')?;
    serde_json::from_str(content.get(start..=end)?).ok()
}

fn base_input(evidence: &Evidence<'_>) -> Value {
    json!({
        "question": evidence.benchmark.question,
        "expected_sql": evidence.expected.sql,
        "genie_sql": evidence.genie.text(),
        "genie_text": evidence.text,
        "result_difference": evidence.comparison.map(|comparison| json!({
            "equal": comparison.equal,
            "reasons": comparison.failure_reasons().collect::<Vec<_>>(),
            "expected_rows": comparison.diff.expected_row_count,
            "genie_rows": comparison.diff.actual_row_count,
            "missing_columns": comparison.diff.missing_columns,
        })),
    })
}

fn judge_verdict(
    judge: Judge,
    reply: JudgeReply,
    evidence: &Evidence<'_>,
    prompt: Prompt,
) -> Option<JudgeVerdict> {
    let outcome = match reply.outcome.to_lowercase().as_str() {
        "pass" => Outcome::Pass,
        "fail" => Outcome::Fail,
        _ => return None,
    };
    // The blame and the fix come from the code diagnosis of the model's failure type
    // (or the first finding when the model names none): the model judges, the code
    // points at the metadata.
    let finding = (outcome == Outcome::Fail)
        .then(|| {
            reply
                .failure_type
                .and_then(|failure| {
                    evidence
                        .findings
                        .iter()
                        .find(|finding| finding.failure_type == failure)
                })
                .or_else(|| evidence.findings.first())
        })
        .flatten();
    Some(JudgeVerdict {
        judge,
        outcome,
        rationale: reply.rationale,
        failure_type: (outcome == Outcome::Fail)
            .then(|| {
                reply
                    .failure_type
                    .or_else(|| finding.map(|finding| finding.failure_type))
            })
            .flatten()
            .or((outcome == Outcome::Fail).then_some(FailureType::MisreadIntent)),
        blame_set: finding
            .map(|finding| finding.blame_set.clone())
            .unwrap_or_default(),
        counterfactual_fix: finding.map(|finding| finding.counterfactual_fix.clone()),
        source: VerdictSource::Llm {
            prompt_version: prompt.version.to_owned(),
        },
    })
}
