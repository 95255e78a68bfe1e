//! The structure of a question, independent of any schema: what it asks to count,
//! aggregate, group, rank, compare or exclude, and which words are only grammar.

use super::dates::{TimeFrame, read_time};
use super::words::{Token, TokenKind, is_base_verb, is_stop_word, tokenize};

/// An aggregate a question asks for in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Aggregate {
    Sum,
    Average,
    Maximum,
    Minimum,
    Median,
    Count,
}

impl Aggregate {
    /// The SQL function.
    pub(crate) fn function(self) -> &'static str {
        match self {
            Self::Sum => "SUM",
            Self::Average => "AVG",
            Self::Maximum => "MAX",
            Self::Minimum => "MIN",
            Self::Median => "MEDIAN",
            Self::Count => "COUNT",
        }
    }

    /// A prefix for the output name.
    pub(crate) fn prefix(self) -> &'static str {
        match self {
            Self::Sum => "total",
            Self::Average => "avg",
            Self::Maximum => "max",
            Self::Minimum => "min",
            Self::Median => "median",
            Self::Count => "count",
        }
    }
}

/// Ranking: "top 5 X", "which 3 X … the most", "the most common X".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ranking {
    /// How many rows; `None` for all of them, ordered.
    pub(crate) limit: Option<u64>,
    pub(crate) descending: bool,
    /// The token where the ranked thing is named.
    pub(crate) subject: Option<usize>,
    /// The token where the ranking measure is named ("the most *freight*").
    pub(crate) by: Option<usize>,
    /// "most common": rank by how often.
    pub(crate) frequency: bool,
}

/// The parsed structure of a question.
#[derive(Debug, Clone, Default)]
pub(crate) struct Structure {
    pub(crate) tokens: Vec<Token>,
    pub(crate) time: TimeFrame,
    /// Tokens where a grouping phrase starts ("by *zone*", "for each *lane*").
    pub(crate) group_starts: Vec<usize>,
    /// Tokens where the counted thing is named ("how many *orders*").
    pub(crate) count_starts: Vec<usize>,
    /// Aggregate words and their tokens.
    pub(crate) aggregates: Vec<(usize, Aggregate)>,
    /// "how much".
    pub(crate) how_much: bool,
    pub(crate) ranking: Option<Ranking>,
    /// "share of" / "percentage of": the token after "of".
    pub(crate) share: Option<usize>,
    /// "rate", "ratio": the token.
    pub(crate) rate: Option<usize>,
    /// "did not", "without", "never": the token after the negation.
    pub(crate) negation: Option<usize>,
    /// "more than 500", "at least 3", "under 20".
    pub(crate) comparisons: Vec<Comparison>,
    /// Tokens the structure used (not content).
    pub(crate) used: Vec<bool>,
}

/// A numeric comparison in words: "greater than 500" is `>` `500`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Comparison {
    /// The first token of the comparison.
    pub(crate) start: usize,
    /// The token after its number.
    pub(crate) end: usize,
    /// `>`, `>=`, `<`, `<=` or `=`.
    pub(crate) operator: &'static str,
    /// The number as written (thousands separators removed).
    pub(crate) value: String,
}

/// The comparison starting at `index`: a comparative ("more than", "at least", "under",
/// …) and a number.
fn comparison_at(tokens: &[Token], lower: &[String], index: usize) -> Option<Comparison> {
    let word = |offset: usize| lower.get(index + offset).map_or("", String::as_str);
    let (operator, length) = match (word(0), word(1)) {
        ("more" | "greater" | "higher" | "larger" | "bigger", "than") => (">", 2),
        ("less" | "fewer" | "lower" | "smaller", "than") => ("<", 2),
        ("at", "least") | ("no", "less") if word(0) == "at" || word(2) == "than" => {
            (">=", if word(0) == "at" { 2 } else { 3 })
        }
        ("at", "most") | ("no", "more") if word(0) == "at" || word(2) == "than" => {
            ("<=", if word(0) == "at" { 2 } else { 3 })
        }
        ("up", "to") => ("<=", 2),
        ("equal", "to") => ("=", 2),
        ("above" | "over" | "exceeding" | "exceeds" | "exceed", _) => (">", 1),
        ("below" | "under", _) => ("<", 1),
        ("exactly", _) => ("=", 1),
        _ => return None,
    };
    let number = tokens.get(index + length)?;
    if number.kind != TokenKind::Number {
        return None;
    }
    Some(Comparison {
        start: index,
        end: index + length + 1,
        operator,
        value: number.lower.replace(',', ""),
    })
}

