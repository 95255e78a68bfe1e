//! Which Unity Catalog metadata to read ([`CatalogScope`]) and the statements that read
//! it ([`CatalogQuery`]).
//!
//! The statements select only columns that both Databricks and the sandbox serve
//! (`information_schema.tables`, `columns`, `table_tags`, `column_tags`, `routines`);
//! what only Databricks serves — function bodies, `parameters`, `routine_columns`,
//! `views` — is read by statements of their own marked optional, so a warehouse without
//! them yields a snapshot that says what it lacks instead of failing.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use super::snapshot::{CatalogSnapshot, object_key};
use crate::patch::{PatchOp, PatchSet, UcObject};
use crate::space::SpaceConfig;

/// One source of catalog metadata: an `information_schema` view of one catalog, or one
/// table's properties.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CatalogSource {
    /// `information_schema.tables`: kind and comment of each table and view.
    Tables {
        /// The catalog.
        catalog: String,
        /// The schemas read, lower case: the snapshot covers them
        /// ([`CatalogSnapshot::covers`]).
        schemas: Vec<String>,
    },
    /// `information_schema.columns`: each column's type and comment.
    Columns {
        /// The catalog.
        catalog: String,
    },
    /// `information_schema.table_tags`.
    TableTags {
        /// The catalog.
        catalog: String,
    },
    /// `information_schema.column_tags`.
    ColumnTags {
        /// The catalog.
        catalog: String,
    },
    /// `information_schema.routines`: each function's kind, return type and comment.
    Routines {
        /// The catalog.
        catalog: String,
    },
    /// `information_schema.routines.routine_definition` (optional: Databricks only).
    RoutineDefinitions {
        /// The catalog.
        catalog: String,
    },
    /// `information_schema.parameters` (optional: Databricks only).
    Parameters {
        /// The catalog.
        catalog: String,
    },
    /// `information_schema.routine_columns`: table functions' result columns
    /// (optional: Databricks only).
    RoutineColumns {
        /// The catalog.
        catalog: String,
    },
    /// `information_schema.views`: view text, a metric view's YAML (optional:
    /// Databricks only).
    Views {
        /// The catalog.
        catalog: String,
    },
    /// `SHOW TBLPROPERTIES` of one table (optional: the table may not exist yet).
    Properties {
        /// The table's lower-case three-part name.
        table: String,
    },
}

impl CatalogSource {
    /// Whether a snapshot can do without this source: then a failure to read it is
    /// recorded in [`CatalogSnapshot::unavailable`] instead of failing the read.
    pub fn is_optional(&self) -> bool {
        !matches!(
            self,
            Self::Tables { .. }
                | Self::Columns { .. }
                | Self::TableTags { .. }
                | Self::ColumnTags { .. }
                | Self::Routines { .. }
        )
    }
}

impl fmt::Display for CatalogSource {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let view = |formatter: &mut fmt::Formatter<'_>, catalog: &str, view: &str| {
            write!(formatter, "`{catalog}.information_schema.{view}`")
        };
        match self {
            Self::Tables { catalog, .. } => view(formatter, catalog, "tables"),
            Self::Columns { catalog } => view(formatter, catalog, "columns"),
            Self::TableTags { catalog } => view(formatter, catalog, "table_tags"),
            Self::ColumnTags { catalog } => view(formatter, catalog, "column_tags"),
            Self::Routines { catalog } => view(formatter, catalog, "routines"),
            Self::RoutineDefinitions { catalog } => {
                view(formatter, catalog, "routines")?;
                formatter.write_str(" definitions")
            }
            Self::Parameters { catalog } => view(formatter, catalog, "parameters"),
            Self::RoutineColumns { catalog } => view(formatter, catalog, "routine_columns"),
            Self::Views { catalog } => view(formatter, catalog, "views"),
            Self::Properties { table } => write!(formatter, "the properties of `{table}`"),
        }
    }
}

