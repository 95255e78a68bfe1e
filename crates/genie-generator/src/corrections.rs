//! Arbiter corrections: once the arbiter has found at least
//! [`Config::min_corrections`](crate::Config::min_corrections) wrong ground truths, a
//! new version of the set replaces them.
//!
//! Fewer corrections are an error ([`Error::TooFewCorrections`]), never a silent
//! no-op: the caller asked for a new version and gets none. The new version keeps
//! every other question as it was, gets a new content hash, and its dataset name is
//! the original's with the next `@vN` suffix (`…@v2`, then `…@v3`). A corrected user
//! question becomes [`BenchmarkSource::Corrected`]; a synthesized one stays
//! synthesized, so machine-made questions are never passed off as a user's.

use std::collections::{BTreeMap, BTreeSet};

use genie_core::benchmark::{BenchmarkSet, BenchmarkSource};
use genie_core::workers::BenchmarkCorrection;

use crate::error::Error;

/// Checks the corrections against the set: enough of them, each for a distinct
/// question the set scores.
pub(crate) fn check_corrections(
    set: &BenchmarkSet,
    corrections: &[BenchmarkCorrection],
    minimum: usize,
) -> Result<(), Error> {
    if corrections.len() < minimum {
        return Err(Error::TooFewCorrections {
            count: corrections.len(),
            minimum,
        });
    }
    let mut seen = BTreeSet::new();
    for correction in corrections {
        if !seen.insert(correction.id.as_str()) {
            return Err(Error::DuplicateCorrection {
                id: correction.id.clone(),
            });
        }
        if !set.benchmarks.iter().any(|b| b.id == correction.id) {
            return Err(Error::UnknownCorrection {
                id: correction.id.clone(),
                excluded: set.excluded.iter().any(|e| e.id == correction.id),
            });
        }
    }
    Ok(())
}

/// The new version of `set`: each benchmark in `validated_sql` (id → its corrected,
/// validated SQL) gets it, the rest are unchanged.
pub(crate) fn corrected_set(
    set: &BenchmarkSet,
    validated_sql: &BTreeMap<String, String>,
) -> BenchmarkSet {
    let benchmarks = set
        .benchmarks
        .iter()
        .map(|benchmark| {
            let mut benchmark = benchmark.clone();
            if let Some(sql) = validated_sql.get(&benchmark.id) {
                benchmark.expected_sql.clone_from(sql);
                if benchmark.source == BenchmarkSource::User {
                    benchmark.source = BenchmarkSource::Corrected;
                }
            }
            benchmark
        })
        .collect();
    let mut corrected = BenchmarkSet::new(set.domain.clone(), benchmarks, set.excluded.clone());
    corrected.dataset_name = next_version_name(&set.dataset_name);
    corrected
}

/// `name@v2` for `name`, `name@v{N+1}` for `name@vN`.
pub(crate) fn next_version_name(name: &str) -> String {
    if let Some((base, version)) = name.rsplit_once("@v")
        && let Ok(number) = version.parse::<u32>()
        && !version.starts_with('+')
    {
        return format!("{base}@v{}", number.saturating_add(1));
    }
    format!("{name}@v2")
}

#[cfg(test)]
mod tests {
    use genie_core::benchmark::ExcludedBenchmark;

    use super::*;
    use crate::load::tests::benchmark;

    fn set() -> BenchmarkSet {
        let mut synthesized = benchmark("d", None);
        synthesized.source = BenchmarkSource::Synthesized;
        BenchmarkSet::new(
            Some("shop".into()),
            vec![
                benchmark("a", None),
                benchmark("b", None),
                benchmark("c", None),
                synthesized,
            ],
            vec![ExcludedBenchmark {
                id: "gone".into(),
                reason: "the ground truth returned no rows".into(),
            }],
        )
    }

    fn correction(id: &str) -> BenchmarkCorrection {
        BenchmarkCorrection {
            id: id.into(),
            corrected_sql: format!("SELECT 'fixed {id}'"),
            rationale: "the arbiter said so".into(),
        }
    }

    #[test]
    fn fewer_than_the_minimum_is_an_error() {
        let error = check_corrections(&set(), &[correction("a"), correction("b")], 3).unwrap_err();
        assert_eq!(
            error.to_string(),
            "2 correction(s) given, a new benchmark version needs at least 3"
        );
        check_corrections(
            &set(),
            &[correction("a"), correction("b"), correction("c")],
            3,
        )
        .unwrap();
    }

    #[test]
    fn unknown_excluded_and_duplicate_ids_are_named() {
        let check = |ids: &[&str]| {
            check_corrections(
                &set(),
                &ids.iter().map(|id| correction(id)).collect::<Vec<_>>(),
                1,
            )
            .unwrap_err()
            .to_string()
        };
        assert_eq!(
            check(&["a", "zz"]),
            "correction for `zz`: no such benchmark in the set"
        );
        assert_eq!(
            check(&["gone"]),
            "correction for `gone`: the question is excluded from the set"
        );
        assert_eq!(check(&["a", "b", "a"]), "two corrections for `a`");
    }

    #[test]
    fn a_new_version_with_a_new_hash_and_name() {
        let original = set();
        let sql: BTreeMap<String, String> = ["a", "b", "d"]
            .iter()
            .map(|id| ((*id).to_owned(), format!("SELECT 'fixed {id}'")))
            .collect();
        let v2 = corrected_set(&original, &sql);
        assert_ne!(v2.content_hash, original.content_hash);
        assert_eq!(v2.dataset_name, format!("{}@v2", original.dataset_name));
        assert_eq!(v2.excluded, original.excluded);
        assert_eq!(v2.benchmarks[0].expected_sql, "SELECT 'fixed a'");
        assert_eq!(v2.benchmarks[0].source, BenchmarkSource::Corrected);
        assert_eq!(
            v2.benchmarks[2], original.benchmarks[2],
            "uncorrected questions stay"
        );
        assert_eq!(v2.benchmarks[3].source, BenchmarkSource::Synthesized);
        let v3 = corrected_set(&v2, &sql);
        assert_eq!(v3.dataset_name, format!("{}@v3", original.dataset_name));
        assert_eq!(v3.content_hash, v2.content_hash, "same content, same hash");
    }

    #[test]
    fn version_suffixes() {
        assert_eq!(next_version_name("x"), "x@v2");
        assert_eq!(next_version_name("x@v9"), "x@v10");
        assert_eq!(next_version_name("x@vnext"), "x@vnext@v2");
        assert_eq!(next_version_name("x@v+1"), "x@v+1@v2");
    }
}
