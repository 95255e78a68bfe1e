//! Questions templated over the space's tables: how many rows each has, the most
//! common values of each categorical text column, and the total of each numeric
//! column. Wording comes only from the names, synonyms and types the space and the
//! warehouse give; no rule knows any table.

use std::collections::BTreeSet;

use genie_core::benchmark::Benchmark;
use genie_core::space::JoinSpec;

use crate::columns::{ColumnInfo, ColumnKind, TableInfo, quote_identifier, quote_part};
use crate::ids::UniqueIds;
use crate::synthesize::synthesized;

/// The category of row-count questions.
pub(crate) const ROW_COUNT: &str = "row_count";
/// The category of top-N questions.
pub(crate) const TOP_N: &str = "top_n";
/// The category of total questions.
pub(crate) const TOTAL: &str = "total";

/// Up to `limit` templated questions over `tables`, taken round-robin across tables
/// (each table's row count first, then its top-N and total questions), so a small
/// limit still covers every table.
pub(crate) fn template_candidates(
    tables: &[TableInfo],
    join_specs: &[JoinSpec],
    top_n: u32,
    limit: usize,
    ids: &mut UniqueIds,
) -> Vec<Benchmark> {
    let per_table: Vec<Vec<Template>> = tables
        .iter()
        .map(|table| templates_for(table, &join_columns(join_specs, &table.identifier), top_n))
        .collect();
    let longest = per_table.iter().map(Vec::len).max().unwrap_or(0);
    let mut candidates = Vec::new();
    for round in 0..longest {
        for templates in &per_table {
            if candidates.len() == limit {
                return candidates;
            }
            if let Some(template) = templates.get(round) {
                let id = ids.next(template.id_prefix, &template.id_text);
                candidates.push(synthesized(
                    id,
                    template.question.clone(),
                    template.sql.clone(),
                    template.category,
                ));
            }
        }
    }
    candidates
}

/// One templated question before it gets an id.
struct Template {
    id_prefix: &'static str,
    id_text: String,
    question: String,
    sql: String,
    category: &'static str,
}

/// A table's templates: the row count, a top-N per categorical text column, a total
/// per numeric column that is not a key.
fn templates_for(table: &TableInfo, join_columns: &BTreeSet<String>, top_n: u32) -> Vec<Template> {
    let name = table
        .identifier
        .rsplit('.')
        .next()
        .unwrap_or(&table.identifier);
    let from = quote_identifier(&table.identifier);
    let mut templates = vec![Template {
        id_prefix: "row_count",
        id_text: name.to_owned(),
        question: format!("How many rows does the {} table have?", table.label),
        sql: format!("SELECT COUNT(*) AS row_count FROM {from}"),
        category: ROW_COUNT,
    }];
    for column in table
        .columns
        .iter()
        .filter(|c| is_categorical(c, table.row_count))
    {
        let quoted = quote_part(&column.name);
        templates.push(Template {
            id_prefix: "top",
            id_text: format!("{}_{name}", column.name),
            question: format!(
                "What are the {top_n} most common {} values in the {} table, with how many rows each has?",
                column.label, table.label
            ),
            sql: format!(
                "SELECT {quoted}, COUNT(*) AS row_count FROM {from} WHERE {quoted} IS NOT NULL \
                 GROUP BY {quoted} ORDER BY row_count DESC, {quoted} LIMIT {top_n}"
            ),
            category: TOP_N,
        });
    }
    for column in table
        .columns
        .iter()
        .filter(|c| c.kind == ColumnKind::Number && !is_key(c, join_columns))
    {
        let quoted = quote_part(&column.name);
        templates.push(Template {
            id_prefix: "total",
            id_text: format!("{}_{name}", column.name),
            question: format!(
                "What is the total {} over all rows of the {} table?",
                column.label, table.label
            ),
            sql: format!("SELECT SUM({quoted}) AS total FROM {from}"),
            category: TOTAL,
        });
    }
    templates
}

/// A text column whose values repeat: at least two distinct values, and on average
/// each value on two rows or more. Unprofiled columns are not used.
fn is_categorical(column: &ColumnInfo, row_count: Option<u64>) -> bool {
    let (Some(distinct), Some(rows)) = (column.distinct, row_count) else {
        return false;
    };
    column.kind == ColumnKind::Text && distinct >= 2 && distinct.saturating_mul(2) <= rows
}

