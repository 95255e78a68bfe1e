//! Benchmarks: questions with ground-truth SQL, and their YAML file format.
//!
//! The file format is binding (other tools produce it):
//!
//! ```yaml
//! domain: retail                       # optional
//! catalog: main                        # values for ${catalog} / ${gold_schema}; optional
//! gold_schema: sales
//! benchmarks:
//!   - id: revenue_by_region            # unique, [a-z0-9_]+
//!     question: "What is total revenue by region?"
//!     expected_sql: |
//!       SELECT region, SUM(amount) AS revenue FROM ${catalog}.${gold_schema}.orders GROUP BY region
//!     expected_asset: TABLE            # TABLE | METRIC_VIEW | FUNCTION; default TABLE
//!     priority: P1                     # P0 | P1 | P2; default P1. P0 = must never regress
//!     split: train                     # train | held_out; default train
//!     category: aggregation            # free text; optional
//!     order_matters: false             # optional; default: true only when the SQL orders and limits
//! ```
//!
//! One optional key extends it: `source` (`user` | `synthesized` | `corrected`, default `user`),
//! so synthesized or corrected questions are never mixed silently with a user's own.
//!
//! [`parse_benchmark_file`] reads the text (the caller reads the file: this crate does no
//! I/O) and reports the first problem as a [`BenchmarkError`] naming the file, the line
//! and the field.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use crate::canonical::ContentHash;
use crate::sql;

/// Errors reading a benchmark file; each names the file, the line and the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {}{message}", field.as_ref().map(|f| format!("field `{f}`: ")).unwrap_or_default())]
pub struct BenchmarkError {
    /// The file name as the caller gave it.
    pub file: String,
    /// The 1-based line of the offending value (0 when the YAML gave no position).
    pub line: u64,
    /// The field path, e.g. `benchmarks[3].priority`, when the problem belongs to one.
    pub field: Option<String>,
    /// What is wrong, lowercase, values in backticks.
    pub message: String,
}

/// Which kind of asset the question should be answered from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AssetType {
    /// A table or view.
    #[default]
    Table,
    /// A Unity Catalog metric view (queried with `MEASURE()`).
    MetricView,
    /// A (table-valued) SQL function.
    Function,
}

/// How much a question matters. P0 questions must never regress.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub enum Priority {
    /// Must never regress: any P0 failure fails the gate.
    P0,
    /// Normal.
    #[default]
    P1,
    /// Nice to have.
    P2,
}

/// Whether a question is used to optimise (train) or only to check for overfitting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Split {
    /// Used by the optimizer.
    #[default]
    Train,
    /// Never shown to the optimizer; measures the overfitting gap.
    HeldOut,
}

/// Where a benchmark came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BenchmarkSource {
    /// Written by the user.
    #[default]
    User,
    /// Synthesised by the generator from the space's own metadata.
    Synthesized,
    /// A user question whose ground truth the arbiter corrected.
    Corrected,
}

/// One benchmark question with its ground truth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Benchmark {
    /// Unique id, `[a-z0-9_]+`.
    pub id: String,
    /// The question as a person asks it.
    pub question: String,
    /// The ground-truth SQL, possibly with `${catalog}` / `${gold_schema}` templates.
    pub expected_sql: String,
    /// The asset type that should answer it.
    pub expected_asset: AssetType,
    /// Priority (P0 must never regress).
    pub priority: Priority,
    /// Train or held-out split.
    pub split: Split,
    /// Free-text category (`aggregation`, `join`, `top_n`, …).
    pub category: Option<String>,
    /// Whether row order matters; `None` means "decide from the SQL" (ORDER BY and LIMIT).
    pub order_matters: Option<bool>,
    /// Where the question came from.
    pub source: BenchmarkSource,
    /// The 1-based line of the benchmark's `id` in its file (0 when not read from a file).
    pub line: u64,
}