impl Structure {
    /// The content tokens: words that are not grammar, plus quoted literals.
    pub(crate) fn content(&self) -> Vec<usize> {
        (0..self.tokens.len())
            .filter(|&index| {
                let token = &self.tokens[index];
                !self.used[index]
                    && match token.kind {
                        TokenKind::Word => !is_stop_word(&token.lower),
                        TokenKind::Quoted => true,
                        TokenKind::Number | TokenKind::Date => false,
                    }
            })
            .collect()
    }

    /// The first content token at or after `index`.
    pub(crate) fn next_content(index: usize, content: &[usize]) -> Option<usize> {
        content.iter().copied().find(|&position| position >= index)
    }
}

const SUPERLATIVES_DESCENDING: &[&str] = &[
    "most", "highest", "largest", "biggest", "best", "greatest", "top", "maximum",
];
const SUPERLATIVES_ASCENDING: &[&str] =
    &["least", "lowest", "smallest", "fewest", "worst", "bottom"];

/// Parses the structure of `question`.
pub(crate) fn read_structure(question: &str) -> Structure {
    let tokens = tokenize(question);
    let time = read_time(&tokens);
    let mut used = vec![false; tokens.len()];
    for &index in &time.used {
        used[index] = true;
    }
    let lower: Vec<String> = tokens.iter().map(|token| token.lower.clone()).collect();
    let word = |index: usize| lower.get(index).map_or("", String::as_str);
    let mut structure = Structure {
        time,
        ..Structure::default()
    };
    let mut index = 0;
    while index < tokens.len() {
        if used[index] {
            index += 1;
            continue;
        }
        if let Some(comparison) = comparison_at(&tokens, &lower, index) {
            used[comparison.start..comparison.end].fill(true);
            index = comparison.end;
            structure.comparisons.push(comparison);
            continue;
        }
        match word(index) {
            "how" if word(index + 1) == "many" => {
                used[index] = true;
                used[index + 1] = true;
                structure.count_starts.push(index + 2);
                structure.aggregates.push((index, Aggregate::Count));
                index += 2;
                continue;
            }
            "how" if word(index + 1) == "much" => {
                used[index] = true;
                used[index + 1] = true;
                structure.how_much = true;
                structure.aggregates.push((index, Aggregate::Sum));
                index += 2;
                continue;
            }
            "number" | "count" if word(index + 1) == "of" => {
                used[index] = true;
                used[index + 1] = true;
                structure.count_starts.push(index + 2);
                structure.aggregates.push((index, Aggregate::Count));
                index += 2;
                continue;
            }
            // "depot count", "truck count by zone": the count of the noun before it.
            "count" | "counts"
                if index > 0
                    && tokens[index - 1].kind == TokenKind::Word
                    && !is_stop_word(&tokens[index - 1].lower) =>
            {
                used[index] = true;
                structure.count_starts.push(index - 1);
                structure.aggregates.push((index, Aggregate::Count));
            }
            "total" | "sum" | "overall" => {
                structure.aggregates.push((index, Aggregate::Sum));
            }
            "average" | "avg" | "mean" => {
                structure.aggregates.push((index, Aggregate::Average));
            }
            "maximum" | "max" => {
                structure.aggregates.push((index, Aggregate::Maximum));
            }
            "minimum" | "min" => {
                structure.aggregates.push((index, Aggregate::Minimum));
            }
            "median" => {
                structure.aggregates.push((index, Aggregate::Median));
            }
            "by" | "per" | "each" | "every" | "across" => {
                used[index] = true;
                structure.group_starts.push(index + 1);
            }
            "share" | "percentage" | "proportion" | "fraction" | "percent"
                if word(index + 1) == "of" =>
            {
                used[index] = true;
                used[index + 1] = true;
                structure.share = Some(index + 2);
                // "share of orders …" counts orders, as "how many" would.
                structure.count_starts.push(index + 2);
                index += 2;
                continue;
            }
            "rate" | "ratio" => {
                structure.rate = Some(index);
            }
            "not" | "n't" | "never" | "without" | "didn't" | "don't" | "haven't" | "hasn't"
            | "no" => {
                used[index] = true;
                structure.negation = Some(index + 1);
            }
            _ => {}
        }
        index += 1;
    }
    structure.ranking = read_ranking(&tokens, &lower, &mut used);
    structure.tokens = tokens;
    structure.used = used;
    structure
}

