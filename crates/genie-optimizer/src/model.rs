//! The model path: with an [`Llm`], the optimizer also asks a model for patches of the
//! lever, given the failures' side information and the space, with the versioned
//! prompt `prompts/propose.v1.md`.
//!
//! The answer must be one JSON object whose `patches` are Patch DSL objects of the
//! requested lever. An answer that does not parse, or any patch of it that does not, is
//! dropped whole with a logged reason — never half taken. Each parsed patch's SQL (an
//! example's query, a snippet's expression, a join's condition) must be one read-only
//! statement, and with a [`Warehouse`] it is run (markers as `NULL`, on no rows) and
//! dropped when the warehouse refuses it. What survives joins the deterministic
//! candidates and passes the same guards: reflection, leakage, budgets, conflicts and
//! genie-core's application.

use std::collections::BTreeSet;
use std::sync::Arc;

use genie_core::patch::{Patch, PatchOp, Risk};
use genie_core::ports::{ChatMessage, ChatRequest, ChatRole, ExecuteOptions, Llm, Warehouse};
use genie_core::space::SnippetKind;
use genie_core::taxonomy::{FailureType, Lever};
use genie_core::workers::ProposalRequest;
use serde_json::{Value, json};

use crate::evidence::Corpus;
use crate::guards::Skipped;
use crate::levers::Candidate;
use crate::shape::short_name;

/// The prompt's version, recorded in every model patch's rationale.
pub(crate) const PROMPT_VERSION: &str = "propose.v1";
const PROMPT: &str = include_str!("../prompts/propose.v1.md");

