//! Benchmark leakage into a space: which benchmark questions' text or ground-truth SQL
//! Genie can read in the space itself (example SQL, sample questions, instructions,
//! snippet names, synonyms, function comments).
//!
//! A leaked benchmark measures recall of the space, not Genie's reading, so every
//! evaluation reports its accuracy with and without the leaked questions — whoever
//! edited the space. The same similarity notions guard the optimizer's proposals: a
//! text leaks when its word-token Jaccard similarity with a benchmark question is at
//! least [`SIMILARITY_THRESHOLD`] or it contains the question word for word; a SQL text
//! leaks when it normalises to the ground truth, has SQL-token Jaccard similarity at
//! least the threshold, or contains the ground truth's tokens in order.
//!
//! The space's own `benchmarks` section is not searched: Genie answers questions
//! without reading it.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::benchmark::Benchmark;
use crate::evaluation::EvaluationRow;
use crate::space::SpaceConfig;
use crate::space::TextLines;
use crate::space::walk::{Node as _, Visitor};
use crate::sql;

/// Jaccard similarity from which two texts (or two SQL statements) count as the same.
pub const SIMILARITY_THRESHOLD: f64 = 0.9;

/// The fewest words a question must have to be found *inside* a longer text (shorter
/// ones match only by similarity, so "revenue by region" does not leak into every
/// instruction that mentions it).
pub const MIN_CONTAINED_WORDS: usize = 5;

/// What of a benchmark was found in the space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeakKind {
    /// The question's text.
    QuestionText,
    /// The ground-truth SQL.
    GroundTruthSql,
    /// SQL in the space (an example) whose result equals the ground truth's.
    GroundTruthResult,
}

/// A piece of text Genie reads, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpaceText {
    /// A JSON-style path in the space (`instructions.example_question_sqls[2].sql`), or
    /// a Unity Catalog location (`uc:main.sales.f.comment`).
    pub location: String,
    /// The text.
    pub text: String,
}

/// One benchmark found in the space.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Leak {
    /// The benchmark's id.
    pub question_id: String,
    /// What was found.
    pub kind: LeakKind,
    /// Where (see [`SpaceText::location`]).
    pub location: String,
    /// The similarity found (1 for equal, contained or same result).
    pub similarity: f64,
}

/// The contamination section of an evaluation report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contamination {
    /// Every leak found, by question id, kind and location.
    pub leaks: Vec<Leak>,
    /// The ids of the benchmarks with at least one leak, sorted.
    pub flagged: Vec<String>,
    /// Scored questions of the report that are not flagged.
    pub scored_clean: usize,
    /// Of those, the ones answered correctly.
    pub correct_clean: usize,
    /// Accuracy (0–100) over the scored questions that are not flagged.
    pub accuracy_clean: f64,
    /// Why the space could not be searched (then nothing is flagged), if it could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unavailable: Option<String>,
}

impl Contamination {
    /// The section for a report's rows, given the leaks found.
    pub fn new(mut leaks: Vec<Leak>, rows: &[EvaluationRow]) -> Self {
        leaks.sort_by(|a, b| {
            (&a.question_id, a.kind, &a.location).cmp(&(&b.question_id, b.kind, &b.location))
        });
        leaks.dedup_by(|a, b| {
            a.question_id == b.question_id && a.kind == b.kind && a.location == b.location
        });
        let flagged: BTreeSet<&str> = leaks.iter().map(|leak| leak.question_id.as_str()).collect();
        let clean: Vec<&EvaluationRow> = rows
            .iter()
            .filter(|row| row.is_scored() && !flagged.contains(row.id.as_str()))
            .collect();
        let correct_clean = clean.iter().filter(|row| row.correct).count();
        Self {
            flagged: flagged.into_iter().map(str::to_owned).collect(),
            scored_clean: clean.len(),
            correct_clean,
            accuracy_clean: crate::evaluation::percentage(correct_clean, clean.len()),
            leaks,
            unavailable: None,
        }
    }

