//! [`Plan`]: what the query will compute — measures, groupings, conditions, ranking
//! and shape — with the tables each part reads.

use super::dates::Grain;

/// An aggregated output column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Measure {
    pub(crate) sql: String,
    pub(crate) alias: String,
    pub(crate) tables: Vec<usize>,
    /// What it is, for the explanation.
    pub(crate) describe: String,
    /// `COUNT(*)` of a table (rendered as a distinct key count when joins fan out).
    pub(crate) count_of: Option<usize>,
}

/// A grouping output column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Dimension {
    pub(crate) sql: String,
    pub(crate) alias: String,
    pub(crate) tables: Vec<usize>,
    pub(crate) describe: String,
    pub(crate) grain: Option<Grain>,
}

/// A `WHERE` condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Condition {
    pub(crate) sql: String,
    pub(crate) tables: Vec<usize>,
    pub(crate) describe: String,
}

/// The overall form of the query.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum Shape {
    /// `SELECT dims, measures … GROUP BY dims`.
    #[default]
    Aggregate,
    /// Each group's share of the total: `m / SUM(m) OVER ()`.
    ShareOfTotal,
    /// The share of the measure that meets `conditions`.
    ConditionalShare(Vec<Condition>),
    /// The change from the previous period along a time grain.
    Change(Grain),
    /// Rows of a table (no aggregate asked).
    List,
}

/// Everything the query computes.
#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    pub(crate) measures: Vec<Measure>,
    pub(crate) dimensions: Vec<Dimension>,
    pub(crate) conditions: Vec<Condition>,
    /// Order by a measure: `Some(true)` descending.
    pub(crate) order_descending: Option<bool>,
    /// The measure to order by (the first when `None`).
    pub(crate) order_by: Option<usize>,
    pub(crate) limit: Option<u64>,
    pub(crate) shape: Shape,
    /// Tables mentioned without a part of their own (they still steer choices).
    pub(crate) context: Vec<usize>,
    /// What the simulator noticed but could not use (explained to the user).
    pub(crate) notes: Vec<String>,
}

impl Plan {
    /// Every table the query's parts read, measures first.
    pub(crate) fn tables(&self) -> Vec<usize> {
        let mut tables = Vec::new();
        let parts = self
            .measures
            .iter()
            .flat_map(|m| m.tables.iter())
            .chain(self.dimensions.iter().flat_map(|d| d.tables.iter()))
            .chain(self.conditions.iter().flat_map(|c| c.tables.iter()))
            .chain(self.share_conditions().iter().flat_map(|c| c.tables.iter()));
        for &table in parts {
            if !tables.contains(&table) {
                tables.push(table);
            }
        }
        tables
    }

    fn share_conditions(&self) -> &[Condition] {
        match &self.shape {
            Shape::ConditionalShare(conditions) => conditions,
            _ => &[],
        }
    }
}

/// Several values of one column named in one question ("in the north, south and
/// east") are alternatives: `col IN ('N', 'S', 'E')`, never `col = 'N' AND col = 'S'`.
pub(crate) fn merge_value_lists(conditions: &mut Vec<Condition>) {
    let mut merged: Vec<Condition> = Vec::with_capacity(conditions.len());
    let mut lists: Vec<(usize, String, Vec<String>)> = Vec::new();
    for condition in conditions.drain(..) {
        let Some((column, value)) = equality(&condition.sql) else {
            merged.push(condition);
            continue;
        };
        if let Some((index, _, values)) = lists.iter_mut().find(|(_, c, _)| *c == column) {
            if !values.contains(&value) {
                values.push(value);
                let target = &mut merged[*index];
                target.sql = format!("{column} IN ({})", values.join(", "));
                target.describe = format!("{} or {}", target.describe, condition.describe);
            }
            continue;
        }
        lists.push((merged.len(), column, vec![value]));
        merged.push(condition);
    }
    *conditions = merged;
}

/// `(column, 'literal')` of a condition `column = 'literal'`.
fn equality(sql: &str) -> Option<(String, String)> {
    let (column, literal) = sql.split_once(" = ")?;
    let quoted = literal.starts_with('\'') && literal.ends_with('\'') && literal.len() >= 2;
    let plain_column = column.starts_with('`') && !column.contains(' ');
    (quoted && plain_column).then(|| (column.to_owned(), literal.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn condition(sql: &str) -> Condition {
        Condition {
            sql: sql.to_owned(),
            tables: vec![0],
            describe: sql.to_owned(),
        }
    }

    #[test]
    fn values_of_one_column_become_a_list() {
        let mut conditions = vec![
            condition("`t`.`zn` = 'N'"),
            condition("`t`.`kind` = 'X'"),
            condition("`t`.`zn` = 'S'"),
            condition("(`t`.`late`)"),
            condition("`t`.`zn` = 'S'"),
        ];
        merge_value_lists(&mut conditions);
        let sql: Vec<&str> = conditions.iter().map(|c| c.sql.as_str()).collect();
        assert_eq!(
            sql,
            ["`t`.`zn` IN ('N', 'S')", "`t`.`kind` = 'X'", "(`t`.`late`)"]
        );
    }
}
