//! [`TextLines`]: the serialized space's "array of strings, logically one string".

use std::fmt;

use serde::{Deserialize, Serialize};

/// A text field of the serialized space: a JSON array of strings that is logically
/// one string.
///
/// Genie splits long text at newlines "for nicer diffs": the elements are
/// concatenated without separators, so each element but the last keeps its trailing
/// `\n`. [`TextLines::from_text`] splits that way and [`TextLines::joined`] undoes it.
/// The elements are kept exactly as read, so a document written with another split
/// serializes back unchanged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TextLines(Vec<String>);

impl TextLines {
    /// Wraps the given elements as they are.
    pub fn new(lines: Vec<String>) -> Self {
        Self(lines)
    }

    /// Splits `text` after each `\n`, keeping the newline at the end of its element
    /// (`"a\nb"` becomes `["a\n", "b"]`; the empty text becomes `[]`).
    pub fn from_text(text: &str) -> Self {
        Self(text.split_inclusive('\n').map(str::to_owned).collect())
    }

    /// The logical text: every element concatenated without separators.
    pub fn joined(&self) -> String {
        self.0.concat()
    }

    /// The elements as stored.
    pub fn lines(&self) -> &[String] {
        &self.0
    }

    /// The elements, mutable.
    pub fn lines_mut(&mut self) -> &mut Vec<String> {
        &mut self.0
    }

    /// Consumes the value and returns its elements.
    pub fn into_lines(self) -> Vec<String> {
        self.0
    }

    /// The number of elements (not characters).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no elements at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the logical text is empty or only whitespace.
    pub fn is_blank(&self) -> bool {
        self.0.iter().all(|line| line.trim().is_empty())
    }

    /// The number of characters (Unicode scalar values) of the logical text.
    pub fn char_count(&self) -> usize {
        self.0.iter().map(|line| line.chars().count()).sum()
    }
}

impl fmt::Display for TextLines {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|line| formatter.write_str(line))
    }
}

impl From<&str> for TextLines {
    fn from(text: &str) -> Self {
        Self::from_text(text)
    }
}

impl From<String> for TextLines {
    fn from(text: String) -> Self {
        Self::from_text(&text)
    }
}

impl From<Vec<String>> for TextLines {
    fn from(lines: Vec<String>) -> Self {
        Self(lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_text_splits_after_each_newline_keeping_it() {
        let text = TextLines::from_text("a\nb");
        assert_eq!(text.lines(), ["a\n", "b"]);
        assert_eq!(
            TextLines::from_text("a\n\nb\n").lines(),
            ["a\n", "\n", "b\n"]
        );
        assert!(TextLines::from_text("").is_empty());
    }

    #[test]
    fn joined_restores_the_text() {
        for text in ["", "one line", "a\nb", "trailing\n", "\n\nx\ny\n"] {
            assert_eq!(TextLines::from_text(text).joined(), text);
            assert_eq!(TextLines::from_text(text).to_string(), text);
        }
        let other_split = TextLines::new(vec!["SELECT 1".into(), " FROM t".into()]);
        assert_eq!(other_split.joined(), "SELECT 1 FROM t");
    }

    #[test]
    fn serializes_as_a_json_array_of_strings() {
        let text = TextLines::from_text("SELECT 1\nFROM t");
        let json = serde_json::to_string(&text).unwrap();
        assert_eq!(json, r#"["SELECT 1\n","FROM t"]"#);
        let back: TextLines = serde_json::from_str(&json).unwrap();
        assert_eq!(back, text);
        assert!(serde_json::from_str::<TextLines>(r#""not an array""#).is_err());
    }

    proptest::proptest! {
        #[test]
        fn from_text_and_joined_are_inverse(
            characters in proptest::collection::vec(
                proptest::prop_oneof![proptest::strategy::Just('\n'), proptest::arbitrary::any::<char>()],
                0..60,
            )
        ) {
            let text: String = characters.into_iter().collect();
            let lines = TextLines::from_text(&text);
            proptest::prop_assert_eq!(lines.joined(), text.clone());
            proptest::prop_assert_eq!(lines.char_count(), text.chars().count());
            let Some((last, rest)) = lines.lines().split_last() else {
                return Ok(());
            };
            proptest::prop_assert!(!last.is_empty());
            proptest::prop_assert!(rest.iter().all(|line| line.ends_with('\n') && line.matches('\n').count() == 1));
        }
    }

    #[test]
    fn blank_and_char_count() {
        assert!(TextLines::new(vec![" ".into(), "\n".into()]).is_blank());
        assert!(!TextLines::from_text("x").is_blank());
        assert_eq!(TextLines::from_text("é\nb").char_count(), 3);
    }
}