    /// The section when the space could not be read: nothing flagged, the reason said.
    pub fn unavailable(reason: impl Into<String>, rows: &[EvaluationRow]) -> Self {
        Self {
            unavailable: Some(reason.into()),
            ..Self::new(Vec::new(), rows)
        }
    }
}

/// Every text of the space that Genie reads (all but ids and the `benchmarks`
/// section), with its path.
pub fn space_texts(config: &SpaceConfig) -> Vec<SpaceText> {
    struct Collect(Vec<SpaceText>);
    impl Visitor for Collect {
        fn string(&mut self, path: &str, value: &str) {
            self.push(path, value.to_owned());
        }

        fn text(&mut self, path: &str, value: &TextLines) {
            self.push(path, value.joined());
        }
    }
    impl Collect {
        fn push(&mut self, path: &str, text: String) {
            let last = path.rsplit('.').next().unwrap_or(path);
            if path.starts_with("benchmarks") || last == "id" || text.trim().is_empty() {
                return;
            }
            // A string element of a text array is visited again, whole, as its text.
            if path.ends_with(']') && !path.contains("synonyms[") {
                return;
            }
            self.0.push(SpaceText {
                location: path.to_owned(),
                text,
            });
        }
    }
    let mut collect = Collect(Vec::new());
    config.walk("", &mut collect);
    collect.0
}

/// The benchmarks whose question or ground truth appears in `texts`, one [`Leak`] per
/// benchmark, kind and location.
pub fn find_leaks<'a>(
    texts: &[SpaceText],
    benchmarks: impl IntoIterator<Item = &'a Benchmark>,
) -> Vec<Leak> {
    let prepared: Vec<Prepared> = texts.iter().map(Prepared::new).collect();
    let mut leaks = Vec::new();
    for benchmark in benchmarks {
        let question = words(&benchmark.question);
        let ground_truth = SqlTokens::new(&benchmark.expected_sql);
        for (text, prepared) in texts.iter().zip(&prepared) {
            if let Some(similarity) = question_similarity(&question, &prepared.words) {
                leaks.push(Leak {
                    question_id: benchmark.id.clone(),
                    kind: LeakKind::QuestionText,
                    location: text.location.clone(),
                    similarity,
                });
            }
            if let Some(similarity) = ground_truth.leaks_into(prepared) {
                leaks.push(Leak {
                    question_id: benchmark.id.clone(),
                    kind: LeakKind::GroundTruthSql,
                    location: text.location.clone(),
                    similarity,
                });
            }
        }
    }
    leaks
}

/// Whether a text carries `question`: its similarity when it does.
pub fn text_leak(question: &str, text: &str) -> Option<f64> {
    question_similarity(&words(question), &words(text))
}

/// Whether a text (SQL or prose) carries the ground truth `sql`: its similarity when
/// it does.
pub fn sql_leak(sql: &str, text: &str) -> Option<f64> {
    SqlTokens::new(sql).leaks_into(&Prepared::new(&SpaceText {
        location: String::new(),
        text: text.to_owned(),
    }))
}

/// Lowercase alphanumeric words of a text, in order.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Jaccard similarity of two token sequences taken as sets (1 when both are empty).
pub fn token_jaccard<T: Ord>(a: &[T], b: &[T]) -> f64 {
    let a: BTreeSet<&T> = a.iter().collect();
    let b: BTreeSet<&T> = b.iter().collect();
    let union = a.union(&b).count();
    if union == 0 {
        return 1.0;
    }
    #[expect(
        clippy::cast_precision_loss,
        reason = "token counts are far below 2^52"
    )]
    let similarity = a.intersection(&b).count() as f64 / union as f64;
    similarity
}

/// Whether a text (as [`words`], or any token of them such as their hashes) carries a
/// question: its similarity when it does — word-set Jaccard at least
/// [`SIMILARITY_THRESHOLD`], or the question's words in order inside the text when the
/// question has at least [`MIN_CONTAINED_WORDS`].
pub fn question_similarity<T: Ord>(question: &[T], text: &[T]) -> Option<f64> {
    if question.is_empty() || text.is_empty() {
        return None;
    }
    let similarity = token_jaccard(question, text);
    if similarity >= SIMILARITY_THRESHOLD {
        return Some(similarity);
    }
    (question.len() >= MIN_CONTAINED_WORDS && contains_run(text, question)).then_some(1.0)
}

