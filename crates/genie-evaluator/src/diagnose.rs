//! Diagnosis: why Genie's SQL differs from the ground truth, as [`Finding`]s with a
//! failure type, a blame set and a counterfactual fix, derived from the two queries'
//! structural facts ([`SqlFacts`]) and the result comparison.
//!
//! Every rule is general: it reads the shape of the two queries and the question's
//! words, never a name of a particular schema. The row's failure type is the finding
//! first in [`PRECEDENCE`]; one structural rule comes before it: when Genie lacks a
//! table the ground truth reaches only through a subquery (a multi-step query Genie
//! could not form), the differing filters and measures are its consequences and the
//! row is a `complex_pattern`.
//!
//! Precedence, first to last: see [`PRECEDENCE`].

use std::collections::{BTreeSet, HashMap};

use genie_core::benchmark::{AssetType, Benchmark};
use genie_core::compare::{Comparison, DifferenceReason};
use genie_core::evaluation::BlameItem;
use genie_core::sql::{ColumnRef, Filter, SqlFacts, TableKind};
use genie_core::taxonomy::FailureType;

/// One reason the answer differs, with what to blame and what would have helped.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Finding {
    /// The failure type.
    pub(crate) failure_type: FailureType,
    /// What was found, in a sentence.
    pub(crate) rationale: String,
    /// The metadata implicated.
    pub(crate) blame_set: Vec<BlameItem>,
    /// What metadata would have led to the ground truth.
    pub(crate) counterfactual_fix: String,
}

/// The order in which failure types explain a wrong answer: the first present is the
/// row's primary cause (an earlier failure usually causes the later ones).
pub(crate) const PRECEDENCE: [FailureType; 17] = [
    FailureType::UnsafeSql,
    FailureType::NoSqlGenerated,
    FailureType::SqlError,
    FailureType::WrongTable,
    FailureType::AssetRoutingError,
    FailureType::MissingJoin,
    FailureType::WrongJoin,
    FailureType::UnknownFilterValue,
    FailureType::WrongFilter,
    FailureType::MissingMeasure,
    FailureType::WrongAggregation,
    FailureType::WrongGrouping,
    FailureType::WrongOrderOrLimit,
    FailureType::WrongColumn,
    FailureType::MissingSynonym,
    FailureType::ComplexPattern,
    FailureType::MisreadIntent,
];

/// The rank of `failure_type` in [`PRECEDENCE`] (unlisted types last).
pub(crate) fn rank(failure_type: FailureType) -> usize {
    PRECEDENCE
        .iter()
        .position(|listed| *listed == failure_type)
        .unwrap_or(PRECEDENCE.len())
}

/// The finding first in precedence among those whose type `accept`s.
pub(crate) fn primary(
    findings: &[Finding],
    accept: impl Fn(FailureType) -> bool,
) -> Option<&Finding> {
    findings
        .iter()
        .filter(|finding| accept(finding.failure_type))
        .min_by_key(|finding| rank(finding.failure_type))
}

/// Whether literals Genie filtered on occur in the data: `(table, column, literal)`
/// to present or not. Literals not looked up are absent from the map.
pub(crate) type LiteralPresence = HashMap<(String, String, String), bool>;

/// What the diagnosis reads for one question whose two SQLs were both admitted.
pub(crate) struct Pair<'a> {
    /// The benchmark.
    pub(crate) benchmark: &'a Benchmark,
    /// The ground truth's facts.
    pub(crate) expected: &'a SqlFacts,
    /// Genie's facts.
    pub(crate) genie: &'a SqlFacts,
    /// The result comparison, when both ran.
    pub(crate) comparison: Option<&'a Comparison>,
    /// Which of Genie's filter literals occur in the data.
    pub(crate) presence: &'a LiteralPresence,
}

