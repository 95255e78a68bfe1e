//! From a question to a [`Plan`]: read its structure, segment its content words into
//! the phrases the space knows, settle ambiguous phrases (context first, then the
//! seeded draw), and give each phrase its role.

use genie_core::space::SnippetKind;

use super::Draw;
use super::dates::{Grain, Period};
use super::draw::pick;
use super::lexicon::{Candidate, Lexicon, Segment, Target};
use super::model::{ModelColumn, SpaceModel};
use super::plan::{Condition, Dimension, Measure, Plan, Shape};
use super::question::{Aggregate, Structure, is_filler, read_structure};
use super::values::match_value;

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
    };
    reader.read()?;
    Ok(reader.plan)
}

/// Settles each segment on one reading: the only one; else those on tables the
/// unambiguous phrases already use; else the seeded draw.
fn settle(model: &SpaceModel, segments: &[Segment], question: &str, draw: Draw) -> Vec<Phrase> {
    let mut in_play: Vec<usize> = Vec::new();
    for segment in segments {
        if let [only] = segment.candidates.as_slice() {
            in_play.extend(target_tables(model, &only.target));
        }
    }
    segments
        .iter()
        .filter(|segment| !segment.candidates.is_empty())
        .map(|segment| {
            let candidates: Vec<&Candidate> = segment.candidates.iter().collect();
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
                ambiguous: pool.len() > 1,
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
}

impl Reader<'_> {
    fn read(&mut self) -> Result<(), Unanswerable> {
        self.read_groups();
        self.read_ranking();
        self.read_counts();
        self.read_rest();
        self.read_literals();
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
    fn phrase_after(&self, index: usize) -> Option<usize> {
        let position = Structure::next_content(index, self.content)?;
        self.phrases
            .iter()
            .position(|phrase| phrase.start <= position && position < phrase.end)
    }

    fn is_measure_like(&self, target: &Target) -> bool {
        match target {
            Target::Snippet(s) => self.model.snippets[*s].kind == SnippetKind::Measure,
            Target::Column(t, c) => self.column(*t, *c).is_numeric() && !self.is_key(*t, *c),
            _ => false,
        }
    }

    /// Whether a column is a key (named `…id`, `…key`, or used by a join spec).
    fn is_key(&self, table: usize, column: usize) -> bool {
        let name = self.column(table, column).name.to_lowercase();
        name.ends_with("id") || name.ends_with("key") || {
            let reference = self.reference(table, column);
            self.model
                .joins
                .iter()
                .any(|edge| edge.condition.contains(&reference))
        }
    }

    /// "by region", "for each channel", "per product category".
    fn read_groups(&mut self) {
        for &start in &self.structure.group_starts.clone() {
            let Some(index) = self.phrase_after(start) else {
                continue;
            };
            if self.phrases[index].used || self.phrases[index].start > start + 2 {
                continue;
            }
            let target = self.phrases[index].target.clone();
            if self.is_measure_like(&target) {
                let measure = self.measure_of(&target, index);
                self.phrases[index].used = true;
                self.ranking_measure = Some(self.push_measure(measure));
            } else if self.add_dimension(index) {
                self.phrases[index].used = true;
            }
        }
    }

    /// "top 5 products", "which 3 stores … the most revenue", "most common reasons".
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

    /// "how many orders", "number of customers": the counted thing (before any
    /// negation). A filter snippet there ("active customers") names it too.
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
                        self.count_entity = Some(table);
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
                    } else if self.is_measure_like(&target)
                        && self.aggregate_before(self.phrases[index].start).is_some()
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
            .filter(|(position, _)| *position < start && start - position <= 4)
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

    /// Words no phrase took: literals. With entity matching a near spelling or an
    /// abbreviating code may still meet a value; otherwise the literal lands on a
    /// plausible string column, written as the user wrote it.
    fn read_literals(&mut self) {
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
            let text = run
                .iter()
                .map(|&p| self.structure.tokens[p].lower.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            if let Some(condition) = self.fuzzy_value(&text) {
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
    fn fuzzy_value(&self, text: &str) -> Option<Condition> {
        let mut found = Vec::new();
        for (t, table) in self.model.tables.iter().enumerate() {
            for (c, column) in table.columns.iter().enumerate() {
                if !column.entity_matching {
                    continue;
                }
                if let Some((value, how)) =
                    match_value(text, &column.values, &column.labels, false, true)
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
    fn in_measure_position(&self, position: usize) -> bool {
        if !self.plan.measures.is_empty() || self.count_entity.is_some() {
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

    /// An unknown measure word ("revenue" with no measure defined): Genie aggregates
    /// a plausible numeric column of a table in play, chosen by the draw.
    fn guessed_measure(&self, raw: &str, position: usize) -> Option<Measure> {
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
                self.column(table, column).is_numeric() && !self.is_key(table, column)
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

    /// The literal `raw` put on a string column of a table in play, chosen by the draw.
    fn guessed_literal(&self, raw: &str, position: usize) -> Option<Condition> {
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
            .filter(|(_, column)| {
                column.column_type == genie_core::result::ColumnType::String
                    && !column.values.is_empty()
                    && column.values.len() <= 100
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
        if let Some(&table) = self.plan.context.first().or(self.plan.tables().first()) {
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
                inner_conditions.push(period_sql(
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

    fn read_time(&mut self) {
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
    fn grain_expression(
        &self,
        grain: Grain,
        table: usize,
        column: usize,
        periods: &[(usize, Period)],
    ) -> String {
        let reference = self.reference(table, column);
        let within_one_year = periods
            .iter()
            .all(|(_, period)| period.start[..4] == period.end[..4])
            && !periods.is_empty();
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
    fn resolve_date_column(&mut self) -> Option<(usize, usize)> {
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

    /// The date column of `table`: the only one, else the draw among them.
    fn date_column_in(&self, table: usize) -> Option<usize> {
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
            _ => Some(dates[pick(self.draw, self.question, 3000 + table, dates.len())]),
        }
    }

    fn read_shape(&mut self) {
        if let Some(grain) = self.structure.time.change
            && !self.plan.measures.is_empty()
        {
            self.plan.shape = Shape::Change(grain);
            self.plan.order_descending = None;
            self.plan.limit = None;
            return;
        }
        let Some(share) = self.structure.share else {
            if self.structure.rate.is_some()
                && self.plan.measures.iter().all(|m| m.count_of.is_some())
            {
                self.conditional_share(0);
            }
            return;
        };
        let grouped = self.plan.dimensions.iter().any(|d| d.grain.is_none());
        if grouped {
            self.plan.shape = Shape::ShareOfTotal;
        } else {
            self.conditional_share(share);
        }
    }

    /// Moves the conditions named after `from` (other than periods) into the share's
    /// numerator.
    fn conditional_share(&mut self, from: usize) {
        let after: Vec<usize> = self
            .phrases
            .iter()
            .filter(|phrase| phrase.start >= from)
            .map(|phrase| phrase.start)
            .collect();
        let weekend = self.structure.time.weekend.map(|(position, _)| position);
        let mut moved = Vec::new();
        let mut kept = Vec::new();
        for condition in std::mem::take(&mut self.plan.conditions) {
            let is_period =
                condition.sql.contains(" BETWEEN ") || condition.sql.contains(" >= TIMESTAMP");
            let is_weekend =
                condition.sql.starts_with("dayofweek(") && weekend.is_some_and(|w| w >= from);
            if is_weekend
                || (!is_period && !after.is_empty() && !condition.sql.starts_with("NOT EXISTS"))
            {
                moved.push(condition);
            } else {
                kept.push(condition);
            }
        }
        self.plan.conditions = kept;
        if moved.is_empty() {
            return;
        }
        self.plan.shape = Shape::ConditionalShare(moved);
    }

    /// Adds the dimension the phrase at `index` names; false when it names none.
    fn add_dimension(&mut self, index: usize) -> bool {
        let phrase = &self.phrases[index];
        let dimension = match &phrase.target {
            Target::Table(table) => {
                let Some(column) = self.label_column(*table) else {
                    return false;
                };
                self.column_dimension(*table, column)
            }
            Target::Column(table, column) | Target::Value { table, column, .. } => {
                self.column_dimension(*table, *column)
            }
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

    fn column_dimension(&self, table: usize, column: usize) -> Dimension {
        let data = self.column(table, column);
        Dimension {
            sql: self.reference(table, column),
            alias: data.name.clone(),
            tables: vec![table],
            describe: format!("Group by `{}`", data.name),
            grain: None,
        }
    }

    /// The column that names a table's rows: one called a name, else the first string.
    fn label_column(&self, table: usize) -> Option<usize> {
        let columns = &self.model.tables[table].columns;
        let is_string = |c: &ModelColumn| c.column_type == genie_core::result::ColumnType::String;
        let names_it = |c: &ModelColumn| {
            let words = super::words::identifier_words(&c.name);
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

    fn count_measure(&self, table: usize) -> Measure {
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
    fn measure_of(&self, target: &Target, index: usize) -> Measure {
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
    fn push_measure(&mut self, measure: Measure) -> usize {
        if let Some(index) = self.plan.measures.iter().position(|m| m.sql == measure.sql) {
            return index;
        }
        self.plan.measures.push(measure);
        self.plan.measures.len() - 1
    }
}

/// `d BETWEEN DATE 'a' AND DATE 'b'` (timestamps: a half-open range).
fn period_sql(reference: &str, column: &ModelColumn, period: &Period) -> String {
    if column.column_type == genie_core::result::ColumnType::Timestamp {
        format!(
            "{reference} >= TIMESTAMP '{} 00:00:00' AND {reference} < date_add(DATE '{}', 1)",
            period.start, period.end
        )
    } else {
        format!(
            "{reference} BETWEEN DATE '{}' AND DATE '{}'",
            period.start, period.end
        )
    }
}

/// `main.sales.orders` → `` `main`.`sales`.`orders` ``.
pub(crate) fn quoted_name(name: &str) -> String {
    name.split('.')
        .map(|part| format!("`{part}`"))
        .collect::<Vec<_>>()
        .join(".")
}
