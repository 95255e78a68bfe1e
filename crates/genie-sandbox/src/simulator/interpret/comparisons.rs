//! Numeric comparisons: "with an amount over 500", "more than 3 units", "orders above
//! $1,000". The compared column is the numeric column named right before the
//! comparison, else right after its number; else Genie guesses a numeric column of the
//! table the question is about (the draw picks), not necessarily the right one.

use super::super::draw::pick;
use super::super::lexicon::Target;
use super::super::plan::Condition;
use super::Reader;

impl Reader<'_> {
    pub(super) fn read_comparisons(&mut self) {
        for comparison in self.structure.comparisons.clone() {
            let before = self.phrases.iter().position(|phrase| {
                phrase.end <= comparison.start
                    && comparison.start - phrase.end <= 1
                    && self.is_numeric_column(&phrase.target)
            });
            let after = || {
                self.phrases.iter().position(|phrase| {
                    phrase.start >= comparison.end
                        && phrase.start - comparison.end <= 1
                        && self.is_numeric_column(&phrase.target)
                })
            };
            let named = before.or_else(after);
            let (table, column, how) = if let Some(index) = named {
                let Target::Column(table, column) = self.phrases[index].target else {
                    continue;
                };
                if self.phrases[index].used {
                    // The column already measures something ("total amount over 500").
                    continue;
                }
                self.phrases[index].used = true;
                (table, column, "named")
            } else {
                let Some((table, column)) = self.guessed_numeric_column(comparison.start) else {
                    self.plan
                        .notes
                        .push(format!("nothing to compare with {}", comparison.value));
                    continue;
                };
                (table, column, "guessed")
            };
            let data = self.column(table, column);
            self.plan.conditions.push(Condition {
                sql: format!(
                    "{} {} {}",
                    self.reference(table, column),
                    comparison.operator,
                    comparison.value
                ),
                tables: vec![table],
                describe: if how == "named" {
                    format!(
                        "Keep rows where `{}` {} {}",
                        data.name, comparison.operator, comparison.value
                    )
                } else {
                    format!(
                        "Guess that the comparison with {} is on `{}`",
                        comparison.value, data.name
                    )
                },
            });
        }
    }

    fn is_numeric_column(&self, target: &Target) -> bool {
        matches!(target, Target::Column(table, column)
            if self.column(*table, *column).is_numeric() && !self.is_key(*table, *column))
    }

    /// A numeric column of the counted, measured or mentioned table, by the draw.
    fn guessed_numeric_column(&self, position: usize) -> Option<(usize, usize)> {
        let table = self
            .count_entity
            .or_else(|| self.plan.tables().first().copied())
            .or_else(|| self.plan.context.first().copied())?;
        let candidates: Vec<usize> = (0..self.model.tables[table].columns.len())
            .filter(|&column| {
                self.column(table, column).is_numeric() && !self.is_key(table, column)
            })
            .collect();
        if candidates.is_empty() {
            return None;
        }
        let pick = pick(self.draw, self.question, 5000 + position, candidates.len());
        Some((table, candidates[pick]))
    }
}
