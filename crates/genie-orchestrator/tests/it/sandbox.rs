//! `genie-opt sandbox`: serves a fixture on 127.0.0.1, announced on stdout.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

use crate::{fixture, genie_opt, root, scratch, stderr};

/// Kills the server when the test ends, pass or fail.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn serves_the_fixture_and_announces_its_address() {
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_genie-opt"))
            .args([
                "sandbox",
                "--fixture",
                fixture("retail").to_str().unwrap(),
                "--port",
                "0",
                "--token",
                "t0k",
            ])
            .current_dir(root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("genie-opt starts"),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected line `{line}`"));
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let spaces: serde_json::Value = runtime.block_on(async {
        let client = crate::http();
        let unauthorized = client
            .get(format!("{url}/api/2.0/genie/spaces"))
            .send()
            .await
            .unwrap();
        assert_eq!(unauthorized.status().as_u16(), 401);
        client
            .get(format!("{url}/api/2.0/genie/spaces"))
            .bearer_auth("t0k")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    let first = &spaces["spaces"][0];
    assert_eq!(
        first["space_id"],
        genie_sandbox::fixture::production_space_id("retail")
    );
    assert_eq!(first["title"], "retail (production)");
}

#[test]
fn a_broken_fixture_is_a_usage_error_naming_the_file() {
    let output = Command::new(env!("CARGO_BIN_EXE_genie-opt"))
        .args(["sandbox", "--fixture", "no/such/fixture"])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("no/such/fixture/schema.sql"), "{message}");
}

/// Starts `genie-opt sandbox` on the retail fixture with `extra` flags; returns the
/// process and its URL.
fn spawn_sandbox(extra: &[&str]) -> (Child, String) {
    let fixture = fixture("retail");
    let mut args = vec![
        "sandbox",
        "--fixture",
        fixture.to_str().unwrap(),
        "--token",
        "t0k",
    ];
    args.extend_from_slice(extra);
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_genie-opt"))
            .args(&args)
            .current_dir(root())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("genie-opt starts"),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected line `{line}`"))
        .to_owned();
    (child, url)
}

#[test]
fn fault_flags_override_the_faults_file() {
    let directory = scratch("sandbox-faults");
    let file = directory.join("faults.yaml");
    std::fs::write(&file, "seed: 4\nerror_rate_503: 1.0\n").unwrap();
    let (_child, url) = spawn_sandbox(&[
        "--faults",
        file.to_str().unwrap(),
        "--error-rate-503",
        "0",
        "--error-rate-500",
        "1",
    ]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (status, body): (u16, serde_json::Value) = runtime.block_on(async {
        let response = crate::http()
            .get(format!("{url}/api/2.0/genie/spaces"))
            .bearer_auth("t0k")
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    });
    assert_eq!(status, 500, "{body}");
    assert_eq!(body["error_code"], "INTERNAL_ERROR");
}

#[test]
fn an_unknown_faults_key_is_a_usage_error_naming_file_and_key() {
    let directory = scratch("sandbox-bad-faults");
    let file = directory.join("faults.yaml");
    std::fs::write(&file, "seed: 1\nerror_rate_502: 0.5\n").unwrap();
    let output = genie_opt(&[
        "sandbox",
        "--fixture",
        fixture("retail").to_str().unwrap(),
        "--faults",
        file.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("faults.yaml"), "{message}");
    assert!(message.contains("error_rate_502"), "{message}");
}

#[test]
fn an_out_of_range_fault_flag_is_a_usage_error_naming_the_key() {
    let output = genie_opt(&[
        "sandbox",
        "--fixture",
        fixture("retail").to_str().unwrap(),
        "--unsafe-sql-rate",
        "1.5",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("`unsafe_sql_rate`"), "{message}");
    assert!(message.contains("command line"), "{message}");
}
