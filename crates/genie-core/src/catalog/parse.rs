//! [`CatalogSnapshot::from_results`]: the snapshot from the result sets of its
//! [`CatalogQuery`]s. Pure: the caller ran the statements.
//!
//! Columns are found by name, not position, so a warehouse that returns more columns
//! (or in another order) reads the same. Answers may come in any order; they are
//! read tables first, then what attaches to tables, then functions.

use std::collections::{BTreeMap, HashMap};

use super::queries::{CatalogQuery, CatalogSource};
use super::snapshot::{
    CatalogColumn, CatalogSnapshot, CatalogTable, Routine, RoutineColumn, RoutineParameter,
    UnavailableSource,
};
use crate::error::PortError;
use crate::result::{Cell, ResultSet};

/// One statement of a snapshot and what the warehouse answered.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogAnswer {
    /// The statement.
    pub query: CatalogQuery,
    /// Its rows, or why it failed.
    pub result: Result<ResultSet, PortError>,
}

/// Why a snapshot could not be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// A required source failed (or any source failed for a reason that is not about
    /// the statement, when read by [`read_catalog`](super::read_catalog)).
    #[error("cannot read {from}: {error}")]
    Unreadable {
        /// The source.
        from: CatalogSource,
        /// The warehouse's error.
        error: PortError,
    },
    /// A result lacks a column the source must have.
    #[error("{from} has no column `{column}`")]
    MissingColumn {
        /// The source.
        from: CatalogSource,
        /// The column.
        column: String,
    },
}

impl CatalogSnapshot {
    /// Builds the snapshot from every answer to [`CatalogScope::queries`](super::CatalogScope::queries).
    ///
    /// A failed required source is an error; a failed optional one is recorded in
    /// [`CatalogSnapshot::unavailable`]. Rows naming a table or function no
    /// `tables` or `routines` row listed are ignored.
    pub fn from_results(
        answers: impl IntoIterator<Item = CatalogAnswer>,
    ) -> Result<Self, CatalogError> {
        let mut answers: Vec<CatalogAnswer> = answers.into_iter().collect();
        answers.sort_by_key(|answer| reading_order(&answer.query.source));
        let mut snapshot = Self::default();
        for answer in answers {
            let source = answer.query.source;
            match answer.result {
                Ok(result) => read(&mut snapshot, &source, &result)?,
                Err(error) if source.is_optional() => {
                    snapshot.unavailable.push(UnavailableSource {
                        source,
                        message: error.message,
                    });
                }
                Err(error) => {
                    return Err(CatalogError::Unreadable {
                        from: source,
                        error,
                    });
                }
            }
        }
        Ok(snapshot)
    }
}

/// Tables before what attaches to them; routines before their details.
fn reading_order(source: &CatalogSource) -> u8 {
    match source {
        CatalogSource::Tables { .. } => 0,
        CatalogSource::Columns { .. } => 1,
        CatalogSource::TableTags { .. }
        | CatalogSource::ColumnTags { .. }
        | CatalogSource::Views { .. }
        | CatalogSource::Properties { .. } => 2,
        CatalogSource::Routines { .. } => 3,
        _ => 4,
    }
}

fn read(
    snapshot: &mut CatalogSnapshot,
    source: &CatalogSource,
    result: &ResultSet,
) -> Result<(), CatalogError> {
    let rows = Rows::new(source, result);
    match source {
        CatalogSource::Tables { catalog, schemas } => {
            snapshot
                .schemas
                .extend(schemas.iter().map(|schema| format!("{catalog}.{schema}")));
            read_tables(snapshot, &rows)
        }
        CatalogSource::Columns { .. } => read_columns(snapshot, &rows),
        CatalogSource::TableTags { .. } => read_table_tags(snapshot, &rows),
        CatalogSource::ColumnTags { .. } => read_column_tags(snapshot, &rows),
        CatalogSource::Views { .. } => read_views(snapshot, &rows),
        CatalogSource::Properties { table } => read_properties(snapshot, table, &rows),
        CatalogSource::Routines { .. } => read_routines(snapshot, &rows),
        CatalogSource::RoutineDefinitions { catalog } => read_definitions(snapshot, catalog, &rows),
        CatalogSource::Parameters { catalog } => read_parameters(snapshot, catalog, &rows),
        CatalogSource::RoutineColumns { catalog } => read_routine_columns(snapshot, catalog, &rows),
    }
}

