//! The Unity Catalog metadata the engine keeps beside DataFusion's data: every table
//! and view with its kind, columns, comments, properties and tags, the SQL table
//! functions, and the metric views' definitions. Changed at runtime by metadata statements ([`super::metadata_parser`]);
//! read by `information_schema`, `DESCRIBE` and the simulator's catalog.

use std::collections::BTreeMap;

use datafusion::arrow::datatypes::DataType;
use sqlparser::ast::ObjectName;

use super::metadata_parser::MetadataStatement;
use super::metric_views::MetricViewDefinition;
use super::schema_file::{TableName, parts};
use super::table_functions::FunctionDefinition;

/// Whether a relation holds data or is a view over other relations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RelationKind {
    /// A table (Databricks' `MANAGED`).
    Table,
    /// A view (`CREATE VIEW`).
    View,
    /// A metric view (`CREATE VIEW … WITH METRICS`): dimensions and measures over a
    /// source, read with `MEASURE()`.
    MetricView,
}

/// A metric view's shape: which of its columns are dimensions and which measures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricView {
    /// Three-part name, lower case.
    pub name: String,
    /// Its dimensions' names, in definition order.
    pub dimensions: Vec<String>,
    /// Its measures' names, in definition order.
    pub measures: Vec<String>,
}

/// A SQL table function's signature as Genie sees it (never its body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableFunction {
    /// Three-part name, lower case.
    pub name: String,
    /// Its parameters, in order.
    pub parameters: Vec<FunctionColumn>,
    /// The columns of the table it returns, in order.
    pub returns: Vec<FunctionColumn>,
    /// Its comment.
    pub comment: Option<String>,
}

/// A parameter or result column of a [`TableFunction`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionColumn {
    /// Its name, lower case.
    pub name: String,
    /// Its type as declared (`STRING`, `DECIMAL(10,2)`, …).
    pub data_type: String,
    /// Its comment.
    pub comment: Option<String>,
}

/// Unity Catalog comments: per table or view (`catalog.schema.table`), its comment and
/// its columns' comments.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Comments {
    tables: BTreeMap<String, TableComments>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct TableComments {
    comment: Option<String>,
    columns: BTreeMap<String, String>,
}

impl Comments {
    /// The comment on a table, by its three-part name (any case).
    pub fn table(&self, table: &str) -> Option<&str> {
        self.tables.get(&table.to_lowercase())?.comment.as_deref()
    }

    /// The comment on a column.
    pub fn column(&self, table: &str, column: &str) -> Option<&str> {
        self.tables
            .get(&table.to_lowercase())?
            .columns
            .get(&column.to_lowercase())
            .map(String::as_str)
    }
}

/// A table or view.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Relation {
    pub(crate) name: TableName,
    pub(crate) kind: RelationKind,
    pub(crate) comment: Option<String>,
    pub(crate) columns: Vec<RelationColumn>,
    pub(crate) properties: BTreeMap<String, String>,
    pub(crate) tags: BTreeMap<String, String>,
}

/// A column of a [`Relation`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RelationColumn {
    pub(crate) name: String,
    pub(crate) data_type: DataType,
    pub(crate) comment: Option<String>,
    pub(crate) tags: BTreeMap<String, String>,
}

impl Relation {
    /// A relation with no comment, properties or tags.
    pub(crate) fn new(
        name: TableName,
        kind: RelationKind,
        columns: Vec<(String, DataType)>,
    ) -> Self {
        Self {
            name,
            kind,
            comment: None,
            columns: columns
                .into_iter()
                .map(|(name, data_type)| RelationColumn {
                    name,
                    data_type,
                    comment: None,
                    tags: BTreeMap::new(),
                })
                .collect(),
            properties: BTreeMap::new(),
            tags: BTreeMap::new(),
        }
    }

    fn column_mut(&mut self, column: &str) -> Result<&mut RelationColumn, String> {
        let wanted = column.to_lowercase();
        if let Some(index) = self.columns.iter().position(|c| c.name == wanted) {
            return Ok(&mut self.columns[index]);
        }
        let known: Vec<String> = self
            .columns
            .iter()
            .map(|c| format!("`{}`", c.name))
            .collect();
        Err(format!(
            "[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column, variable, or function parameter with \
             name `{column}` cannot be resolved. Did you mean one of the following? [{}]. \
             SQLSTATE: 42703",
            known.join(", ")
        ))
    }
}

/// Every relation and function, in creation order.
#[derive(Debug, Default)]
pub(crate) struct Metadata {
    pub(crate) relations: Vec<Relation>,
    pub(crate) functions: Vec<FunctionDefinition>,
    pub(crate) metric_views: Vec<MetricViewDefinition>,
}

impl Metadata {
    /// The relation named `name`.
    pub(crate) fn relation(&self, name: &TableName) -> Option<&Relation> {
        self.relations
            .iter()
            .find(|relation| &relation.name == name)
    }

