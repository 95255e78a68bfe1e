//! The optimizer's settings.

use serde::{Deserialize, Serialize};

/// How the optimizer proposes. Every field has a default (see [`Config::default`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Lever 1 also writes its descriptions as Unity Catalog comments (emitted to
    /// bundle files by the applier unless it may write live). Default true.
    pub uc_comments: bool,
    /// Synonyms added to one column at most, per proposal. Default 3.
    pub max_synonyms_per_column: usize,
    /// Failures that must misread a column before lever 1 proposes hiding it; 0 (the
    /// default) turns exclusions off, because hiding a column breaks every question
    /// that needs it, and the failing rows show none of the questions that pass.
    pub exclusion_min_failures: usize,
    /// Failures that must aggregate the same measure over the same source before
    /// lever 2 proposes a metric view. Default 2.
    pub metric_view_min_failures: usize,
    /// Failures that must share a multi-step pattern before lever 3 proposes a table
    /// function. Default 2.
    pub function_min_failures: usize,
    /// Lever 6 proposes example SQL. Default true.
    pub example_sql: bool,
    /// Characters lever 6 may add to the text instruction in one proposal. Default 2000.
    pub instruction_max_chars: usize,
    /// Patches in one proposal at most (trimmed by expected impact). Default 60.
    pub max_patches: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            uc_comments: true,
            max_synonyms_per_column: 3,
            exclusion_min_failures: 0,
            metric_view_min_failures: 2,
            function_min_failures: 2,
            example_sql: true,
            instruction_max_chars: 2000,
            max_patches: 60,
        }
    }
}