/// Whether a text (as [`sql_tokens`] of its normalized form, or their hashes) carries a
/// ground truth: its similarity when it does — 1 when both normalize to the same SQL
/// (`same_normalized`), token Jaccard at least [`SIMILARITY_THRESHOLD`] when the text is
/// SQL itself, or the ground truth's tokens in order inside the text.
pub fn ground_truth_similarity<T: Ord>(
    truth: &[T],
    text: &[T],
    same_normalized: bool,
    text_is_sql: bool,
) -> Option<f64> {
    if truth.is_empty() || text.is_empty() {
        return None;
    }
    if same_normalized {
        return Some(1.0);
    }
    if text_is_sql {
        let similarity = token_jaccard(truth, text);
        if similarity >= SIMILARITY_THRESHOLD {
            return Some(similarity);
        }
    }
    contains_run(text, truth).then_some(1.0)
}

/// Whether `needle` occurs in `haystack` as a contiguous run.
pub fn contains_run<T: PartialEq>(haystack: &[T], needle: &[T]) -> bool {
    !needle.is_empty()
        && haystack.len() >= needle.len()
        && haystack
            .windows(needle.len())
            .any(|window| window == needle)
}

/// A space text, tokenised once.
struct Prepared {
    words: Vec<String>,
    normalized_sql: Option<String>,
    sql_tokens: Vec<String>,
}

impl Prepared {
    fn new(text: &SpaceText) -> Self {
        let normalized_sql = sql::normalize(&text.text).ok();
        let sql_tokens = sql_tokens(normalized_sql.as_deref().unwrap_or(&text.text));
        Self {
            words: words(&text.text),
            normalized_sql,
            sql_tokens,
        }
    }
}

/// A ground truth, tokenised once.
struct SqlTokens {
    normalized: Option<String>,
    tokens: Vec<String>,
}

impl SqlTokens {
    fn new(sql: &str) -> Self {
        let normalized = sql::normalize(sql).ok();
        let tokens = sql_tokens(normalized.as_deref().unwrap_or(sql));
        Self { normalized, tokens }
    }

    fn leaks_into(&self, text: &Prepared) -> Option<f64> {
        ground_truth_similarity(
            &self.tokens,
            &text.sql_tokens,
            self.normalized.is_some() && self.normalized == text.normalized_sql,
            text.normalized_sql.is_some(),
        )
    }
}

