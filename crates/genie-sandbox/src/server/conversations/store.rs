//! Where conversations and their messages are kept, and how often each question was
//! asked of each space (the simulator's `attempt`).

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::simulator::{QueryReply, TextReply};

use super::super::api_error::ApiError;
use super::super::clock::now_millis;
use super::super::mix::time_ordered_id;
use super::status::Flow;

/// One conversation.
#[derive(Debug, Clone)]
pub(crate) struct Conversation {
    /// Its id.
    pub(crate) id: String,
    /// Its space.
    pub(crate) space_id: String,
    /// Its title (the first question).
    pub(crate) title: String,
    /// When it started, epoch milliseconds.
    pub(crate) created_ms: u64,
    /// Its messages, oldest first.
    pub(crate) messages: Vec<Message>,
}

/// One question and Genie's answer to it.
#[derive(Debug, Clone)]
pub(crate) struct Message {
    /// Its id.
    pub(crate) id: String,
    /// Its conversation.
    pub(crate) conversation_id: String,
    /// Its space.
    pub(crate) space_id: String,
    /// The question.
    pub(crate) content: String,
    /// When it was asked, epoch milliseconds.
    pub(crate) created_ms: u64,
    /// How long each status lasts, in milliseconds.
    pub(crate) step_ms: u64,
    /// The answer.
    pub(crate) answer: Answer,
    /// The asker's rating, once given.
    pub(crate) feedback: Option<Feedback>,
}

/// A rating sent with `…/feedback`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Feedback {
    /// `POSITIVE`, `NEGATIVE` or `NONE`.
    pub(crate) rating: String,
    /// The comment, if any.
    pub(crate) comment: Option<String>,
}

/// What Genie answered.
#[derive(Debug, Clone)]
pub(crate) enum Answer {
    /// SQL, run on the warehouse.
    Query {
        /// The query attachment's id.
        attachment_id: String,
        /// The summary text attachment's id.
        text_attachment_id: String,
        /// The visualization attachment's id, when visualizations are enabled.
        viz_attachment_id: Option<String>,
        /// The simulator's reply.
        reply: Box<QueryReply>,
        /// The statement holding its latest result.
        statement_id: String,
    },
    /// Text only.
    Text {
        /// The text attachment's id.
        attachment_id: String,
        /// The simulator's reply.
        reply: TextReply,
    },
    /// No answer.
    Failed {
        /// What went wrong.
        error: String,
        /// The `MessageErrorType`.
        error_type: &'static str,
    },
}

impl Answer {
    /// The path its statuses take.
    pub(crate) fn flow(&self) -> Flow {
        match self {
            Self::Query { .. } => Flow::Query,
            Self::Text { .. } => Flow::Text,
            Self::Failed { .. } => Flow::Failed,
        }
    }
}

/// Every live conversation.
#[derive(Debug, Default)]
pub(crate) struct ConversationStore {
    inner: Mutex<Inner>,
    sequence: AtomicU64,
}

#[derive(Debug, Default)]
struct Inner {
    /// By id; ids are time-ordered, so this is creation order.
    conversations: BTreeMap<String, Conversation>,
    /// How many times each (space, normalised question) was asked.
    asked: HashMap<(String, u64, String), u64>,
}

/// A question as compared for `attempt`: trimmed and lower-cased.
pub(crate) fn normalized_question(question: &str) -> String {
    question.trim().to_lowercase()
}

impl ConversationStore {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A new time-ordered id (conversations, messages, attachments).
    pub(crate) fn new_id(&self) -> String {
        time_ordered_id(now_millis(), self.sequence.fetch_add(1, Ordering::Relaxed))
    }

    /// How many times `question` was asked of `space_id`'s config `version` before;
    /// counts this time. A new config starts again at 0, so an answer changes between
    /// two versions only when the metadata does.
    pub(crate) fn next_attempt(&self, space_id: &str, version: u64, question: &str) -> u64 {
        let mut inner = self.lock();
        let count = inner
            .asked
            .entry((space_id.to_owned(), version, normalized_question(question)))
            .or_insert(0);
        *count += 1;
        *count - 1
    }

    /// Adds a conversation.
    pub(crate) fn insert(&self, conversation: Conversation) {
        self.lock()
            .conversations
            .insert(conversation.id.clone(), conversation);
    }

    /// Runs `f` on conversation `conversation_id` of `space_id`.
    pub(crate) fn with_conversation<R>(
        &self,
        space_id: &str,
        conversation_id: &str,
        f: impl FnOnce(&mut Conversation) -> R,
    ) -> Result<R, ApiError> {
        let mut inner = self.lock();
        inner
            .conversations
            .get_mut(conversation_id)
            .filter(|conversation| conversation.space_id == space_id)
            .map(f)
            .ok_or_else(|| unknown_conversation(conversation_id))
    }

    /// Runs `f` on message `message_id` of a conversation.
    pub(crate) fn with_message<R>(
        &self,
        space_id: &str,
        conversation_id: &str,
        message_id: &str,
        f: impl FnOnce(&mut Message) -> R,
    ) -> Result<R, ApiError> {
        self.with_conversation(space_id, conversation_id, |conversation| {
            conversation
                .messages
                .iter_mut()
                .find(|message| message.id == message_id)
                .map(f)
        })?
        .ok_or_else(|| {
            ApiError::not_found(
                "RESOURCE_DOES_NOT_EXIST",
                format!(
                    "message `{message_id}` does not exist in conversation `{conversation_id}`"
                ),
            )
        })
    }

    /// The conversations of `space_id`, newest first.
    pub(crate) fn of_space(&self, space_id: &str) -> Vec<Conversation> {
        let inner = self.lock();
        inner
            .conversations
            .values()
            .rev()
            .filter(|conversation| conversation.space_id == space_id)
            .cloned()
            .collect()
    }

    /// Deletes a conversation.
    pub(crate) fn delete(&self, space_id: &str, conversation_id: &str) -> Result<(), ApiError> {
        let mut inner = self.lock();
        if inner
            .conversations
            .get(conversation_id)
            .is_none_or(|conversation| conversation.space_id != space_id)
        {
            return Err(unknown_conversation(conversation_id));
        }
        inner.conversations.remove(conversation_id);
        Ok(())
    }
}

fn unknown_conversation(conversation_id: &str) -> ApiError {
    ApiError::not_found(
        "RESOURCE_DOES_NOT_EXIST",
        format!("conversation `{conversation_id}` does not exist"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_count_per_space_and_normalised_question() {
        let store = ConversationStore::default();
        assert_eq!(store.next_attempt("s1", 0, "How many orders?"), 0);
        assert_eq!(store.next_attempt("s1", 0, "  how many ORDERS? "), 1);
        assert_eq!(store.next_attempt("s2", 0, "How many orders?"), 0);
        assert_eq!(store.next_attempt("s1", 0, "How many orders"), 0);
        // A new config version starts again.
        assert_eq!(store.next_attempt("s1", 1, "How many orders?"), 0);
    }

    #[test]
    fn ids_are_valid_and_increasing() {
        let store = ConversationStore::default();
        let first = store.new_id();
        let second = store.new_id();
        assert!(genie_core::space::is_valid_id(&first));
        assert!(first < second);
    }
}
