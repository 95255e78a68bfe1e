//! Words of questions and names: tokens, the words that carry no concept, and how a
//! short name or a stored code abbreviates a word (`rgn` → "region", `CNL` →
//! "cancelled").
//!
//! These are rules about English and about how people abbreviate, never about a
//! schema: they let the optimizer tell which words of a question the ground truth
//! resolves to a column, a code or a measure.

/// Lower-case alphanumeric words of `text`, in order.
pub(crate) fn words(text: &str) -> Vec<String> {
    genie_core::contamination::words(text)
}

/// Words that name no concept of a schema: function words, question words, and words
/// that only say "aggregate", "compare" or "when".
const FUNCTION_WORDS: &[&str] = &[
    "a",
    "about",
    "across",
    "after",
    "all",
    "along",
    "also",
    "am",
    "among",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "before",
    "being",
    "between",
    "both",
    "brought",
    "but",
    "by",
    "came",
    "can",
    "come",
    "could",
    "did",
    "do",
    "does",
    "done",
    "down",
    "during",
    "each",
    "either",
    "else",
    "ever",
    "every",
    "for",
    "from",
    "get",
    "give",
    "got",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "him",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "just",
    "let",
    "like",
    "list",
    "made",
    "make",
    "many",
    "me",
    "more",
    "most",
    "much",
    "my",
    "need",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "out",
    "over",
    "own",
    "per",
    "please",
    "same",
    "see",
    "shall",
    "she",
    "should",
    "show",
    "so",
    "some",
    "still",
    "such",
    "tell",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "us",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "will",
    "with",
    "within",
    "without",
    "would",
    "you",
    "your",
    "yet",
    "de",
    "vs",
    "versus",
    "compare",
    "compared",
    "comparing",
    "comparison",
    "against",
    "relative",
];

/// Words that say how to aggregate or rank rather than what.
const AGGREGATE_WORDS: &[&str] = &[
    "average", "avg", "count", "counts", "highest", "largest", "least", "lowest", "max", "maximum",
    "mean", "median", "min", "minimum", "number", "numbers", "smallest", "sum", "top", "bottom",
    "total", "totals", "overall", "combined", "best", "worst", "biggest", "fewest",
];

/// Words that only locate a question in time.
const TIME_WORDS: &[&str] = &[
    "year",
    "years",
    "yearly",
    "annual",
    "annually",
    "month",
    "months",
    "monthly",
    "quarter",
    "quarters",
    "quarterly",
    "week",
    "weeks",
    "weekly",
    "day",
    "days",
    "daily",
    "date",
    "dates",
    "today",
    "yesterday",
    "last",
    "next",
    "previous",
    "prior",
    "current",
    "first",
    "second",
    "third",
    "half",
    "since",
    "ytd",
    "q1",
    "q2",
    "q3",
    "q4",
    "h1",
    "h2",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "period",
    "periods",
];

/// Whether `word` carries no concept: a function word, an aggregate or time word, or a
/// number.
pub(crate) fn is_filler(word: &str) -> bool {
    FUNCTION_WORDS.contains(&word)
        || AGGREGATE_WORDS.contains(&word)
        || TIME_WORDS.contains(&word)
        || word.chars().all(|c| c.is_ascii_digit())
}

/// Whether `word` only says how to aggregate.
pub(crate) fn is_aggregate_word(word: &str) -> bool {
    AGGREGATE_WORDS.contains(&word)
}

