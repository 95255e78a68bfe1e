//! Literal values: what the value dictionary (entity matching) knows about a column,
//! and how a literal of the question meets a stored value.
//!
//! - Format assistance shows Genie sample values, so a literal written exactly like a
//!   stored value (any case) is recognised.
//! - Entity matching adds the value dictionary: labels decoded from the column's
//!   description (`RDR = redirected`, `Rail (RL)`), near spellings, and, for columns
//!   whose description decodes nothing, codes that abbreviate the literal
//!   (`misrouted` → `MSRT`).

use super::words::tokenize;

/// `(label, stored value)` pairs the description spells out: `CODE = label`,
/// `CODE: label`, `CODE - label` or `label (CODE)`, for stored values only.
pub(crate) fn decoded_labels(description: &str, values: &[String]) -> Vec<(String, String)> {
    let mut labels = Vec::new();
    for value in values {
        for (position, _) in description.match_indices(value.as_str()) {
            if !is_standalone(description, position, value.len()) {
                continue;
            }
            let after = description[position + value.len()..].trim_start();
            if let Some(rest) = after
                .strip_prefix('=')
                .or_else(|| after.strip_prefix(':'))
                .or_else(|| after.strip_prefix(" -"))
                .or_else(|| after.strip_prefix('-'))
            {
                let label: String = rest
                    .trim_start()
                    .chars()
                    .take_while(|c| !matches!(c, ',' | ';' | '.' | '(' | '\n' | '='))
                    .collect();
                let label = strip_trailing_code(label.trim(), values);
                if !label.is_empty() {
                    labels.push((label, value.clone()));
                }
            }
            let before = description[..position].trim_end();
            if let Some(inner) = before.strip_suffix('(')
                && description[position + value.len()..].starts_with(')')
            {
                let label: String = inner
                    .trim_end()
                    .chars()
                    .rev()
                    .take_while(|c| !matches!(c, ',' | ';' | '.' | ':' | ')' | '\n' | '='))
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                if !label.trim().is_empty() {
                    labels.push((label.trim().to_owned(), value.clone()));
                }
            }
        }
    }
    labels.sort();
    labels.dedup();
    labels
}

/// `delivered RDR` (a label running into the next code) → `delivered`.
fn strip_trailing_code(label: &str, values: &[String]) -> String {
    let mut words: Vec<&str> = label.split_whitespace().collect();
    while words
        .last()
        .is_some_and(|last| values.iter().any(|value| value == last))
    {
        words.pop();
    }
    words.join(" ")
}

