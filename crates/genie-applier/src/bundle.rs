//! Bundle files (dual persistence): what each change writes where, the atomic writes,
//! their undo, and the verification by the bundle's diff.
//!
//! - The space export (`SpaceExport`) is the config as pretty JSON. An existing file's
//!   indentation and final newline are kept, and a file that already holds the config
//!   (in any formatting) is left untouched.
//! - A metric view's file holds its YAML definition; a function's file its `CREATE OR
//!   REPLACE FUNCTION` statement.
//! - A table's Unity Catalog file (`UcMetadata`) holds its comment, tags, properties and
//!   column comments and tags as they are after the change, and under `statements` the
//!   DDL that was emitted but not run, for review and deployment. An existing file is
//!   read as YAML and only those keys change (YAML comments in it are not kept).

use std::collections::BTreeMap;

use genie_core::catalog::CatalogSnapshot;
use genie_core::error::PortErrorKind;
use genie_core::patch::{AppliedPatch, PatchEffect, PatchOp, UcObject, UcWrite};
use genie_core::ports::{BundleFile, BundleLayout, BundleRepo};
use genie_core::space::SpaceConfig;
use genie_core::workers::{BundleFileChange, BundleVerification, BundleWrite};
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::error::ApplierError;

/// The files a set (or an export) changes, with their content before and after; files
/// whose content would not change are left out.
pub(crate) async fn plan(
    repo: &dyn BundleRepo,
    layout: &BundleLayout,
    domain: &str,
    export: Option<&SpaceConfig>,
    applied: &[AppliedPatch],
    catalog: &CatalogSnapshot,
) -> Result<Vec<BundleFileChange>, ApplierError> {
    let mut files: BTreeMap<String, Planned> = BTreeMap::new();
    if let Some(config) = export {
        let file = BundleFile::SpaceExport;
        let (path, before) = current(repo, layout, domain, &file).await?;
        let after = export_text(config, before.as_deref());
        files.insert(
            path,
            Planned {
                file,
                before,
                content: Content::Text(after),
            },
        );
    }
    for applied in applied {
        let PatchEffect::UnityCatalog {
            bundle_file, ddl, ..
        } = &applied.change.effect
        else {
            continue;
        };
        let path = layout
            .path(domain, bundle_file)
            .map_err(|error| ApplierError::Bundle {
                path: format!("{bundle_file:?}"),
                message: error.to_string(),
            })?;
        if !files.contains_key(&path) {
            let (_, before) = current(repo, layout, domain, bundle_file).await?;
            let content = match bundle_file {
                BundleFile::UcMetadata { .. } => Content::Yaml(metadata_start(
                    &path,
                    before.as_deref(),
                    &applied.patch.op,
                    catalog,
                )?),
                _ => Content::Text(String::new()),
            };
            files.insert(
                path.clone(),
                Planned {
                    file: bundle_file.clone(),
                    before,
                    content,
                },
            );
        }
        let planned = files.get_mut(&path).expect("inserted above");
        let emitted = matches!(applied.uc_write, Some(UcWrite::Emitted { .. }));
        match (&mut planned.content, &applied.patch.op) {
            (Content::Yaml(document), op) => {
                apply_metadata(document, op);
                if emitted {
                    push_statement(document, &ddl.forward);
                }
            }
            (Content::Text(text), PatchOp::CreateMetricView { value, .. }) => {
                *text = with_newline(value);
            }
            (Content::Text(text), _) => *text = with_newline(&ddl.forward),
        }
    }
    let mut changes = Vec::new();
    for (path, planned) in files {
        let after =
            match planned.content {
                Content::Text(text) => text,
                Content::Yaml(document) => serde_saphyr::to_string(&Value::Object(document))
                    .map_err(|error| ApplierError::Bundle {
                        path: path.clone(),
                        message: format!("cannot write YAML: {error}"),
                    })?,
            };
        if planned.before.as_deref() != Some(after.as_str()) {
            changes.push(BundleFileChange {
                path,
                file: planned.file,
                before: planned.before,
                after,
            });
        }
    }
    Ok(changes)
}

struct Planned {
    file: BundleFile,
    before: Option<String>,
    content: Content,
}

enum Content {
    Text(String),
    Yaml(Map<String, Value>),
}

