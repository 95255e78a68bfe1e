//! The bundle's layout: which file each kind of change is persisted to.
//!
//! A bundle is the (usually git-tracked) Databricks Asset Bundle a team deploys its
//! Genie space and semantic layer from. Every change a run keeps is written there, so
//! it can be reviewed and deployed like code; a Unity Catalog change that was not run
//! live is *only* written there. [`BundleFile`] says what a file holds,
//! [`BundleLayout`] where it lives.

use serde::{Deserialize, Serialize};

/// One file of the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "file", rename_all = "snake_case")]
pub enum BundleFile {
    /// The space's export (its serialized config) as JSON.
    SpaceExport,
    /// A metric view's YAML definition.
    MetricView {
        /// The view's name (the last part of its identifier).
        name: String,
    },
    /// A table-valued function's `CREATE OR REPLACE FUNCTION` statement.
    TableFunction {
        /// The function's name (the last part of its identifier).
        name: String,
    },
    /// A table's Unity Catalog comments, tags and properties as YAML.
    UcMetadata {
        /// The table's name (the last part of its identifier).
        table: String,
    },
}

/// Where each [`BundleFile`] lives, relative to the bundle root: path templates with
/// `{domain}`, `{name}` (metric views, functions) and `{table}` (UC metadata).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BundleLayout {
    /// Default `src/genie/{domain}_genie_export.json`.
    pub space_export: String,
    /// Default `src/semantic/metric_views/{name}.yaml`.
    pub metric_views: String,
    /// Default `src/semantic/tvfs/{name}.sql`.
    pub table_functions: String,
    /// Default `gold_layer_design/yaml/{domain}/{table}.yaml`.
    pub uc_metadata: String,
}

impl Default for BundleLayout {
    fn default() -> Self {
        Self {
            space_export: "src/genie/{domain}_genie_export.json".to_owned(),
            metric_views: "src/semantic/metric_views/{name}.yaml".to_owned(),
            table_functions: "src/semantic/tvfs/{name}.sql".to_owned(),
            uc_metadata: "gold_layer_design/yaml/{domain}/{table}.yaml".to_owned(),
        }
    }
}

/// Why a bundle path could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BundlePathError {
    /// A value put into a template is not a plain file-name part.
    #[error(
        "`{value}` cannot be part of a bundle path: use letters, digits, `_`, `-` and `.`, \
         not starting with `.`"
    )]
    BadValue {
        /// The value.
        value: String,
    },
    /// A template makes a path that is absolute, climbs out of the bundle, or keeps a
    /// placeholder.
    #[error(
        "bundle path template `{template}` gives `{path}`, which is not a relative path inside the bundle"
    )]
    BadTemplate {
        /// The template.
        template: String,
        /// What it gave.
        path: String,
    },
}

impl BundleLayout {
    /// The path of `file` for `domain`.
    pub fn path(&self, domain: &str, file: &BundleFile) -> Result<String, BundlePathError> {
        let (template, values): (&str, Vec<(&str, &str)>) = match file {
            BundleFile::SpaceExport => (&self.space_export, vec![("{domain}", domain)]),
            BundleFile::MetricView { name } => (
                &self.metric_views,
                vec![("{domain}", domain), ("{name}", name)],
            ),
            BundleFile::TableFunction { name } => (
                &self.table_functions,
                vec![("{domain}", domain), ("{name}", name)],
            ),
            BundleFile::UcMetadata { table } => (
                &self.uc_metadata,
                vec![("{domain}", domain), ("{table}", table)],
            ),
        };
        let mut path = template.to_owned();
        for (placeholder, value) in values {
            if !path.contains(placeholder) {
                continue;
            }
            if !is_plain_part(value) {
                return Err(BundlePathError::BadValue {
                    value: value.to_owned(),
                });
            }
            path = path.replace(placeholder, value);
        }
        let inside = !path.is_empty()
            && !path.starts_with('/')
            && !path.contains(['{', '}', '\\'])
            && path
                .split('/')
                .all(|segment| !segment.is_empty() && segment != "." && segment != "..");
        if !inside {
            return Err(BundlePathError::BadTemplate {
                template: template.to_owned(),
                path,
            });
        }
        Ok(path)
    }
}