/// A parsed benchmark file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BenchmarkFile {
    /// The domain (e.g. `retail`), used in names.
    pub domain: Option<String>,
    /// Value for `${catalog}`.
    pub catalog: Option<String>,
    /// Value for `${gold_schema}`.
    pub gold_schema: Option<String>,
    /// The benchmarks, in file order.
    pub benchmarks: Vec<Benchmark>,
}

/// A benchmark set as the generator hands it to the evaluator: resolved, validated
/// questions plus the dataset identity logged to the tracker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchmarkSet {
    /// Dataset name, e.g. `genie-retail-benchmarks-0a1b2c3d4e5f`.
    pub dataset_name: String,
    /// Hash of the benchmarks' canonical JSON (the dataset version).
    pub content_hash: ContentHash,
    /// The domain, when known.
    pub domain: Option<String>,
    /// The benchmarks, their SQL templates already resolved.
    pub benchmarks: Vec<Benchmark>,
    /// Questions left out of scoring, with why (invalid ground truth and the like).
    pub excluded: Vec<ExcludedBenchmark>,
}

impl BenchmarkSet {
    /// The set as a space's `benchmarks.questions` (for Genie's own eval runs): one
    /// question per benchmark with its expected SQL, each id the first 32 hex digits of
    /// the SHA-256 of the benchmark's id (stable across runs), sorted by id as the API
    /// requires.
    pub fn space_questions(&self) -> Vec<crate::space::BenchmarkQuestion> {
        let mut questions: Vec<_> = self
            .benchmarks
            .iter()
            .map(|benchmark| crate::space::BenchmarkQuestion {
                id: ContentHash::of_bytes(benchmark.id.as_bytes()).as_str()[..32].to_owned(),
                question: crate::space::TextLines::from_text(&benchmark.question),
                answer: Some(vec![crate::space::BenchmarkAnswer {
                    format: crate::space::SQL_ANSWER_FORMAT.to_owned(),
                    content: crate::space::TextLines::from_text(&benchmark.expected_sql),
                    extra: std::collections::BTreeMap::new(),
                }]),
                extra: std::collections::BTreeMap::new(),
            })
            .collect();
        questions.sort_by(|a, b| a.id.cmp(&b.id));
        questions
    }

    /// Builds a set, deriving its content hash and dataset name from the benchmarks.
    pub fn new(
        domain: Option<String>,
        benchmarks: Vec<Benchmark>,
        excluded: Vec<ExcludedBenchmark>,
    ) -> Self {
        let content_hash = ContentHash::of(&benchmarks);
        let dataset_name = format!(
            "genie-{}-benchmarks-{}",
            domain.as_deref().unwrap_or("space"),
            content_hash.short()
        );
        Self {
            dataset_name,
            content_hash,
            domain,
            benchmarks,
            excluded,
        }
    }
}

/// A benchmark left out of scoring, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExcludedBenchmark {
    /// The benchmark's id.
    pub id: String,
    /// Why it is excluded (e.g. the engine's error for an invalid ground truth).
    pub reason: String,
}

impl Benchmark {
    /// Whether row order matters when comparing results: the file's `order_matters`
    /// when given, else true exactly when the ground truth orders *and* limits its
    /// outermost query (a top-N). Template variables need not be resolved.
    pub fn order_matters(&self) -> bool {
        if let Some(explicit) = self.order_matters {
            return explicit;
        }
        // Only the query's shape matters here, so each `${name}` stands for itself.
        let mut placeholders = sql::TemplateVariables::default();
        for name in sql::template_variables(&self.expected_sql) {
            placeholders.insert(name.clone(), name);
        }
        sql::resolve_template(&self.expected_sql, &placeholders)
            .and_then(|resolved| sql::extract(&resolved))
            .is_ok_and(|facts| !facts.order_by.is_empty() && facts.limit.is_some())
    }
}

impl fmt::Display for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Train => "train",
            Self::HeldOut => "held_out",
        })
    }
}