async fn current(
    repo: &dyn BundleRepo,
    layout: &BundleLayout,
    domain: &str,
    file: &BundleFile,
) -> Result<(String, Option<String>), ApplierError> {
    let path = layout
        .path(domain, file)
        .map_err(|error| ApplierError::Bundle {
            path: format!("{file:?}"),
            message: error.to_string(),
        })?;
    let bytes = repo
        .read(&path)
        .await
        .map_err(|error| ApplierError::Bundle {
            path: path.clone(),
            message: format!("cannot read: {error}"),
        })?;
    let text = bytes
        .map(|bytes| {
            String::from_utf8(bytes).map_err(|_| ApplierError::Bundle {
                path: path.clone(),
                message: "is not UTF-8 text".to_owned(),
            })
        })
        .transpose()?;
    Ok((path, text))
}

/// The export file's text for `config`, formatted like `prior` (its indentation and
/// final newline); `prior` itself when it already holds `config`.
pub(crate) fn export_text(config: &SpaceConfig, prior: Option<&str>) -> String {
    if let Some(prior) = prior
        && let Ok(existing) = SpaceConfig::from_json(prior)
        && existing.content_hash() == config.content_hash()
    {
        return prior.to_owned();
    }
    let indent = prior
        .and_then(indentation)
        .unwrap_or_else(|| "  ".to_owned());
    let value = serde_json::to_value(config.clone().canonicalized())
        .expect("space configs serialize to JSON");
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes());
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    value
        .serialize(&mut serializer)
        .expect("a JSON value always serializes");
    let mut text = String::from_utf8(out).expect("serde_json writes UTF-8");
    if prior.is_none_or(|prior| prior.ends_with('\n')) {
        text.push('\n');
    }
    text
}

/// The indentation unit of a pretty-printed JSON text: its first indented line's.
fn indentation(text: &str) -> Option<String> {
    text.lines()
        .skip(1)
        .map(|line| {
            line.chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect::<String>()
        })
        .find(|indent| !indent.is_empty())
}

fn with_newline(text: &str) -> String {
    let mut text = text.trim_end().to_owned();
    text.push('\n');
    text
}

/// The UC metadata document to start from: the file's, or the table's state in the
/// snapshot.
fn metadata_start(
    path: &str,
    before: Option<&str>,
    op: &PatchOp,
    catalog: &CatalogSnapshot,
) -> Result<Map<String, Value>, ApplierError> {
    if let Some(text) = before {
        return match serde_saphyr::from_str::<Value>(text) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(ApplierError::Bundle {
                path: path.to_owned(),
                message: "is not a YAML mapping".to_owned(),
            }),
            Err(error) => Err(ApplierError::Bundle {
                path: path.to_owned(),
                message: format!("is not YAML: {error}"),
            }),
        };
    }
    let identifier = table_of(op).unwrap_or_default();
    let mut document = Map::new();
    document.insert("table".to_owned(), json!(identifier));
    if let Some(table) = catalog.table(&identifier) {
        if let Some(comment) = &table.comment {
            document.insert("comment".to_owned(), json!(comment));
        }
        if !table.tags.is_empty() {
            document.insert("tags".to_owned(), json!(table.tags));
        }
        if let Some(properties) = table.properties.as_ref().filter(|p| !p.is_empty()) {
            document.insert("properties".to_owned(), json!(properties));
        }
        let mut columns = Map::new();
        for column in &table.columns {
            let mut entry = Map::new();
            if let Some(comment) = &column.comment {
                entry.insert("comment".to_owned(), json!(comment));
            }
            if !column.tags.is_empty() {
                entry.insert("tags".to_owned(), json!(column.tags));
            }
            if !entry.is_empty() {
                columns.insert(column.name.clone(), Value::Object(entry));
            }
        }
        if !columns.is_empty() {
            document.insert("columns".to_owned(), Value::Object(columns));
        }
    }
    Ok(document)
}

fn table_of(op: &PatchOp) -> Option<String> {
    match op {
        PatchOp::SetUcComment { target, .. } | PatchOp::SetUcTag { target, .. } => {
            Some(match target {
                UcObject::Table { identifier } => identifier.clone(),
                UcObject::Column { table, .. } => table.clone(),
            })
        }
        PatchOp::SetTableProperty { target, .. } => Some(target.clone()),
        _ => None,
    }
}

/// Sets what `op` changes in a UC metadata document.
fn apply_metadata(document: &mut Map<String, Value>, op: &PatchOp) {
    match op {
        PatchOp::SetUcComment { target, value } => {
            target_map(document, target).insert("comment".to_owned(), json!(value));
        }
        PatchOp::SetUcTag { target, key, value } => {
            entry_map(target_map(document, target), "tags").insert(key.clone(), json!(value));
        }
        PatchOp::SetTableProperty { key, value, .. } => {
            entry_map(document, "properties").insert(key.clone(), json!(value));
        }
        _ => {}
    }
}

