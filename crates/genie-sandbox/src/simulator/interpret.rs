//! From a question to a [`Plan`]: read its structure, segment its content words into
//! the phrases the space knows, settle ambiguous phrases (context first, then the
//! seeded draw), and give each phrase its role. The roles are read in [`Reader::read`]'s
//! order; literals, time, shapes and the parts of a plan have their own modules.

mod comparisons;
mod literals;
mod parts;
mod shape;
mod time;

use genie_core::space::SnippetKind;

use super::Draw;
use super::dates::Period;
use super::draw::{noise_wins, pick};
use super::lexicon::{Candidate, Lexicon, Segment, Target};
use super::model::{ModelColumn, SpaceModel};
use super::plan::{Condition, Plan, Shape};
use super::question::{Aggregate, Structure, read_structure};

/// A phrase settled on one reading.
#[derive(Debug, Clone)]
struct Phrase {
    start: usize,
    end: usize,
    target: Target,
    via: &'static str,
    /// Whether another reading scored the same (the draw decided).
    ambiguous: bool,
    used: bool,
}

/// Why no plan could be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unanswerable {
    pub(crate) reason: String,
}

/// Reads `question` against `model`.
pub(crate) fn interpret(
    model: &SpaceModel,
    lexicon: &Lexicon,
    question: &str,
    draw: Draw,
) -> Result<Plan, Unanswerable> {
    let structure = read_structure(question);
    let content = structure.content();
    let segments = lexicon.segment(&structure.tokens, &content);
    let phrases = settle(model, &segments, question, draw);
    let mut reader = Reader {
        model,
        structure: &structure,
        content: &content,
        phrases,
        plan: Plan::default(),
        question,
        draw,
        count_entity: None,
        ranking_measure: None,
        date_column: None,
        negation_periods: false,
        grouped: Vec::new(),
    };
    reader.read()?;
    Ok(reader.plan)
}

/// Settles each segment on one reading: the only one; else those on tables the
/// unambiguous phrases already use or a close plain example reads; else the seeded
/// draw.
fn settle(model: &SpaceModel, segments: &[Segment], question: &str, draw: Draw) -> Vec<Phrase> {
    let mut in_play: Vec<usize> = model
        .guided_tables
        .iter()
        .filter_map(|name| model.table_index(name))
        .collect();
    for segment in segments {
        if let [only] = segment.candidates.as_slice() {
            in_play.extend(target_tables(model, &only.target));
        }
    }
    segments
        .iter()
        .filter(|segment| !segment.candidates.is_empty())
        .map(|segment| {
            // Reading noise: now and then the runner-up reading wins, less often the
            // weaker it is.
            let noisy = !segment.runner_up.is_empty()
                && noise_wins(draw, question, segment.start, segment.gap);
            let candidates: Vec<&Candidate> = if noisy {
                segment.runner_up.iter().collect()
            } else {
                segment.candidates.iter().collect()
            };
            let near: Vec<&Candidate> = candidates
                .iter()
                .copied()
                .filter(|candidate| {
                    target_tables(model, &candidate.target)
                        .iter()
                        .any(|table| in_play.contains(table))
                })
                .collect();
            let pool = if near.is_empty() { &candidates } else { &near };
            let chosen = if pool.len() == 1 {
                pool[0]
            } else {
                pool[pick(draw, question, segment.start, pool.len())]
            };
            Phrase {
                start: segment.start,
                end: segment.end,
                target: chosen.target.clone(),
                via: chosen.via,
                ambiguous: pool.len() > 1 || noisy,
                used: false,
            }
        })
        .collect()
}

/// The tables a target reads.
fn target_tables(model: &SpaceModel, target: &Target) -> Vec<usize> {
    match target {
        Target::Table(table) | Target::Column(table, _) | Target::Value { table, .. } => {
            vec![*table]
        }
        Target::Snippet(snippet) => model.snippets[*snippet].tables.clone(),
    }
}

