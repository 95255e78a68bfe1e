//! `genie-opt space validate|canonicalize|hash`, end to end.

use crate::{fixture, genie_opt, scratch, stderr, stdout};

fn path(relative: &str) -> String {
    fixture(relative).display().to_string()
}

#[test]
fn validate_accepts_a_valid_space() {
    let output = genie_opt(&["space", "validate", &path("spaces/full.json")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
    assert!(
        stderr(&output).ends_with("0 error(s), 0 warning(s)\n"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn validate_reports_every_seeded_defect_and_exits_1() {
    let output = genie_opt(&["space", "validate", &path("spaces/defective.json")]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let lines = stdout(&output);
    assert!(lines.lines().all(|line| line.contains(": ")), "{lines}");
    insta::assert_snapshot!("validate_defective", lines);
}

#[test]
fn validate_json_report() {
    let output = genie_opt(&[
        "space",
        "validate",
        "--json",
        &path("spaces/unknown_fields.json"),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["valid"], true);
    assert_eq!(report["errors"], 0);
    assert!(report["warnings"].as_u64().unwrap() >= 5, "{report}");
    assert!(
        report["problems"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["severity"] == "warning" && p["path"].is_string()),
        "{report}"
    );
}

#[test]
fn canonicalize_makes_an_unsorted_space_valid_and_is_idempotent() {
    let directory = scratch("canonicalize");
    let first = directory.join("first.json");
    let second = directory.join("second.json");
    let before = genie_opt(&["space", "validate", &path("spaces/unsorted.json")]);
    assert_eq!(
        before.status.code(),
        Some(1),
        "the fixture must start out unsorted"
    );

    let output = genie_opt(&[
        "space",
        "canonicalize",
        &path("spaces/unsorted.json"),
        "-o",
        first.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let after = genie_opt(&["space", "validate", first.to_str().unwrap()]);
    assert_eq!(
        after.status.code(),
        Some(0),
        "{}{}",
        stdout(&after),
        stderr(&after)
    );

    let output = genie_opt(&[
        "space",
        "canonicalize",
        first.to_str().unwrap(),
        "-o",
        second.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        std::fs::read(&first).unwrap(),
        std::fs::read(&second).unwrap()
    );

    // Same identity before and after canonicalization.
    let hash = |file: &str| stdout(&genie_opt(&["space", "hash", file]));
    assert_eq!(
        hash(&path("spaces/unsorted.json")),
        hash(first.to_str().unwrap())
    );
}

#[test]
fn canonicalize_writes_stdout_and_upgrades_version_1() {
    let output = genie_opt(&["space", "canonicalize", &path("spaces/v1.json")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["version"], 2);
    assert!(!text.contains("get_example_values") && !text.contains("build_value_dictionary"));
    assert!(text.contains("enable_format_assistance"));
}

#[test]
fn canonicalize_keeps_an_api_object_an_api_object() {
    let output = genie_opt(&["space", "canonicalize", &path("spaces/api_object.json")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let embedded = json["serialized_space"]
        .as_str()
        .expect("serialized_space stays a string");
    let config: serde_json::Value = serde_json::from_str(embedded).unwrap();
    assert_eq!(config["version"], 2);
    assert!(json["space_id"].is_string());
}

#[test]
fn hash_prints_twelve_hex_digits() {
    let output = genie_opt(&["space", "hash", &path("spaces/full.json")]);
    assert_eq!(output.status.code(), Some(0));
    let hash = stdout(&output);
    let hash = hash.trim_end();
    assert_eq!(hash.len(), 12, "{hash}");
    assert!(
        hash.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
}

#[test]
fn malformed_json_is_one_error_with_line_and_column_and_exit_2() {
    let directory = scratch("malformed");
    let file = directory.join("broken.json");
    std::fs::write(
        &file,
        "{\n  \"version\": 2,\n  \"data_sources\": {\"tables\": [}\n}\n",
    )
    .unwrap();
    let output = genie_opt(&["space", "validate", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(message.contains("broken.json"), "{message}");
    assert!(
        message.contains("line 3") && message.contains("column"),
        "{message}"
    );
}

#[test]
fn missing_file_and_bad_usage_exit_2() {
    let output = genie_opt(&["space", "hash", "no/such/space.json"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("cannot read `no/such/space.json`"),
        "{}",
        stderr(&output)
    );
    let output = genie_opt(&["space", "frobnicate"]);
    assert_eq!(output.status.code(), Some(2));
}
