//! The errors of the SQL helpers.

/// Why a piece of SQL was refused or could not be read.
///
/// Every helper of [`crate::sql`] returns it; the crate error wraps it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SqlError {
    /// The text holds nothing but whitespace, comments or semicolons.
    #[error("sql is empty: it holds no statement, only whitespace, comments or semicolons")]
    Empty,

    /// The tokenizer or the parser (Databricks dialect) rejected the text.
    #[error("cannot parse sql: {message}")]
    Parse {
        /// The parser's message, which names the line and column.
        message: String,
    },

    /// The text holds more than one statement.
    #[error("expected exactly one sql statement, found {count}")]
    MultipleStatements {
        /// How many statements the text holds.
        count: usize,
    },

    /// The statement is not a read-only query (`SELECT`, `WITH … SELECT`, `VALUES`
    /// or a set operation of those).
    #[error("only a read-only query may run, found a `{statement}` statement")]
    NotReadOnly {
        /// What the statement is, in upper case: `DROP`, `INSERT`, `SELECT INTO`, …
        statement: String,
    },

    /// A text cannot be written as a string literal (or a name as a quoted name) that
    /// Databricks and the SQL parser read alike.
    #[error("cannot quote `{text}` for sql: {reason}")]
    Unquotable {
        /// The text (at most its first 60 characters).
        text: String,
        /// Why, e.g. "it holds both `'` and `\"`".
        reason: String,
    },

    /// A `${name}` template variable is left in the text or has no value.
    #[error("unresolved template variable `${{{name}}}`")]
    UnresolvedTemplate {
        /// The variable's name, without `${` and `}`.
        name: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_offending_value() {
        let cases = [
            (
                SqlError::UnresolvedTemplate {
                    name: "gold_schema".to_owned(),
                },
                "unresolved template variable `${gold_schema}`",
            ),
            (
                SqlError::NotReadOnly {
                    statement: "DROP".to_owned(),
                },
                "only a read-only query may run, found a `DROP` statement",
            ),
            (
                SqlError::MultipleStatements { count: 2 },
                "expected exactly one sql statement, found 2",
            ),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), message);
        }
    }
}