struct Reader<'a> {
    model: &'a SpaceModel,
    structure: &'a Structure,
    content: &'a [usize],
    phrases: Vec<Phrase>,
    plan: Plan,
    question: &'a str,
    draw: Draw,
    count_entity: Option<usize>,
    /// Index into `plan.measures` of the measure a ranking orders by.
    ranking_measure: Option<usize>,
    date_column: Option<(usize, usize)>,
    /// Whether the periods after the negation went into the negated rows.
    negation_periods: bool,
    /// Token ranges of grouping phrases ("each *freight lane*").
    grouped: Vec<std::ops::Range<usize>>,
}

impl Reader<'_> {
    fn read(&mut self) -> Result<(), Unanswerable> {
        self.read_groups();
        self.read_ranking();
        self.read_counts();
        self.read_rest();
        self.read_comparisons();
        self.read_literals();
        super::plan::merge_value_lists(&mut self.plan.conditions);
        self.default_measure()?;
        self.read_negation();
        self.read_time();
        self.read_shape();
        self.plan.order_by = self.ranking_measure;
        for phrase in self.phrases.iter().filter(|phrase| phrase.ambiguous) {
            let text = self.phrase_text(phrase);
            self.plan.notes.push(format!(
                "\"{text}\" could mean several things; one reading was chosen"
            ));
        }
        Ok(())
    }

    fn column(&self, table: usize, column: usize) -> &ModelColumn {
        &self.model.tables[table].columns[column]
    }

    fn reference(&self, table: usize, column: usize) -> String {
        format!(
            "`{}`.`{}`",
            self.model.tables[table].alias,
            self.column(table, column).name
        )
    }

    fn phrase_text(&self, phrase: &Phrase) -> String {
        self.structure.tokens[phrase.start..phrase.end]
            .iter()
            .map(|token| token.raw.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The phrase that starts at the first content token at or after `index`.
    /// An unknown word may come first ("for each *freight* lane"): the phrase may
    /// start up to two content words later.
    fn phrase_after(&self, index: usize) -> Option<usize> {
        let position = Structure::next_content(index, self.content)?;
        let reach = self
            .content
            .iter()
            .copied()
            .filter(|&p| p >= position)
            .nth(2)
            .unwrap_or(usize::MAX);
        self.phrases.iter().position(|phrase| {
            (phrase.start <= position && position < phrase.end)
                || (phrase.start > position && phrase.start <= reach)
        })
    }

    fn is_measure_like(&self, target: &Target) -> bool {
        match target {
            Target::Snippet(s) => self.model.snippets[*s].kind == SnippetKind::Measure,
            Target::Column(t, c) => {
                self.column(*t, *c).measure
                    || (self.column(*t, *c).is_numeric() && !self.is_key(*t, *c))
            }
            _ => false,
        }
    }

    /// Whether a column is a key: its name's last word is `id` or `key` (`haul_id`,
    /// `custKey`, not `paid` or `valid`), or a join spec uses it.
    fn is_key(&self, table: usize, column: usize) -> bool {
        let name = &self.column(table, column).name;
        let words = super::words::identifier_words(name);
        words
            .last()
            .is_some_and(|word| word == "id" || word == "key")
            || {
                let reference = self.reference(table, column);
                self.model
                    .joins
                    .iter()
                    .any(|edge| edge.condition.contains(&reference))
            }
    }

    /// "by zone", "for each lane", "per vehicle axle count".
    fn read_groups(&mut self) {
        for &start in &self.structure.group_starts.clone() {
            let Some(index) = self.phrase_after(start) else {
                continue;
            };
            if self.phrases[index].used {
                continue;
            }
            // "by driver licence": a table, then one of its columns, is that column.
            let index = match (
                self.phrases[index].target.clone(),
                self.phrases.get(index + 1),
            ) {
                (Target::Table(table), Some(next))
                    if next.start == self.phrases[index].end
                        && matches!(next.target, Target::Column(t, _) if t == table)
                        && !next.used =>
                {
                    self.phrases[index].used = true;
                    index + 1
                }
                _ => index,
            };
            let target = self.phrases[index].target.clone();
            if self.is_measure_like(&target) {
                let measure = self.measure_of(&target, index);
                self.phrases[index].used = true;
                self.ranking_measure = Some(self.push_measure(measure));
            } else if self.add_dimension(index) {
                self.phrases[index].used = true;
                // Words between the marker and the phrase belong to the grouping.
                self.grouped.push(start..self.phrases[index].end);
            }
        }
    }

    /// "top 5 vehicles", "which 3 depots … the most freight", "most common delays".
    fn read_ranking(&mut self) {
        let Some(ranking) = self.structure.ranking else {
            return;
        };
        self.plan.order_descending = Some(ranking.descending);
        self.plan.limit = ranking.limit;
        if let Some(subject) = ranking.subject
            && let Some(index) = self.phrase_after(subject)
            && !self.phrases[index].used
        {
            let target = self.phrases[index].target.clone();
            if self.is_measure_like(&target) {
                let measure = self.measure_of(&target, index);
                self.ranking_measure = Some(self.push_measure(measure));
                self.phrases[index].used = true;
            } else if self.add_dimension(index) {
                self.phrases[index].used = true;
            }
        }
        if let Some(by) = ranking.by
            && let Some(index) = self.phrase_after(by)
            && !self.phrases[index].used
        {
            let target = self.phrases[index].target.clone();
            let measure = match &target {
                Target::Table(table) => Some(self.count_measure(*table)),
                Target::Column(table, column) if !self.column(*table, *column).is_numeric() => {
                    Some(self.count_measure(*table))
                }
                _ if self.is_measure_like(&target) => Some(self.measure_of(&target, index)),
                _ => None,
            };
            if let Some(measure) = measure {
                self.phrases[index].used = true;
                self.ranking_measure = Some(self.push_measure(measure));
            }
        }
        if ranking.frequency
            && self.ranking_measure.is_none()
            && let Some(dimension) = self.plan.dimensions.first()
            && let Some(&table) = dimension.tables.first()
        {
            let measure = self.count_measure(table);
            self.ranking_measure = Some(self.push_measure(measure));
        }
    }

    /// "how many shipments", "number of drivers": the counted thing (before any
    /// negation). A filter snippet there ("refrigerated shipments") names it too.
    fn read_counts(&mut self) {
        let stop = self.structure.negation.unwrap_or(usize::MAX);
        for &start in &self.structure.count_starts.clone() {
            for index in 0..self.phrases.len() {
                let phrase = &self.phrases[index];
                if phrase.end <= start || phrase.used || phrase.start >= stop {
                    continue;
                }
                let target = phrase.target.clone();
                match target {
                    Target::Table(table) => {
                        // "how many depot trucks": two tables in a row count the second
                        // (the head noun); the first only qualifies it.
                        let head = self
                            .phrases
                            .get(index + 1)
                            .filter(|next| next.start == self.phrases[index].end && !next.used)
                            .and_then(|next| match next.target {
                                Target::Table(other) if other != table => Some(other),
                                _ => None,
                            });
                        match head {
                            Some(other) => {
                                self.count_entity = Some(other);
                                self.phrases[index + 1].used = true;
                                self.plan.context.push(table);
                            }
                            None => self.count_entity = Some(table),
                        }
                        self.phrases[index].used = true;
                    }
                    Target::Column(..) if self.is_measure_like(&target) => {
                        let measure = self.measure_of(&target, index);
                        self.push_measure(measure);
                        self.phrases[index].used = true;
                    }
                    Target::Column(table, column)
                        if self.column(table, column).column_type
                            == genie_core::result::ColumnType::String =>
                    {
                        self.count_entity = Some(table);
                        self.phrases[index].used = true;
                    }
                    Target::Snippet(s) if self.model.snippets[s].kind == SnippetKind::Measure => {
                        let measure = self.measure_of(&target, index);
                        self.push_measure(measure);
                        self.phrases[index].used = true;
                    }
                    Target::Snippet(s) if self.model.snippets[s].kind == SnippetKind::Filter => {
                        self.count_entity = self.model.snippets[s].tables.first().copied();
                    }
                    _ => continue,
                }
                break;
            }
        }
    }

    /// Measures, filters, values and flags named anywhere else.
    fn read_rest(&mut self) {
        for index in 0..self.phrases.len() {
            if self.phrases[index].used {
                continue;
            }
            let target = self.phrases[index].target.clone();
            match &target {
                Target::Snippet(s) => {
                    let snippet = &self.model.snippets[*s];
                    match snippet.kind {
                        SnippetKind::Measure => {
                            let measure = self.measure_of(&target, index);
                            self.push_measure(measure);
                        }
                        SnippetKind::Filter => self.plan.conditions.push(Condition {
                            sql: format!("({})", snippet.sql),
                            tables: snippet.tables.clone(),
                            describe: format!("Apply the {}", snippet.origin),
                        }),
                        SnippetKind::Expression => continue,
                    }
                }
                Target::Value {
                    table,
                    column,
                    value,
                } => {
                    let condition =
                        self.value_condition(*table, *column, value, self.phrases[index].via);
                    self.plan.conditions.push(condition);
                }
                Target::Column(table, column) => {
                    let (table, column) = (*table, *column);
                    let data = self.column(table, column);
                    if data.column_type == genie_core::result::ColumnType::Boolean {
                        let negated = self.negated_before(self.phrases[index].start);
                        self.plan.conditions.push(Condition {
                            sql: format!("{} = {}", self.reference(table, column), !negated),
                            tables: vec![table],
                            describe: format!("Keep rows where `{}` is {}", data.name, !negated),
                        });
                    } else if data.is_temporal() {
                        self.date_column = Some((table, column));
                    } else if data.measure
                        || (self.is_measure_like(&target)
                            && !self.compared_not_aggregated(index)
                            && self.aggregate_before(self.phrases[index].start).is_some())
                    {
                        let measure = self.measure_of(&target, index);
                        self.push_measure(measure);
                    } else {
                        self.plan.context.push(table);
                        continue;
                    }
                }
                Target::Table(table) => {
                    self.plan.context.push(*table);
                    continue;
                }
            }
            self.phrases[index].used = true;
        }
    }

    /// Whether the phrase at `index` is the column of a numeric comparison ("trucks
    /// with a capacity *above 100*") and no aggregate word stands right before it:
    /// then it is compared, not measured.
    fn compared_not_aggregated(&self, index: usize) -> bool {
        let phrase = &self.phrases[index];
        let compared = self.structure.comparisons.iter().any(|comparison| {
            (phrase.end <= comparison.start && comparison.start - phrase.end <= 1)
                || (phrase.start >= comparison.end && phrase.start - comparison.end <= 1)
        });
        let aggregated = self
            .structure
            .aggregates
            .iter()
            .any(|(position, aggregate)| {
                *aggregate != Aggregate::Count
                    && *position <= phrase.start
                    && phrase.start - position <= 2
            });
        compared && !aggregated
    }

    /// Whether "not"/"non"/"in" negates the word at `start`.
    fn negated_before(&self, start: usize) -> bool {
        start > 0
            && matches!(
                self.structure.tokens[start - 1].lower.as_str(),
                "not" | "non" | "never" | "no"
            )
    }

    /// The aggregate word closest before `start` (within four tokens).
    fn aggregate_before(&self, start: usize) -> Option<Aggregate> {
        self.structure
            .aggregates
            .iter()
            // At `start` too: the word may begin the column's own name ("total amount").
            .filter(|(position, _)| *position <= start && start - position <= 4)
            .max_by_key(|(position, _)| *position)
            .map(|(_, aggregate)| *aggregate)
            .or(self.structure.how_much.then_some(Aggregate::Sum))
    }

    fn value_condition(&self, table: usize, column: usize, value: &str, via: &str) -> Condition {
        Condition {
            sql: format!(
                "{} = '{}'",
                self.reference(table, column),
                value.replace('\'', "''")
            ),
            tables: vec![table],
            describe: format!(
                "Keep rows where `{}` is '{value}' ({via})",
                self.column(table, column).name
            ),
        }
    }

    /// Counts, when nothing else is measured.
    fn default_measure(&mut self) -> Result<(), Unanswerable> {
        if !self.plan.measures.is_empty() {
            return Ok(());
        }
        let entity = self.count_entity.or_else(|| {
            (!self.structure.count_starts.is_empty() || self.structure.ranking.is_some())
                .then(|| {
                    self.plan
                        .dimensions
                        .iter()
                        .flat_map(|d| d.tables.iter())
                        .chain(self.plan.context.iter())
                        .chain(self.plan.conditions.iter().flat_map(|c| c.tables.iter()))
                        .copied()
                        .next()
                })
                .flatten()
        });
        if let Some(table) = entity {
            let measure = self.count_measure(table);
            let index = self.push_measure(measure);
            if self.structure.ranking.is_some() && self.ranking_measure.is_none() {
                self.ranking_measure = Some(index);
            }
            return Ok(());
        }
        if !self.plan.dimensions.is_empty() {
            let table = self.plan.dimensions[0].tables[0];
            let measure = self.count_measure(table);
            self.push_measure(measure);
            return Ok(());
        }
        let timed = self.structure.time.grain.is_some() || self.structure.time.change.is_some();
        if let Some(&table) = self.plan.context.first().or(self.plan.tables().first()) {
            if timed {
                // "monthly orders": count them per period.
                let measure = self.count_measure(table);
                self.push_measure(measure);
                return Ok(());
            }
            self.plan.shape = Shape::List;
            self.plan.context.insert(0, table);
            return Ok(());
        }
        Err(Unanswerable {
            reason: if self.phrases.is_empty() {
                "nothing in the question matches a table, column or snippet of this space"
                    .to_owned()
            } else {
                "the question does not say what to compute".to_owned()
            },
        })
    }

    /// "did not place any order in 2025": rows of the counted table with no related
    /// row in the negated table.
    fn read_negation(&mut self) {
        let Some(negation) = self.structure.negation else {
            return;
        };
        let Some(outer) = self.count_entity.or_else(|| {
            self.plan
                .measures
                .first()
                .and_then(|measure| measure.tables.first().copied())
        }) else {
            return;
        };
        let Some(index) = self.phrases.iter().position(|phrase| {
            phrase.start >= negation
                && matches!(phrase.target, Target::Table(t) | Target::Column(t, _) if t != outer)
        }) else {
            return;
        };
        let (Target::Table(inner) | Target::Column(inner, _)) = self.phrases[index].target else {
            return;
        };
        self.plan.context.retain(|&table| table != inner);
        let Some(edge) = super::joins::direct_edge(self.model, outer, inner) else {
            self.plan.notes.push(format!(
                "no join spec relates `{}` to `{}`, so the negation is left out",
                self.model.tables[outer].alias, self.model.tables[inner].alias
            ));
            return;
        };
        let inner_alias = &self.model.tables[inner].alias;
        let mut inner_conditions = vec![self.model.joins[edge].condition.clone()];
        // Periods named after the negation belong to the negated rows.
        let periods: Vec<(usize, Period)> = self.structure.time.periods.clone();
        for (position, period) in &periods {
            if *position > negation
                && let Some(column) = self.date_column_in(inner)
            {
                inner_conditions.push(time::period_sql(
                    &self.reference(inner, column),
                    self.column(inner, column),
                    period,
                ));
            }
        }
        self.plan.conditions.push(Condition {
            sql: format!(
                "NOT EXISTS (SELECT 1 FROM {} AS `{inner_alias}` WHERE {})",
                quoted_name(&self.model.tables[inner].name),
                inner_conditions.join(" AND ")
            ),
            tables: vec![outer],
            describe: format!(
                "Keep rows of `{}` with no matching row in `{inner_alias}`",
                self.model.tables[outer].alias
            ),
        });
        self.negation_periods = true;
    }
}

/// `main.fleet.hauls` → `` `main`.`fleet`.`hauls` ``.
pub(crate) fn quoted_name(name: &str) -> String {
    name.split('.')
        .map(|part| format!("`{part}`"))
        .collect::<Vec<_>>()
        .join(".")
}
