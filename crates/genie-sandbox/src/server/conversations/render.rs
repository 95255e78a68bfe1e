//! The JSON of conversations and of `GenieMessage`s as they stand at a given instant:
//! the status follows the time since the question, and attachments appear as the
//! answer progresses (the query once the warehouse is asked, its result once it runs,
//! the summary at the end).

use genie_core::result::ResultSet;
use serde_json::{Value, json};

use super::super::statement_results::{Outcome, StatementStore};
use super::status::{MessageStatus, status_at};
use super::store::{Answer, Conversation, Message};

/// The `user_id` of every message: the sandbox has one user.
pub(crate) const USER_ID: u64 = 5_511_969_577_895_513;

/// A conversation's JSON.
pub(crate) fn conversation_json(conversation: &Conversation) -> Value {
    let last_updated = conversation
        .messages
        .last()
        .map_or(conversation.created_ms, |message| message.created_ms);
    json!({
        "conversation_id": conversation.id,
        "id": conversation.id,
        "space_id": conversation.space_id,
        "user_id": USER_ID,
        "title": conversation.title,
        "created_timestamp": conversation.created_ms,
        "last_updated_timestamp": last_updated,
    })
}

/// The status of `message` at `now_ms`, and when that status began.
pub(crate) fn status_of(message: &Message, now_ms: u64) -> (MessageStatus, u64) {
    let (status, began) = status_at(
        message.answer.flow(),
        now_ms.saturating_sub(message.created_ms),
        message.step_ms,
    );
    (status, message.created_ms + began)
}

/// Whether the query result of `message` can be read at `now_ms` (from
/// `EXECUTING_QUERY` on).
pub(crate) fn result_readable(message: &Message, now_ms: u64) -> bool {
    matches!(
        status_of(message, now_ms).0,
        MessageStatus::ExecutingQuery | MessageStatus::Completed
    )
}

/// The `GenieMessage` JSON of `message` at `now_ms`; `submitted` renders it as the
/// POST that created it answers (status `SUBMITTED`, no attachments).
pub(crate) fn message_json(
    message: &Message,
    now_ms: u64,
    statements: &StatementStore,
    submitted: bool,
) -> Value {
    let (status, began) = if submitted {
        (MessageStatus::Submitted, message.created_ms)
    } else {
        status_of(message, now_ms)
    };
    let reached = |stage: MessageStatus| stage_index(status) >= stage_index(stage);
    let mut attachments = Vec::new();
    let mut query_result = Value::Null;
    let mut error = Value::Null;
    match &message.answer {
        Answer::Query {
            attachment_id,
            text_attachment_id,
            viz_attachment_id,
            reply,
            statement_id,
        } => {
            if reached(MessageStatus::PendingWarehouse) {
                let mut query = json!({
                    "title": reply.title,
                    "description": reply.description,
                    "query": reply.sql,
                    "thoughts": reply.thoughts.iter().map(|thought| json!({
                        "thought_type": thought.kind.api_name(),
                        "content": thought.content,
                    })).collect::<Vec<_>>(),
                });
                if !reply.parameters.is_empty() {
                    query["parameters"] = reply
                        .parameters
                        .iter()
                        .map(|parameter| {
                            json!({
                                "keyword": parameter.keyword,
                                "sql_type": parameter.sql_type,
                                "value": parameter.value,
                            })
                        })
                        .collect();
                }
                if reached(MessageStatus::ExecutingQuery) {
                    let metadata = result_metadata(statements.outcome(statement_id).as_ref());
                    query["statement_id"] = json!(statement_id);
                    query["query_result_metadata"] = metadata.clone();
                    query_result = metadata;
                    query_result["statement_id"] = json!(statement_id);
                }
                attachments.push(json!({"attachment_id": attachment_id, "query": query}));
            }
            if reached(MessageStatus::Completed) {
                if let Some(viz_id) = viz_attachment_id {
                    attachments.push(json!({
                        "attachment_id": viz_id,
                        "viz": {"query_attachment_id": attachment_id, "title": reply.title},
                    }));
                }
                attachments.push(json!({
                    "attachment_id": text_attachment_id,
                    "text": {
                        "content": reply.summary,
                        "purpose": crate::simulator::TextPurpose::Answer.api_name(),
                    },
                }));
            }
        }
        Answer::Text {
            attachment_id,
            reply,
        } => {
            if reached(MessageStatus::Completed) {
                attachments.push(json!({
                    "attachment_id": attachment_id,
                    "text": {"content": reply.content, "purpose": reply.purpose.api_name()},
                }));
            }
        }
        Answer::Failed {
            error: text,
            error_type,
        } => {
            if status == MessageStatus::Failed {
                error = json!({"error": text, "type": error_type});
            }
        }
    }
    let mut body = json!({
        "message_id": message.id,
        "id": message.id,
        "space_id": message.space_id,
        "conversation_id": message.conversation_id,
        "user_id": USER_ID,
        "content": message.content,
        "status": status.api_name(),
        "created_timestamp": message.created_ms,
        "last_updated_timestamp": began,
        "attachments": attachments,
        "query_result": query_result,
        "error": error,
    });
    if let Some(feedback) = &message.feedback {
        body["feedback"] = json!({"rating": feedback.rating});
        if let Some(comment) = &feedback.comment {
            body["feedback"]["comment"] = json!(comment);
        }
    }
    body
}

