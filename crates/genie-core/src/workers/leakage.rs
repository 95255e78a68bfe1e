//! [`LeakageGuard`]: every benchmark of every split, kept only as fingerprints, so a
//! proposal can be checked for copying one — and for nothing else.
//!
//! A patch that writes a benchmark's question (into an example, a sample question, an
//! instruction) or its ground-truth SQL (into an example or a function) makes Genie
//! recall the answer instead of reading the space: a train question stops measuring
//! the space, a held-out one voids the overfitting check. The guard holds no text:
//! each question as the hashes of its words, each ground truth as the hash of its
//! normalized SQL and of its normalized tokens. It answers only "which benchmarks does
//! this text leak?".
//!
//! What counts as a copy is [`crate::contamination`]'s rule, the one the evaluator's
//! contamination report uses: [`question_similarity`] for questions (word-set Jaccard
//! ≥ 0.9, or the question word for word inside a longer text) and
//! [`ground_truth_similarity`] for SQL (equal normalized SQL, token Jaccard ≥ 0.9, or
//! the ground truth's tokens in order inside the text — a CTE around it), here over
//! hashed tokens.
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::benchmark::{BenchmarkSet, Split};
use crate::canonical::ContentHash;
use crate::contamination::{ground_truth_similarity, question_similarity};
use crate::patch::{Patch, PatchOp, PatchSet};

/// What of a benchmark a text copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeakedPart {
    /// The question.
    Question,
    /// The ground-truth SQL.
    GroundTruthSql,
}

/// One benchmark a text copies.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BenchmarkLeak {
    /// The benchmark's id.
    pub benchmark_id: String,
    /// Its split: a held-out leak voids the overfitting check.
    pub split: Split,
    /// What is copied.
    pub part: LeakedPart,
}

/// Fingerprints of every benchmark's question and ground truth (see the module
/// documentation).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LeakageGuard {
    entries: Vec<Fingerprint>,
}

#[derive(Debug, Clone, PartialEq)]
struct Fingerprint {
    benchmark_id: String,
    split: Split,
    /// The question's words, hashed, in order.
    words: Vec<u64>,
    /// The ground truth's normalized text, hashed; `None` when it does not parse.
    sql: Option<ContentHash>,
    /// The ground truth's normalized tokens, hashed, in order.
    sql_tokens: Vec<u64>,
}

impl LeakageGuard {
    /// The guard over every benchmark of `set`, train and held-out alike.
    pub fn new(set: &BenchmarkSet) -> Self {
        let entries = set
            .benchmarks
            .iter()
            .map(|benchmark| {
                let normalized = crate::sql::normalize(&benchmark.expected_sql).ok();
                Fingerprint {
                    benchmark_id: benchmark.id.clone(),
                    split: benchmark.split,
                    words: words(&benchmark.question),
                    sql: normalized
                        .as_deref()
                        .map(|text| ContentHash::of_bytes(text.as_bytes())),
                    sql_tokens: normalized.as_deref().map(tokens).unwrap_or_default(),
                }
            })
            .collect();
        Self { entries }
    }

    /// How many benchmarks it guards.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it guards none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The benchmarks whose question `text` copies.
    pub fn text_leaks(&self, text: &str) -> Vec<BenchmarkLeak> {
        let candidate = words(text);
        self.entries
            .iter()
            .filter(|entry| question_similarity(&entry.words, &candidate).is_some())
            .map(|entry| entry.leak(LeakedPart::Question))
            .collect()
    }

    /// The benchmarks whose ground truth `sql` copies.
    pub fn sql_leaks(&self, sql: &str) -> Vec<BenchmarkLeak> {
        let Ok(normalized) = crate::sql::normalize(sql) else {
            return Vec::new();
        };
        let hash = ContentHash::of_bytes(normalized.as_bytes());
        let candidate = tokens(&normalized);
        self.entries
            .iter()
            .filter(|entry| {
                ground_truth_similarity(
                    &entry.sql_tokens,
                    &candidate,
                    entry.sql.as_ref() == Some(&hash),
                    true,
                )
                .is_some()
            })
            .map(|entry| entry.leak(LeakedPart::GroundTruthSql))
            .collect()
    }

