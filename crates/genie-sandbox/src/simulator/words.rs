//! Words of a question or of metadata: tokens, stems and stop words.
//!
//! Matching works on stems so that "orders", "ordered" and "order" meet, and
//! "categories" meets "category". The stemmer is deliberately small (plural and
//! `-ed`/`-ing` endings, doubled final consonants, a final `e`); both sides of every
//! comparison go through it, so consistency matters more than linguistics.

/// One token of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    /// The text as written.
    pub(crate) raw: String,
    /// Lower case.
    pub(crate) lower: String,
    /// The stem of the lower-case word (numbers and quoted text stay as they are).
    pub(crate) stem: String,
    /// What it is.
    pub(crate) kind: TokenKind,
}

/// The kind of a [`Token`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// A word (letters, digits, `_`, inner `-` or `'`).
    Word,
    /// A number (digits, an optional decimal point).
    Number,
    /// A date written `YYYY-MM-DD`.
    Date,
    /// Text in single or double quotes, without the quotes.
    Quoted,
}

/// Splits `text` into tokens; punctuation separates tokens and is dropped.
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        let current = chars[index];
        if (current == '"' || current == '\'' && starts_quote(&chars, index))
            && let Some(end) = chars[index + 1..].iter().position(|c| *c == current)
        {
            let inner: String = chars[index + 1..index + 1 + end].iter().collect();
            if !inner.trim().is_empty() {
                tokens.push(Token {
                    lower: inner.to_lowercase(),
                    stem: inner.to_lowercase(),
                    raw: inner,
                    kind: TokenKind::Quoted,
                });
            }
            index += end + 2;
            continue;
        }
        if current.is_alphanumeric() {
            let start = index;
            while index < chars.len()
                && (chars[index].is_alphanumeric()
                    || chars[index] == '_'
                    || (matches!(chars[index], '-' | '\'' | '.')
                        && index + 1 < chars.len()
                        && chars[index + 1].is_alphanumeric()
                        && (chars[index] != '.' || chars[index - 1].is_ascii_digit()))
                    || is_thousands_separator(&chars, index))
            {
                index += 1;
            }
            let raw: String = chars[start..index].iter().collect();
            tokens.push(word_token(raw));
            continue;
        }
        index += 1;
    }
    tokens
}

/// A comma between digits with exactly three digits after it ("1,500").
fn is_thousands_separator(chars: &[char], index: usize) -> bool {
    chars[index] == ','
        && index > 0
        && chars[index - 1].is_ascii_digit()
        && chars.len() >= index + 4
        && chars[index + 1..index + 4].iter().all(char::is_ascii_digit)
        && chars.get(index + 4).is_none_or(|c| !c.is_ascii_digit())
}

/// A quote opens a quoted literal only at a word boundary (not in "don't").
fn starts_quote(chars: &[char], index: usize) -> bool {
    index == 0 || !chars[index - 1].is_alphanumeric()
}

fn word_token(raw: String) -> Token {
    let lower = raw.to_lowercase();
    let kind = if is_date(&lower) {
        TokenKind::Date
    } else if lower
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        && lower.chars().any(|c| c.is_ascii_digit())
    {
        TokenKind::Number
    } else {
        TokenKind::Word
    };
    let lower = lower
        .strip_suffix("'s")
        .map_or(lower.clone(), str::to_owned);
    let stem = if kind == TokenKind::Word {
        stem(&lower)
    } else {
        lower.clone()
    };
    Token {
        raw,
        lower,
        stem,
        kind,
    }
}

fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() == 3
        && parts[0].len() == 4
        && parts[1].len() == 2
        && parts[2].len() == 2
        && parts
            .iter()
            .all(|part| part.chars().all(|c| c.is_ascii_digit()))
}

/// The stem of one lower-case word.
pub(crate) fn stem(word: &str) -> String {
    let word = word.trim_matches(|c: char| !c.is_alphanumeric());
    if word.chars().count() <= 3 || !word.chars().all(char::is_alphabetic) {
        return word.to_owned();
    }
    let mut stem = word.to_owned();
    // Plurals.
    if let Some(base) = stem.strip_suffix("ies").filter(|base| base.len() > 1) {
        stem = format!("{base}y");
    } else if stem.ends_with("sses") || ["xes", "ches", "shes"].iter().any(|s| stem.ends_with(s)) {
        stem.truncate(stem.len() - 2);
    } else if stem.ends_with('s')
        && !stem.ends_with("ss")
        && !stem.ends_with("us")
        && !stem.ends_with("is")
    {
        stem.pop();
    }
    // Verb endings, when a vowel remains before them.
    for suffix in ["ing", "ed"] {
        if let Some(base) = stem.strip_suffix(suffix)
            && base.len() >= 3
            && base.chars().any(is_vowel)
        {
            stem = base.to_owned();
            break;
        }
    }
    // A doubled final consonant ("cancell", "shipp") and a final `e` ("plac(e)").
    let bytes = stem.as_bytes();
    if bytes.len() >= 4
        && bytes[bytes.len() - 1] == bytes[bytes.len() - 2]
        && !is_vowel(char::from(bytes[bytes.len() - 1]))
    {
        stem.pop();
    }
    if stem.len() >= 4 && stem.ends_with('e') {
        stem.pop();
    }
    stem
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y')
}