/// `query_result_metadata`: the row count and truncation of a finished statement.
fn result_metadata(outcome: Option<&Outcome>) -> Value {
    match outcome {
        Some(Outcome::Succeeded { result, .. }) => metadata_of(result),
        _ => json!({"row_count": 0, "is_truncated": false}),
    }
}

fn metadata_of(result: &ResultSet) -> Value {
    json!({"row_count": result.rows.len(), "is_truncated": result.truncated})
}

/// The position of a status on the way to `COMPLETED` (`FAILED` ends as far).
fn stage_index(status: MessageStatus) -> u8 {
    match status {
        MessageStatus::Submitted => 0,
        MessageStatus::FetchingMetadata => 1,
        MessageStatus::FilteringContext => 2,
        MessageStatus::AskingAi => 3,
        MessageStatus::PendingWarehouse => 4,
        MessageStatus::ExecutingQuery => 5,
        MessageStatus::Completed | MessageStatus::Failed => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulator::{QueryReply, TextPurpose, TextReply};

    fn message(answer: Answer) -> Message {
        Message {
            id: "m".to_owned(),
            conversation_id: "c".to_owned(),
            space_id: "s".to_owned(),
            content: "q".to_owned(),
            created_ms: 1_000,
            step_ms: 100,
            answer,
            feedback: None,
        }
    }

    fn query_message() -> Message {
        message(Answer::Query {
            attachment_id: "a".to_owned(),
            text_attachment_id: "t".to_owned(),
            viz_attachment_id: None,
            reply: Box::new(QueryReply {
                sql: "SELECT 1".to_owned(),
                title: "One".to_owned(),
                description: "You want one.".to_owned(),
                thoughts: Vec::new(),
                parameters: Vec::new(),
                trusted_asset: None,
                summary: "One.".to_owned(),
            }),
            statement_id: "missing".to_owned(),
        })
    }

    fn kinds(body: &Value) -> Vec<&str> {
        body["attachments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|attachment| {
                ["query", "text", "viz"]
                    .into_iter()
                    .find(|kind| attachment.get(*kind).is_some())
                    .unwrap()
            })
            .collect()
    }

    #[test]
    fn a_query_answer_appears_step_by_step() {
        let statements = StatementStore::default();
        let message = query_message();
        let at = |elapsed: u64| message_json(&message, 1_000 + elapsed, &statements, false);
        assert_eq!(kinds(&at(399)), Vec::<&str>::new());
        let pending = at(400);
        assert_eq!(pending["status"], "PENDING_WAREHOUSE");
        assert_eq!(kinds(&pending), ["query"]);
        assert!(
            pending["attachments"][0]["query"]
                .get("statement_id")
                .is_none()
        );
        assert!(pending["query_result"].is_null());
        let executing = at(500);
        assert_eq!(
            executing["attachments"][0]["query"]["statement_id"],
            "missing"
        );
        assert_eq!(executing["query_result"]["statement_id"], "missing");
        assert_eq!(executing["last_updated_timestamp"], 1_500);
        let completed = at(5_000);
        assert_eq!(completed["status"], "COMPLETED");
        assert_eq!(kinds(&completed), ["query", "text"]);
        assert_eq!(completed["last_updated_timestamp"], 1_600);
    }

    #[test]
    fn the_post_answer_is_submitted_and_empty() {
        let statements = StatementStore::default();
        let body = message_json(&query_message(), 9_999, &statements, true);
        assert_eq!(body["status"], "SUBMITTED");
        assert_eq!(kinds(&body), Vec::<&str>::new());
        assert_eq!(body["last_updated_timestamp"], 1_000);
    }

    #[test]
    fn text_answers_and_failures_show_only_at_the_end() {
        let statements = StatementStore::default();
        let text = message(Answer::Text {
            attachment_id: "t".to_owned(),
            reply: TextReply {
                content: "Which year?".to_owned(),
                purpose: TextPurpose::FollowUpQuestion,
            },
        });
        assert_eq!(
            kinds(&message_json(&text, 1_399, &statements, false)),
            Vec::<&str>::new()
        );
        let done = message_json(&text, 1_400, &statements, false);
        assert_eq!(
            done["attachments"][0]["text"]["purpose"],
            "TEXT_ATTACHMENT_PURPOSE_FOLLOW_UP_QUESTION"
        );
        let failed = message(Answer::Failed {
            error: "late".to_owned(),
            error_type: "REPLY_PROCESS_TIMEOUT_EXCEPTION",
        });
        assert!(message_json(&failed, 1_399, &statements, false)["error"].is_null());
        let ended = message_json(&failed, 1_400, &statements, false);
        assert_eq!(ended["status"], "FAILED");
        assert_eq!(
            ended["error"],
            json!({"error": "late", "type": "REPLY_PROCESS_TIMEOUT_EXCEPTION"})
        );
    }
}
