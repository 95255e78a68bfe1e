//! How [`MlflowTracker`] retries, against a loopback server answering from a script:
//! idempotent calls retry 5xx and 429 (honouring `Retry-After`), writes that must not
//! run twice retry only 429 and 503, and no call is sent more than five times.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use genie_core::error::PortErrorKind;
use genie_core::ports::{RunStatus, Tracker};
use genie_mlflow::MlflowTracker;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One scripted answer: status, extra header lines, body.
type Answer = (u16, &'static str, &'static str);

/// A server giving the scripted answers in order (then 500s); returns its URI and the
/// request lines it received.
async fn scripted(answers: Vec<Answer>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let uri = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let answers = Arc::new(Mutex::new(VecDeque::from(answers)));
    let log = Arc::clone(&seen);
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let mut buffer = vec![0_u8; 65536];
            let read = socket.read(&mut buffer).await.unwrap_or(0);
            let request = String::from_utf8_lossy(&buffer[..read]).into_owned();
            log.lock()
                .unwrap()
                .push(request.lines().next().unwrap_or_default().to_owned());
            let (status, headers, body) = answers
                .lock()
                .unwrap()
                .pop_front()
                .unwrap_or((500, "", "{}"));
            let answer = format!(
                "HTTP/1.1 {status} X\r\n{headers}content-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = socket.write_all(answer.as_bytes()).await;
        }
    });
    (uri, seen)
}

const RUN: &str =
    r#"{"run":{"info":{"run_id":"r1","artifact_uri":"mlflow-artifacts:/1/r1/artifacts"}}}"#;

#[tokio::test]
async fn idempotent_calls_retry_server_errors() {
    let (uri, seen) = scripted(vec![
        (503, "retry-after: 0\r\n", "{}"),
        (500, "retry-after: 0\r\n", "<html>boom</html>"),
        (200, "", "{}"),
    ])
    .await;
    let tracker = MlflowTracker::new(&uri).unwrap();
    tracker.end_run("r1", RunStatus::Finished, 2).await.unwrap();
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen, vec!["POST /api/2.0/mlflow/runs/update HTTP/1.1"; 3]);
}

#[tokio::test]
async fn creations_are_not_repeated_after_a_server_error() {
    let (uri, seen) = scripted(vec![(
        500,
        "",
        r#"{"error_code":"INTERNAL_ERROR","message":"db"}"#,
    )])
    .await;
    let tracker = MlflowTracker::new(&uri).unwrap();
    let error = tracker.start_run("1", "iter-0", 1).await.unwrap_err();
    assert_eq!(error.kind, PortErrorKind::Unavailable);
    assert!(error.message.contains("INTERNAL_ERROR: db"), "{error}");
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn creations_retry_when_refused() {
    let (uri, seen) = scripted(vec![
        (
            429,
            "retry-after: 0\r\n",
            r#"{"error_code":"REQUEST_LIMIT_EXCEEDED","message":"slow down"}"#,
        ),
        (503, "retry-after: 0\r\n", "{}"),
        (200, "", RUN),
    ])
    .await;
    let tracker = MlflowTracker::new(&uri).unwrap();
    assert_eq!(tracker.start_run("1", "iter-0", 1).await.unwrap(), "r1");
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn retries_stop_after_five_attempts() {
    let (uri, seen) = scripted(vec![(429, "retry-after: 0\r\n", "{}"); 10]).await;
    let tracker = MlflowTracker::new(&uri).unwrap();
    let error = tracker
        .end_run("r1", RunStatus::Killed, 2)
        .await
        .unwrap_err();
    assert_eq!(error.kind, PortErrorKind::RateLimited);
    assert_eq!(error.retry_after_ms, Some(0));
    assert_eq!(seen.lock().unwrap().len(), 5);
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let (uri, seen) = scripted(vec![(
        400,
        "",
        r#"{"error_code":"INVALID_PARAMETER_VALUE","message":"must be in the 'active' state"}"#,
    )])
    .await;
    let tracker = MlflowTracker::new(&uri).unwrap();
    let error = tracker
        .end_run("r1", RunStatus::Failed, 2)
        .await
        .unwrap_err();
    assert_eq!(error.kind, PortErrorKind::InvalidRequest);
    assert_eq!(seen.lock().unwrap().len(), 1);
}