/// A numeric column that identifies rather than measures: named `id` or `…_id`,
/// `…_key`, `…_sk`, or used in a join condition of the table. Its total means nothing.
fn is_key(column: &ColumnInfo, join_columns: &BTreeSet<String>) -> bool {
    let name = column.name.to_ascii_lowercase();
    name == "id"
        || ["_id", "_key", "_sk"]
            .iter()
            .any(|suffix| name.ends_with(suffix))
        || join_columns.contains(&name)
}

/// The (lowercase) words of every join condition that involves `identifier`: a
/// superset of the table's join columns, which is all [`is_key`] needs.
fn join_columns(join_specs: &[JoinSpec], identifier: &str) -> BTreeSet<String> {
    join_specs
        .iter()
        .filter(|spec| spec.left.identifier == identifier || spec.right.identifier == identifier)
        .flat_map(|spec| {
            spec.condition()
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|word| !word.is_empty())
                .map(str::to_ascii_lowercase)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use genie_core::space::{JoinTable, TextLines};

    use super::*;

    fn column(name: &str, kind: ColumnKind, distinct: Option<u64>) -> ColumnInfo {
        ColumnInfo {
            name: name.to_owned(),
            type_name: String::new(),
            kind,
            description: None,
            label: crate::columns::words(name),
            distinct,
        }
    }

    fn table(identifier: &str, columns: Vec<ColumnInfo>) -> TableInfo {
        TableInfo {
            identifier: identifier.to_owned(),
            label: crate::columns::words(identifier.rsplit('.').next().unwrap()),
            description: None,
            columns,
            row_count: Some(100),
        }
    }

    #[test]
    fn each_kind_of_column_gets_its_template() {
        let tables = [table(
            "cat.sch.visits",
            vec![
                column("visit_id", ColumnKind::Number, None),
                column("channel", ColumnKind::Text, Some(4)),
                column("visitor_name", ColumnKind::Text, Some(90)),
                column("duration_sec", ColumnKind::Number, None),
                column("page_ref", ColumnKind::Number, None),
                column("day", ColumnKind::Other, None),
            ],
        )];
        let join = JoinSpec {
            id: "1".into(),
            left: JoinTable {
                identifier: "cat.sch.visits".into(),
                alias: Some("v".into()),
                ..JoinTable::default()
            },
            right: JoinTable {
                identifier: "cat.sch.pages".into(),
                ..JoinTable::default()
            },
            sql: TextLines::from_text("`v`.`page_ref` = `pages`.`ref`"),
            ..JoinSpec::default()
        };
        let candidates = template_candidates(&tables, &[join], 3, 100, &mut UniqueIds::default());
        let summary: Vec<(&str, &str)> = candidates
            .iter()
            .map(|b| (b.id.as_str(), b.category.as_deref().unwrap()))
            .collect();
        assert_eq!(
            summary,
            [
                ("row_count_visits", ROW_COUNT),
                ("top_channel_visits", TOP_N),
                ("total_duration_sec_visits", TOTAL),
            ],
            "ids, unique names and join columns get no template"
        );
        assert_eq!(
            candidates[1].expected_sql,
            "SELECT channel, COUNT(*) AS row_count FROM cat.sch.visits WHERE channel IS NOT NULL \
             GROUP BY channel ORDER BY row_count DESC, channel LIMIT 3"
        );
        assert_eq!(
            candidates[1].question,
            "What are the 3 most common channel values in the visits table, with how many rows each has?"
        );
        assert!(candidates[1].order_matters(), "a top-N keeps its order");
        assert_eq!(
            candidates[2].question,
            "What is the total duration sec over all rows of the visits table?"
        );
    }

    #[test]
    fn the_limit_covers_tables_round_robin() {
        let tables = [
            table("c.s.alpha", vec![column("x", ColumnKind::Number, None)]),
            table("c.s.beta", vec![column("y", ColumnKind::Number, None)]),
        ];
        let ids: Vec<String> = template_candidates(&tables, &[], 5, 3, &mut UniqueIds::default())
            .into_iter()
            .map(|b| b.id)
            .collect();
        assert_eq!(ids, ["row_count_alpha", "row_count_beta", "total_x_alpha"]);
    }
}
