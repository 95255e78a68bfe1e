//! The vocabulary of a space: which words name which table, column, snippet or stored
//! value, and how strongly; and the segmentation of a question into the phrases it
//! names.
//!
//! Strengths, strongest first: snippet names and the names of a metric view's
//! measures 32 (SQL expressions outrank other guidance, as in Genie); synonyms,
//! instruction terms and values the space exposes (format assistance, entity matching)
//! 30; a `"term" means <SQL>` definition of the text instructions 27 (text advises, a
//! snippet defines); a name spelled out in full 25; "one row per X" in a table
//! description 24; a description's head phrase 22; a name abbreviated (`drv` for
//! "driver") 15, or abbreviated to two letters 10; one word of a table description's
//! head 12.
//!
//! Metadata is read within a context budget of [`CONTEXT_BUDGET_CHARS`] characters, in
//! this order: each table in the space's order (its description, then per column the
//! description, synonyms, value dictionary and the sample values format assistance
//! shows), then the snippets, then the text instructions. Table and column names are
//! always read; everything beyond the budget is read [`BEYOND_BUDGET`] weaker.
//!
//! Two definitions of one term (snippets or text definitions with different SQL) are
//! a conflict the space leaves unresolved: both are read at the stronger one's strength, so
//! the draw decides between them.

use std::collections::HashMap;

use super::instructions::InstructionRule;
use super::model::SpaceModel;
use super::values::abbreviates;
use super::words::{Token, identifier_words, is_stop_word, stem, tokenize};

/// What a phrase names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    Table(usize),
    Column(usize, usize),
    Snippet(usize),
    Value {
        table: usize,
        column: usize,
        value: String,
    },
}

/// A reading of a phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Candidate {
    pub(crate) target: Target,
    pub(crate) strength: u32,
    /// How the phrase met the target, for the explanation.
    pub(crate) via: &'static str,
}

const SNIPPET: u32 = 32;
pub(crate) const SYNONYM: u32 = 30;
const TEXT_DEFINITION: u32 = 27;

/// How many characters of descriptions, synonyms, values, snippets and instructions
/// are read at full strength (about 10,000 tokens of a model's context).
pub(crate) const CONTEXT_BUDGET_CHARS: usize = 40_000;
/// How much weaker metadata beyond the context budget is read: a synonym then loses
/// to a name spelled out in full, a snippet to a synonym.
pub(crate) const BEYOND_BUDGET: u32 = 6;
const FULL_NAME: u32 = 25;
const ROW_ENTITY: u32 = 24;
const DESCRIPTION_HEAD: u32 = 22;
const ABBREVIATION: u32 = 15;
const SHORT_ABBREVIATION: u32 = 10;
const HEAD_WORD: u32 = 12;

/// Identifier words that say what kind of column or table it is rather than what it
/// holds; a phrase need not mention them.
const GENERIC_WORDS: &[&str] = &[
    "cd", "code", "dim", "fact", "fct", "flag", "flg", "has", "ind", "is", "key", "nbr", "no",
    "num", "tbl",
];

/// Aggregate words a column's name may start with (`total_amount`): the column is also
/// named without them.
const AGGREGATE_WORDS: &[&str] = &["avg", "average", "max", "min", "sum", "total"];

/// Question words that say "some kind of code" and may stand for a generic
/// identifier word ("fuel type" for `fuel_cd`).
const KIND_WORDS: &[&str] = &["code", "kind", "method", "mode", "type"];

/// Words that only say a column holds dates or times.
const TEMPORAL_WORDS: &[&str] = &["date", "day", "dt", "time", "timestamp", "ts"];

/// Whether `word` only says a column holds dates or times.
pub(crate) fn is_temporal_word(word: &str) -> bool {
    TEMPORAL_WORDS.contains(&word)
}

