//! The guard against calibrating the simulator (or the evaluator) on the fixtures: no
//! table name, column name or stored string value of any fixture, and no word of any
//! phrasing corpus, appears in their non-test source — code or comments — unless it
//! is general English listed, with its reason, in `general_english.txt`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use genie_sandbox::engine::Engine;
use genie_sandbox::simulator::Catalog;

/// The source the guard reads: the simulator and the evaluator, tests excluded.
const GUARDED: [&str; 2] = [
    "crates/genie-sandbox/src/simulator",
    "crates/genie-evaluator/src",
];

/// The documented allowlist: general English, Rust, SQL and Genie words.
const GENERAL_ENGLISH: &str = include_str!("general_english.txt");

/// Every fixture term found in guarded source, as `file:line: term (where it comes from)`.
pub(super) fn fixture_words(root: &Path) -> anyhow::Result<Vec<String>> {
    let terms = fixture_terms(root)?;
    let allowed: BTreeSet<&str> = GENERAL_ENGLISH
        .lines()
        .map(|line| line.split('#').next().unwrap_or_default().trim())
        .filter(|word| !word.is_empty())
        .collect();
    let mut violations = Vec::new();
    for path in guarded_files(root)? {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read `{}`", path.display()))?;
        let relative = relative_path(root, &path);
        for (number, line) in non_test_lines(&text) {
            let words = line_words(line);
            let phrase = format!(" {} ", words.join(" "));
            let mut found = BTreeSet::new();
            for word in identifiers(line).into_iter().chain(words.iter().cloned()) {
                if terms.contains_key(&word) && !allowed.contains(word.as_str()) {
                    found.insert(word);
                }
            }
            for term in terms.keys() {
                if term.contains(' ') && phrase.contains(&format!(" {term} ")) {
                    found.insert(term.clone());
                }
            }
            for term in found {
                violations.push(format!(
                    "{relative}:{number}: `{term}` ({}) is a fixture or corpus word; the simulator and evaluator must not name one (general English goes in xtask/src/tidy/general_english.txt)",
                    terms[&term]
                ));
            }
        }
    }
    Ok(violations)
}

