//! [`Faults`]: the misbehaviour a sandbox injects (errors, throttling, stalls, dropped
//! connections, failed messages, unsafe SQL, stale configs), read from a YAML file,
//! and the seeded draws that decide when each fault fires.
//!
//! There is no random number generator: a draw is a splitmix64 hash of the seed, the
//! fault's kind and either a per-kind counter (request faults) or the question and its
//! attempt number (message faults), so the same seed and the same calls give the same
//! faults.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Deserialize;

use super::mix::{hash_bytes, splitmix64, unit_interval};

/// The faults and limits of a sandbox. Every key is optional; [`Faults::default`] injects
/// nothing and answers immediately.
///
/// Rates are probabilities in `[0, 1]`, drawn independently per eligible call.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Faults {
    /// The seed of every draw, and the simulator's seed. Default 0.
    pub seed: u64,
    /// Multiplies every latency, wait and rate window (`0.01` runs a minute-long
    /// scenario in 0.6 s). Must be positive. Default 1.
    pub time_scale: f64,
    /// How long a Genie message stays in each status before the next
    /// (`SUBMITTED`, `FETCHING_METADATA`, `FILTERING_CONTEXT`, `ASKING_AI`, then for a
    /// query `PENDING_WAREHOUSE` and `EXECUTING_QUERY`), in milliseconds. With 0 the
    /// first poll sees the final status. Default 0.
    pub status_latency_ms: u64,
    /// Genie questions (start-conversation and create-message POSTs) admitted per
    /// minute (a sliding window of one minute × `time_scale`); beyond it HTTP 429
    /// `RESOURCE_EXHAUSTED` with a `Retry-After` header. Default: no limit.
    pub genie_qpm: Option<u32>,
    /// Share of API calls answered HTTP 429 `RESOURCE_EXHAUSTED` (with `Retry-After`).
    pub error_rate_429: f64,
    /// Share of API calls answered HTTP 500 `INTERNAL_ERROR`.
    pub error_rate_500: f64,
    /// Share of API calls answered HTTP 503 `TEMPORARILY_UNAVAILABLE`.
    pub error_rate_503: f64,
    /// Share of Genie messages that end `FAILED` (drawn per question and attempt).
    pub failed_message_rate: f64,
    /// Share of get-message polls that hang until the client gives up.
    pub stalled_poll_rate: f64,
    /// Share of API calls whose connection is closed without a complete response.
    pub dropped_connection_rate: f64,
    /// How long a space change takes to reach Genie, in milliseconds: a question sees
    /// the space's config as of this long ago. Default 0.
    pub propagation_delay_ms: u64,
    /// Share of `PATCH`es carrying an `etag` that find another writer modified the
    /// space first: the stored etag moves and the answer is HTTP 409
    /// `RESOURCE_CONFLICT`.
    pub etag_conflict_rate: f64,
    /// Share of Genie answers whose SQL is unsafe (`DROP TABLE` of a table of the
    /// space, or the answer's SQL followed by a second statement); the sandbox never
    /// runs it (drawn per question and attempt).
    pub unsafe_sql_rate: f64,
    /// How often Genie settles on a weaker reading of a phrase (0 to 1): the
    /// runner-up reading wins with this probability × 2^(−gap/4), the gap being how
    /// much weaker it is, drawn per question, attempt and phrase. 0 (the default)
    /// reads without noise; end-to-end runs use 0.05 ([`Faults::END_TO_END_READING_NOISE`]).
    pub reading_noise: f64,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            seed: 0,
            time_scale: 1.0,
            status_latency_ms: 0,
            genie_qpm: None,
            error_rate_429: 0.0,
            error_rate_500: 0.0,
            error_rate_503: 0.0,
            failed_message_rate: 0.0,
            stalled_poll_rate: 0.0,
            dropped_connection_rate: 0.0,
            propagation_delay_ms: 0,
            etag_conflict_rate: 0.0,
            unsafe_sql_rate: 0.0,
            reading_noise: 0.0,
        }
    }
}

