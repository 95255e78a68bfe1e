//! [`CatalogSnapshot`] and its parts: what Unity Catalog says about the objects of a
//! space's schemas.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::queries::CatalogSource;

/// The Unity Catalog metadata of the schemas a space reads from, as
/// `information_schema` and `SHOW TBLPROPERTIES` report it.
///
/// Keys are lower-case three-part names (`main.sales.orders`): Unity Catalog names are
/// case-insensitive and `information_schema` lists them in lower case. Build one with
/// [`CatalogSnapshot::from_results`] (or [`read_catalog`](super::read_catalog));
/// [`CatalogSnapshot::default`] is the empty snapshot, for callers that change only the
/// space (every Unity Catalog patch is then refused, because its prior state is
/// unknown).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CatalogSnapshot {
    /// The schemas read whole, lower-case `catalog.schema`: an object of one of them
    /// that the snapshot does not list does not exist.
    pub schemas: BTreeSet<String>,
    /// Tables, views and metric views, by lower-case three-part name.
    pub tables: BTreeMap<String, CatalogTable>,
    /// SQL functions (scalar and table-valued), by lower-case three-part name.
    pub routines: BTreeMap<String, Routine>,
    /// Optional sources the warehouse could not answer, with its message: what is
    /// missing from the snapshot, said rather than silently empty.
    pub unavailable: Vec<UnavailableSource>,
}

/// An optional source that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnavailableSource {
    /// Which source.
    pub source: CatalogSource,
    /// The warehouse's message.
    pub message: String,
}

/// A table, view or metric view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogTable {
    /// Lower-case `catalog.schema.name`.
    pub identifier: String,
    /// `information_schema.tables.table_type`: `MANAGED`, `EXTERNAL`, `VIEW`,
    /// `MATERIALIZED_VIEW`, `STREAMING_TABLE`, `METRIC_VIEW`, `FOREIGN`, …
    pub table_type: String,
    /// The Unity Catalog comment.
    pub comment: Option<String>,
    /// The columns, in ordinal order.
    pub columns: Vec<CatalogColumn>,
    /// Tags, by name.
    pub tags: BTreeMap<String, String>,
    /// Table properties, by key; `None` when they were not read (only the tables a
    /// [`CatalogScope`](super::CatalogScope) names get `SHOW TBLPROPERTIES`).
    pub properties: Option<BTreeMap<String, String>>,
    /// The view's text (for a metric view: its YAML), when the warehouse shows it
    /// (`information_schema.views.view_definition`, given to the view's owner only).
    pub view_definition: Option<String>,
}

impl CatalogTable {
    /// Whether this is a metric view.
    pub fn is_metric_view(&self) -> bool {
        self.table_type.eq_ignore_ascii_case("METRIC_VIEW")
    }

    /// The column named `name` (any case).
    pub fn column(&self, name: &str) -> Option<&CatalogColumn> {
        self.columns
            .iter()
            .find(|column| column.name.eq_ignore_ascii_case(name))
    }
}

/// A column of a [`CatalogTable`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogColumn {
    /// Its name.
    pub name: String,
    /// `data_type`: the type's name (`INT`, `DECIMAL`, `STRING`, …).
    pub data_type: String,
    /// `full_data_type`: the whole type (`decimal(10,2)`), when given.
    pub full_data_type: Option<String>,
    /// Whether it may hold NULL, when given.
    pub nullable: Option<bool>,
    /// The Unity Catalog comment.
    pub comment: Option<String>,
    /// Tags, by name.
    pub tags: BTreeMap<String, String>,
}

/// A SQL function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Routine {
    /// Lower-case `catalog.schema.name`.
    pub identifier: String,
    /// `routine_type` (`FUNCTION`).
    pub routine_type: String,
    /// `data_type`: the return type, `TABLE` for a table-valued function.
    pub return_type: Option<String>,
    /// The Unity Catalog comment.
    pub comment: Option<String>,
    /// The parameters in order; `None` when `information_schema.parameters` could not
    /// be read.
    pub parameters: Option<Vec<RoutineParameter>>,
    /// A table-valued function's result columns in order; `None` when
    /// `information_schema.routine_columns` could not be read.
    pub returns: Option<Vec<RoutineColumn>>,
    /// The body (`routine_definition`), when the warehouse shows it (to the owner).
    pub definition: Option<String>,
}

impl Routine {
    /// Whether the function returns a table.
    pub fn is_table_function(&self) -> bool {
        self.return_type
            .as_deref()
            .is_some_and(|kind| kind.eq_ignore_ascii_case("TABLE"))
    }
}

/// A parameter of a [`Routine`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutineParameter {
    /// Its name.
    pub name: String,
    /// Its full type (`DECIMAL(10,2)`), else its type name.
    pub data_type: String,
    /// Its `DEFAULT` expression, when it has one.
    pub default: Option<String>,
    /// Its comment.
    pub comment: Option<String>,
}

/// A result column of a table-valued [`Routine`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutineColumn {
    /// Its name.
    pub name: String,
    /// Its full type, else its type name.
    pub data_type: String,
    /// Its comment.
    pub comment: Option<String>,
}

impl CatalogSnapshot {
    /// The table, view or metric view named `identifier` (any case, backticks allowed).
    pub fn table(&self, identifier: &str) -> Option<&CatalogTable> {
        self.tables.get(&object_key(identifier))
    }

    /// The function named `identifier` (any case, backticks allowed).
    pub fn routine(&self, identifier: &str) -> Option<&Routine> {
        self.routines.get(&object_key(identifier))
    }

    /// Every metric view, by name.
    pub fn metric_views(&self) -> impl Iterator<Item = &CatalogTable> {
        self.tables.values().filter(|table| table.is_metric_view())
    }

    /// Whether the snapshot read the schema of `identifier` whole, so an object it does
    /// not list is known not to exist (rather than not looked for).
    pub fn covers(&self, identifier: &str) -> bool {
        let key = object_key(identifier);
        let parts: Vec<&str> = key.split('.').collect();
        match parts.as_slice() {
            [catalog, schema, _] => self.schemas.contains(&format!("{catalog}.{schema}")),
            _ => false,
        }
    }

    /// Whether `source` could not be read.
    pub fn is_unavailable(&self, source: &CatalogSource) -> bool {
        self.unavailable
            .iter()
            .any(|unavailable| &unavailable.source == source)
    }
}

/// The key of an object in a [`CatalogSnapshot`]: its name parts without backticks,
/// lower case, joined by dots.
pub(crate) fn object_key(identifier: &str) -> String {
    crate::sql::name_parts(identifier)
        .iter()
        .map(|part| part.to_lowercase())
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_ignore_case_and_backticks() {
        let mut snapshot = CatalogSnapshot::default();
        snapshot.tables.insert(
            "main.sales.orders".to_owned(),
            CatalogTable {
                identifier: "main.sales.orders".to_owned(),
                table_type: "MANAGED".to_owned(),
                comment: None,
                columns: vec![CatalogColumn {
                    name: "region".to_owned(),
                    data_type: "STRING".to_owned(),
                    full_data_type: None,
                    nullable: None,
                    comment: None,
                    tags: BTreeMap::new(),
                }],
                tags: BTreeMap::new(),
                properties: None,
                view_definition: None,
            },
        );
        let table = snapshot.table("`Main`.SALES.`orders`").unwrap();
        assert!(table.column("REGION").is_some());
        assert!(!table.is_metric_view());
        assert_eq!(snapshot.metric_views().count(), 0);
        assert!(snapshot.routine("main.sales.orders").is_none());
    }
}
