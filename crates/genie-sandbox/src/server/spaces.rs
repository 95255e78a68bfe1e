//! The Genie spaces API: list, get, create, update (PATCH with `etag`), trash.
//!
//! A create or update whose `serialized_space` breaks a rule is refused as Databricks
//! refuses it: 400 `INVALID_PARAMETER_VALUE`, naming the rule's path and message
//! (genie-core's validation decides).

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Extension, Path, Query, State};
use axum::http::{Method, StatusCode};
use genie_core::space::{GenieSpace, SpaceConfig, new_id};
use serde::Deserialize;
use serde_json::{Value, json};

use super::api_error::ApiError;
use super::audit::CreatedSpace;
use super::body::JsonBody;
use super::clock::{now_millis, rfc3339};
use super::faults::FaultKind;
use super::paging::page;
use super::{AppState, WAREHOUSE_ID};

/// A space the sandbox starts with (the fixture's production space).
#[derive(Debug, Clone, PartialEq)]
pub struct SeedSpace {
    /// Its id (32 lowercase hex).
    pub space_id: String,
    /// Its title.
    pub title: String,
    /// Its configuration.
    pub config: SpaceConfig,
}

/// Every space, in creation order; trashed ones stay, marked.
#[derive(Debug, Default)]
pub(crate) struct SpaceStore {
    spaces: Mutex<Vec<StoredSpace>>,
    sequence: Mutex<u64>,
}

#[derive(Debug, Clone)]
struct StoredSpace {
    space: GenieSpace,
    config: SpaceConfig,
    /// Every config the space has had, with the epoch milliseconds it took effect,
    /// oldest first (Genie sees changes late: see [`SpaceStore::genie_view`]).
    history: Vec<(u64, SpaceConfig)>,
    trashed: bool,
}

impl StoredSpace {
    fn new(space: GenieSpace, config: SpaceConfig, millis: u64) -> Self {
        Self {
            space,
            history: vec![(millis, config.clone())],
            config,
            trashed: false,
        }
    }
}

/// What Genie sees of a live space at some instant.
#[derive(Debug, Clone)]
pub(crate) struct GenieView {
    /// Which version of the config that is (the time it was written, in ms).
    pub(crate) version: u64,
    /// The config in effect then.
    pub(crate) config: SpaceConfig,
    /// The space's warehouse now.
    pub(crate) warehouse_id: Option<String>,
}

impl SpaceStore {
    /// A store holding `seeds`.
    pub(crate) fn new(seeds: Vec<SeedSpace>) -> Self {
        let store = Self::default();
        let millis = now_millis();
        let now = rfc3339(millis);
        {
            let mut spaces = store.lock();
            for seed in seeds {
                let mut space = GenieSpace {
                    space_id: Some(seed.space_id),
                    title: Some(seed.title),
                    warehouse_id: Some(WAREHOUSE_ID.to_owned()),
                    create_time: Some(now.clone()),
                    update_time: Some(now.clone()),
                    ..GenieSpace::default()
                };
                space.etag = Some(store.next_etag());
                spaces.push(StoredSpace::new(space, seed.config, millis));
            }
        }
        store
    }

    fn lock(&self) -> MutexGuard<'_, Vec<StoredSpace>> {
        self.spaces.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The content hash of live space `space_id`'s config.
    pub(crate) fn content_hash(&self, space_id: &str) -> Option<String> {
        let mut spaces = self.lock();
        live_mut(&mut spaces, space_id)
            .ok()
            .map(|stored| stored.config.content_hash().as_str().to_owned())
    }

    /// The current config of live space `space_id`.
    pub(crate) fn config(&self, space_id: &str) -> Result<SpaceConfig, ApiError> {
        let mut spaces = self.lock();
        live_mut(&mut spaces, space_id).map(|stored| stored.config.clone())
    }

    /// What Genie sees of live space `space_id` at `as_of_millis`: the newest config
    /// that took effect by then (or the first one, for a space younger than that).
    pub(crate) fn genie_view(
        &self,
        space_id: &str,
        as_of_millis: u64,
    ) -> Result<GenieView, ApiError> {
        let mut spaces = self.lock();
        let stored = live_mut(&mut spaces, space_id)?;
        let (version, config) = stored
            .history
            .iter()
            .rev()
            .find(|(millis, _)| *millis <= as_of_millis)
            .or_else(|| stored.history.first())
            .map_or_else(
                || (0, stored.config.clone()),
                |(millis, config)| (*millis, config.clone()),
            );
        Ok(GenieView {
            version,
            config,
            warehouse_id: stored.space.warehouse_id.clone(),
        })
    }

