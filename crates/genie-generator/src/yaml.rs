//! A benchmark set as a benchmark file (genie-core's YAML format), written next to
//! the file it corrects under the next free version suffix.

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use genie_core::benchmark::{AssetType, BenchmarkSet, BenchmarkSource, Priority, Split};
use serde::Serialize;

use crate::error::Error;

/// Temporary files made by this process so far (keeps their names apart).
static TEMPORARY_FILES: AtomicU64 = AtomicU64::new(0);

/// Writes `set` as a benchmark file next to `original`: `benchmarks.yaml` gives
/// `benchmarks.v2.yaml`, or `.v3` and up when that exists (a `.vN` in the original's
/// name is replaced, so correcting `benchmarks.v2.yaml` gives `benchmarks.v3.yaml`).
/// Returns the path written.
///
/// It never overwrites anything: the text goes to a new temporary file in the same
/// directory, which is then linked to the first free name (a link, unlike a rename,
/// fails when the name exists) and removed, so the file appears complete or not at
/// all. On a file system without hard links it fails naming the path rather than risk
/// an overwrite. The ground truths are written resolved, so the file needs no
/// `catalog` or `gold_schema`; it reads back with
/// `genie_core::benchmark::parse_benchmark_file`.
pub fn write_corrected_file(original: &Path, set: &BenchmarkSet) -> Result<PathBuf, Error> {
    let text = render(
        set,
        original
            .file_name()
            .map(|n| n.to_string_lossy().into_owned()),
    )?;
    let directory = original
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let (stem, extension) = stem_and_extension(original);
    let unique = TEMPORARY_FILES.fetch_add(1, Ordering::Relaxed);
    let temporary = directory.join(format!(".{stem}.{}-{unique}.tmp", std::process::id()));
    write_new(&temporary, text.as_bytes())?;
    let result = (2..)
        .map(|version| directory.join(format!("{stem}.v{version}.{extension}")))
        .find_map(|candidate| match fs::hard_link(&temporary, &candidate) {
            Ok(()) => Some(Ok(candidate)),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => None,
            Err(source) => Some(Err(Error::Write {
                path: candidate,
                source,
            })),
        })
        .expect("some version number is free");
    // Best effort: the temporary name is ours alone and useless now.
    let _ = fs::remove_file(&temporary);
    if let Ok(path) = &result {
        tracing::info!(path = %path.display(), dataset = %set.dataset_name, "corrected benchmark file written");
    }
    result
}

/// The benchmark file's text for `set`, with a header naming its origin.
pub(crate) fn render(set: &BenchmarkSet, corrects: Option<String>) -> Result<String, Error> {
    let file = FileOut {
        domain: set.domain.as_deref(),
        benchmarks: set
            .benchmarks
            .iter()
            .map(|benchmark| EntryOut {
                id: &benchmark.id,
                question: &benchmark.question,
                expected_sql: serde_saphyr::LitStr(&benchmark.expected_sql),
                expected_asset: benchmark.expected_asset,
                priority: benchmark.priority,
                split: benchmark.split,
                category: benchmark.category.as_deref(),
                order_matters: benchmark.order_matters,
                source: benchmark.source,
            })
            .collect(),
    };
    let body = serde_saphyr::to_string(&file).map_err(|error| Error::Render {
        message: error.to_string(),
    })?;
    let mut text = format!(
        "# Benchmark set `{}` (content hash {}).\n",
        set.dataset_name, set.content_hash
    );
    if let Some(original) = corrects {
        text.push_str("# A corrected version of `");
        text.push_str(&original);
        text.push_str("`, written by genie-generator; the original is unchanged.\n");
    }
    text.push_str(&body);
    Ok(text)
}

/// The file layout of genie-core's benchmark format.
#[derive(Serialize)]
struct FileOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    domain: Option<&'a str>,
    benchmarks: Vec<EntryOut<'a>>,
}

/// One benchmark in the file layout.
#[derive(Serialize)]
struct EntryOut<'a> {
    id: &'a str,
    question: &'a str,
    expected_sql: serde_saphyr::LitStr<'a>,
    expected_asset: AssetType,
    priority: Priority,
    split: Split,
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    order_matters: Option<bool>,
    source: BenchmarkSource,
}

/// `benchmarks` and `yaml` for `dir/benchmarks.v2.yaml` (a `.vN` suffix dropped);
/// `yaml` when the name has no extension.
fn stem_and_extension(path: &Path) -> (String, String) {
    let stem = path.file_stem().map_or_else(
        || "benchmarks".to_owned(),
        |s| s.to_string_lossy().into_owned(),
    );
    let extension = path
        .extension()
        .map_or_else(|| "yaml".to_owned(), |e| e.to_string_lossy().into_owned());
    let stem = match stem.rsplit_once(".v") {
        Some((base, version))
            if !base.is_empty()
                && !version.is_empty()
                && version.bytes().all(|b| b.is_ascii_digit()) =>
        {
            base.to_owned()
        }
        _ => stem,
    };
    (stem, extension)
}

