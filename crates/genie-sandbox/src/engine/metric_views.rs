//! Metric views (`CREATE VIEW … WITH METRICS LANGUAGE YAML AS $$ … $$`): their YAML
//! definition, read with `serde-saphyr` into a [`MetricViewDefinition`].
//!
//! The YAML has Databricks' fields: `version`, `comment`, `source` (a three-part table
//! or view name, or a SQL query), `filter` (a condition applied to every query),
//! `dimensions` and `measures` (`name`, `expr`, `comment`, `display_name`, `synonyms`).
//! `joins` and `materialization` are refused (the sandbox does not model them).
//! Queries over a metric view are rewritten into queries over its source by
//! [`super::metric_view_queries`].

use std::fmt::Write as _;

use serde::Deserialize;
use sqlparser::ast::{Expr, SetExpr, TableFactor};
use sqlparser::dialect::DatabricksDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token;

use super::schema_file::TableName;

/// A metric view as created: where its rows come from, and its named dimensions and
/// measures as parsed SQL expressions over the source.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MetricViewDefinition {
    pub(crate) name: TableName,
    pub(crate) comment: Option<String>,
    /// The `FROM` item the source is read as: a name, or `(query) AS __source`.
    pub(crate) source: String,
    pub(crate) filter: Option<Expr>,
    pub(crate) dimensions: Vec<MetricField>,
    pub(crate) measures: Vec<MetricField>,
}

/// A dimension or measure: its name (lower case), expression and comment.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MetricField {
    pub(crate) name: String,
    pub(crate) expr: Expr,
    pub(crate) comment: Option<String>,
}

/// The YAML document, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Yaml {
    version: Option<String>,
    comment: Option<String>,
    source: Option<String>,
    filter: Option<String>,
    joins: Option<serde_json::Value>,
    materialization: Option<serde_json::Value>,
    #[serde(default)]
    dimensions: Vec<YamlField>,
    #[serde(default)]
    measures: Vec<YamlField>,
}

/// A dimension or measure entry, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct YamlField {
    name: String,
    expr: String,
    comment: Option<String>,
    #[serde(rename = "display_name")]
    _display_name: Option<String>,
    #[serde(default, rename = "synonyms")]
    _synonyms: Vec<String>,
}

/// Databricks' error for a definition that cannot be used.
pub(crate) fn invalid(reason: &str) -> String {
    format!(
        "[METRIC_VIEW_INVALID_VIEW_DEFINITION] The metric view definition is invalid. Reason: \
         {reason}. SQLSTATE: 42K0L"
    )
}

impl MetricViewDefinition {
    /// Reads the YAML `text` of the metric view `name`; errors name the field at fault.
    pub(crate) fn parse(name: TableName, text: &str) -> Result<Self, String> {
        let yaml: Yaml = serde_saphyr::from_str(text)
            .map_err(|error| invalid(&first_line(&error.to_string())))?;
        if yaml.version.as_deref().is_none_or(|v| v.trim().is_empty()) {
            return Err(invalid("missing field `version`"));
        }
        if yaml.joins.is_some() {
            return Err(invalid(
                "field `joins` is not supported by the sandbox: use a SQL query as `source`",
            ));
        }
        if yaml.materialization.is_some() {
            return Err(invalid(
                "field `materialization` is not supported by the sandbox",
            ));
        }
        let source = yaml
            .source
            .filter(|source| !source.trim().is_empty())
            .ok_or_else(|| invalid("missing field `source`"))?;
        let source = parse_source(&source)?;
        let filter = yaml
            .filter
            .map(|filter| expression(&filter, "filter"))
            .transpose()?;
        if yaml.dimensions.is_empty() && yaml.measures.is_empty() {
            return Err(invalid(
                "at least one of `dimensions` and `measures` must be given",
            ));
        }
        let dimensions = fields(yaml.dimensions, "dimensions")?;
        let measures = fields(yaml.measures, "measures")?;
        let mut names: Vec<&str> = Vec::new();
        for field in dimensions.iter().chain(&measures) {
            if names.contains(&field.name.as_str()) {
                return Err(invalid(&format!(
                    "the name `{}` is used by more than one dimension or measure",
                    field.name
                )));
            }
            names.push(&field.name);
        }
        Ok(Self {
            name,
            comment: yaml.comment,
            source,
            filter,
            dimensions,
            measures,
        })
    }

    /// The dimension named `name` (any case).
    pub(crate) fn dimension(&self, name: &str) -> Option<&MetricField> {
        self.dimensions
            .iter()
            .find(|field| field.name.eq_ignore_ascii_case(name))
    }

    /// The measure named `name` (any case).
    pub(crate) fn measure(&self, name: &str) -> Option<&MetricField> {
        self.measures
            .iter()
            .find(|field| field.name.eq_ignore_ascii_case(name))
    }

    /// The source as a `FROM` item.
    pub(crate) fn source_factor(&self) -> Result<TableFactor, String> {
        let sql = format!("SELECT 1 FROM {}", self.source);
        let query = Parser::new(&DatabricksDialect {})
            .try_with_sql(&sql)
            .and_then(|mut parser| parser.parse_query())
            .map_err(|error| invalid(&format!("field `source`: {error}")))?;
        match *query.body {
            SetExpr::Select(mut select) if select.from.len() == 1 => {
                Ok(select.from.remove(0).relation)
            }
            _ => Err(invalid("field `source`: not a table or query")),
        }
    }

