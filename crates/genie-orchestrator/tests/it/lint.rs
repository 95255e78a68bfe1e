//! `genie-opt lint` on a space file: findings mapped to levers, `--json`, `--fail-on`.

use crate::{fixture, genie_opt, stdout};

#[test]
fn findings_name_their_lever_and_set_the_exit_code() {
    let space = fixture("retail").join("space.json").display().to_string();
    let output = genie_opt(&["lint", "--config", &space, "--json"]);
    assert_eq!(output.status.code(), Some(1), "warnings fail by default");
    let findings: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let findings = findings.as_array().unwrap();
    assert!(!findings.is_empty());
    for finding in findings {
        assert!(finding["rule"].is_string() && finding["path"].is_string());
        if finding["rule"] != "validation" {
            assert!(
                (1..=6).contains(&finding["lever"].as_u64().unwrap()),
                "{finding}"
            );
        }
    }
    let errors = findings.iter().any(|f| f["severity"] == "error");
    let output = genie_opt(&["lint", "--config", &space, "--fail-on", "error"]);
    assert_eq!(output.status.code(), Some(i32::from(errors)));
    assert!(stdout(&output).contains("finding(s)"));
}
