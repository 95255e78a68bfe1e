//! A user's benchmark file as the generator starts from it: the template variables
//! its ground truths resolve with, and the P0 marks a request adds.

use std::collections::BTreeSet;

use genie_core::benchmark::{Benchmark, BenchmarkFile, Priority};
use genie_core::sql::TemplateVariables;

use crate::error::Error;

/// The values for `${name}` templates: the file's `catalog` and `gold_schema`, each
/// replaced by `overrides` when it has the same name.
pub(crate) fn template_variables(
    file: Option<&BenchmarkFile>,
    overrides: &TemplateVariables,
) -> TemplateVariables {
    let mut variables = TemplateVariables::default();
    if let Some(file) = file {
        if let Some(catalog) = &file.catalog {
            variables.insert("catalog", catalog.as_str());
        }
        if let Some(gold_schema) = &file.gold_schema {
            variables.insert("gold_schema", gold_schema.as_str());
        }
    }
    for (name, value) in overrides.iter() {
        variables.insert(name, value);
    }
    variables
}

/// Fails when `extra_p0` names an id outside `known` (every unknown id is named).
pub(crate) fn check_extra_p0<'a>(
    known: impl IntoIterator<Item = &'a str>,
    extra_p0: &[String],
) -> Result<(), Error> {
    let known: BTreeSet<&str> = known.into_iter().collect();
    let unknown: Vec<String> = extra_p0
        .iter()
        .filter(|id| !known.contains(id.as_str()))
        .cloned()
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(Error::UnknownP0Ids { ids: unknown })
    }
}

/// Marks the benchmarks named in `extra_p0` as P0; the others keep their priority.
pub(crate) fn mark_p0(benchmarks: &mut [Benchmark], extra_p0: &[String]) {
    for benchmark in benchmarks {
        if extra_p0.contains(&benchmark.id) {
            benchmark.priority = Priority::P0;
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use genie_core::benchmark::{AssetType, BenchmarkSource, Split};

    use super::*;

    /// A benchmark with the given id and category, everything else default.
    pub(crate) fn benchmark(id: &str, category: Option<&str>) -> Benchmark {
        Benchmark {
            id: id.to_owned(),
            question: format!("question {id}?"),
            expected_sql: format!("SELECT '{id}' AS id"),
            expected_asset: AssetType::Table,
            priority: Priority::P1,
            split: Split::Train,
            category: category.map(str::to_owned),
            order_matters: None,
            source: BenchmarkSource::User,
            line: 0,
        }
    }

    #[test]
    fn file_values_then_overrides() {
        let file = BenchmarkFile {
            domain: None,
            catalog: Some("main".into()),
            gold_schema: Some("gold".into()),
            benchmarks: Vec::new(),
        };
        let overrides = TemplateVariables::default().with("catalog", "dev");
        let variables = template_variables(Some(&file), &overrides);
        assert_eq!(variables.get("catalog"), Some("dev"));
        assert_eq!(variables.get("gold_schema"), Some("gold"));
        assert!(template_variables(None, &TemplateVariables::default()).is_empty());
    }

    #[test]
    fn extra_p0_marks_and_unknown_ids_are_named() {
        let mut benchmarks = vec![benchmark("a", None), benchmark("b", None)];
        benchmarks[1].priority = Priority::P0;
        let extra = vec!["a".to_owned()];
        check_extra_p0(benchmarks.iter().map(|b| b.id.as_str()), &extra).unwrap();
        mark_p0(&mut benchmarks, &extra);
        assert!(benchmarks.iter().all(|b| b.priority == Priority::P0));
        let error = check_extra_p0(
            ["a", "b"],
            &["a".to_owned(), "zz".to_owned(), "yy".to_owned()],
        )
        .unwrap_err();
        assert!(
            matches!(&error, Error::UnknownP0Ids { ids } if ids == &["zz", "yy"]),
            "{error}"
        );
    }
}
