//! The Genie simulator: a deterministic stand-in for Genie's question answering,
//! driven only by what real Genie reads — the space configuration and the Unity
//! Catalog metadata of its tables ([`Catalog`]). It never reads benchmarks.
//!
//! Its rules are documented in `docs/sandbox-genie.md`.

mod catalog;
mod example;
mod reply;
mod words;

use genie_core::space::SpaceConfig;

pub use catalog::{Catalog, CatalogColumn, CatalogTable, MAX_INDEXED_VALUES, MAX_VALUE_CHARS};
pub use reply::{QueryParameter, QueryReply, Reply, TextPurpose, TextReply, Thought, ThoughtKind};

/// What decides between readings that score equal: the sandbox's seed and how many
/// times the same question was asked of the same space before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Draw {
    /// The sandbox's seed.
    pub seed: u64,
    /// 0 for the first time a question is asked of a space, 1 for the second, …
    pub attempt: u64,
}

/// Answers `question` as Genie would from `space` over `catalog`.
pub fn answer(catalog: &Catalog, space: &SpaceConfig, question: &str, draw: Draw) -> Reply {
    let _ = draw;
    if let Some(reply) = example::reuse_example(catalog, space, question) {
        return Reply::Query(reply);
    }
    Reply::Text(TextReply {
        content: "I could not find data in this space that answers your question. \
                  Try naming the table or the columns you mean."
            .to_owned(),
        purpose: TextPurpose::Answer,
    })
}