/// Asks the model for candidates of the request's lever; failures and malformed
/// answers are logged and recorded in `skipped`, never errors.
pub(crate) async fn candidates(
    llm: &Arc<dyn Llm>,
    warehouse: Option<&Arc<dyn Warehouse>>,
    request: &ProposalRequest,
    corpus: &Corpus,
    proposed: &[Candidate],
    skipped: &mut Vec<Skipped>,
) -> Vec<Candidate> {
    let input = prompt_input(request, corpus, proposed);
    let chat = ChatRequest {
        messages: vec![
            ChatMessage {
                role: ChatRole::System,
                content: PROMPT.to_owned(),
            },
            ChatMessage {
                role: ChatRole::User,
                content: input.to_string(),
            },
        ],
        max_tokens: Some(4096),
        temperature: Some(0.0),
    };
    let answer = match llm.complete(&chat).await {
        Ok(answer) => answer,
        Err(error) => {
            tracing::warn!(%error, "the model could not be asked; deterministic proposals only");
            skipped.push(Skipped {
                patches: Vec::new(),
                reason: format!("model answer dropped: the call failed ({error})"),
            });
            return Vec::new();
        }
    };
    let patches = match parse_answer(&answer.content, request.lever) {
        Ok(patches) => patches,
        Err(reason) => {
            tracing::warn!(%reason, "model answer dropped");
            skipped.push(Skipped {
                patches: Vec::new(),
                reason: format!("model answer dropped: {reason}"),
            });
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for patch in patches {
        if let Err(reason) = check_sql(&patch, request, warehouse).await {
            tracing::warn!(op = patch.op.name(), %reason, "model patch dropped");
            skipped.push(Skipped {
                patches: vec![patch],
                reason: format!("model patch dropped: {reason}"),
            });
            continue;
        }
        let concept = !matches!(
            patch.op,
            PatchOp::AddExampleSql { .. }
                | PatchOp::AddInstruction { .. }
                | PatchOp::UpdateInstruction { .. }
                | PatchOp::AddSampleQuestion { .. }
        );
        let cluster = corpus.cluster_of(
            &patch
                .fixes
                .iter()
                .filter_map(|id| {
                    corpus
                        .row(id)
                        .and_then(|row| row.findings.first())
                        .map(|finding| (id.clone(), finding.failure_type))
                })
                .collect::<Vec<(String, FailureType)>>(),
        );
        out.push(Candidate {
            patches: vec![Patch { cluster, ..patch }],
            concept,
            kind: 10,
        });
    }
    out
}

/// The answer's patches, all of the requested lever; any malformed part refuses the
/// whole answer.
pub(crate) fn parse_answer(content: &str, lever: Lever) -> Result<Vec<Patch>, String> {
    let start = content.find('{').ok_or("no JSON object in the answer")?;
    let end = content.rfind('}').ok_or("no JSON object in the answer")?;
    let value: Value = serde_json::from_str(&content[start..=end])
        .map_err(|error| format!("not JSON: {error}"))?;
    let items = value
        .get("patches")
        .and_then(Value::as_array)
        .ok_or("no `patches` array")?;
    let mut patches = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let op: PatchOp = serde_json::from_value(item.clone())
            .map_err(|error| format!("patch {index} is not a Patch DSL op: {error}"))?;
        if op.natural_lever() != lever {
            return Err(format!(
                "patch {index} (`{}`) belongs to {}, not {lever}",
                op.name(),
                op.natural_lever()
            ));
        }
        let risk: Risk = item
            .get("risk")
            .map(|risk| serde_json::from_value(risk.clone()))
            .transpose()
            .map_err(|error| format!("patch {index} has no valid risk: {error}"))?
            .unwrap_or(Risk::Medium);
        let rationale = item
            .get("rationale")
            .and_then(Value::as_str)
            .filter(|text| !text.trim().is_empty())
            .ok_or_else(|| format!("patch {index} has no rationale"))?;
        let fixes: Vec<String> = item
            .get("fixes")
            .map(|fixes| serde_json::from_value(fixes.clone()))
            .transpose()
            .map_err(|error| format!("patch {index} has no valid fixes: {error}"))?
            .unwrap_or_default();
        patches.push(Patch {
            lever,
            op,
            risk,
            rationale: format!("{} (model, prompt {PROMPT_VERSION})", rationale.trim()),
            fixes,
            cluster: None,
        });
    }
    Ok(patches)
}

/// The SQL a patch writes, checked: one read-only statement, and run on no rows when a
/// warehouse is given.
async fn check_sql(
    patch: &Patch,
    request: &ProposalRequest,
    warehouse: Option<&Arc<dyn Warehouse>>,
) -> Result<(), String> {
    let Some(statement) = probe(&patch.op, request) else {
        return Ok(());
    };
    let statement = statement?;
    let sanitized = genie_core::sql::sanitize(&statement)
        .map_err(|error| format!("its SQL is refused: {error}"))?;
    if let Some(warehouse) = warehouse {
        let options = ExecuteOptions {
            row_limit: Some(1),
            ..ExecuteOptions::default()
        };
        warehouse
            .execute(sanitized.as_str(), &options)
            .await
            .map_err(|error| format!("the warehouse refused its SQL: {error}"))?;
    }
    Ok(())
}

/// A query that exercises the SQL an op writes (on no rows), or `None` when it writes
/// none.
fn probe(op: &PatchOp, request: &ProposalRequest) -> Option<Result<String, String>> {
    let space = request.metadata.config();
    let tables_of = |sql: &str| -> Result<String, String> {
        let lower = sql.to_lowercase();
        let mut from: Vec<String> = Vec::new();
        for source in space.all_data_sources() {
            let short = short_name(&source.identifier);
            if lower.contains(&format!("{short}."))
                && !from.iter().any(|f| f.ends_with(&format!(" AS {short}")))
            {
                from.push(format!("{} AS {short}", source.identifier));
            }
        }
        if from.is_empty() {
            return Err("its SQL names no table of the space".to_owned());
        }
        Ok(from.join(" CROSS JOIN "))
    };
    let markers_as_null = |sql: &str| -> String {
        let mut out = String::new();
        let mut chars = sql.chars().peekable();
        let mut quoted = false;
        while let Some(c) = chars.next() {
            if c == '\'' {
                quoted = !quoted;
            }
            if c == ':' && !quoted && chars.peek().is_some_and(|n| n.is_alphabetic() || *n == '_') {
                while chars
                    .peek()
                    .is_some_and(|n| n.is_alphanumeric() || *n == '_')
                {
                    chars.next();
                }
                out.push_str("NULL");
                continue;
            }
            out.push(c);
        }
        out
    };
    Some(match op {
        PatchOp::AddExampleSql { sql, .. } => Ok(format!(
            "SELECT * FROM ({}) AS probe WHERE 1 = 0",
            markers_as_null(sql)
        )),
        PatchOp::AddSqlSnippet { kind, sql, .. } => tables_of(sql).map(|from| match kind {
            SnippetKind::Filter => format!("SELECT 1 FROM {from} WHERE ({sql}) AND 1 = 0"),
            SnippetKind::Expression | SnippetKind::Measure => {
                format!("SELECT {sql} FROM {from} WHERE 1 = 0")
            }
        }),
        PatchOp::AddJoinSpec {
            left,
            right,
            condition,
            ..
        } => {
            let alias = |identifier: &str| short_name(identifier);
            Ok(format!(
                "SELECT 1 FROM {left} AS {} JOIN {right} AS {} ON {condition} WHERE 1 = 0",
                alias(left),
                alias(right)
            ))
        }
        _ => return None,
    })
}

/// What the model is shown.
fn prompt_input(request: &ProposalRequest, corpus: &Corpus, proposed: &[Candidate]) -> Value {
    let space = request.metadata.config();
    let catalog = request.metadata.catalog();
    let tables: Vec<Value> = space
        .all_data_sources()
        .map(|source| {
            let columns: Vec<Value> = catalog
                .table(&source.identifier)
                .map(|table| {
                    table
                        .columns
                        .iter()
                        .map(|column| {
                            let config = source.column(&column.name);
                            json!({
                                "name": column.name,
                                "type": column.full_data_type.clone().unwrap_or_else(|| column.data_type.clone()),
                                "description": config.map(genie_core::space::ColumnConfig::description_text).filter(|d| !d.is_empty()).or_else(|| column.comment.clone()),
                                "synonyms": config.map(|c| c.synonyms().to_vec()).unwrap_or_default(),
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            json!({"identifier": source.identifier, "description": source.description_text(), "columns": columns})
        })
        .collect();
    let lever = request.lever;
    let mapped: BTreeSet<&str> = corpus
        .clusters_for(lever)
        .into_iter()
        .flat_map(|cluster| cluster.question_ids.iter().map(String::as_str))
        .collect();
    let failures: Vec<Value> = corpus
        .clusters_for(lever)
        .into_iter()
        .map(|cluster| {
            let questions: Vec<Value> = request
                .failures
                .iter()
                .filter(|row| cluster.question_ids.contains(&row.id) && mapped.contains(row.id.as_str()))
                .map(|row| {
                    let fixes: Vec<&str> = row
                        .verdicts
                        .iter()
                        .filter_map(|verdict| verdict.counterfactual_fix.as_deref())
                        .collect();
                    json!({"id": row.id, "question": row.question, "expected_sql": row.expected_sql,
                           "genie_sql": row.genie_sql, "counterfactual_fixes": fixes})
                })
                .collect();
            json!({"failure_type": cluster.failure_type, "blame_set": cluster.blame_set, "questions": questions})
        })
        .collect();
    let already: Vec<&Patch> = proposed
        .iter()
        .flat_map(|candidate| &candidate.patches)
        .collect();
    json!({
        "lever": {"number": lever.number(), "name": lever.name()},
        "allowed_ops": allowed_ops(lever),
        "space": {"tables": tables, "join_specs": space.join_specs(), "measures": space.measures(),
                  "filters": space.filters(), "expressions": space.expressions()},
        "failures": failures,
        "already_proposed": already,
    })
}

fn allowed_ops(lever: Lever) -> Vec<&'static str> {
    match lever {
        Lever::UcMetadata => vec![
            "set_table_description {target, value}",
            "set_column_description {target: {table, column}, value}",
            "add_column_synonym {target: {table, column}, value}",
            "enable_example_values {target: {table, column}, value: true}",
            "enable_value_dictionary {target: {table, column}, value: true}",
        ],
        Lever::MetricViews => vec![
            "create_metric_view {target, value: YAML}",
            "add_metric_view_to_space {target}",
        ],
        Lever::Functions => vec![
            "create_function {target, value: CREATE OR REPLACE FUNCTION …}",
            "add_function_to_space {target}",
        ],
        Lever::MonitoringTables | Lever::MlTables => {
            vec!["set_table_property {target, key, value}"]
        }
        Lever::SpaceInstructions => vec![
            "add_join_spec {left, right, condition, relationship: MANY_TO_ONE|ONE_TO_MANY|ONE_TO_ONE|MANY_TO_MANY}",
            "add_sql_snippet {kind: filter|expression|measure, name, sql, synonyms}",
            "add_example_sql {question, sql, usage_guidance}",
            "add_instruction {value}",
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_parse_whole_or_not_at_all() {
        let good = r#"Sure: {"patches": [{"op": "add_sql_snippet", "kind": "measure", "name": "net_sales",
            "sql": "SUM(lines.amount)", "synonyms": ["sales"], "risk": "low", "rationale": "a KPI", "fixes": ["q1"]}]}"#;
        let patches = parse_answer(good, Lever::SpaceInstructions).unwrap();
        assert_eq!(patches.len(), 1);
        assert_eq!(patches[0].fixes, ["q1"]);
        assert!(patches[0].rationale.ends_with("(model, prompt propose.v1)"));
        let half = r#"{"patches": [{"op": "add_instruction", "value": "x", "rationale": "r"}, {"op": "drop_table"}]}"#;
        assert!(
            parse_answer(half, Lever::SpaceInstructions)
                .unwrap_err()
                .contains("patch 1")
        );
        let wrong_lever = r#"{"patches": [{"op": "add_column_synonym", "target": {"table": "t", "column": "c"}, "value": "v", "rationale": "r"}]}"#;
        assert!(
            parse_answer(wrong_lever, Lever::SpaceInstructions)
                .unwrap_err()
                .contains("lever 1")
        );
        assert!(parse_answer("no idea", Lever::SpaceInstructions).is_err());
        assert!(
            parse_answer(
                r#"{"patches": [{"op": "add_instruction", "value": "x"}]}"#,
                Lever::SpaceInstructions
            )
            .is_err()
        );
    }
}
