//! `genie-opt evaluate` against the embedded sandbox, end to end: the JSON report and
//! its recount, JUnit XML read back with an XML parser, the artifacts and the file
//! tracker's run, exit codes, and errors that name the file and line.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::{fixture, sandbox_process, scratch, stderr, stdout};

/// Runs `genie-opt` in `directory` (so the default tracker writes there), without any
/// tracking URI from the environment.
fn genie_opt_in(directory: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_genie-opt"))
        .args(args)
        .current_dir(directory)
        .env_remove("MLFLOW_TRACKING_URI")
        .env_remove("DATABRICKS_HOST")
        .env_remove("DATABRICKS_TOKEN")
        .env_remove("DATABRICKS_CONFIG_PROFILE")
        .env_remove("DATABRICKS_CONFIG_FILE")
        .env("HOME", directory)
        .output()
        .expect("genie-opt runs")
}

fn text(path: &Path) -> String {
    path.display().to_string()
}

fn retail() -> PathBuf {
    fixture("retail")
}

/// `evaluate --sandbox fixtures/retail` with `extra` flags, in a fresh directory.
fn evaluate(name: &str, extra: &[&str]) -> (PathBuf, Output) {
    let directory = scratch(name);
    let mut args = vec![
        "evaluate".to_owned(),
        "--sandbox".to_owned(),
        text(&retail()),
        "--benchmarks".to_owned(),
        text(&retail().join("benchmarks.yaml")),
        "--json".to_owned(),
        text(&directory.join("report.json")),
        "--junit".to_owned(),
        text(&directory.join("report.xml")),
    ];
    args.extend(extra.iter().map(|arg| (*arg).to_owned()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = genie_opt_in(&directory, &args);
    (directory, output)
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("file written")).expect("JSON")
}

#[test]
fn the_weak_retail_space_is_measured_and_reported_everywhere() {
    let (directory, output) = evaluate("weak", &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = read_json(&directory.join("report.json"));
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(report["total_questions"], 54);
    assert_eq!(rows.len(), 54);
    // The recount: accuracy is correct rows over scored rows.
    let scored: Vec<&Value> = rows
        .iter()
        .filter(|row| row["excluded"].is_null())
        .collect();
    let correct = scored.iter().filter(|row| row["correct"] == true).count();
    assert_eq!(report["scored"], scored.len());
    assert_eq!(report["correct_count"], correct);
    #[expect(clippy::cast_precision_loss, reason = "tiny counts")]
    let accuracy = 100.0 * correct as f64 / scored.len() as f64;
    let reported = report["overall_accuracy"].as_f64().unwrap();
    assert!(
        (reported - accuracy).abs() < 0.01,
        "{reported} vs {accuracy}"
    );
    assert!(
        (20.0..70.0).contains(&reported),
        "a weak space scores low: {reported}"
    );
    for row in rows {
        for field in ["id", "split", "priority", "correct", "verdicts"] {
            assert!(!row[field].is_null(), "row without {field}: {row}");
        }
        if row["correct"] == false && row["excluded"].is_null() {
            assert!(
                !row["failure_type"].is_null(),
                "a failing row has a type: {row}"
            );
        }
    }
    assert!(
        report["scores"]["result_correctness"].is_number(),
        "{}",
        report["scores"]
    );

    // JUnit, read back with an XML parser.
    let xml = std::fs::read_to_string(directory.join("report.xml")).unwrap();
    let document = roxmltree::Document::parse(&xml).expect("well-formed JUnit XML");
    let cases: Vec<_> = document
        .descendants()
        .filter(|node| node.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 54);
    let failures = cases
        .iter()
        .filter(|case| case.children().any(|child| child.has_tag_name("failure")))
        .count();
    assert_eq!(failures, scored.len() - correct);
    let suite = document
        .descendants()
        .find(|node| node.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(suite.attribute("tests"), Some("54"));
    assert_eq!(
        suite.attribute("failures"),
        Some(failures.to_string().as_str())
    );

    // Artifacts and the file tracker's run.
    for artifact in ["eval_results.json", "failures.json", "arbiter_actions.json"] {
        let path = directory.join("genie-opt-output/evaluation").join(artifact);
        assert!(path.is_file(), "{} written", path.display());
    }
    let runs: Vec<_> = std::fs::read_dir(directory.join("genie-opt-runs/runs"))
        .expect("the file tracker wrote a run")
        .collect();
    assert_eq!(runs.len(), 1);
    let run_dir = runs[0].as_ref().unwrap().path();
    let run = read_json(&run_dir.join("run.json"));
    assert!(
        run["run_name"]
            .as_str()
            .unwrap()
            .starts_with("genie_eval_iter0_"),
        "{run}"
    );
    assert_eq!(run["params"]["eval_scope"], "full");
    assert_eq!(run["inputs"][0]["name"], report["dataset"]);
    assert!(
        run_dir
            .join("artifacts/evaluation/eval_results.json")
            .is_file()
    );

    let summary = stdout(&output);
    assert!(summary.contains("scored of 54"), "{summary}");
    assert!(summary.contains("result_correctness"), "{summary}");
}

#[test]
fn the_improved_space_passes_a_minimum_and_the_weak_one_exits_1() {
    let improved = text(&retail().join("space_improved.json"));
    let (_, output) = evaluate(
        "improved",
        &[
            "--space-file",
            &improved,
            "--scope",
            "p0",
            "--min-accuracy",
            "90",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let (_, output) = evaluate("below", &["--scope", "p0", "--min-accuracy", "90"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("below --min-accuracy 90"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn the_p0_report_is_stable() {
    let (directory, output) = evaluate("snapshot", &["--scope", "p0", "--seed", "7"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = read_json(&directory.join("report.json"));
    insta::assert_json_snapshot!("evaluate_p0_report", report);
}

#[test]
fn bad_input_exits_2_naming_the_file_and_line() {
    let directory = scratch("bad-benchmarks");
    let benchmarks = directory.join("benchmarks.yaml");
    std::fs::write(
        &benchmarks,
        "benchmarks:\n  - id: one\n    question: \"How many?\"\n    expected_sql: SELECT 1\n  - id: two\n    question: \"Missing SQL\"\n",
    )
    .unwrap();
    let output = genie_opt_in(
        &directory,
        &[
            "evaluate",
            "--sandbox",
            &text(&retail()),
            "--benchmarks",
            &text(&benchmarks),
        ],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("benchmarks.yaml:6:"),
        "file and line: {message}"
    );
    assert!(
        message.contains("benchmarks[1].expected_sql"),
        "the field: {message}"
    );

    let output = genie_opt_in(
        &directory,
        &["evaluate", "--benchmarks", &text(&benchmarks)],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));

    let output = genie_opt_in(
        &directory,
        &[
            "evaluate",
            "--space-id",
            "01ef00000000000000000000000000aa",
            "--benchmarks",
            &text(&retail().join("benchmarks.yaml")),
        ],
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("--sandbox"),
        "no credentials: says how to use the sandbox: {}",
        stderr(&output)
    );
}

#[test]
fn without_benchmarks_questions_are_synthesized_from_the_space() {
    let directory = scratch("synthesized");
    let report = directory.join("report.json");
    let output = genie_opt_in(
        &directory,
        &[
            "evaluate",
            "--sandbox",
            &text(&retail()),
            "--json",
            &text(&report),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("synthesized"),
        "says the questions are synthesized: {}",
        stderr(&output)
    );
    let report = read_json(&report);
    assert!(
        report["total_questions"].as_u64().unwrap() >= 10,
        "{}",
        report["total_questions"]
    );
    let run = std::fs::read_dir(directory.join("genie-opt-runs/runs"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let run = read_json(&run.join("run.json"));
    assert_eq!(run["inputs"][0]["source"], "synthesized from the space");
}

/// Every file under `directory`, recursively.
fn files_under(directory: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(directory).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

#[test]
fn a_databricks_session_logs_and_writes_no_token() {
    const SECRET: &str = "dapi-5ec7e7-orchestrator-session";
    let (_server, url) = sandbox_process(SECRET);

    let directory = scratch("secrets");
    let space_id = genie_sandbox::fixture::production_space_id("retail");
    let output = Command::new(env!("CARGO_BIN_EXE_genie-opt"))
        .args([
            "evaluate",
            "--space-id",
            &space_id,
            "--benchmarks",
            &text(&retail().join("benchmarks.yaml")),
            "--scope",
            "p0",
            "--qpm",
            "600",
            "--json",
            &text(&directory.join("report.json")),
            "--junit",
            &text(&directory.join("report.xml")),
        ])
        .current_dir(&directory)
        .env_remove("MLFLOW_TRACKING_URI")
        .env("HOME", &directory)
        .env("DATABRICKS_HOST", &url)
        .env("DATABRICKS_TOKEN", SECRET)
        .env("GENIE_OPT_LOG", "trace")
        .output()
        .expect("genie-opt runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("TRACE"), "logged at TRACE");
    assert!(!stdout(&output).contains(SECRET), "the token is on stdout");
    assert!(
        !stderr(&output).contains(SECRET),
        "the token is in a log line"
    );
    let written = files_under(&directory);
    assert!(
        written.len() >= 8,
        "report, JUnit, artifacts, run files: {written:?}"
    );
    for path in written {
        let content = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        assert!(
            !content.contains(SECRET),
            "the token is in {}",
            path.display()
        );
    }
    let report = read_json(&directory.join("report.json"));
    assert_eq!(report["total_questions"], 8);
}

#[test]
fn official_judges_run_on_a_temporary_copy_and_leave_production_alone() {
    const TOKEN: &str = "dapi-official-judges";
    let (_server, url) = sandbox_process(TOKEN);
    let directory = scratch("official");
    let space_id = genie_sandbox::fixture::production_space_id("retail");
    let output = Command::new(env!("CARGO_BIN_EXE_genie-opt"))
        .args([
            "evaluate",
            "--space-id",
            &space_id,
            "--benchmarks",
            &text(&retail().join("benchmarks.yaml")),
            "--scope",
            "p0",
            "--judges",
            "official",
            "--qpm",
            "600",
            "--json",
            &text(&directory.join("report.json")),
        ])
        .current_dir(&directory)
        .env_remove("MLFLOW_TRACKING_URI")
        .env("HOME", &directory)
        .env("DATABRICKS_HOST", &url)
        .env("DATABRICKS_TOKEN", TOKEN)
        .output()
        .expect("genie-opt runs");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report = read_json(&directory.join("report.json"));
    assert_eq!(report["total_questions"], 8);
    for row in report["rows"].as_array().unwrap() {
        let verdict = row["verdicts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|verdict| verdict["judge"] == "result_correctness")
            .expect("a result verdict");
        assert_eq!(verdict["source"]["kind"], "official", "{verdict}");
    }

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (spaces, audit) = runtime.block_on(async {
        let client = crate::http();
        let get = |path: &str| client.get(format!("{url}{path}")).bearer_auth(TOKEN).send();
        let spaces: Value = get("/api/2.0/genie/spaces")
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let audit: Value = get("/sandbox/audit").await.unwrap().json().await.unwrap();
        (spaces, audit)
    });
    let listed: Vec<&str> = spaces["spaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|space| space["space_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        [space_id.as_str()],
        "the temporary copy was trashed"
    );
    let events = audit["events"].as_array().unwrap();
    let writes_to_production = events.iter().filter(|event| {
        event["space_id"] == space_id.as_str()
            && matches!(event["method"].as_str(), Some("PATCH" | "DELETE" | "POST"))
            && !event["path"]
                .as_str()
                .unwrap_or_default()
                .contains("conversation")
    });
    assert_eq!(
        writes_to_production.count(),
        0,
        "production was written: {audit}"
    );
}

/// An OpenAI-compatible chat server on 127.0.0.1 whose model always sides with Genie;
/// returns its base URL and a counter of the completions it served.
fn agreeable_model() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{BufRead as _, BufReader, Read as _, Write as _};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let served = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&served);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let counter = std::sync::Arc::clone(&counter);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut length = 0;
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
                    return;
                }
                loop {
                    let mut header = String::new();
                    reader.read_line(&mut header).unwrap();
                    if header.trim().is_empty() {
                        break;
                    }
                    if let Some((name, value)) = header.split_once(':')
                        && name.eq_ignore_ascii_case("content-length")
                    {
                        length = value.trim().parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                let content = if String::from_utf8_lossy(&body).contains("arbiter") {
                    counter.fetch_add(1, Ordering::Relaxed);
                    r#"{"decision": "genie_correct", "rationale": "the question does not ask for the reference's extra filter"}"#
                } else {
                    "I cannot judge this."
                };
                let answer = serde_json::json!({
                    "choices": [{"message": {"role": "assistant", "content": content}}],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 5},
                })
                .to_string();
                let mut stream = stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                    answer.len()
                );
            });
        }
    });
    (format!("http://{address}/v1"), served)
}

#[test]
fn arbiter_corrections_become_a_new_benchmark_version_beside_the_original() {
    let (model, served) = agreeable_model();
    let directory = scratch("corrections");
    let original = directory.join("benchmarks.yaml");
    let text_before = std::fs::read_to_string(retail().join("benchmarks.yaml")).unwrap();
    std::fs::write(&original, &text_before).unwrap();
    let output = genie_opt_in(
        &directory,
        &[
            "evaluate",
            "--sandbox",
            &text(&retail()),
            "--benchmarks",
            &text(&original),
            "--scope",
            "p0",
            "--judges",
            "llm",
            "--llm-base-url",
            &model,
            "--llm-model",
            "agreeable",
            "--json",
            &text(&directory.join("report.json")),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        served.load(std::sync::atomic::Ordering::Relaxed) >= 3,
        "the arbiter asked the model"
    );
    let corrected = directory.join("benchmarks.v2.yaml");
    assert!(
        stdout(&output).contains("benchmarks.v2.yaml"),
        "{}",
        stdout(&output)
    );
    assert_eq!(
        std::fs::read_to_string(&original).unwrap(),
        text_before,
        "the original is untouched"
    );
    let version: genie_core::benchmark::BenchmarkFile =
        genie_core::benchmark::parse_benchmark_file(
            "benchmarks.v2.yaml",
            &std::fs::read_to_string(&corrected).unwrap(),
        )
        .expect("the corrected file parses");
    let report = read_json(&directory.join("report.json"));
    let original_file =
        genie_core::benchmark::parse_benchmark_file("benchmarks.yaml", &text_before).unwrap();
    let mut changed = 0;
    for benchmark in &version.benchmarks {
        let before = original_file
            .benchmarks
            .iter()
            .find(|old| old.id == benchmark.id)
            .unwrap();
        // The new version holds resolved SQL (the file's catalog `main`, schema `retail`).
        let resolved = before
            .expected_sql
            .replace("${catalog}", "main")
            .replace("${gold_schema}", "retail");
        if resolved.trim() == benchmark.expected_sql.trim() {
            continue;
        }
        changed += 1;
        let row = report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|row| row["id"] == benchmark.id.as_str())
            .expect("only questions in scope are corrected");
        assert_eq!(row["arbiter"]["decision"], "genie_correct", "{row}");
        assert_eq!(
            benchmark.expected_sql.trim(),
            row["genie_sql"].as_str().unwrap().trim()
        );
    }
    assert!(
        changed >= 3,
        "at least three ground truths corrected, got {changed}"
    );
}

#[test]
fn compare_tells_an_improvement_from_a_regression() {
    let improved_space = text(&retail().join("space_improved.json"));
    let (weak_dir, output) = evaluate("compare-weak", &[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let (improved_dir, output) = evaluate("compare-improved", &["--space-file", &improved_space]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let weak = text(&weak_dir.join("report.json"));
    let improved = text(&improved_dir.join("report.json"));
    let comparison = weak_dir.join("comparison.json");

    let output = genie_opt_in(
        &weak_dir,
        &[
            "compare",
            &weak,
            &improved,
            "--json",
            &text(&comparison),
            "--fail-on-regression",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("an improvement"),
        "{}",
        stdout(&output)
    );
    let comparison = read_json(&comparison);
    let weak_report = read_json(&weak_dir.join("report.json"));
    let wrong_before =
        weak_report["scored"].as_u64().unwrap() - weak_report["correct_count"].as_u64().unwrap();
    assert_eq!(
        comparison["fixed"], wrong_before,
        "every wrong answer fixed"
    );
    assert_eq!(comparison["broken"], 0);
    assert!(comparison["p_value"].as_f64().unwrap() < 1e-6);

    let output = genie_opt_in(
        &weak_dir,
        &["compare", &improved, &weak, "--fail-on-regression"],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("a regression"),
        "{}",
        stdout(&output)
    );

    let output = genie_opt_in(
        &weak_dir,
        &["compare", &weak, &text(&retail().join("benchmarks.yaml"))],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("benchmarks.yaml` is not an evaluation report"),
        "{}",
        stderr(&output)
    );
}
