//! [`ChatCompletionsLlm`]: genie-core's [`Llm`] over the OpenAI-compatible chat
//! completions API — a Databricks model serving endpoint
//! (`/serving-endpoints/{name}/invocations`) or any base URL that speaks it (OpenAI,
//! vLLM, Ollama, llama.cpp server: `{base}/chat/completions`). Calls are retried like
//! every other call of the [`RestClient`], and the tokens used are counted.

use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use genie_core::error::{PortError, PortErrorKind};
use genie_core::ports::{ChatRequest, ChatResponse, Llm, TokenUsage};
use reqwest::Method;
use serde_json::{Value, json};

use crate::http::{Idempotency, RestClient};

/// Where the chat completions are served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatEndpoint {
    /// A Databricks model serving endpoint of the client's workspace, by name.
    Serving(String),
    /// An OpenAI-compatible API whose base URL is the client's host (e.g.
    /// `http://127.0.0.1:11434/v1`), with the model to ask for.
    OpenAiCompatible {
        /// The `model` field of each request.
        model: String,
    },
}

/// A chat model behind an OpenAI-compatible API.
#[derive(Debug)]
pub struct ChatCompletionsLlm {
    client: RestClient,
    endpoint: ChatEndpoint,
    prompt_tokens: AtomicU64,
    completion_tokens: AtomicU64,
}

impl ChatCompletionsLlm {
    /// The model at `endpoint`, called through `client`.
    pub fn new(client: RestClient, endpoint: ChatEndpoint) -> Self {
        Self {
            client,
            endpoint,
            prompt_tokens: AtomicU64::new(0),
            completion_tokens: AtomicU64::new(0),
        }
    }

    /// The tokens used by every completion so far.
    pub fn usage(&self) -> TokenUsage {
        TokenUsage {
            prompt_tokens: self.prompt_tokens.load(Ordering::Relaxed),
            completion_tokens: self.completion_tokens.load(Ordering::Relaxed),
        }
    }
}

#[async_trait]
impl Llm for ChatCompletionsLlm {
    async fn complete(&self, request: &ChatRequest) -> Result<ChatResponse, PortError> {
        let mut body = json!({"messages": request.messages});
        if let Some(max_tokens) = request.max_tokens {
            body["max_tokens"] = json!(max_tokens);
        }
        if let Some(temperature) = request.temperature {
            body["temperature"] = json!(temperature);
        }
        let path = match &self.endpoint {
            ChatEndpoint::Serving(name) => format!("/serving-endpoints/{name}/invocations"),
            ChatEndpoint::OpenAiCompatible { model } => {
                body["model"] = json!(model);
                "/chat/completions".to_owned()
            }
        };
        let answer = self
            .client
            .call(Method::POST, &path, Some(&body), Idempotency::Idempotent)
            .await?;
        let content = answer["choices"][0]["message"]["content"]
            .as_str()
            .ok_or_else(|| {
                PortError::new(
                    PortErrorKind::Other,
                    "the completion has no `choices[0].message.content`",
                )
            })?
            .to_owned();
        let usage = TokenUsage {
            prompt_tokens: count(&answer, "prompt_tokens"),
            completion_tokens: count(&answer, "completion_tokens"),
        };
        self.prompt_tokens
            .fetch_add(usage.prompt_tokens, Ordering::Relaxed);
        self.completion_tokens
            .fetch_add(usage.completion_tokens, Ordering::Relaxed);
        Ok(ChatResponse {
            content,
            model: answer["model"].as_str().unwrap_or_default().to_owned(),
            usage,
        })
    }
}

fn count(answer: &Value, key: &str) -> u64 {
    answer["usage"][key].as_u64().unwrap_or(0)
}