    /// The existing relation `name` names, or Databricks' not-found error.
    pub(crate) fn resolve(&self, name: &ObjectName) -> Result<&Relation, String> {
        full_name(name)
            .and_then(|table| self.relation(&table))
            .ok_or_else(|| not_found(name))
    }

    fn resolve_mut(&mut self, name: &ObjectName) -> Result<&mut Relation, String> {
        let table = full_name(name).ok_or_else(|| not_found(name))?;
        self.relations
            .iter_mut()
            .find(|relation| relation.name == table)
            .ok_or_else(|| not_found(name))
    }

    /// Adds `relation`, replacing one of the same name in place.
    pub(crate) fn put_relation(&mut self, relation: Relation) {
        match self
            .relations
            .iter_mut()
            .find(|existing| existing.name == relation.name)
        {
            Some(existing) => *existing = relation,
            None => self.relations.push(relation),
        }
    }

    /// Removes the relation `name` (and its metric view definition); whether there was
    /// one.
    pub(crate) fn remove_relation(&mut self, name: &TableName) -> bool {
        self.metric_views.retain(|view| &view.name != name);
        let before = self.relations.len();
        self.relations.retain(|relation| &relation.name != name);
        self.relations.len() < before
    }

    /// Removes the function `name`; whether there was one.
    pub(crate) fn remove_function(&mut self, name: &TableName) -> bool {
        let before = self.functions.len();
        self.functions.retain(|function| &function.name != name);
        self.functions.len() < before
    }

    /// Adds `function`, replacing one of the same name in place.
    pub(crate) fn put_function(&mut self, function: FunctionDefinition) {
        match self
            .functions
            .iter_mut()
            .find(|existing| existing.name == function.name)
        {
            Some(existing) => *existing = function,
            None => self.functions.push(function),
        }
    }

    /// Applies a comment, property or tag statement; other statements are not changes
    /// of existing metadata and are refused.
    pub(crate) fn annotate(&mut self, statement: MetadataStatement) -> Result<(), String> {
        match statement {
            MetadataStatement::CommentOnTable { table, text } => {
                self.resolve_mut(&table)?.comment = text;
            }
            MetadataStatement::CommentOnColumn {
                table,
                column,
                text,
            } => {
                self.resolve_mut(&table)?.column_mut(&column)?.comment = text;
            }
            MetadataStatement::SetProperties { table, properties } => {
                self.resolve_mut(&table)?.properties.extend(properties);
            }
            MetadataStatement::UnsetProperties {
                table,
                keys,
                if_exists,
            } => {
                let relation = self.resolve_mut(&table)?;
                if !if_exists
                    && let Some(missing) = keys
                        .iter()
                        .find(|key| !relation.properties.contains_key(*key))
                {
                    return Err(format!(
                        "[UNSET_NONEXISTENT_PROPERTIES] Attempted to unset non-existent \
                         properties [`{missing}`] in table `{}`. SQLSTATE: 42K0J",
                        relation.name
                    ));
                }
                for key in keys {
                    relation.properties.remove(&key);
                }
            }
            MetadataStatement::SetTags {
                table,
                column,
                tags,
            } => {
                let relation = self.resolve_mut(&table)?;
                match column {
                    Some(column) => relation.column_mut(&column)?.tags.extend(tags),
                    None => relation.tags.extend(tags),
                }
            }
            MetadataStatement::UnsetTags {
                table,
                column,
                keys,
            } => {
                let relation = self.resolve_mut(&table)?;
                let tags = match column {
                    Some(column) => &mut relation.column_mut(&column)?.tags,
                    None => &mut relation.tags,
                };
                for key in keys {
                    tags.remove(&key);
                }
            }
            other => return Err(format!("not a metadata change: {other:?}")),
        }
        Ok(())
    }

    /// A snapshot of every comment.
    pub(crate) fn comments(&self) -> Comments {
        let tables = self
            .relations
            .iter()
            .map(|relation| {
                let columns = relation
                    .columns
                    .iter()
                    .filter_map(|column| {
                        column
                            .comment
                            .clone()
                            .map(|comment| (column.name.clone(), comment))
                    })
                    .collect();
                (
                    relation.name.to_string(),
                    TableComments {
                        comment: relation.comment.clone(),
                        columns,
                    },
                )
            })
            .collect();
        Comments { tables }
    }
}

/// The three-part name `name` spells, if it has three parts.
pub(crate) fn full_name(name: &ObjectName) -> Option<TableName> {
    match parts(name).as_slice() {
        [catalog, schema, table] => Some(TableName {
            catalog: catalog.clone(),
            schema: schema.clone(),
            table: table.clone(),
        }),
        _ => None,
    }
}

