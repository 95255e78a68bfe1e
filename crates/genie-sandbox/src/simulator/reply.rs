//! [`Reply`]: what the simulated Genie answers — a query with its explanation, or text.

/// The simulator's answer to one question.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// Genie wrote SQL.
    Query(QueryReply),
    /// Genie answered with text only (it could not map the question, or asks back).
    Text(TextReply),
}

/// A query answer: the SQL and what Genie says about it.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryReply {
    /// The statement, one read-only query in Databricks SQL.
    pub sql: String,
    /// A short title of the query.
    pub title: String,
    /// "You want to see …": Genie's reading of the question.
    pub description: String,
    /// The reasoning steps shown with the query.
    pub thoughts: Vec<Thought>,
    /// Parameters bound from the question when a parameterised example SQL was used.
    pub parameters: Vec<QueryParameter>,
    /// The id of the trusted asset (a parameterised example SQL or a SQL function)
    /// the answer came from, when it came from one.
    pub trusted_asset: Option<String>,
    /// The text attachment that accompanies the query.
    pub summary: String,
}

/// One reasoning step of a [`QueryReply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thought {
    /// Which kind of step.
    pub kind: ThoughtKind,
    /// Its text.
    pub content: String,
}

/// The kinds of thought real Genie shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThoughtKind {
    /// How the question was read.
    Description,
    /// Which tables were used.
    DataSourcing,
    /// What the query does, step by step.
    Steps,
}

impl ThoughtKind {
    /// The API's `thought_type` value.
    pub fn api_name(self) -> &'static str {
        match self {
            Self::Description => "THOUGHT_TYPE_DESCRIPTION",
            Self::DataSourcing => "THOUGHT_TYPE_DATA_SOURCING",
            Self::Steps => "THOUGHT_TYPE_STEPS",
        }
    }
}

/// A parameter of a trusted-asset answer (`query.parameters` in the API).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryParameter {
    /// The parameter's name.
    pub keyword: String,
    /// Its SQL type (`STRING`, `INT`, `DATE`, …).
    pub sql_type: String,
    /// The value bound from the question (or the default).
    pub value: String,
}

/// A text-only answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextReply {
    /// The message text.
    pub content: String,
    /// Whether it answers or asks the user to clarify.
    pub purpose: TextPurpose,
}

/// The `purpose` of a text attachment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextPurpose {
    /// An answer (`TEXT_ATTACHMENT_PURPOSE_ANSWER`).
    Answer,
    /// A clarification question (`TEXT_ATTACHMENT_PURPOSE_FOLLOW_UP_QUESTION`).
    FollowUpQuestion,
}

impl TextPurpose {
    /// The API's `purpose` value.
    pub fn api_name(self) -> &'static str {
        match self {
            Self::Answer => "TEXT_ATTACHMENT_PURPOSE_ANSWER",
            Self::FollowUpQuestion => "TEXT_ATTACHMENT_PURPOSE_FOLLOW_UP_QUESTION",
        }
    }
}
