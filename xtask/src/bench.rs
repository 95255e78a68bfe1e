//! `cargo xtask bench NAME`: benchmarks with their figures written to
//! `target/bench/NAME.json` (always with the build `profile` they ran under).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context as _, bail};
use genie_core::compare::{ComparisonOptions, compare_results};
use genie_core::result::{Cell, Column, ColumnType, ResultSet};
use serde_json::json;

use crate::ci::cargo;

mod corpus;
mod evaluate;
mod sandbox;

/// Runs the benchmark `name`, re-running itself in the release profile when asked.
pub(crate) fn run(name: &str, release: bool) -> anyhow::Result<()> {
    if release && cfg!(debug_assertions) {
        let status = Command::new(cargo())
            .args([
                "run",
                "--quiet",
                "--release",
                "--package",
                "xtask",
                "--",
                "bench",
                name,
            ])
            .status()
            .context("cannot run cargo")?;
        if !status.success() {
            bail!("the release run failed ({status})");
        }
        return Ok(());
    }
    let figures = match name {
        "compare" => compare()?,
        "sandbox" => sandbox::sandbox()?,
        "evaluate" => evaluate::evaluate()?,
        "corpus" => corpus::corpus()?,
        other => bail!("unknown benchmark `{other}`; known: compare, sandbox, evaluate, corpus"),
    };
    let directory = bench_directory();
    std::fs::create_dir_all(&directory)
        .with_context(|| format!("cannot create `{}`", directory.display()))?;
    let path = directory.join(format!("{name}.json"));
    let mut text = serde_json::to_string_pretty(&figures)?;
    text.push('\n');
    std::fs::write(&path, text).with_context(|| format!("cannot write `{}`", path.display()))?;
    print_table(name, &figures);
    #[expect(clippy::print_stdout, reason = "the benchmark's report")]
    {
        println!("wrote {}", path.display());
    }
    Ok(())
}

/// `target/bench` of this workspace (or of `CARGO_TARGET_DIR`).
fn bench_directory() -> PathBuf {
    crate::target_directory().join("bench")
}

/// The build profile this binary was built with.
fn profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}

/// Compares two 1,000,000-row results: the same rows shuffled, with the columns
/// reordered and renamed, and numbers perturbed within tolerance (equal); then the
/// same with one changed cell (unequal). Each is timed [`RUNS`] times and the median
/// reported, since single timings on a shared 2-core machine vary by a third.
fn compare() -> anyhow::Result<serde_json::Value> {
    const ROWS: usize = 1_000_000;
    let expected = table(ROWS);
    let mut actual = shuffled(&expected);
    let options = ComparisonOptions::default();
    let equal = timed(|| compare_results(&expected, &actual, &options));
    if let Some(comparison) = equal.1.iter().find(|comparison| !comparison.equal) {
        bail!(
            "the shuffled copy compared unequal: {}",
            comparison.explain()
        );
    }
    // Change one amount (column 0 of the shuffled copy) far outside tolerance.
    actual.rows[ROWS / 2][0] = Cell::Decimal("-1.00".to_owned());
    let unequal = timed(|| compare_results(&expected, &actual, &options));
    if unequal.1.iter().any(|comparison| comparison.equal) {
        bail!("a changed cell compared equal");
    }
    Ok(json!({
        "name": "compare",
        "profile": profile(),
        "rows": ROWS,
        "columns": expected.columns.len(),
        "runs": RUNS,
        "seconds": median(&equal.0),
        "seconds_min": round(equal.0.iter().copied().fold(f64::INFINITY, f64::min)),
        "seconds_max": round(equal.0.iter().copied().fold(0.0, f64::max)),
        "seconds_one_cell_changed": median(&unequal.0),
        "target_seconds": if cfg!(debug_assertions) { 5.0 } else { 1.0 },
    }))
}

/// How many times each benchmark case runs.
const RUNS: usize = 5;

/// Runs `work` [`RUNS`] times; returns each run's seconds and result.
fn timed<T>(mut work: impl FnMut() -> T) -> (Vec<f64>, Vec<T>) {
    (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            let result = work();
            (started.elapsed().as_secs_f64(), result)
        })
        .unzip()
}

