//! The parts of a plan a phrase names: dimensions (a column, a table's name column,
//! an expression snippet) and measures (a measure snippet, an aggregated column, a
//! count of rows).

use genie_core::space::SnippetKind;

use super::super::lexicon::Target;
use super::super::model::ModelColumn;
use super::super::plan::{Dimension, Measure};
use super::super::question::Aggregate;
use super::Reader;

impl Reader<'_> {
    /// Adds the dimension the phrase at `index` names; false when it names none.
    pub(super) fn add_dimension(&mut self, index: usize) -> bool {
        let phrase = &self.phrases[index];
        let dimension = match &phrase.target {
            Target::Table(table) => {
                let Some(column) = self.label_column(*table) else {
                    return false;
                };
                self.column_dimension(*table, column)
            }
            Target::Column(table, column) => self.referenced_label(*table, *column).map_or_else(
                || self.column_dimension(*table, *column),
                |(other, label)| self.column_dimension(other, label),
            ),
            // "sent by rail": a stored value (or a label) after "by" is a condition.
            Target::Value { .. } => return false,
            Target::Snippet(s) => {
                let snippet = &self.model.snippets[*s];
                if snippet.kind != SnippetKind::Expression {
                    return false;
                }
                Dimension {
                    sql: snippet.sql.clone(),
                    alias: snippet.output.clone(),
                    tables: snippet.tables.clone(),
                    describe: format!("Group by the {}", snippet.origin),
                    grain: None,
                }
            }
        };
        if !self.plan.dimensions.iter().any(|d| d.sql == dimension.sql) {
            self.plan.dimensions.push(dimension);
        }
        true
    }

    pub(super) fn column_dimension(&self, table: usize, column: usize) -> Dimension {
        let data = self.column(table, column);
        Dimension {
            sql: self.reference(table, column),
            alias: data.name.clone(),
            tables: vec![table],
            describe: format!("Group by `{}`", data.name),
            grain: None,
        }
    }

    /// A key column that a join spec links to another table is shown, in a grouping,
    /// by that table's name column ("per loading depot" for `ldg_dpt_id` shows the
    /// depot's name): `(table, column)` of that name.
    fn referenced_label(&self, table: usize, column: usize) -> Option<(usize, usize)> {
        if !self.is_key(table, column) {
            return None;
        }
        let reference = self.reference(table, column);
        let mut others = self.model.joins.iter().filter_map(|edge| {
            let other = if edge.left == table {
                edge.right
            } else if edge.right == table {
                edge.left
            } else {
                return None;
            };
            let own = edge
                .condition
                .split(" AND ")
                .any(|part| part.split('=').any(|side| side.trim() == reference));
            (own && other != table).then_some(other)
        });
        let other = others.next()?;
        if others.next().is_some() {
            return None;
        }
        // The key must not be the grouped table's own identifier (its rows, not a link).
        let own_key = self.model.tables[table].columns[column]
            .name
            .to_lowercase()
            .starts_with(&self.model.tables[table].alias.to_lowercase());
        if own_key {
            return None;
        }
        let label = self.label_column(other)?;
        Some((other, label))
    }

    /// The column that names a table's rows: one called a name, else the first string.
    pub(super) fn label_column(&self, table: usize) -> Option<usize> {
        let columns = &self.model.tables[table].columns;
        let is_string =
            |c: &ModelColumn| c.column_type == genie_core::result::ColumnType::String && !c.measure;
        let names_it = |c: &ModelColumn| {
            let words = super::super::words::identifier_words(&c.name);
            words
                .iter()
                .any(|w| matches!(w.as_str(), "name" | "nm" | "title" | "label"))
                || c.synonyms.iter().any(|s| s.to_lowercase().contains("name"))
                || c.description.to_lowercase().starts_with("name")
                || c.description.to_lowercase().contains(" name")
        };
        columns
            .iter()
            .position(|c| is_string(c) && names_it(c))
            .or_else(|| columns.iter().position(is_string))
    }

    pub(super) fn count_measure(&self, table: usize) -> Measure {
        let alias = &self.model.tables[table].alias;
        Measure {
            sql: "COUNT(*)".to_owned(),
            alias: format!("{alias}_count"),
            tables: vec![table],
            describe: format!("Count the rows of `{alias}`"),
            count_of: Some(table),
        }
    }

    /// The measure a measure-like target names.
    pub(super) fn measure_of(&self, target: &Target, index: usize) -> Measure {
        match target {
            Target::Snippet(s) => {
                let snippet = &self.model.snippets[*s];
                Measure {
                    sql: snippet.sql.clone(),
                    alias: snippet.output.clone(),
                    tables: snippet.tables.clone(),
                    describe: format!("Compute the {}", snippet.origin),
                    count_of: None,
                }
            }
            Target::Column(table, column) if self.column(*table, *column).measure => {
                let name = &self.column(*table, *column).name;
                Measure {
                    sql: super::super::metric_views::measure_sql(name),
                    alias: name.clone(),
                    tables: vec![*table],
                    describe: format!(
                        "Compute the measure `{name}` of the metric view `{}`",
                        self.model.tables[*table].alias
                    ),
                    count_of: None,
                }
            }
            Target::Column(table, column) => {
                let aggregate = self
                    .aggregate_before(self.phrases[index].start)
                    .filter(|aggregate| *aggregate != Aggregate::Count)
                    .unwrap_or(Aggregate::Sum);
                let data = self.column(*table, *column);
                Measure {
                    sql: format!(
                        "{}({})",
                        aggregate.function(),
                        self.reference(*table, *column)
                    ),
                    alias: format!("{}_{}", aggregate.prefix(), data.name),
                    tables: vec![*table],
                    describe: format!("{} of `{}`", aggregate.function(), data.name),
                    count_of: None,
                }
            }
            Target::Table(table) | Target::Value { table, .. } => self.count_measure(*table),
        }
    }

    /// Adds a measure unless the same one is there; returns its index.
    pub(super) fn push_measure(&mut self, measure: Measure) -> usize {
        if let Some(index) = self.plan.measures.iter().position(|m| m.sql == measure.sql) {
            return index;
        }
        self.plan.measures.push(measure);
        self.plan.measures.len() - 1
    }
}
