//! The Genie simulator: a deterministic stand-in for Genie's question answering,
//! driven only by what real Genie reads — the space configuration and the Unity
//! Catalog metadata of its tables ([`Catalog`]). It never reads benchmarks.
//!
//! A question is answered in this order (the rules are documented in
//! `docs/sandbox-genie.md`):
//! 1. a question close to an example question reuses the example's SQL;
//! 2. a question a listed SQL table function's signature covers calls it;
//! 3. otherwise its words are read into a plan — measures, groupings, conditions,
//!    ranking, shape — through the space's vocabulary (names, synonyms,
//!    descriptions, snippets, metric views, value dictionaries, instructions), joined
//!    only through join specs, and rendered as SQL (from one metric view when it
//!    answers the whole plan);
//! 4. when nothing maps, Genie says so in text.

mod catalog;
mod dates;
mod draw;
mod example;
mod functions;
mod instructions;
mod interpret;
mod joins;
mod lexicon;
mod metric_views;
mod model;
mod plan;
mod question;
mod render;
mod reply;
mod values;
mod words;

#[cfg(test)]
mod property_tests;

use genie_core::space::SpaceConfig;

pub use catalog::{Catalog, CatalogColumn, CatalogTable, MAX_INDEXED_VALUES, MAX_VALUE_CHARS};
pub use reply::{QueryParameter, QueryReply, Reply, TextPurpose, TextReply, Thought, ThoughtKind};

/// What decides between readings that score equal, and how often a weaker reading
/// wins: the sandbox's seed, how many times the same question was asked of the same
/// space version before, and the reading noise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Draw {
    /// The sandbox's seed.
    pub seed: u64,
    /// 0 for the first time a question is asked of a space's config, 1 for the
    /// second, … (a config change starts again at 0).
    pub attempt: u64,
    /// Reading noise in parts per million: the chance that the runner-up reading of a
    /// phrase wins over the strongest is this × 2^(−gap/4), gap being the strength
    /// difference (see `docs/sandbox-genie.md`). 0 (the default) reads without noise.
    pub noise_ppm: u32,
}

impl Draw {
    /// The draw for `seed` and `attempt` with reading noise `noise` (0 to 1).
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "noise is clamped to [0, 1] first"
    )]
    pub fn with_noise(seed: u64, attempt: u64, noise: f64) -> Self {
        Self {
            seed,
            attempt,
            noise_ppm: (noise.clamp(0.0, 1.0) * 1_000_000.0).round() as u32,
        }
    }
}

/// Answers `question` as Genie would from `space` over `catalog`.
pub fn answer(catalog: &Catalog, space: &SpaceConfig, question: &str, draw: Draw) -> Reply {
    if let Some(reply) = example::reuse_example(catalog, space, question) {
        return Reply::Query(reply);
    }
    let mut model = model::SpaceModel::build(catalog, space);
    model.guided_tables = example::guiding_tables(space, question);
    let lexicon = lexicon::Lexicon::build(&model);
    if let Some(reply) = functions::call_function(catalog, space, &lexicon, question) {
        return Reply::Query(reply);
    }
    let rendered = match metric_views::read_and_render(&model, &lexicon, question, draw) {
        Ok(Some(rendered)) => rendered,
        Ok(None) => {
            return cannot_answer("the tables the question needs are not related by any join spec");
        }
        Err(unanswerable) => return cannot_answer(&unanswerable.reason),
    };
    Reply::Query(QueryReply {
        title: title_of(question),
        description: format!("You want to see: {}", question.trim()),
        thoughts: vec![
            Thought {
                kind: ThoughtKind::Description,
                content: format!("You want to see: {}", question.trim()),
            },
            Thought {
                kind: ThoughtKind::DataSourcing,
                content: rendered
                    .tables
                    .iter()
                    .map(|table| format!("- {table}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            },
            Thought {
                kind: ThoughtKind::Steps,
                content: rendered
                    .steps
                    .iter()
                    .map(|step| format!("- {step}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            },
        ],
        parameters: Vec::new(),
        trusted_asset: None,
        summary: "Here are the results of the query for your question.".to_owned(),
        sql: rendered.sql,
    })
}

fn title_of(question: &str) -> String {
    let trimmed = question.trim().trim_end_matches(['?', '.', '!']);
    let mut title: String = trimmed.chars().take(80).collect();
    if let Some(first) = title.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    title
}

fn cannot_answer(reason: &str) -> Reply {
    Reply::Text(TextReply {
        content: format!(
            "I could not answer this question from the data in this space: {reason}. \
             Try naming the table or the columns you mean."
        ),
        purpose: TextPurpose::Answer,
    })
}