fn is_plural(token: &Token) -> bool {
    token.lower.ends_with('s') && token.stem != token.lower
}

/// Ranking words: "top N", "bottom N", "N … most", "which … most", "most common X",
/// "best-rated X".
fn read_ranking(tokens: &[Token], lower: &[String], used: &mut [bool]) -> Option<Ranking> {
    let word = |index: usize| lower.get(index).map_or("", String::as_str);
    let is_number = |index: usize, used: &[bool]| {
        tokens
            .get(index)
            .is_some_and(|token| token.kind == TokenKind::Number && !used[index])
    };
    let number = |index: usize| tokens[index].lower.parse::<u64>().ok();
    let mut ranking: Option<Ranking> = None;
    // "top 5 X" / "bottom 3 X" / "top X"
    for index in 0..tokens.len() {
        let descending = match word(index) {
            "top" => true,
            "bottom" => false,
            _ => continue,
        };
        used[index] = true;
        let (limit, subject) = if is_number(index + 1, used) {
            used[index + 1] = true;
            (number(index + 1), index + 2)
        } else {
            (Some(10), index + 1)
        };
        ranking = Some(Ranking {
            limit,
            descending,
            subject: Some(subject),
            by: None,
            frequency: false,
        });
        break;
    }
    // Superlatives: "the most freight", "most common delays", "best-rated driver".
    for index in 0..tokens.len() {
        let text = word(index);
        let compound = ["best-", "top-", "worst-", "most-", "least-"]
            .iter()
            .find(|prefix| text.starts_with(**prefix));
        let descending = if let Some(prefix) = compound {
            !matches!(*prefix, "worst-" | "least-")
        } else if SUPERLATIVES_DESCENDING.contains(&text) {
            true
        } else if SUPERLATIVES_ASCENDING.contains(&text) {
            false
        } else {
            continue;
        };
        used[index] = true;
        let frequency = matches!(word(index + 1), "common" | "popular" | "frequent");
        if frequency {
            used[index + 1] = true;
        }
        let next = index + 1 + usize::from(frequency);
        let mut current = ranking.unwrap_or(Ranking {
            limit: None,
            descending,
            subject: None,
            by: None,
            frequency,
        });
        current.descending = descending;
        current.frequency |= frequency;
        if compound.is_some() || frequency {
            // The ranked thing follows: "best-rated driver", "most common delays".
            if current.subject.is_none() {
                current.subject = Some(next);
                if current.limit.is_none() {
                    current.limit = tokens
                        .get(next)
                        .filter(|token| !is_plural(token))
                        .map(|_| 1);
                }
            }
        } else {
            current.by = Some(next);
        }
        ranking = Some(current);
        break;
    }
    let mut ranking = ranking?;
    // "Which 3 depots …", "Which zone …", "Who were …": the subject and its count.
    if ranking.subject.is_none() {
        if let Some(position) = (0..tokens.len()).find(|&i| is_number(i, used)) {
            used[position] = true;
            ranking.limit = number(position);
            ranking.subject = Some(position + 1);
        } else if let Some(position) =
            (0..tokens.len()).find(|&i| matches!(word(i), "which" | "what" | "who"))
        {
            ranking.subject = Some(position + 1);
            if ranking.limit.is_none() {
                ranking.limit = tokens
                    .iter()
                    .skip(position + 1)
                    .find(|token| token.kind == TokenKind::Word && !is_stop_word(&token.lower))
                    .filter(|token| !is_plural(token))
                    .map(|_| 1);
            }
        }
    }
    Some(ranking)
}

