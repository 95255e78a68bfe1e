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
    split_negative_prefixes(merge_number_words(&tokens))
}

/// Negative prefixes read as "not": "non-refrigerated" → "non refrigerated", and "un" before a
/// verb form ("unshipped", "unloaded") → "not shipped", "not loaded". Other words that
/// begin with "un" ("unit", "under", "unique") stay whole.
fn split_negative_prefixes(tokens: Vec<Token>) -> Vec<Token> {
    let mut split = Vec::with_capacity(tokens.len());
    for token in tokens {
        if token.kind != TokenKind::Word {
            split.push(token);
            continue;
        }
        let negated = token
            .lower
            .strip_prefix("non-")
            .map(|rest| ("non", rest.to_owned()))
            .or_else(|| {
                token
                    .lower
                    .strip_prefix("un")
                    .filter(|rest| rest.len() >= 3 && is_verb_form(rest))
                    .map(|rest| ("not", rest.to_owned()))
            });
        match negated {
            Some((negation, rest)) => {
                let cut = token.raw.len() - rest.len();
                split.push(word_token(negation.to_owned()));
                split.push(word_token(token.raw[cut..].to_owned()));
            }
            None => split.push(token),
        }
    }
    split
}

/// Runs of number words become one number: "three" → 3, "twenty-five" → 25, "two
/// thousand and twenty-four" → 2024, and a year said in two halves ("twenty
/// twenty-five", "nineteen ninety") → 2025. "One" alone stays a word ("which one").
fn merge_number_words(tokens: &[Token]) -> Vec<Token> {
    let mut merged = Vec::with_capacity(tokens.len());
    let mut index = 0;
    while index < tokens.len() {
        let mut end = index;
        let mut parts: Vec<u64> = Vec::new();
        while let Some(token) = tokens.get(end) {
            if token.kind != TokenKind::Word {
                break;
            }
            if token.lower == "and"
                && !parts.is_empty()
                && tokens
                    .get(end + 1)
                    .is_some_and(|next| number_word(&next.lower).is_some())
            {
                end += 1;
                continue;
            }
            let Some(value) = number_word(&token.lower) else {
                break;
            };
            parts.push(value);
            end += 1;
        }
        // A run that is not one number ("three five") is read word by word.
        let value = if parts.is_empty() {
            None
        } else {
            number_value(&parts).or_else(|| {
                end = index + 1;
                parts.truncate(1);
                parts.first().copied()
            })
        };
        if let Some(value) = value.filter(|_| parts != [1]) {
            let raw = tokens[index..end]
                .iter()
                .map(|token| token.raw.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            merged.push(Token {
                raw,
                lower: value.to_string(),
                stem: value.to_string(),
                kind: TokenKind::Number,
            });
            index = end;
        } else {
            merged.push(tokens[index].clone());
            index += 1;
        }
    }
    merged
}

/// The value of one number word (`twenty-five` included); hundreds and thousands
/// as multipliers.
fn number_word(lower: &str) -> Option<u64> {
    const UNITS: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 8] = [
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    let unit = |word: &str| {
        UNITS
            .iter()
            .position(|unit| *unit == word)
            .map(|v| v as u64)
    };
    let ten = |word: &str| {
        TENS.iter()
            .position(|ten| *ten == word)
            .map(|v| (v as u64 + 2) * 10)
    };
    match lower {
        "hundred" => return Some(100),
        "thousand" => return Some(1000),
        _ => {}
    }
    if let Some((tens, units)) = lower.split_once('-') {
        return Some(ten(tens)? + unit(units).filter(|units| (1..10).contains(units))?);
    }
    unit(lower).or_else(|| ten(lower))
}

/// The number a run of number-word values says, or `None` when it is not one.
fn number_value(parts: &[u64]) -> Option<u64> {
    // A year in two halves: "twenty twenty-five", "nineteen ninety".
    if let [first, rest @ ..] = parts
        && matches!(*first, 19 | 20)
        && !rest.is_empty()
        && let Some(second) = number_value(rest).filter(|second| (10..100).contains(second))
    {
        return Some(first * 100 + second);
    }
    let mut total = 0;
    let mut group = 0;
    let mut previous_small = false;
    for &part in parts {
        match part {
            100 => group = group.max(1) * 100,
            1000 => {
                total += group.max(1) * 1000;
                group = 0;
            }
            // "twenty five": a unit after a ten adds to it.
            _ if group % 100 >= 20 && group % 10 == 0 && part < 10 => group += part,
            // Two small numbers in a row ("three five") are not one number.
            _ if previous_small && group % 100 != 0 => return None,
            _ => group += part,
        }
        previous_small = part < 100;
    }
    Some(total + group)
}

/// Forms of common irregular English verbs (past tense and participle). With the
/// regular `-ed`/`-ing` forms, they are what a question's verbs look like; a verb
/// never becomes a literal value by abbreviation.
const IRREGULAR_VERB_FORMS: &[&str] = &[
    "ate",
    "became",
    "began",
    "begun",
    "bent",
    "bitten",
    "bled",
    "blew",
    "blown",
    "bore",
    "born",
    "bought",
    "bound",
    "bred",
    "broke",
    "broken",
    "brought",
    "built",
    "burnt",
    "came",
    "caught",
    "chose",
    "chosen",
    "clung",
    "crept",
    "dealt",
    "did",
    "done",
    "drawn",
    "dreamt",
    "drew",
    "driven",
    "drove",
    "dug",
    "dwelt",
    "eaten",
    "fallen",
    "fed",
    "fell",
    "felt",
    "fled",
    "flew",
    "flown",
    "forbade",
    "forgot",
    "forgotten",
    "fought",
    "found",
    "froze",
    "frozen",
    "gave",
    "given",
    "gone",
    "got",
    "gotten",
    "grew",
    "grown",
    "had",
    "heard",
    "held",
    "hid",
    "hidden",
    "hung",
    "kept",
    "knew",
    "known",
    "laid",
    "led",
    "left",
    "lent",
    "lit",
    "lost",
    "made",
    "meant",
    "met",
    "oversaw",
    "overseen",
    "paid",
    "ran",
    "rang",
    "risen",
    "rode",
    "rose",
    "rung",
    "said",
    "sang",
    "sat",
    "saw",
    "seen",
    "sent",
    "shook",
    "shot",
    "shown",
    "slept",
    "slid",
    "sold",
    "sought",
    "spent",
    "spoke",
    "spoken",
    "spun",
    "stole",
    "stolen",
    "stood",
    "struck",
    "stuck",
    "stung",
    "sung",
    "swam",
    "swept",
    "swore",
    "sworn",
    "swum",
    "taken",
    "taught",
    "thought",
    "threw",
    "thrown",
    "told",
    "took",
    "tore",
    "torn",
    "understood",
    "undertaken",
    "undertook",
    "underwent",
    "went",
    "woke",
    "woken",
    "won",
    "wore",
    "worn",
    "wound",
    "written",
    "wrote",
];

/// Base forms of the irregular English verbs of [`IRREGULAR_VERB_FORMS`]: a question's
/// "how much did we *spend*", "what did drivers *bring* in".
const IRREGULAR_VERB_BASES: &[&str] = &[
    "be",
    "bear",
    "become",
    "begin",
    "bend",
    "bind",
    "bite",
    "bleed",
    "blow",
    "break",
    "breed",
    "bring",
    "build",
    "burn",
    "buy",
    "catch",
    "choose",
    "cling",
    "creep",
    "deal",
    "dig",
    "do",
    "draw",
    "dream",
    "drink",
    "drive",
    "dwell",
    "eat",
    "fall",
    "feed",
    "feel",
    "fight",
    "find",
    "flee",
    "fly",
    "forbid",
    "forget",
    "freeze",
    "get",
    "give",
    "go",
    "grow",
    "hang",
    "have",
    "hear",
    "hide",
    "hold",
    "keep",
    "know",
    "lay",
    "lead",
    "leave",
    "lend",
    "let",
    "light",
    "lose",
    "make",
    "mean",
    "meet",
    "oversee",
    "pay",
    "put",
    "quit",
    "read",
    "ride",
    "ring",
    "rise",
    "run",
    "say",
    "see",
    "seek",
    "sell",
    "send",
    "set",
    "shake",
    "shoot",
    "show",
    "shut",
    "sing",
    "sink",
    "sit",
    "sleep",
    "slide",
    "speak",
    "spend",
    "spin",
    "stand",
    "steal",
    "stick",
    "sting",
    "strike",
    "swear",
    "sweep",
    "swim",
    "swing",
    "take",
    "teach",
    "tear",
    "tell",
    "think",
    "throw",
    "undergo",
    "understand",
    "undertake",
    "wake",
    "wear",
    "win",
    "wind",
    "write",
];

/// Whether `lower` is the base form of a common irregular verb ("spend", "sell").
pub(crate) fn is_base_verb(lower: &str) -> bool {
    IRREGULAR_VERB_BASES.binary_search(&lower).is_ok()
}

/// Whether `lower` is an irregular verb's past form ("sold", "brought").
pub(crate) fn is_irregular_verb_form(lower: &str) -> bool {
    IRREGULAR_VERB_FORMS.binary_search(&lower).is_ok()
}

/// Whether `lower` is a verb form: an irregular past form, or a regular `-ed` /
/// `-ing` form (a vowel before the ending).
pub(crate) fn is_verb_form(lower: &str) -> bool {
    if is_irregular_verb_form(lower) {
        return true;
    }
    ["ed", "ing"].iter().any(|suffix| {
        lower
            .strip_suffix(suffix)
            .is_some_and(|base| base.len() >= 3 && base.chars().any(is_vowel))
    })
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
    "being", "by", "can", "come", "could", "did", "do", "does", "done", "during", "each", "for",
    "from", "get", "give", "got", "had", "has", "have", "how", "i", "in", "into", "is", "it",
    "its", "just", "let", "list", "many", "me", "much", "my", "of", "on", "onto", "or", "our",
    "ours", "over", "per", "please", "show", "so", "tell", "than", "that", "the", "their", "them",
    "then", "there", "these", "they", "this", "those", "through", "to", "too", "until", "upon",
    "us", "very", "via", "was", "we", "were", "what", "when", "where", "which", "while", "who",
    "whom", "whose", "why", "will", "with", "within", "would", "you", "your",
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

    fn numbers(text: &str) -> Vec<String> {
        tokenize(text)
            .into_iter()
            .filter(|token| token.kind == TokenKind::Number)
            .map(|token| token.lower)
            .collect()
    }

    #[test]
    fn number_words_are_numbers() {
        assert_eq!(numbers("the top three depots"), ["3"]);
        assert_eq!(numbers("hauls in twenty twenty-five"), ["2025"]);
        assert_eq!(numbers("hauls in twenty twenty five"), ["2025"]);
        assert_eq!(numbers("nineteen ninety"), ["1990"]);
        assert_eq!(numbers("two thousand and twenty-four"), ["2024"]);
        assert_eq!(numbers("more than twenty-five pallets"), ["25"]);
        assert_eq!(numbers("one hundred and twelve"), ["112"]);
        // "one" alone stays a word, and unrelated small numbers stay apart.
        assert!(numbers("which one shipped most").is_empty());
        assert_eq!(numbers("three five"), ["3", "5"]);
    }

    #[test]
    fn negative_prefixes_read_as_not() {
        let words = |text: &str| -> Vec<String> {
            tokenize(text)
                .into_iter()
                .map(|token| token.lower)
                .collect()
        };
        assert_eq!(words("unpaid tolls"), ["not", "paid", "tolls"]);
        assert_eq!(
            words("non-refrigerated hauls"),
            ["non", "refrigerated", "hauls"]
        );
        assert_eq!(words("units under load"), ["units", "under", "load"]);
        assert_eq!(words("unique united"), ["unique", "united"]);
    }

    #[test]
    fn verb_forms_are_recognised_generally() {
        for verb in ["sent", "drove", "shipped", "loading", "went"] {
            assert!(is_verb_form(verb), "{verb}");
        }
        for word in ["red", "thing", "depot", "zone"] {
            assert!(!is_verb_form(word), "{word}");
        }
        assert!(is_base_verb("spend") && !is_base_verb("depot"));
        for list in [IRREGULAR_VERB_FORMS, IRREGULAR_VERB_BASES] {
            assert!(list.windows(2).all(|pair| pair[0] < pair[1]));
        }
    }

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