/// Phrases and names of a space.
#[derive(Debug, Default)]
pub(crate) struct Lexicon {
    phrases: HashMap<String, Vec<Candidate>>,
    /// Characters of metadata read so far (see [`CONTEXT_BUDGET_CHARS`]).
    read_chars: usize,
    /// How much weaker the metadata now indexed is read (0 within the budget).
    penalty: u32,
    /// Identifier words of each table and column, with the words that may go unsaid.
    names: Vec<(Target, Vec<String>, Vec<String>)>,
}

/// A run of question tokens and its strongest readings.
#[derive(Debug, Clone)]
pub(crate) struct Segment {
    /// Index of the first token (into the question's tokens).
    pub(crate) start: usize,
    /// Index one past the last token.
    pub(crate) end: usize,
    /// The readings that share the top strength.
    pub(crate) candidates: Vec<Candidate>,
    /// The readings that share the next strength below (what reading noise may pick).
    pub(crate) runner_up: Vec<Candidate>,
    /// How much weaker the runner-up readings are.
    pub(crate) gap: u32,
}

fn key_of(stems: &[String]) -> String {
    let mut sorted: Vec<&str> = stems.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    sorted.join(" ")
}

/// The content stems of a phrase (stop words dropped).
fn phrase_stems(text: &str) -> Vec<String> {
    tokenize(text)
        .into_iter()
        .filter(|token| !is_stop_word(&token.lower))
        .map(|token| token.stem)
        .collect()
}

/// The heads of a description: the text up to the first `:`, `.`, `,`, `;`, `(`,
/// ` - ` or newline, and its part before the first preposition ("Payload capacity"
/// of "Payload capacity in kilograms"), each when it is at most four content words.
fn description_heads(description: &str) -> Vec<Vec<String>> {
    let end = description
        .find([':', '.', ',', ';', '\n', '('])
        .unwrap_or(description.len());
    let head = description[..end].split(" - ").next().unwrap_or_default();
    let mut heads = Vec::new();
    let stems = phrase_stems(head);
    if !stems.is_empty() && stems.len() <= 4 {
        heads.push(stems);
    }
    let words: Vec<&str> = head.split_whitespace().collect();
    if let Some(cut) = words
        .iter()
        .position(|word| BREAKS.contains(&word.to_lowercase().as_str()))
        && cut > 0
    {
        let stems = phrase_stems(&words[..cut].join(" "));
        if !stems.is_empty() && stems.len() <= 4 && !heads.contains(&stems) {
            heads.push(stems);
        }
    }
    heads
}

/// Words that end a description's noun phrase.
const BREAKS: &[&str] = &[
    "after", "at", "before", "by", "for", "from", "in", "of", "on", "per", "that", "to", "which",
    "who", "with",
];

/// "one row per X" (up to a preposition or punctuation, at most three words).
fn row_entity(description: &str) -> Option<Vec<String>> {
    let lower = description.to_lowercase();
    let position = lower
        .find("one row per ")
        .map(|p| p + "one row per ".len())?;
    let mut stems = Vec::new();
    for token in tokenize(&lower[position..]) {
        if matches!(
            token.lower.as_str(),
            "on" | "in" | "of" | "with" | "for" | "at" | "by" | "and" | "or" | "per" | "from"
        ) || stems.len() == 3
        {
            break;
        }
        if !is_stop_word(&token.lower) {
            stems.push(token.stem);
        }
    }
    let boundary = lower[position..]
        .find([',', '.', ';', ':', '(', '\n'])
        .unwrap_or(lower.len() - position);
    let within = phrase_stems(&lower[position..position + boundary]);
    stems.truncate(within.len().max(1));
    (!stems.is_empty()).then_some(stems)
}

