//! `genie-opt optimize` as a user runs it: on the embedded sandbox (session, results,
//! reports, the routed calls), and against a sandbox in its own process (production
//! untouched in the audit, a finished session resumed without a repeated step, a
//! session refused for other benchmarks, a run killed mid-way and resumed ending at
//! the same config as an uninterrupted one).

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::{fixture, sandbox_process, scratch, stderr, stdout};

fn text(path: &Path) -> String {
    path.display().to_string()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("file written")).expect("JSON")
}

fn benchmarks() -> String {
    text(&fixture("retail").join("benchmarks.yaml"))
}

/// `genie-opt` in `directory` with a clean environment plus `env`.
fn command_in(directory: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_genie-opt"));
    command
        .args(args)
        .current_dir(directory)
        .env_remove("MLFLOW_TRACKING_URI")
        .env_remove("DATABRICKS_HOST")
        .env_remove("DATABRICKS_TOKEN")
        .env_remove("DATABRICKS_CONFIG_PROFILE")
        .env("HOME", directory);
    for (key, value) in env {
        command.env(key, value);
    }
    command
}

fn run_in(directory: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    command_in(directory, args, env)
        .output()
        .expect("genie-opt runs")
}

#[test]
fn the_embedded_run_writes_session_results_and_reports() {
    let directory = scratch("optimize-embedded");
    let out = directory.join("out");
    let output = run_in(
        &directory,
        &[
            "optimize",
            "--sandbox",
            &text(&fixture("retail")),
            "--benchmarks",
            &benchmarks(),
            "--max-iterations",
            "3",
            "--output-dir",
            &text(&out),
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("baseline: train"),
        "{}",
        stdout(&output)
    );

    let results = read_json(&out.join("results.json"));
    for side in ["baseline", "final"] {
        for key in ["train", "held_out", "overfitting_gap"] {
            assert!(results[side][key].is_number(), "{side}.{key}: {results}");
        }
        let gap =
            results[side]["train"].as_f64().unwrap() - results[side]["held_out"].as_f64().unwrap();
        assert!((results[side]["overfitting_gap"].as_f64().unwrap() - gap).abs() < 1e-9);
    }
    let baseline = results["baseline"]["train"].as_f64().unwrap();
    let last = results["final"]["train"].as_f64().unwrap();
    assert!(
        last >= baseline,
        "only improvements are kept: {baseline} -> {last}"
    );
    for key in [
        "genie_questions",
        "sql_statements",
        "llm_calls",
        "llm_tokens",
    ] {
        assert!(results[key].is_u64(), "{key}");
    }
    assert!(results["wall_seconds"].as_f64().unwrap() > 0.0);
    assert!(results["convergence_reason"].is_string());
    let iterations = results["iterations"].as_array().unwrap();
    assert!(
        !iterations.is_empty() && iterations.len() <= 3,
        "{iterations:?}"
    );
    for iteration in iterations {
        assert!((1..=6).contains(&iteration["lever"].as_u64().unwrap()));
        assert!(iteration["patches_kept"].is_u64() && iteration["patches_rolled_back"].is_u64());
    }
    // The per-step counts add up to the totals, and the estimate bounds them.
    let steps = results["steps"].as_array().unwrap();
    let asked: u64 = steps
        .iter()
        .map(|s| s["genie_questions"].as_u64().unwrap())
        .sum();
    assert_eq!(asked, results["genie_questions"].as_u64().unwrap());
    assert!(asked > 0 && asked <= results["estimate"]["genie_questions"].as_u64().unwrap());
    let production = results["dev_spaces"]["production"].as_str().unwrap();
    let best = results["dev_spaces"]["dev_best"].as_str().unwrap();
    let working = results["dev_spaces"]["dev_working"].as_str().unwrap();
    assert!(production != best && production != working && best != working);

    // The session: the seeds' schema, every routed call named by the table.
    let session = read_json(&out.join("optimization-progress.json"));
    for field in [
        "space_id",
        "iterations",
        "best_iteration",
        "lever_audit",
        "score_history",
    ] {
        assert!(session.get(field).is_some(), "missing `{field}`");
    }
    let calls = session["run"]["routed_calls"].as_array().unwrap();
    let routes = stdout(&run_in(&directory, &["routes"], &[]));
    for call in calls {
        let worker = call["worker"].as_str().unwrap();
        assert!(routes.contains(&format!("| {worker} |")), "{call}");
    }
    let situations: Vec<&str> = calls
        .iter()
        .map(|c| c["situation"].as_str().unwrap())
        .collect();
    for expected in [
        "need_benchmarks",
        "start_run",
        "full_evaluation",
        "below_target",
        "apply",
        "after_apply",
        "after_loop",
    ] {
        assert!(
            situations.contains(&expected),
            "no `{expected}` call: {situations:?}"
        );
    }

    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    for part in [
        "<svg id=\"accuracy-chart\"",
        "<table id=\"levers\"",
        "<table id=\"questions\"",
        "<table id=\"accounting\"",
        "overfitting gap",
    ] {
        assert!(html.contains(part), "report.html lacks {part}");
    }
    // Self-contained: no script, no linked or fetched resource.
    for external in ["<script", " src=", "href=", "<link", "url("] {
        assert!(!html.contains(external), "report.html has `{external}`");
    }
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("| lever | before | after |"));

    // `report --session` renders the same reports again.
    let again = directory.join("again");
    let output = run_in(
        &directory,
        &[
            "report",
            "--session",
            &text(&out.join("optimization-progress.json")),
            "--output-dir",
            &text(&again),
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        std::fs::read_to_string(again.join("report.md")).unwrap(),
        md
    );
    assert_eq!(
        std::fs::read_to_string(again.join("report.html")).unwrap(),
        html
    );

    // An unfinished-session guard does not stop a new run over a finished one, but
    // resuming the embedded sandbox is refused: its spaces ended with the process.
    let output = run_in(
        &directory,
        &[
            "optimize",
            "--sandbox",
            &text(&fixture("retail")),
            "--benchmarks",
            &benchmarks(),
            "--output-dir",
            &text(&out),
            "--resume",
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("genie-opt sandbox"),
        "{}",
        stderr(&output)
    );
}

/// The production space's id and the audit's mutating calls against it.
fn production_calls(url: &str, token: &str) -> Vec<Value> {
    let production = genie_sandbox::fixture::production_space_id("retail");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let audit: Value = runtime.block_on(async {
        crate::http()
            .get(format!("{url}/sandbox/audit"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    audit["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["event"] == "call" && e["space_id"] == production.as_str())
        .cloned()
        .collect()
}

fn optimize_args(out: &Path, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "optimize",
        "--space-id",
        &genie_sandbox::fixture::production_space_id("retail"),
        "--benchmarks",
        &benchmarks(),
        "--max-iterations",
        "3",
        "--qpm",
        "100000",
        "--output-dir",
        &text(out),
    ]
    .iter()
    .map(|a| (*a).to_owned())
    .collect();
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    args
}

/// What determines the final config: every patch set tried (by content hash, in
/// order), which were kept, and the best accuracy. (The config's own hash also covers
/// the ids new items get, which come from the clock at apply time, so two runs never
/// share it.)
fn final_fingerprint(out: &Path) -> Value {
    let session = read_json(&out.join("optimization-progress.json"));
    let outcomes: Vec<Value> = session["run"]["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            serde_json::json!([
                o["iteration"],
                o["lever"],
                o["patches_kept"],
                o["patches_rolled_back"]
            ])
        })
        .collect();
    serde_json::json!({
        "tried": session["run"]["tried"],
        "outcomes": outcomes,
        "best_iteration": session["best_iteration"],
        "best": session["best_overall_accuracy"],
    })
}

#[test]
fn against_a_workspace_production_stays_untouched_and_resume_repeats_nothing() {
    const TOKEN: &str = "dapi-optimize-resume";
    let (_server, url) = sandbox_process(TOKEN);
    let env = [
        ("DATABRICKS_HOST", url.as_str()),
        ("DATABRICKS_TOKEN", TOKEN),
    ];
    let directory = scratch("optimize-workspace");
    let out = directory.join("out");
    let args = optimize_args(&out, &[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = run_in(&directory, &args, &env);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        production_calls(&url, TOKEN).is_empty(),
        "production was written or asked"
    );
    let first = read_json(&out.join("results.json"));

    // Resuming a finished session repeats no step: not one more Genie question.
    let mut resumed = args.clone();
    resumed.push("--resume");
    let output = run_in(&directory, &resumed, &env);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let second = read_json(&out.join("results.json"));
    assert_eq!(second["genie_questions"], first["genie_questions"]);
    assert_eq!(second["iterations"], first["iterations"]);
    assert_eq!(second["final"], first["final"]);

    // Other benchmarks: refused, naming why.
    let changed = directory.join("changed.yaml");
    let original = std::fs::read_to_string(fixture("retail").join("benchmarks.yaml")).unwrap();
    std::fs::write(
        &changed,
        original.replacen("question:", "question: Please,", 1),
    )
    .unwrap();
    let mut other = resumed.clone();
    let position = other.iter().position(|a| *a == "--benchmarks").unwrap();
    let changed_text = text(&changed);
    other[position + 1] = &changed_text;
    let output = run_in(&directory, &other, &env);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("other benchmarks"),
        "{}",
        stderr(&output)
    );
    // And a new run over an unfinished session needs --resume.
    let session_path = out.join("optimization-progress.json");
    let mut session = read_json(&session_path);
    session["run"]["finished"] = Value::Bool(false);
    std::fs::write(&session_path, session.to_string()).unwrap();
    let output = run_in(&directory, &args, &env);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--resume"), "{}", stderr(&output));
}

/// Waits until the session file holds an applied, undecided iteration — the loop is
/// then in its third evaluation, the first slice gate — or fails after five minutes.
fn wait_for_the_third_evaluation(session: &Path) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_mins(5) {
        if let Ok(text) = std::fs::read_to_string(session)
            && let Ok(value) = serde_json::from_str::<Value>(&text)
            && !value["run"]["pending"]["apply_log"].is_null()
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    panic!("no iteration was ever applied");
}

#[test]
fn a_run_killed_mid_way_and_resumed_ends_like_an_uninterrupted_one() {
    const TOKEN: &str = "dapi-optimize-kill";
    let reference = {
        let (_server, url) = sandbox_process(TOKEN);
        let env = [
            ("DATABRICKS_HOST", url.as_str()),
            ("DATABRICKS_TOKEN", TOKEN),
        ];
        let directory = scratch("optimize-reference");
        let out = directory.join("out");
        let args = optimize_args(&out, &[]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = run_in(&directory, &args, &env);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        final_fingerprint(&out)
    };
    let (_server, url) = sandbox_process(TOKEN);
    let env = [
        ("DATABRICKS_HOST", url.as_str()),
        ("DATABRICKS_TOKEN", TOKEN),
    ];
    let directory = scratch("optimize-killed");
    let out = directory.join("out");
    let args = optimize_args(&out, &[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut child = command_in(&directory, &args, &env)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    wait_for_the_third_evaluation(&out.join("optimization-progress.json"));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let mut resumed = args.clone();
    resumed.push("--resume");
    let output = run_in(&directory, &resumed, &env);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(final_fingerprint(&out), reference);
    let session = read_json(&out.join("optimization-progress.json"));
    let names: Vec<&str> = session["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    let mut unique = names.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), names.len(), "a step ran twice: {names:?}");
    assert!(production_calls(&url, TOKEN).is_empty());
}

#[test]
fn routes_prints_the_table() {
    let output = run_in(&std::env::temp_dir(), &["routes"], &[]);
    assert_eq!(output.status.code(), Some(0));
    let table = stdout(&output);
    assert!(table.starts_with("| Situation | Worker | Inputs | Outputs |"));
    assert!(
        table.contains("| Gate fails or full eval regresses | applier | rollback(apply log) |")
    );
}