/// SQL as lowercase tokens: words and dotted names, numbers, quoted literals (whole)
/// and operators, in order; backticks dropped.
pub fn sql_tokens(sql: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut chars = sql.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_whitespace() || c == '`' {
            continue;
        }
        if c == '\'' || c == '"' {
            let mut end = sql.len();
            for (at, next) in chars.by_ref() {
                if next == c {
                    end = at + next.len_utf8();
                    break;
                }
            }
            tokens.push(sql[start..end].to_lowercase());
        } else if c.is_alphanumeric() || c == '_' {
            let mut end = start + c.len_utf8();
            while let Some(&(at, next)) = chars.peek() {
                if next.is_alphanumeric() || next == '_' || next == '.' {
                    end = at + next.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            tokens.push(sql[start..end].to_lowercase());
        } else {
            tokens.push(c.to_string());
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::benchmark::{AssetType, BenchmarkSource, Priority, Split};

    fn benchmark(id: &str, question: &str, sql: &str) -> Benchmark {
        Benchmark {
            id: id.to_owned(),
            question: question.to_owned(),
            expected_sql: sql.to_owned(),
            expected_asset: AssetType::Table,
            priority: Priority::P1,
            split: Split::Train,
            category: None,
            order_matters: None,
            source: BenchmarkSource::User,
            line: 1,
        }
    }

    #[test]
    fn a_question_leaks_by_similarity_or_word_for_word() {
        assert_eq!(
            text_leak(
                "How many parcels were lost in 2024?",
                "how many parcels were lost in 2024"
            ),
            Some(1.0)
        );
        assert_eq!(
            text_leak(
                "How many parcels were lost in 2024?",
                "Note: when asked how many parcels were lost in 2024, use the lost flag."
            ),
            Some(1.0)
        );
        // A short phrase inside a longer text is a concept, not a leak.
        assert_eq!(
            text_leak("parcels by depot", "Show parcels by depot as a table."),
            None
        );
        assert_eq!(
            text_leak(
                "How many parcels were lost in 2024?",
                "How many parcels were lost in 2025?"
            ),
            None,
            "another year is another question"
        );
    }

    #[test]
    fn a_ground_truth_leaks_when_equal_similar_or_pasted() {
        let truth = "SELECT COUNT(*) AS n FROM main.s.parcels WHERE sts = 'LST'";
        assert_eq!(
            sql_leak(
                truth,
                "select count(*) as n from main.s.parcels where sts = 'LST'"
            ),
            Some(1.0)
        );
        assert_eq!(
            sql_leak(
                truth,
                "For lost parcels run SELECT COUNT(*) AS n FROM main.s.parcels WHERE sts = 'LST' please"
            ),
            Some(1.0)
        );
        assert_eq!(
            sql_leak(truth, "SELECT SUM(w) FROM main.s.parcels GROUP BY depot"),
            None
        );
        assert_eq!(sql_leak(truth, "parcels.sts = 'LST'"), None);
    }

    #[test]
    fn leaks_are_found_with_their_location_and_summarised() {
        let config = SpaceConfig::from_json(&serde_json::json!({
            "version": 2,
            "config": {"sample_questions": [{"id": "01", "question": ["How many parcels were lost in 2024?"]}]},
            "data_sources": {"tables": [{"identifier": "main.s.parcels",
                "column_configs": [{"column_name": "sts", "synonyms": ["status"]}]}]},
            "instructions": {"example_question_sqls": [{"id": "02", "question": ["lost parcels"],
                "sql": ["SELECT COUNT(*) AS n FROM main.s.parcels WHERE sts = 'LST'"]}]},
            "benchmarks": {"questions": [{"id": "03", "question": ["Total weight by depot?"],
                "answer": [{"format": "SQL", "content": ["SELECT 1"]}]}]}
        }).to_string())
        .unwrap();
        let texts = space_texts(&config);
        assert!(
            texts.iter().all(|t| !t.location.starts_with("benchmarks")),
            "{texts:?}"
        );
        assert!(
            texts.iter().any(|t| t.location.ends_with("synonyms[0]")),
            "{texts:?}"
        );
        let benchmarks = [
            benchmark(
                "lost_2024",
                "How many parcels were lost in 2024?",
                "SELECT 1 AS one",
            ),
            benchmark(
                "lost_count",
                "Count the lost parcels",
                "SELECT COUNT(*) AS n FROM main.s.parcels WHERE sts = 'LST'",
            ),
            benchmark(
                "weight",
                "Total weight by depot?",
                "SELECT SUM(w) FROM main.s.parcels",
            ),
        ];
        let leaks = find_leaks(&texts, &benchmarks);
        let found: Vec<(&str, LeakKind, &str)> = leaks
            .iter()
            .map(|l| (l.question_id.as_str(), l.kind, l.location.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "lost_2024",
                    LeakKind::QuestionText,
                    "config.sample_questions[0].question"
                ),
                (
                    "lost_count",
                    LeakKind::GroundTruthSql,
                    "instructions.example_question_sqls[0].sql"
                ),
            ]
        );
        let contamination = Contamination::new(leaks, &[]);
        assert_eq!(contamination.flagged, ["lost_2024", "lost_count"]);
        assert_eq!(contamination.scored_clean, 0);
    }

    #[test]
    fn sql_tokens_keep_literals_and_qualified_names_whole() {
        assert_eq!(
            sql_tokens("SELECT a.x FROM `m`.s.t WHERE y = 'In Progress'"),
            [
                "select",
                "a.x",
                "from",
                "m",
                ".",
                "s.t",
                "where",
                "y",
                "=",
                "'in progress'"
            ]
        );
    }
}