/// The file as written, every value with its position.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    domain: Option<Spanned<String>>,
    catalog: Option<Spanned<String>>,
    gold_schema: Option<Spanned<String>>,
    benchmarks: Option<Spanned<Vec<RawBenchmark>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBenchmark {
    id: Spanned<String>,
    question: Spanned<String>,
    expected_sql: Spanned<String>,
    expected_asset: Option<Spanned<String>>,
    priority: Option<Spanned<String>>,
    split: Option<Spanned<String>>,
    category: Option<Spanned<String>>,
    order_matters: Option<Spanned<bool>>,
    source: Option<Spanned<String>>,
}

/// Parses a benchmark file's text. `file` is only used in error messages.
pub fn parse_benchmark_file(file: &str, text: &str) -> Result<BenchmarkFile, BenchmarkError> {
    let raw: RawFile =
        serde_saphyr::from_str(text).map_err(|error| yaml_error(file, text, &error))?;
    let error = |line: u64, field: String, message: String| BenchmarkError {
        file: file.to_owned(),
        line,
        field: Some(field),
        message,
    };
    let Some(raw_benchmarks) = raw.benchmarks else {
        return Err(BenchmarkError {
            file: file.to_owned(),
            line: 1,
            field: Some("benchmarks".to_owned()),
            message: "missing field `benchmarks`".to_owned(),
        });
    };
    if raw_benchmarks.value.is_empty() {
        return Err(error(
            raw_benchmarks.referenced.line(),
            "benchmarks".to_owned(),
            "the list is empty".to_owned(),
        ));
    }
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut benchmarks = Vec::with_capacity(raw_benchmarks.value.len());
    for (index, item) in raw_benchmarks.value.into_iter().enumerate() {
        let path = |field: &str| format!("benchmarks[{index}].{field}");
        let id = item.id.value.trim().to_owned();
        let id_line = item.id.referenced.line();
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(error(
                id_line,
                path("id"),
                format!("`{id}` is not a valid id: use lowercase letters, digits and `_`"),
            ));
        }
        if let Some(first_line) = seen.insert(id.clone(), id_line) {
            return Err(error(
                id_line,
                path("id"),
                format!("duplicate id `{id}` (first used on line {first_line})"),
            ));
        }
        for (field, value) in [
            ("question", &item.question),
            ("expected_sql", &item.expected_sql),
        ] {
            if value.value.trim().is_empty() {
                return Err(error(
                    value.referenced.line(),
                    path(field),
                    "is empty".to_owned(),
                ));
            }
        }
        let expected_asset = parse_choice(
            item.expected_asset.as_ref(),
            &[
                ("TABLE", AssetType::Table),
                ("METRIC_VIEW", AssetType::MetricView),
                ("FUNCTION", AssetType::Function),
            ],
        )
        .map_err(|(line, message)| error(line, path("expected_asset"), message))?;
        let priority = parse_choice(
            item.priority.as_ref(),
            &[
                ("P0", Priority::P0),
                ("P1", Priority::P1),
                ("P2", Priority::P2),
            ],
        )
        .map_err(|(line, message)| error(line, path("priority"), message))?;
        let split = parse_choice(
            item.split.as_ref(),
            &[("train", Split::Train), ("held_out", Split::HeldOut)],
        )
        .map_err(|(line, message)| error(line, path("split"), message))?;
        let source = parse_choice(
            item.source.as_ref(),
            &[
                ("user", BenchmarkSource::User),
                ("synthesized", BenchmarkSource::Synthesized),
                ("corrected", BenchmarkSource::Corrected),
            ],
        )
        .map_err(|(line, message)| error(line, path("source"), message))?;
        benchmarks.push(Benchmark {
            id,
            question: item.question.value.trim().to_owned(),
            expected_sql: item.expected_sql.value.trim().to_owned(),
            expected_asset,
            priority,
            split,
            category: item
                .category
                .map(|c| c.value.trim().to_owned())
                .filter(|c| !c.is_empty()),
            order_matters: item.order_matters.map(|o| o.value),
            source,
            line: id_line,
        });
    }
    Ok(BenchmarkFile {
        domain: raw.domain.map(|d| d.value),
        catalog: raw.catalog.map(|c| c.value),
        gold_schema: raw.gold_schema.map(|g| g.value),
        benchmarks,
    })
}

