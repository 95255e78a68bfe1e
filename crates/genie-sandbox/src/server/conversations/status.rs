//! A Genie message's status as a function of the time since it was asked: each step
//! lasts the same latency, and text answers and failures skip the warehouse steps.

/// `MessageStatus` values the sandbox produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MessageStatus {
    /// Just asked.
    Submitted,
    /// Reading table metadata.
    FetchingMetadata,
    /// Selecting the relevant context.
    FilteringContext,
    /// The model is writing the answer.
    AskingAi,
    /// Waiting for the SQL warehouse.
    PendingWarehouse,
    /// Running the SQL (the result is already fetchable).
    ExecutingQuery,
    /// Done.
    Completed,
    /// Failed (the message carries an error).
    Failed,
}

impl MessageStatus {
    /// The API's value.
    pub(crate) fn api_name(self) -> &'static str {
        match self {
            Self::Submitted => "SUBMITTED",
            Self::FetchingMetadata => "FETCHING_METADATA",
            Self::FilteringContext => "FILTERING_CONTEXT",
            Self::AskingAi => "ASKING_AI",
            Self::PendingWarehouse => "PENDING_WAREHOUSE",
            Self::ExecutingQuery => "EXECUTING_QUERY",
            Self::Completed => "COMPLETED",
            Self::Failed => "FAILED",
        }
    }
}

/// Which path a message's statuses take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    /// A query answer: every step, through the warehouse.
    Query,
    /// A text answer: no warehouse steps.
    Text,
    /// A failure: ends `FAILED` after `ASKING_AI`.
    Failed,
}

const QUERY: [MessageStatus; 7] = [
    MessageStatus::Submitted,
    MessageStatus::FetchingMetadata,
    MessageStatus::FilteringContext,
    MessageStatus::AskingAi,
    MessageStatus::PendingWarehouse,
    MessageStatus::ExecutingQuery,
    MessageStatus::Completed,
];
const TEXT: [MessageStatus; 5] = [
    MessageStatus::Submitted,
    MessageStatus::FetchingMetadata,
    MessageStatus::FilteringContext,
    MessageStatus::AskingAi,
    MessageStatus::Completed,
];
const FAILED: [MessageStatus; 5] = [
    MessageStatus::Submitted,
    MessageStatus::FetchingMetadata,
    MessageStatus::FilteringContext,
    MessageStatus::AskingAi,
    MessageStatus::Failed,
];

impl Flow {
    fn steps(self) -> &'static [MessageStatus] {
        match self {
            Self::Query => &QUERY,
            Self::Text => &TEXT,
            Self::Failed => &FAILED,
        }
    }
}

/// The status `elapsed_ms` after the question, each step lasting `step_ms`, and how
/// long after the question that status began.
pub(crate) fn status_at(flow: Flow, elapsed_ms: u64, step_ms: u64) -> (MessageStatus, u64) {
    let steps = flow.steps();
    let last = steps.len() - 1;
    let index = elapsed_ms
        .checked_div(step_ms)
        .and_then(|index| usize::try_from(index).ok())
        .map_or(last, |index| index.min(last));
    (steps[index], step_ms * index as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statuses(flow: Flow, step_ms: u64, times: &[u64]) -> Vec<&'static str> {
        times
            .iter()
            .map(|elapsed| status_at(flow, *elapsed, step_ms).0.api_name())
            .collect()
    }

    #[test]
    fn a_query_walks_every_step() {
        assert_eq!(
            statuses(
                Flow::Query,
                100,
                &[0, 99, 100, 250, 399, 400, 500, 600, 10_000]
            ),
            [
                "SUBMITTED",
                "SUBMITTED",
                "FETCHING_METADATA",
                "FILTERING_CONTEXT",
                "ASKING_AI",
                "PENDING_WAREHOUSE",
                "EXECUTING_QUERY",
                "COMPLETED",
                "COMPLETED"
            ]
        );
    }

    #[test]
    fn text_and_failures_skip_the_warehouse() {
        assert_eq!(
            statuses(Flow::Text, 10, &[35, 40, 1_000]),
            ["ASKING_AI", "COMPLETED", "COMPLETED"]
        );
        assert_eq!(
            statuses(Flow::Failed, 10, &[35, 40]),
            ["ASKING_AI", "FAILED"]
        );
    }

    #[test]
    fn zero_latency_is_already_final() {
        assert_eq!(statuses(Flow::Query, 0, &[0]), ["COMPLETED"]);
        assert_eq!(statuses(Flow::Failed, 0, &[0]), ["FAILED"]);
    }

    #[test]
    fn reports_when_the_status_began() {
        assert_eq!(
            status_at(Flow::Query, 450, 100),
            (MessageStatus::PendingWarehouse, 400)
        );
        assert_eq!(
            status_at(Flow::Text, 10_000, 100),
            (MessageStatus::Completed, 400)
        );
    }
}