/// Every structural difference between Genie's SQL and the ground truth.
pub(crate) fn structural_findings(pair: &Pair<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let tables = table_finding(pair);
    let multi_step = tables
        .as_ref()
        .is_some_and(|finding| finding.failure_type == FailureType::ComplexPattern);
    findings.extend(tables);
    findings.extend(join_findings(pair));
    findings.extend(routing_finding(
        pair.benchmark.expected_asset,
        pair.expected,
        pair.genie,
    ));
    if !multi_step {
        findings.extend(filter_findings(pair));
        findings.extend(aggregate_findings(pair));
        findings.extend(grouping_finding(pair));
        findings.extend(column_finding(pair));
    }
    findings.extend(order_finding(pair));
    if !multi_step && let Some(finding) = complexity_finding(pair) {
        findings.push(finding);
    }
    findings
}

/// The fallback cause of a wrong answer no structural rule explains.
pub(crate) fn unexplained(expected: &SqlFacts) -> Finding {
    if let Some(construct) = complex_construct(expected) {
        return Finding {
            failure_type: FailureType::ComplexPattern,
            rationale: format!(
                "the ground truth needs {construct}, and Genie's query gives another answer"
            ),
            blame_set: tables_of(expected),
            counterfactual_fix: format!(
                "an example SQL (or a table function) showing {construct} for questions like this"
            ),
        };
    }
    Finding {
        failure_type: FailureType::MisreadIntent,
        rationale: "Genie's query reads the same data in the same shape but answers a \
                    different question"
            .to_owned(),
        blame_set: vec![BlameItem::Instruction],
        counterfactual_fix:
            "an instruction or example SQL stating what this kind of question asks for".to_owned(),
    }
}

/// Genie read other tables than the ground truth.
fn table_finding(pair: &Pair<'_>) -> Option<Finding> {
    let expected: BTreeSet<&str> = pair
        .expected
        .tables
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    let genie: BTreeSet<&str> = pair.genie.tables.iter().map(|t| t.name.as_str()).collect();
    let missing: Vec<&str> = expected.difference(&genie).copied().collect();
    let extra: Vec<&str> = genie.difference(&expected).copied().collect();
    if missing.is_empty() && extra.is_empty() {
        return None;
    }
    let joins_to_missing: Vec<(String, String)> = pair
        .expected
        .joins
        .iter()
        .filter_map(|join| {
            let left = join.left_table.clone().or_else(|| {
                pair.expected
                    .tables
                    .iter()
                    .map(|table| table.name.clone())
                    .find(|name| *name != join.right_table)
            })?;
            (missing.contains(&left.as_str()) || missing.contains(&join.right_table.as_str()))
                .then(|| (left, join.right_table.clone()))
        })
        .collect();
    let missing_list = quoted(&missing);
    if !missing.is_empty()
        && !joins_to_missing.is_empty()
        && pair.genie.joins.len() < pair.expected.joins.len()
    {
        let mut blame_set: Vec<BlameItem> = joins_to_missing
            .iter()
            .map(|(left, right)| BlameItem::Join {
                left: left.clone(),
                right: right.clone(),
            })
            .collect();
        blame_set.extend(missing.iter().map(|name| BlameItem::Table {
            identifier: (*name).to_owned(),
        }));
        let pairs: Vec<String> = joins_to_missing
            .iter()
            .map(|(left, right)| format!("`{left}` and `{right}`"))
            .collect();
        let condition = pair
            .expected
            .joins
            .iter()
            .find_map(|join| join.condition.clone())
            .map(|condition| format!(" (on `{condition}`)"))
            .unwrap_or_default();
        return Some(Finding {
            failure_type: FailureType::MissingJoin,
            rationale: format!(
                "Genie did not join {missing_list}, which the ground truth joins ({} join(s) \
                 against Genie's {})",
                pair.expected.joins.len(),
                pair.genie.joins.len()
            ),
            blame_set,
            counterfactual_fix: format!(
                "a join spec between {}{condition} would let Genie reach {missing_list}",
                pairs.join(", ")
            ),
        });
    }
    if !extra.is_empty() {
        let mut blame_set: Vec<BlameItem> = missing
            .iter()
            .chain(&extra)
            .map(|name| BlameItem::Table {
                identifier: (*name).to_owned(),
            })
            .collect();
        blame_set.sort();
        let (rationale, fix) = if missing.is_empty() {
            (
                format!(
                    "Genie also read {}, which the ground truth does not need",
                    quoted(&extra)
                ),
                format!(
                    "a table description saying what {} is not for",
                    quoted(&extra)
                ),
            )
        } else {
            (
                format!("Genie read {} instead of {missing_list}", quoted(&extra)),
                format!(
                    "a table description of {missing_list} naming what this question asks about \
                     (Genie chose {})",
                    quoted(&extra)
                ),
            )
        };
        return Some(Finding {
            failure_type: FailureType::WrongTable,
            rationale,
            blame_set,
            counterfactual_fix: fix,
        });
    }
    let construct = complex_construct(pair.expected)
        .unwrap_or_else(|| "a subquery over another table".to_owned());
    Some(Finding {
        failure_type: FailureType::ComplexPattern,
        rationale: format!(
            "the ground truth reaches {missing_list} through {construct}, which Genie's query \
             does not form"
        ),
        blame_set: missing
            .iter()
            .map(|name| BlameItem::Table {
                identifier: (*name).to_owned(),
            })
            .collect(),
        counterfactual_fix: format!(
            "an example SQL (or a table function) showing {construct} over {missing_list}"
        ),
    })
}