    /// The benchmarks a patch copies, through every text and SQL its op writes.
    pub fn patch_leaks(&self, patch: &Patch) -> Vec<BenchmarkLeak> {
        let (texts, sqls) = written(&patch.op);
        let found = texts
            .into_iter()
            .flat_map(|text| self.text_leaks(text))
            .chain(sqls.into_iter().flat_map(|sql| self.sql_leaks(sql)));
        let mut leaks: Vec<BenchmarkLeak> = Vec::new();
        for leak in found {
            if !leaks.contains(&leak) {
                leaks.push(leak);
            }
        }
        leaks
    }

    /// Every leak of a set, with the index of the patch that makes it.
    pub fn set_leaks(&self, set: &PatchSet) -> Vec<(usize, BenchmarkLeak)> {
        set.patches
            .iter()
            .enumerate()
            .flat_map(|(index, patch)| {
                self.patch_leaks(patch)
                    .into_iter()
                    .map(move |leak| (index, leak))
            })
            .collect()
    }
}

impl Fingerprint {
    fn leak(&self, part: LeakedPart) -> BenchmarkLeak {
        BenchmarkLeak {
            benchmark_id: self.benchmark_id.clone(),
            split: self.split,
            part,
        }
    }
}

/// The texts (read by Genie as words) and SQL texts an op writes.
fn written(op: &PatchOp) -> (Vec<&str>, Vec<&str>) {
    match op {
        PatchOp::SetTableDescription { value, .. }
        | PatchOp::SetColumnDescription { value, .. }
        | PatchOp::AddColumnSynonym { value, .. }
        | PatchOp::SetUcComment { value, .. }
        | PatchOp::SetUcTag { value, .. }
        | PatchOp::AddInstruction { value }
        | PatchOp::UpdateInstruction { value, .. }
        | PatchOp::AddSampleQuestion { value }
        | PatchOp::CreateMetricView { value, .. } => (vec![value], Vec::new()),
        PatchOp::AddExampleSql {
            question,
            sql,
            usage_guidance,
            ..
        } => {
            let mut texts = vec![question.as_str()];
            texts.extend(usage_guidance.as_deref());
            (texts, vec![sql])
        }
        PatchOp::CreateFunction { value, .. } => (vec![value], vec![value]),
        PatchOp::AddSqlSnippet { name, synonyms, .. } => {
            let mut texts = vec![name.as_str()];
            texts.extend(synonyms.iter().map(String::as_str));
            (texts, Vec::new())
        }
        PatchOp::RemoveColumnSynonym { .. }
        | PatchOp::SetColumnExclude { .. }
        | PatchOp::EnableExampleValues { .. }
        | PatchOp::EnableValueDictionary { .. }
        | PatchOp::AddMetricViewToSpace { .. }
        | PatchOp::AddFunctionToSpace { .. }
        | PatchOp::SetTableProperty { .. }
        | PatchOp::RemoveExampleSql { .. }
        | PatchOp::AddJoinSpec { .. } => (Vec::new(), Vec::new()),
    }
}

/// The words of `text` ([`crate::contamination::words`]), hashed.
fn words(text: &str) -> Vec<u64> {
    crate::contamination::words(text)
        .iter()
        .map(|word| fingerprint(word))
        .collect()
}

/// The tokens of a normalized SQL text ([`crate::contamination::sql_tokens`]), hashed.
fn tokens(normalized: &str) -> Vec<u64> {
    crate::contamination::sql_tokens(normalized)
        .iter()
        .map(|token| fingerprint(token))
        .collect()
}

