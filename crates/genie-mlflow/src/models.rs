//! Logged models as both trackers return them: MLflow's JSON read into
//! [`LoggedModel`], a [`ModelQuery`] written as MLflow's search filter, and the one
//! ordering rule both trackers apply.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use genie_core::error::{PortError, PortErrorKind};
use genie_core::ports::{DatasetRef, LoggedModel, ModelMetric, ModelQuery};
use serde_json::{Value, json};

/// Sorts `models` by the query's metric (highest first, models without it last, then
/// by id for a stable order) and keeps at most `max_results`.
pub(crate) fn order_and_limit(
    mut models: Vec<LoggedModel>,
    query: &ModelQuery,
) -> Vec<LoggedModel> {
    models.sort_by(|a, b| {
        let by_metric = query
            .order_by_metric
            .as_deref()
            .map_or(Ordering::Equal, |key| {
                match (a.metric(key), b.metric(key)) {
                    (Some(x), Some(y)) => y.total_cmp(&x),
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (None, None) => Ordering::Equal,
                }
            });
        by_metric.then_with(|| a.model_id.cmp(&b.model_id))
    });
    if query.max_results > 0 {
        models.truncate(query.max_results);
    }
    models
}

/// The body of `logged-models/search` for one page.
pub(crate) fn search_body(
    experiment_id: &str,
    query: &ModelQuery,
    page_token: Option<&str>,
) -> Value {
    let mut body = json!({ "experiment_ids": [experiment_id], "max_results": 100 });
    let filter = filter(query);
    if !filter.is_empty() {
        body["filter"] = json!(filter);
    }
    if let Some(key) = &query.order_by_metric {
        body["order_by"] =
            json!([{ "field_name": format!("metrics.{}", quote_key(key)), "ascending": false }]);
    }
    if let Some(token) = page_token {
        body["page_token"] = json!(token);
    }
    body
}

/// MLflow's filter for the query's tags: `` tags.`k` = 'v' AND … ``.
fn filter(query: &ModelQuery) -> String {
    query
        .tags
        .iter()
        .map(|(key, value)| format!("tags.{} = '{}'", quote_key(key), value.replace('\'', "\\'")))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// A key as MLflow's filter grammar accepts it: bare when it is a plain identifier,
/// in backticks otherwise (dots, dashes, spaces).
fn quote_key(key: &str) -> String {
    let plain = key
        .chars()
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        key.to_owned()
    } else {
        format!("`{key}`")
    }
}

/// One `{"info": …, "data": …}` model from MLflow.
pub(crate) fn logged_model(model: &Value) -> Result<LoggedModel, PortError> {
    let info = &model["info"];
    let text = |field: &str| info[field].as_str().map(str::to_owned);
    let model_id = text("model_id").ok_or_else(|| {
        PortError::new(
            PortErrorKind::Other,
            "logged model without `model_id`".to_owned(),
        )
    })?;
    let metrics = model["data"]["metrics"]
        .as_array()
        .map(|metrics| metrics.iter().filter_map(model_metric).collect())
        .unwrap_or_default();
    Ok(LoggedModel {
        name: text("name").unwrap_or_default(),
        experiment_id: text("experiment_id").unwrap_or_default(),
        source_run_id: text("source_run_id").filter(|run| !run.is_empty()),
        status: text("status").unwrap_or_default(),
        params: pairs(&model["data"]["params"]),
        tags: pairs(&info["tags"]),
        metrics,
        model_id,
    })
}