/// Both read the same tables but join them differently.
fn join_findings(pair: &Pair<'_>) -> Option<Finding> {
    let expected: BTreeSet<&str> = pair
        .expected
        .tables
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    let genie: BTreeSet<&str> = pair.genie.tables.iter().map(|t| t.name.as_str()).collect();
    if expected != genie {
        return None;
    }
    let mut blame_set = Vec::new();
    let mut details = Vec::new();
    for join in &pair.expected.joins {
        let same = pair.genie.joins.iter().find(|candidate| {
            candidate.right_table == join.right_table
                || candidate.left_table.as_deref() == Some(&join.right_table)
        });
        let differs = match same {
            None => true,
            Some(candidate) => {
                candidate.kind != join.kind
                    || (!join.equalities.is_empty()
                        && sorted(&candidate.equalities) != sorted(&join.equalities))
            }
        };
        if differs {
            let left = join.left_table.clone().unwrap_or_default();
            details.push(format!(
                "`{}`{}",
                join.right_table,
                join.condition
                    .as_ref()
                    .map(|condition| format!(" on `{condition}`"))
                    .unwrap_or_default()
            ));
            blame_set.push(BlameItem::Join {
                left,
                right: join.right_table.clone(),
            });
        }
    }
    if blame_set.is_empty() {
        return None;
    }
    Some(Finding {
        failure_type: FailureType::WrongJoin,
        rationale: format!(
            "Genie joins differently from the ground truth, which joins {}",
            details.join(", ")
        ),
        blame_set,
        counterfactual_fix: format!(
            "a join spec with the keys and type the ground truth uses: {}",
            details.join(", ")
        ),
    })
}

fn sorted(pairs: &[(ColumnRef, ColumnRef)]) -> Vec<(ColumnRef, ColumnRef)> {
    let mut pairs = pairs.to_vec();
    pairs.sort();
    pairs
}

/// The kind of asset a query reads: a table function, a metric view (`MEASURE()`),
/// or tables.
pub(crate) fn asset_used(facts: &SqlFacts) -> AssetType {
    if facts
        .tables
        .iter()
        .any(|table| table.kind == TableKind::Function)
    {
        AssetType::Function
    } else if !facts.measures.is_empty() {
        AssetType::MetricView
    } else {
        AssetType::Table
    }
}