    /// `SELECT <dimensions>, <measures> FROM <source> [WHERE filter] GROUP BY
    /// <dimensions>`: the query whose plan checks the definition and types its columns.
    pub(crate) fn shape_sql(&self) -> String {
        let items: Vec<String> = self
            .dimensions
            .iter()
            .chain(&self.measures)
            .map(|field| format!("{} AS `{}`", field.expr, field.name))
            .collect();
        let mut sql = format!("SELECT {} FROM {}", items.join(", "), self.source);
        if let Some(filter) = &self.filter {
            let _ = write!(sql, " WHERE {filter}");
        }
        if !self.dimensions.is_empty() {
            let keys: Vec<String> = self
                .dimensions
                .iter()
                .map(|field| field.expr.to_string())
                .collect();
            let _ = write!(sql, " GROUP BY {}", keys.join(", "));
        }
        sql
    }
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or_default().trim().to_owned()
}

/// The source as a `FROM` item's SQL.
fn parse_source(text: &str) -> Result<String, String> {
    let trimmed = text.trim();
    let first = trimmed
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_uppercase();
    let mut parser = Parser::new(&DatabricksDialect {})
        .try_with_sql(trimmed)
        .map_err(|error| invalid(&format!("field `source`: {error}")))?;
    if first == "SELECT" || first == "WITH" || first.starts_with('(') {
        let query = parser
            .parse_query()
            .map_err(|error| invalid(&format!("field `source`: {error}")))?;
        return Ok(format!("({query}) AS __source"));
    }
    let name = parser
        .parse_object_name(false)
        .map_err(|error| invalid(&format!("field `source`: {error}")))?;
    if name.0.len() != 3 || parser.peek_token().token != Token::EOF {
        return Err(invalid(&format!(
            "field `source`: `{trimmed}` is neither a three-part table name nor a query"
        )));
    }
    Ok(name.to_string())
}

fn expression(text: &str, field: &str) -> Result<Expr, String> {
    let mut parser = Parser::new(&DatabricksDialect {})
        .try_with_sql(text)
        .map_err(|error| invalid(&format!("field `{field}`: {error}")))?;
    let expr = parser
        .parse_expr()
        .map_err(|error| invalid(&format!("field `{field}`: {error}")))?;
    if parser.peek_token().token != Token::EOF {
        return Err(invalid(&format!(
            "field `{field}`: `{text}` is not one expression"
        )));
    }
    Ok(expr)
}

fn fields(entries: Vec<YamlField>, list: &str) -> Result<Vec<MetricField>, String> {
    entries
        .into_iter()
        .enumerate()
        .map(|(index, entry)| {
            let at = format!("{list}[{index}]");
            if entry.name.trim().is_empty() {
                return Err(invalid(&format!("field `{at}.name` is empty")));
            }
            Ok(MetricField {
                expr: expression(&entry.expr, &format!("{at}.expr"))?,
                name: entry.name.trim().to_lowercase(),
                comment: entry.comment,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name() -> TableName {
        TableName {
            catalog: "main".into(),
            schema: "s".into(),
            table: "mv".into(),
        }
    }

    #[test]
    fn definitions_read_their_fields() {
        let definition = MetricViewDefinition::parse(
            name(),
            "version: 0.1\nsource: main.s.orders\nfilter: amount > 0\n\
             dimensions:\n  - name: Region\n    expr: upper(region)\n    comment: Sales region\n\
             measures:\n  - name: total_amount\n    expr: SUM(amount)\n",
        )
        .unwrap();
        assert_eq!(definition.dimensions[0].name, "region");
        assert_eq!(definition.dimensions[0].expr.to_string(), "upper(region)");
        assert_eq!(
            definition.dimensions[0].comment.as_deref(),
            Some("Sales region")
        );
        assert_eq!(
            definition.measure("TOTAL_AMOUNT").unwrap().name,
            "total_amount"
        );
        assert_eq!(
            definition.shape_sql(),
            "SELECT upper(region) AS `region`, SUM(amount) AS `total_amount` FROM main.s.orders \
             WHERE amount > 0 GROUP BY upper(region)"
        );
        let query = MetricViewDefinition::parse(
            name(),
            "version: '1.1'\nsource: SELECT * FROM main.s.orders WHERE paid\n\
             measures:\n  - name: n\n    expr: COUNT(1)\n",
        )
        .unwrap();
        assert_eq!(
            query.source,
            "(SELECT * FROM main.s.orders WHERE paid) AS __source"
        );
    }

    #[test]
    fn errors_name_the_field() {
        for (yaml, field) in [
            (
                "source: main.s.t\nmeasures:\n  - {name: n, expr: COUNT(1)}\n",
                "version",
            ),
            (
                "version: 0.1\nmeasures:\n  - {name: n, expr: COUNT(1)}\n",
                "source",
            ),
            (
                "version: 0.1\nsource: main.s.t\nmeasures:\n  - {name: n}\n",
                "expr",
            ),
            (
                "version: 0.1\nsource: main.s.t\nmeasures:\n  - {name: n, expr: 'SUM(('}\n",
                "measures[0].expr",
            ),
            (
                "version: 0.1\nsource: main.s.t\nmeasures:\n  - {name: n, expr: COUNT(1), unit: x}\n",
                "unit",
            ),
            (
                "version: 0.1\nsource: t\nmeasures:\n  - {name: n, expr: COUNT(1)}\n",
                "source",
            ),
            (
                "version: 0.1\nsource: main.s.t\njoins: []\nmeasures:\n  - {name: n, expr: COUNT(1)}\n",
                "joins",
            ),
            ("version: 0.1\nsource: main.s.t\n", "dimensions"),
        ] {
            let error = MetricViewDefinition::parse(name(), yaml).unwrap_err();
            assert!(
                error.starts_with("[METRIC_VIEW_INVALID_VIEW_DEFINITION]") && error.contains(field),
                "{yaml}: {error}"
            );
        }
    }
}
