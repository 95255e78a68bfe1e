//! Ids for the items a patch set adds: time-ordered, deterministic, never taken.

use std::collections::BTreeSet;

use sha2::{Digest, Sha256};

use crate::canonical::ContentHash;
use crate::space::{SnippetKind, SpaceConfig, new_id};

/// Makes the ids of one set's new items.
///
/// An id is [`new_id`] of the set's time and 64 bits of the SHA-256 of the set's hash,
/// the patch's index and an attempt counter: the same set applied at the same time
/// gets the same ids, and an id already in the space (or made earlier in the set) is
/// never given out again.
pub(super) struct IdMaker {
    taken: BTreeSet<String>,
    seed: String,
    now_ms: u64,
    index: usize,
    attempt: u64,
}

impl IdMaker {
    /// An id maker for `set_hash`'s patches on `config`.
    pub(super) fn new(config: &SpaceConfig, set_hash: &ContentHash, now_ms: u64) -> Self {
        let mut taken: BTreeSet<String> = BTreeSet::new();
        taken.extend(config.sample_questions().iter().map(|q| q.id.clone()));
        taken.extend(config.benchmark_questions().iter().map(|q| q.id.clone()));
        taken.extend(config.text_instructions().iter().map(|i| i.id.clone()));
        taken.extend(config.example_question_sqls().iter().map(|e| e.id.clone()));
        taken.extend(config.sql_functions().iter().map(|f| f.id.clone()));
        taken.extend(config.join_specs().iter().map(|j| j.id.clone()));
        for kind in SnippetKind::ALL {
            taken.extend(config.snippets(kind).iter().map(|s| s.id.clone()));
        }
        Self {
            taken,
            seed: set_hash.as_str().to_owned(),
            now_ms,
            index: 0,
            attempt: 0,
        }
    }

    /// Ids made from now on belong to the patch at `index`.
    pub(super) fn start_patch(&mut self, index: usize) {
        self.index = index;
        self.attempt = 0;
    }

    /// A fresh id.
    pub(super) fn next(&mut self) -> String {
        loop {
            let digest =
                Sha256::digest(format!("{}:{}:{}", self.seed, self.index, self.attempt).as_bytes());
            self.attempt += 1;
            let mut random = [0_u8; 8];
            random.copy_from_slice(&digest[..8]);
            let id = new_id(self.now_ms, u64::from_be_bytes(random));
            if self.taken.insert(id.clone()) {
                return id;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space::{SampleQuestion, is_valid_id};

    #[test]
    fn ids_are_valid_deterministic_and_never_taken() {
        let hash = ContentHash::of_bytes(b"set");
        let mut config = SpaceConfig::default();
        let mut first = IdMaker::new(&config, &hash, 1_700_000_000_000);
        first.start_patch(2);
        let id = first.next();
        assert!(is_valid_id(&id), "{id}");
        assert_ne!(first.next(), id, "a second id of the same patch differs");

        let mut again = IdMaker::new(&config, &hash, 1_700_000_000_000);
        again.start_patch(2);
        assert_eq!(
            again.next(),
            id,
            "the same set, time and index give the same id"
        );

        config.sample_questions_mut().push(SampleQuestion {
            id: id.clone(),
            ..SampleQuestion::default()
        });
        let mut taken = IdMaker::new(&config, &hash, 1_700_000_000_000);
        taken.start_patch(2);
        assert_ne!(taken.next(), id, "an id in the space is skipped");
    }
}