/// Words that carry no content for matching (structure words are read before
/// stop words are dropped).
pub(crate) fn is_stop_word(lower: &str) -> bool {
    STOP_WORDS.binary_search(&lower).is_ok()
}

/// Sorted, for binary search.
const STOP_WORDS: &[&str] = &[
    "a", "about", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been",
    "being", "brought", "by", "came", "can", "come", "could", "did", "do", "does", "done",
    "during", "each", "for", "from", "get", "give", "got", "had", "has", "have", "how", "i", "in",
    "into", "is", "it", "its", "just", "let", "list", "many", "me", "much", "my", "of", "on",
    "onto", "or", "our", "ours", "over", "per", "please", "show", "so", "tell", "than", "that",
    "the", "their", "them", "then", "there", "these", "they", "this", "those", "through", "to",
    "too", "until", "upon", "us", "very", "via", "was", "we", "were", "what", "when", "where",
    "which", "while", "who", "whom", "whose", "why", "will", "with", "within", "would", "you",
    "your",
];

/// The content stems of `text`: word stems that are not stop words.
#[cfg(test)]
pub(crate) fn content_stems(text: &str) -> Vec<String> {
    tokenize(text)
        .into_iter()
        .filter(|token| token.kind != TokenKind::Word || !is_stop_word(&token.lower))
        .map(|token| token.stem)
        .collect()
}

/// Splits an identifier into lower-case words: `cust_seg` → `cust`, `seg`;
/// `orderDate` → `order`, `date`.
pub(crate) fn identifier_words(identifier: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in identifier.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted() {
        assert!(STOP_WORDS.windows(2).all(|pair| pair[0] < pair[1]));
    }

    fn check(word: &str, expected: &str) {
        assert_eq!(stem(word), expected, "stem of `{word}`");
    }

    #[test]
    fn stems_meet_across_inflections() {
        for (a, b) in [
            ("orders", "order"),
            ("ordered", "order"),
            ("categories", "category"),
            ("cancelled", "canceled"),
            ("cancelled", "cancel"),
            ("placed", "place"),
            ("sales", "sale"),
            ("stores", "store"),
            ("shipping", "ship"),
            ("brands", "brand"),
            ("boxes", "box"),
            ("reasons", "reason"),
        ] {
            assert_eq!(stem(a), stem(b), "`{a}` and `{b}`");
        }
        check("status", "status");
        check("analysis", "analysis");
        check("qty", "qty");
    }

    #[test]
    fn tokens_keep_numbers_dates_and_quotes() {
        let tokens =
            tokenize("Top 5 products in 'Home & Kitchen' since 2024-01-05, Q3's total 1.5?");
        let kinds: Vec<(&str, TokenKind)> = tokens
            .iter()
            .map(|token| (token.lower.as_str(), token.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("top", TokenKind::Word),
                ("5", TokenKind::Number),
                ("products", TokenKind::Word),
                ("in", TokenKind::Word),
                ("home & kitchen", TokenKind::Quoted),
                ("since", TokenKind::Word),
                ("2024-01-05", TokenKind::Date),
                ("q3", TokenKind::Word),
                ("total", TokenKind::Word),
                ("1.5", TokenKind::Number),
            ]
        );
        assert_eq!(tokenize("don't")[0].lower, "don't");
    }

    #[test]
    fn identifiers_split_into_words() {
        assert_eq!(identifier_words("cust_seg"), ["cust", "seg"]);
        assert_eq!(identifier_words("orderDate"), ["order", "date"]);
        assert_eq!(identifier_words("`main`.`x`"), ["main", "x"]);
    }

    #[test]
    fn content_stems_drop_stop_words() {
        assert_eq!(
            content_stems("How many orders were placed in March?"),
            ["order", "plac", "march"]
        );
    }
}