/// The median of `seconds`, rounded to milliseconds.
fn median(seconds: &[f64]) -> f64 {
    let mut sorted = seconds.to_vec();
    sorted.sort_by(f64::total_cmp);
    round(sorted[sorted.len() / 2])
}

fn round(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}

/// A deterministic sales-like table: id, region, amount, day, active.
fn table(rows: usize) -> ResultSet {
    const REGIONS: [&str; 5] = ["AMER", "EMEA", "APJ", "LATAM", "ANZ"];
    let columns = vec![
        column("order_id", ColumnType::Long),
        column("region", ColumnType::String),
        column(
            "amount",
            ColumnType::Decimal {
                precision: 12,
                scale: 2,
            },
        ),
        column("order_date", ColumnType::Date),
        column("active", ColumnType::Boolean),
    ];
    let rows = (0..rows)
        .map(|i| {
            let i = i as u64;
            vec![
                Cell::Integer(i64::try_from(i).expect("row counts fit in i64")),
                Cell::String(REGIONS[(i % 5) as usize].to_owned()),
                Cell::Decimal(format!("{}.{:02}", (i * 7919) % 100_000, i % 100)),
                Cell::Date(format!("2025-{:02}-{:02}", i % 12 + 1, i % 28 + 1)),
                Cell::Boolean(i.is_multiple_of(3)),
            ]
        })
        .collect();
    ResultSet {
        columns,
        rows,
        truncated: false,
    }
}

fn column(name: &str, column_type: ColumnType) -> Column {
    Column {
        name: name.to_owned(),
        column_type,
    }
}

/// The same table with rows shuffled (a fixed LCG), columns reversed and renamed, and
/// amounts as floats nudged by one part in 10^9.
fn shuffled(table: &ResultSet) -> ResultSet {
    let mut order: Vec<usize> = (0..table.rows.len()).collect();
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    for i in (1..order.len()).rev() {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        let j = usize::try_from((state >> 33) % (i as u64 + 1)).expect("index fits");
        order.swap(i, j);
    }
    let columns = table
        .columns
        .iter()
        .rev()
        .map(|c| column(&format!("genie_{}", c.name), c.column_type.clone()))
        .collect();
    let rows = order
        .into_iter()
        .map(|i| {
            table.rows[i]
                .iter()
                .rev()
                .map(|cell| match cell {
                    Cell::Decimal(text) => {
                        let value: f64 = text.parse().expect("generated decimals parse");
                        Cell::Float(value * (1.0 + 1e-9))
                    }
                    other => other.clone(),
                })
                .collect()
        })
        .collect();
    ResultSet {
        columns,
        rows,
        truncated: false,
    }
}

/// Prints the figures as a two-column table; a list of objects (e.g. one per level)
/// follows as a table of its own, a column per key.
fn print_table(name: &str, figures: &serde_json::Value) {
    let Some(object) = figures.as_object() else {
        return;
    };
    let width = object.keys().map(String::len).max().unwrap_or(0);
    let mut text = format!("bench {name}\n{:-<w$}\n", "", w = width + 20);
    let mut lists = Vec::new();
    for (key, value) in object {
        match value.as_array() {
            Some(rows) if rows.iter().all(serde_json::Value::is_object) => lists.push((key, rows)),
            _ => writeln!(text, "{key:<width$}  {value}").expect("writing to a String cannot fail"),
        }
    }
    for (key, rows) in lists {
        let columns: Vec<&String> = rows
            .first()
            .and_then(serde_json::Value::as_object)
            .map(|row| row.keys().collect())
            .unwrap_or_default();
        writeln!(text, "\n{key}").expect("writing to a String cannot fail");
        let header: Vec<String> = columns
            .iter()
            .map(|column| format!("{column:>22}"))
            .collect();
        writeln!(text, "{}", header.join("")).expect("writing to a String cannot fail");
        for row in rows {
            let cells: Vec<String> = columns
                .iter()
                .map(|column| format!("{:>22}", row[column.as_str()].to_string()))
                .collect();
            writeln!(text, "{}", cells.join("")).expect("writing to a String cannot fail");
        }
    }
    #[expect(clippy::print_stdout, reason = "the benchmark's report")]
    {
        print!("{text}");
    }
}
