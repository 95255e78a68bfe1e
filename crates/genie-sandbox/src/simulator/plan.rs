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