impl Lexicon {
    /// The vocabulary of `model`.
    pub(crate) fn build(model: &SpaceModel) -> Self {
        let mut lexicon = Self::default();
        // A column's shortened name never shadows a table's name ("order" for
        // `order_date` when there is an `orders` table).
        let table_names: Vec<String> = model
            .tables
            .iter()
            .map(|table| key_of(&stems_of(&identifier_words(&table.alias))))
            .collect();
        let shadows = |stems: &[String]| table_names.contains(&key_of(stems));
        for (t, table) in model.tables.iter().enumerate() {
            let words = identifier_words(&table.alias);
            lexicon.penalty = 0;
            lexicon.add_stems(&stems_of(&words), Target::Table(t), FULL_NAME, "table name");
            lexicon.names.push((Target::Table(t), words, Vec::new()));
            lexicon.spend(table.description.len());
            for head in description_heads(&table.description) {
                lexicon.add_stems(
                    &head,
                    Target::Table(t),
                    DESCRIPTION_HEAD,
                    "table description",
                );
                if head.len() > 1 {
                    for word in &head {
                        lexicon.add_stems(
                            std::slice::from_ref(word),
                            Target::Table(t),
                            HEAD_WORD,
                            "table description",
                        );
                    }
                }
            }
            if let Some(entity) = row_entity(&table.description) {
                lexicon.add_stems(&entity, Target::Table(t), ROW_ENTITY, "table description");
            }
            for (c, column) in table.columns.iter().enumerate() {
                let target = Target::Column(t, c);
                lexicon.penalty = 0;
                // A metric view's measure is named as strongly as a measure snippet.
                let named = |strength: u32| if column.measure { SNIPPET } else { strength };
                let words = identifier_words(&column.name);
                lexicon.add_stems(
                    &stems_of(&words),
                    target.clone(),
                    named(FULL_NAME),
                    "column name",
                );
                let generic: Vec<String> = if column.is_temporal() {
                    TEMPORAL_WORDS.iter().map(|w| (*w).to_owned()).collect()
                } else {
                    Vec::new()
                };
                // The name without the words that only say what kind of column it is
                // ("remote" for `is_remote`, "hire" for `hire_date`).
                let essential: Vec<String> = words
                    .iter()
                    .filter(|word| {
                        !GENERIC_WORDS.contains(&word.as_str()) && !generic.contains(word)
                    })
                    .cloned()
                    .collect();
                if !essential.is_empty()
                    && essential.len() < words.len()
                    && !shadows(&stems_of(&essential))
                {
                    lexicon.add_stems(
                        &stems_of(&essential),
                        target.clone(),
                        named(FULL_NAME),
                        "column name",
                    );
                }
                // Aggregate words of the name may go unsaid ("amount" for `total_amount`).
                let plain: Vec<String> = essential
                    .iter()
                    .filter(|word| !AGGREGATE_WORDS.contains(&word.as_str()))
                    .cloned()
                    .collect();
                if !plain.is_empty() && plain.len() < essential.len() && !shadows(&stems_of(&plain))
                {
                    lexicon.add_stems(
                        &stems_of(&plain),
                        target.clone(),
                        named(FULL_NAME),
                        "column name",
                    );
                }
                lexicon.names.push((target.clone(), words, generic));
                lexicon.spend(context_chars(column));
                for synonym in &column.synonyms {
                    lexicon.add_text(synonym, target.clone(), named(SYNONYM), "synonym");
                }
                for head in description_heads(&column.description) {
                    lexicon.add_stems(
                        &head,
                        target.clone(),
                        named(DESCRIPTION_HEAD),
                        "column description",
                    );
                }
                if column.format_assistance || column.entity_matching {
                    for value in column
                        .values
                        .iter()
                        .filter(|v| v.chars().count() <= 60 && !has_stop_word(v))
                    {
                        let value_target = Target::Value {
                            table: t,
                            column: c,
                            value: value.clone(),
                        };
                        lexicon.add_stems(
                            &tokenize(value)
                                .into_iter()
                                .map(|t| t.stem)
                                .collect::<Vec<_>>(),
                            value_target,
                            SYNONYM,
                            "sample value",
                        );
                    }
                }
                for (label, value) in column
                    .labels
                    .iter()
                    .filter(|(label, _)| !has_stop_word(label))
                {
                    lexicon.add_text(
                        label,
                        Target::Value {
                            table: t,
                            column: c,
                            value: value.clone(),
                        },
                        SYNONYM,
                        "value dictionary",
                    );
                }
            }
        }
        for (s, snippet) in model.snippets.iter().enumerate() {
            lexicon.spend(snippet.names.iter().map(String::len).sum::<usize>() + snippet.sql.len());
            let (strength, via) = if snippet.from_text {
                (TEXT_DEFINITION, "text definition")
            } else {
                (SNIPPET, "snippet")
            };
            for name in &snippet.names {
                lexicon.add_text(name, Target::Snippet(s), strength, via);
            }
        }
        lexicon.spend(model.instruction_text.len());
        for rule in &model.rules {
            match rule {
                InstructionRule::UseTable { table, topic } => {
                    if let Some(t) = model.table_by_reference(table) {
                        for part in topic.split([',', '/']).flat_map(|p| p.split(" and ")) {
                            lexicon.add_text(part, Target::Table(t), SYNONYM, "instruction");
                        }
                    }
                }
                InstructionRule::RefersTo { term, column } => {
                    if let Some((t, c)) = model.find_column(column) {
                        lexicon.add_text(term, Target::Column(t, c), SYNONYM, "instruction");
                    }
                }
                InstructionRule::Means { .. } => {}
            }
        }
        lexicon.draw_conflicting_definitions(model);
        lexicon
    }