/// Words that are grammar of an analytics question, never a literal value: the
/// question vocabulary below, and the base forms of common verbs ("how much did we
/// *spend*"). Past forms may still name a state ("lost", "delayed"): they may meet a
/// value, but never a two-letter code by abbreviation, and are never guessed as one.
pub(crate) fn is_filler(lower: &str) -> bool {
    FILLER.binary_search(&lower).is_ok() || is_base_verb(lower)
}

/// Sorted, for binary search.
const FILLER: &[&str] = &[
    "among",
    "amount",
    "amounts",
    "ask",
    "average",
    "avg",
    "change",
    "changed",
    "common",
    "current",
    "currently",
    "data",
    "different",
    "distinct",
    "down",
    "ever",
    "far",
    "figure",
    "figures",
    "find",
    "item",
    "items",
    "kind",
    "know",
    "last",
    "look",
    "max",
    "maximum",
    "mean",
    "median",
    "min",
    "minimum",
    "most",
    "new",
    "now",
    "number",
    "off",
    "one",
    "only",
    "other",
    "out",
    "overall",
    "popular",
    "rank",
    "ranked",
    "rate",
    "record",
    "records",
    "result",
    "results",
    "see",
    "still",
    "sum",
    "terms",
    "times",
    "total",
    "up",
    "value",
    "values",
    "versus",
    "vs",
    "way",
    "year",
    "years",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filler_is_sorted() {
        assert!(FILLER.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn reads_counts_groups_and_rankings() {
        let s = read_structure("Which 3 depots shipped the most freight in 2025?");
        let ranking = s.ranking.unwrap();
        assert_eq!(ranking.limit, Some(3));
        assert_eq!(s.tokens[ranking.subject.unwrap()].lower, "depots");
        assert_eq!(s.tokens[ranking.by.unwrap()].lower, "freight");

        let s = read_structure("What are the most common delays drivers report on hauls?");
        let ranking = s.ranking.unwrap();
        assert!(ranking.frequency && ranking.limit.is_none());
        assert_eq!(s.tokens[ranking.subject.unwrap()].lower, "delays");

        let s = read_structure("What were our top 5 vehicles by mileage in 2024?");
        let ranking = s.ranking.unwrap();
        assert_eq!((ranking.limit, ranking.descending), (Some(5), true));
        assert_eq!(s.tokens[ranking.subject.unwrap()].lower, "vehicles");
        assert_eq!(s.tokens[s.group_starts[0]].lower, "mileage");

        let s =
            read_structure("What was the best-rated vehicle by mileage among refrigerated depots?");
        assert_eq!(s.ranking.unwrap().limit, Some(1));

        let s = read_structure("How many hauls were over $1,500 or at least 20 pallets?");
        let found: Vec<(&str, &str)> = s
            .comparisons
            .iter()
            .map(|c| (c.operator, c.value.as_str()))
            .collect();
        assert_eq!(found, [(">", "1500"), (">=", "20")]);
        assert_eq!(
            read_structure("no more than 3 pallets").comparisons[0].operator,
            "<="
        );
        assert!(read_structure("month over month").comparisons.is_empty());

        let s = read_structure("depot count by zone");
        assert_eq!(s.tokens[s.count_starts[0]].lower, "depot");
        assert_eq!(s.tokens[s.group_starts[0]].lower, "zone");

        let s = read_structure("How many licensed drivers did not complete any haul in 2025?");
        assert_eq!(s.tokens[s.count_starts[0]].lower, "licensed");
        assert_eq!(s.tokens[s.negation.unwrap()].lower, "complete");
        assert_eq!(s.time.periods.len(), 1);
    }
}