/// Why a faults configuration was refused; each names the file (or `command line`) and
/// the key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FaultsError {
    /// The file could not be read.
    #[error("cannot read faults file `{path}`")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not YAML of the expected shape (an unknown key, a wrong type).
    #[error("faults file `{path}`: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message, naming the key.
        message: String,
    },
    /// A value is out of its range.
    #[error("faults from {source_name}: `{key}` {requirement}, not `{value}`")]
    OutOfRange {
        /// The file (in backticks) or `command line`.
        source_name: String,
        /// The key.
        key: &'static str,
        /// What it must be.
        requirement: &'static str,
        /// The value given.
        value: String,
    },
}

impl Faults {
    /// Reads and validates a faults YAML file. An empty file is no faults.
    pub fn from_file(path: &Path) -> Result<Self, FaultsError> {
        let text = std::fs::read_to_string(path).map_err(|source| FaultsError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_yaml(&text, path)
    }

    /// Parses and validates faults YAML; `path` names the file in errors.
    pub fn from_yaml(text: &str, path: &Path) -> Result<Self, FaultsError> {
        let faults = if text
            .lines()
            .all(|line| line.trim().is_empty() || line.trim_start().starts_with('#'))
        {
            Self::default()
        } else {
            serde_saphyr::from_str::<Self>(text).map_err(|error| FaultsError::Parse {
                path: path.to_owned(),
                message: error.to_string(),
            })?
        };
        faults.validate(&format!("`{}`", path.display()))?;
        Ok(faults)
    }

    /// Checks every rate is in `[0, 1]` and `time_scale` is positive and finite;
    /// `source_name` says where the values came from.
    pub fn validate(&self, source_name: &str) -> Result<(), FaultsError> {
        if !(self.time_scale.is_finite() && self.time_scale > 0.0) {
            return Err(FaultsError::OutOfRange {
                source_name: source_name.to_owned(),
                key: "time_scale",
                requirement: "must be a positive number",
                value: self.time_scale.to_string(),
            });
        }
        if !(0.0..=1.0).contains(&self.reading_noise) {
            return Err(FaultsError::OutOfRange {
                source_name: source_name.to_owned(),
                key: "reading_noise",
                requirement: "must be between 0 and 1",
                value: self.reading_noise.to_string(),
            });
        }
        for kind in FaultKind::ALL {
            let Some(rate) = self.rate(kind) else {
                continue;
            };
            if !(0.0..=1.0).contains(&rate) {
                return Err(FaultsError::OutOfRange {
                    source_name: source_name.to_owned(),
                    key: kind.key(),
                    requirement: "must be between 0 and 1",
                    value: rate.to_string(),
                });
            }
        }
        Ok(())
    }

    /// The reading noise end-to-end runs use: enough variance that repeatability and
    /// keep-or-rollback decisions meet it, little enough that a curated space still
    /// answers its questions.
    pub const END_TO_END_READING_NOISE: f64 = 0.05;

    /// The rate of `kind`, or `None` for the limit that is not a rate.
    pub fn rate(&self, kind: FaultKind) -> Option<f64> {
        match kind {
            FaultKind::Error429 => Some(self.error_rate_429),
            FaultKind::Error500 => Some(self.error_rate_500),
            FaultKind::Error503 => Some(self.error_rate_503),
            FaultKind::FailedMessage => Some(self.failed_message_rate),
            FaultKind::StalledPoll => Some(self.stalled_poll_rate),
            FaultKind::DroppedConnection => Some(self.dropped_connection_rate),
            FaultKind::EtagConflict => Some(self.etag_conflict_rate),
            FaultKind::UnsafeSql => Some(self.unsafe_sql_rate),
            FaultKind::QpmLimit => None,
        }
    }

    /// `millis` of sandbox time in wall-clock milliseconds (× `time_scale`).
    #[expect(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "durations are far below 2^52 ms and the product is non-negative"
    )]
    pub fn scaled(&self, millis: u64) -> u64 {
        (millis as f64 * self.time_scale).round() as u64
    }
}

