//! The evaluator's side information, read once per request: each failing row's
//! queries ([`QueryShape`]), its question's words, and its findings — every failure
//! type a judge named for it, with the blame set — grouped into [`FailureCluster`]s.
//!
//! A row's failure type is its primary cause, but a row often has several (a revenue
//! question that lacks a join also lacks the status code its ground truth filters on).
//! Each failing judge verdict is a finding; findings of one type merge their blame
//! sets; clusters group findings by failure type × blame set. Secondary findings are
//! clustered too, because the lever-by-lever loop fixes the causes in lever order:
//! lever 1 must see the unmapped codes of rows whose primary cause is a missing join.

use std::collections::{BTreeMap, BTreeSet};

use genie_core::benchmark::AssetType;
use genie_core::evaluation::{BlameItem, EvaluationRow, Outcome};
use genie_core::patch::ClusterId;
use genie_core::sql::SqlFacts;
use genie_core::taxonomy::{FailureType, Lever};
use genie_core::workers::{FailureCluster, TrainFailures};

use crate::shape::QueryShape;
use crate::words::words;

/// A cluster being gathered: its type, blame, questions and their assets.
type Members = (
    FailureType,
    Vec<BlameItem>,
    BTreeSet<String>,
    Vec<AssetType>,
);

/// One failing row, read.
#[derive(Debug, Clone)]
pub(crate) struct Evidence {
    /// The question id.
    pub(crate) id: String,
    /// The question's words, lower case.
    pub(crate) words: Vec<String>,
    /// The asset expected to answer it.
    pub(crate) asset: AssetType,
    /// The ground truth, when it parses.
    pub(crate) expected: Option<QueryShape>,
    /// Genie's query, when there is one and it parses.
    pub(crate) genie: Option<SqlFacts>,
    /// The findings, primary first.
    pub(crate) findings: Vec<Finding>,
}

/// One cause of one row's failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    /// The failure type.
    pub(crate) failure_type: FailureType,
    /// The blame set, sorted.
    pub(crate) blame_set: Vec<BlameItem>,
    /// Whether it is the row's failure type.
    pub(crate) primary: bool,
    /// Its cluster.
    pub(crate) cluster: ClusterId,
}

/// Every failing row read, and its clusters.
#[derive(Debug, Clone)]
pub(crate) struct Corpus {
    /// The rows, by question id (so nothing depends on the report's row order).
    pub(crate) rows: Vec<Evidence>,
    /// The clusters, largest first.
    pub(crate) clusters: Vec<FailureCluster>,
    /// Which clusters have a row's primary cause (the others hold only secondary
    /// findings).
    primary_clusters: BTreeSet<ClusterId>,
}

impl Corpus {
    /// Reads the failing rows.
    pub(crate) fn read(failures: &TrainFailures) -> Self {
        let mut rows: Vec<Evidence> = failures.iter().map(read_row).collect();
        rows.sort_by(|a, b| a.id.cmp(&b.id));
        let mut members: BTreeMap<ClusterId, Members> = BTreeMap::new();
        let mut primary_clusters = BTreeSet::new();
        for row in &rows {
            for finding in &row.findings {
                let entry = members.entry(finding.cluster.clone()).or_insert_with(|| {
                    (
                        finding.failure_type,
                        finding.blame_set.clone(),
                        BTreeSet::new(),
                        Vec::new(),
                    )
                });
                entry.2.insert(row.id.clone());
                entry.3.push(row.asset);
                if finding.primary {
                    primary_clusters.insert(finding.cluster.clone());
                }
            }
        }
        let mut clusters: Vec<FailureCluster> = members
            .into_iter()
            .filter_map(|(id, (failure_type, blame_set, questions, assets))| {
                let lever = cluster_lever(failure_type, &assets)?;
                Some(FailureCluster {
                    id,
                    failure_type,
                    blame_set,
                    question_ids: questions.into_iter().collect(),
                    lever,
                })
            })
            .collect();
        clusters.sort_by(|a, b| {
            let primary = |c: &FailureCluster| primary_clusters.contains(&c.id);
            b.question_ids
                .len()
                .cmp(&a.question_ids.len())
                .then_with(|| primary(b).cmp(&primary(a)))
                .then_with(|| a.id.cmp(&b.id))
        });
        Self {
            rows,
            clusters,
            primary_clusters,
        }
    }