fn read_tables(snapshot: &mut CatalogSnapshot, rows: &Rows<'_>) -> Result<(), CatalogError> {
    let [catalog, schema, name, kind, comment] = rows.columns([
        "table_catalog",
        "table_schema",
        "table_name",
        "table_type",
        "comment",
    ])?;
    for row in rows.iter() {
        let Some(identifier) = key(row, [catalog, schema, name]) else {
            continue;
        };
        snapshot.tables.insert(
            identifier.clone(),
            CatalogTable {
                identifier,
                table_type: text(row, kind).unwrap_or_default().to_uppercase(),
                comment: non_empty(row, comment),
                columns: Vec::new(),
                tags: BTreeMap::new(),
                properties: None,
                view_definition: None,
            },
        );
    }
    Ok(())
}

fn read_columns(snapshot: &mut CatalogSnapshot, rows: &Rows<'_>) -> Result<(), CatalogError> {
    let [
        catalog,
        schema,
        table,
        name,
        position,
        data_type,
        full_type,
        nullable,
        comment,
    ] = rows.columns([
        "table_catalog",
        "table_schema",
        "table_name",
        "column_name",
        "ordinal_position",
        "data_type",
        "full_data_type",
        "is_nullable",
        "comment",
    ])?;
    let mut positions: HashMap<(String, String), i64> = HashMap::new();
    for row in rows.iter() {
        let (Some(identifier), Some(column)) =
            (key(row, [catalog, schema, table]), text(row, name))
        else {
            continue;
        };
        let Some(entry) = snapshot.tables.get_mut(&identifier) else {
            continue;
        };
        positions.insert(
            (identifier, column.clone()),
            integer(row, position).unwrap_or(i64::MAX),
        );
        entry.columns.push(CatalogColumn {
            name: column,
            data_type: text(row, data_type).unwrap_or_default().to_uppercase(),
            full_data_type: text(row, full_type),
            nullable: text(row, nullable).map(|value| value.eq_ignore_ascii_case("YES")),
            comment: non_empty(row, comment),
            tags: BTreeMap::new(),
        });
    }
    for table in snapshot.tables.values_mut() {
        table.columns.sort_by_key(|column| {
            positions
                .get(&(table.identifier.clone(), column.name.clone()))
                .copied()
                .unwrap_or(i64::MAX)
        });
    }
    Ok(())
}

fn read_table_tags(snapshot: &mut CatalogSnapshot, rows: &Rows<'_>) -> Result<(), CatalogError> {
    let [catalog, schema, table, tag, value] = rows.columns([
        "catalog_name",
        "schema_name",
        "table_name",
        "tag_name",
        "tag_value",
    ])?;
    for row in rows.iter() {
        let (Some(identifier), Some(tag)) = (key(row, [catalog, schema, table]), text(row, tag))
        else {
            continue;
        };
        if let Some(entry) = snapshot.tables.get_mut(&identifier) {
            entry.tags.insert(tag, text(row, value).unwrap_or_default());
        }
    }
    Ok(())
}

fn read_column_tags(snapshot: &mut CatalogSnapshot, rows: &Rows<'_>) -> Result<(), CatalogError> {
    let [catalog, schema, table, column, tag, value] = rows.columns([
        "catalog_name",
        "schema_name",
        "table_name",
        "column_name",
        "tag_name",
        "tag_value",
    ])?;
    for row in rows.iter() {
        let (Some(identifier), Some(column), Some(tag)) = (
            key(row, [catalog, schema, table]),
            text(row, column),
            text(row, tag),
        ) else {
            continue;
        };
        let entry = snapshot.tables.get_mut(&identifier).and_then(|entry| {
            entry
                .columns
                .iter_mut()
                .find(|known| known.name.eq_ignore_ascii_case(&column))
        });
        if let Some(entry) = entry {
            entry.tags.insert(tag, text(row, value).unwrap_or_default());
        }
    }
    Ok(())
}

