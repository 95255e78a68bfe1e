//! Literals: words no phrase took — values met by entity matching's near spellings
//! and abbreviations, unknown measure words, and literals Genie puts on a plausible
//! column when nothing exposes the values.

use super::super::draw::pick;
use super::super::lexicon::Target;
use super::super::plan::{Condition, Measure};
use super::super::question::{Aggregate, is_filler};
use super::super::values::match_value;
use super::{Reader, target_tables};

impl Reader<'_> {
    /// Words no phrase took: literals. With entity matching a near spelling or an
    /// abbreviating code may still meet a value; otherwise the literal lands on a
    /// plausible string column, written as the user wrote it.
    pub(super) fn read_literals(&mut self) {
        let taken: Vec<usize> = self
            .phrases
            .iter()
            .flat_map(|phrase| phrase.start..phrase.end)
            .collect();
        let mut runs: Vec<Vec<usize>> = Vec::new();
        let mut previous: Option<usize> = None;
        for &position in self.content {
            let token = &self.structure.tokens[position];
            if taken.contains(&position) || is_filler(&token.lower) {
                previous = None;
                continue;
            }
            match (runs.last_mut(), previous) {
                (Some(run), Some(last)) if position == last + 1 => run.push(position),
                _ => runs.push(vec![position]),
            }
            previous = Some(position);
        }
        for run in runs {
            // Words qualifying a grouping ("each *freight* lane") are not literals.
            if run
                .iter()
                .all(|p| self.grouped.iter().any(|range| range.contains(p)))
            {
                continue;
            }
            let text = run
                .iter()
                .map(|&p| self.structure.tokens[p].lower.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            // A two-letter code abbreviates a name ("Zanzibar" → `ZB`), never an
            // ordinary word ("wagon" is not `WN`).
            let proper = run.iter().all(|&p| {
                p > 0
                    && self.structure.tokens[p]
                        .raw
                        .chars()
                        .next()
                        .is_some_and(char::is_uppercase)
            });
            if let Some(condition) = self.fuzzy_value(&text, proper) {
                self.plan.conditions.push(condition);
                continue;
            }
            let raw = run
                .iter()
                .map(|&p| self.structure.tokens[p].raw.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            if self.in_measure_position(run[0])
                && let Some(measure) = self.guessed_measure(&raw, run[0])
            {
                let index = self.push_measure(measure);
                if self.structure.ranking.is_some_and(|r| r.by.is_some()) {
                    self.ranking_measure.get_or_insert(index);
                }
                continue;
            }
            if !self.looks_like_a_value(&run) {
                self.plan
                    .notes
                    .push(format!("\"{raw}\" does not match anything in this space"));
                continue;
            }
            if let Some(condition) = self.guessed_literal(&raw, run[0]) {
                self.plan.conditions.push(condition);
            } else {
                self.plan
                    .notes
                    .push(format!("\"{raw}\" does not match anything in this space"));
            }
        }
    }

    /// A value of an entity-matching column that `text` spells nearly or abbreviates.
    pub(super) fn fuzzy_value(&self, text: &str, short_codes: bool) -> Option<Condition> {
        let mut found = Vec::new();
        for (t, table) in self.model.tables.iter().enumerate() {
            for (c, column) in table.columns.iter().enumerate() {
                if !column.entity_matching {
                    continue;
                }
                if let Some((value, how)) =
                    match_value(text, &column.values, &column.labels, false, true)
                    && (short_codes
                        || how != super::super::values::ValueMatch::Abbreviation
                        || value.chars().count() > 2)
                {
                    found.push((how, t, c, value));
                }
            }
        }
        found.sort();
        let best = found.first()?.0;
        let pool: Vec<_> = found.iter().filter(|(how, ..)| *how == best).collect();
        let (_, table, column, value) = pool[pick(self.draw, self.question, 1000, pool.len())];
        Some(self.value_condition(*table, *column, value, "entity matching"))
    }

    /// Whether the word at `position` is where the question names what to compute:
    /// after an aggregate word, "how much", "the most", "share of" or "by" of a
    /// ranking, with nothing measured yet.
    pub(super) fn in_measure_position(&self, position: usize) -> bool {
        if !self.plan.measures.is_empty()
            || self.count_entity.is_some()
            || self.grouped.iter().any(|range| range.contains(&position))
        {
            return false;
        }
        let near = |start: usize| position >= start && position <= start + 2;
        self.structure.aggregates.iter().any(|(at, aggregate)| {
            *aggregate != Aggregate::Count && position > *at && position <= at + 3
        }) || self.structure.how_much
            || self.structure.share.is_some_and(near)
            || self.structure.ranking.and_then(|r| r.by).is_some_and(near)
            || self.structure.group_starts.iter().any(|&start| near(start))
            || (self.structure.ranking.is_none() && !self.plan.dimensions.is_empty())
    }

    /// An unknown measure word ("tonnage" with no measure defined): Genie aggregates
    /// a plausible numeric column of a table in play, chosen by the draw.
    pub(super) fn guessed_measure(&self, raw: &str, position: usize) -> Option<Measure> {
        let mut tables: Vec<usize> = self.plan.tables();
        tables.extend(self.plan.context.iter().copied());
        if tables.is_empty() {
            tables = (0..self.model.tables.len()).collect();
        }
        let candidates: Vec<(usize, usize)> = tables
            .iter()
            .flat_map(|&table| {
                (0..self.model.tables[table].columns.len()).map(move |column| (table, column))
            })
            .filter(|&(table, column)| {
                let data = self.column(table, column);
                data.is_numeric() && !data.measure && !self.is_key(table, column)
            })
            .collect();
        if candidates.is_empty() {
            return None;
        }
        let (table, column) =
            candidates[pick(self.draw, self.question, 4000 + position, candidates.len())];
        let aggregate = self
            .aggregate_before(position)
            .filter(|aggregate| *aggregate != Aggregate::Count)
            .unwrap_or(Aggregate::Sum);
        let data = self.column(table, column);
        Some(Measure {
            sql: format!(
                "{}({})",
                aggregate.function(),
                self.reference(table, column)
            ),
            alias: format!("{}_{}", aggregate.prefix(), data.name),
            tables: vec![table],
            describe: format!(
                "Guess that \"{raw}\" is the {} of `{}`",
                aggregate.function(),
                data.name
            ),
            count_of: None,
        })
    }

    /// Whether the words at `run` read as a value rather than a verb or an adverb:
    /// capitalised mid-sentence or quoted ("in *Engineering*"), right before a phrase
    /// naming a table or column ("*refrigerated* vehicles"), or right after a
    /// preposition ("on the *motorway*").
    fn looks_like_a_value(&self, run: &[usize]) -> bool {
        let tokens = &self.structure.tokens;
        // Verbs say what happened, never which value ("which depots *sent* most").
        if run
            .iter()
            .all(|&p| super::super::words::is_verb_form(&tokens[p].lower))
        {
            return false;
        }
        let first = run[0];
        let last = run[run.len() - 1];
        let capitalised = run.iter().any(|&p| {
            p > 0
                && (tokens[p].kind == super::super::words::TokenKind::Quoted
                    || tokens[p].raw.chars().next().is_some_and(char::is_uppercase))
        });
        let modifies = self.phrases.iter().any(|phrase| {
            phrase.start == last + 1
                && matches!(phrase.target, Target::Table(_) | Target::Column(..))
        });
        let mut before = first;
        while before > 0
            && matches!(
                tokens[before - 1].lower.as_str(),
                "the" | "a" | "an" | "our" | "their" | "my"
            )
        {
            before -= 1;
        }
        let after_preposition = before > 0
            && matches!(
                tokens[before - 1].lower.as_str(),
                "in" | "from"
                    | "on"
                    | "at"
                    | "for"
                    | "with"
                    | "of"
                    | "to"
                    | "via"
                    | "through"
                    | "by"
            );
        capitalised || modifies || after_preposition
    }

    /// The literal `raw` put on a string column of a table in play, chosen by the draw.
    pub(super) fn guessed_literal(&self, raw: &str, position: usize) -> Option<Condition> {
        let mut tables: Vec<usize> = self
            .phrases
            .iter()
            .filter(|phrase| phrase.start > position && phrase.start <= position + 3)
            .flat_map(|phrase| target_tables(self.model, &phrase.target))
            .collect();
        tables.extend(self.plan.tables());
        tables.extend(self.plan.context.iter().copied());
        if let Some(entity) = self.count_entity {
            tables.push(entity);
        }
        let table = *tables.first()?;
        let candidates: Vec<usize> = self.model.tables[table]
            .columns
            .iter()
            .enumerate()
            // A column whose values Genie is shown (format assistance, entity
            // matching) does not hold a literal that is none of them.
            .filter(|(_, column)| {
                column.column_type == genie_core::result::ColumnType::String
                    && !column.values.is_empty()
                    && column.values.len() <= 100
                    && !column.format_assistance
                    && !column.entity_matching
            })
            .map(|(index, _)| index)
            .collect();
        if candidates.is_empty() {
            return None;
        }
        let column = candidates[pick(self.draw, self.question, 2000 + position, candidates.len())];
        let mut condition = self.value_condition(table, column, raw, "guessed");
        condition.describe = format!(
            "Guess that \"{raw}\" is a value of `{}`",
            self.column(table, column).name
        );
        Some(condition)
    }
}
