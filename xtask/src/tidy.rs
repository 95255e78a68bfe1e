//! `cargo xtask tidy`: the repository's structural rules, checked from
//! `cargo metadata` and the files themselves. Every rule also runs as a test, so
//! `cargo test --workspace` fails on any violation.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};
use serde_json::Value;

use crate::ci::cargo;

mod fixture_words;

/// Workspace crates that only genie-orchestrator and xtask may depend on.
const WORKERS: [&str; 4] = [
    "genie-generator",
    "genie-evaluator",
    "genie-optimizer",
    "genie-applier",
];
/// Backends: implement genie-core's port traits.
const BACKENDS: [&str; 3] = ["genie-databricks", "genie-mlflow", "genie-sandbox"];
/// Crates whose normal dependencies must never include these (genie-core does no I/O;
/// the SQL engine stays inside the sandbox).
const CORE_FORBIDDEN: [&str; 6] = ["tokio", "reqwest", "hyper", "axum", "datafusion", "mio"];

/// Runs every rule and reports all violations at once.
pub(crate) fn run() -> anyhow::Result<()> {
    let violations = check_all()?;
    if violations.is_empty() {
        #[expect(clippy::print_stdout, reason = "tidy's report")]
        {
            println!("tidy: ok");
        }
        return Ok(());
    }
    bail!(
        "{} violation(s):\n{}",
        violations.len(),
        violations.join("\n")
    )
}

fn check_all() -> anyhow::Result<Vec<String>> {
    let metadata = Metadata::load()?;
    let mut violations = Vec::new();
    violations.extend(dependency_direction(&metadata));
    violations.extend(core_is_io_free(&metadata));
    violations.extend(manifests(&metadata)?);
    violations.extend(architecture_sections(&metadata)?);
    violations.extend(module_docs(&metadata.root)?);
    violations.extend(rules_document(&metadata.root)?);
    violations.extend(frozen_corpus(&metadata.root)?);
    violations.extend(fixture_words::fixture_words(&metadata.root)?);
    violations.extend(fixture_words::quoted_questions(&metadata.root)?);
    Ok(violations)
}

/// Where `docs/space-files.md` lists the validation rules.
const RULES_START: &str = "<!-- rules:start -->\n";
const RULES_END: &str = "<!-- rules:end -->";

/// The rules block `docs/space-files.md` must hold: one bullet per rule of
/// genie-core's validation catalogue.
fn rules_block() -> String {
    genie_core::space::validation_rules().fold(String::new(), |mut block, rule| {
        writeln!(block, "- {rule}").expect("writing to a String cannot fail");
        block
    })
}

/// Every file `fixtures/corpus/FROZEN` lists still has the SHA-256 it was frozen with.
fn frozen_corpus(root: &Path) -> anyhow::Result<Vec<String>> {
    let dir = root.join("fixtures/corpus");
    let listing = std::fs::read_to_string(dir.join("FROZEN"))
        .context("cannot read fixtures/corpus/FROZEN")?;
    let mut violations = Vec::new();
    for line in listing
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
    {
        let Some((hash, name)) = line.split_once("  ") else {
            violations.push(format!("fixtures/corpus/FROZEN: malformed line `{line}`"));
            continue;
        };
        let content = std::fs::read(dir.join(name))
            .with_context(|| format!("cannot read frozen corpus file {name}"))?;
        let actual = genie_core::canonical::ContentHash::of_bytes(&content);
        if actual.as_str() != hash {
            violations.push(format!(
                "fixtures/corpus/{name} changed after it was frozen (SHA-256 {actual}, frozen as {hash}); the frozen corpus is never edited"
            ));
        }
    }
    Ok(violations)
}

/// `docs/space-files.md` lists exactly the rules `validate` applies.
fn rules_document(root: &Path) -> anyhow::Result<Vec<String>> {
    let path = root.join("docs/space-files.md");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read `{}`", path.display()))?;
    let listed = text
        .split_once(RULES_START)
        .and_then(|(_, rest)| rest.split_once(RULES_END))
        .map(|(block, _)| block);
    Ok(match listed {
        Some(block) if block == rules_block() => Vec::new(),
        Some(_) => vec!["docs/space-files.md: the validation rules differ from the code; run `cargo xtask codegen`".to_owned()],
        None => vec![format!("docs/space-files.md: no `{}` … `{RULES_END}` block", RULES_START.trim_end())],
    })
}

