//! The Genie conversation API: conversations, messages whose status advances with
//! time, their query results, and the faults that touch them.

mod answering;
mod handlers;
mod render;
mod results;
mod status;
mod store;

pub(crate) use answering::{GenieAnswer, Question, ask_genie, run_read_only};
pub(crate) use handlers::{
    create_message, delete_conversation, delete_message, feedback, get_message, list_conversations,
    list_messages, start,
};
pub(crate) use render::USER_ID;
pub(crate) use results::{attachment_result, execute_attachment, execute_message, message_result};
pub(crate) use store::ConversationStore;