/// The kinds of injected fault (and the Genie rate limit), named in the audit by their
/// configuration key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultKind {
    /// HTTP 429 on any call.
    Error429,
    /// HTTP 500 on any call.
    Error500,
    /// HTTP 503 on any call.
    Error503,
    /// A message that ends `FAILED`.
    FailedMessage,
    /// A get-message poll that hangs.
    StalledPoll,
    /// A connection closed without a response.
    DroppedConnection,
    /// A `PATCH` that loses an etag race.
    EtagConflict,
    /// A Genie answer with unsafe SQL.
    UnsafeSql,
    /// A Genie question beyond `genie_qpm`.
    QpmLimit,
}

impl FaultKind {
    /// Every kind.
    pub const ALL: [Self; 9] = [
        Self::Error429,
        Self::Error500,
        Self::Error503,
        Self::FailedMessage,
        Self::StalledPoll,
        Self::DroppedConnection,
        Self::EtagConflict,
        Self::UnsafeSql,
        Self::QpmLimit,
    ];

    /// Its key in the faults file.
    pub fn key(self) -> &'static str {
        match self {
            Self::Error429 => "error_rate_429",
            Self::Error500 => "error_rate_500",
            Self::Error503 => "error_rate_503",
            Self::FailedMessage => "failed_message_rate",
            Self::StalledPoll => "stalled_poll_rate",
            Self::DroppedConnection => "dropped_connection_rate",
            Self::EtagConflict => "etag_conflict_rate",
            Self::UnsafeSql => "unsafe_sql_rate",
            Self::QpmLimit => "genie_qpm",
        }
    }

    fn index(self) -> usize {
        Self::ALL
            .iter()
            .position(|kind| *kind == self)
            .unwrap_or_default()
    }
}

/// A uniform draw in `[0, 1)` for (`seed`, `kind`, `key`).
pub(crate) fn draw(seed: u64, kind: FaultKind, key: u64) -> f64 {
    unit_interval(splitmix64(
        splitmix64(seed ^ hash_bytes(0, kind.key().as_bytes())) ^ key,
    ))
}

/// Decides, reproducibly, which calls get which fault.
#[derive(Debug)]
pub(crate) struct FaultDice {
    faults: Faults,
    counters: [AtomicU64; FaultKind::ALL.len()],
}

impl FaultDice {
    /// Dice for `faults`.
    pub(crate) fn new(faults: Faults) -> Self {
        Self {
            faults,
            counters: Default::default(),
        }
    }

