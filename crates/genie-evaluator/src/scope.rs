//! Which questions a [`Scope`] covers.
//!
//! A slice is the questions whose blame set in the previous report touches a patched
//! object, plus the questions the patch set claims to fix. Without a previous report
//! only the claimed questions are in the slice.

use std::collections::BTreeSet;

use genie_core::benchmark::{Benchmark, BenchmarkSet, Priority, Split};
use genie_core::evaluation::{BlameItem, EvalReport, Scope};

/// The benchmarks in scope, in the set's order.
pub(crate) fn select<'a>(
    set: &'a BenchmarkSet,
    scope: &Scope,
    previous: Option<&EvalReport>,
) -> Vec<&'a Benchmark> {
    match scope {
        Scope::Full | Scope::Repeatability { .. } => set.benchmarks.iter().collect(),
        Scope::P0 => set
            .benchmarks
            .iter()
            .filter(|benchmark| benchmark.priority == Priority::P0)
            .collect(),
        Scope::HeldOut => set
            .benchmarks
            .iter()
            .filter(|benchmark| benchmark.split == Split::HeldOut)
            .collect(),
        Scope::Slice {
            patched_objects,
            target_questions,
        } => {
            let mut ids: BTreeSet<&str> = target_questions.iter().map(String::as_str).collect();
            if let Some(previous) = previous {
                for row in &previous.rows {
                    let blamed = row
                        .verdicts
                        .iter()
                        .flat_map(|verdict| &verdict.blame_set)
                        .any(|blame| {
                            patched_objects
                                .iter()
                                .any(|patched| touches(blame, patched))
                        });
                    if blamed {
                        ids.insert(&row.id);
                    }
                }
            }
            set.benchmarks
                .iter()
                .filter(|benchmark| ids.contains(benchmark.id.as_str()))
                .collect()
        }
    }
}

/// Whether a blamed object is (part of) a patched one: the same item, a column of a
/// patched table, or a join of a patched table.
pub(crate) fn touches(blame: &BlameItem, patched: &BlameItem) -> bool {
    if blame == patched {
        return true;
    }
    let table_of = |item: &BlameItem| match item {
        BlameItem::Table { identifier }
        | BlameItem::MetricView { identifier }
        | BlameItem::Function { identifier } => Some(identifier.clone()),
        _ => None,
    };
    match (blame, patched) {
        (BlameItem::Column { table, .. }, other) => table_of(other).is_some_and(|t| &t == table),
        (BlameItem::Join { left, right }, other) => {
            table_of(other).is_some_and(|t| &t == left || &t == right)
                || matches!(other, BlameItem::Join { left: l, right: r }
                    if (l == right && r == left))
        }
        (
            table,
            BlameItem::Column {
                table: column_table,
                ..
            },
        ) => table_of(table).is_some_and(|t| &t == column_table),
        (table, BlameItem::Join { left, right }) => {
            table_of(table).is_some_and(|t| &t == left || &t == right)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str) -> BlameItem {
        BlameItem::Table {
            identifier: name.to_owned(),
        }
    }

    #[test]
    fn columns_and_joins_of_a_patched_table_are_touched() {
        let column = BlameItem::Column {
            table: "a.b.t".to_owned(),
            column: "c".to_owned(),
        };
        let join = BlameItem::Join {
            left: "a.b.u".to_owned(),
            right: "a.b.t".to_owned(),
        };
        assert!(touches(&column, &table("a.b.t")));
        assert!(touches(&join, &table("a.b.t")));
        assert!(touches(&table("a.b.t"), &column));
        assert!(!touches(&column, &table("a.b.u")));
        assert!(!touches(&BlameItem::Instruction, &table("a.b.t")));
        assert!(touches(&BlameItem::Instruction, &BlameItem::Instruction));
    }
}
