//! [`Config`]: how the generator validates, splits, synthesizes and corrects.

use genie_core::sql::TemplateVariables;
use serde::{Deserialize, Serialize};

/// The generator's settings. Every field has a default ([`Config::default`]), and a
/// file may set any subset of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// How many ground truths (and model calls) run at once. Default 4.
    pub concurrency: usize,
    /// The share of questions held out when a set declares no split, in `[0, 1)`.
    /// Default 0.3; 0 keeps every question in `train`.
    pub holdout_fraction: f64,
    /// How many values a templated top-N question asks for. Default 5.
    pub top_n: u32,
    /// The most questions synthesis produces (before validation). Default 60.
    pub max_synthesized: usize,
    /// The fewest arbiter corrections that make a new benchmark version. Default 3.
    pub min_corrections: usize,
    /// Rows fetched when a ground truth is validated (enough to see it is not empty).
    /// Default 1000.
    pub validation_row_limit: u64,
    /// Deadline of one validation statement, in milliseconds. Default 120 000.
    pub statement_timeout_ms: Option<u64>,
    /// Values for `${name}` templates, overriding the benchmark file's `catalog` and
    /// `gold_schema` (to run one file against another catalog). Default none.
    pub template_variables: TemplateVariables,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            concurrency: 4,
            holdout_fraction: 0.3,
            top_n: 5,
            max_synthesized: 60,
            min_corrections: 3,
            validation_row_limit: 1000,
            statement_timeout_ms: Some(120_000),
            template_variables: TemplateVariables::default(),
        }
    }
}

impl Config {
    /// Every problem with these settings (empty when they are usable).
    pub fn validate(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.concurrency == 0 {
            problems.push("`concurrency` must be at least 1".to_owned());
        }
        if !(0.0..1.0).contains(&self.holdout_fraction) {
            problems.push(format!(
                "`holdout_fraction` must be in [0, 1), found `{}`",
                self.holdout_fraction
            ));
        }
        if self.top_n == 0 {
            problems.push("`top_n` must be at least 1".to_owned());
        }
        if self.min_corrections == 0 {
            problems.push("`min_corrections` must be at least 1".to_owned());
        }
        if self.validation_row_limit == 0 {
            problems.push("`validation_row_limit` must be at least 1".to_owned());
        }
        if self.statement_timeout_ms == Some(0) {
            problems.push("`statement_timeout_ms` must be positive when set".to_owned());
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid_and_every_problem_is_reported() {
        assert!(Config::default().validate().is_empty());
        let broken = Config {
            concurrency: 0,
            holdout_fraction: 1.0,
            top_n: 0,
            min_corrections: 0,
            validation_row_limit: 0,
            statement_timeout_ms: Some(0),
            ..Config::default()
        };
        let problems = broken.validate();
        assert_eq!(problems.len(), 6, "{problems:?}");
        assert!(problems[1].contains("`1`"), "{problems:?}");
        let negative = Config {
            holdout_fraction: -0.1,
            ..Config::default()
        };
        assert_eq!(negative.validate().len(), 1);
    }

    #[test]
    fn a_file_sets_any_subset_and_nothing_unknown() {
        let config: Config =
            serde_saphyr::from_str("concurrency: 8\ntemplate_variables:\n  catalog: dev\n")
                .unwrap();
        assert_eq!(config.concurrency, 8);
        assert_eq!(config.template_variables.get("catalog"), Some("dev"));
        assert_eq!(config.top_n, Config::default().top_n);
        let error = serde_saphyr::from_str::<Config>("concurency: 8\n").unwrap_err();
        assert!(
            error.to_string().contains("unknown field `concurency`"),
            "{error}"
        );
    }
}
