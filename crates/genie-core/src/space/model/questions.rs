//! Questions of a space: UI sample questions and benchmark questions with answers.

use crate::space::object_macro::space_object;
use crate::space::text::TextLines;

space_object! {
    /// A question suggested to users in the Genie UI (`config.sample_questions`).
    pub struct SampleQuestion {
        required {
            /// 32 lowercase hex digits, unique across sample and benchmark questions.
            id: String,
            /// The question.
            question: TextLines,
        }
        optional {}
    }
}

space_object! {
    /// A benchmark question with its expected answer (`benchmarks.questions`).
    pub struct BenchmarkQuestion {
        required {
            /// 32 lowercase hex digits, unique across sample and benchmark questions.
            id: String,
            /// The question.
            question: TextLines,
        }
        optional {
            /// The expected answers: exactly one, with `format` `SQL`.
            answer: Vec<BenchmarkAnswer>,
        }
    }
}

/// The only answer format the API accepts for benchmark answers.
pub const SQL_ANSWER_FORMAT: &str = "SQL";

impl BenchmarkQuestion {
    /// The answers (empty when absent).
    pub fn answers(&self) -> &[BenchmarkAnswer] {
        self.answer.as_deref().unwrap_or_default()
    }

    /// The SQL of the first answer whose format is `SQL`, as one string.
    pub fn answer_sql(&self) -> Option<String> {
        self.answers()
            .iter()
            .find(|answer| answer.format == SQL_ANSWER_FORMAT)
            .map(|answer| answer.content.joined())
    }
}

space_object! {
    /// An expected answer of a [`BenchmarkQuestion`].
    pub struct BenchmarkAnswer {
        required {
            /// The answer's format; must be `SQL`.
            format: String,
            /// The answer itself (the SQL text).
            content: TextLines,
        }
        optional {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answer_sql_joins_the_first_sql_answer() {
        let question: BenchmarkQuestion = serde_json::from_value(json!({
            "id": "01f0a1b2c3d4e5f60718293a4b5c6d7e",
            "question": ["What is average order value?"],
            "answer": [{"format": "SQL", "content": ["SELECT AVG(amount)\n", "FROM main.sales.orders"]}]
        }))
        .unwrap();
        assert_eq!(
            question.answer_sql().as_deref(),
            Some("SELECT AVG(amount)\nFROM main.sales.orders")
        );
        let unanswered = BenchmarkQuestion {
            answer: None,
            ..question
        };
        assert!(unanswered.answers().is_empty());
        assert_eq!(unanswered.answer_sql(), None);
    }
}
