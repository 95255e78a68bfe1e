//! Synthesis from the space's example question SQLs: each question with its SQL,
//! `:name` parameter markers replaced by the parameters' default values.

use std::collections::BTreeMap;

use genie_core::benchmark::{Benchmark, ExcludedBenchmark};
use genie_core::space::{ExampleQuestionSql, SqlParameter};

use crate::ids::UniqueIds;
use crate::synthesize::synthesized;

/// The category of questions taken from example SQL.
pub(crate) const CATEGORY: &str = "example_sql";

/// One candidate per example SQL, or an exclusion when a parameter it uses has no
/// default value.
pub(crate) fn example_candidates(
    examples: &[ExampleQuestionSql],
    ids: &mut UniqueIds,
) -> Vec<Result<Benchmark, ExcludedBenchmark>> {
    examples
        .iter()
        .filter_map(|example| {
            let question = example.question.joined().trim().to_owned();
            if question.is_empty() {
                tracing::info!(example = %example.id, "example SQL without a question skipped");
                return None;
            }
            let id = ids.next("example", &question);
            let parameters: BTreeMap<&str, &SqlParameter> = example
                .parameters()
                .iter()
                .map(|parameter| (parameter.name.as_str(), parameter))
                .collect();
            Some(
                substitute_parameters(&example.sql.joined(), &parameters)
                    .map(|sql| synthesized(id.clone(), question, sql, CATEGORY))
                    .map_err(|reason| ExcludedBenchmark { id, reason }),
            )
        })
        .collect()
}

/// Replaces each `:name` marker of a declared parameter with its default value as a
/// SQL literal. Markers inside string literals, quoted identifiers and comments are
/// left alone, as are `::` casts and markers of undeclared names (a JSON path such as
/// `col:field`). Fails naming the first used parameter that has no default.
fn substitute_parameters(
    sql: &str,
    parameters: &BTreeMap<&str, &SqlParameter>,
) -> Result<String, String> {
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut index = 0;
    let mut copied = 0;
    while index < bytes.len() {
        match bytes[index] {
            quote @ (b'\'' | b'"' | b'`') => index = skip_quoted(bytes, index, quote),
            b'-' if bytes.get(index + 1) == Some(&b'-') => {
                index = bytes[index..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(bytes.len(), |end| index + end);
            }
            b'/' if bytes.get(index + 1) == Some(&b'*') => {
                index = sql[index + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |end| index + 2 + end + 2);
            }
            b':' if index.checked_sub(1).map(|i| bytes[i]) != Some(b':')
                && bytes
                    .get(index + 1)
                    .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'_') =>
            {
                let start = index + 1;
                let end = bytes[start..]
                    .iter()
                    .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_'))
                    .map_or(bytes.len(), |length| start + length);
                let name = &sql[start..end];
                if let Some(parameter) = parameters.get(name) {
                    let values = parameter
                        .default_value
                        .as_ref()
                        .and_then(|default| default.values.as_deref())
                        .unwrap_or_default();
                    if values.is_empty() {
                        return Err(format!("parameter `{name}` has no default value"));
                    }
                    out.push_str(&sql[copied..index]);
                    let literals: Vec<String> = values
                        .iter()
                        .map(|value| literal(parameter.type_hint.as_deref(), value))
                        .collect();
                    out.push_str(&literals.join(", "));
                    copied = end;
                }
                index = end;
            }
            _ => index += 1,
        }
    }
    out.push_str(&sql[copied..]);
    Ok(out)
}

/// The index just past the quoted text starting at `start` (a doubled quote or a
/// backslash escape stays inside it).
fn skip_quoted(bytes: &[u8], start: usize, quote: u8) -> usize {
    let mut index = start + 1;
    while index < bytes.len() {
        if bytes[index] == b'\\' && quote != b'`' {
            index += 2;
        } else if bytes[index] == quote {
            if bytes.get(index + 1) == Some(&quote) {
                index += 2;
            } else {
                return index + 1;
            }
        } else {
            index += 1;
        }
    }
    bytes.len()
}

/// A default value as a SQL literal of the parameter's type hint: numbers and
/// booleans as written (when they are ones), dates and timestamps as typed literals,
/// everything else as a string.
fn literal(type_hint: Option<&str>, value: &str) -> String {
    let hint = type_hint.unwrap_or("STRING").trim().to_ascii_uppercase();
    let base = hint.split('(').next().unwrap_or_default().trim();
    let quoted = format!("'{}'", value.replace('\'', "''"));
    match base {
        "INT" | "INTEGER" | "BIGINT" | "LONG" | "SMALLINT" | "SHORT" | "TINYINT" | "BYTE"
        | "DECIMAL" | "NUMERIC" | "DEC" | "DOUBLE" | "FLOAT" | "REAL"
            if value.trim().parse::<f64>().is_ok() =>
        {
            value.trim().to_owned()
        }
        "BOOLEAN" | "BOOL"
            if matches!(value.trim().to_ascii_lowercase().as_str(), "true" | "false") =>
        {
            value.trim().to_ascii_lowercase()
        }
        "DATE" => format!("DATE {quoted}"),
        "TIMESTAMP" | "TIMESTAMP_NTZ" | "TIMESTAMP_LTZ" => format!("TIMESTAMP {quoted}"),
        _ => quoted,
    }
}

