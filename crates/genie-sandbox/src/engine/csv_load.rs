//! CSV files of a fixture (`COPY INTO t FROM 'file.csv' FILEFORMAT = CSV
//! FORMAT_OPTIONS ('header' = 'true')` in `schema.sql`), read into one record batch
//! typed by the table's declared columns.
//!
//! The header row is required and maps fields to columns by name (any case, any
//! order; a column the file lacks is NULL). Fields are separated by `,` (or the `sep` /
//! `delimiter` option) and may be quoted with `"` (a doubled `""` inside is one quote;
//! quoted fields may span lines). An unquoted empty field is NULL; a quoted empty one is
//! an empty string (NULL for other types). `DATE` and `TIMESTAMP` are ISO
//! (`2024-01-05`, `2024-01-05 10:00:00` or `2024-01-05T10:00:00`); `BOOLEAN` is
//! `true`/`false`.

use std::path::{Path, PathBuf};

use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::record_batch::RecordBatch;

use super::typed_rows::typed_batch;

/// Why a CSV file could not be loaded; each names the file (and the line).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CsvError {
    /// The file could not be read.
    #[error("cannot read `{path}`: {message}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// A `FORMAT_OPTIONS` entry is missing or not supported.
    #[error("`{path}`: {message}")]
    Options {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A line of the file is malformed or holds a value of the wrong type.
    #[error("`{path}` line {line}: {message}")]
    Row {
        /// The file.
        path: PathBuf,
        /// The 1-based line the record starts on (the header is line 1).
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// A record of the file: the line it starts on and its fields.
type Record = (usize, Vec<CsvField>);

/// One field as read: its text and whether it was quoted.
struct CsvField {
    text: String,
    quoted: bool,
}

/// Reads `path` into a batch of `columns`, with `options` from `FORMAT_OPTIONS`.
pub(crate) fn read_csv(
    path: &Path,
    columns: &[(String, DataType)],
    options: &[(String, String)],
) -> Result<RecordBatch, CsvError> {
    let options_error = |message: String| CsvError::Options {
        path: path.to_owned(),
        message,
    };
    let mut header = false;
    let mut separator = ',';
    for (key, value) in options {
        match key.to_lowercase().as_str() {
            "header" => header = value.eq_ignore_ascii_case("true"),
            "sep" | "delimiter" => {
                let mut characters = value.chars();
                separator = match (characters.next(), characters.next()) {
                    (Some(character), None) => character,
                    _ => {
                        return Err(options_error(format!(
                            "`{key}` must be one character, not `{value}`"
                        )));
                    }
                };
            }
            other => {
                return Err(options_error(format!(
                    "format option `{other}` is not supported (header, sep, delimiter)"
                )));
            }
        }
    }
    if !header {
        return Err(options_error(
            "a header row is required: FORMAT_OPTIONS ('header' = 'true')".to_owned(),
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|error| CsvError::Read {
        path: path.to_owned(),
        message: error.to_string(),
    })?;
    let row_error = |line: usize, message: String| CsvError::Row {
        path: path.to_owned(),
        line,
        message,
    };
    let mut records =
        records(&text, separator).map_err(|(line, message)| row_error(line, message))?;
    if records.is_empty() {
        return Err(row_error(1, "the header row is missing".to_owned()));
    }
    let (_, names) = records.remove(0);
    // For each table column, the index of its field in a record.
    let mut sources: Vec<Option<usize>> = vec![None; columns.len()];
    for (index, name) in names.iter().enumerate() {
        let wanted = name.text.trim().to_lowercase();
        let Some(column) = columns.iter().position(|(column, _)| *column == wanted) else {
            let known: Vec<&str> = columns.iter().map(|(column, _)| column.as_str()).collect();
            return Err(row_error(
                1,
                format!(
                    "header names `{wanted}`, which is not a column of the table ({})",
                    known.join(", ")
                ),
            ));
        };
        if sources[column].replace(index).is_some() {
            return Err(row_error(1, format!("header names `{wanted}` twice")));
        }
    }
    for (line, fields) in &records {
        if fields.len() != names.len() {
            return Err(row_error(
                *line,
                format!(
                    "expected {} fields (as in the header), found {}",
                    names.len(),
                    fields.len()
                ),
            ));
        }
    }
    let texts: Vec<Vec<Option<&str>>> = columns
        .iter()
        .zip(&sources)
        .map(|((_, data_type), source)| {
            let is_text = matches!(data_type, DataType::Utf8);
            records
                .iter()
                .map(|(_, fields)| {
                    let field = &fields[(*source)?];
                    let empty_is_text = is_text && field.quoted;
                    (empty_is_text || !field.text.is_empty()).then_some(field.text.as_str())
                })
                .collect()
        })
        .collect();
    typed_batch(columns, texts)
        .map_err(|(row, message)| row_error(records.get(row).map_or(1, |(line, _)| *line), message))
}

/// The file's records, each with the line it starts on; blank lines are skipped.
fn records(text: &str, separator: char) -> Result<Vec<Record>, (usize, String)> {
    let mut records = Vec::new();
    let mut characters = text.chars().peekable();
    let mut line = 1;
    while characters.peek().is_some() {
        let start = line;
        let mut fields = Vec::new();
        let mut field = CsvField {
            text: String::new(),
            quoted: false,
        };
        loop {
            match characters.next() {
                None => {
                    fields.push(field);
                    break;
                }
                Some('"') if field.text.is_empty() && !field.quoted => {
                    field.quoted = true;
                    loop {
                        match characters.next() {
                            None => return Err((start, "a quoted field is not closed".to_owned())),
                            Some('"') if characters.peek() == Some(&'"') => {
                                characters.next();
                                field.text.push('"');
                            }
                            Some('"') => break,
                            Some(character) => {
                                if character == '\n' {
                                    line += 1;
                                }
                                field.text.push(character);
                            }
                        }
                    }
                    match characters.peek() {
                        None | Some('\n' | '\r') => {}
                        Some(&next) if next == separator => {}
                        Some(&next) => {
                            return Err((
                                line,
                                format!("unexpected `{next}` after a quoted field"),
                            ));
                        }
                    }
                }
                Some(character) if character == separator => {
                    fields.push(std::mem::replace(
                        &mut field,
                        CsvField {
                            text: String::new(),
                            quoted: false,
                        },
                    ));
                }
                Some('\r') if characters.peek() == Some(&'\n') => {}
                Some('\n') => {
                    line += 1;
                    fields.push(field);
                    break;
                }
                Some(character) => field.text.push(character),
            }
        }
        let blank = fields.len() == 1 && fields[0].text.is_empty() && !fields[0].quoted;
        if !blank {
            records.push((start, fields));
        }
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use datafusion::arrow::datatypes::TimeUnit;
    use datafusion::arrow::util::display::{ArrayFormatter, FormatOptions};

    use super::*;

    fn columns() -> Vec<(String, DataType)> {
        vec![
            ("id".into(), DataType::Int32),
            ("name".into(), DataType::Utf8),
            ("amount".into(), DataType::Decimal128(10, 2)),
            ("day".into(), DataType::Date32),
            (
                "at".into(),
                DataType::Timestamp(TimeUnit::Microsecond, None),
            ),
            ("ok".into(), DataType::Boolean),
        ]
    }

    fn load(text: &str, options: &[(&str, &str)]) -> Result<RecordBatch, CsvError> {
        // Tests run in parallel: each writes its own file.
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let directory =
            std::env::temp_dir().join(format!("genie-sandbox-csv-{}", std::process::id()));
        std::fs::create_dir_all(&directory).unwrap();
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = directory.join(format!("t{n}.csv"));
        std::fs::write(&path, text).unwrap();
        let options: Vec<(String, String)> = options
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let result = read_csv(&path, &columns(), &options);
        let _ = std::fs::remove_file(&path);
        result
    }

    fn cell(batch: &RecordBatch, column: usize, row: usize) -> String {
        let array = batch.column(column);
        if array.is_null(row) {
            return "NULL".into();
        }
        ArrayFormatter::try_new(array.as_ref(), &FormatOptions::default())
            .unwrap()
            .value(row)
            .to_string()
    }

    #[test]
    fn reads_typed_columns_by_header_name() {
        let batch = load(
            "name,id,amount,day,at,ok\r\n\"Smith, \"\"J\"\"\",1,10.5,2024-01-05,2024-01-05 10:00:00,true\r\n\
             ,2,,,2024-02-01T08:30:00,false\n\"\",3,1,2024-03-01,,\n\n",
            &[("header", "true")],
        )
        .unwrap();
        assert_eq!(batch.num_rows(), 3);
        assert_eq!(cell(&batch, 1, 0), "Smith, \"J\"");
        assert_eq!(cell(&batch, 0, 0), "1");
        assert_eq!(cell(&batch, 2, 0), "10.50");
        assert_eq!(cell(&batch, 3, 0), "2024-01-05");
        assert_eq!(cell(&batch, 4, 1), "2024-02-01T08:30:00");
        assert_eq!(cell(&batch, 1, 1), "NULL");
        assert_eq!(cell(&batch, 2, 1), "NULL");
        assert_eq!(cell(&batch, 1, 2), "");
        assert_eq!(cell(&batch, 5, 2), "NULL");
        let partial = load("id;name\n7;x\n", &[("header", "true"), ("sep", ";")]).unwrap();
        assert_eq!(cell(&partial, 0, 0), "7");
        assert_eq!(cell(&partial, 2, 0), "NULL");
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let error = load("id,amount\n1,2\n2,abc\n", &[("header", "true")]).unwrap_err();
        let CsvError::Row {
            line,
            message,
            path,
        } = &error
        else {
            panic!("{error}")
        };
        assert_eq!(*line, 3);
        assert_eq!(
            message,
            "column `amount`: `abc` is not a valid DECIMAL(10,2)"
        );
        assert!(error.to_string().contains(&path.display().to_string()));
        let error = load("id,day\n1,2024-13-45\n", &[("header", "true")]).unwrap_err();
        assert!(
            error
                .to_string()
                .ends_with("line 2: column `day`: `2024-13-45` is not a valid DATE"),
            "{error}"
        );
        let error = load("id,nope\n1,2\n", &[("header", "true")]).unwrap_err();
        assert!(
            error.to_string().contains("line 1: header names `nope`"),
            "{error}"
        );
        let error = load("id,name\n1\n", &[("header", "true")]).unwrap_err();
        assert!(
            error.to_string().contains("line 2: expected 2 fields"),
            "{error}"
        );
        let error = load("id,name\n1,\"open\n", &[("header", "true")]).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("line 2: a quoted field is not closed"),
            "{error}"
        );
        let error = load("id\n1\n", &[]).unwrap_err();
        assert!(matches!(error, CsvError::Options { .. }), "{error}");
        let error = load("id\n1\n", &[("header", "true"), ("mode", "x")]).unwrap_err();
        assert!(
            error.to_string().contains("`mode` is not supported"),
            "{error}"
        );
        let error = read_csv(
            Path::new("/nonexistent/x.csv"),
            &columns(),
            &[("header".into(), "true".into())],
        )
        .unwrap_err();
        assert!(matches!(error, CsvError::Read { .. }), "{error}");
    }
}
