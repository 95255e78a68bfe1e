//! [`SpaceId`]: which Genie space a call is about.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A Genie space's id (32 lowercase hex digits on Databricks; the sandbox's are the
/// same shape).
///
/// A newtype rather than a `String` so a space id cannot be passed where a title, a
/// warehouse id or an item id is expected. It serializes as the plain string, so files
/// that held a `String` read unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SpaceId(String);

impl SpaceId {
    /// Wraps an id as the API gave it.
    pub fn new(id: impl Into<String>) -> Self {
        Self(id.into())
    }

    /// The id as a string (what the [`GenieApi`](crate::ports::GenieApi) port takes).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SpaceId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

impl AsRef<str> for SpaceId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for SpaceId {
    fn from(id: &str) -> Self {
        Self::new(id)
    }
}

impl From<String> for SpaceId {
    fn from(id: String) -> Self {
        Self(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_the_plain_string() {
        let id = SpaceId::new("01f1c4027293192889961efc2e5f1860");
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, r#""01f1c4027293192889961efc2e5f1860""#);
        assert_eq!(serde_json::from_str::<SpaceId>(&json).unwrap(), id);
        assert_eq!(id.to_string(), id.as_str());
    }
}