/// Writes a file that must not exist yet, flushed to disk.
fn write_new(path: &Path, content: &[u8]) -> Result<(), Error> {
    let write = || -> std::io::Result<()> {
        let mut file: File = OpenOptions::new().write(true).create_new(true).open(path)?;
        file.write_all(content)?;
        file.sync_all()
    };
    write().map_err(|source| {
        let _ = fs::remove_file(path);
        Error::Write {
            path: path.to_owned(),
            source,
        }
    })
}

#[cfg(test)]
mod tests {
    use genie_core::benchmark::{Benchmark, parse_benchmark_file};

    use super::*;
    use crate::load::tests::benchmark;

    fn tricky_set() -> BenchmarkSet {
        let mut first = benchmark("a", Some("join"));
        first.question = "What's \"net\": revenue # by region?".into();
        first.expected_sql =
            "SELECT r,\n  SUM(x) AS total -- net\nFROM c.s.t\nWHERE y = 'a: b'\nGROUP BY r".into();
        first.priority = Priority::P0;
        first.split = Split::HeldOut;
        first.order_matters = Some(false);
        first.source = BenchmarkSource::Corrected;
        let mut second = benchmark("b", None);
        second.expected_asset = AssetType::MetricView;
        second.source = BenchmarkSource::Synthesized;
        second.question = "- yes: no".into();
        BenchmarkSet::new(Some("shop".into()), vec![first, second], Vec::new())
    }

    fn without_lines(benchmarks: &[Benchmark]) -> Vec<Benchmark> {
        benchmarks
            .iter()
            .map(|b| Benchmark {
                line: 0,
                ..b.clone()
            })
            .collect()
    }

    #[test]
    fn rendered_file_round_trips_through_the_parser() {
        let set = tricky_set();
        let text = render(&set, Some("benchmarks.yaml".into())).unwrap();
        let parsed = parse_benchmark_file("benchmarks.v2.yaml", &text)
            .unwrap_or_else(|error| panic!("{error}\n{text}"));
        assert_eq!(parsed.domain.as_deref(), Some("shop"));
        assert_eq!(
            without_lines(&parsed.benchmarks),
            without_lines(&set.benchmarks)
        );
        insta::assert_snapshot!(text);
    }

    fn scratch(name: &str) -> PathBuf {
        let directory =
            std::env::temp_dir().join(format!("genie-generator-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&directory);
        fs::create_dir_all(&directory).unwrap();
        directory
    }

    #[test]
    fn versions_never_overwrite_and_leave_no_temporary() {
        let directory = scratch("versions");
        let original = directory.join("benchmarks.yaml");
        fs::write(&original, "original").unwrap();
        fs::write(directory.join("benchmarks.v3.yaml"), "someone else's").unwrap();
        let set = tricky_set();
        let v2 = write_corrected_file(&original, &set).unwrap();
        assert_eq!(v2, directory.join("benchmarks.v2.yaml"));
        let v4 = write_corrected_file(&original, &set).unwrap();
        assert_eq!(
            v4,
            directory.join("benchmarks.v4.yaml"),
            "v3 exists: skipped"
        );
        let v5 = write_corrected_file(&v4, &set).unwrap();
        assert_eq!(
            v5,
            directory.join("benchmarks.v5.yaml"),
            "from a version, the next"
        );
        assert_eq!(fs::read_to_string(&original).unwrap(), "original");
        assert_eq!(
            fs::read_to_string(directory.join("benchmarks.v3.yaml")).unwrap(),
            "someone else's"
        );
        let written = fs::read_to_string(&v2).unwrap();
        parse_benchmark_file("benchmarks.v2.yaml", &written).unwrap();
        let mut names: Vec<String> = fs::read_dir(&directory)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "benchmarks.v2.yaml",
                "benchmarks.v3.yaml",
                "benchmarks.v4.yaml",
                "benchmarks.v5.yaml",
                "benchmarks.yaml"
            ]
        );
        fs::remove_dir_all(&directory).unwrap();
    }

    #[test]
    fn names_without_extension_or_directory() {
        assert_eq!(
            stem_and_extension(Path::new("bench")),
            ("bench".to_owned(), "yaml".to_owned())
        );
        assert_eq!(
            stem_and_extension(Path::new("d/q.v12.yml")),
            ("q".to_owned(), "yml".to_owned())
        );
        assert_eq!(
            stem_and_extension(Path::new("d/my.vault.yml")),
            ("my.vault".to_owned(), "yml".to_owned())
        );
    }

    #[test]
    fn an_unwritable_directory_names_the_path() {
        let error = write_corrected_file(
            Path::new("/nonexistent-genie/benchmarks.yaml"),
            &tricky_set(),
        )
        .unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("cannot write `/nonexistent-genie/."),
            "{error}"
        );
    }
}