    /// Whether `space_id` is a live space, as the API's not-found error if not.
    pub(crate) fn check_live(&self, space_id: &str) -> Result<(), ApiError> {
        let mut spaces = self.lock();
        live_mut(&mut spaces, space_id).map(|_| ())
    }

    fn next_sequence(&self) -> u64 {
        let mut sequence = self.sequence.lock().unwrap_or_else(PoisonError::into_inner);
        *sequence += 1;
        *sequence
    }

    fn next_etag(&self) -> String {
        format!(
            "{:016x}",
            self.next_sequence().wrapping_mul(0x9e37_79b9_7f4a_7c15)
        )
    }
}

/// `GET /api/2.0/genie/spaces` query.
#[derive(Debug, Deserialize)]
pub(crate) struct ListQuery {
    page_size: Option<usize>,
    page_token: Option<String>,
}

/// `GET /api/2.0/genie/spaces/{id}` query.
#[derive(Debug, Deserialize)]
pub(crate) struct GetQuery {
    #[serde(default)]
    include_serialized_space: bool,
}

/// The body of a create or an update.
#[derive(Debug, Deserialize)]
pub(crate) struct SpaceRequest {
    warehouse_id: Option<String>,
    serialized_space: Option<String>,
    title: Option<String>,
    description: Option<String>,
    parent_path: Option<String>,
    etag: Option<String>,
}

fn summary(space: &GenieSpace) -> Value {
    json!({
        "space_id": space.space_id,
        "title": space.title,
        "description": space.description,
        "warehouse_id": space.warehouse_id,
    })
}

fn full(stored: &StoredSpace, include_serialized_space: bool) -> Value {
    let mut space = stored.space.clone();
    if include_serialized_space {
        space.set_config(&stored.config);
    }
    serde_json::to_value(space).unwrap_or(Value::Null)
}

/// The live (not trashed) space `space_id`, or the API's not-found error.
fn live_mut<'a>(
    spaces: &'a mut [StoredSpace],
    space_id: &str,
) -> Result<&'a mut StoredSpace, ApiError> {
    spaces
        .iter_mut()
        .find(|stored| !stored.trashed && stored.space.space_id.as_deref() == Some(space_id))
        .ok_or_else(|| not_found(space_id))
}

/// The API's answer for a space that does not exist or is trashed.
pub(crate) fn not_found(space_id: &str) -> ApiError {
    ApiError::not_found(
        "RESOURCE_DOES_NOT_EXIST",
        format!("Genie space `{space_id}` does not exist"),
    )
}

/// Parses and validates a `serialized_space` string as the API does.
fn checked_config(text: &str) -> Result<SpaceConfig, ApiError> {
    let config = SpaceConfig::from_json(text).map_err(|error| {
        ApiError::bad_request(
            "INVALID_PARAMETER_VALUE",
            format!("invalid `serialized_space`: {error}"),
        )
    })?;
    if let Some(problem) = config
        .validate()
        .into_iter()
        .find(genie_core::space::Problem::is_rejected_by_api)
    {
        return Err(ApiError::bad_request(
            "INVALID_PARAMETER_VALUE",
            format!("invalid `serialized_space`: {problem}"),
        ));
    }
    Ok(config)
}

/// `GET /api/2.0/genie/spaces`.
pub(crate) async fn list(
    State(state): State<Arc<AppState>>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(query) = query?;
    let spaces = state.spaces.lock();
    let live: Vec<&StoredSpace> = spaces.iter().filter(|stored| !stored.trashed).collect();
    let (items, next) = page(&live, query.page_size, query.page_token.as_deref(), 20)?;
    let summaries: Vec<Value> = items.iter().map(|stored| summary(&stored.space)).collect();
    let mut body = json!({"spaces": summaries});
    if let Some(next) = next {
        body["next_page_token"] = json!(next);
    }
    Ok(Json(body))
}

/// `GET /api/2.0/genie/spaces/{space_id}`.
pub(crate) async fn get(
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<GetQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path(space_id) = path?;
    let Query(query) = query?;
    let mut spaces = state.spaces.lock();
    let stored = &*live_mut(&mut spaces, &space_id)?;
    Ok(Json(full(stored, query.include_serialized_space)))
}