/// Genie used another kind of asset than expected.
pub(crate) fn routing_finding(
    expected_asset: AssetType,
    expected: &SqlFacts,
    genie: &SqlFacts,
) -> Option<Finding> {
    let used = asset_used(genie);
    if used == expected_asset {
        return None;
    }
    let assets: Vec<BlameItem> = expected
        .tables
        .iter()
        .map(|table| match (expected_asset, table.kind) {
            (_, TableKind::Function) => BlameItem::Function {
                identifier: table.name.clone(),
            },
            (AssetType::MetricView, TableKind::Table) => BlameItem::MetricView {
                identifier: table.name.clone(),
            },
            _ => BlameItem::Table {
                identifier: table.name.clone(),
            },
        })
        .collect();
    let names: Vec<String> = expected
        .tables
        .iter()
        .map(|table| table.name.clone())
        .collect();
    Some(Finding {
        failure_type: FailureType::AssetRoutingError,
        rationale: format!(
            "the question should be answered from a {} but Genie used a {}",
            asset_name(expected_asset),
            asset_name(used)
        ),
        blame_set: assets,
        counterfactual_fix: format!(
            "a description (or instruction) routing questions like this to the {} {}",
            asset_name(expected_asset),
            quoted(&names.iter().map(String::as_str).collect::<Vec<_>>())
        ),
    })
}

fn asset_name(asset: AssetType) -> &'static str {
    match asset {
        AssetType::Table => "table",
        AssetType::MetricView => "metric view",
        AssetType::Function => "table function",
    }
}

/// Filters that differ: unmapped literals first, then other conditions.
fn filter_findings(pair: &Pair<'_>) -> Vec<Finding> {
    let question = words(&pair.benchmark.question);
    let expected_literals = all_value_literals(pair.expected);
    let genie_literals = all_value_literals(pair.genie);
    let mut unknown_blame = Vec::new();
    let mut unknown_details = Vec::new();
    let mut unknown_fixes = Vec::new();
    let mut explained: Vec<&Filter> = Vec::new();
    for filter in &pair.expected.filters {
        let lost: Vec<&String> = value_literals(filter)
            .filter(|literal| {
                !genie_literals.contains(*literal) && !question.contains(&words(literal))
            })
            .collect();
        if lost.is_empty() {
            continue;
        }
        explained.push(filter);
        let column = filter
            .column
            .as_ref()
            .map_or_else(|| "a column".to_owned(), describe);
        for literal in lost {
            unknown_details.push(format!("the ground truth filters {column} on `{literal}`"));
            unknown_fixes.push(format!(
                "value `{literal}` of {column} should be in a value dictionary (entity matching) \
                 or example values, so the question's words map to it"
            ));
        }
        unknown_blame.extend(filter.column.as_ref().map(column_blame));
    }
    for filter in &pair.genie.filters {
        let Some(column_ref) = &filter.column else {
            continue;
        };
        let unmapped: Vec<(&String, Option<bool>)> = value_literals(filter)
            .filter(|literal| !expected_literals.contains(*literal))
            .map(|literal| (literal, presence_of(pair.presence, column_ref, literal)))
            .filter(|(literal, present)| match present {
                Some(present) => !present,
                None => question.contains(&words(literal)),
            })
            .collect();
        if unmapped.is_empty() {
            continue;
        }
        explained.push(filter);
        let column = describe(column_ref);
        for (literal, present) in unmapped {
            unknown_details.push(if present.is_some() {
                format!("Genie filtered {column} on `{literal}`, a value not in the data")
            } else {
                format!(
                    "Genie filtered {column} on the question's words `{literal}`, which the \
                     ground truth does not use"
                )
            });
            unknown_fixes.push(format!(
                "the stored value meaning `{literal}` should be in a value dictionary or a \
                 synonym, so Genie does not filter {column} on the question's words"
            ));
        }
        unknown_blame.push(column_blame(column_ref));
    }
    let mut findings = Vec::new();
    if !unknown_details.is_empty() {
        dedup(&mut unknown_blame);
        findings.push(Finding {
            failure_type: FailureType::UnknownFilterValue,
            rationale: unknown_details.join("; "),
            blame_set: unknown_blame,
            counterfactual_fix: unknown_fixes.join("; "),
        });
    }
    let genie_filters: BTreeSet<&str> = pair
        .genie
        .filters
        .iter()
        .map(|f| f.expression.as_str())
        .collect();
    let expected_filters: BTreeSet<&str> = pair
        .expected
        .filters
        .iter()
        .map(|f| f.expression.as_str())
        .collect();
    let missing: Vec<&Filter> = pair
        .expected
        .filters
        .iter()
        .filter(|filter| !genie_filters.contains(filter.expression.as_str()))
        .filter(|filter| !explained.contains(filter))
        .collect();
    let extra: Vec<&Filter> = pair
        .genie
        .filters
        .iter()
        .filter(|filter| !expected_filters.contains(filter.expression.as_str()))
        .filter(|filter| !explained.contains(filter))
        .collect();
    if !missing.is_empty() || !extra.is_empty() {
        let mut blame_set: Vec<BlameItem> = missing
            .iter()
            .chain(&extra)
            .filter_map(|filter| filter.column.as_ref().map(column_blame))
            .collect();
        dedup(&mut blame_set);
        let mut parts = Vec::new();
        if !missing.is_empty() {
            parts.push(format!(
                "Genie lacks the condition(s) {}",
                quoted_filters(&missing)
            ));
        }
        if !extra.is_empty() {
            parts.push(format!("Genie adds {}", quoted_filters(&extra)));
        }
        let fix = if missing.is_empty() {
            format!(
                "an instruction or column description that keeps Genie from filtering on {}",
                quoted_filters(&extra)
            )
        } else {
            format!(
                "a filter snippet or instruction defining the condition {} for the question's words",
                quoted_filters(&missing)
            )
        };
        findings.push(Finding {
            failure_type: FailureType::WrongFilter,
            rationale: parts.join("; "),
            blame_set,
            counterfactual_fix: fix,
        });
    }
    findings
}

