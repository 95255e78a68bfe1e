//! Metric views: the space's `data_sources.metric_views` (those in the catalog) are
//! read like tables — description, column configs (synonyms, descriptions, exclusion,
//! value switches) — with their dimensions as columns and their measures as measure
//! columns, named as strongly as a measure snippet and computed as ``MEASURE(`m`)``.
//!
//! A plan whose measures are all measures of one metric view, and whose other parts
//! (groupings, conditions, periods on a date dimension) read only that view, is
//! answered from it: ``SELECT <dims>, MEASURE(`m`) AS `m` FROM <view> WHERE … GROUP BY
//! ALL``. Any other plan that touches a metric view is read again without metric views,
//! from tables, and the answer says why. Metric views are never joined (Databricks
//! refuses a direct join), and they come last in the model, so no join spec, snippet
//! or definition refers to them.

use genie_core::space::SpaceConfig;

use super::Draw;
use super::catalog::Catalog;
use super::interpret::{Unanswerable, interpret, quoted_name};
use super::lexicon::Lexicon;
use super::model::{ModelTable, SpaceModel, model_columns};
use super::plan::{Plan, Shape};
use super::render::{
    Rendered, conditions, measure_pairs, order_clause, render, select_list, where_clause,
};

/// Adds the metric views `space` lists and `catalog` has to `model`, after its tables.
pub(crate) fn add_metric_views(model: &mut SpaceModel, catalog: &Catalog, space: &SpaceConfig) {
    for source in space.metric_views() {
        let Some(view) = catalog.table(&source.identifier) else {
            continue;
        };
        if !view.is_metric_view() || model.table_index(&view.name).is_some() {
            continue;
        }
        let description = Some(source.description_text())
            .filter(|text| !text.trim().is_empty())
            .or_else(|| view.comment.clone())
            .unwrap_or_default();
        model.tables.push(ModelTable {
            alias: view.short_name().to_owned(),
            name: view.name.clone(),
            description,
            columns: model_columns(view, source),
            metric_view: true,
        });
    }
}

/// ``MEASURE(`m`)``: how a measure column of a metric view is computed.
pub(crate) fn measure_sql(name: &str) -> String {
    format!("MEASURE(`{name}`)")
}

/// How a plan relates to the metric views.
enum Reach {
    /// It reads no metric view.
    None,
    /// One metric view answers all of it.
    Whole(usize),
    /// It reads a metric view that cannot answer all of it (why).
    Partial(usize, String),
}

fn reach(model: &SpaceModel, plan: &Plan) -> Reach {
    let tables = plan.tables();
    let is_view = |table: &usize| model.tables[*table].metric_view;
    let Some(&view) = tables
        .iter()
        .chain(&plan.context)
        .find(|table| is_view(table))
    else {
        return Reach::None;
    };
    let alias = &model.tables[view].alias;
    if let Some(&other) = tables.iter().find(|&&table| table != view) {
        return Reach::Partial(
            view,
            format!(
                "the question also needs `{}`, and a metric view is not joined",
                model.tables[other].alias
            ),
        );
    }
    let measures_of_view: Vec<String> = model.tables[view]
        .columns
        .iter()
        .filter(|column| column.measure)
        .map(|column| measure_sql(&column.name))
        .collect();
    if plan.measures.is_empty() {
        return Reach::Partial(view, format!("nothing asked is a measure of `{alias}`"));
    }
    if let Some(measure) = plan
        .measures
        .iter()
        .find(|measure| !measures_of_view.contains(&measure.sql))
    {
        return Reach::Partial(
            view,
            format!(
                "`{}` is not one of the measures of `{alias}`",
                measure.describe
            ),
        );
    }
    if plan.shape != Shape::Aggregate {
        return Reach::Partial(
            view,
            "this form of question is not answered from a metric view".to_owned(),
        );
    }
    Reach::Whole(view)
}

/// Reads `question` into a plan and renders it: from one metric view when it answers
/// the whole plan; else, when the plan touched a metric view, read again without
/// metric views; `Ok(None)` when nothing is left to select.
pub(crate) fn read_and_render(
    model: &SpaceModel,
    lexicon: &Lexicon,
    question: &str,
    draw: Draw,
) -> Result<Option<Rendered>, Unanswerable> {
    let plan = interpret(model, lexicon, question, draw)?;
    match reach(model, &plan) {
        Reach::None => Ok(render(model, plan)),
        Reach::Whole(view) => Ok(Some(render_from_view(model, &plan, view))),
        Reach::Partial(view, reason) => {
            let mut tables_only = model.clone();
            tables_only.tables.retain(|table| !table.metric_view);
            let lexicon = Lexicon::build(&tables_only);
            let mut plan = interpret(&tables_only, &lexicon, question, draw)?;
            plan.notes.push(format!(
                "the metric view `{}` is left out: {reason}; the answer reads tables",
                model.tables[view].alias
            ));
            Ok(render(&tables_only, plan))
        }
    }
}

/// ``SELECT <dims>, MEASURE(`m`) AS `m` FROM <view> [WHERE …] [GROUP BY ALL] [ORDER
/// BY …] [LIMIT n]``.
fn render_from_view(model: &SpaceModel, plan: &Plan, view: usize) -> Rendered {
    let table = &model.tables[view];
    let measures = measure_pairs(&plan.measures);
    let order_alias = plan
        .order_descending
        .and_then(|_| plan.measures.get(plan.order_by.unwrap_or(0)))
        .map(|measure| measure.alias.as_str());
    let group = if plan.dimensions.is_empty() {
        ""
    } else {
        "\nGROUP BY ALL"
    };
    let sql = format!(
        "SELECT\n  {}\nFROM {}{}{group}{}",
        select_list(plan, &measures),
        quoted_name(&table.name),
        where_clause(&conditions(plan)),
        order_clause(plan, order_alias)
    );
    let mut steps = vec![format!(
        "Read the metric view `{}`, which defines the measures asked",
        table.alias
    )];
    steps.extend(plan.measures.iter().map(|m| m.describe.clone()));
    steps.extend(plan.dimensions.iter().map(|d| d.describe.clone()));
    steps.extend(plan.conditions.iter().map(|c| c.describe.clone()));
    steps.extend(plan.notes.iter().cloned());
    Rendered {
        sql,
        tables: vec![table.name.clone()],
        steps,
    }
}