/// One statement to run through [`Warehouse::execute`](crate::ports::Warehouse::execute).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogQuery {
    /// What it reads.
    pub source: CatalogSource,
    /// The statement.
    pub sql: String,
}

/// What a snapshot covers: whole schemas (every table, view, metric view and function
/// in them, so the optimizer sees metric views and functions the space does not use
/// yet), and the tables whose properties are read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CatalogScope {
    /// `(catalog, schema)`, lower case.
    schemas: BTreeSet<(String, String)>,
    /// Lower-case three-part names.
    property_tables: BTreeSet<String>,
}

impl CatalogScope {
    /// The schemas of the space's tables, metric views and functions, and the
    /// properties of its tables and metric views.
    pub fn of_space(config: &SpaceConfig) -> Self {
        let mut scope = Self::default();
        for source in config.all_data_sources() {
            scope.include_with_properties(&source.identifier);
        }
        for function in config.sql_functions() {
            scope.include(&function.identifier);
        }
        scope
    }

    /// This scope plus what the set's patches touch: the schema of every target, and
    /// the properties of every table a patch sets a property on.
    #[must_use]
    pub fn with_patch_set(mut self, set: &PatchSet) -> Self {
        for patch in &set.patches {
            match &patch.op {
                PatchOp::SetUcComment { target, .. } | PatchOp::SetUcTag { target, .. } => {
                    let (UcObject::Table { identifier }
                    | UcObject::Column {
                        table: identifier, ..
                    }) = target;
                    self.include(identifier);
                }
                PatchOp::SetTableProperty { target, .. } => {
                    self.include_with_properties(target);
                }
                PatchOp::CreateMetricView { target, .. }
                | PatchOp::AddMetricViewToSpace { target }
                | PatchOp::CreateFunction { target, .. }
                | PatchOp::AddFunctionToSpace { target } => {
                    self.include(target);
                }
                _ => {}
            }
        }
        self
    }

    /// Adds the schema of `identifier` (a three-part name; anything else, or a name
    /// that cannot be quoted, is ignored and reported by returning false).
    pub fn include(&mut self, identifier: &str) -> bool {
        let key = object_key(identifier);
        let parts: Vec<&str> = key.split('.').collect();
        let [catalog, schema, _] = parts.as_slice() else {
            return false;
        };
        if crate::sql::string_literal(schema).is_err() {
            return false;
        }
        self.schemas
            .insert(((*catalog).to_owned(), (*schema).to_owned()));
        true
    }

    /// Adds the schema of `identifier` and reads its properties.
    pub fn include_with_properties(&mut self, identifier: &str) -> bool {
        let included = self.include(identifier);
        if included {
            self.property_tables.insert(object_key(identifier));
        }
        included
    }

    /// The `(catalog, schema)` pairs covered, lower case, sorted.
    pub fn schemas(&self) -> impl Iterator<Item = (&str, &str)> {
        self.schemas
            .iter()
            .map(|(catalog, schema)| (catalog.as_str(), schema.as_str()))
    }

