//! The denominator is explicit: a benchmark the set excludes, a ground truth that
//! fails, and a ground truth whose dates find no rows are rows with a reason, and
//! the report says "N scored of M". Progress hears of every question once.

use std::sync::{Arc, Mutex};

use genie_core::benchmark::{BenchmarkSet, ExcludedBenchmark};
use genie_core::evaluation::{Exclusion, Scope};
use genie_core::workers::Evaluator;
use genie_evaluator::{Config, GenieEvaluator, Progress};
use genie_sandbox::server::Faults;

use crate::support;

#[derive(Default)]
struct Recorder {
    total: Mutex<Option<usize>>,
    finished: Mutex<Vec<(String, Option<bool>)>>,
}

impl Progress for Recorder {
    fn started(&self, total: usize) {
        *self.total.lock().unwrap() = Some(total);
    }

    fn finished_question(&self, id: &str, correct: Option<bool>) {
        self.finished.lock().unwrap().push((id.to_owned(), correct));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn excluded_questions_are_rows_with_a_reason() {
    let server = support::sandbox(Faults::default()).await;
    let mut benchmarks = support::benchmarks().benchmarks;
    benchmarks.truncate(6);
    let template = benchmarks[1].clone();
    let mut broken = template.clone();
    broken.id = "broken_ground_truth".to_owned();
    broken.expected_sql = "SELECT no_such_column FROM main.retail.ord_hdr".to_owned();
    let mut stale = template.clone();
    stale.id = "stale_dates".to_owned();
    stale.expected_sql = "SELECT o.ord_id FROM main.retail.ord_hdr AS o \
                          WHERE o.ord_dt BETWEEN DATE '2031-01-01' AND DATE '2031-12-31'"
        .to_owned();
    let mut unsafe_truth = template;
    unsafe_truth.id = "unsafe_ground_truth".to_owned();
    unsafe_truth.expected_sql = "DELETE FROM main.retail.ord_hdr".to_owned();
    benchmarks.extend([broken, stale, unsafe_truth]);
    let excluded_id = benchmarks[0].id.clone();
    let set = BenchmarkSet::new(
        Some("retail".to_owned()),
        benchmarks,
        vec![ExcludedBenchmark {
            id: excluded_id.clone(),
            reason: "the generator found it invalid".to_owned(),
        }],
    );
    let recorder = Arc::new(Recorder::default());
    let report = GenieEvaluator::builder(support::genie(&server), support::warehouse(&server))
        .config(Config::default())
        .progress(recorder.clone())
        .build()
        .evaluate(&support::request(support::WEAK, set, Scope::Full))
        .await
        .unwrap();
    let reason = |id: &str| {
        report
            .rows
            .iter()
            .find(|row| row.id == id)
            .unwrap()
            .excluded
            .clone()
    };
    assert_eq!(
        reason(&excluded_id),
        Some(Exclusion::InvalidGroundTruth {
            error: "the generator found it invalid".to_owned()
        })
    );
    assert!(matches!(
        reason("broken_ground_truth"),
        Some(Exclusion::InvalidGroundTruth { error }) if error.contains("no_such_column")
    ));
    assert!(matches!(
        reason("unsafe_ground_truth"),
        Some(Exclusion::InvalidGroundTruth { error }) if error.contains("DELETE")
    ));
    assert!(matches!(
        reason("stale_dates"),
        Some(Exclusion::TemporalStale | Exclusion::BothEmpty)
    ));
    assert_eq!(report.total_questions, 9);
    assert_eq!(report.scored, 5);
    assert_eq!(report.denominator(), "5 scored of 9");

    assert_eq!(*recorder.total.lock().unwrap(), Some(9));
    let finished = recorder.finished.lock().unwrap().clone();
    assert_eq!(finished.len(), 9);
    for row in &report.rows {
        let heard: Vec<_> = finished.iter().filter(|(id, _)| *id == row.id).collect();
        assert_eq!(heard.len(), 1, "{}", row.id);
        assert_eq!(
            heard[0].1,
            row.is_scored().then_some(row.correct),
            "{}",
            row.id
        );
    }
    server.shutdown().await;
}
