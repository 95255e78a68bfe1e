//! Static checks of a space, with no Genie call: what is missing that Genie would read,
//! each finding mapped to the lever that fixes it (DESIGN §6). Run on a config alone,
//! or with the Unity Catalog metadata of its schemas (then UC comments count as
//! descriptions and every column of a listed table is checked, not only the configured
//! ones).

use std::collections::BTreeSet;
use std::fmt;

use clap::ValueEnum;
use genie_core::catalog::CatalogSnapshot;
use genie_core::space::{
    MAX_INSTRUCTIONS, MAX_SNIPPETS, MAX_STRING_CHARS, Severity as ProblemSeverity, SpaceConfig,
    SpaceUsage,
};
use serde::Serialize;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ValueEnum)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Severity {
    /// Worth knowing; Genie may do without.
    Info,
    /// Genie likely misreads questions because of it.
    Warning,
    /// The API would reject the config.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        })
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Finding {
    /// The check that found it.
    pub rule: &'static str,
    /// How serious.
    pub severity: Severity,
    /// Where (`data_sources.tables[main.s.t].column_configs[c]`).
    pub path: String,
    /// What is wrong, in a sentence.
    pub message: String,
    /// The lever (1–6) that fixes it; `None` for a validation error fixed by hand.
    pub lever: Option<u8>,
}

/// Share of a budget at which a warning is raised.
const BUDGET_WARNING: f64 = 0.8;

/// Every finding for `config` (with `catalog` when the space's metadata was read).
pub(crate) fn lint(config: &SpaceConfig, catalog: Option<&CatalogSnapshot>) -> Vec<Finding> {
    let mut findings = Vec::new();
    descriptions_and_codes(config, catalog, &mut findings);
    joins(config, catalog, &mut findings);
    budgets(config, &mut findings);
    for problem in config.validate() {
        findings.push(Finding {
            rule: "validation",
            severity: match problem.severity {
                ProblemSeverity::Error => Severity::Error,
                ProblemSeverity::Warning => Severity::Warning,
            },
            path: problem.path,
            message: problem.message,
            lever: None,
        });
    }
    findings
}

/// Whether a column name reads as a code whose stored values users will not type
/// (`status`, `region_cd`, `order_type`).
fn looks_coded(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let last = name.rsplit('_').next().unwrap_or(&name);
    matches!(
        last,
        "code" | "cd" | "status" | "type" | "flag" | "category" | "kind" | "tier" | "class"
    )
}

fn is_text_type(data_type: &str) -> bool {
    let upper = data_type.to_ascii_uppercase();
    upper.starts_with("STRING") || upper.starts_with("VARCHAR") || upper.starts_with("CHAR")
}

fn descriptions_and_codes(
    config: &SpaceConfig,
    catalog: Option<&CatalogSnapshot>,
    findings: &mut Vec<Finding>,
) {
    for table in config.tables() {
        let uc = catalog.and_then(|c| c.tables.get(&table.identifier));
        let path = format!("data_sources.tables[{}]", table.identifier);
        let uc_comment = uc
            .and_then(|t| t.comment.as_deref())
            .is_some_and(|c| !c.trim().is_empty());
        if table.description_text().trim().is_empty() && !uc_comment {
            findings.push(Finding {
                rule: "table_description",
                severity: Severity::Warning,
                path: path.clone(),
                message: format!("table {} has no description", table.identifier),
                lever: Some(1),
            });
        }
        // The columns: the catalog's when read, else the configured ones.
        let columns: Vec<(String, Option<String>, bool)> = match uc {
            Some(uc) => uc
                .columns
                .iter()
                .map(|c| {
                    let described = c.comment.as_deref().is_some_and(|t| !t.trim().is_empty());
                    (c.name.clone(), Some(c.data_type.clone()), described)
                })
                .collect(),
            None => table
                .column_configs()
                .iter()
                .map(|c| (c.column_name.clone(), None, false))
                .collect(),
        };
        for (name, data_type, uc_described) in columns {
            let configured = table
                .column_configs()
                .iter()
                .find(|c| c.column_name.eq_ignore_ascii_case(&name));
            if configured.is_some_and(genie_core::space::ColumnConfig::is_excluded) {
                continue;
            }
            let column_path = format!("{path}.column_configs[{name}]");
            let described =
                uc_described || configured.is_some_and(|c| !c.description_text().trim().is_empty());
            if !described {
                findings.push(Finding {
                    rule: "column_description",
                    severity: Severity::Info,
                    path: column_path.clone(),
                    message: format!("column {}.{name} has no description", table.identifier),
                    lever: Some(1),
                });
            }
            let text = data_type.as_deref().is_none_or(is_text_type);
            let dictionary =
                configured.is_some_and(|c| c.entity_matching() || c.format_assistance());
            if text && looks_coded(&name) && !dictionary {
                findings.push(Finding {
                    rule: "coded_column_dictionary",
                    severity: Severity::Warning,
                    path: column_path,
                    message: format!(
                        "column {}.{name} looks coded but has no value dictionary or example values, so Genie cannot map what users type to what is stored",
                        table.identifier
                    ),
                    lever: Some(1),
                });
            }
        }
    }
}

/// The column names of a table: the catalog's, else the configured ones.
fn column_names(
    config: &SpaceConfig,
    catalog: Option<&CatalogSnapshot>,
    identifier: &str,
) -> BTreeSet<String> {
    if let Some(table) = catalog.and_then(|c| c.tables.get(identifier)) {
        return table
            .columns
            .iter()
            .map(|c| c.name.to_ascii_lowercase())
            .collect();
    }
    config
        .tables()
        .iter()
        .find(|t| t.identifier == identifier)
        .map(|t| {
            t.column_configs()
                .iter()
                .map(|c| c.column_name.to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default()
}

fn joins(config: &SpaceConfig, catalog: Option<&CatalogSnapshot>, findings: &mut Vec<Finding>) {
    let tables: Vec<&str> = config
        .tables()
        .iter()
        .map(|t| t.identifier.as_str())
        .collect();
    if tables.len() < 2 {
        return;
    }
    let joined: BTreeSet<(&str, &str)> = config
        .join_specs()
        .iter()
        .flat_map(|j| {
            let (l, r) = (j.left.identifier.as_str(), j.right.identifier.as_str());
            [(l, r), (r, l)]
        })
        .collect();
    for (i, left) in tables.iter().enumerate() {
        let left_columns = column_names(config, catalog, left);
        for right in tables.iter().skip(i + 1) {
            if joined.contains(&(*left, *right)) {
                continue;
            }
            let right_columns = column_names(config, catalog, right);
            // Neighbours: they share a key-like column.
            let shared: Vec<&String> = left_columns
                .intersection(&right_columns)
                .filter(|c| c.ends_with("_id") || c.ends_with("_key") || c.as_str() == "id")
                .collect();
            if let Some(key) = shared.first() {
                findings.push(Finding {
                    rule: "join_spec",
                    severity: Severity::Warning,
                    path: "instructions.join_specs".to_owned(),
                    message: format!(
                        "{left} and {right} share `{key}` but no join spec relates them, so Genie will not join them"
                    ),
                    lever: Some(6),
                });
            }
        }
    }
}

fn budgets(config: &SpaceConfig, findings: &mut Vec<Finding>) {
    let usage = SpaceUsage::of(config);
    for (name, used, limit, path) in [
        (
            "instruction characters",
            usage.instruction_chars,
            MAX_STRING_CHARS,
            "instructions.text_instructions",
        ),
        (
            "instructions (example SQL, functions, text)",
            usage.instructions,
            MAX_INSTRUCTIONS,
            "instructions",
        ),
        ("snippets", usage.snippets, MAX_SNIPPETS, "instructions"),
    ] {
        #[expect(clippy::cast_precision_loss, reason = "budgets are far below 2^52")]
        let share = used as f64 / limit as f64;
        if share >= BUDGET_WARNING {
            findings.push(Finding {
                rule: "budget",
                severity: if used > limit {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                path: path.to_owned(),
                message: format!("{used} of {limit} {name} used ({:.0}%)", share * 100.0),
                lever: Some(6),
            });
        }
    }
}

/// The findings as a table for people.
pub(crate) fn render(findings: &[Finding]) -> String {
    use std::fmt::Write as _;
    let mut text = String::new();
    for finding in findings {
        let _ = writeln!(
            text,
            "{:<8} {:<24} lever {}  {}\n         at {}",
            finding.severity,
            finding.rule,
            finding
                .lever
                .map_or_else(|| "-".to_owned(), |l| l.to_string()),
            finding.message,
            finding.path
        );
    }
    let _ = write!(text, "{} finding(s)", findings.len());
    text
}

#[cfg(test)]
mod tests {
    use genie_core::space::{ColumnConfig, TableConfig};

    use super::*;

    fn config() -> SpaceConfig {
        let mut config = SpaceConfig::default();
        let mut orders = TableConfig::new("main.s.orders");
        let mut status = ColumnConfig::new("order_status");
        status.description = Some("Where the order stands".into());
        orders.column_configs = Some(vec![ColumnConfig::new("customer_id"), status]);
        let mut customers = TableConfig::new("main.s.customers");
        customers.description = Some("People who buy".into());
        customers.column_configs = Some(vec![ColumnConfig::new("customer_id")]);
        config.tables_mut().push(customers);
        config.tables_mut().push(orders);
        config
    }

    #[test]
    fn findings_map_to_levers() {
        let findings = lint(&config(), None);
        let rules: Vec<(&str, Option<u8>)> = findings
            .iter()
            .filter(|f| f.rule != "validation")
            .map(|f| (f.rule, f.lever))
            .collect();
        assert!(rules.contains(&("table_description", Some(1))), "{rules:?}");
        assert!(
            rules.contains(&("coded_column_dictionary", Some(1))),
            "{rules:?}"
        );
        assert!(rules.contains(&("join_spec", Some(6))), "{rules:?}");
        assert!(
            rules.contains(&("column_description", Some(1))),
            "{rules:?}"
        );
        let orders = findings
            .iter()
            .find(|f| f.rule == "table_description")
            .unwrap();
        assert_eq!(orders.path, "data_sources.tables[main.s.orders]");
    }

    #[test]
    fn a_value_dictionary_silences_the_coded_column_check() {
        let mut config = config();
        let orders = config
            .tables_mut()
            .iter_mut()
            .find(|t| t.identifier == "main.s.orders")
            .unwrap();
        for column in orders.column_configs.iter_mut().flatten() {
            column.enable_entity_matching = Some(true);
        }
        assert!(
            !lint(&config, None)
                .iter()
                .any(|f| f.rule == "coded_column_dictionary")
        );
    }

    #[test]
    fn codes_are_read_from_the_last_name_part() {
        assert!(looks_coded("region_cd") && looks_coded("STATUS") && looks_coded("order_type"));
        assert!(!looks_coded("typeface") && !looks_coded("customer_name"));
    }
}