/// Whether `literal` of `column` is known to occur in the data.
fn presence_of(presence: &LiteralPresence, column: &ColumnRef, literal: &str) -> Option<bool> {
    let table = column.table.clone()?;
    presence
        .get(&(table, column.column.clone(), literal.to_owned()))
        .copied()
}

/// The `(table, column, literal)` of Genie's filter literals the ground truth does
/// not use, on columns of tables Genie reads: the ones whose presence in the data
/// decides between an unmapped value and a wrong filter.
pub(crate) fn presence_candidates(
    expected: &SqlFacts,
    genie: &SqlFacts,
) -> Vec<(String, String, String)> {
    let expected_literals = all_value_literals(expected);
    let tables: BTreeSet<&str> = genie
        .tables
        .iter()
        .filter(|table| table.kind == TableKind::Table)
        .map(|table| table.name.as_str())
        .collect();
    let mut candidates = Vec::new();
    for filter in &genie.filters {
        let Some(ColumnRef {
            table: Some(table),
            column,
        }) = &filter.column
        else {
            continue;
        };
        if !tables.contains(table.as_str()) {
            continue;
        }
        for literal in
            value_literals(filter).filter(|literal| !expected_literals.contains(*literal))
        {
            let candidate = (table.clone(), column.clone(), literal.clone());
            if !candidates.contains(&candidate) {
                candidates.push(candidate);
            }
        }
    }
    candidates
}