#[cfg(test)]
mod tests {
    use genie_core::benchmark::BenchmarkSource;
    use genie_core::space::{ParameterDefaultValue, TextLines};

    use super::*;

    fn parameter(name: &str, hint: Option<&str>, values: &[&str]) -> SqlParameter {
        SqlParameter {
            name: name.to_owned(),
            type_hint: hint.map(str::to_owned),
            default_value: (!values.is_empty()).then(|| ParameterDefaultValue {
                values: Some(values.iter().map(|v| (*v).to_owned()).collect()),
                ..ParameterDefaultValue::default()
            }),
            ..SqlParameter::default()
        }
    }

    fn check(sql: &str, parameters: &[SqlParameter], expected: Result<&str, &str>) {
        let map: BTreeMap<&str, &SqlParameter> =
            parameters.iter().map(|p| (p.name.as_str(), p)).collect();
        assert_eq!(
            substitute_parameters(sql, &map),
            expected.map(str::to_owned).map_err(str::to_owned),
            "{sql}"
        );
    }

    #[test]
    fn markers_become_typed_literals() {
        let parameters = [
            parameter("region", Some("STRING"), &["O'Hare"]),
            parameter("start", Some("DATE"), &["2024-04-01"]),
            parameter("n", Some("INT"), &["10"]),
            parameter("flag", Some("BOOLEAN"), &["TRUE"]),
            parameter("codes", None, &["A", "B"]),
        ];
        check(
            "SELECT * FROM t WHERE r = :region AND d >= :start AND f = :flag AND c IN (:codes) LIMIT :n",
            &parameters,
            Ok(
                "SELECT * FROM t WHERE r = 'O''Hare' AND d >= DATE '2024-04-01' AND f = true AND c IN ('A', 'B') LIMIT 10",
            ),
        );
    }

    #[test]
    fn strings_comments_casts_and_unknown_names_are_left_alone() {
        let parameters = [parameter("region", None, &["EU"])];
        check(
            "SELECT ':region', `a:region`, x::string, j:region_code, y -- :region\n FROM t /* :region */ WHERE r = :region",
            &parameters,
            Ok(
                "SELECT ':region', `a:region`, x::string, j:region_code, y -- :region\n FROM t /* :region */ WHERE r = 'EU'",
            ),
        );
    }

    #[test]
    fn a_parameter_without_default_is_named() {
        let parameters = [parameter("region", Some("STRING"), &[])];
        check(
            "SELECT 1 FROM t WHERE r = :region",
            &parameters,
            Err("parameter `region` has no default value"),
        );
        check("SELECT 1 FROM t", &parameters, Ok("SELECT 1 FROM t"));
    }

    #[test]
    fn examples_become_labelled_candidates() {
        let example = |id: &str, question: &str, sql: &str| ExampleQuestionSql {
            id: id.to_owned(),
            question: TextLines::from_text(question),
            sql: TextLines::from_text(sql),
            ..ExampleQuestionSql::default()
        };
        let mut with_parameter =
            example("2", "Amount for a code", "SELECT 1 FROM t WHERE c = :code");
        with_parameter.parameters = Some(vec![parameter("code", None, &[])]);
        let examples = [
            example("1", "How many rows?\n", "SELECT COUNT(*)\nFROM t"),
            with_parameter,
            example("3", "  ", "SELECT 1"),
        ];
        let candidates = example_candidates(&examples, &mut UniqueIds::default());
        assert_eq!(candidates.len(), 2, "the question-less example is skipped");
        let first = candidates[0].as_ref().unwrap();
        assert_eq!(first.id, "example_how_many_rows");
        assert_eq!(first.question, "How many rows?");
        assert_eq!(first.expected_sql, "SELECT COUNT(*)\nFROM t");
        assert_eq!(first.source, BenchmarkSource::Synthesized);
        assert_eq!(first.category.as_deref(), Some(CATEGORY));
        let excluded = candidates[1].as_ref().unwrap_err();
        assert_eq!(excluded.id, "example_amount_for_a_code");
        assert_eq!(excluded.reason, "parameter `code` has no default value");
    }
}
