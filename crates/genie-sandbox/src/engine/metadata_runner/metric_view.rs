//! `CREATE VIEW … WITH METRICS`: checking a metric view's YAML against its source and
//! recording it. The engine plans `SELECT <dimensions>, <measures> FROM <source> GROUP
//! BY <dimensions>` to check every expression and to type the view's columns; nothing
//! is registered with DataFusion (queries are rewritten over the source).

use sqlparser::ast::ObjectName;

use super::super::metadata::{Relation, RelationKind};
use super::super::metric_views::{MetricViewDefinition, invalid};
use super::super::spark_compat::to_engine_sql;
use super::super::sql_engine::{Engine, databricks_message};

impl Engine {
    /// Creates (or replaces) a metric view; whether anything changed.
    pub(super) async fn create_metric_view(
        &self,
        name: &ObjectName,
        or_replace: bool,
        if_not_exists: bool,
        comment: Option<String>,
        yaml: &str,
    ) -> Result<bool, String> {
        let view = self.new_name(name)?;
        let existing = self.read().relation(&view).map(|relation| relation.kind);
        match existing {
            Some(RelationKind::MetricView) if if_not_exists => return Ok(false),
            Some(RelationKind::MetricView) if or_replace => {}
            Some(_) => {
                return Err(format!(
                    "[TABLE_OR_VIEW_ALREADY_EXISTS] Cannot create metric view `{}`.`{}`.`{}` \
                     because it already exists. Choose a different name, drop or replace the \
                     existing object, or add the IF NOT EXISTS clause to tolerate pre-existing \
                     objects. SQLSTATE: 42P07",
                    view.catalog, view.schema, view.table
                ));
            }
            None => {}
        }
        let definition = MetricViewDefinition::parse(view.clone(), yaml)?;
        let sql = {
            let metadata = self.read();
            to_engine_sql(
                &definition.shape_sql(),
                &metadata.functions,
                &metadata.metric_views,
            )?
        };
        let frame = self
            .context
            .sql(&sql)
            .await
            .map_err(|error| invalid(&databricks_message(&error)))?;
        let columns = frame
            .schema()
            .fields()
            .iter()
            .map(|field| (field.name().to_lowercase(), field.data_type().clone()))
            .collect();
        let mut relation = Relation::new(view, RelationKind::MetricView, columns);
        relation.comment = comment.or_else(|| definition.comment.clone());
        for (column, field) in relation
            .columns
            .iter_mut()
            .zip(definition.dimensions.iter().chain(&definition.measures))
        {
            column.comment.clone_from(&field.comment);
        }
        let mut metadata = self.write();
        metadata.put_relation(relation);
        metadata
            .metric_views
            .retain(|existing| existing.name != definition.name);
        metadata.metric_views.push(definition);
        Ok(true)
    }
}

#[cfg(test)]
mod tests;