    /// Raises every definition of a phrase to the strongest one's strength when the
    /// definitions' SQL differ, so that neither wins by its source alone.
    fn draw_conflicting_definitions(&mut self, model: &SpaceModel) {
        for candidates in self.phrases.values_mut() {
            let definitions: Vec<String> = candidates
                .iter()
                .filter_map(|candidate| match candidate.target {
                    Target::Snippet(s) => Some(normalised_sql(&model.snippets[s].sql)),
                    _ => None,
                })
                .collect();
            let conflict = definitions.iter().any(|sql| *sql != definitions[0]);
            if !conflict {
                continue;
            }
            let top = candidates
                .iter()
                .filter(|candidate| matches!(candidate.target, Target::Snippet(_)))
                .map(|candidate| candidate.strength)
                .max()
                .unwrap_or(0);
            for candidate in candidates
                .iter_mut()
                .filter(|candidate| matches!(candidate.target, Target::Snippet(_)))
            {
                candidate.strength = top;
                candidate.via = "conflicting definitions";
            }
        }
    }

    fn add_text(&mut self, text: &str, target: Target, strength: u32, via: &'static str) {
        self.add_stems(&phrase_stems(text), target, strength, via);
    }

    /// Reads `chars` more characters of metadata: what comes next is read weaker
    /// once the context budget is spent.
    fn spend(&mut self, chars: usize) {
        self.read_chars += chars;
        self.penalty = if self.read_chars > CONTEXT_BUDGET_CHARS {
            BEYOND_BUDGET
        } else {
            0
        };
    }

    fn add_stems(&mut self, stems: &[String], target: Target, strength: u32, via: &'static str) {
        if stems.is_empty() || stems.len() > 5 {
            return;
        }
        let strength = strength.saturating_sub(self.penalty);
        let entry = self.phrases.entry(key_of(stems)).or_default();
        match entry
            .iter_mut()
            .find(|candidate| candidate.target == target)
        {
            Some(existing) if existing.strength >= strength => {}
            Some(existing) => {
                existing.strength = strength;
                existing.via = via;
            }
            None => entry.push(Candidate {
                target,
                strength,
                via,
            }),
        }
    }

    /// Every reading of the tokens `window` (content tokens, in order).
    fn readings(&self, window: &[&Token]) -> Vec<Candidate> {
        let stems: Vec<String> = window.iter().map(|token| token.stem.clone()).collect();
        let mut found = self
            .phrases
            .get(&key_of(&stems))
            .cloned()
            .unwrap_or_default();
        if window.len() <= 3 {
            for (target, words, optional) in &self.names {
                if let Some(strength) = abbreviation_strength(words, optional, window)
                    && !found
                        .iter()
                        .any(|c| &c.target == target && c.strength >= strength)
                {
                    found.retain(|c| &c.target != target);
                    found.push(Candidate {
                        target: target.clone(),
                        strength,
                        via: "abbreviated name",
                    });
                }
            }
        }
        found
    }

