//! From a [`Plan`] to Databricks SQL and the explanation shown with it.

use super::interpret::quoted_name;
use std::fmt::Write as _;

use super::joins::{JoinTree, connect};
use super::model::SpaceModel;
use super::plan::{Condition, Measure, Plan, Shape};

/// The query and what it used.
#[derive(Debug, Clone)]
pub(crate) struct Rendered {
    pub(crate) sql: String,
    pub(crate) tables: Vec<String>,
    pub(crate) steps: Vec<String>,
}

/// Renders `plan`; `None` when nothing is left to select.
pub(crate) fn render(model: &SpaceModel, mut plan: Plan) -> Option<Rendered> {
    let mut needed = plan.tables();
    if needed.is_empty() {
        needed.extend(plan.context.first().copied());
    }
    let tree = connect(model, &needed)?;
    drop_unreachable(model, &mut plan, &tree);
    if plan.measures.is_empty() && plan.shape != Shape::List {
        return None;
    }
    let from = from_clause(model, &tree);
    let joined = !tree.steps.is_empty();
    for measure in &mut plan.measures {
        if let Some(table) = measure.count_of
            && joined
            && let Some(key) = key_column(model, table)
        {
            measure.sql = format!("COUNT(DISTINCT `{}`.`{key}`)", model.tables[table].alias);
        }
    }
    let mut steps: Vec<String> = plan.measures.iter().map(|m| m.describe.clone()).collect();
    steps.extend(plan.dimensions.iter().map(|d| d.describe.clone()));
    steps.extend(plan.conditions.iter().map(|c| c.describe.clone()));
    if let Shape::ConditionalShare(conditions) = &plan.shape {
        steps.extend(
            conditions
                .iter()
                .map(|c| format!("Share where: {}", c.describe)),
        );
    }
    for (table, edge) in &tree.steps {
        steps.push(format!(
            "Join `{}` on {}",
            model.tables[*table].alias, model.joins[*edge].condition
        ));
    }
    steps.extend(plan.notes.iter().cloned());
    let sql = match plan.shape.clone() {
        Shape::List => list_sql(&plan, &from),
        Shape::Aggregate => aggregate_sql(&plan, &from),
        Shape::ShareOfTotal => share_of_total_sql(&plan, &from),
        Shape::ConditionalShare(conditions) => conditional_share_sql(&plan, &from, &conditions),
        Shape::Change(_) => change_sql(&plan, &from),
    };
    Some(Rendered {
        sql,
        tables: tree
            .tables()
            .iter()
            .map(|&t| model.tables[t].name.clone())
            .collect(),
        steps,
    })
}

/// Leaves out the parts that read a table no join spec reaches.
fn drop_unreachable(model: &SpaceModel, plan: &mut Plan, tree: &JoinTree) {
    if tree.unreachable.is_empty() {
        return;
    }
    let reachable = |tables: &[usize]| tables.iter().all(|t| tree.contains(*t));
    for &table in &tree.unreachable {
        plan.notes.push(format!(
            "no join spec relates `{}` to `{}`; its part of the question is left out",
            model.tables[table].alias, model.tables[tree.root].alias
        ));
    }
    plan.measures.retain(|m| reachable(&m.tables));
    plan.dimensions.retain(|d| reachable(&d.tables));
    plan.conditions.retain(|c| reachable(&c.tables));
    if let Shape::ConditionalShare(conditions) = &mut plan.shape {
        conditions.retain(|c| reachable(&c.tables));
        if conditions.is_empty() {
            plan.shape = Shape::Aggregate;
        }
    }
}

fn key_column(model: &SpaceModel, table: usize) -> Option<String> {
    let first = model.tables[table].columns.first()?;
    // A key is named so by its last whole word (`trip_id`, `custKey`; not `paid`).
    let words = super::words::identifier_words(&first.name);
    words
        .last()
        .is_some_and(|word| word == "id" || word == "key")
        .then(|| first.name.clone())
}

fn from_clause(model: &SpaceModel, tree: &JoinTree) -> String {
    let root = &model.tables[tree.root];
    let mut from = format!("{} AS `{}`", quoted_name(&root.name), root.alias);
    for (table, edge) in &tree.steps {
        let joined = &model.tables[*table];
        let _ = write!(
            from,
            "\n  JOIN {} AS `{}` ON {}",
            quoted_name(&joined.name),
            joined.alias,
            model.joins[*edge].condition
        );
    }
    from
}

pub(super) fn where_clause(conditions: &[&Condition]) -> String {
    if conditions.is_empty() {
        String::new()
    } else {
        format!(
            "\nWHERE {}",
            conditions
                .iter()
                .map(|c| c.sql.as_str())
                .collect::<Vec<_>>()
                .join("\n  AND ")
        )
    }
}

pub(super) fn conditions(plan: &Plan) -> Vec<&Condition> {
    plan.conditions.iter().collect()
}

pub(super) fn order_clause(plan: &Plan, measure_alias: Option<&str>) -> String {
    let mut clause = String::new();
    if let (Some(descending), Some(alias)) = (plan.order_descending, measure_alias) {
        clause = format!(
            "\nORDER BY `{alias}` {}",
            if descending {
                "DESC NULLS LAST"
            } else {
                "ASC NULLS LAST"
            }
        );
    } else if let Some(time) = plan.dimensions.iter().find(|d| d.grain.is_some()) {
        clause = format!("\nORDER BY `{}`", time.alias);
    }
    if let Some(limit) = plan.limit
        && measure_alias.is_some()
    {
        let _ = write!(clause, "\nLIMIT {limit}");
    }
    clause
}