/// Measures that differ.
fn aggregate_findings(pair: &Pair<'_>) -> Option<Finding> {
    let key = |aggregate: &genie_core::sql::Aggregate| {
        (
            aggregate.function.clone(),
            aggregate.argument.clone(),
            aggregate.distinct,
            aggregate.filter.clone(),
        )
    };
    let genie: Vec<_> = pair
        .genie
        .aggregates
        .iter()
        .filter(|a| !a.window)
        .map(key)
        .collect();
    let missing: Vec<&genie_core::sql::Aggregate> = pair
        .expected
        .aggregates
        .iter()
        .filter(|aggregate| !aggregate.window && !genie.contains(&key(aggregate)))
        .collect();
    if missing.is_empty() {
        return None;
    }
    let columns: Vec<&ColumnRef> = pair
        .expected
        .columns
        .iter()
        .filter(|column| {
            missing
                .iter()
                .any(|aggregate| mentions(&aggregate.argument, column))
        })
        .collect();
    let genie_touches = pair.genie.aggregates.iter().any(|aggregate| {
        if columns.is_empty() {
            true
        } else {
            columns
                .iter()
                .any(|column| mentions(&aggregate.argument, column))
        }
    });
    let texts: Vec<String> = missing
        .iter()
        .map(|aggregate| aggregate_text(aggregate))
        .collect();
    let genie_texts: Vec<String> = pair
        .genie
        .aggregates
        .iter()
        .filter(|a| !a.window)
        .map(aggregate_text)
        .collect();
    let mut blame_set: Vec<BlameItem> = columns.iter().map(|column| column_blame(column)).collect();
    dedup(&mut blame_set);
    let measure = texts.join(", ");
    let genie_measure = if genie_texts.is_empty() {
        "no aggregate".to_owned()
    } else {
        genie_texts.join(", ")
    };
    Some(if genie_touches {
        Finding {
            failure_type: FailureType::WrongAggregation,
            rationale: format!(
                "the ground truth computes {measure}; Genie computes {genie_measure}"
            ),
            blame_set,
            counterfactual_fix: format!(
                "a measure snippet (or metric view measure) defining the measure as {measure}"
            ),
        }
    } else {
        Finding {
            failure_type: FailureType::MissingMeasure,
            rationale: format!(
                "the ground truth's measure {measure} uses columns Genie never aggregates \
                 (Genie computes {genie_measure})"
            ),
            blame_set,
            counterfactual_fix: format!(
                "a measure snippet (or metric view measure) named for the question's term and \
                 defined as {measure}"
            ),
        }
    })
}

fn aggregate_text(aggregate: &genie_core::sql::Aggregate) -> String {
    format!(
        "`{}({}{})`",
        aggregate.function,
        if aggregate.distinct { "DISTINCT " } else { "" },
        aggregate.argument
    )
}

