//! Tokens with byte ranges, comment stripping and single-statement parsing: the
//! front door that every SQL helper goes through.

use std::ops::Range;

use sqlparser::ast::Statement;
use sqlparser::dialect::DatabricksDialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Location, Token, Tokenizer, Whitespace};

use super::error::SqlError;
use super::template::template_variables;

/// One token of a text and the bytes of the text it covers.
pub(super) struct SourceToken {
    /// The token.
    pub(super) token: Token,
    /// Where it sits in the text (whitespace and comments are tokens too, so the
    /// ranges of consecutive tokens touch).
    pub(super) range: Range<usize>,
}

/// Splits `sql` into Databricks tokens, comments and whitespace included.
pub(super) fn tokenize(sql: &str) -> Result<Vec<SourceToken>, SqlError> {
    let tokens = Tokenizer::new(&DatabricksDialect, sql)
        .tokenize_with_location()
        .map_err(|error| SqlError::Parse {
            message: error.to_string(),
        })?;
    let mut cursor = LocationCursor::new(sql);
    let starts: Vec<usize> = tokens
        .iter()
        .map(|token| cursor.offset_of(token.span.start))
        .collect();
    Ok(tokens
        .into_iter()
        .enumerate()
        .map(|(index, token)| {
            let end = starts.get(index + 1).copied().unwrap_or(sql.len());
            SourceToken {
                token: token.token,
                range: starts[index]..end.max(starts[index]),
            }
        })
        .collect())
}

/// Parses `sql` as exactly one statement of the Databricks dialect.
///
/// Returns the text without comments, leading or trailing whitespace and
/// semicolons (see [`strip_comments`]) and the parsed statement.
pub(super) fn parse_single_statement(sql: &str) -> Result<(String, Statement), SqlError> {
    let tokens = tokenize(sql)?;
    let text = strip_comments(sql, &tokens);
    if text.is_empty() {
        return Err(SqlError::Empty);
    }
    if let Some(name) = template_variables(&text).into_iter().next() {
        return Err(SqlError::UnresolvedTemplate { name });
    }
    let mut statements = Parser::parse_sql(&DatabricksDialect, sql).map_err(parse_error)?;
    match statements.len() {
        0 => Err(SqlError::Empty),
        1 => Ok((text, statements.remove(0))),
        count => Err(SqlError::MultipleStatements { count }),
    }
}

fn parse_error(error: ParserError) -> SqlError {
    let message = match error {
        ParserError::TokenizerError(message) | ParserError::ParserError(message) => message,
        ParserError::RecursionLimitExceeded => "the statement is nested too deeply".to_owned(),
    };
    SqlError::Parse { message }
}

/// The author's text without comments and without leading or trailing whitespace
/// and semicolons; everything else is kept byte for byte.
///
/// A comment and the whitespace around it become one separator: a newline (with
/// the indentation that follows) when they spanned a line break, else a space.
pub(super) fn strip_comments(sql: &str, tokens: &[SourceToken]) -> String {
    let is_content = |token: &SourceToken| {
        !matches!(
            token.token,
            Token::Whitespace(_) | Token::SemiColon | Token::EOF
        )
    };
    let Some(first) = tokens.iter().position(is_content) else {
        return String::new();
    };
    let last = tokens.iter().rposition(is_content).unwrap_or(first);

    let mut text = String::with_capacity(sql.len());
    let mut gap = Gap::default();
    for token in &tokens[first..=last] {
        let source = &sql[token.range.clone()];
        match &token.token {
            Token::Whitespace(Whitespace::SingleLineComment { .. }) => {
                gap.had_comment = true;
                if source.ends_with('\n') {
                    gap.whitespace.push('\n');
                }
            }
            Token::Whitespace(Whitespace::MultiLineComment(_)) => gap.had_comment = true,
            Token::Whitespace(_) => gap.whitespace.push_str(source),
            _ => {
                gap.flush_into(&mut text);
                text.push_str(source);
            }
        }
    }
    text
}

/// The whitespace and comments between two tokens of content.
#[derive(Default)]
struct Gap {
    whitespace: String,
    had_comment: bool,
}

impl Gap {
    fn flush_into(&mut self, text: &mut String) {
        if !self.had_comment {
            text.push_str(&self.whitespace);
        } else if let Some(last_newline) = self.whitespace.rfind('\n') {
            text.push('\n');
            text.push_str(&self.whitespace[last_newline + 1..]);
        } else {
            text.push(' ');
        }
        *self = Self::default();
    }
}

/// Turns the tokenizer's line and column positions (1-based, counted in
/// characters) into byte offsets, walking the text once from start to end.
struct LocationCursor<'a> {
    text: &'a str,
    offset: usize,
    line: u64,
    column: u64,
}

impl<'a> LocationCursor<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            offset: 0,
            line: 1,
            column: 1,
        }
    }

    fn offset_of(&mut self, location: Location) -> usize {
        while (self.line, self.column) < (location.line, location.column) {
            let Some(character) = self.text[self.offset..].chars().next() else {
                break;
            };
            self.offset += character.len_utf8();
            if character == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
        self.offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stripped(sql: &str) -> String {
        strip_comments(sql, &tokenize(sql).unwrap())
    }

    #[test]
    fn token_ranges_cover_the_text_exactly() {
        let sql = "SELECT `ünï code`,\r\n  'é''s' -- note é\nFROM t /* a\nb */;";
        let tokens = tokenize(sql).unwrap();
        let rebuilt: String = tokens
            .iter()
            .map(|token| &sql[token.range.clone()])
            .collect();
        assert_eq!(rebuilt, sql);
        assert_eq!(&sql[tokens[2].range.clone()], "`ünï code`");
    }

    #[test]
    fn comments_become_one_separator() {
        assert_eq!(stripped("SELECT a/*x*/FROM t"), "SELECT a FROM t");
        assert_eq!(stripped("SELECT a /* x */ FROM t"), "SELECT a FROM t");
        assert_eq!(stripped("SELECT a -- x\nFROM t"), "SELECT a\nFROM t");
        assert_eq!(
            stripped("SELECT a,\n  -- only a comment\n  b\nFROM t"),
            "SELECT a,\n  b\nFROM t"
        );
        assert_eq!(
            stripped("-- head\n/* more */\n  SELECT 1 ; ; -- tail"),
            "SELECT 1"
        );
        assert_eq!(
            stripped("SELECT '-- not a comment', \"/* nor this */\""),
            "SELECT '-- not a comment', \"/* nor this */\""
        );
    }

    #[test]
    fn nothing_but_comments_is_empty() {
        assert_eq!(stripped(" -- a\n /* b */ ;;"), "");
    }

    #[test]
    fn parse_errors_carry_the_position() {
        let Err(SqlError::Parse { message }) = parse_single_statement("SELECT FROM WHERE") else {
            panic!("expected a parse error");
        };
        assert!(message.contains("Line: 1, Column:"), "{message}");
    }
}