fn fingerprint(text: &str) -> u64 {
    let digest = Sha256::digest(text.as_bytes());
    let mut bytes = [0_u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::benchmark::{AssetType, Benchmark, BenchmarkSource, Priority};
    use crate::patch::Risk;
    use crate::taxonomy::Lever;

    fn benchmark(id: &str, split: Split, question: &str, sql: &str) -> Benchmark {
        Benchmark {
            id: id.to_owned(),
            question: question.to_owned(),
            expected_sql: sql.to_owned(),
            expected_asset: AssetType::Table,
            priority: Priority::P1,
            split,
            category: None,
            order_matters: None,
            source: BenchmarkSource::User,
            line: 0,
        }
    }

    fn guard() -> LeakageGuard {
        LeakageGuard::new(&BenchmarkSet::new(
            Some("retail".to_owned()),
            vec![
                benchmark(
                    "revenue_by_region",
                    Split::HeldOut,
                    "What is the total revenue by region last quarter?",
                    "SELECT region, SUM(amount) AS revenue FROM main.sales.orders GROUP BY region",
                ),
                benchmark(
                    "order_count",
                    Split::Train,
                    "How many orders?",
                    "SELECT COUNT(*) FROM main.sales.orders",
                ),
            ],
            Vec::new(),
        ))
    }

    fn ids(leaks: &[BenchmarkLeak]) -> Vec<&str> {
        leaks
            .iter()
            .map(|leak| leak.benchmark_id.as_str())
            .collect()
    }

    #[test]
    fn copied_questions_leak_short_mentions_do_not() {
        let guard = guard();
        assert_eq!(guard.len(), 2);
        assert_eq!(ids(&guard.text_leaks("how many ORDERS")), ["order_count"]);
        let leaks = guard.text_leaks(
            "Example: what is the total revenue by region last quarter? Use the orders table.",
        );
        assert_eq!(ids(&leaks), ["revenue_by_region"]);
        assert_eq!(leaks[0].split, Split::HeldOut);
        assert_eq!(leaks[0].part, LeakedPart::Question);
        assert!(guard.text_leaks("Count orders per store.").is_empty());
        assert!(
            guard
                .text_leaks("How many orders? Each order is one row.")
                .is_empty(),
            "a short question inside a longer text is not a copy"
        );
    }

    #[test]
    fn copied_ground_truths_leak_through_normalization_and_wrapping() {
        let guard = guard();
        let reformatted =
            "select region, sum(amount) as revenue\nfrom MAIN.SALES.ORDERS group by region";
        assert_eq!(ids(&guard.sql_leaks(reformatted)), ["revenue_by_region"]);
        let wrapped = "WITH t AS (SELECT region, SUM(amount) AS revenue FROM main.sales.orders \
                       GROUP BY region) SELECT * FROM t";
        assert_eq!(ids(&guard.sql_leaks(wrapped)), ["revenue_by_region"]);
        assert!(
            guard
                .sql_leaks("SELECT COUNT(*) FROM main.sales.stores")
                .is_empty()
        );
        assert!(guard.sql_leaks("not sql at all").is_empty());
    }

    #[test]
    fn patches_are_checked_through_every_field_they_write() {
        let guard = guard();
        let patch = |op: PatchOp| Patch {
            lever: op.natural_lever(),
            op,
            risk: Risk::Medium,
            rationale: String::new(),
            fixes: Vec::new(),
            cluster: None,
        };
        let set = PatchSet {
            lever: Lever::SpaceInstructions,
            patches: vec![
                patch(PatchOp::AddSampleQuestion {
                    value: "Orders by store".to_owned(),
                }),
                patch(PatchOp::AddExampleSql {
                    question: "How many orders?".to_owned(),
                    sql: "SELECT COUNT(*) FROM main.sales.orders".to_owned(),
                    usage_guidance: None,
                    parameters: Vec::new(),
                }),
            ],
        };
        let leaks = guard.set_leaks(&set);
        assert_eq!(
            leaks,
            [
                (
                    1,
                    BenchmarkLeak {
                        benchmark_id: "order_count".to_owned(),
                        split: Split::Train,
                        part: LeakedPart::Question
                    }
                ),
                (
                    1,
                    BenchmarkLeak {
                        benchmark_id: "order_count".to_owned(),
                        split: Split::Train,
                        part: LeakedPart::GroundTruthSql
                    }
                ),
            ]
        );
    }

    #[test]
    fn the_guard_holds_no_text() {
        let debug = format!("{:?}", guard());
        assert!(!debug.contains("total"), "{debug}");
        assert!(!debug.contains("SUM"), "{debug}");
    }
}