fn target_map<'a>(
    document: &'a mut Map<String, Value>,
    target: &UcObject,
) -> &'a mut Map<String, Value> {
    match target {
        UcObject::Table { .. } => document,
        UcObject::Column { column, .. } => entry_map(entry_map(document, "columns"), column),
    }
}

/// The mapping under `key`, made (or replacing a non-mapping) when needed.
fn entry_map<'a>(map: &'a mut Map<String, Value>, key: &str) -> &'a mut Map<String, Value> {
    let entry = map
        .entry(key.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if !entry.is_object() {
        *entry = Value::Object(Map::new());
    }
    entry.as_object_mut().expect("made a mapping above")
}

fn push_statement(document: &mut Map<String, Value>, statement: &str) {
    let entry = document
        .entry("statements".to_owned())
        .or_insert_with(|| Value::Array(Vec::new()));
    if !entry.is_array() {
        *entry = Value::Array(Vec::new());
    }
    let list = entry.as_array_mut().expect("made a list above");
    if !list.iter().any(|known| known.as_str() == Some(statement)) {
        list.push(json!(statement));
    }
}

/// Writes `files` in order; on a failure, the number written before it and the error.
pub(crate) async fn write(
    repo: &dyn BundleRepo,
    files: &[BundleFileChange],
) -> Result<(), (usize, ApplierError)> {
    for (index, file) in files.iter().enumerate() {
        repo.write(&file.path, file.after.as_bytes())
            .await
            .map_err(|error| {
                (
                    index,
                    ApplierError::Bundle {
                        path: file.path.clone(),
                        message: format!("cannot write: {error}"),
                    },
                )
            })?;
        tracing::debug!(path = file.path, "bundle file written");
    }
    Ok(())
}

/// Puts every file back as it was before `files` were written (last first): the
/// content before, or no file. A file that holds neither its content before nor
/// after was changed by someone else since, and is left alone and reported.
pub(crate) async fn restore(
    repo: &dyn BundleRepo,
    files: &[BundleFileChange],
) -> Result<(), ApplierError> {
    for file in files.iter().rev() {
        let now = repo
            .read(&file.path)
            .await
            .map_err(|error| ApplierError::Bundle {
                path: file.path.clone(),
                message: format!("cannot read: {error}"),
            })?;
        let now = now.map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
        if now == file.before {
            continue;
        }
        if now.as_deref() != Some(file.after.as_str()) {
            return Err(ApplierError::Bundle {
                path: file.path.clone(),
                message: "changed by someone else since it was written; restore it by hand"
                    .to_owned(),
            });
        }
        let result = match &file.before {
            Some(before) => repo.write(&file.path, before.as_bytes()).await,
            None => repo.remove(&file.path).await,
        };
        result.map_err(|error| ApplierError::Bundle {
            path: file.path.clone(),
            message: format!("cannot restore: {error}"),
        })?;
        tracing::debug!(path = file.path, "bundle file restored");
    }
    Ok(())
}

/// Checks the written files: each reads back as written, and each shows in the
/// bundle's diff since its last commit — or showed in it before the write (`diff_before`)
/// and now holds its committed content again. Outside git the result says so.
pub(crate) async fn verify(
    repo: &dyn BundleRepo,
    files: Vec<BundleFileChange>,
    diff_before: Option<&str>,
) -> Result<BundleWrite, ApplierError> {
    for file in &files {
        let now = repo
            .read(&file.path)
            .await
            .map_err(|error| ApplierError::Bundle {
                path: file.path.clone(),
                message: format!("cannot read back: {error}"),
            })?;
        if now.as_deref() != Some(file.after.as_bytes()) {
            return Err(ApplierError::Bundle {
                path: file.path.clone(),
                message: "does not read back as written".to_owned(),
            });
        }
    }
    let (diff, verification) = match repo.diff().await {
        Ok(diff) => {
            // A file missing from the diff must have been in it before the write: the
            // write brought it back to its committed content.
            if let Some(missing) = files.iter().find(|file| {
                !diff_shows(&diff, &file.path)
                    && !diff_before.is_some_and(|before| diff_shows(before, &file.path))
            }) {
                return Err(ApplierError::Bundle {
                    path: missing.path.clone(),
                    message: "was written but the bundle's `git diff` does not show it".to_owned(),
                });
            }
            (diff, BundleVerification::Verified)
        }
        Err(error) if error.kind == PortErrorKind::NotFound => {
            tracing::warn!(reason = error.message, "bundle written but not verified");
            (
                String::new(),
                BundleVerification::Unverified {
                    reason: error.message,
                },
            )
        }
        Err(error) => {
            return Err(ApplierError::Bundle {
                path: ".".to_owned(),
                message: format!("cannot diff the bundle: {error}"),
            });
        }
    };
    Ok(BundleWrite {
        files,
        diff,
        verification,
    })
}