/// Maps an optional spanned string onto one of `choices`, or the default when absent.
fn parse_choice<T: Copy + Default>(
    value: Option<&Spanned<String>>,
    choices: &[(&str, T)],
) -> Result<T, (u64, String)> {
    let Some(value) = value else {
        return Ok(T::default());
    };
    let text = value.value.trim();
    choices
        .iter()
        .find(|(name, _)| *name == text)
        .map(|(_, choice)| *choice)
        .ok_or_else(|| {
            let allowed: Vec<String> = choices
                .iter()
                .map(|(name, _)| format!("`{name}`"))
                .collect();
            (
                value.referenced.line(),
                format!("`{text}` is not one of {}", allowed.join(", ")),
            )
        })
}

/// Turns a YAML or shape error into a [`BenchmarkError`], naming the field from
/// serde's message or, failing that, from the key written on the offending line.
fn yaml_error(file: &str, text: &str, error: &serde_saphyr::Error) -> BenchmarkError {
    let line = error.location().map_or(0, |location| location.line());
    let rendered = error.to_string();
    let first_line = rendered.lines().next().unwrap_or_default();
    // serde-saphyr prefixes "error: line L column C: "; the line is kept separately.
    let message = first_line
        .strip_prefix("error: ")
        .and_then(|rest| {
            rest.split_once(": ")
                .filter(|(at, _)| at.starts_with("line "))
        })
        .map_or(first_line, |(_, message)| message)
        .to_owned();
    let named = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|prefix| {
            let start = message.find(prefix)? + prefix.len();
            let end = message[start..].find('`')?;
            Some(message[start..start + end].to_owned())
        });
    let key = named.or_else(|| key_on_line(text, line));
    let field = key.map(|key| match benchmark_index_at(text, line) {
        Some(index) if key != "benchmarks" => format!("benchmarks[{index}].{key}"),
        _ => key,
    });
    BenchmarkError {
        file: file.to_owned(),
        line,
        field,
        message,
    }
}