/// Databricks' error for a table or view that does not exist.
pub(crate) fn not_found(name: &impl std::fmt::Display) -> String {
    let quoted: Vec<String> = name
        .to_string()
        .replace('`', "")
        .split('.')
        .map(|part| format!("`{}`", part.to_lowercase()))
        .collect();
    format!(
        "[TABLE_OR_VIEW_NOT_FOUND] The table or view {} cannot be found. Verify the spelling \
         and correctness of the schema and catalog (the sandbox needs three-part names). \
         SQLSTATE: 42P01",
        quoted.join(".")
    )
}

#[cfg(test)]
mod tests {
    use sqlparser::ast::Ident;

    use super::*;
    use crate::engine::metadata_parser::parse_metadata;

    fn metadata() -> Metadata {
        let mut metadata = Metadata::default();
        metadata.put_relation(Relation::new(
            TableName {
                catalog: "main".into(),
                schema: "s".into(),
                table: "t".into(),
            },
            RelationKind::Table,
            vec![("a".into(), DataType::Int32), ("b".into(), DataType::Utf8)],
        ));
        metadata
    }

    fn run(metadata: &mut Metadata, sql: &str) -> Result<(), String> {
        metadata.annotate(parse_metadata(sql)?.expect("a metadata statement"))
    }

    #[test]
    fn comments_properties_and_tags_change() {
        let mut metadata = metadata();
        run(&mut metadata, "COMMENT ON TABLE main.s.T IS 'Orders'").unwrap();
        run(&mut metadata, "COMMENT ON COLUMN main.s.t.A IS 'Id'").unwrap();
        run(
            &mut metadata,
            "ALTER TABLE main.s.t ALTER COLUMN b COMMENT 'Name'",
        )
        .unwrap();
        let comments = metadata.comments();
        assert_eq!(comments.table("main.s.t"), Some("Orders"));
        assert_eq!(comments.column("main.s.t", "a"), Some("Id"));
        assert_eq!(comments.column("main.s.t", "b"), Some("Name"));
        run(&mut metadata, "COMMENT ON COLUMN main.s.t.a IS NULL").unwrap();
        assert_eq!(metadata.comments().column("main.s.t", "a"), None);

        run(
            &mut metadata,
            "ALTER TABLE main.s.t SET TBLPROPERTIES ('k' = 'v', 'x' = '1')",
        )
        .unwrap();
        run(
            &mut metadata,
            "ALTER TABLE main.s.t UNSET TBLPROPERTIES ('x')",
        )
        .unwrap();
        let error = run(
            &mut metadata,
            "ALTER TABLE main.s.t UNSET TBLPROPERTIES ('x')",
        )
        .unwrap_err();
        assert!(
            error.starts_with("[UNSET_NONEXISTENT_PROPERTIES]"),
            "{error}"
        );
        run(
            &mut metadata,
            "ALTER TABLE main.s.t UNSET TBLPROPERTIES IF EXISTS ('x')",
        )
        .unwrap();
        run(
            &mut metadata,
            "ALTER TABLE main.s.t SET TAGS ('domain' = 'sales')",
        )
        .unwrap();
        run(
            &mut metadata,
            "ALTER TABLE main.s.t ALTER COLUMN b SET TAGS ('pii' = 'name', 'q' = '1')",
        )
        .unwrap();
        run(
            &mut metadata,
            "ALTER TABLE main.s.t ALTER COLUMN b UNSET TAGS ('q')",
        )
        .unwrap();
        let relation = &metadata.relations[0];
        assert_eq!(relation.properties.len(), 1);
        assert_eq!(relation.tags["domain"], "sales");
        assert_eq!(relation.columns[1].tags.len(), 1);
        assert_eq!(relation.columns[1].tags["pii"], "name");
    }

    #[test]
    fn unknown_tables_and_columns_fail_like_databricks() {
        let mut metadata = metadata();
        let error = run(&mut metadata, "COMMENT ON TABLE main.s.nope IS 'x'").unwrap_err();
        assert!(
            error.starts_with(
                "[TABLE_OR_VIEW_NOT_FOUND] The table or view `main`.`s`.`nope` cannot be found."
            ),
            "{error}"
        );
        let error = run(&mut metadata, "COMMENT ON TABLE t IS 'x'").unwrap_err();
        assert!(error.starts_with("[TABLE_OR_VIEW_NOT_FOUND]"), "{error}");
        let error = run(
            &mut metadata,
            "ALTER TABLE main.s.t ALTER COLUMN c COMMENT 'x'",
        )
        .unwrap_err();
        assert!(
            error.starts_with("[UNRESOLVED_COLUMN.WITH_SUGGESTION]")
                && error.contains("[`a`, `b`]"),
            "{error}"
        );
        let error = run(
            &mut metadata,
            "ALTER TABLE main.s.t ALTER COLUMN c SET TAGS ('k' = 'v')",
        )
        .unwrap_err();
        assert!(error.contains("`c`"), "{error}");
        assert!(
            metadata
                .resolve(&ObjectName::from(vec![Ident::new("x")]))
                .is_err()
        );
    }
}