fn is_standalone(text: &str, position: usize, length: usize) -> bool {
    let before = text[..position].chars().next_back();
    let after = text[position + length..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// How a literal met a stored value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ValueMatch {
    /// Written like the value (any case).
    Exact,
    /// Said like a label the description decodes.
    Label,
    /// A near spelling of the value.
    NearSpelling,
    /// The value abbreviates the literal.
    Abbreviation,
}

/// The stored value `phrase` (lower case words) names in a column, and how.
pub(crate) fn match_value(
    phrase: &str,
    values: &[String],
    labels: &[(String, String)],
    format_assistance: bool,
    entity_matching: bool,
) -> Option<(String, ValueMatch)> {
    if !format_assistance && !entity_matching {
        return None;
    }
    if let Some(value) = values.iter().find(|value| value.to_lowercase() == phrase) {
        return Some((value.clone(), ValueMatch::Exact));
    }
    if !entity_matching {
        return None;
    }
    let phrase_stems = stems(phrase);
    if let Some((_, value)) = labels
        .iter()
        .find(|(label, _)| stems(label) == phrase_stems)
    {
        return Some((value.clone(), ValueMatch::Label));
    }
    let squeezed: String = phrase.chars().filter(|c| c.is_alphanumeric()).collect();
    if squeezed.chars().count() >= 4
        && let Some(value) = values.iter().find(|value| {
            let candidate = value.to_lowercase();
            candidate.chars().count() >= 4
                && edit_distance(&candidate, phrase) <= if phrase.len() >= 8 { 2 } else { 1 }
        })
    {
        return Some((value.clone(), ValueMatch::NearSpelling));
    }
    if labels.is_empty() && may_abbreviate(phrase) {
        let matches: Vec<&String> = values
            .iter()
            .filter(|value| {
                abbreviates(value, &squeezed)
                    && (value.chars().count() > 2 || !super::words::is_verb_form(phrase))
            })
            .collect();
        if let [value] = matches.as_slice() {
            return Some(((*value).clone(), ValueMatch::Abbreviation));
        }
    }
    None
}

/// Whether a literal may be matched to a code abbreviating it: one word and not
/// grammar (a verb is never abbreviated to two letters either, see [`match_value`]).
fn may_abbreviate(phrase: &str) -> bool {
    !phrase.contains(' ') && !super::words::is_stop_word(phrase)
}

fn stems(text: &str) -> Vec<String> {
    let mut stems: Vec<String> = tokenize(text).iter().map(|t| t.stem.clone()).collect();
    stems.sort();
    stems
}

/// Whether `code` (2+ letters) abbreviates `word`: same first letter, its letters in
/// order within the word, shorter than the word.
pub(crate) fn abbreviates(code: &str, word: &str) -> bool {
    let code = code.to_lowercase();
    let word = word.to_lowercase();
    if code.chars().count() < 2
        || code.chars().count() >= word.chars().count()
        || !code.chars().all(char::is_alphanumeric)
        || code.chars().next() != word.chars().next()
    {
        return false;
    }
    let mut letters = word.chars();
    code.chars().all(|c| letters.any(|w| w == c))
}

/// Levenshtein distance over characters.
fn edit_distance(left: &str, right: &str) -> usize {
    let right: Vec<char> = right.chars().collect();
    let mut row: Vec<usize> = (0..=right.len()).collect();
    for (i, l) in left.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, r) in right.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = (previous + usize::from(l != *r))
                .min(row[j] + 1)
                .min(current + 1);
            previous = current;
        }
    }
    row[right.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| (*v).to_owned()).collect()
    }

    #[test]
    fn descriptions_decode_codes() {
        let values = owned(&["CMP", "CNL", "RTN", "WEB"]);
        let labels = decoded_labels(
            "Status code: CMP = completed, CNL = cancelled (by the customer), RTN: returned. Website (WEB)",
            &values,
        );
        assert_eq!(
            labels,
            [
                ("Website".to_owned(), "WEB".to_owned()),
                ("cancelled".to_owned(), "CNL".to_owned()),
                ("completed".to_owned(), "CMP".to_owned()),
                ("returned".to_owned(), "RTN".to_owned()),
            ]
        );
    }

    #[test]
    fn literals_meet_values_only_with_the_switches_on() {
        let values = owned(&["CNL", "CMP", "LST", "Boston"]);
        let labels = vec![("cancelled".to_owned(), "CNL".to_owned())];
        assert_eq!(
            match_value("cancelled", &values, &labels, false, false),
            None
        );
        assert_eq!(
            match_value("cancelled", &values, &labels, true, false),
            None
        );
        assert_eq!(
            match_value("boston", &values, &labels, true, false),
            Some(("Boston".to_owned(), ValueMatch::Exact))
        );
        assert_eq!(
            match_value("canceled", &values, &labels, false, true),
            Some(("CNL".to_owned(), ValueMatch::Label))
        );
        assert_eq!(
            match_value("bostn", &values, &labels, false, true),
            Some(("Boston".to_owned(), ValueMatch::NearSpelling))
        );
        // Abbreviations only where the description decodes nothing.
        assert_eq!(match_value("lost", &values, &labels, false, true), None);
        assert_eq!(
            match_value("lost", &values, &[], false, true),
            Some(("LST".to_owned(), ValueMatch::Abbreviation))
        );
    }

    #[test]
    fn abbreviations_keep_first_letter_and_order() {
        assert!(abbreviates("LST", "lost"));
        assert!(abbreviates("cust", "customer"));
        assert!(abbreviates("sgnup", "signup"));
        assert!(!abbreviates("TSL", "lost"));
        assert!(!abbreviates("L", "lost"));
        assert!(!abbreviates("lost", "lost"));
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
