//! No token string appears in any error the MLflow tracker returns: connection
//! refused, an HTML error page, and a server that echoes the request (headers
//! included) back in its error message.

use std::collections::BTreeMap;

use genie_core::ports::{DatasetRef, Metric, ModelQuery, NewLoggedModel, RunStatus, Tracker};
use genie_mlflow::MlflowTracker;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const TOKEN: &str = "dapi-0123456789abcdef-secret";

/// A server answering every request with `status` and a body made by `body` from the
/// raw request text.
async fn server(status: u16, body: fn(&str) -> String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buffer = vec![0_u8; 65536];
                let read = socket.read(&mut buffer).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buffer[..read]).into_owned();
                let body = body(&request);
                let answer = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(answer.as_bytes()).await;
            });
        }
    });
    format!("http://{address}")
}

/// Every tracker call against `uri`; each must fail without the token in its error.
async fn assert_no_token_in_errors(uri: &str) {
    let tracker = MlflowTracker::with_token(uri, Some(TOKEN.to_owned())).unwrap();
    assert!(!format!("{tracker:?}").contains(TOKEN));
    let tags = BTreeMap::from([("k".to_owned(), "v".to_owned())]);
    let dataset = DatasetRef {
        name: "d".to_owned(),
        digest: "h".to_owned(),
    };
    let metric = Metric {
        key: "accuracy".to_owned(),
        value: 1.0,
        timestamp_ms: 1,
        step: 0,
    };
    let errors = [
        tracker.experiment("genie-opt/tokens").await.unwrap_err(),
        tracker.set_experiment_tags("1", &tags).await.unwrap_err(),
        tracker.start_run("1", "iter-0", 1).await.unwrap_err(),
        tracker.log_params("r1", &tags).await.unwrap_err(),
        tracker.set_tags("r1", &tags).await.unwrap_err(),
        tracker
            .log_artifact("r1", "a.json", b"{}")
            .await
            .unwrap_err(),
        tracker
            .end_run("r1", RunStatus::Finished, 2)
            .await
            .unwrap_err(),
        tracker
            .create_logged_model("1", &NewLoggedModel::default())
            .await
            .unwrap_err(),
        tracker
            .set_logged_model_tags("m-1", &tags)
            .await
            .unwrap_err(),
        tracker
            .log_model_metrics("r1", "m-1", Some(&dataset), &[metric])
            .await
            .unwrap_err(),
        tracker
            .log_dataset("r1", &dataset, "b.yaml")
            .await
            .unwrap_err(),
        tracker
            .search_logged_models("1", &ModelQuery::default())
            .await
            .unwrap_err(),
        tracker.read_artifact("r1", "a.json").await.unwrap_err(),
    ];
    for error in errors {
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains(TOKEN), "token leaked: {shown}");
    }
}

#[tokio::test]
async fn no_token_when_the_server_echoes_the_request() {
    let uri = server(401, |request| {
        assert!(request.contains(TOKEN), "the token was not sent");
        serde_json::json!({ "error_code": "UNAUTHENTICATED", "message": request }).to_string()
    })
    .await;
    assert_no_token_in_errors(&uri).await;
}

#[tokio::test]
async fn no_token_in_html_error_pages() {
    let uri = server(400, |request| format!("<html>{request}</html>")).await;
    assert_no_token_in_errors(&uri).await;
}

#[tokio::test]
async fn no_token_when_nothing_listens() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let uri = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    // One call: every call is retried with backoff when nothing answers.
    let tracker = MlflowTracker::with_token(&uri, Some(TOKEN.to_owned())).unwrap();
    let error = tracker.experiment("genie-opt/tokens").await.unwrap_err();
    assert_eq!(error.kind, genie_core::error::PortErrorKind::Unavailable);
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(TOKEN), "token leaked: {shown}");
}