    /// Splits the content tokens `positions` of `tokens` into the phrases the space
    /// knows: most tokens covered, then the strongest readings weighted by their
    /// length, then fewest phrases.
    pub(crate) fn segment(&self, tokens: &[Token], positions: &[usize]) -> Vec<Segment> {
        let count = positions.len();
        // best[i] = (covered, strength × tokens, -phrases, window end) from content token i.
        let mut best: Vec<(usize, u32, i64, Option<usize>)> = vec![(0, 0, 0, None); count + 1];
        let mut readings: HashMap<(usize, usize), Vec<Candidate>> = HashMap::new();
        for start in (0..count).rev() {
            let mut choice = (
                best[start + 1].0,
                best[start + 1].1,
                best[start + 1].2,
                None,
            );
            for end in start + 1..=(start + 5).min(count) {
                let window: Vec<&Token> =
                    positions[start..end].iter().map(|&p| &tokens[p]).collect();
                let found = self.readings(&window);
                let Some(top) = found.iter().map(|c| c.strength).max() else {
                    continue;
                };
                let rest = best[end];
                let width = u32::try_from(end - start).unwrap_or(u32::MAX);
                // A longer phrase wins a tie with the words read apart.
                let option = (
                    end - start + rest.0,
                    top * width + 3 * (width - 1) + rest.1,
                    rest.2 - 1,
                    Some(end),
                );
                if (option.0, option.1, option.2) > (choice.0, choice.1, choice.2) {
                    choice = option;
                }
                readings.insert((start, end), found);
            }
            best[start] = choice;
        }
        let mut segments = Vec::new();
        let mut start = 0;
        while start < count {
            match best[start].3 {
                Some(end) => {
                    let mut candidates = readings.remove(&(start, end)).unwrap_or_default();
                    let top = candidates.iter().map(|c| c.strength).max().unwrap_or(0);
                    let second = candidates
                        .iter()
                        .map(|c| c.strength)
                        .filter(|strength| *strength < top)
                        .max();
                    let runner_up: Vec<Candidate> = candidates
                        .iter()
                        .filter(|c| Some(c.strength) == second)
                        .cloned()
                        .collect();
                    candidates.retain(|c| c.strength == top);
                    segments.push(Segment {
                        start: positions[start],
                        end: positions[end - 1] + 1,
                        candidates,
                        runner_up,
                        gap: second.map_or(0, |second| top - second),
                    });
                    start = end;
                }
                None => start += 1,
            }
        }
        segments
    }
}

/// Whether `text` has a stop word: such values and labels cannot be said as a run of
/// content words, so they are matched only through entity matching's literal pass.
fn has_stop_word(text: &str) -> bool {
    tokenize(text)
        .iter()
        .any(|token| is_stop_word(&token.lower))
}

/// The characters of a column's metadata beyond its name: description, synonyms,
/// decoded labels and the sample values the space exposes.
fn context_chars(column: &super::model::ModelColumn) -> usize {
    let values = if column.format_assistance || column.entity_matching {
        column.values.iter().map(|value| value.len() + 2).sum()
    } else {
        0
    };
    column.description.len() + column.synonyms.iter().map(|s| s.len() + 2).sum::<usize>() + values
}

/// SQL with case and spacing removed, to tell two definitions apart.
fn normalised_sql(sql: &str) -> String {
    sql.split_whitespace().collect::<String>().to_lowercase()
}

fn stems_of(words: &[String]) -> Vec<String> {
    words.iter().map(|word| stem(word)).collect()
}