/// Table and column names, stored string values and corpus words, each with where it
/// comes from.
fn fixture_terms(root: &Path) -> anyhow::Result<BTreeMap<String, String>> {
    let mut terms: BTreeMap<String, String> = BTreeMap::new();
    let mut add = |term: String, origin: String| {
        if term.chars().filter(char::is_ascii_alphabetic).count() >= 2 {
            terms.entry(term).or_insert(origin);
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .context("cannot start a tokio runtime")?;
    for entry in std::fs::read_dir(root.join("fixtures"))? {
        let directory = entry?.path();
        let schema = directory.join("schema.sql");
        if !schema.is_file() {
            continue;
        }
        let name = directory
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let catalog = runtime.block_on(async {
            let engine = Engine::from_schema_file(&schema).await?;
            Catalog::load(&engine).await
        });
        let catalog = catalog.with_context(|| format!("cannot load `{}`", schema.display()))?;
        for table in catalog.tables() {
            add(
                table.short_name().to_lowercase(),
                format!("table of fixtures/{name}"),
            );
            for column in &table.columns {
                add(
                    column.name.to_lowercase(),
                    format!("column of fixtures/{name}"),
                );
                for value in &column.values {
                    let words = line_words(value);
                    if !words.is_empty()
                        && words
                            .iter()
                            .all(|word| !word.chars().all(|c| c.is_ascii_digit()))
                    {
                        add(words.join(" "), format!("stored value of fixtures/{name}"));
                    }
                }
            }
        }
        for function in catalog.functions() {
            let short = function.name.rsplit('.').next().unwrap_or_default();
            add(short.to_owned(), format!("function of fixtures/{name}"));
            for column in function.parameters.iter().chain(&function.returns) {
                add(
                    column.name.to_lowercase(),
                    format!("function column of fixtures/{name}"),
                );
            }
        }
    }
    for path in corpus_files(root)? {
        let text = std::fs::read_to_string(&path)?;
        let relative = relative_path(root, &path);
        for line in text.lines() {
            if let Some((_, phrasing)) = line.split_once("text:") {
                for word in line_words(phrasing) {
                    add(word, relative.clone());
                }
            }
        }
    }
    Ok(terms)
}

/// `path` relative to the workspace root, for messages.
fn relative_path(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

fn corpus_files(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for directory in [
        root.join("fixtures/corpus"),
        root.join("fixtures/corpus/dev"),
    ] {
        for entry in std::fs::read_dir(&directory)? {
            let path = entry?.path();
            if path
                .extension()
                .is_some_and(|extension| extension == "yaml")
            {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The `.rs` files under the guarded directories that are not test modules.
fn guarded_files(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut pending: Vec<PathBuf> = GUARDED.iter().map(|dir| root.join(dir)).collect();
    while let Some(directory) = pending.pop() {
        for entry in std::fs::read_dir(&directory)
            .with_context(|| format!("cannot read `{}`", directory.display()))?
        {
            let path = entry?.path();
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                if name != "tests" {
                    pending.push(path);
                }
            } else if path.extension().is_some_and(|extension| extension == "rs")
                && name != "tests.rs"
                && !name.ends_with("_tests.rs")
            {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The numbered lines before the file's first `#[cfg(test)]`.
fn non_test_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .take_while(|(_, line)| line.trim() != "#[cfg(test)]")
        .map(|(index, line)| (index + 1, line))
}

/// The line's identifiers, lowercased, underscores kept (`order_date`).
fn identifiers(line: &str) -> Vec<String> {
    line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|token| token.contains('_'))
        .map(|token| token.trim_matches('_').to_ascii_lowercase())
        .collect()
}

/// The line's words, lowercased: split at anything not a letter or digit, at
/// underscores and at lower-to-upper case changes (`camelCase`).
fn line_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in line.chars() {
        if c.is_alphanumeric() {
            if c.is_uppercase() && previous_lower && !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = c.is_lowercase();
            current.extend(c.to_lowercase());
        } else {
            previous_lower = false;
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// The simulator's tests that quote a benchmark question or a corpus phrasing: a
/// simulator tested on the questions it is measured with is calibrated on them.
pub(super) fn quoted_questions(root: &Path) -> anyhow::Result<Vec<String>> {
    let mut questions: Vec<(String, String)> = Vec::new();
    for entry in std::fs::read_dir(root.join("fixtures"))? {
        let path = entry?.path().join("benchmarks.yaml");
        if let Ok(text) = std::fs::read_to_string(&path) {
            let relative = relative_path(root, &path);
            questions.extend(quoted_fields(&text, "question:").map(|q| (q, relative.clone())));
        }
    }
    for path in corpus_files(root)? {
        let text = std::fs::read_to_string(&path)?;
        let relative = relative_path(root, &path);
        questions.extend(quoted_fields(&text, "text:").map(|q| (q, relative.clone())));
    }
    let questions: Vec<(String, String)> = questions
        .into_iter()
        .map(|(question, origin)| (format!(" {} ", line_words(&question).join(" ")), origin))
        .filter(|(question, _)| question.split_whitespace().count() >= 3)
        .collect();
    let mut files: Vec<(PathBuf, bool)> = Vec::new();
    for path in guarded_files(root)? {
        if path.starts_with(root.join(GUARDED[0])) {
            files.push((path, false));
        }
    }
    let simulator_tests = [
        root.join("crates/genie-sandbox/src/simulator/property_tests.rs"),
        root.join("crates/genie-sandbox/tests/it"),
    ];
    for entry in std::fs::read_dir(&simulator_tests[1])? {
        let path = entry?.path();
        if path
            .file_name()
            .is_some_and(|name| name.to_string_lossy().starts_with("simulator"))
        {
            files.push((path, true));
        }
    }
    files.push((simulator_tests[0].clone(), true));
    let mut violations = Vec::new();
    for (path, whole) in files {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read `{}`", path.display()))?;
        let relative = relative_path(root, &path);
        let tests_from = if whole {
            0
        } else {
            text.lines()
                .position(|line| line.trim() == "#[cfg(test)]")
                .unwrap_or(usize::MAX)
        };
        for (index, line) in text.lines().enumerate().skip(tests_from) {
            let words = format!(" {} ", line_words(line).join(" "));
            let literals: Vec<Vec<String>> =
                line.split('"').skip(1).step_by(2).map(line_words).collect();
            for (question, origin) in &questions {
                let question_words: Vec<String> =
                    question.split_whitespace().map(str::to_owned).collect();
                let similar = literals.iter().any(|literal| {
                    genie_core::contamination::question_similarity(&question_words, literal)
                        .is_some()
                });
                if words.contains(question.as_str()) || similar {
                    violations.push(format!(
                        "{relative}:{}: quotes a question of {origin} ({}); the simulator's tests use their own questions",
                        index + 1,
                        question.trim()
                    ));
                }
            }
        }
    }
    Ok(violations)
}

/// The values of `key` lines (`question: "…"`, `{form: x, text: "…"}`).
fn quoted_fields<'t>(text: &'t str, key: &'t str) -> impl Iterator<Item = String> + 't {
    text.lines().filter_map(move |line| {
        let (_, rest) = line.split_once(key)?;
        let rest = rest.trim().trim_end_matches('}').trim();
        Some(rest.trim_matches(|c| c == '"' || c == '\'').to_owned())
    })
}
