//! Synthesis from the space's sample questions: a language model writes the SQL from
//! the tables' schema, and the SQL is then validated by execution like any other.

use std::fmt::Write as _;
use std::sync::Arc;

use genie_core::benchmark::{Benchmark, ExcludedBenchmark};
use genie_core::ports::{ChatMessage, ChatRequest, ChatRole, Llm};

use crate::bounded::run_bounded;
use crate::columns::TableInfo;
use crate::synthesize::synthesized;

/// The category of questions taken from sample questions.
pub(crate) const CATEGORY: &str = "sample_question";

/// What the model is told to do.
const INSTRUCTIONS: &str = "You write Databricks SQL. Answer the question with exactly one \
read-only SELECT query over the tables below, using their fully qualified names. Reply \
with the query alone in a ```sql code block.";

/// Asks the model for each `(id, question)`'s SQL, `concurrency` at a time. A question
/// the model fails on or answers without SQL is excluded with the reason.
pub(crate) async fn sample_candidates(
    llm: &Arc<dyn Llm>,
    questions: Vec<(String, String)>,
    tables: &[TableInfo],
    concurrency: usize,
) -> Vec<Result<Benchmark, ExcludedBenchmark>> {
    let schema = schema_text(tables);
    run_bounded(questions, concurrency, |(id, question)| {
        let llm = Arc::clone(llm);
        let request = request(&schema, &question);
        async move {
            match llm.complete(&request).await {
                Ok(response) => match extract_sql(&response.content) {
                    Some(sql) => Ok(synthesized(id, question, sql, CATEGORY)),
                    None => Err(ExcludedBenchmark {
                        id,
                        reason: "the language model answered without SQL".to_owned(),
                    }),
                },
                Err(error) => {
                    tracing::warn!(%id, %error, "the language model failed on a sample question");
                    Err(ExcludedBenchmark {
                        id,
                        reason: format!("the language model failed: {error}"),
                    })
                }
            }
        }
    })
    .await
}

/// The chat request for one question.
fn request(schema: &str, question: &str) -> ChatRequest {
    ChatRequest {
        messages: vec![
            ChatMessage {
                role: ChatRole::System,
                content: format!("{INSTRUCTIONS}\n\n{schema}"),
            },
            ChatMessage {
                role: ChatRole::User,
                content: question.to_owned(),
            },
        ],
        max_tokens: Some(1024),
        temperature: Some(0.0),
    }
}

/// The tables as the model reads them: one line per table, one per column with its
/// type and description.
pub(crate) fn schema_text(tables: &[TableInfo]) -> String {
    let mut text = String::from("Tables:\n");
    for table in tables {
        let _ = write!(text, "- {}", table.identifier);
        if let Some(description) = &table.description {
            let _ = write!(text, ": {}", one_line(description));
        }
        text.push('\n');
        for column in &table.columns {
            let _ = write!(text, "  - {} {}", column.name, column.type_name);
            if let Some(description) = &column.description {
                let _ = write!(text, ": {}", one_line(description));
            }
            text.push('\n');
        }
    }
    text
}

/// Text on one line.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The SQL of a reply: the first ```sql block, else the first ``` block, else the
/// whole reply; `None` when that is blank.
fn extract_sql(reply: &str) -> Option<String> {
    let block = |fence: &str| {
        let start = reply.find(fence)? + fence.len();
        let body = &reply[start..];
        let body = body.strip_prefix('\n').unwrap_or(body);
        Some(body[..body.find("```").unwrap_or(body.len())].to_owned())
    };
    let sql = block("```sql")
        .or_else(|| block("```SQL"))
        .or_else(|| block("```"))
        .unwrap_or_else(|| reply.to_owned());
    let sql = sql.trim();
    (!sql.is_empty()).then(|| sql.to_owned())
}

#[cfg(test)]
pub(crate) mod tests {
    use async_trait::async_trait;
    use genie_core::error::{PortError, PortErrorKind};
    use genie_core::ports::{ChatResponse, TokenUsage};

    use super::*;
    use crate::columns::{ColumnInfo, ColumnKind};

    /// A model that answers every question with `reply` (or fails on a question
    /// containing "fail"), recording what it was asked.
    pub(crate) struct ScriptedLlm {
        pub(crate) reply: String,
        pub(crate) asked: std::sync::Mutex<Vec<ChatRequest>>,
    }

    #[async_trait]
    impl Llm for ScriptedLlm {
        async fn complete(&self, request: &ChatRequest) -> Result<ChatResponse, PortError> {
            self.asked.lock().unwrap().push(request.clone());
            if request.messages[1].content.contains("fail") {
                return Err(PortError::new(
                    PortErrorKind::Unavailable,
                    "model overloaded",
                ));
            }
            Ok(ChatResponse {
                content: self.reply.clone(),
                model: "scripted".into(),
                usage: TokenUsage::default(),
            })
        }
    }

    #[test]
    fn sql_is_taken_from_the_reply() {
        assert_eq!(
            extract_sql("Here:\n```sql\nSELECT 1\n```\nDone").as_deref(),
            Some("SELECT 1")
        );
        assert_eq!(
            extract_sql("```\nSELECT 2\n```").as_deref(),
            Some("SELECT 2")
        );
        assert_eq!(extract_sql(" SELECT 3 ").as_deref(), Some("SELECT 3"));
        assert_eq!(extract_sql("```sql\n```"), None);
    }

    #[tokio::test]
    async fn asks_with_the_schema_and_reports_failures() {
        let llm = Arc::new(ScriptedLlm {
            reply: "```sql\nSELECT a FROM c.s.t\n```".into(),
            asked: std::sync::Mutex::default(),
        });
        let tables = [TableInfo {
            identifier: "c.s.t".into(),
            label: "t".into(),
            description: Some("The\nthings.".into()),
            columns: vec![ColumnInfo {
                name: "a".into(),
                type_name: "STRING".into(),
                kind: ColumnKind::Text,
                description: Some("A code.".into()),
                label: "a".into(),
                distinct: None,
            }],
            row_count: None,
        }];
        let dyn_llm: Arc<dyn Llm> = llm.clone();
        let questions = vec![
            ("sample_one".to_owned(), "Which a?".to_owned()),
            ("sample_two".to_owned(), "Please fail".to_owned()),
        ];
        let candidates = sample_candidates(&dyn_llm, questions, &tables, 2).await;
        let first = candidates[0].as_ref().unwrap();
        assert_eq!(first.expected_sql, "SELECT a FROM c.s.t");
        assert_eq!(first.category.as_deref(), Some(CATEGORY));
        let second = candidates[1].as_ref().unwrap_err();
        assert_eq!(
            second.reason,
            "the language model failed: unavailable: model overloaded"
        );
        let asked = llm.asked.lock().unwrap();
        assert!(
            asked[0].messages[0]
                .content
                .ends_with("Tables:\n- c.s.t: The things.\n  - a STRING: A code.\n"),
            "{}",
            asked[0].messages[0].content
        );
    }
}
