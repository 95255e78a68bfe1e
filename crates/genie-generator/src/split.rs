//! The train / held-out split when a set declares none: deterministic and stratified
//! by category.
//!
//! The file format's `split` defaults to `train`, so "no split declared" is read as
//! "no question is `held_out`". Then each category (questions without one form their
//! own group) holds out its share of [`Config::holdout_fraction`](crate::Config):
//! the whole set holds out `round(n × fraction)` questions, each category `floor` or
//! `ceil` of its exact share (largest remainders first, ties by category name), and
//! within a category the questions whose ids hash lowest. Only ids and categories
//! decide: no randomness, and the same set always splits the same way.

use std::collections::BTreeMap;

use genie_core::benchmark::{Benchmark, Split};
use genie_core::canonical::ContentHash;

/// Holds out a stratified `fraction` of `benchmarks` when none is held out yet;
/// returns how many it held out (0 when a split was declared).
pub(crate) fn split_if_undeclared(benchmarks: &mut [Benchmark], fraction: f64) -> usize {
    if benchmarks.iter().any(|b| b.split == Split::HeldOut) {
        return 0;
    }
    let mut by_category: BTreeMap<Option<&str>, Vec<usize>> = BTreeMap::new();
    for (index, benchmark) in benchmarks.iter().enumerate() {
        by_category
            .entry(benchmark.category.as_deref())
            .or_default()
            .push(index);
    }
    let quotas = quotas(
        &by_category.values().map(Vec::len).collect::<Vec<_>>(),
        fraction,
    );
    let mut held_out = Vec::new();
    for (members, quota) in by_category.values().zip(quotas) {
        let mut ordered: Vec<(ContentHash, &str, usize)> = members
            .iter()
            .map(|&index| {
                let id = benchmarks[index].id.as_str();
                (ContentHash::of_bytes(id.as_bytes()), id, index)
            })
            .collect();
        ordered.sort();
        held_out.extend(ordered.iter().take(quota).map(|(_, _, index)| *index));
    }
    for &index in &held_out {
        benchmarks[index].split = Split::HeldOut;
    }
    held_out.len()
}

/// How many of each group to hold out: the total is `round(sum × fraction)`, each
/// group gets the floor of its exact share, and the rest go one each to the groups
/// with the largest remainders (earlier groups first on ties).
fn quotas(sizes: &[usize], fraction: f64) -> Vec<usize> {
    let total: usize = sizes.iter().sum();
    let target = share(total, fraction).round();
    let exact: Vec<f64> = sizes.iter().map(|&size| share(size, fraction)).collect();
    let mut quotas: Vec<usize> = exact.iter().map(|share| to_count(share.floor())).collect();
    let assigned: usize = quotas.iter().sum();
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by(|&a, &b| {
        let remainder = |i: usize| exact[i] - exact[i].floor();
        remainder(b).total_cmp(&remainder(a)).then(a.cmp(&b))
    });
    for &group in order.iter().take(to_count(target).saturating_sub(assigned)) {
        quotas[group] += 1;
    }
    quotas
}

/// `size × fraction` as a float (sizes are far below 2^52).
fn share(size: usize, fraction: f64) -> f64 {
    #[expect(
        clippy::cast_precision_loss,
        reason = "benchmark counts are far below 2^52"
    )]
    let size = size as f64;
    size * fraction
}

/// A non-negative whole float as a count.
fn to_count(value: f64) -> usize {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "the value is a non-negative whole number below the benchmark count"
    )]
    let count = value.max(0.0) as usize;
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::tests::benchmark;

    fn set(categories: &[(&str, usize)]) -> Vec<Benchmark> {
        categories
            .iter()
            .flat_map(|&(category, count)| {
                (0..count).map(move |i| benchmark(&format!("{category}_{i}"), Some(category)))
            })
            .collect()
    }

    fn held_out_ids(benchmarks: &[Benchmark]) -> Vec<&str> {
        benchmarks
            .iter()
            .filter(|b| b.split == Split::HeldOut)
            .map(|b| b.id.as_str())
            .collect()
    }

    #[test]
    fn stratified_proportions() {
        let mut benchmarks = set(&[("join", 10), ("filter", 20), ("top_n", 7)]);
        let held = split_if_undeclared(&mut benchmarks, 0.3);
        assert_eq!(held, 11, "round(37 × 0.3)");
        let count = |category: &str| {
            benchmarks
                .iter()
                .filter(|b| b.split == Split::HeldOut && b.category.as_deref() == Some(category))
                .count()
        };
        assert_eq!((count("join"), count("filter"), count("top_n")), (3, 6, 2));
    }

    #[test]
    fn uncategorized_questions_form_their_own_stratum() {
        let mut benchmarks = set(&[("a", 4)]);
        benchmarks.extend((0..6).map(|i| benchmark(&format!("plain_{i}"), None)));
        assert_eq!(split_if_undeclared(&mut benchmarks, 0.5), 5);
        let plain = held_out_ids(&benchmarks)
            .iter()
            .filter(|id| id.starts_with("plain"))
            .count();
        assert_eq!(plain, 3);
    }

    #[test]
    fn deterministic_by_id_whatever_the_order() {
        let mut forward = set(&[("x", 9), ("y", 5)]);
        let mut backward: Vec<Benchmark> = forward.iter().rev().cloned().collect();
        split_if_undeclared(&mut forward, 0.3);
        split_if_undeclared(&mut backward, 0.3);
        let mut a = held_out_ids(&forward);
        let mut b = held_out_ids(&backward);
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b);
        assert_eq!(a.len(), 4);
        // Not simply the first ids of each category: the hash orders them.
        let mut again = set(&[("x", 9), ("y", 5)]);
        split_if_undeclared(&mut again, 0.3);
        let mut c = held_out_ids(&again);
        c.sort_unstable();
        assert_eq!(a, c);
    }

    #[test]
    fn declared_splits_are_kept_and_zero_holds_out_nothing() {
        let mut benchmarks = set(&[("x", 10)]);
        benchmarks[4].split = Split::HeldOut;
        assert_eq!(split_if_undeclared(&mut benchmarks, 0.3), 0);
        assert_eq!(held_out_ids(&benchmarks), ["x_4"]);
        let mut untouched = set(&[("x", 10)]);
        assert_eq!(split_if_undeclared(&mut untouched, 0.0), 0);
        assert!(held_out_ids(&untouched).is_empty());
    }

    #[test]
    fn quotas_follow_largest_remainders() {
        assert_eq!(
            quotas(&[1, 1, 1], 0.3),
            [1, 0, 0],
            "round(0.9) = 1, first on ties"
        );
        assert_eq!(
            quotas(&[5, 2], 0.3),
            [1, 1],
            "1.5 + 0.6 = 2.1 → 2; floors 1 + 0, then 0.6 wins"
        );
        assert_eq!(quotas(&[], 0.3), Vec::<usize>::new());
    }
}