/// The grain differs.
fn grouping_finding(pair: &Pair<'_>) -> Option<Finding> {
    if pair.expected.group_by_all || pair.genie.group_by_all {
        return None;
    }
    let expected: BTreeSet<&str> = pair.expected.group_by.iter().map(String::as_str).collect();
    let genie: BTreeSet<&str> = pair.genie.group_by.iter().map(String::as_str).collect();
    if expected == genie {
        return None;
    }
    let mut blame_set: Vec<BlameItem> = pair
        .expected
        .columns
        .iter()
        .filter(|column| expected.iter().any(|group| mentions(group, column)))
        .map(column_blame)
        .collect();
    dedup(&mut blame_set);
    let grain = |set: &BTreeSet<&str>| {
        if set.is_empty() {
            "no grouping".to_owned()
        } else {
            set.iter()
                .map(|g| format!("`{g}`"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    Some(Finding {
        failure_type: FailureType::WrongGrouping,
        rationale: format!(
            "the ground truth groups by {}; Genie by {}",
            grain(&expected),
            grain(&genie)
        ),
        blame_set,
        counterfactual_fix: format!(
            "a column synonym or description so the question's grain maps to {}",
            grain(&expected)
        ),
    })
}

/// Ordering or limit differ where they matter.
fn order_finding(pair: &Pair<'_>) -> Option<Finding> {
    let order_only = pair.comparison.is_some_and(|comparison| {
        comparison
            .reasons
            .contains(&DifferenceReason::RowOrderDifference)
    });
    let expected = pair.expected;
    let genie = pair.genie;
    let mut problems = Vec::new();
    if pair.benchmark.order_matters() {
        if expected.limit != genie.limit {
            problems.push(format!(
                "the ground truth limits to {}, Genie to {}",
                limit_text(expected.limit),
                limit_text(genie.limit)
            ));
        }
        let direction = |facts: &SqlFacts| facts.order_by.first().map(|item| item.descending);
        if direction(expected) != direction(genie) {
            problems.push("the ranking runs in another direction (or is missing)".to_owned());
        }
    } else if let (Some(limit), None) = (genie.limit, expected.limit) {
        let cut = pair.comparison.is_some_and(|comparison| {
            u64::try_from(comparison.diff.expected_row_count).unwrap_or(u64::MAX) > limit
        });
        if cut {
            problems.push(format!(
                "Genie cut the rows to {limit}; the question asks for all"
            ));
        }
    }
    if order_only {
        problems.push("the rows are right but in another order".to_owned());
    }
    if problems.is_empty() {
        return None;
    }
    Some(Finding {
        failure_type: FailureType::WrongOrderOrLimit,
        rationale: problems.join("; "),
        blame_set: vec![BlameItem::Instruction],
        counterfactual_fix: "an example SQL showing how questions like this rank and limit \
                             (ORDER BY … LIMIT n)"
            .to_owned(),
    })
}

fn limit_text(limit: Option<u64>) -> String {
    limit.map_or_else(|| "no limit".to_owned(), |limit| limit.to_string())
}

/// Columns of shared tables the ground truth uses and Genie does not.
fn column_finding(pair: &Pair<'_>) -> Option<Finding> {
    let genie_tables: BTreeSet<&str> = pair.genie.tables.iter().map(|t| t.name.as_str()).collect();
    // Join keys are the joins' business, not a column Genie failed to recognise.
    let join_keys: BTreeSet<&ColumnRef> = pair
        .expected
        .joins
        .iter()
        .flat_map(|join| {
            join.equalities
                .iter()
                .flat_map(|(left, right)| [left, right])
        })
        .collect();
    let missing: Vec<&ColumnRef> = pair
        .expected
        .columns
        .iter()
        .filter(|column| !join_keys.contains(column))
        .filter(|column| {
            column
                .table
                .as_deref()
                .is_some_and(|table| genie_tables.contains(table))
                && !pair.genie.columns.contains(column)
        })
        .collect();
    if missing.is_empty() {
        return None;
    }
    let substitutes: Vec<&ColumnRef> = pair
        .genie
        .columns
        .iter()
        .filter(|column| {
            !pair.expected.columns.contains(column)
                && missing.iter().any(|gone| gone.table == column.table)
        })
        .collect();
    let names: Vec<String> = missing.iter().map(|column| describe(column)).collect();
    let blame_set: Vec<BlameItem> = missing.iter().map(|column| column_blame(column)).collect();
    Some(if substitutes.is_empty() {
        Finding {
            failure_type: FailureType::MissingSynonym,
            rationale: format!("Genie never used {}", names.join(", ")),
            blame_set,
            counterfactual_fix: format!(
                "{} need(s) a synonym or description with the question's words",
                names.join(", ")
            ),
        }
    } else {
        let used: Vec<String> = substitutes.iter().map(|column| describe(column)).collect();
        Finding {
            failure_type: FailureType::WrongColumn,
            rationale: format!(
                "Genie used {} where the ground truth uses {}",
                used.join(", "),
                names.join(", ")
            ),
            blame_set,
            counterfactual_fix: format!(
                "{} need(s) a synonym or description with the question's words (Genie chose {})",
                names.join(", "),
                used.join(", ")
            ),
        }
    })
}

/// The ground truth is multi-step and Genie's query is not.
fn complexity_finding(pair: &Pair<'_>) -> Option<Finding> {
    let construct = complex_construct(pair.expected)?;
    if complex_construct(pair.genie).is_some() {
        return None;
    }
    Some(Finding {
        failure_type: FailureType::ComplexPattern,
        rationale: format!("the ground truth needs {construct}; Genie's query is single-step"),
        blame_set: tables_of(pair.expected),
        counterfactual_fix: format!(
            "an example SQL (or a table function) showing {construct} for questions like this"
        ),
    })
}

/// The multi-step construct a query uses, if any.
fn complex_construct(facts: &SqlFacts) -> Option<String> {
    if !facts.ctes.is_empty() {
        Some("common table expressions".to_owned())
    } else if facts.window_functions || facts.has_qualify {
        Some("a window function".to_owned())
    } else if let Some(operation) = &facts.set_operation {
        Some(format!("a `{operation}`"))
    } else if facts.filters.iter().any(|filter| {
        filter.operator.contains("EXISTS") || filter.expression.to_uppercase().contains("SELECT ")
    }) {
        Some("a subquery condition".to_owned())
    } else {
        None
    }
}

fn tables_of(facts: &SqlFacts) -> Vec<BlameItem> {
    facts
        .tables
        .iter()
        .map(|table| BlameItem::Table {
            identifier: table.name.clone(),
        })
        .collect()
}

/// A filter's literals that name values (not dates, numbers, booleans or parameters).
fn value_literals(filter: &Filter) -> impl Iterator<Item = &String> {
    filter.literals.iter().filter(|literal| is_value(literal))
}

/// Every value literal of a query: in its filters and in its aggregates' conditions.
fn all_value_literals(facts: &SqlFacts) -> BTreeSet<String> {
    let mut literals: BTreeSet<String> = facts
        .filters
        .iter()
        .flat_map(value_literals)
        .cloned()
        .collect();
    for aggregate in &facts.aggregates {
        literals.extend(quoted_strings(&aggregate.argument).filter(|l| is_value(l)));
        if let Some(filter) = &aggregate.filter {
            literals.extend(quoted_strings(filter).filter(|l| is_value(l)));
        }
    }
    literals
}

/// Whether a literal names a value: not a date, number, boolean, null or parameter.
pub(crate) fn is_value(literal: &str) -> bool {
    let trimmed = literal.trim();
    !(trimmed.is_empty()
        || trimmed.starts_with(':')
        || trimmed.parse::<f64>().is_ok()
        || is_date(trimmed)
        || ["true", "false", "null"].contains(&trimmed.to_lowercase().as_str()))
}

/// Whether a literal is a date or timestamp (`YYYY-MM-DD…`).
pub(crate) fn is_date(literal: &str) -> bool {
    let bytes = literal.as_bytes();
    bytes.len() >= 10
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && bytes[5..7].iter().all(u8::is_ascii_digit)
        && bytes[7] == b'-'
        && bytes[8..10].iter().all(u8::is_ascii_digit)
}

/// The single-quoted strings in canonical SQL text.
fn quoted_strings(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split('\'')
        .enumerate()
        .filter(|(index, _)| index % 2 == 1)
        .map(|(_, part)| part.to_owned())
}

/// Text as a padded sequence of lower-case words, so `contains` matches whole words.
fn words(text: &str) -> String {
    let mut out = String::from(" ");
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
    {
        out.push_str(&word.to_lowercase());
        out.push(' ');
    }
    out
}

/// Whether canonical text mentions a column (as `table.column` or bare).
fn mentions(text: &str, column: &ColumnRef) -> bool {
    let lower = text.to_lowercase();
    match &column.table {
        Some(table) => lower.contains(&format!("{table}.{}", column.column)),
        None => words(&lower).contains(&format!(" {} ", column.column)),
    }
}

fn describe(column: &ColumnRef) -> String {
    match &column.table {
        Some(table) => format!("column `{}` of `{table}`", column.column),
        None => format!("column `{}`", column.column),
    }
}

fn column_blame(column: &ColumnRef) -> BlameItem {
    BlameItem::Column {
        table: column.table.clone().unwrap_or_default(),
        column: column.column.clone(),
    }
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn quoted_filters(filters: &[&Filter]) -> String {
    filters
        .iter()
        .map(|filter| format!("`{}`", filter.expression))
        .collect::<Vec<_>>()
        .join(", ")
}

fn dedup(items: &mut Vec<BlameItem>) {
    items.sort();
    items.dedup();
}

#[cfg(test)]
mod tests;