    /// Every statement the snapshot needs: nine `information_schema` reads per catalog
    /// (five required, four optional), then `SHOW TBLPROPERTIES` per property table.
    pub fn queries(&self) -> Vec<CatalogQuery> {
        let mut by_catalog: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (catalog, schema) in self.schemas() {
            by_catalog.entry(catalog).or_default().push(schema);
        }
        let mut queries = Vec::new();
        for (catalog, schemas) in by_catalog {
            let list = schemas
                .iter()
                .filter_map(|schema| crate::sql::string_literal(schema).ok())
                .collect::<Vec<_>>()
                .join(", ");
            let from = |view: &str| format!("{}.information_schema.{view}", name_part(catalog));
            let owned = || catalog.to_owned();
            let statements = [
                (
                    CatalogSource::Tables {
                        catalog: owned(),
                        schemas: schemas.iter().map(|schema| (*schema).to_owned()).collect(),
                    },
                    format!(
                        "SELECT table_catalog, table_schema, table_name, table_type, comment \
                         FROM {} WHERE table_schema IN ({list}) ORDER BY table_schema, table_name",
                        from("tables")
                    ),
                ),
                (
                    CatalogSource::Columns { catalog: owned() },
                    format!(
                        "SELECT table_catalog, table_schema, table_name, column_name, \
                         ordinal_position, data_type, full_data_type, is_nullable, comment \
                         FROM {} WHERE table_schema IN ({list}) \
                         ORDER BY table_schema, table_name, ordinal_position",
                        from("columns")
                    ),
                ),
                (
                    CatalogSource::TableTags { catalog: owned() },
                    format!(
                        "SELECT catalog_name, schema_name, table_name, tag_name, tag_value \
                         FROM {} WHERE schema_name IN ({list}) \
                         ORDER BY schema_name, table_name, tag_name",
                        from("table_tags")
                    ),
                ),
                (
                    CatalogSource::ColumnTags { catalog: owned() },
                    format!(
                        "SELECT catalog_name, schema_name, table_name, column_name, tag_name, \
                         tag_value FROM {} WHERE schema_name IN ({list}) \
                         ORDER BY schema_name, table_name, column_name, tag_name",
                        from("column_tags")
                    ),
                ),
                (
                    CatalogSource::Routines { catalog: owned() },
                    format!(
                        "SELECT routine_catalog, routine_schema, routine_name, routine_type, \
                         data_type, comment FROM {} WHERE routine_schema IN ({list}) \
                         ORDER BY routine_schema, routine_name",
                        from("routines")
                    ),
                ),
                (
                    CatalogSource::RoutineDefinitions { catalog: owned() },
                    format!(
                        "SELECT routine_catalog, routine_schema, routine_name, \
                         routine_definition FROM {} WHERE routine_schema IN ({list}) \
                         ORDER BY routine_schema, routine_name",
                        from("routines")
                    ),
                ),
                (
                    CatalogSource::Parameters { catalog: owned() },
                    format!(
                        "SELECT specific_catalog, specific_schema, specific_name, \
                         ordinal_position, parameter_name, data_type, full_data_type, \
                         parameter_default, comment FROM {} WHERE specific_schema IN ({list}) \
                         ORDER BY specific_schema, specific_name, ordinal_position",
                        from("parameters")
                    ),
                ),
                (
                    CatalogSource::RoutineColumns { catalog: owned() },
                    format!(
                        "SELECT specific_catalog, specific_schema, specific_name, \
                         ordinal_position, column_name, data_type, full_data_type, comment \
                         FROM {} WHERE specific_schema IN ({list}) \
                         ORDER BY specific_schema, specific_name, ordinal_position",
                        from("routine_columns")
                    ),
                ),
                (
                    CatalogSource::Views { catalog: owned() },
                    format!(
                        "SELECT table_catalog, table_schema, table_name, view_definition \
                         FROM {} WHERE table_schema IN ({list}) ORDER BY table_schema, table_name",
                        from("views")
                    ),
                ),
            ];
            queries.extend(
                statements
                    .into_iter()
                    .map(|(source, sql)| CatalogQuery { source, sql }),
            );
        }
        for table in &self.property_tables {
            queries.push(CatalogQuery {
                source: CatalogSource::Properties {
                    table: table.clone(),
                },
                sql: format!("SHOW TBLPROPERTIES {}", crate::sql::quote_name(table)),
            });
        }
        queries
    }
}

impl CatalogSnapshot {
    /// The statements that read a snapshot of `scope` (see [`CatalogScope::queries`]).
    pub fn queries(scope: &CatalogScope) -> Vec<CatalogQuery> {
        scope.queries()
    }
}

