//! Canonical JSON and content hashes.
//!
//! A value's canonical JSON is its serde serialization with object keys sorted
//! byte-wise and no insignificant whitespace. Its [`ContentHash`] is the SHA-256 of
//! that text; the short form (first 12 hex digits) names configs, patch sets and
//! benchmark sets everywhere: logs, MLflow, file names and reports.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Serializes `value` as canonical JSON: keys sorted, compact.
///
/// # Panics
/// Never for the workspace's own types: they serialize to JSON objects with string
/// keys. A type whose `Serialize` fails (a map with non-string keys) is a bug.
pub fn to_canonical_json<T: Serialize + ?Sized>(value: &T) -> String {
    // `serde_json::Value` keeps objects in a `BTreeMap` (the `preserve_order`
    // feature is off), so going through it sorts every object's keys.
    let value = serde_json::to_value(value).expect("workspace types serialize to JSON");
    serde_json::to_string(&value).expect("a JSON value always serializes")
}

/// Serializes `value` as canonical JSON, pretty-printed with two-space indents and
/// a trailing newline: the form written to files people read and diff.
pub fn to_canonical_json_pretty<T: Serialize + ?Sized>(value: &T) -> String {
    let value = serde_json::to_value(value).expect("workspace types serialize to JSON");
    let mut text = serde_json::to_string_pretty(&value).expect("a JSON value always serializes");
    text.push('\n');
    text
}

/// The SHA-256 of a value's canonical JSON, as 64 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ContentHash(String);

impl ContentHash {
    /// Hashes the canonical JSON of `value`.
    pub fn of<T: Serialize + ?Sized>(value: &T) -> Self {
        Self::of_bytes(to_canonical_json(value).as_bytes())
    }

    /// Hashes raw bytes (used for SQL text and result fingerprints).
    pub fn of_bytes(bytes: &[u8]) -> Self {
        let digest = Sha256::digest(bytes);
        let mut hex = String::with_capacity(64);
        for byte in &digest {
            use fmt::Write as _;
            write!(hex, "{byte:02x}").expect("writing to a String cannot fail");
        }
        Self(hex)
    }

    /// The full 64-digit hex form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 12-digit short form used in names (`genie-retail-iter2-0a1b2c3d4e5f`).
    pub fn short(&self) -> &str {
        &self.0[..12]
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_sorted_and_output_is_compact() {
        let value = serde_json::json!({"b": 1, "a": {"d": [1, 2], "c": null}});
        assert_eq!(
            to_canonical_json(&value),
            r#"{"a":{"c":null,"d":[1,2]},"b":1}"#
        );
    }

    #[test]
    fn hash_ignores_key_order_and_whitespace() {
        let a: serde_json::Value = serde_json::from_str(r#"{"x": 1, "y": [true]}"#).unwrap();
        let b: serde_json::Value = serde_json::from_str(r#"{ "y":[ true ],"x":1 }"#).unwrap();
        assert_eq!(ContentHash::of(&a), ContentHash::of(&b));
        assert_ne!(
            ContentHash::of(&a),
            ContentHash::of(&serde_json::json!({"x": 2}))
        );
    }

    #[test]
    fn hash_of_known_bytes() {
        let hash = ContentHash::of_bytes(b"abc");
        assert_eq!(
            hash.as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(hash.short(), "ba7816bf8f01");
    }
}
