//! Arbiter corrections on the retail set: too few is an error, an invalid corrected
//! SQL is refused with the engine's message, three make a new version, and the
//! version written next to the benchmark file reads back and validates.

use std::fs;

use genie_core::benchmark::{BenchmarkSource, parse_benchmark_file};
use genie_core::workers::{BenchmarkCorrection, Generator};
use genie_generator::{Error, write_corrected_file};

use crate::{generator, request, retail_benchmarks, retail_dir, retail_sandbox, warehouse};

#[tokio::test]
async fn corrections_make_a_new_version_written_beside_the_file() {
    let (config, server) = retail_sandbox().await;
    let warehouse = warehouse(&server);
    let generator = generator(&warehouse);
    let set = generator
        .generate(&request(config.clone(), Some(retail_benchmarks())))
        .await
        .unwrap();
    // Each correction answers its question with another question's (valid) SQL.
    let correction = |index: usize| BenchmarkCorrection {
        id: set.benchmarks[index].id.clone(),
        corrected_sql: set.benchmarks[index + 10].expected_sql.clone(),
        rationale: "Genie's answer matched the question better".into(),
    };
    let two = [correction(0), correction(1)];
    let error = generator.apply_corrections(&set, &two).await.unwrap_err();
    assert!(
        matches!(
            error.downcast_ref::<Error>(),
            Some(Error::TooFewCorrections {
                count: 2,
                minimum: 3
            })
        ),
        "{error}"
    );

    let mut broken = vec![correction(0), correction(1), correction(2)];
    broken[2].corrected_sql = "SELECT no_such_column FROM (SELECT 1 AS x) AS t".into();
    let error = generator
        .apply_corrections(&set, &broken)
        .await
        .unwrap_err();
    let Some(Error::InvalidCorrection { id, reason }) = error.downcast_ref::<Error>() else {
        panic!("{error}");
    };
    assert_eq!(id, &set.benchmarks[2].id);
    assert!(
        reason.starts_with("the warehouse rejected it: "),
        "{reason}"
    );

    let three = [correction(0), correction(1), correction(2)];
    let v2 = generator.apply_corrections(&set, &three).await.unwrap();
    assert_eq!(v2.dataset_name, format!("{}@v2", set.dataset_name));
    assert_ne!(v2.content_hash, set.content_hash);
    for index in 0..3 {
        assert_eq!(
            v2.benchmarks[index].expected_sql,
            set.benchmarks[index + 10].expected_sql
        );
        assert_eq!(v2.benchmarks[index].source, BenchmarkSource::Corrected);
    }
    assert_eq!(v2.benchmarks[3..], set.benchmarks[3..]);

    let directory = std::env::temp_dir().join(format!("genie-generator-it-{}", std::process::id()));
    let _ = fs::remove_dir_all(&directory);
    fs::create_dir_all(&directory).unwrap();
    let original = directory.join("benchmarks.yaml");
    fs::copy(retail_dir().join("benchmarks.yaml"), &original).unwrap();
    let before = fs::read(&original).unwrap();
    let written = write_corrected_file(&original, &v2).unwrap();
    assert_eq!(written, directory.join("benchmarks.v2.yaml"));
    assert_eq!(
        fs::read(&original).unwrap(),
        before,
        "the original is untouched"
    );
    let file = parse_benchmark_file("benchmarks.v2.yaml", &fs::read_to_string(&written).unwrap())
        .unwrap_or_else(|error| panic!("{error}"));
    let reread = generator
        .generate(&request(config, Some(file)))
        .await
        .unwrap();
    assert_eq!(reread.benchmarks.len(), 54);
    assert!(reread.excluded.is_empty(), "{:#?}", reread.excluded);
    assert_eq!(
        reread
            .benchmarks
            .iter()
            .filter(|b| b.source == BenchmarkSource::Corrected)
            .count(),
        3
    );
    fs::remove_dir_all(&directory).unwrap();
    server.shutdown().await;
}
