//! The progress bar shown while questions run: questions done of total, correct so
//! far, elapsed time and ETA, on standard error (drawn only on a terminal, so logs and
//! CI output stay clean).

use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::{ProgressDrawTarget, ProgressStyle};

/// The evaluator's [`genie_evaluator::Progress`] as an `indicatif` bar.
pub(crate) struct ProgressBar {
    bar: indicatif::ProgressBar,
    correct: AtomicUsize,
    scored: AtomicUsize,
}

impl ProgressBar {
    /// A bar for `total` questions (the evaluator may restate the total).
    pub(crate) fn new(total: usize) -> Self {
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(u64::try_from(total).unwrap_or(u64::MAX)),
            ProgressDrawTarget::stderr(),
        );
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} questions, {msg} (ETA {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Self {
            bar,
            correct: AtomicUsize::new(0),
            scored: AtomicUsize::new(0),
        }
    }

    /// Clears the bar.
    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl genie_evaluator::Progress for ProgressBar {
    fn started(&self, total: usize) {
        self.bar
            .set_length(u64::try_from(total).unwrap_or(u64::MAX));
        self.bar.set_message("0 correct");
    }

    fn finished_question(&self, _id: &str, correct: Option<bool>) {
        if let Some(correct) = correct {
            self.scored.fetch_add(1, Ordering::Relaxed);
            if correct {
                self.correct.fetch_add(1, Ordering::Relaxed);
            }
        }
        let (correct, scored) = (
            self.correct.load(Ordering::Relaxed),
            self.scored.load(Ordering::Relaxed),
        );
        self.bar
            .set_message(format!("{correct} correct of {scored} scored"));
        self.bar.inc(1);
    }
}

/// The evaluator's progress for a run of many evaluations: one bar per evaluation,
/// labelled with its step, swapped in by [`ProgressSlot::start`].
#[derive(Default)]
pub(crate) struct ProgressSlot {
    current: std::sync::Mutex<Option<ProgressBar>>,
}

impl ProgressSlot {
    /// Shows a new bar for the evaluation `label` names (the previous one is cleared).
    pub(crate) fn start(&self, label: &str, total: usize) {
        let bar = ProgressBar::new(total);
        bar.bar.set_prefix(label.to_owned());
        bar.bar.set_style(
            ProgressStyle::with_template(
                "{prefix:>16} [{elapsed_precise}] {wide_bar} {pos}/{len} questions, {msg} (ETA {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        if let Some(previous) = self.lock().replace(bar) {
            previous.finish();
        }
    }

    /// Clears the bar.
    pub(crate) fn finish(&self) {
        if let Some(bar) = self.lock().take() {
            bar.finish();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<ProgressBar>> {
        self.current
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl genie_evaluator::Progress for ProgressSlot {
    fn started(&self, total: usize) {
        if let Some(bar) = self.lock().as_ref() {
            bar.started(total);
        }
    }

    fn finished_question(&self, id: &str, correct: Option<bool>) {
        if let Some(bar) = self.lock().as_ref() {
            bar.finished_question(id, correct);
        }
    }
}