/// The mapping key written on a 1-based `line`, if that line holds one.
fn key_on_line(text: &str, line: u64) -> Option<String> {
    let content = text
        .lines()
        .nth(usize::try_from(line.checked_sub(1)?).ok()?)?;
    let content = content.trim_start().trim_start_matches("- ").trim_start();
    let (key, _) = content.split_once(':')?;
    let key = key.trim();
    (!key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        .then(|| key.to_owned())
}

/// Which item of the `benchmarks:` list a 1-based `line` falls in, judged from the
/// list's `- ` markers (enough to name the field of a shape or syntax error).
fn benchmark_index_at(text: &str, line: u64) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines.iter().position(|l| l.trim_end() == "benchmarks:")?;
    let indent_of = |l: &str| l.len() - l.trim_start().len();
    let item_indent = lines[start + 1..]
        .iter()
        .find(|l| l.trim_start().starts_with("- "))
        .map(|l| indent_of(l))?;
    let end = usize::try_from(line).ok()?.min(lines.len());
    lines
        .get(start + 1..end)?
        .iter()
        .filter(|l| indent_of(l) == item_indent && l.trim_start().starts_with("- "))
        .count()
        .checked_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "\
domain: retail
catalog: main
gold_schema: sales
benchmarks:
  - id: revenue_by_region
    question: \"What is total revenue by region?\"
    expected_sql: |
      SELECT region, SUM(amount) AS revenue
      FROM ${catalog}.${gold_schema}.orders GROUP BY region
    priority: P0
    category: aggregation
  - id: top_customers
    question: Who are the top 5 customers by spend?
    expected_sql: SELECT customer_id FROM main.sales.orders ORDER BY amount DESC LIMIT 5
    split: held_out
    expected_asset: FUNCTION
    order_matters: true
";

    fn parse_error(text: &str) -> BenchmarkError {
        parse_benchmark_file("bench.yaml", text).expect_err("the file is broken")
    }

    #[test]
    fn parses_every_field_and_defaults() {
        let file = parse_benchmark_file("bench.yaml", GOOD).unwrap();
        assert_eq!(file.domain.as_deref(), Some("retail"));
        assert_eq!(file.gold_schema.as_deref(), Some("sales"));
        let [first, second] = file.benchmarks.as_slice() else {
            panic!("two benchmarks expected")
        };
        assert_eq!(first.id, "revenue_by_region");
        assert_eq!(first.priority, Priority::P0);
        assert_eq!(first.split, Split::Train);
        assert_eq!(first.expected_asset, AssetType::Table);
        assert_eq!(first.order_matters, None);
        assert_eq!(first.line, 5);
        assert!(first.expected_sql.ends_with("GROUP BY region"));
        assert_eq!(second.split, Split::HeldOut);
        assert_eq!(second.expected_asset, AssetType::Function);
        assert_eq!(second.priority, Priority::P1);
        assert_eq!(second.order_matters, Some(true));
        assert_eq!(second.line, 12);
    }

    #[test]
    fn a_set_becomes_valid_sorted_space_benchmark_questions() {
        let file = parse_benchmark_file("bench.yaml", GOOD).unwrap();
        let set = BenchmarkSet::new(None, file.benchmarks.clone(), Vec::new());
        let questions = set.space_questions();
        assert_eq!(questions.len(), file.benchmarks.len());
        assert!(questions.windows(2).all(|pair| pair[0].id < pair[1].id));
        assert!(questions.iter().all(|q| crate::space::is_valid_id(&q.id)));
        assert_eq!(set.space_questions(), questions, "stable ids");
        let mut config = crate::space::SpaceConfig::from_json(
            r#"{"version": 2, "data_sources": {"tables": [{"identifier": "main.sales.orders"}]}}"#,
        )
        .unwrap();
        *config.benchmark_questions_mut() = questions;
        let errors: Vec<_> = config
            .validate()
            .into_iter()
            .filter(|problem| problem.severity == crate::space::Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{errors:?}");
        let first = &file.benchmarks[0];
        let question = config
            .benchmark_questions()
            .iter()
            .find(|q| q.question.joined() == first.question)
            .unwrap();
        assert_eq!(
            question.answer_sql().as_deref(),
            Some(first.expected_sql.as_str())
        );
    }

    #[test]
    fn missing_field_names_file_line_and_field() {
        let error = parse_error("benchmarks:\n  - id: a\n    question: q\n");
        assert_eq!(error.file, "bench.yaml");
        assert_eq!(error.field.as_deref(), Some("benchmarks[0].expected_sql"));
        assert_eq!(error.line, 3, "{error}");
        assert_eq!(error.message, "missing field `expected_sql`");
        assert!(error.to_string().starts_with("bench.yaml:"), "{error}");
    }

    #[test]
    fn duplicate_id_points_at_the_second() {
        let error = parse_error(
            "benchmarks:\n  - id: a\n    question: q\n    expected_sql: SELECT 1\n  - id: a\n    question: r\n    expected_sql: SELECT 2\n",
        );
        assert_eq!(error.line, 5);
        assert_eq!(error.field.as_deref(), Some("benchmarks[1].id"));
        assert_eq!(error.message, "duplicate id `a` (first used on line 2)");
    }

    #[test]
    fn wrong_enum_names_the_field_and_the_choices() {
        let error = parse_error(
            "benchmarks:\n  - id: a\n    question: q\n    expected_sql: SELECT 1\n    priority: P3\n",
        );
        assert_eq!(error.line, 5);
        assert_eq!(error.field.as_deref(), Some("benchmarks[0].priority"));
        assert_eq!(error.message, "`P3` is not one of `P0`, `P1`, `P2`");
        assert_eq!(
            error.to_string(),
            "bench.yaml:5: field `benchmarks[0].priority`: `P3` is not one of `P0`, `P1`, `P2`"
        );
    }

    #[test]
    fn unknown_key_is_an_error() {
        let error = parse_error(
            "benchmarks:\n  - id: a\n    question: q\n    expected_sql: SELECT 1\n    prority: P0\n",
        );
        assert_eq!(error.field.as_deref(), Some("benchmarks[0].prority"));
        assert_eq!(error.line, 5, "{error}");
        assert!(
            error
                .message
                .starts_with("unknown field `prority`, expected one of"),
            "{error}"
        );
        let error = parse_error("benchmark:\n  - id: a\n");
        assert_eq!((error.line, error.field.as_deref()), (1, Some("benchmark")));
    }

    #[test]
    fn bad_yaml_names_the_line() {
        let error = parse_error(
            "benchmarks:\n  - id: a\n    question: q\n    expected_sql: x\n  - id: b\n    question: [unclosed\n    expected_sql: x\n",
        );
        assert_eq!(error.line, 6, "{error}");
        assert_eq!(error.field.as_deref(), Some("benchmarks[1].question"));
        assert_eq!(error.file, "bench.yaml");
        let error = parse_error(
            "benchmarks:\n  - id: a\n    question: q\n    expected_sql: x\n    order_matters: maybe\n",
        );
        assert_eq!(error.line, 5, "{error}");
        assert_eq!(error.field.as_deref(), Some("benchmarks[0].order_matters"));
        let error =
            parse_error("benchmarks:\n  - id: a\n    question: what: now\n    expected_sql: x\n");
        assert_eq!(error.line, 3, "{error}");
        assert_eq!(error.field.as_deref(), Some("benchmarks[0].question"));
    }

    #[test]
    fn bad_id_and_empty_sql_are_errors() {
        let error = parse_error(
            "benchmarks:\n  - id: Revenue-1\n    question: q\n    expected_sql: SELECT 1\n",
        );
        assert_eq!(error.field.as_deref(), Some("benchmarks[0].id"));
        let error =
            parse_error("benchmarks:\n  - id: a\n    question: q\n    expected_sql: \"  \"\n");
        assert_eq!(error.field.as_deref(), Some("benchmarks[0].expected_sql"));
        assert_eq!(error.line, 4);
    }

    #[test]
    fn order_matters_defaults_to_top_n_queries() {
        let file = parse_benchmark_file("bench.yaml", GOOD).unwrap();
        let mut benchmark = file.benchmarks[0].clone();
        assert!(
            !benchmark.order_matters(),
            "GROUP BY without ORDER BY/LIMIT"
        );
        benchmark.expected_sql =
            "SELECT region FROM ${catalog}.${gold_schema}.orders ORDER BY amount DESC LIMIT 3"
                .to_owned();
        assert!(benchmark.order_matters());
        benchmark.expected_sql =
            "SELECT region FROM ${catalog}.s.orders ORDER BY region".to_owned();
        assert!(!benchmark.order_matters(), "ORDER BY without LIMIT");
        benchmark.order_matters = Some(true);
        assert!(benchmark.order_matters());
    }

    #[test]
    fn set_hash_follows_content() {
        let file = parse_benchmark_file("bench.yaml", GOOD).unwrap();
        let a = BenchmarkSet::new(file.domain.clone(), file.benchmarks.clone(), Vec::new());
        let mut changed = file.benchmarks.clone();
        changed[0].question.push('!');
        let b = BenchmarkSet::new(file.domain, changed, Vec::new());
        assert_ne!(a.content_hash, b.content_hash);
        assert!(a.dataset_name.starts_with("genie-retail-benchmarks-"));
        assert_eq!(a.dataset_name.len(), "genie-retail-benchmarks-".len() + 12);
    }
}