/// `POST /api/2.0/genie/spaces`.
pub(crate) async fn create(
    State(state): State<Arc<AppState>>,
    JsonBody(request): JsonBody<SpaceRequest>,
) -> Result<(Extension<CreatedSpace>, Json<Value>), ApiError> {
    let warehouse_id = request.warehouse_id.ok_or_else(|| {
        ApiError::bad_request("INVALID_PARAMETER_VALUE", "`warehouse_id` is required")
    })?;
    let text = request.serialized_space.ok_or_else(|| {
        ApiError::bad_request("INVALID_PARAMETER_VALUE", "`serialized_space` is required")
    })?;
    let config = checked_config(&text)?;
    let millis = now_millis();
    let now = rfc3339(millis);
    let sequence = state.spaces.next_sequence();
    let space_id = new_id(millis, sequence.wrapping_mul(0x2545_f491_4f6c_dd1d));
    let space = GenieSpace {
        space_id: Some(space_id.clone()),
        title: Some(request.title.unwrap_or_else(|| "Untitled space".to_owned())),
        description: request.description,
        warehouse_id: Some(warehouse_id),
        parent_path: request.parent_path,
        etag: Some(state.spaces.next_etag()),
        create_time: Some(now.clone()),
        update_time: Some(now),
        ..GenieSpace::default()
    };
    let stored = StoredSpace::new(space, config, millis);
    let body = full(&stored, true);
    state.spaces.lock().push(stored);
    Ok((Extension(CreatedSpace(space_id)), Json(body)))
}

/// `PATCH /api/2.0/genie/spaces/{space_id}`: every field optional, `serialized_space`
/// a full replacement; with `etag`, refused when the space changed since.
pub(crate) async fn update(
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
    JsonBody(request): JsonBody<SpaceRequest>,
) -> Result<Json<Value>, ApiError> {
    let Path(space_id) = path?;
    let config = request
        .serialized_space
        .as_deref()
        .map(checked_config)
        .transpose()?;
    let etag = state.spaces.next_etag();
    let mut spaces = state.spaces.lock();
    let stored = live_mut(&mut spaces, &space_id)?;
    if let Some(expected) = &request.etag {
        if stored.space.etag.as_ref() == Some(expected)
            && state.faults.roll(FaultKind::EtagConflict)
        {
            // Another writer got there first: the space moves on without this change.
            state.audit.fault(
                FaultKind::EtagConflict,
                &Method::PATCH,
                &format!("/api/2.0/genie/spaces/{space_id}"),
            );
            stored.space.etag = Some(etag.clone());
            stored.space.update_time = Some(rfc3339(now_millis()));
        }
        if stored.space.etag.as_ref() != Some(expected) {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "RESOURCE_CONFLICT",
                format!("Genie space `{space_id}` was modified since etag `{expected}`"),
            ));
        }
    }
    let millis = now_millis();
    if let Some(config) = config {
        stored.history.push((millis, config.clone()));
        let faults = state.faults.faults();
        forget_unseeable(
            &mut stored.history,
            millis.saturating_sub(faults.scaled(faults.propagation_delay_ms)),
        );
        stored.config = config;
    }
    let space = &mut stored.space;
    if let Some(title) = request.title {
        space.title = Some(title);
    }
    if let Some(description) = request.description {
        space.description = Some(description);
    }
    if let Some(warehouse_id) = request.warehouse_id {
        space.warehouse_id = Some(warehouse_id);
    }
    if let Some(parent_path) = request.parent_path {
        space.parent_path = Some(parent_path);
    }
    space.etag = Some(etag);
    space.update_time = Some(rfc3339(millis));
    Ok(Json(full(stored, true)))
}

/// Drops the configs Genie can no longer see: all but the newest one in effect at
/// `cutoff` (Genie never looks further back than the propagation delay).
fn forget_unseeable(history: &mut Vec<(u64, SpaceConfig)>, cutoff: u64) {
    if let Some(newest_seen) = history.iter().rposition(|(millis, _)| *millis <= cutoff) {
        history.drain(..newest_seen);
    }
}

/// `DELETE /api/2.0/genie/spaces/{space_id}`: moves the space to the trash.
pub(crate) async fn trash(
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path(space_id) = path?;
    let mut spaces = state.spaces.lock();
    let stored = live_mut(&mut spaces, &space_id)?;
    stored.trashed = true;
    Ok(Json(json!({})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_keeps_what_genie_can_still_see() {
        let config = SpaceConfig::default();
        let mut history: Vec<(u64, SpaceConfig)> = [10, 20, 30, 40]
            .into_iter()
            .map(|millis| (millis, config.clone()))
            .collect();
        forget_unseeable(&mut history, 5);
        assert_eq!(history.len(), 4, "nothing was in effect yet");
        forget_unseeable(&mut history, 25);
        let times: Vec<u64> = history.iter().map(|(millis, _)| *millis).collect();
        assert_eq!(times, [20, 30, 40]);
        forget_unseeable(&mut history, 100);
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].0, 40);
    }
}
