//! The eval-run endpoints: create a run, list runs, get one, list its results, get a
//! result's details.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use serde::Deserialize;
use serde_json::{Value, json};

use super::super::AppState;
use super::super::api_error::ApiError;
use super::super::body::JsonBody;
use super::super::clock::now_millis;
use super::super::paging::{PageQuery, page};
use super::render::{result_details_json, result_summary_json, run_json};
use super::running::evaluate;

/// The body of a create: the benchmark questions to evaluate (all when absent).
#[derive(Debug, Deserialize)]
pub(crate) struct CreateRequest {
    #[serde(default)]
    benchmark_question_ids: Vec<String>,
}

/// `POST /api/2.0/genie/spaces/{space_id}/eval-runs`.
pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    uri: Uri,
    path: Result<Path<String>, PathRejection>,
    JsonBody(request): JsonBody<CreateRequest>,
) -> Result<Json<Value>, ApiError> {
    let Path(space_id) = path?;
    let run = evaluate(
        &state,
        &space_id,
        &request.benchmark_question_ids,
        uri.path(),
    )
    .await?;
    let body = run_json(&run, now_millis());
    state.eval_runs.insert(run);
    Ok(Json(body))
}

/// `GET …/spaces/{space_id}/eval-runs`: newest first.
pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path(space_id) = path?;
    let Query(query) = query?;
    state.spaces.check_live(&space_id)?;
    let runs = state.eval_runs.of_space(&space_id);
    let (items, next) = page(&runs, query.page_size, query.page_token.as_deref(), 20)?;
    let now = now_millis();
    let rendered: Vec<Value> = items.iter().map(|run| run_json(run, now)).collect();
    Ok(Json(with_next(json!({"eval_runs": rendered}), next)))
}

/// `GET …/eval-runs/{eval_run_id}`.
pub(crate) async fn get(
    State(state): State<Arc<AppState>>,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path((space_id, run_id)) = path?;
    state.spaces.check_live(&space_id)?;
    let run = state.eval_runs.get(&space_id, &run_id)?;
    Ok(Json(run_json(&run, now_millis())))
}

/// `GET …/eval-runs/{eval_run_id}/results`: in evaluation order.
pub(crate) async fn list_results(
    State(state): State<Arc<AppState>>,
    path: Result<Path<(String, String)>, PathRejection>,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path((space_id, run_id)) = path?;
    let Query(query) = query?;
    state.spaces.check_live(&space_id)?;
    let run = state.eval_runs.get(&space_id, &run_id)?;
    let indexes: Vec<usize> = (0..run.results.len()).collect();
    let (items, next) = page(&indexes, query.page_size, query.page_token.as_deref(), 100)?;
    let now = now_millis();
    let rendered: Vec<Value> = items
        .iter()
        .map(|index| result_summary_json(&run, *index, now))
        .collect();
    Ok(Json(with_next(json!({"eval_results": rendered}), next)))
}

/// `GET …/eval-runs/{eval_run_id}/results/{result_id}`.
pub(crate) async fn result_details(
    State(state): State<Arc<AppState>>,
    path: Result<Path<(String, String, String)>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path((space_id, run_id, result_id)) = path?;
    state.spaces.check_live(&space_id)?;
    let run = state.eval_runs.get(&space_id, &run_id)?;
    let index = run
        .results
        .iter()
        .position(|result| result.id == result_id)
        .ok_or_else(|| {
            ApiError::not_found(
                "RESOURCE_DOES_NOT_EXIST",
                format!("evaluation result `{result_id}` does not exist in run `{run_id}`"),
            )
        })?;
    Ok(Json(result_details_json(
        &run,
        index,
        now_millis(),
        &state.statements,
    )))
}

fn with_next(mut body: Value, next: Option<String>) -> Value {
    if let Some(next) = next {
        body["next_page_token"] = json!(next);
    }
    body
}