/// The bundle's diff before a write, when it has one (what verification compares with).
pub(crate) async fn diff_before(repo: &dyn BundleRepo) -> Option<String> {
    repo.diff().await.ok()
}

/// Whether a unified diff has a section for `path`.
fn diff_shows(diff: &str, path: &str) -> bool {
    diff.lines()
        .any(|line| line.starts_with("diff --git ") && line.ends_with(&format!(" b/{path}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_keep_the_existing_indentation_and_content() {
        let config: SpaceConfig = serde_json::from_value(
            json!({"version": 2, "data_sources": {"tables": [{"identifier": "main.s.t"}]}}),
        )
        .unwrap();
        let fresh = export_text(&config, None);
        assert!(fresh.starts_with("{\n  \"data_sources\""), "{fresh}");
        assert!(fresh.ends_with("}\n"));
        let four = "{\n    \"version\": 2\n}";
        let text = export_text(&config, Some(four));
        assert!(text.starts_with("{\n    \"data_sources\""), "{text}");
        assert!(!text.ends_with('\n'), "no final newline, as before");
        let odd = "{\"version\":2,\n\"data_sources\":{\"tables\":[{\"identifier\":\"main.s.t\"}]}}";
        assert_eq!(
            export_text(&config, Some(odd)),
            odd,
            "same config: the file is left as it is"
        );
    }

    #[test]
    fn diffs_show_paths_by_their_header() {
        let diff = "diff --git a/src/genie/r.json b/src/genie/r.json\n--- a/src/genie/r.json\n";
        assert!(diff_shows(diff, "src/genie/r.json"));
        assert!(!diff_shows(diff, "genie/r.json"));
    }

    #[tokio::test]
    async fn a_tables_metadata_file_keeps_its_other_keys_and_gathers_emitted_statements() {
        use genie_core::catalog::CatalogSnapshot;
        use genie_core::patch::{Patch, PatchSet, Risk, apply_patch_set};
        use genie_core::space::TableConfig;

        let root = std::env::temp_dir().join(format!("genie-applier-unit-{}", std::process::id()));
        let repo = crate::FileBundleRepo::new(&root);
        let path = "gold_layer_design/yaml/retail/orders.yaml";
        repo.write(
            path,
            b"table: main.s.orders\nowner: data-eng\nstatements:\n- SELECT 1\n",
        )
        .await
        .unwrap();
        let mut config = SpaceConfig::default();
        config.tables_mut().push(TableConfig::new("main.s.orders"));
        let catalog: CatalogSnapshot = serde_json::from_value(json!({
            "schemas": ["main.s"],
            "tables": {"main.s.orders": {"identifier": "main.s.orders", "table_type": "MANAGED",
                "comment": null, "columns": [], "tags": {}, "properties": null, "view_definition": null}},
            "routines": {}, "unavailable": []
        }))
        .unwrap();
        let op = PatchOp::SetUcComment {
            target: UcObject::Table {
                identifier: "main.s.orders".to_owned(),
            },
            value: "Orders".to_owned(),
        };
        let patch = Patch {
            lever: op.natural_lever(),
            op,
            risk: Risk::Low,
            rationale: String::new(),
            fixes: Vec::new(),
            cluster: None,
        };
        let set = PatchSet {
            lever: patch.lever,
            patches: vec![patch.clone()],
        };
        let change = apply_patch_set(&config, &catalog, &set, 1)
            .unwrap()
            .changes
            .remove(0);
        let applied = AppliedPatch {
            patch,
            change,
            uc_write: Some(UcWrite::Emitted {
                path: path.to_owned(),
            }),
        };
        let files = plan(
            &repo,
            &BundleLayout::default(),
            "retail",
            None,
            &[applied],
            &catalog,
        )
        .await
        .unwrap();
        let _ = std::fs::remove_dir_all(&root);
        assert_eq!(files.len(), 1);
        let written: Value = serde_saphyr::from_str(&files[0].after).unwrap();
        assert_eq!(
            written,
            json!({
                "table": "main.s.orders",
                "owner": "data-eng",
                "comment": "Orders",
                "statements": ["SELECT 1", "COMMENT ON TABLE `main`.`s`.`orders` IS 'Orders'"]
            })
        );
        assert_eq!(
            files[0].before.as_deref(),
            Some("table: main.s.orders\nowner: data-eng\nstatements:\n- SELECT 1\n")
        );
    }
}