pub(super) fn select_list(plan: &Plan, measures: &[(String, String)]) -> String {
    plan.dimensions
        .iter()
        .map(|d| (d.sql.clone(), d.alias.clone()))
        .chain(measures.iter().cloned())
        .map(|(sql, alias)| format!("{sql} AS `{alias}`"))
        .collect::<Vec<_>>()
        .join(",\n  ")
}

fn group_clause(plan: &Plan) -> String {
    if plan.dimensions.is_empty() {
        String::new()
    } else {
        format!(
            "\nGROUP BY {}",
            plan.dimensions
                .iter()
                .map(|d| d.sql.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

pub(super) fn measure_pairs(measures: &[Measure]) -> Vec<(String, String)> {
    measures
        .iter()
        .map(|m| (m.sql.clone(), m.alias.clone()))
        .collect()
}

fn aggregate_sql(plan: &Plan, from: &str) -> String {
    let measures = measure_pairs(&plan.measures);
    let order_alias = plan
        .order_descending
        .and_then(|_| plan.measures.get(plan.order_by.unwrap_or(0)))
        .map(|m| m.alias.as_str());
    format!(
        "SELECT\n  {}\nFROM {from}{}{}{}",
        select_list(plan, &measures),
        where_clause(&conditions(plan)),
        group_clause(plan),
        order_clause(plan, order_alias)
    )
}

fn share_of_total_sql(plan: &Plan, from: &str) -> String {
    let measure = &plan.measures[0];
    let alias = format!("{}_share", measure.alias);
    let measures = vec![(
        format!("{} / SUM({}) OVER ()", measure.sql, measure.sql),
        alias.clone(),
    )];
    format!(
        "SELECT\n  {}\nFROM {from}{}{}{}",
        select_list(plan, &measures),
        where_clause(&conditions(plan)),
        group_clause(plan),
        order_clause(plan, plan.order_descending.map(|_| alias.as_str()))
    )
}

fn conditional_share_sql(plan: &Plan, from: &str, share: &[Condition]) -> String {
    let measure = &plan.measures[0];
    let scope = conditions(plan);
    let mut part = scope.clone();
    part.extend(share.iter());
    let alias = format!("{}_share", measure.alias);
    if plan.dimensions.is_empty() {
        return format!(
            "SELECT\n  (SELECT {m} FROM {from}{w_part}) / (SELECT {m} FROM {from}{w_all}) AS `{alias}`",
            m = measure.sql,
            w_part = where_clause(&part),
            w_all = where_clause(&scope),
        );
    }
    let keys: Vec<String> = (0..plan.dimensions.len())
        .map(|i| format!("d{i}"))
        .collect();
    let inner = |conditions: &[&Condition]| {
        format!(
            "SELECT {}, {} AS v FROM {from}{}{}",
            plan.dimensions
                .iter()
                .zip(&keys)
                .map(|(d, k)| format!("{} AS {k}", d.sql))
                .collect::<Vec<_>>()
                .join(", "),
            measure.sql,
            where_clause(conditions),
            group_clause(plan)
        )
    };
    format!(
        "WITH total AS ({}),\npart AS ({})\nSELECT {}, part.v / total.v AS `{alias}`\nFROM total LEFT JOIN part ON {}",
        inner(&scope),
        inner(&part),
        plan.dimensions
            .iter()
            .zip(&keys)
            .map(|(d, k)| format!("total.{k} AS `{}`", d.alias))
            .collect::<Vec<_>>()
            .join(", "),
        keys.iter()
            .map(|k| format!("total.{k} IS NOT DISTINCT FROM part.{k}"))
            .collect::<Vec<_>>()
            .join(" AND ")
    )
}

fn change_sql(plan: &Plan, from: &str) -> String {
    let measure = &plan.measures[0];
    let Some(time) = plan.dimensions.iter().find(|d| d.grain.is_some()) else {
        return aggregate_sql(plan, from);
    };
    let others: Vec<&str> = plan
        .dimensions
        .iter()
        .filter(|d| d.grain.is_none())
        .map(|d| d.alias.as_str())
        .collect();
    let partition = if others.is_empty() {
        String::new()
    } else {
        format!(
            "PARTITION BY {} ",
            others
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let series = format!(
        "SELECT\n    {}\n  FROM {from}{}{}",
        select_list(plan, &measure_pairs(std::slice::from_ref(measure))).replace("\n  ", "\n    "),
        where_clause(&conditions(plan)),
        group_clause(plan)
    );
    let columns: Vec<String> = plan
        .dimensions
        .iter()
        .map(|d| format!("`{}`", d.alias))
        .chain(std::iter::once(format!("`{}`", measure.alias)))
        .collect();
    format!(
        "WITH series AS (\n  {series}\n)\nSELECT {}, `{m}` - LAG(`{m}`) OVER ({partition}ORDER BY `{t}`) AS `change_from_previous_{g}`\nFROM series\nORDER BY {}`{t}`",
        columns.join(", "),
        others.iter().fold(String::new(), |mut list, alias| {
            let _ = write!(list, "`{alias}`, ");
            list
        }),
        m = measure.alias,
        t = time.alias,
        g = time.alias,
    )
}

fn list_sql(plan: &Plan, from: &str) -> String {
    format!(
        "SELECT *\nFROM {from}{}\nLIMIT 1000",
        where_clause(&conditions(plan))
    )
}
