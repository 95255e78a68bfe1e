//! A loopback front that plays the parts of a Databricks workspace MLflow lacks, in
//! front of a live MLflow server: bearer-token auth, SCIM `Me`, `workspace/mkdirs` with
//! the workspace's rules for experiment names (absolute paths whose parent exists), the
//! Files API (open or closed to the caller) and signed cloud-storage URLs that refuse
//! the workspace token. Every other `/api/2.0/mlflow/…` call goes on to the real server.

use std::collections::{BTreeSet, HashMap};
use std::io::Write as _;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub(crate) const TOKEN: &str = "dapi-feedface-workspace-secret";
pub(crate) const USER: &str = "analyst@example.com";

/// The MLflow server's URI, or `None` after printing why the test is skipped.
pub(crate) fn upstream() -> Option<String> {
    match std::env::var("GENIE_MLFLOW_URI") {
        Ok(uri) if !uri.is_empty() => Some(uri),
        _ => {
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: GENIE_MLFLOW_URI is not set; run `cargo xtask mlflow test` to test the Databricks tracker against a live MLflow server"
            );
            None
        }
    }
}

pub(crate) fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}-{nanos}")
}

/// What the front saw and holds.
#[derive(Default)]
pub(crate) struct Workspace {
    pub(crate) upstream: String,
    pub(crate) files_api_open: bool,
    /// Workspace folders (`/Users/<user>` exists from the start).
    pub(crate) folders: Mutex<BTreeSet<String>>,
    /// Files API content by path.
    pub(crate) files: Mutex<HashMap<String, Vec<u8>>>,
    /// Signed-URL storage by key.
    pub(crate) blobs: Mutex<HashMap<String, Vec<u8>>>,
    /// Every request: `METHOD path authorized?`.
    pub(crate) calls: Mutex<Vec<String>>,
    /// Every request body, to look for the token in.
    pub(crate) bodies: Mutex<Vec<u8>>,
}

pub(crate) type Shared = Arc<Workspace>;

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(json!({ "error_code": code, "message": message })),
    )
        .into_response()
}

async fn handle(State(workspace): State<Shared>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 16 << 20)
        .await
        .unwrap_or_default();
    let authorized = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        == Some(&format!("Bearer {TOKEN}"));
    let path = parts.uri.path().to_owned();
    workspace.calls.lock().unwrap().push(format!(
        "{} {path} {}",
        parts.method,
        if parts.headers.contains_key("authorization") {
            "with-authorization"
        } else {
            "without-authorization"
        }
    ));
    workspace.bodies.lock().unwrap().extend_from_slice(&body);
    if let Some(key) = path.strip_prefix("/storage/") {
        return storage(
            &workspace,
            &parts.method,
            &parts.headers,
            &parts.uri,
            key,
            &body,
        );
    }
    if !authorized {
        return error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHORIZED",
            "invalid access token",
        );
    }
    if path == "/api/2.0/preview/scim/v2/Me" {
        return axum::Json(json!({ "userName": USER, "id": "42" })).into_response();
    }
    if path == "/api/2.0/workspace/mkdirs" {
        let request: Value = serde_json::from_slice(&body).unwrap_or_default();
        let mut folders = workspace.folders.lock().unwrap();
        let mut folder = String::new();
        for part in request["path"]
            .as_str()
            .unwrap_or_default()
            .split('/')
            .filter(|p| !p.is_empty())
        {
            folder.push('/');
            folder.push_str(part);
            folders.insert(folder.clone());
        }
        return axum::Json(json!({})).into_response();
    }
    if let Some(file) = path.strip_prefix("/api/2.0/fs/files/") {
        if !workspace.files_api_open {
            return error(
                StatusCode::FORBIDDEN,
                "PERMISSION_DENIED",
                "Files API is not enabled for this path",
            );
        }
        let mut files = workspace.files.lock().unwrap();
        return match parts.method {
            Method::PUT => {
                files.insert(file.to_owned(), body.to_vec());
                StatusCode::NO_CONTENT.into_response()
            }
            _ => match files.get(file) {
                Some(bytes) => bytes.clone().into_response(),
                None => error(StatusCode::NOT_FOUND, "NOT_FOUND", "no such file"),
            },
        };
    }
    if let Some(route) = path.strip_prefix("/api/2.0/mlflow/artifacts/credentials-for-") {
        let request: Value = serde_json::from_slice(&body).unwrap_or_default();
        let run = request["run_id"].as_str().unwrap_or_default();
        let file = request["path"][0].as_str().unwrap_or_default();
        let host = parts
            .headers
            .get("host")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        return axum::Json(json!({ "credential_infos": [{
            "run_id": run, "path": file, "type": "AWS_PRESIGNED_URL",
            "signed_uri": format!("http://{host}/storage/{run}/{file}?X-Amz-Signature={route}-signature"),
            "headers": [{ "name": "x-amz-server-side-encryption", "value": "AES256" }],
        }]}))
        .into_response();
    }
    if path == "/api/2.0/mlflow/experiments/create" {
        let request: Value = serde_json::from_slice(&body).unwrap_or_default();
        let name = request["name"].as_str().unwrap_or_default();
        if !name.starts_with('/') {
            return error(
                StatusCode::BAD_REQUEST,
                "INVALID_PARAMETER_VALUE",
                &format!("Got an invalid experiment name '{name}': it must be an absolute path"),
            );
        }
        let parent = name.rsplit_once('/').map_or("", |(parent, _)| parent);
        if !workspace.folders.lock().unwrap().contains(parent) {
            return error(
                StatusCode::NOT_FOUND,
                "RESOURCE_DOES_NOT_EXIST",
                &format!("Parent directory {parent} does not exist."),
            );
        }
    }
    if path.starts_with("/api/2.0/mlflow/") {
        return forward(&workspace.upstream, &parts.method, &parts.uri, body).await;
    }
    error(
        StatusCode::NOT_FOUND,
        "ENDPOINT_NOT_FOUND",
        "no such endpoint",
    )
}

