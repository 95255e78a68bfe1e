//! What differs when the tracking server is a Databricks workspace
//! (`MLFLOW_TRACKING_URI=databricks`):
//!
//! - experiment names are absolute workspace paths: a relative name goes under
//!   `/Users/<you>/` (the caller's user name from SCIM `Me`), and the parent folders are
//!   created with `workspace/mkdirs` before the experiment is;
//! - there is no `mlflow-artifacts` proxy: artifacts go through the Files API
//!   (`/api/2.0/fs/files/WorkspaceInternal/Mlflow/Artifacts/<exp>/Runs/<run>/artifacts/…`)
//!   and, where that is closed to the caller, through signed cloud-storage URLs from
//!   `artifacts/credentials-for-write` / `credentials-for-read`, sent without the
//!   workspace token.

use genie_core::error::{PortError, PortErrorKind};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::sync::OnceCell;

use crate::rest::{Rest, Retry, encode};

/// A Databricks workspace's MLflow extras.
#[derive(Debug)]
pub(crate) struct Workspace {
    rest: Rest,
    /// The caller's user name, once asked.
    user: OnceCell<String>,
}

impl Workspace {
    pub(crate) fn new(rest: Rest) -> Self {
        Self {
            rest,
            user: OnceCell::new(),
        }
    }

    /// The caller's workspace user name (`someone@example.com`).
    async fn user(&self) -> Result<&str, PortError> {
        self.user
            .get_or_try_init(|| async {
                let me = self
                    .rest
                    .json(
                        Method::GET,
                        "/api/2.0/preview/scim/v2/Me",
                        None,
                        Retry::Idempotent,
                    )
                    .await?;
                me["userName"]
                    .as_str()
                    .filter(|name| !name.is_empty())
                    .map(str::to_owned)
                    .ok_or_else(|| {
                        PortError::new(
                            PortErrorKind::Other,
                            "scim/v2/Me: the answer has no `userName`".to_owned(),
                        )
                    })
            })
            .await
            .map(String::as_str)
    }

    /// The workspace path of the experiment called `name`: absolute names as given
    /// (without a `/Workspace` prefix, which MLflow's get-by-name does not see), relative
    /// ones under the caller's home folder.
    pub(crate) async fn experiment_path(&self, name: &str) -> Result<String, PortError> {
        let name = name.trim();
        if let Some(absolute) = name.strip_prefix("/Workspace/") {
            return Ok(format!("/{absolute}"));
        }
        if name.starts_with('/') {
            return Ok(name.to_owned());
        }
        let relative = name.trim_start_matches("./");
        if relative.is_empty() {
            return Err(PortError::new(
                PortErrorKind::InvalidRequest,
                "an experiment needs a name".to_owned(),
            ));
        }
        Ok(format!("/Users/{}/{relative}", self.user().await?))
    }

    /// Creates the folders above the experiment at `path` (an existing folder is fine).
    pub(crate) async fn create_parent(&self, path: &str) -> Result<(), PortError> {
        let Some((parent, _)) = path.rsplit_once('/') else {
            return Ok(());
        };
        if parent.is_empty() {
            return Ok(());
        }
        self.rest
            .json(
                Method::POST,
                "/api/2.0/workspace/mkdirs",
                Some(&json!({ "path": parent })),
                Retry::Idempotent,
            )
            .await?;
        Ok(())
    }

    /// The Files API path of a run artifact.
    fn files_path(experiment_id: &str, run_id: &str, segments: &[&str]) -> String {
        let mut path = format!(
            "/api/2.0/fs/files/WorkspaceInternal/Mlflow/Artifacts/{}/Runs/{}/artifacts",
            encode(experiment_id),
            encode(run_id)
        );
        for segment in segments {
            path.push('/');
            path.push_str(&encode(segment));
        }
        path
    }

