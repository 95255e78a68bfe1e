//! Time: periods become conditions on the date column of the measured table (or the
//! nearest one the join specs reach), grains become a time dimension, weekends a
//! day-of-week condition.

use genie_core::space::SnippetKind;

use super::super::dates::{Grain, Period};
use super::super::draw::pick;
use super::super::model::ModelColumn;
use super::super::plan::{Condition, Dimension};
use super::Reader;

impl Reader<'_> {
    pub(super) fn read_time(&mut self) {
        let skip_after = if self.negation_periods {
            self.structure.negation
        } else {
            None
        };
        let periods: Vec<(usize, Period)> = self.structure.time.periods.clone();
        let needs_date = periods
            .iter()
            .any(|(position, _)| skip_after.is_none_or(|n| *position < n))
            || self.structure.time.grain.is_some()
            || self.structure.time.change.is_some()
            || self.structure.time.weekend.is_some();
        if !needs_date {
            return;
        }
        let Some((table, column)) = self.date_column.or_else(|| self.resolve_date_column()) else {
            self.plan
                .notes
                .push("no date column is reachable for the period asked".to_owned());
            return;
        };
        let reference = self.reference(table, column);
        let data = self.column(table, column).clone();
        for (position, period) in &periods {
            if skip_after.is_some_and(|n| *position > n) {
                continue;
            }
            self.plan.conditions.push(Condition {
                sql: period_sql(&reference, &data, period),
                tables: vec![table],
                describe: format!("Keep {} in {}", data.name, period.said),
            });
        }
        if let Some((_, weekend)) = self.structure.time.weekend {
            self.plan.conditions.push(Condition {
                sql: format!(
                    "dayofweek({reference}) {}IN (1, 7)",
                    if weekend { "" } else { "NOT " }
                ),
                tables: vec![table],
                describe: format!(
                    "Keep {} on {}",
                    data.name,
                    if weekend { "weekends" } else { "weekdays" }
                ),
            });
        }
        let grain = self.structure.time.change.or(self.structure.time.grain);
        if let Some(grain) = grain {
            let expression = self.grain_expression(grain, table, column, &periods);
            self.plan.dimensions.insert(
                0,
                Dimension {
                    sql: expression,
                    alias: grain.word().to_owned(),
                    tables: vec![table],
                    describe: format!("Group by the {} of {}", grain.word(), data.name),
                    grain: Some(grain),
                },
            );
        }
    }

    /// `month(d)` within one year, else a sortable period label.
    pub(super) fn grain_expression(
        &self,
        grain: Grain,
        table: usize,
        column: usize,
        periods: &[(usize, Period)],
    ) -> String {
        let reference = self.reference(table, column);
        let within_one_year =
            periods.iter().all(|(_, period)| period.within_one_year()) && !periods.is_empty();
        // An expression snippet on the same column wins.
        for snippet in &self.model.snippets {
            if snippet.kind == SnippetKind::Expression
                && snippet.sql.contains(&reference)
                && snippet
                    .sql
                    .to_lowercase()
                    .starts_with(&format!("{}(", grain.function()))
                && (within_one_year || grain == Grain::Year)
            {
                return snippet.sql.clone();
            }
        }
        match grain {
            Grain::Year => format!("year({reference})"),
            _ if within_one_year => format!("{}({reference})", grain.function()),
            Grain::Month => format!("date_format({reference}, 'yyyy-MM')"),
            Grain::Day => format!("to_date({reference})"),
            _ => format!(
                "concat(year({reference}), '-', lpad(CAST({}({reference}) AS STRING), 2, '0'))",
                grain.function()
            ),
        }
    }

    /// The date column for periods: of the measured (or counted) table, else of the
    /// nearest table the join specs reach from it, else of the other tables named.
    pub(super) fn resolve_date_column(&mut self) -> Option<(usize, usize)> {
        let mut order: Vec<usize> = Vec::new();
        if let Some(entity) = self.count_entity {
            order.push(entity);
        }
        for measure in &self.plan.measures {
            for &table in &measure.tables {
                if !order.contains(&table) {
                    order.push(table);
                }
            }
        }
        let named: Vec<usize> = self
            .plan
            .tables()
            .into_iter()
            .chain(self.plan.context.iter().copied())
            .collect();
        // Breadth first over the join specs from the measured tables.
        let mut frontier = order.clone();
        let mut seen = order.clone();
        while !frontier.is_empty() {
            let mut found: Vec<(usize, usize)> = frontier
                .iter()
                .filter_map(|&table| self.date_column_in(table).map(|column| (table, column)))
                .collect();
            // Among equally near tables, prefer one the question names.
            found.sort_by_key(|(table, _)| !named.contains(table));
            if let Some(&first) = found.first() {
                return Some(first);
            }
            let mut next = Vec::new();
            for &table in &frontier {
                for edge in &self.model.joins {
                    let other = if edge.left == table {
                        edge.right
                    } else if edge.right == table {
                        edge.left
                    } else {
                        continue;
                    };
                    if !seen.contains(&other) {
                        seen.push(other);
                        next.push(other);
                    }
                }
            }
            frontier = next;
        }
        named
            .into_iter()
            .find_map(|table| self.date_column_in(table).map(|column| (table, column)))
    }

    /// The date column of `table`: the only one; else the one the question names
    /// ("hauls *shipped* in 2025" for `shp_dt`); else the one the metadata says periods
    /// use (its description, or a text instruction naming it with dates or periods);
    /// else the draw among them.
    pub(super) fn date_column_in(&self, table: usize) -> Option<usize> {
        let dates: Vec<usize> = self.model.tables[table]
            .columns
            .iter()
            .enumerate()
            .filter(|(_, column)| column.is_temporal())
            .map(|(index, _)| index)
            .collect();
        match dates.as_slice() {
            [] => None,
            [only] => Some(*only),
            _ => {
                for preferred in [
                    self.dates_named_by_question(table, &dates),
                    self.dates_named_for_periods(table, &dates),
                ] {
                    if let [only] = preferred.as_slice() {
                        return Some(*only);
                    }
                }
                Some(dates[pick(self.draw, self.question, 3000 + table, dates.len())])
            }
        }
    }

    /// The date columns among `dates` a word of the question names: the column's
    /// name without its date words (`shp` of `shp_dt`) spelled or abbreviated by a
    /// question word, or every non-date word of one of its synonyms said in it.
    fn dates_named_by_question(&self, table: usize, dates: &[usize]) -> Vec<usize> {
        // Words another reading took ("fill *rate*" of a measure) name that, not a date.
        let elsewhere = |position: usize| {
            self.phrases.iter().any(|phrase| {
                (phrase.start..phrase.end).contains(&position)
                    && !matches!(phrase.target, super::super::lexicon::Target::Column(t, c)
                        if t == table && dates.contains(&c))
            })
        };
        let stems: Vec<&str> = self
            .content
            .iter()
            .filter(|&&p| !elsewhere(p))
            .map(|&p| &self.structure.tokens[p])
            .filter(|token| token.kind == super::super::words::TokenKind::Word)
            .map(|token| token.stem.as_str())
            .collect();
        dates
            .iter()
            .copied()
            .filter(|&column| {
                let data = self.column(table, column);
                let name_words: Vec<String> = super::super::words::identifier_words(&data.name)
                    .into_iter()
                    .filter(|word| !super::super::lexicon::is_temporal_word(word))
                    .collect();
                let by_name = !name_words.is_empty()
                    && name_words.iter().all(|word| {
                        stems.iter().any(|stem| {
                            super::super::words::stem(word) == *stem
                                || (word.len() >= 2
                                    && super::super::values::abbreviates(word, stem))
                        })
                    });
                let by_synonym = data.synonyms.iter().any(|synonym| {
                    let words: Vec<String> = super::super::words::tokenize(synonym)
                        .into_iter()
                        .map(|token| token.stem)
                        .filter(|stem| !super::super::lexicon::is_temporal_word(stem))
                        .collect();
                    !words.is_empty() && words.iter().all(|word| stems.contains(&word.as_str()))
                });
                by_name || by_synonym
            })
            .collect()
    }

    /// The date columns among `dates` the metadata says periods use: described as
    /// what periods use ("dated by", "periods use", "date filter", "reporting date"),
    /// or named in a clause of a text instruction that says so.
    fn dates_named_for_periods(&self, table: usize, dates: &[usize]) -> Vec<usize> {
        const PERIOD_WORDS: [&str; 8] = [
            "dated by",
            "date by",
            "periods use",
            "for periods",
            "period filter",
            "date filter",
            "reporting date",
            "time filter",
        ];
        let says_periods = |text: &str| PERIOD_WORDS.iter().any(|word| text.contains(word));
        let table_name = &self.model.tables[table].alias;
        dates
            .iter()
            .copied()
            .filter(|&column| {
                let data = self.column(table, column);
                let name = data.name.to_lowercase();
                says_periods(&data.description.to_lowercase())
                    || self
                        .model
                        .instruction_text
                        .split(['\n', ';'])
                        .flat_map(|line| line.split(". "))
                        .any(|line| {
                            says_periods(line)
                                && line
                                    .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
                                    .map(|word| word.trim_matches('.'))
                                    .any(|word| {
                                        word == name || word == format!("{table_name}.{name}")
                                    })
                        })
            })
            .collect()
    }
}

/// The condition keeping `column` (referenced as `reference`) in `period`.
pub(super) fn period_sql(reference: &str, column: &ModelColumn, period: &Period) -> String {
    period.sql(
        reference,
        column.column_type == genie_core::result::ColumnType::Timestamp,
    )
}
