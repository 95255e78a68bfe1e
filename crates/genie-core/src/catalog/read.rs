//! [`read_catalog`]: a snapshot read through the [`Warehouse`] port.
//!
//! This does no I/O of its own: it hands each statement of the scope to the port, one
//! after the other, and parses the answers with [`CatalogSnapshot::from_results`].

use super::parse::{CatalogAnswer, CatalogError};
use super::queries::CatalogScope;
use super::snapshot::CatalogSnapshot;
use crate::error::PortErrorKind;
use crate::ports::{ExecuteOptions, Warehouse};

/// Reads the snapshot of `scope`.
///
/// A statement the warehouse rejects (`StatementFailed`, `NotFound`,
/// `InvalidRequest`: a view it does not have, a table that does not exist yet) is
/// passed on as a failed answer — recorded as unavailable for an optional source, an
/// error for a required one. Any other failure (credentials, an outage, a timeout) ends
/// the read at once with [`CatalogError::Unreadable`]: a snapshot silently missing
/// half its schemas would mislead every patch planned from it.
pub async fn read_catalog(
    warehouse: &dyn Warehouse,
    scope: &CatalogScope,
    options: &ExecuteOptions,
) -> Result<CatalogSnapshot, CatalogError> {
    let mut answers = Vec::new();
    for query in scope.queries() {
        let result = warehouse.execute(&query.sql, options).await;
        if let Err(error) = &result
            && !matches!(
                error.kind,
                PortErrorKind::StatementFailed
                    | PortErrorKind::NotFound
                    | PortErrorKind::InvalidRequest
            )
        {
            return Err(CatalogError::Unreadable {
                from: query.source,
                error: error.clone(),
            });
        }
        answers.push(CatalogAnswer { query, result });
    }
    CatalogSnapshot::from_results(answers)
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use async_trait::async_trait;

    use super::*;
    use crate::error::PortError;
    use crate::result::ResultSet;
    use crate::space::{SpaceConfig, TableConfig};
    use crate::testing::ready;

    /// Answers every statement with an empty result of the right columns, except the
    /// ones `fail` picks; records what it ran.
    struct Scripted {
        fail: fn(&str) -> Option<PortError>,
        ran: Mutex<Vec<String>>,
    }

    #[async_trait]
    impl Warehouse for Scripted {
        async fn execute(&self, sql: &str, _: &ExecuteOptions) -> Result<ResultSet, PortError> {
            self.ran.lock().unwrap().push(sql.to_owned());
            if let Some(error) = (self.fail)(sql) {
                return Err(error);
            }
            let selected = sql
                .strip_prefix("SELECT ")
                .and_then(|rest| rest.split(" FROM ").next())
                .map_or(vec!["key", "value"], |list| list.split(", ").collect());
            Ok(ResultSet {
                columns: selected
                    .into_iter()
                    .map(|name| crate::result::Column {
                        name: name.to_owned(),
                        column_type: crate::result::ColumnType::String,
                    })
                    .collect(),
                rows: Vec::new(),
                truncated: false,
            })
        }

        async fn explain(&self, _: &str) -> Result<String, PortError> {
            unreachable!("a catalog read explains nothing")
        }

        async fn execute_ddl(&self, _: &str) -> Result<(), PortError> {
            unreachable!("a catalog read changes nothing")
        }
    }

    fn scope() -> CatalogScope {
        let mut config = SpaceConfig::default();
        config
            .tables_mut()
            .push(TableConfig::new("main.sales.orders"));
        CatalogScope::of_space(&config)
    }

    #[test]
    fn a_rejected_optional_statement_is_recorded_and_the_read_goes_on() {
        let warehouse = Scripted {
            fail: |sql| {
                sql.contains("information_schema.views").then(|| {
                    PortError::new(PortErrorKind::StatementFailed, "TABLE_OR_VIEW_NOT_FOUND")
                })
            },
            ran: Mutex::new(Vec::new()),
        };
        let snapshot = ready(read_catalog(
            &warehouse,
            &scope(),
            &ExecuteOptions::default(),
        ))
        .unwrap();
        assert_eq!(snapshot.unavailable.len(), 1);
        assert_eq!(warehouse.ran.lock().unwrap().len(), 10);
    }

    #[test]
    fn an_outage_ends_the_read_even_on_an_optional_statement() {
        let warehouse = Scripted {
            fail: |sql| {
                sql.contains("information_schema.parameters")
                    .then(|| PortError::new(PortErrorKind::Unavailable, "503"))
            },
            ran: Mutex::new(Vec::new()),
        };
        let error = ready(read_catalog(
            &warehouse,
            &scope(),
            &ExecuteOptions::default(),
        ))
        .unwrap_err();
        assert!(matches!(
            error,
            CatalogError::Unreadable {
                from: crate::catalog::CatalogSource::Parameters { .. },
                ..
            }
        ));
        assert_eq!(
            warehouse.ran.lock().unwrap().len(),
            7,
            "nothing after the failure"
        );
    }
}