fn read_views(snapshot: &mut CatalogSnapshot, rows: &Rows<'_>) -> Result<(), CatalogError> {
    let [catalog, schema, name, definition] = rows.columns([
        "table_catalog",
        "table_schema",
        "table_name",
        "view_definition",
    ])?;
    for row in rows.iter() {
        if let Some(entry) = key(row, [catalog, schema, name])
            .and_then(|identifier| snapshot.tables.get_mut(&identifier))
        {
            entry.view_definition = text(row, definition);
        }
    }
    Ok(())
}

fn read_properties(
    snapshot: &mut CatalogSnapshot,
    table: &str,
    rows: &Rows<'_>,
) -> Result<(), CatalogError> {
    let [property, value] = rows.columns(["key", "value"])?;
    let Some(entry) = snapshot.tables.get_mut(table) else {
        return Ok(());
    };
    let properties = rows
        .iter()
        .filter_map(|row| Some((text(row, property)?, text(row, value).unwrap_or_default())))
        .collect();
    entry.properties = Some(properties);
    Ok(())
}

fn read_routines(snapshot: &mut CatalogSnapshot, rows: &Rows<'_>) -> Result<(), CatalogError> {
    let [catalog, schema, name, kind, data_type, comment] = rows.columns([
        "routine_catalog",
        "routine_schema",
        "routine_name",
        "routine_type",
        "data_type",
        "comment",
    ])?;
    for row in rows.iter() {
        let Some(identifier) = key(row, [catalog, schema, name]) else {
            continue;
        };
        snapshot.routines.insert(
            identifier.clone(),
            Routine {
                identifier,
                routine_type: text(row, kind).unwrap_or_default().to_uppercase(),
                return_type: text(row, data_type),
                comment: non_empty(row, comment),
                parameters: None,
                returns: None,
                definition: None,
            },
        );
    }
    Ok(())
}

fn read_definitions(
    snapshot: &mut CatalogSnapshot,
    catalog: &str,
    rows: &Rows<'_>,
) -> Result<(), CatalogError> {
    let [catalog_column, schema, name, definition] = rows.columns([
        "routine_catalog",
        "routine_schema",
        "routine_name",
        "routine_definition",
    ])?;
    for row in rows.iter() {
        let routine = key(row, [catalog_column, schema, name])
            .filter(|identifier| in_catalog(identifier, catalog))
            .and_then(|identifier| snapshot.routines.get_mut(&identifier));
        if let Some(routine) = routine {
            routine.definition = text(row, definition);
        }
    }
    Ok(())
}

fn read_parameters(
    snapshot: &mut CatalogSnapshot,
    catalog: &str,
    rows: &Rows<'_>,
) -> Result<(), CatalogError> {
    let [
        catalog_column,
        schema,
        name,
        position,
        parameter,
        data_type,
        full_type,
        default,
        comment,
    ] = rows.columns([
        "specific_catalog",
        "specific_schema",
        "specific_name",
        "ordinal_position",
        "parameter_name",
        "data_type",
        "full_data_type",
        "parameter_default",
        "comment",
    ])?;
    for routine in snapshot.routines.values_mut() {
        if in_catalog(&routine.identifier, catalog) {
            routine.parameters = Some(Vec::new());
        }
    }
    let mut ordered: Vec<(String, i64, RoutineParameter)> = Vec::new();
    for row in rows.iter() {
        let (Some(identifier), Some(parameter)) = (
            key(row, [catalog_column, schema, name]),
            text(row, parameter),
        ) else {
            continue;
        };
        ordered.push((
            identifier,
            integer(row, position).unwrap_or(i64::MAX),
            RoutineParameter {
                name: parameter,
                data_type: text(row, full_type)
                    .or_else(|| text(row, data_type))
                    .unwrap_or_default(),
                default: text(row, default),
                comment: non_empty(row, comment),
            },
        ));
    }
    attach_in_order(snapshot, ordered, |routine| routine.parameters.as_mut());
    Ok(())
}

