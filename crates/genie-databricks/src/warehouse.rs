//! [`DatabricksWarehouse`]: genie-core's [`Warehouse`] over the SQL Statement Execution
//! API — submit with a `wait_timeout`, poll until the statement ends, fetch every result
//! chunk, cancel on the caller's deadline.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use genie_core::error::{PortError, PortErrorKind};
use genie_core::ports::{ExecuteOptions, Warehouse};
use genie_core::result::ResultSet;
use reqwest::Method;
use serde_json::{Value, json};

use crate::http::{Idempotency, RestClient};
use crate::statement_result;

/// How long a statement may run when the caller sets no deadline.
const DEFAULT_DEADLINE: Duration = Duration::from_mins(10);

/// A SQL warehouse of a workspace.
#[derive(Debug, Clone)]
pub struct DatabricksWarehouse {
    client: RestClient,
    warehouse_id: String,
    /// The first wait between polls (it grows to five seconds).
    pub poll_interval: Duration,
}

impl DatabricksWarehouse {
    /// The warehouse `warehouse_id`, called through `client`.
    pub fn new(client: RestClient, warehouse_id: impl Into<String>) -> Self {
        Self {
            client,
            warehouse_id: warehouse_id.into(),
            poll_interval: Duration::from_millis(250),
        }
    }

    async fn run(&self, sql: &str, options: &ExecuteOptions) -> Result<ResultSet, PortError> {
        let deadline = Instant::now()
            + options
                .timeout_ms
                .map_or(DEFAULT_DEADLINE, Duration::from_millis);
        let mut body = json!({
            "statement": sql,
            "warehouse_id": self.warehouse_id,
            "wait_timeout": "30s",
            "on_wait_timeout": "CONTINUE",
            "disposition": "INLINE",
            "format": "JSON_ARRAY",
        });
        if let Some(limit) = options.row_limit {
            body["row_limit"] = json!(limit);
        }
        if let Some(catalog) = &options.catalog {
            body["catalog"] = json!(catalog);
        }
        if let Some(schema) = &options.schema {
            body["schema"] = json!(schema);
        }
        if !options.parameters.is_empty() {
            body["parameters"] = options
                .parameters
                .iter()
                .map(|(name, value)| json!({"name": name, "value": value}))
                .collect();
        }
        // Statements are queries or metadata changes that give the same result when
        // repeated, so a lost answer may be asked again.
        let mut answer = self
            .client
            .call(
                Method::POST,
                "/api/2.0/sql/statements",
                Some(&body),
                Idempotency::Idempotent,
            )
            .await?;
        let id = answer["statement_id"]
            .as_str()
            .ok_or_else(|| PortError::new(PortErrorKind::Other, "no `statement_id` in the answer"))?
            .to_owned();
        let mut wait = self.poll_interval;
        while matches!(state(&answer), "PENDING" | "RUNNING") {
            if Instant::now() >= deadline {
                let _ = self
                    .client
                    .call(
                        Method::POST,
                        &format!("/api/2.0/sql/statements/{id}/cancel"),
                        Some(&json!({})),
                        Idempotency::Idempotent,
                    )
                    .await;
                return Err(PortError::new(
                    PortErrorKind::Timeout,
                    format!("statement `{id}` did not finish in time and was cancelled"),
                ));
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(5));
            answer = self
                .client
                .call(
                    Method::GET,
                    &format!("/api/2.0/sql/statements/{id}"),
                    None,
                    Idempotency::Idempotent,
                )
                .await?;
        }
        match state(&answer) {
            "SUCCEEDED" => self.collect(&id, &answer).await,
            "FAILED" => Err(PortError::new(
                PortErrorKind::StatementFailed,
                answer["status"]["error"]["message"]
                    .as_str()
                    .unwrap_or("the statement failed")
                    .to_owned(),
            )),
            other => Err(PortError::new(
                PortErrorKind::Other,
                format!("statement `{id}` ended `{other}`"),
            )),
        }
    }

    /// Every chunk of a finished statement's result.
    async fn collect(&self, id: &str, answer: &Value) -> Result<ResultSet, PortError> {
        let manifest = &answer["manifest"];
        let mut result = statement_result::empty(manifest);
        result
            .rows
            .extend(statement_result::rows(&answer["result"], &result.columns)?);
        let chunks = manifest["total_chunk_count"].as_u64().unwrap_or(1);
        for index in 1..chunks {
            let chunk = self
                .client
                .call(
                    Method::GET,
                    &format!("/api/2.0/sql/statements/{id}/result/chunks/{index}"),
                    None,
                    Idempotency::Idempotent,
                )
                .await?;
            result
                .rows
                .extend(statement_result::rows(&chunk, &result.columns)?);
        }
        Ok(result)
    }
}

fn state(answer: &Value) -> &str {
    answer["status"]["state"].as_str().unwrap_or("")
}

#[async_trait]
impl Warehouse for DatabricksWarehouse {
    async fn execute(&self, sql: &str, options: &ExecuteOptions) -> Result<ResultSet, PortError> {
        self.run(sql, options).await
    }

    async fn explain(&self, sql: &str) -> Result<String, PortError> {
        let plan = self
            .run(&format!("EXPLAIN {sql}"), &ExecuteOptions::default())
            .await?;
        Ok(plan
            .rows
            .iter()
            .flat_map(|row| row.iter())
            .filter_map(|cell| match cell {
                genie_core::result::Cell::String(text) => Some(text.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n"))
    }

    async fn execute_ddl(&self, statement: &str) -> Result<(), PortError> {
        self.run(statement, &ExecuteOptions::default())
            .await
            .map(|_| ())
    }
}