/// A linked metric; MLflow sends non-finite values as strings.
fn model_metric(metric: &Value) -> Option<ModelMetric> {
    let value = match &metric["value"] {
        Value::Number(number) => number.as_f64()?,
        Value::String(text) => match text.as_str() {
            "Infinity" => f64::INFINITY,
            "-Infinity" => f64::NEG_INFINITY,
            _ => f64::NAN,
        },
        _ => return None,
    };
    let text = |field: &str| metric[field].as_str().map(str::to_owned);
    Some(ModelMetric {
        key: text("key")?,
        value,
        step: metric["step"]
            .as_u64()
            .or_else(|| metric["step"].as_str().and_then(|step| step.parse().ok()))
            .unwrap_or(0),
        run_id: text("run_id"),
        dataset: text("dataset_name")
            .zip(text("dataset_digest"))
            .map(|(name, digest)| DatasetRef { name, digest }),
    })
}

/// `[{key, value}]` as a map.
fn pairs(value: &Value) -> BTreeMap<String, String> {
    value
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .filter_map(|entry| {
                    Some((
                        entry["key"].as_str()?.to_owned(),
                        entry["value"].as_str().unwrap_or_default().to_owned(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(id: &str, accuracy: Option<f64>) -> LoggedModel {
        LoggedModel {
            model_id: id.to_owned(),
            name: id.to_owned(),
            experiment_id: "1".to_owned(),
            source_run_id: None,
            status: "LOGGED_MODEL_READY".to_owned(),
            params: BTreeMap::new(),
            tags: BTreeMap::new(),
            metrics: accuracy
                .map(|value| ModelMetric {
                    key: "accuracy".to_owned(),
                    value,
                    step: 0,
                    run_id: None,
                    dataset: None,
                })
                .into_iter()
                .collect(),
        }
    }

    #[test]
    fn models_sort_by_metric_with_missing_last_and_are_limited() {
        let query = ModelQuery {
            order_by_metric: Some("accuracy".to_owned()),
            max_results: 3,
            ..ModelQuery::default()
        };
        let models = vec![
            model("a", None),
            model("b", Some(0.5)),
            model("c", Some(0.9)),
            model("d", Some(0.1)),
        ];
        let ids: Vec<_> = order_and_limit(models, &query)
            .into_iter()
            .map(|m| m.model_id)
            .collect();
        assert_eq!(ids, ["c", "b", "d"]);
    }

    #[test]
    fn filters_quote_dotted_keys_and_escape_values() {
        let query = ModelQuery {
            tags: BTreeMap::from([
                ("genie.space_id".to_owned(), "01ef".to_owned()),
                ("stage".to_owned(), "it's".to_owned()),
            ]),
            order_by_metric: Some("result_correctness".to_owned()),
            max_results: 0,
        };
        let body = search_body("7", &query, Some("tok"));
        assert_eq!(
            body["filter"],
            "tags.`genie.space_id` = '01ef' AND tags.stage = 'it\\'s'"
        );
        assert_eq!(
            body["order_by"][0]["field_name"],
            "metrics.result_correctness"
        );
        assert_eq!(body["page_token"], "tok");
    }

    #[test]
    fn mlflow_models_are_read_with_linked_metrics() {
        let json = json!({
            "info": {"model_id": "m-1", "name": "n", "experiment_id": "3", "status": "LOGGED_MODEL_READY",
                     "source_run_id": "r", "tags": [{"key": "promoted", "value": "true"}]},
            "data": {"params": [{"key": "p", "value": "v"}],
                     "metrics": [{"key": "accuracy", "value": 0.8, "step": 2, "run_id": "r",
                                  "dataset_name": "d", "dataset_digest": "h"},
                                 {"key": "loss", "value": "NaN", "step": 0}]}
        });
        let model = logged_model(&json).unwrap();
        assert_eq!(model.tags["promoted"], "true");
        assert_eq!(model.params["p"], "v");
        assert_eq!(model.metric("accuracy"), Some(0.8));
        assert_eq!(
            model.metrics[0].dataset,
            Some(DatasetRef {
                name: "d".into(),
                digest: "h".into()
            })
        );
        assert!(model.metric("loss").unwrap().is_nan());
        assert!(logged_model(&json!({"info": {}})).is_err());
    }
}