/// How strongly the tokens `window` spell the identifier `words` with abbreviations
/// (`drv lic` for "driver licence", `dlvr dt` for "delivered date"); `None` when
/// they do not, or spell it in full (the phrase index has those).
fn abbreviation_strength(words: &[String], optional: &[String], window: &[&Token]) -> Option<u32> {
    let skippable =
        |name: &str| GENERIC_WORDS.contains(&name) || optional.iter().any(|o| o == name);
    let mut word = 0;
    let mut token = 0;
    let mut shortest = usize::MAX;
    let mut abbreviated = false;
    while token < window.len() {
        let current = window[token];
        let name = words.get(word)?;
        let exact = stem(name) == current.stem || name == &current.lower;
        if exact || abbreviates(name, &current.lower) || abbreviates(name, &current.stem) {
            abbreviated |= !exact;
            if !exact {
                shortest = shortest.min(name.len());
            }
            word += 1;
            token += 1;
        } else if token + 1 < window.len()
            && spans_two(name, &current.lower, &window[token + 1].lower)
        {
            abbreviated = true;
            shortest = shortest.min(name.len());
            word += 1;
            token += 2;
        } else if skippable(name) {
            word += 1;
            if KIND_WORDS.contains(&current.lower.as_str()) {
                token += 1;
            }
        } else {
            return None;
        }
    }
    if !words[word..].iter().all(|name| skippable(name)) || !abbreviated {
        return None;
    }
    Some(if shortest <= 2 {
        SHORT_ABBREVIATION
    } else {
        ABBREVIATION
    })
}

/// Whether `name` abbreviates two words written apart ("chkin" for "checked in"): its
/// head abbreviates (or is a prefix of) the first word and its tail starts with the
/// second word's first letter and abbreviates it.
fn spans_two(name: &str, first: &str, second: &str) -> bool {
    let chars: Vec<char> = name.chars().collect();
    (1..chars.len()).any(|split| {
        let head: String = chars[..split].iter().collect();
        let tail: String = chars[split..].iter().collect();
        let head_fits = first.starts_with(&head) || abbreviates(&head, first);
        let tail_fits = second.starts_with(&tail)
            || (tail.chars().next() == second.chars().next() && abbreviates(&tail, second));
        head_fits && tail_fits
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strength(name: &str, question: &str) -> Option<u32> {
        let tokens = tokenize(question);
        let window: Vec<&Token> = tokens.iter().collect();
        let optional: Vec<String> = TEMPORAL_WORDS.iter().map(|w| (*w).to_owned()).collect();
        abbreviation_strength(&identifier_words(name), &optional, &window)
    }

    #[test]
    fn abbreviated_names_match_spelled_out_words() {
        assert_eq!(strength("cust_seg", "customer segment"), Some(ABBREVIATION));
        assert_eq!(strength("cust_seg", "customers"), None);
        assert_eq!(
            strength("sgnup_dt", "signed up date"),
            Some(SHORT_ABBREVIATION)
        );
        assert_eq!(
            strength("sgnup_dt", "signup date"),
            Some(SHORT_ABBREVIATION)
        );
        assert_eq!(strength("dscn_flg", "discontinued"), Some(ABBREVIATION));
        assert_eq!(strength("pay_cd", "payment method"), Some(ABBREVIATION));
        assert_eq!(strength("pay_cd", "payment region"), None);
        assert_eq!(strength("pay_cd", "payment"), Some(ABBREVIATION));
        assert_eq!(strength("rsn_cd", "reasons"), Some(ABBREVIATION));
        assert_eq!(strength("city", "city"), None);
        assert_eq!(strength("rgn_cd", "revenue region"), None);
        assert_eq!(strength("sgnup_dt", "signed up"), Some(ABBREVIATION));
    }

    #[test]
    fn descriptions_give_heads_and_row_entities() {
        assert_eq!(
            description_heads("Order status code: CMP = completed"),
            [vec![stem("order"), stem("status"), stem("code")]]
        );
        assert_eq!(
            description_heads("Payload capacity in kilograms"),
            [
                vec![stem("payload"), stem("capacity"), stem("kilograms")],
                vec![stem("payload"), stem("capacity")]
            ]
        );
        assert_eq!(
            row_entity("Order header: one row per order placed, in every status."),
            Some(vec![stem("order"), stem("placed")])
        );
        assert_eq!(
            row_entity("Lines: one row per product on an order"),
            Some(vec![stem("product")])
        );
    }
}
