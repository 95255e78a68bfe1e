//! The space fixtures of `fixtures/spaces/`, for this module's tests.

/// `fixtures/spaces/full.json`.
pub(crate) const FULL: &str = include_str!("../../../../fixtures/spaces/full.json");
/// `fixtures/spaces/v1.json`.
pub(crate) const VERSION_1: &str = include_str!("../../../../fixtures/spaces/v1.json");
/// `fixtures/spaces/unknown_fields.json`.
pub(crate) const UNKNOWN_FIELDS: &str =
    include_str!("../../../../fixtures/spaces/unknown_fields.json");
/// `fixtures/spaces/unsorted.json`.
pub(crate) const UNSORTED: &str = include_str!("../../../../fixtures/spaces/unsorted.json");
/// `fixtures/spaces/defective.json`.
pub(crate) const DEFECTIVE: &str = include_str!("../../../../fixtures/spaces/defective.json");
/// `fixtures/spaces/api_object.json`.
pub(crate) const API_OBJECT: &str = include_str!("../../../../fixtures/spaces/api_object.json");
