//! [`Catalog`]: what the simulated Genie can know about the warehouse — tables, views
//! and metric views, column types, Unity Catalog comments, which columns of a metric
//! view are measures, and each string column's distinct values (the sample that format
//! assistance and entity matching read).

use genie_core::result::{Cell, ColumnType};

use crate::engine::{Engine, EngineError, MetricView, TableFunction};

/// Entity matching indexes at most this many distinct values per column (Databricks'
/// documented limit).
pub const MAX_INDEXED_VALUES: usize = 1024;

/// Entity matching ignores values longer than this many characters.
pub const MAX_VALUE_CHARS: usize = 127;

/// The warehouse as the simulator sees it. Built once from an [`Engine`] and rebuilt
/// when a metadata statement changes a comment, a view or a function.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Catalog {
    tables: Vec<CatalogTable>,
    /// The names of the views among `tables`.
    views: Vec<String>,
    /// The SQL table functions' signatures.
    functions: Vec<TableFunction>,
}

/// One table or view.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogTable {
    /// Three-part name, lower case.
    pub name: String,
    /// Its Unity Catalog comment.
    pub comment: Option<String>,
    /// Its columns, in table order (a metric view's dimensions, then its measures).
    pub columns: Vec<CatalogColumn>,
    /// For a metric view, the names of its measure columns (read with `MEASURE()`);
    /// empty for tables and views.
    pub measures: Vec<String>,
}

/// One column of a [`CatalogTable`].
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogColumn {
    /// Its name as declared.
    pub name: String,
    /// Its type.
    pub column_type: ColumnType,
    /// Its Unity Catalog comment.
    pub comment: Option<String>,
    /// Distinct non-null values of a string column, sorted, at most
    /// [`MAX_INDEXED_VALUES`]; empty for other types.
    pub values: Vec<String>,
}

impl CatalogTable {
    /// The last part of the three-part name.
    pub fn short_name(&self) -> &str {
        self.name.rsplit('.').next().unwrap_or(&self.name)
    }

    /// Whether it is a metric view.
    pub fn is_metric_view(&self) -> bool {
        !self.measures.is_empty()
    }

    /// Whether the column named `name` (any case) is a measure of a metric view.
    pub fn is_measure(&self, name: &str) -> bool {
        self.measures
            .iter()
            .any(|measure| measure.eq_ignore_ascii_case(name))
    }

    /// The column named `name` (any case).
    pub fn column(&self, name: &str) -> Option<&CatalogColumn> {
        self.columns
            .iter()
            .find(|column| column.name.eq_ignore_ascii_case(name))
    }
}

impl Catalog {
    /// Reads every table, view and metric view of `engine` (columns, types, comments
    /// and string values) and its SQL table functions' signatures.
    pub async fn load(engine: &Engine) -> Result<Self, EngineError> {
        let comments = engine.comments();
        let metric_views = engine.metric_views();
        let mut tables = Vec::new();
        for name in &engine.tables() {
            let metric_view = metric_views.iter().find(|view| &view.name == name);
            let shape_sql = metric_view.map_or_else(
                || format!("SELECT * FROM {name} LIMIT 0"),
                metric_view_shape,
            );
            let shape = engine.query(&shape_sql).await?;
            let mut columns = Vec::with_capacity(shape.columns.len());
            for column in shape.columns {
                let is_measure =
                    metric_view.is_some_and(|view| view.measures.contains(&column.name));
                let values = if column.column_type == ColumnType::String && !is_measure {
                    distinct_values(engine, name, &column.name).await?
                } else {
                    Vec::new()
                };
                columns.push(CatalogColumn {
                    comment: comments.column(name, &column.name).map(str::to_owned),
                    name: column.name,
                    column_type: column.column_type,
                    values,
                });
            }
            tables.push(CatalogTable {
                name: name.to_lowercase(),
                comment: comments.table(name).map(str::to_owned),
                columns,
                measures: metric_view
                    .map(|view| view.measures.clone())
                    .unwrap_or_default(),
            });
        }
        Ok(Self {
            tables,
            views: engine.views(),
            functions: engine.functions(),
        })
    }

    /// A catalog holding `tables` as given (no views, no functions).
    pub fn from_tables(tables: Vec<CatalogTable>) -> Self {
        Self {
            tables,
            ..Self::default()
        }
    }

    /// Whether the table named `name` (any case) is a view.
    pub fn is_view(&self, name: &str) -> bool {
        let wanted = name.replace('`', "").to_lowercase();
        self.views.contains(&wanted)
    }

    /// Every SQL table function, in creation order.
    pub fn functions(&self) -> &[TableFunction] {
        &self.functions
    }

    /// Every table, in creation order.
    pub fn tables(&self) -> &[CatalogTable] {
        &self.tables
    }

    /// The table with three-part name `name` (any case, backticks allowed).
    pub fn table(&self, name: &str) -> Option<&CatalogTable> {
        let wanted = name.replace('`', "").to_lowercase();
        self.tables.iter().find(|table| table.name == wanted)
    }
}

/// `SELECT <dimensions>, MEASURE(<m>) AS <m>, … FROM <view> GROUP BY ALL LIMIT 0`: the
/// query that types a metric view's columns.
fn metric_view_shape(view: &MetricView) -> String {
    let columns: Vec<String> = view
        .dimensions
        .iter()
        .map(|dimension| format!("`{dimension}`"))
        .chain(
            view.measures
                .iter()
                .map(|measure| format!("MEASURE(`{measure}`) AS `{measure}`")),
        )
        .collect();
    let group = if view.dimensions.is_empty() {
        ""
    } else {
        " GROUP BY ALL"
    };
    format!(
        "SELECT {} FROM {}{group} LIMIT 0",
        columns.join(", "),
        view.name
    )
}

async fn distinct_values(
    engine: &Engine,
    table: &str,
    column: &str,
) -> Result<Vec<String>, EngineError> {
    let result = engine
        .query(&format!(
            "SELECT DISTINCT `{column}` FROM {table} WHERE `{column}` IS NOT NULL \
             ORDER BY `{column}` LIMIT {MAX_INDEXED_VALUES}"
        ))
        .await?;
    Ok(result
        .rows
        .into_iter()
        .filter_map(|row| match row.into_iter().next() {
            Some(Cell::String(value)) if value.chars().count() <= MAX_VALUE_CHARS => Some(value),
            _ => None,
        })
        .collect())
}