    /// The configuration.
    pub(crate) fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Whether the next eligible call gets fault `kind` (the kind's own counter is the
    /// draw's key).
    pub(crate) fn roll(&self, kind: FaultKind) -> bool {
        let rate = self.faults.rate(kind).unwrap_or(0.0);
        if rate <= 0.0 {
            return false;
        }
        let count = self.counters[kind.index()].fetch_add(1, Ordering::Relaxed);
        draw(self.faults.seed, kind, count) < rate
    }

    /// Whether the question `question` asked for the `attempt`-th time gets fault
    /// `kind` (the same question and attempt always draw the same).
    pub(crate) fn roll_for_question(&self, kind: FaultKind, question: &str, attempt: u64) -> bool {
        let rate = self.faults.rate(kind).unwrap_or(0.0);
        rate > 0.0
            && draw(
                self.faults.seed,
                kind,
                hash_bytes(attempt, question.as_bytes()),
            ) < rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Faults, FaultsError> {
        Faults::from_yaml(text, Path::new("faults.yaml"))
    }

    #[test]
    fn empty_file_is_no_faults() {
        assert_eq!(parse("").unwrap(), Faults::default());
        assert_eq!(parse("# nothing\n\n").unwrap(), Faults::default());
    }

    #[test]
    fn reads_every_key() {
        let faults = parse(
            "seed: 7\ntime_scale: 0.5\nstatus_latency_ms: 200\ngenie_qpm: 5\n\
             error_rate_429: 0.1\nerror_rate_500: 0.2\nerror_rate_503: 0.3\n\
             failed_message_rate: 0.4\nstalled_poll_rate: 0.05\n\
             dropped_connection_rate: 0.06\npropagation_delay_ms: 1500\n\
             etag_conflict_rate: 0.7\nunsafe_sql_rate: 0.8\nreading_noise: 0.05\n",
        )
        .unwrap();
        assert_eq!(
            faults,
            Faults {
                seed: 7,
                time_scale: 0.5,
                status_latency_ms: 200,
                genie_qpm: Some(5),
                error_rate_429: 0.1,
                error_rate_500: 0.2,
                error_rate_503: 0.3,
                failed_message_rate: 0.4,
                stalled_poll_rate: 0.05,
                dropped_connection_rate: 0.06,
                propagation_delay_ms: 1500,
                etag_conflict_rate: 0.7,
                unsafe_sql_rate: 0.8,
                reading_noise: 0.05,
            }
        );
    }

    #[test]
    fn unknown_key_is_named_with_the_file() {
        let message = parse("seed: 1\nerror_rate_502: 0.1\n")
            .unwrap_err()
            .to_string();
        assert!(message.contains("faults.yaml"), "{message}");
        assert!(message.contains("error_rate_502"), "{message}");
    }

    #[test]
    fn wrong_type_is_refused_with_the_file() {
        let message = parse("genie_qpm: many\n").unwrap_err().to_string();
        assert!(message.contains("faults.yaml"), "{message}");
    }

    #[test]
    fn out_of_range_values_name_the_key() {
        let message = parse("error_rate_500: 1.5\n").unwrap_err().to_string();
        assert!(
            message.contains("`error_rate_500`") && message.contains("`faults.yaml`"),
            "{message}"
        );
        let message = parse("time_scale: 0\n").unwrap_err().to_string();
        assert!(message.contains("`time_scale`"), "{message}");
    }

    #[test]
    fn scaling_multiplies_by_time_scale() {
        let faults = Faults {
            time_scale: 0.01,
            ..Faults::default()
        };
        assert_eq!(faults.scaled(60_000), 600);
        assert_eq!(Faults::default().scaled(250), 250);
    }

    #[test]
    fn draws_are_reproducible_and_depend_on_seed_and_kind() {
        let bits = |seed, kind, key| draw(seed, kind, key).to_bits();
        let a = bits(1, FaultKind::Error500, 3);
        assert_eq!(a, bits(1, FaultKind::Error500, 3));
        assert_ne!(a, bits(2, FaultKind::Error500, 3));
        assert_ne!(a, bits(1, FaultKind::Error503, 3));
        assert_ne!(a, bits(1, FaultKind::Error500, 4));
    }

    #[test]
    fn rolls_follow_the_rate() {
        let dice = FaultDice::new(Faults {
            seed: 11,
            error_rate_500: 0.25,
            ..Faults::default()
        });
        let hits = (0..4000).filter(|_| dice.roll(FaultKind::Error500)).count();
        assert!((800..1200).contains(&hits), "{hits} of 4000");
        assert!(!(0..100).any(|_| dice.roll(FaultKind::Error503)));
        let always = FaultDice::new(Faults {
            failed_message_rate: 1.0,
            ..Faults::default()
        });
        assert!(always.roll_for_question(FaultKind::FailedMessage, "q", 0));
    }

    #[test]
    fn question_rolls_depend_on_question_and_attempt_only() {
        let dice = FaultDice::new(Faults {
            seed: 5,
            unsafe_sql_rate: 0.5,
            ..Faults::default()
        });
        let first: Vec<bool> = (0..64)
            .map(|attempt| dice.roll_for_question(FaultKind::UnsafeSql, "orders", attempt))
            .collect();
        let again: Vec<bool> = (0..64)
            .map(|attempt| dice.roll_for_question(FaultKind::UnsafeSql, "orders", attempt))
            .collect();
        assert_eq!(first, again);
        assert!(first.contains(&true) && first.contains(&false));
    }
}
