//! `genie-opt sandbox`: serves a fixture on 127.0.0.1, announced on stdout.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

use crate::{fixture, root};

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
        let client = reqwest::Client::new();
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