    /// The clusters whose failure type can be fixed at `lever` (for the rows' assets).
    pub(crate) fn clusters_for(&self, lever: Lever) -> Vec<&FailureCluster> {
        self.clusters
            .iter()
            .filter(|cluster| {
                self.rows
                    .iter()
                    .filter(|row| cluster.question_ids.contains(&row.id))
                    .any(|row| cluster.failure_type.levers(row.asset).contains(&lever))
            })
            .collect()
    }

    /// Whether a cluster holds a row's primary cause.
    pub(crate) fn is_primary(&self, cluster: &ClusterId) -> bool {
        self.primary_clusters.contains(cluster)
    }

    /// The findings of `types` that `lever` may act on, with their rows.
    pub(crate) fn findings<'a>(
        &'a self,
        lever: Lever,
        types: &'a [FailureType],
    ) -> impl Iterator<Item = (&'a Evidence, &'a Finding)> + 'a {
        self.rows.iter().flat_map(move |row| {
            row.findings
                .iter()
                .filter(move |finding| {
                    types.contains(&finding.failure_type)
                        && finding.failure_type.levers(row.asset).contains(&lever)
                })
                .map(move |finding| (row, finding))
        })
    }

    /// The row with this id.
    pub(crate) fn row(&self, id: &str) -> Option<&Evidence> {
        self.rows.iter().find(|row| row.id == id)
    }

    /// The cluster a patch drawn from `sources` (question id, failure type) belongs
    /// to: the one most of them are in, the larger on a tie, then the first by id.
    pub(crate) fn cluster_of(&self, sources: &[(String, FailureType)]) -> Option<ClusterId> {
        let mut counts: BTreeMap<&ClusterId, usize> = BTreeMap::new();
        for (id, failure_type) in sources {
            if let Some(row) = self.row(id) {
                for finding in row
                    .findings
                    .iter()
                    .filter(|f| f.failure_type == *failure_type)
                {
                    *counts.entry(&finding.cluster).or_default() += 1;
                }
            }
        }
        let size = |id: &ClusterId| {
            self.clusters
                .iter()
                .find(|cluster| &cluster.id == id)
                .map_or(0, |cluster| cluster.question_ids.len())
        };
        counts
            .into_iter()
            .max_by(|(a, count_a), (b, count_b)| {
                count_a
                    .cmp(count_b)
                    .then_with(|| size(a).cmp(&size(b)))
                    .then_with(|| b.cmp(a))
            })
            .map(|(id, _)| id.clone())
    }
}

/// The lever a cluster maps to: its failure type's first lever for the assets of its
/// rows (a function question's repeatability goes to lever 6, any other to lever 1).
fn cluster_lever(failure_type: FailureType, assets: &[AssetType]) -> Option<Lever> {
    let asset = if assets.iter().all(|asset| *asset == AssetType::Function) && !assets.is_empty() {
        AssetType::Function
    } else if assets.contains(&AssetType::MetricView) {
        AssetType::MetricView
    } else {
        AssetType::Table
    };
    failure_type.levers(asset).first().copied()
}

