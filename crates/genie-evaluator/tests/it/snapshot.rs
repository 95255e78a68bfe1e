//! The JSON shape of a small fixed evaluation: the weak space's P0 questions.

use genie_core::evaluation::Scope;
use genie_sandbox::server::Faults;

use crate::support;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p0_report_of_the_weak_space() {
    let server = support::sandbox(Faults::default()).await;
    let report = support::evaluate(
        &server,
        &support::request(support::WEAK, support::benchmarks(), Scope::P0),
    )
    .await;
    server.shutdown().await;
    // The report holds no clock readings (answer timings stay out of rows), so
    // nothing needs redacting; the dataset name pins the benchmark hash on purpose.
    insta::assert_json_snapshot!(report);
}