    /// Uploads a run artifact: the Files API first, signed URLs when it is closed.
    pub(crate) async fn upload_artifact(
        &self,
        experiment_id: &str,
        run_id: &str,
        segments: &[&str],
        content: &[u8],
    ) -> Result<(), PortError> {
        let path = format!(
            "{}?overwrite=true",
            Self::files_path(experiment_id, run_id, segments)
        );
        match self
            .rest
            .bytes(Method::PUT, &path, Some(content.to_vec()))
            .await
        {
            Ok(_) => return Ok(()),
            Err(error) if !files_api_closed(&error) => return Err(error),
            Err(error) => {
                tracing::debug!(run_id, error = %error.message, "Files API closed; using a signed URL");
            }
        }
        let credential = self
            .credential("credentials-for-write", run_id, segments)
            .await?;
        let mut headers = credential.headers;
        if credential.kind == "AZURE_SAS_URI"
            && !headers
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case("x-ms-blob-type"))
        {
            headers.push(("x-ms-blob-type".to_owned(), "BlockBlob".to_owned()));
        }
        self.rest
            .signed(
                Method::PUT,
                &credential.signed_uri,
                &headers,
                Some(content.to_vec()),
                &format!("artifact {} of run {run_id}", segments.join("/")),
            )
            .await?;
        Ok(())
    }

    /// Downloads a run artifact: the Files API first, a signed URL when it is closed.
    pub(crate) async fn download_artifact(
        &self,
        experiment_id: &str,
        run_id: &str,
        segments: &[&str],
    ) -> Result<Vec<u8>, PortError> {
        let path = Self::files_path(experiment_id, run_id, segments);
        match self.rest.bytes(Method::GET, &path, None).await {
            Ok(bytes) => return Ok(bytes),
            Err(error) if !files_api_closed(&error) => return Err(error),
            Err(_) => {}
        }
        let credential = self
            .credential("credentials-for-read", run_id, segments)
            .await?;
        self.rest
            .signed(
                Method::GET,
                &credential.signed_uri,
                &credential.headers,
                None,
                &format!("artifact {} of run {run_id}", segments.join("/")),
            )
            .await
    }

    /// A signed URL for one artifact from `artifacts/<route>`.
    async fn credential(
        &self,
        route: &str,
        run_id: &str,
        segments: &[&str],
    ) -> Result<Credential, PortError> {
        let answer = self
            .rest
            .json(
                Method::POST,
                &format!("/api/2.0/mlflow/artifacts/{route}"),
                Some(&json!({ "run_id": run_id, "path": [segments.join("/")] })),
                Retry::Idempotent,
            )
            .await?;
        Credential::from_answer(&answer).ok_or_else(|| {
            PortError::new(
                PortErrorKind::Other,
                format!("artifacts/{route}: the answer has no signed URL"),
            )
        })
    }
}

/// Whether a Files API error means "not available to this caller here" (try signed
/// URLs) rather than a failure to report.
fn files_api_closed(error: &PortError) -> bool {
    matches!(
        error.kind,
        PortErrorKind::NotFound | PortErrorKind::Unauthorized | PortErrorKind::InvalidRequest
    )
}

/// One signed URL and the headers to send with it.
#[derive(Debug)]
struct Credential {
    signed_uri: String,
    headers: Vec<(String, String)>,
    kind: String,
}

impl Credential {
    /// The first `credential_infos` entry of an answer.
    fn from_answer(answer: &Value) -> Option<Self> {
        let info = answer["credential_infos"].as_array()?.first()?;
        Some(Self {
            signed_uri: info["signed_uri"].as_str()?.to_owned(),
            headers: info["headers"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|header| {
                    Some((
                        header["name"].as_str()?.to_owned(),
                        header["value"].as_str()?.to_owned(),
                    ))
                })
                .collect(),
            kind: info["type"].as_str().unwrap_or_default().to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_paths_encode_every_segment() {
        assert_eq!(
            Workspace::files_path("12", "r1", &["evaluation", "eval results.json"]),
            "/api/2.0/fs/files/WorkspaceInternal/Mlflow/Artifacts/12/Runs/r1/artifacts/evaluation/eval%20results.json"
        );
    }

    #[test]
    fn credentials_are_read_with_their_headers() {
        let answer = json!({"credential_infos": [{
            "run_id": "r", "path": "a.json", "signed_uri": "https://blob/x?sig=1",
            "type": "AZURE_SAS_URI", "headers": [{"name": "x-ms-meta", "value": "1"}]
        }]});
        let credential = Credential::from_answer(&answer).unwrap();
        assert_eq!(credential.signed_uri, "https://blob/x?sig=1");
        assert_eq!(
            credential.headers,
            [("x-ms-meta".to_owned(), "1".to_owned())]
        );
        assert_eq!(credential.kind, "AZURE_SAS_URI");
        assert!(Credential::from_answer(&json!({"credential_infos": []})).is_none());
    }

    #[test]
    fn only_closed_files_api_answers_fall_back() {
        for kind in [
            PortErrorKind::NotFound,
            PortErrorKind::Unauthorized,
            PortErrorKind::InvalidRequest,
        ] {
            assert!(files_api_closed(&PortError::new(kind, String::new())));
        }
        assert!(!files_api_closed(&PortError::new(
            PortErrorKind::Unavailable,
            String::new()
        )));
    }
}
