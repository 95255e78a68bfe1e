//! The engine's error type.

/// Why the engine could not load a fixture or run a statement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// A statement of `schema.sql` could not be parsed or is not of the binding format.
    #[error("schema.sql line {line} (statement {statement}): {message}")]
    SchemaFile {
        /// 1-based index of the statement in the file.
        statement: usize,
        /// The 1-based line the statement starts on.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A column type outside the binding format's list.
    #[error("unsupported column type `{type_name}` for column `{column}`")]
    UnsupportedType {
        /// The column.
        column: String,
        /// The type as written.
        type_name: String,
    },
    /// A file could not be read.
    #[error("cannot read `{path}`: {message}")]
    Read {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        message: String,
    },
    /// The engine rejected or failed a statement (the message is the engine's).
    #[error("{0}")]
    Execution(String),
}