/// The parts of a name (`amt_net` → `amt`, `net`; `OrderDate` → `order`, `date`),
/// lower case.
pub(crate) fn name_tokens(name: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                tokens.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            tokens.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

/// Whether the name part `token` abbreviates (or is) `word`: same first letter, and
/// the token's letters appear in the word in order (`rgn` in "region", `disc` in
/// "discount"). Tokens of fewer than three letters abbreviate only themselves, and a
/// word must be at least as long as the token.
pub(crate) fn abbreviates(token: &str, word: &str) -> bool {
    if token.is_empty() || word.is_empty() {
        return false;
    }
    if token == word || singular(token) == singular(word) {
        return true;
    }
    if token.chars().count() < 3 || word.chars().count() < token.chars().count() {
        return false;
    }
    if token.chars().next() != word.chars().next() {
        return false;
    }
    is_subsequence(token, word)
}

/// Whether the stored code `code` (`CNL`, `G`, `WC`) abbreviates the words `phrase`
/// (one word, or a few whose initials it spells).
pub(crate) fn code_abbreviates(code: &str, phrase: &[&str]) -> bool {
    let code: String = code
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    if code.is_empty() || code.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    match phrase {
        [] => false,
        [word] => {
            if *word == code {
                // The question spells the code itself: no label.
                return false;
            }
            let first_matches = code.chars().next() == word.chars().next();
            if code.chars().count() == 1 {
                return first_matches && word.chars().count() > 1;
            }
            first_matches
                && word.chars().count() > code.chars().count()
                && is_subsequence(&code, word)
        }
        words => {
            let initials: String = words
                .iter()
                .filter_map(|word| word.chars().next())
                .collect();
            initials == code
        }
    }
}

fn is_subsequence(short: &str, long: &str) -> bool {
    let mut long = long.chars();
    short.chars().all(|c| long.any(|l| l == c))
}

/// A crude singular (`orders` → `order`, `categories` → `category`), enough to compare
/// a word with a name.
pub(crate) fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies")
        && stem.chars().count() >= 2
    {
        return format!("{stem}y");
    }
    if word.ends_with("ss") || word.chars().count() <= 3 {
        return word.to_owned();
    }
    word.strip_suffix('s').unwrap_or(word).to_owned()
}

/// Whether any token of `name` abbreviates `word`.
pub(crate) fn name_abbreviates(name: &str, word: &str) -> bool {
    name_tokens(name)
        .iter()
        .filter(|token| token.chars().count() >= 3 || name_tokens(name).len() == 1)
        .any(|token| abbreviates(token, word))
}

/// `name` as words for a person (`avg_order_value` → "avg order value").
pub(crate) fn humanize(name: &str) -> String {
    name_tokens(name).join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_parts_abbreviate_words() {
        assert!(abbreviates("rgn", "region"));
        assert!(abbreviates("disc", "discount"));
        assert!(abbreviates("cust", "customers"));
        assert!(abbreviates("order", "orders"));
        assert!(
            !abbreviates("cd", "code"),
            "two letters abbreviate only themselves"
        );
        assert!(!abbreviates("amt", "total"));
        assert!(!abbreviates("prc", "region"));
        assert!(name_abbreviates("loy_sts", "loyalty"));
        assert!(!name_abbreviates("loy_sts", "members"));
    }

    #[test]
    fn codes_abbreviate_labels() {
        assert!(code_abbreviates("CNL", &["cancelled"]));
        assert!(code_abbreviates("ENT", &["enterprise"]));
        assert!(code_abbreviates("G", &["gold"]));
        assert!(code_abbreviates("WC", &["west", "coast"]));
        assert!(!code_abbreviates("CMP", &["revenue"]));
        assert!(is_filler("compared"), "comparison words label no code");
        assert!(!code_abbreviates("2024", &["2024"]));
        assert!(
            !code_abbreviates("G", &["g"]),
            "a single letter is no label"
        );
    }

    #[test]
    fn fillers_and_tokens() {
        assert!(is_filler("how") && is_filler("2024") && is_filler("q3") && is_filler("total"));
        assert!(!is_filler("revenue"));
        assert_eq!(name_tokens("amt_net"), ["amt", "net"]);
        assert_eq!(name_tokens("OrderDate"), ["order", "date"]);
        assert_eq!(singular("categories"), "category");
        assert_eq!(singular("orders"), "order");
        assert_eq!(humanize("avg_order_value"), "avg order value");
    }
}
