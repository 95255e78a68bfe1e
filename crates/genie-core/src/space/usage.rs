//! What a space uses of its budgets: the counts the API limits.

use serde::{Deserialize, Serialize};

use crate::space::model::{SnippetKind, SpaceConfig};

/// Counts of what a space holds, measured against the limits of genie-api.md §2 by
/// both [`SpaceConfig::validate`] and the Patch DSL's conflict check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SpaceUsage {
    /// Characters in the text instruction (its joined text).
    pub instruction_chars: usize,
    /// Text instructions present (the API allows one).
    pub text_instructions: usize,
    /// "Instructions": each example SQL, each SQL function, and 1 for the text block.
    pub instructions: usize,
    /// Knowledge-store snippets: table and metric view descriptions, join specs,
    /// filters, expressions and measures.
    pub snippets: usize,
    /// Tables plus metric views.
    pub data_sources: usize,
}

impl SpaceUsage {
    /// Measures `config`.
    pub fn of(config: &SpaceConfig) -> Self {
        let text_instructions = config.text_instructions().len();
        let instruction_chars = config
            .text_instructions()
            .iter()
            .map(|instruction| instruction.content.char_count())
            .sum();
        let descriptions = config
            .all_data_sources()
            .filter(|source| {
                source
                    .description
                    .as_ref()
                    .is_some_and(|text| !text.is_blank())
            })
            .count();
        let snippets: usize = SnippetKind::ALL
            .into_iter()
            .map(|kind| config.snippets(kind).len())
            .sum();
        Self {
            instruction_chars,
            text_instructions,
            instructions: config.example_question_sqls().len()
                + config.sql_functions().len()
                + usize::from(text_instructions > 0),
            snippets: descriptions + config.join_specs().len() + snippets,
            data_sources: config.all_data_sources().count(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_every_budget_of_the_full_fixture() {
        let config =
            SpaceConfig::from_json(crate::space::fixtures::FULL).expect("full.json parses");
        let usage = SpaceUsage::of(&config);
        assert_eq!(
            usage,
            SpaceUsage {
                instruction_chars: 296,
                text_instructions: 1,
                // 3 example SQLs + 2 functions + the text block.
                instructions: 6,
                // 6 described tables and metric views + 4 join specs + 7 snippets.
                snippets: 17,
                data_sources: 6,
            }
        );
    }
}
