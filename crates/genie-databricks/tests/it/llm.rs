//! `ChatCompletionsLlm` on the wire, against a loopback server this test starts: the
//! request's path, headers and body, the answer's content and usage, retries of a 503,
//! and a 400 that is not retried.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use genie_core::error::PortErrorKind;
use genie_core::ports::{ChatMessage, ChatRequest, ChatRole, Llm};
use genie_databricks::auth::{CredentialSource, Credentials};
use genie_databricks::{ChatCompletionsLlm, ChatEndpoint, RestClient, RetryPolicy, Token};
use serde_json::{Value, json};

/// What the fake server saw, and how many times it should fail first.
#[derive(Default)]
struct Seen {
    requests: Vec<(String, String, Value)>,
    failures_left: u32,
    refuse: bool,
}

async fn completions(
    State(seen): State<Arc<Mutex<Seen>>>,
    uri: Uri,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> axum::response::Response {
    let mut seen = seen.lock().unwrap();
    let authorization = headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    seen.requests
        .push((uri.path().to_owned(), authorization, body));
    if seen.refuse {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error_code": "BAD_REQUEST", "message": "max_tokens too large"})),
        )
            .into_response();
    }
    if seen.failures_left > 0 {
        seen.failures_left -= 1;
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"error_code": "TEMPORARILY_UNAVAILABLE", "message": "busy"})),
        )
            .into_response();
    }
    Json(json!({
        "id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "judge-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "ground_truth_correct"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15}
    }))
    .into_response()
}

async fn server(seen: Arc<Mutex<Seen>>) -> String {
    let app = axum::Router::new()
        .fallback(axum::routing::post(completions))
        .with_state(seen);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}")
}

fn llm(host: String, endpoint: ChatEndpoint) -> ChatCompletionsLlm {
    let credentials = Credentials {
        host,
        token: Token::new("llm-secret"),
        source: CredentialSource::Explicit,
    };
    let retry = RetryPolicy {
        initial_backoff: Duration::from_millis(5),
        ..RetryPolicy::default()
    };
    ChatCompletionsLlm::new(RestClient::new(credentials, retry).unwrap(), endpoint)
}

fn request() -> ChatRequest {
    ChatRequest {
        messages: vec![
            ChatMessage {
                role: ChatRole::System,
                content: "You judge SQL.".into(),
            },
            ChatMessage {
                role: ChatRole::User,
                content: "Which is right?".into(),
            },
        ],
        max_tokens: Some(64),
        temperature: Some(0.0),
    }
}

#[tokio::test]
async fn serving_endpoints_and_base_urls_speak_chat_completions() {
    let seen = Arc::new(Mutex::new(Seen {
        failures_left: 2,
        ..Seen::default()
    }));
    let host = server(Arc::clone(&seen)).await;
    let serving = llm(host.clone(), ChatEndpoint::Serving("judge".into()));
    let answer = serving.complete(&request()).await.unwrap();
    assert_eq!(answer.content, "ground_truth_correct");
    assert_eq!(answer.model, "judge-model");
    let openai = llm(
        format!("{host}/v1"),
        ChatEndpoint::OpenAiCompatible {
            model: "llama3".into(),
        },
    );
    openai.complete(&request()).await.unwrap();
    openai.complete(&request()).await.unwrap();
    assert_eq!(
        (
            openai.usage().prompt_tokens,
            openai.usage().completion_tokens
        ),
        (24, 6)
    );
    let seen = seen.lock().unwrap();
    // Two 503s retried, then the three successful calls.
    assert_eq!(seen.requests.len(), 5);
    let (path, authorization, body) = &seen.requests[0];
    assert_eq!(path, "/serving-endpoints/judge/invocations");
    assert_eq!(authorization, "Bearer llm-secret");
    assert_eq!(
        body,
        &json!({"messages": [{"role": "system", "content": "You judge SQL."}, {"role": "user", "content": "Which is right?"}],
                "max_tokens": 64, "temperature": 0.0})
    );
    assert_eq!(seen.requests[3].0, "/v1/chat/completions");
    assert_eq!(seen.requests[3].2["model"], "llama3");
}

#[tokio::test]
async fn a_refused_request_is_not_retried_and_hides_the_key() {
    let seen = Arc::new(Mutex::new(Seen {
        refuse: true,
        ..Seen::default()
    }));
    let host = server(Arc::clone(&seen)).await;
    let error = llm(host, ChatEndpoint::Serving("judge".into()))
        .complete(&request())
        .await
        .unwrap_err();
    assert_eq!(error.kind, PortErrorKind::InvalidRequest);
    assert!(error.message.contains("max_tokens too large"));
    assert!(!format!("{error:?}").contains("llm-secret"));
    assert_eq!(seen.lock().unwrap().requests.len(), 1);
}