fn is_plain_part(value: &str) -> bool {
    !value.is_empty()
        && !value.starts_with('.')
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    use async_trait::async_trait;

    use super::*;
    use crate::error::{PortError, PortErrorKind};
    use crate::ports::BundleRepo;
    use crate::testing::ready;

    /// A bundle in memory.
    #[derive(Default)]
    struct Memory(Mutex<BTreeMap<String, Vec<u8>>>);

    #[async_trait]
    impl BundleRepo for Memory {
        async fn read(&self, path: &str) -> Result<Option<Vec<u8>>, PortError> {
            Ok(self.0.lock().unwrap().get(path).cloned())
        }

        async fn write(&self, path: &str, content: &[u8]) -> Result<(), PortError> {
            self.0
                .lock()
                .unwrap()
                .insert(path.to_owned(), content.to_vec());
            Ok(())
        }

        async fn remove(&self, path: &str) -> Result<(), PortError> {
            self.0.lock().unwrap().remove(path);
            Ok(())
        }

        async fn diff(&self) -> Result<String, PortError> {
            Ok(String::new())
        }
    }

    #[test]
    fn typed_files_go_where_the_layout_says() {
        let repo = Memory::default();
        let layout = BundleLayout::default();
        let file = BundleFile::TableFunction {
            name: "top_customers".into(),
        };
        let path = ready(repo.write_file(&layout, "retail", &file, b"CREATE ...")).unwrap();
        assert_eq!(path, "src/semantic/tvfs/top_customers.sql");
        assert_eq!(
            ready(repo.read_file(&layout, "retail", &file)).unwrap(),
            Some(b"CREATE ...".to_vec())
        );
        let error = ready(repo.write_file(
            &layout,
            "retail",
            &BundleFile::MetricView {
                name: "../x".into(),
            },
            b"",
        ))
        .unwrap_err();
        assert_eq!(error.kind, PortErrorKind::InvalidRequest);
        assert_eq!(
            repo.0.lock().unwrap().len(),
            1,
            "nothing written for a bad path"
        );
    }

    #[test]
    fn default_paths() {
        let layout = BundleLayout::default();
        let path = |file| layout.path("retail", &file).unwrap();
        assert_eq!(
            path(BundleFile::SpaceExport),
            "src/genie/retail_genie_export.json"
        );
        assert_eq!(
            path(BundleFile::MetricView {
                name: "revenue".into()
            }),
            "src/semantic/metric_views/revenue.yaml"
        );
        assert_eq!(
            path(BundleFile::TableFunction {
                name: "top_customers".into()
            }),
            "src/semantic/tvfs/top_customers.sql"
        );
        assert_eq!(
            path(BundleFile::UcMetadata {
                table: "orders".into()
            }),
            "gold_layer_design/yaml/retail/orders.yaml"
        );
    }

    #[test]
    fn layouts_are_configurable_and_checked() {
        let layout: BundleLayout = serde_json::from_value(
            serde_json::json!({"metric_views": "semantic/{domain}/{name}.yml"}),
        )
        .unwrap();
        assert_eq!(
            layout
                .path("retail", &BundleFile::MetricView { name: "mv".into() })
                .unwrap(),
            "semantic/retail/mv.yml"
        );
        assert_eq!(layout.uc_metadata, BundleLayout::default().uc_metadata);
        assert!(matches!(
            layout.path("../etc", &BundleFile::SpaceExport),
            Err(BundlePathError::BadValue { .. })
        ));
        let escaping = BundleLayout {
            space_export: "../{domain}.json".into(),
            ..BundleLayout::default()
        };
        assert!(matches!(
            escaping.path("retail", &BundleFile::SpaceExport),
            Err(BundlePathError::BadTemplate { .. })
        ));
        let unknown = BundleLayout {
            space_export: "/abs/{domain}.json".into(),
            ..BundleLayout::default()
        };
        assert!(unknown.path("retail", &BundleFile::SpaceExport).is_err());
        assert!(serde_json::from_value::<BundleLayout>(serde_json::json!({"tvfs": "x"})).is_err());
    }
}