/// Rewrites the generated block of `docs/space-files.md`.
pub(crate) fn codegen() -> anyhow::Result<()> {
    let path = crate::workspace_root().join("docs/space-files.md");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read `{}`", path.display()))?;
    let (head, rest) = text
        .split_once(RULES_START)
        .context("no rules block start")?;
    let (_, tail) = rest.split_once(RULES_END).context("no rules block end")?;
    let updated = format!("{head}{RULES_START}{}{RULES_END}{tail}", rules_block());
    if updated != text {
        std::fs::write(&path, updated)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    Ok(())
}

/// A declared dependency: its name and kind (`None` = normal, `dev`, `build`).
type Dependency = (String, Option<String>);

/// What `cargo metadata` tells about the workspace.
struct Metadata {
    root: PathBuf,
    /// Workspace packages: name → (manifest path, dependencies).
    packages: BTreeMap<String, (PathBuf, Vec<Dependency>)>,
    /// Resolved graph: package id → (name, normal dependency ids).
    graph: BTreeMap<String, (String, Vec<String>)>,
    /// Package name → id, for workspace members.
    member_ids: BTreeMap<String, String>,
}

impl Metadata {
    fn load() -> anyhow::Result<Self> {
        let root = crate::workspace_root();
        // Only this platform's packages: the others (android, wasm, windows crates of
        // the engine's dependencies) are never downloaded, and tidy must work offline.
        let host = host_triple()?;
        let output = Command::new(cargo())
            .args([
                "metadata",
                "--format-version",
                "1",
                "--locked",
                "--offline",
                "--filter-platform",
                &host,
            ])
            .current_dir(&root)
            .output()
            .context("cannot run cargo metadata")?;
        if !output.status.success() {
            bail!(
                "cargo metadata failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let json: Value =
            serde_json::from_slice(&output.stdout).context("cargo metadata's JSON")?;
        let members: BTreeSet<&str> = json["workspace_members"]
            .as_array()
            .context("workspace_members")?
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let mut packages = BTreeMap::new();
        let mut member_ids = BTreeMap::new();
        let mut names = BTreeMap::new();
        for package in json["packages"].as_array().context("packages")? {
            let id = package["id"].as_str().unwrap_or_default().to_owned();
            let name = package["name"].as_str().unwrap_or_default().to_owned();
            names.insert(id.clone(), name.clone());
            if !members.contains(id.as_str()) {
                continue;
            }
            let dependencies = package["dependencies"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|d| {
                    (
                        d["name"].as_str().unwrap_or_default().to_owned(),
                        d["kind"].as_str().map(str::to_owned),
                    )
                })
                .collect();
            let manifest = PathBuf::from(package["manifest_path"].as_str().unwrap_or_default());
            packages.insert(name.clone(), (manifest, dependencies));
            member_ids.insert(name, id);
        }
        let mut graph = BTreeMap::new();
        for node in json["resolve"]["nodes"]
            .as_array()
            .context("resolve.nodes")?
        {
            let id = node["id"].as_str().unwrap_or_default().to_owned();
            let normal = node["deps"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|dep| {
                    dep["dep_kinds"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|k| k["kind"].is_null())
                })
                .filter_map(|dep| dep["pkg"].as_str().map(str::to_owned))
                .collect();
            let name = names.get(&id).cloned().unwrap_or_default();
            graph.insert(id, (name, normal));
        }
        Ok(Self {
            root,
            packages,
            graph,
            member_ids,
        })
    }
}

/// The host's target triple, as `rustc -vV` reports it.
fn host_triple() -> anyhow::Result<String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let output = Command::new(rustc)
        .arg("-vV")
        .output()
        .context("cannot run rustc")?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(str::to_owned)
        .context("`rustc -vV` printed no host line")
}

/// Which workspace crates a crate may depend on: (normal/build, dev).
fn allowed(package: &str) -> Option<(Vec<&'static str>, Vec<&'static str>)> {
    if package == "genie-core" {
        return Some((Vec::new(), Vec::new()));
    }
    if WORKERS.contains(&package) || BACKENDS.contains(&package) {
        // Tests may run against the sandbox and the real clients.
        let dev = if package == "genie-sandbox" {
            vec!["genie-core"]
        } else {
            vec![
                "genie-core",
                "genie-sandbox",
                "genie-databricks",
                "genie-mlflow",
            ]
        };
        return Some((vec!["genie-core"], dev));
    }
    None // genie-orchestrator and xtask see everything.
}

/// Workers and backends depend on genie-core only; genie-core on no workspace crate.
fn dependency_direction(metadata: &Metadata) -> Vec<String> {
    let workspace: BTreeSet<&str> = metadata.packages.keys().map(String::as_str).collect();
    let mut violations = Vec::new();
    for (package, (_, dependencies)) in &metadata.packages {
        let Some((normal, dev)) = allowed(package) else {
            continue;
        };
        for (dependency, kind) in dependencies {
            if !workspace.contains(dependency.as_str()) || dependency == package {
                continue;
            }
            let permitted = if kind.as_deref() == Some("dev") {
                &dev
            } else {
                &normal
            };
            if !permitted.contains(&dependency.as_str()) {
                violations.push(format!(
                    "dependency direction: `{package}` may not depend on `{dependency}`{}",
                    if kind.as_deref() == Some("dev") {
                        " (dev)"
                    } else {
                        ""
                    }
                ));
            }
        }
    }
    violations
}

/// genie-core's normal dependency closure holds no runtime, HTTP or SQL engine.
fn core_is_io_free(metadata: &Metadata) -> Vec<String> {
    let Some(core) = metadata.member_ids.get("genie-core") else {
        return vec!["genie-core is missing".to_owned()];
    };
    let mut seen = BTreeSet::new();
    let mut stack = vec![core.clone()];
    let mut violations = Vec::new();
    while let Some(id) = stack.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        let Some((name, dependencies)) = metadata.graph.get(&id) else {
            continue;
        };
        if CORE_FORBIDDEN.contains(&name.as_str()) {
            violations.push(format!(
                "genie-core does no I/O, but its dependencies include `{name}`"
            ));
        }
        stack.extend(dependencies.iter().cloned());
    }
    violations
}

/// Folder = package name; `[lints] workspace = true`; versions only in the root.
fn manifests(metadata: &Metadata) -> anyhow::Result<Vec<String>> {
    let mut violations = Vec::new();
    for (package, (manifest, _)) in &metadata.packages {
        if package == "core" {
            violations.push("no package may be called `core` (it shadows `::core`)".to_owned());
        }
        let folder = manifest
            .parent()
            .and_then(Path::file_name)
            .map(|f| f.to_string_lossy().into_owned());
        if folder.as_deref() != Some(package.as_str()) {
            violations.push(format!(
                "`{package}` lives in folder `{}`",
                folder.unwrap_or_default()
            ));
        }
        let text = std::fs::read_to_string(manifest)
            .with_context(|| format!("cannot read `{}`", manifest.display()))?;
        if !text.contains("[lints]\nworkspace = true") {
            violations.push(format!(
                "`{package}`: manifest lacks `[lints] workspace = true`"
            ));
        }
        let mut section = String::new();
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('[') {
                line.clone_into(&mut section);
                continue;
            }
            let is_dependency_table = section.ends_with("dependencies]");
            if is_dependency_table
                && !line.is_empty()
                && !line.starts_with('#')
                && !line.contains("workspace = true")
            {
                violations.push(format!(
                    "`{package}`: `{line}` — declare versions once in the root `[workspace.dependencies]`"
                ));
            }
        }
    }
    Ok(violations)
}