fn read_row(row: &EvaluationRow) -> Evidence {
    let expected = QueryShape::read(&row.expected_sql);
    let genie = row
        .genie_sql
        .as_deref()
        .and_then(|sql| genie_core::sql::extract(sql).ok());
    let mut by_type: BTreeMap<FailureType, BTreeSet<BlameItem>> = BTreeMap::new();
    let mut order: Vec<FailureType> = Vec::new();
    for verdict in &row.verdicts {
        let (Outcome::Fail, Some(failure_type)) = (verdict.outcome, verdict.failure_type) else {
            continue;
        };
        if !order.contains(&failure_type) {
            order.push(failure_type);
        }
        by_type
            .entry(failure_type)
            .or_default()
            .extend(verdict.blame_set.iter().cloned());
    }
    if let Some(primary) = row.failure_type
        && !by_type.contains_key(&primary)
    {
        // A row typed without a verdict naming the type (repeatability): blame the
        // ground truth's tables.
        let tables = expected
            .as_ref()
            .map(|shape| {
                shape
                    .facts
                    .tables
                    .iter()
                    .map(|table| BlameItem::Table {
                        identifier: table.name.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        by_type.insert(primary, tables);
        order.push(primary);
    }
    if let Some(primary) = row.failure_type
        && let Some(position) = order.iter().position(|t| *t == primary)
    {
        let primary = order.remove(position);
        order.insert(0, primary);
    }
    let findings = order
        .into_iter()
        .map(|failure_type| {
            let blame_set: Vec<BlameItem> = by_type
                .remove(&failure_type)
                .unwrap_or_default()
                .into_iter()
                .collect();
            Finding {
                cluster: ClusterId::of(failure_type, &blame_set),
                primary: Some(failure_type) == row.failure_type,
                failure_type,
                blame_set,
            }
        })
        .collect();
    Evidence {
        id: row.id.clone(),
        words: words(&row.question),
        asset: row.expected_asset,
        expected,
        genie,
        findings,
    }
}

#[cfg(test)]
mod tests {
    use genie_core::benchmark::{Priority, Split};
    use genie_core::evaluation::{Judge, JudgeVerdict, VerdictSource};
    use genie_core::workers::TrainFailure;

    use super::*;

    fn verdict(judge: Judge, failure_type: FailureType, blame: Vec<BlameItem>) -> JudgeVerdict {
        JudgeVerdict {
            judge,
            outcome: Outcome::Fail,
            rationale: String::new(),
            failure_type: Some(failure_type),
            blame_set: blame,
            counterfactual_fix: None,
            source: VerdictSource::Code,
        }
    }

    fn row(id: &str, primary: FailureType, verdicts: Vec<JudgeVerdict>) -> TrainFailure {
        TrainFailure::try_from(EvaluationRow {
            id: id.to_owned(),
            question: "How many open tickets?".to_owned(),
            split: Split::Train,
            priority: Priority::P1,
            category: None,
            expected_asset: AssetType::Table,
            expected_sql: "SELECT COUNT(*) FROM main.s.tickets WHERE st = 'O'".to_owned(),
            genie_sql: Some("SELECT COUNT(*) FROM main.s.tickets".to_owned()),
            answer_status: None,
            correct: false,
            excluded: None,
            failure_type: Some(primary),
            verdicts,
            comparison: None,
            arbiter: None,
            expected_result_hash: None,
            genie_result_hash: None,
        })
        .unwrap()
    }

    #[test]
    fn findings_merge_by_type_and_clusters_are_largest_first() {
        let column = BlameItem::Column {
            table: "main.s.tickets".to_owned(),
            column: "st".to_owned(),
        };
        let join = BlameItem::Join {
            left: "main.s.tickets".to_owned(),
            right: "main.s.teams".to_owned(),
        };
        let failures: TrainFailures = [
            row(
                "b",
                FailureType::MissingJoin,
                vec![
                    verdict(
                        Judge::SchemaAccuracy,
                        FailureType::MissingJoin,
                        vec![join.clone()],
                    ),
                    verdict(
                        Judge::LogicalAccuracy,
                        FailureType::UnknownFilterValue,
                        vec![column.clone()],
                    ),
                    verdict(
                        Judge::ResultCorrectness,
                        FailureType::MissingJoin,
                        vec![join.clone()],
                    ),
                ],
            ),
            row(
                "a",
                FailureType::UnknownFilterValue,
                vec![verdict(
                    Judge::LogicalAccuracy,
                    FailureType::UnknownFilterValue,
                    vec![column.clone()],
                )],
            ),
        ]
        .into_iter()
        .collect();
        let corpus = Corpus::read(&failures);
        assert_eq!(corpus.rows[0].id, "a", "rows in id order");
        let b = corpus.row("b").unwrap();
        assert_eq!(b.findings.len(), 2);
        assert!(b.findings[0].primary && b.findings[0].failure_type == FailureType::MissingJoin);
        assert!(!b.findings[1].primary);
        assert_eq!(corpus.clusters.len(), 2);
        let first = &corpus.clusters[0];
        assert_eq!(first.failure_type, FailureType::UnknownFilterValue);
        assert_eq!(first.question_ids, ["a", "b"]);
        assert_eq!(
            first.id,
            ClusterId::of(FailureType::UnknownFilterValue, &[column])
        );
        assert_eq!(first.lever, Lever::UcMetadata);
        assert_eq!(corpus.clusters[1].lever, Lever::SpaceInstructions);
        assert_eq!(corpus.clusters_for(Lever::MetricViews).len(), 0);
        assert_eq!(
            corpus.cluster_of(&[("b".to_owned(), FailureType::MissingJoin)]),
            Some(corpus.clusters[1].id.clone())
        );
    }
}
