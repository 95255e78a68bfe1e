//! An eval run's status as a function of the time since it was created: it waits one
//! step (`NOT_STARTED`), then each question takes one step (`RUNNING`, `num_done`
//! growing), then it is `DONE`. Everything was computed when the run was created;
//! time only reveals it.

/// The SDK's `EvaluationStatusType` values the sandbox produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EvalStatus {
    /// Not started yet.
    NotStarted,
    /// Under way.
    Running,
    /// Finished.
    Done,
    /// (A result only) Genie gave no answer to judge.
    EvaluationFailed,
}

impl EvalStatus {
    /// The API's value.
    pub(crate) fn api_name(self) -> &'static str {
        match self {
            Self::NotStarted => "NOT_STARTED",
            Self::Running => "RUNNING",
            Self::Done => "DONE",
            Self::EvaluationFailed => "EVALUATION_FAILED",
        }
    }
}

/// How far a run is at some instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Progress {
    /// The run's status.
    pub(crate) status: EvalStatus,
    /// How many questions are done.
    pub(crate) done: usize,
    /// How long after creation the run last changed (its last step boundary).
    pub(crate) changed_after_ms: u64,
}

impl Progress {
    /// The status of the `index`-th question's result (`failed`: Genie gave no answer).
    pub(crate) fn result_status(&self, index: usize, failed: bool) -> EvalStatus {
        if index < self.done {
            if failed {
                EvalStatus::EvaluationFailed
            } else {
                EvalStatus::Done
            }
        } else if index == self.done && self.status == EvalStatus::Running {
            EvalStatus::Running
        } else {
            EvalStatus::NotStarted
        }
    }
}

/// The progress of a run of `questions` questions `elapsed_ms` after its creation,
/// each step lasting `step_ms` (0: already done).
pub(crate) fn progress_at(questions: usize, elapsed_ms: u64, step_ms: u64) -> Progress {
    let steps = u64::try_from(questions).map_or(u64::MAX, |questions| questions + 1);
    let reached = elapsed_ms
        .checked_div(step_ms)
        .map_or(steps, |step| step.min(steps));
    let done = usize::try_from(reached.saturating_sub(1))
        .unwrap_or(questions)
        .min(questions);
    let status = if reached == 0 {
        EvalStatus::NotStarted
    } else if done < questions {
        EvalStatus::Running
    } else {
        EvalStatus::Done
    };
    Progress {
        status,
        done,
        changed_after_ms: reached * step_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn walk(questions: usize, step_ms: u64, times: &[u64]) -> Vec<(&'static str, usize)> {
        times
            .iter()
            .map(|elapsed| {
                let progress = progress_at(questions, *elapsed, step_ms);
                (progress.status.api_name(), progress.done)
            })
            .collect()
    }

    #[test]
    fn waits_a_step_then_finishes_a_question_per_step() {
        assert_eq!(
            walk(3, 100, &[0, 99, 100, 199, 200, 300, 399, 400, 10_000]),
            [
                ("NOT_STARTED", 0),
                ("NOT_STARTED", 0),
                ("RUNNING", 0),
                ("RUNNING", 0),
                ("RUNNING", 1),
                ("RUNNING", 2),
                ("RUNNING", 2),
                ("DONE", 3),
                ("DONE", 3)
            ]
        );
    }

    #[test]
    fn zero_latency_is_already_done() {
        assert_eq!(walk(5, 0, &[0]), [("DONE", 5)]);
        assert_eq!(progress_at(5, 0, 0).changed_after_ms, 0);
    }

    #[test]
    fn reports_when_it_last_changed() {
        assert_eq!(progress_at(2, 250, 100).changed_after_ms, 200);
        assert_eq!(progress_at(2, 10_000, 100).changed_after_ms, 300);
    }

    #[test]
    fn results_follow_the_run() {
        let progress = progress_at(3, 250, 100);
        let statuses: Vec<&str> = (0..3)
            .map(|index| progress.result_status(index, index == 0).api_name())
            .collect();
        assert_eq!(statuses, ["EVALUATION_FAILED", "RUNNING", "NOT_STARTED"]);
        let waiting = progress_at(3, 0, 100);
        assert_eq!(waiting.result_status(0, false), EvalStatus::NotStarted);
    }
}