/// Every workspace crate has a section in ARCHITECTURE.md.
fn architecture_sections(metadata: &Metadata) -> anyhow::Result<Vec<String>> {
    let path = metadata.root.join("ARCHITECTURE.md");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read `{}`", path.display()))?;
    Ok(metadata
        .packages
        .keys()
        .filter(|package| !text.contains(&format!("### `{package}`")))
        .map(|package| format!("ARCHITECTURE.md has no section \"### `{package}`\""))
        .collect())
}

/// Every Rust file opens with a `//!` doc saying what it holds.
fn module_docs(root: &Path) -> anyhow::Result<Vec<String>> {
    let mut violations = Vec::new();
    let mut stack = vec![root.join("crates"), root.join("xtask")];
    while let Some(directory) = stack.pop() {
        for entry in std::fs::read_dir(&directory)
            .with_context(|| format!("cannot list `{}`", directory.display()))?
        {
            let path = entry?.path();
            if path.is_dir() {
                if path
                    .file_name()
                    .is_some_and(|n| n != "target" && n != "snapshots")
                {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path)?;
                if !text.trim_start().starts_with("//!") {
                    let shown = path.strip_prefix(root).unwrap_or(&path);
                    violations.push(format!(
                        "`{}` does not open with a `//!` doc",
                        shown.display()
                    ));
                }
            }
        }
    }
    violations.sort();
    Ok(violations)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_is_tidy() {
        let violations = check_all().unwrap();
        assert!(
            violations.is_empty(),
            "tidy violations:\n{}",
            violations.join("\n")
        );
    }

    #[test]
    fn direction_rules_reject_every_other_edge() {
        let dependency =
            |name: &str, kind: Option<&str>| (name.to_owned(), kind.map(str::to_owned));
        let package = |dependencies: Vec<Dependency>| (PathBuf::new(), dependencies);
        let metadata = Metadata {
            root: PathBuf::new(),
            packages: BTreeMap::from([
                (
                    "genie-core".to_owned(),
                    package(vec![dependency("serde", None)]),
                ),
                (
                    "genie-evaluator".to_owned(),
                    package(vec![
                        dependency("genie-core", None),
                        dependency("genie-generator", None),
                        dependency("genie-sandbox", Some("dev")),
                        dependency("genie-optimizer", Some("dev")),
                    ]),
                ),
                (
                    "genie-generator".to_owned(),
                    package(vec![dependency("genie-core", None)]),
                ),
                (
                    "genie-optimizer".to_owned(),
                    package(vec![dependency("genie-core", None)]),
                ),
                (
                    "genie-sandbox".to_owned(),
                    package(vec![dependency("genie-databricks", None)]),
                ),
                (
                    "genie-databricks".to_owned(),
                    package(vec![dependency("genie-core", None)]),
                ),
                (
                    "genie-orchestrator".to_owned(),
                    package(vec![
                        dependency("genie-evaluator", None),
                        dependency("genie-sandbox", None),
                    ]),
                ),
            ]),
            graph: BTreeMap::new(),
            member_ids: BTreeMap::new(),
        };
        assert_eq!(
            dependency_direction(&metadata),
            vec![
                "dependency direction: `genie-evaluator` may not depend on `genie-generator`"
                    .to_owned(),
                "dependency direction: `genie-evaluator` may not depend on `genie-optimizer` (dev)"
                    .to_owned(),
                "dependency direction: `genie-sandbox` may not depend on `genie-databricks`"
                    .to_owned(),
            ]
        );
    }

    #[test]
    fn core_closure_rejects_an_io_crate_reached_transitively() {
        let node = |name: &str, dependencies: &[&str]| {
            (
                name.to_owned(),
                dependencies.iter().map(|d| (*d).to_owned()).collect(),
            )
        };
        let metadata = Metadata {
            root: PathBuf::new(),
            packages: BTreeMap::new(),
            graph: BTreeMap::from([
                ("core-id".to_owned(), node("genie-core", &["helper-id"])),
                ("helper-id".to_owned(), node("some-helper", &["tokio-id"])),
                ("tokio-id".to_owned(), node("tokio", &[])),
            ]),
            member_ids: BTreeMap::from([("genie-core".to_owned(), "core-id".to_owned())]),
        };
        assert_eq!(
            core_is_io_free(&metadata),
            vec!["genie-core does no I/O, but its dependencies include `tokio`".to_owned()]
        );
    }
}