/// Cloud storage behind signed URLs: refuses the workspace token and unsigned calls.
fn storage(
    workspace: &Workspace,
    method: &Method,
    headers: &HeaderMap,
    uri: &Uri,
    key: &str,
    body: &Bytes,
) -> Response {
    if headers.contains_key("authorization") {
        return error(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            "only one auth mechanism allowed",
        );
    }
    if !uri.query().unwrap_or_default().contains("X-Amz-Signature=") {
        return error(StatusCode::FORBIDDEN, "AccessDenied", "unsigned");
    }
    let mut blobs = workspace.blobs.lock().unwrap();
    if *method == Method::PUT {
        if headers.get("x-amz-server-side-encryption").is_none() {
            return error(
                StatusCode::FORBIDDEN,
                "AccessDenied",
                "signed headers missing",
            );
        }
        blobs.insert(key.to_owned(), body.to_vec());
        return StatusCode::OK.into_response();
    }
    match blobs.get(key) {
        Some(bytes) => bytes.clone().into_response(),
        None => error(StatusCode::NOT_FOUND, "NoSuchKey", "no such key"),
    }
}

/// Sends a call on to the real MLflow server (without the workspace token).
async fn forward(upstream: &str, method: &Method, uri: &Uri, body: Bytes) -> Response {
    let target = format!(
        "{upstream}{}",
        uri.path_and_query().map_or("", |path| path.as_str())
    );
    let method = method.clone();
    let answer = reqwest::Client::new()
        .request(method, target)
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    let status = StatusCode::from_u16(answer.status().as_u16()).unwrap();
    (status, answer.bytes().await.unwrap().to_vec()).into_response()
}

/// Starts a front for `upstream`; returns its URL and state.
pub(crate) async fn front(upstream: &str, files_api_open: bool) -> (String, Shared) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let workspace = Arc::new(Workspace {
        upstream: upstream.to_owned(),
        files_api_open,
        folders: Mutex::new(BTreeSet::from([
            "/Users".to_owned(),
            format!("/Users/{USER}"),
            "/Shared".to_owned(),
        ])),
        ..Workspace::default()
    });
    let app = Router::new()
        .fallback(handle)
        .with_state(Arc::clone(&workspace));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}"), workspace)
}

pub(crate) async fn mlflow_get(upstream: &str, path: &str) -> Value {
    reqwest::get(format!("{upstream}{path}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Percent-encodes a query value.
pub(crate) fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
                char::from(byte).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}