/// A name part as the statement writes it: bare when it is a plain lower-case
/// identifier, in backticks otherwise.
fn name_part(part: &str) -> String {
    let plain = part
        .chars()
        .next()
        .is_some_and(|first| first.is_ascii_lowercase() || first == '_')
        && part
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if plain {
        part.to_owned()
    } else {
        crate::sql::quote_identifier(part)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patch::{Patch, Risk};
    use crate::space::{SqlFunction, TableConfig};
    use crate::taxonomy::Lever;

    fn config() -> SpaceConfig {
        let mut config = SpaceConfig::default();
        config
            .tables_mut()
            .push(TableConfig::new("main.sales.orders"));
        config
            .tables_mut()
            .push(TableConfig::new("`Main`.`Sales`.customers"));
        config
            .tables_mut()
            .push(TableConfig::new("other-cat.hr.people"));
        config.sql_functions_mut().push(SqlFunction {
            id: "01".repeat(16),
            identifier: "main.finance.fiscal_quarter".to_owned(),
            ..SqlFunction::default()
        });
        config
    }

    #[test]
    fn scope_covers_the_schemas_of_the_space() {
        let scope = CatalogScope::of_space(&config());
        let schemas: Vec<(&str, &str)> = scope.schemas().collect();
        assert_eq!(
            schemas,
            [("main", "finance"), ("main", "sales"), ("other-cat", "hr")]
        );
        let queries = scope.queries();
        assert_eq!(queries.len(), 2 * 9 + 3);
        let properties: Vec<&str> = queries
            .iter()
            .filter(|query| matches!(query.source, CatalogSource::Properties { .. }))
            .map(|query| query.sql.as_str())
            .collect();
        assert_eq!(
            properties,
            [
                "SHOW TBLPROPERTIES `main`.`sales`.`customers`",
                "SHOW TBLPROPERTIES `main`.`sales`.`orders`",
                "SHOW TBLPROPERTIES `other-cat`.`hr`.`people`",
            ]
        );
        assert_eq!(
            queries[0].sql,
            "SELECT table_catalog, table_schema, table_name, table_type, comment FROM \
             main.information_schema.tables WHERE table_schema IN ('finance', 'sales') \
             ORDER BY table_schema, table_name"
        );
        assert!(
            queries[9]
                .sql
                .contains("FROM `other-cat`.information_schema.tables")
        );
        let optional = queries[..9]
            .iter()
            .filter(|query| query.source.is_optional())
            .count();
        assert_eq!(optional, 4);
    }

    #[test]
    fn patch_targets_widen_the_scope() {
        let patch = |op: PatchOp| Patch {
            lever: op.natural_lever(),
            op,
            risk: Risk::High,
            rationale: String::new(),
            fixes: Vec::new(),
            cluster: None,
        };
        let set = PatchSet {
            lever: Lever::MonitoringTables,
            patches: vec![
                patch(PatchOp::SetTableProperty {
                    target: "main.ops.events".to_owned(),
                    key: "k".to_owned(),
                    value: "v".to_owned(),
                }),
                patch(PatchOp::CreateMetricView {
                    target: "main.metrics.revenue".to_owned(),
                    value: "version: 1.1".to_owned(),
                }),
                patch(PatchOp::AddSampleQuestion {
                    value: "How many?".to_owned(),
                }),
            ],
        };
        let scope = CatalogScope::default().with_patch_set(&set);
        let schemas: Vec<(&str, &str)> = scope.schemas().collect();
        assert_eq!(schemas, [("main", "metrics"), ("main", "ops")]);
        assert!(scope.queries().iter().any(|query| query.source
            == CatalogSource::Properties {
                table: "main.ops.events".to_owned()
            }));
        let mut scope = CatalogScope::default();
        assert!(!scope.include("orders"));
        assert!(!scope.include(r"main.a\b.orders"));
        assert_eq!(scope.queries(), []);
    }

    #[test]
    fn sources_name_what_they_read() {
        assert_eq!(
            CatalogSource::Views {
                catalog: "main".to_owned()
            }
            .to_string(),
            "`main.information_schema.views`"
        );
        assert_eq!(
            serde_json::to_value(CatalogSource::Properties {
                table: "main.s.t".to_owned()
            })
            .unwrap(),
            serde_json::json!({"source": "properties", "table": "main.s.t"})
        );
    }
}
