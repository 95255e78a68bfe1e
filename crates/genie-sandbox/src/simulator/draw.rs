//! The seeded draw that settles ties: a hash of (seed, question, attempt, place), so
//! the same question asked again may read an ambiguous phrase differently — missing
//! metadata shows up as non-repeatability — while a run with the same seed and the
//! same order of questions is reproducible.

use super::Draw;

/// An index below `count` (`count` > 0) for the tie at `place` of `question`.
pub(crate) fn pick(draw: Draw, question: &str, place: usize, count: usize) -> usize {
    if count <= 1 {
        return 0;
    }
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in question.trim().to_lowercase().bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let mixed =
        mix(hash ^ mix(draw.seed) ^ mix(draw.attempt.wrapping_add(0x51)) ^ mix(place as u64));
    usize::try_from(mixed % count as u64).unwrap_or(0)
}

/// Whether the runner-up reading wins at `place` of `question`, its strength `gap`
/// below the strongest: with probability noise × 2^(−gap/4).
pub(crate) fn noise_wins(draw: Draw, question: &str, place: usize, gap: u32) -> bool {
    if draw.noise_ppm == 0 {
        return false;
    }
    let chance = f64::from(draw.noise_ppm) / 1_000_000.0 * (-f64::from(gap) / 4.0).exp2();
    let roll = pick(draw, question, place.wrapping_add(0x004e_015e), 1_000_000);
    #[expect(clippy::cast_precision_loss, reason = "below one million")]
    let roll = roll as f64 / 1_000_000.0;
    roll < chance
}

/// splitmix64's finaliser.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_reproducible_and_vary_with_the_attempt() {
        let first = Draw {
            seed: 7,
            ..Draw::default()
        };
        assert_eq!(pick(first, "q", 1, 5), pick(first, "Q ", 1, 5));
        let spread: std::collections::BTreeSet<usize> = (0..40)
            .map(|attempt| {
                pick(
                    Draw {
                        seed: 7,
                        attempt,
                        ..Draw::default()
                    },
                    "q",
                    1,
                    3,
                )
            })
            .collect();
        assert_eq!(spread.len(), 3);
        assert_eq!(pick(first, "q", 1, 1), 0);
    }

    #[test]
    fn noise_wins_more_often_on_small_gaps_and_never_without_noise() {
        let share = |noise: f64, gap: u32| {
            (0..2000)
                .filter(|&attempt| noise_wins(Draw::with_noise(1, attempt, noise), "q", 3, gap))
                .count()
        };
        assert_eq!(share(0.0, 0), 0);
        let (small, large) = (share(0.5, 1), share(0.5, 12));
        assert!(small > 600 && small < 1100, "{small}");
        assert!(large < small / 4, "{large} vs {small}");
    }
}