fn read_routine_columns(
    snapshot: &mut CatalogSnapshot,
    catalog: &str,
    rows: &Rows<'_>,
) -> Result<(), CatalogError> {
    let [
        catalog_column,
        schema,
        name,
        position,
        column,
        data_type,
        full_type,
        comment,
    ] = rows.columns([
        "specific_catalog",
        "specific_schema",
        "specific_name",
        "ordinal_position",
        "column_name",
        "data_type",
        "full_data_type",
        "comment",
    ])?;
    for routine in snapshot.routines.values_mut() {
        if in_catalog(&routine.identifier, catalog) {
            routine.returns = Some(Vec::new());
        }
    }
    let mut ordered: Vec<(String, i64, RoutineColumn)> = Vec::new();
    for row in rows.iter() {
        let (Some(identifier), Some(column)) =
            (key(row, [catalog_column, schema, name]), text(row, column))
        else {
            continue;
        };
        ordered.push((
            identifier,
            integer(row, position).unwrap_or(i64::MAX),
            RoutineColumn {
                name: column,
                data_type: text(row, full_type)
                    .or_else(|| text(row, data_type))
                    .unwrap_or_default(),
                comment: non_empty(row, comment),
            },
        ));
    }
    attach_in_order(snapshot, ordered, |routine| routine.returns.as_mut());
    Ok(())
}

/// Appends each `(routine, position, item)` to the list `list` picks of its routine,
/// in position order within each routine.
fn attach_in_order<T>(
    snapshot: &mut CatalogSnapshot,
    mut ordered: Vec<(String, i64, T)>,
    list: impl Fn(&mut Routine) -> Option<&mut Vec<T>>,
) {
    ordered.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    for (identifier, _, item) in ordered {
        if let Some(items) = snapshot.routines.get_mut(&identifier).and_then(&list) {
            items.push(item);
        }
    }
}

/// A result set whose columns are found by (case-insensitive) name.
struct Rows<'a> {
    source: &'a CatalogSource,
    result: &'a ResultSet,
    index: HashMap<String, usize>,
}

impl<'a> Rows<'a> {
    fn new(source: &'a CatalogSource, result: &'a ResultSet) -> Self {
        let index = result
            .columns
            .iter()
            .enumerate()
            .map(|(position, column)| (column.name.to_lowercase(), position))
            .collect();
        Self {
            source,
            result,
            index,
        }
    }

    /// The positions of `names`, or the first one missing.
    fn columns<const N: usize>(&self, names: [&str; N]) -> Result<[usize; N], CatalogError> {
        let mut positions = [0; N];
        for (slot, name) in positions.iter_mut().zip(names) {
            *slot = *self
                .index
                .get(name)
                .ok_or_else(|| CatalogError::MissingColumn {
                    from: self.source.clone(),
                    column: name.to_owned(),
                })?;
        }
        Ok(positions)
    }

    fn iter(&self) -> impl Iterator<Item = &'a [Cell]> {
        self.result.rows.iter().map(Vec::as_slice)
    }
}

/// A cell as text (`None` for NULL).
fn text(row: &[Cell], position: usize) -> Option<String> {
    match row.get(position)? {
        Cell::Null => None,
        Cell::Boolean(value) => Some(value.to_string()),
        Cell::Integer(value) => Some(value.to_string()),
        Cell::Float(value) => Some(value.to_string()),
        Cell::Decimal(text)
        | Cell::String(text)
        | Cell::Date(text)
        | Cell::Timestamp(text)
        | Cell::Other(text) => Some(text.clone()),
    }
}

/// A cell as text, `None` for NULL and for blank text (an unset comment).
fn non_empty(row: &[Cell], position: usize) -> Option<String> {
    text(row, position).filter(|text| !text.trim().is_empty())
}

fn integer(row: &[Cell], position: usize) -> Option<i64> {
    match row.get(position)? {
        Cell::Integer(value) => Some(*value),
        other => text(std::slice::from_ref(other), 0)?.trim().parse().ok(),
    }
}

/// The lower-case three-part name from three name cells.
fn key(row: &[Cell], positions: [usize; 3]) -> Option<String> {
    let parts: Option<Vec<String>> = positions
        .into_iter()
        .map(|position| text(row, position).map(|part| part.to_lowercase()))
        .collect();
    Some(parts?.join("."))
}

fn in_catalog(identifier: &str, catalog: &str) -> bool {
    identifier
        .split('.')
        .next()
        .is_some_and(|first| first == catalog)
}

#[cfg(test)]
mod tests;
