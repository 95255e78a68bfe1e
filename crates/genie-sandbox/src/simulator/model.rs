//! [`SpaceModel`]: the space as the simulator reads it — the space's tables joined with
//! their Unity Catalog metadata (space descriptions over UC comments, excluded columns
//! removed), join specs as a graph over those tables, SQL snippets, and the rules of
//! the text instructions.

use std::fmt::Write as _;

use genie_core::result::ColumnType;
use genie_core::space::{SnippetKind, SpaceConfig, SqlSnippet, TableConfig};
use sqlparser::dialect::DatabricksDialect;
use sqlparser::tokenizer::{Token as SqlToken, Tokenizer};

use super::catalog::{Catalog, CatalogTable};
use super::instructions::{InstructionRule, parse_instructions};
use super::values::decoded_labels;

/// The space's data and knowledge, resolved against the catalog.
#[derive(Debug, Clone, Default)]
pub(crate) struct SpaceModel {
    pub(crate) tables: Vec<ModelTable>,
    pub(crate) joins: Vec<JoinEdge>,
    pub(crate) snippets: Vec<Snippet>,
    pub(crate) rules: Vec<InstructionRule>,
    /// The text instructions, lower case (prose Genie reads for guidance, such as
    /// which date column periods use).
    pub(crate) instruction_text: String,
    /// Tables (three-part names, lower case) a plain example close to the question
    /// reads: where a phrase could name several things, these tables are preferred.
    pub(crate) guided_tables: Vec<String>,
}

/// A table of the space that exists in the catalog.
#[derive(Debug, Clone)]
pub(crate) struct ModelTable {
    /// Three-part name, lower case.
    pub(crate) name: String,
    /// The alias the simulator's SQL gives it: its last name part.
    pub(crate) alias: String,
    /// Space description, else UC comment (may be empty).
    pub(crate) description: String,
    /// Visible columns (excluded ones are gone).
    pub(crate) columns: Vec<ModelColumn>,
    /// Whether it is a metric view the space lists ([`super::metric_views`]).
    pub(crate) metric_view: bool,
}

/// A visible column.
#[derive(Debug, Clone)]
pub(crate) struct ModelColumn {
    pub(crate) name: String,
    pub(crate) column_type: ColumnType,
    /// Space description, else UC comment (may be empty).
    pub(crate) description: String,
    pub(crate) synonyms: Vec<String>,
    /// Sample values Genie may see: the column's values when format assistance is on.
    pub(crate) format_assistance: bool,
    /// Value dictionary: near spellings and labels map to stored values.
    pub(crate) entity_matching: bool,
    /// Distinct stored values (string columns).
    pub(crate) values: Vec<String>,
    /// `(label, stored value)` pairs decoded from the description (`CODE = label`).
    pub(crate) labels: Vec<(String, String)>,
    /// Whether it is a measure of a metric view (read as ``MEASURE(`m`)``).
    pub(crate) measure: bool,
}

/// A join spec between two tables of the space: `left.alias.lc = right.alias.rc`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JoinEdge {
    pub(crate) left: usize,
    pub(crate) right: usize,
    /// The condition with both sides written as `alias`.`column` of the model's
    /// aliases.
    pub(crate) condition: String,
    /// Words of the spec's comment and instruction (they say when to use it).
    pub(crate) guidance: String,
}

/// A SQL snippet (filter, expression or measure) of the space, or a definition from
/// a text instruction, with the tables its SQL reads.
#[derive(Debug, Clone)]
pub(crate) struct Snippet {
    pub(crate) kind: SnippetKind,
    /// The names users say for it: display name, alias words, synonyms.
    pub(crate) names: Vec<String>,
    /// Its SQL, with table references rewritten to the model's aliases.
    pub(crate) sql: String,
    /// The output name (alias, else display name as an identifier).
    pub(crate) output: String,
    /// Indexes of the tables the SQL reads.
    pub(crate) tables: Vec<usize>,
    /// Where it came from, for the explanation (`measure "Net Tonnage"`).
    pub(crate) origin: String,
    /// Whether it is a `"term" means <SQL>` sentence of the text instructions rather
    /// than a SQL snippet of the space (text advises; it is read less strongly).
    pub(crate) from_text: bool,
}

impl ModelColumn {
    /// Whether the column's values are numbers that can be summed or averaged.
    pub(crate) fn is_numeric(&self) -> bool {
        self.column_type.is_numeric()
    }

    /// Whether the column holds dates or timestamps.
    pub(crate) fn is_temporal(&self) -> bool {
        matches!(self.column_type, ColumnType::Date | ColumnType::Timestamp)
    }
}

impl SpaceModel {
    /// Resolves `space` against `catalog`.
    pub(crate) fn build(catalog: &Catalog, space: &SpaceConfig) -> Self {
        let mut model = Self::default();
        for source in space.tables() {
            let Some(table) = catalog.table(&source.identifier) else {
                continue;
            };
            let columns = model_columns(table, source);
            let description = Some(source.description_text())
                .filter(|text| !text.trim().is_empty())
                .or_else(|| table.comment.clone())
                .unwrap_or_default();
            model.tables.push(ModelTable {
                alias: table.short_name().to_owned(),
                name: table.name.clone(),
                description,
                columns,
                metric_view: false,
            });
        }
        for spec in space.join_specs() {
            let (Some(left), Some(right)) = (
                model.table_index(&spec.left.identifier),
                model.table_index(&spec.right.identifier),
            ) else {
                continue;
            };
            let mut aliases = vec![
                (
                    spec.left
                        .alias
                        .clone()
                        .unwrap_or_else(|| model.tables[left].alias.clone()),
                    left,
                ),
                (
                    spec.right
                        .alias
                        .clone()
                        .unwrap_or_else(|| model.tables[right].alias.clone()),
                    right,
                ),
            ];
            aliases.push((model.tables[left].alias.clone(), left));
            aliases.push((model.tables[right].alias.clone(), right));
            let (condition, _) = model.rewrite_references(&spec.condition(), &aliases);
            let guidance = [spec.comment.as_ref(), spec.instruction.as_ref()]
                .into_iter()
                .flatten()
                .map(genie_core::space::TextLines::joined)
                .collect::<Vec<_>>()
                .join(" ");
            model.joins.push(JoinEdge {
                left,
                right,
                condition,
                guidance,
            });
        }
        for kind in SnippetKind::ALL {
            for snippet in space.snippets(kind) {
                if let Some(snippet) = model.snippet(kind, snippet) {
                    model.snippets.push(snippet);
                }
            }
        }
        let text: String = space
            .text_instructions()
            .iter()
            .map(|instruction| instruction.content.joined())
            .collect::<Vec<_>>()
            .join("\n");
        model.rules = parse_instructions(&text);
        model.instruction_text = text.to_lowercase();
        let definitions: Vec<Snippet> = model
            .rules
            .iter()
            .filter_map(|rule| match rule {
                InstructionRule::Means { term, sql, kind } => model.definition(term, sql, *kind),
                _ => None,
            })
            .collect();
        model.snippets.extend(definitions);
        super::metric_views::add_metric_views(&mut model, catalog, space);
        model
    }

    /// The index of the table with three-part name `identifier` (any case).
    pub(crate) fn table_index(&self, identifier: &str) -> Option<usize> {
        let wanted = identifier.replace('`', "").to_lowercase();
        self.tables.iter().position(|table| table.name == wanted)
    }

    /// The index of the table whose alias, short name or full name is `name`.
    pub(crate) fn table_by_reference(&self, name: &str) -> Option<usize> {
        let wanted = name.replace('`', "").to_lowercase();
        self.tables
            .iter()
            .position(|table| table.alias == wanted || table.name == wanted)
            .or_else(|| {
                self.tables
                    .iter()
                    .position(|table| table.name.ends_with(&format!(".{wanted}")))
            })
    }

    fn snippet(&self, kind: SnippetKind, snippet: &SqlSnippet) -> Option<Snippet> {
        let sql = snippet.sql.joined();
        if sql.trim().is_empty() {
            return None;
        }
        let (sql, tables) = self.rewrite_references(&sql, &[]);
        let mut names: Vec<String> = snippet.display_name.iter().cloned().collect();
        if let Some(alias) = &snippet.alias {
            names.push(alias.replace('_', " "));
        }
        names.extend(snippet.synonyms().iter().cloned());
        let output = snippet
            .alias
            .clone()
            .or_else(|| {
                snippet
                    .display_name
                    .as_ref()
                    .map(|name| identifier_of(name))
            })
            .unwrap_or_else(|| kind.to_string());
        let label = snippet
            .display_name
            .clone()
            .or_else(|| snippet.alias.clone())
            .unwrap_or_default();
        Some(Snippet {
            kind,
            names,
            sql,
            output,
            tables,
            origin: format!("{kind} \"{label}\""),
            from_text: false,
        })
    }

    fn definition(&self, term: &str, sql: &str, kind: SnippetKind) -> Option<Snippet> {
        let (sql, tables) = self.rewrite_references(sql, &[]);
        if tables.is_empty() {
            return None;
        }
        Some(Snippet {
            kind,
            names: vec![term.to_owned()],
            sql,
            output: identifier_of(term),
            tables,
            origin: format!("instruction \"{term}\""),
            from_text: true,
        })
    }

    /// Rewrites `qualifier.column` references in `sql` to the model's table aliases
    /// (also `catalog.schema.table.column`), and returns the tables referenced.
    /// `extra` maps further qualifiers (join spec aliases) to tables.
    pub(crate) fn rewrite_references(
        &self,
        sql: &str,
        extra: &[(String, usize)],
    ) -> (String, Vec<usize>) {
        let Ok(tokens) = Tokenizer::new(&DatabricksDialect {}, sql).tokenize() else {
            return (sql.to_owned(), Vec::new());
        };
        let mut out = String::with_capacity(sql.len());
        let mut tables = Vec::new();
        let mut index = 0;
        while index < tokens.len() {
            // The longest dotted word chain starting here.
            let mut parts = Vec::new();
            let mut end = index;
            while let Some(SqlToken::Word(word)) = tokens.get(end) {
                parts.push(word.value.clone());
                if tokens.get(end + 1) == Some(&SqlToken::Period) {
                    end += 2;
                } else {
                    end += 1;
                    break;
                }
            }
            if parts.len() >= 2 {
                let column = parts.last().cloned().unwrap_or_default();
                let qualifier = parts[..parts.len() - 1].join(".");
                let table = extra
                    .iter()
                    .find(|(alias, _)| alias.eq_ignore_ascii_case(&qualifier))
                    .map(|(_, table)| *table)
                    .or_else(|| self.table_by_reference(&qualifier));
                if let Some(table) = table {
                    if !tables.contains(&table) {
                        tables.push(table);
                    }
                    let _ = write!(out, "`{}`.`{column}`", self.tables[table].alias);
                    index = end;
                    continue;
                }
            }
            out.push_str(&tokens[index].to_string());
            index += 1;
        }
        (out, tables)
    }

    /// The `(table, column)` of `qualifier.column` or a bare column name.
    pub(crate) fn find_column(&self, reference: &str) -> Option<(usize, usize)> {
        let cleaned = reference.replace('`', "");
        let mut parts: Vec<&str> = cleaned.split('.').collect();
        let column = parts.pop()?;
        let tables: Vec<usize> = if parts.is_empty() {
            (0..self.tables.len()).collect()
        } else {
            vec![self.table_by_reference(&parts.join("."))?]
        };
        tables.into_iter().find_map(|table| {
            self.tables[table]
                .columns
                .iter()
                .position(|candidate| candidate.name.eq_ignore_ascii_case(column))
                .map(|position| (table, position))
        })
    }
}

/// The visible columns of `table` as the space configures them (`source`'s column
/// configs): excluded ones are gone, descriptions, synonyms and value switches apply.
pub(crate) fn model_columns(table: &CatalogTable, source: &TableConfig) -> Vec<ModelColumn> {
    let mut columns = Vec::new();
    for column in &table.columns {
        let config = source
            .column_configs()
            .iter()
            .find(|config| config.column_name.eq_ignore_ascii_case(&column.name));
        if config.is_some_and(genie_core::space::ColumnConfig::is_excluded) {
            continue;
        }
        let description = config
            .map(genie_core::space::ColumnConfig::description_text)
            .filter(|text| !text.trim().is_empty())
            .or_else(|| column.comment.clone())
            .unwrap_or_default();
        let format_assistance =
            config.is_some_and(genie_core::space::ColumnConfig::format_assistance);
        let entity_matching = config.is_some_and(genie_core::space::ColumnConfig::entity_matching);
        let labels = if entity_matching {
            decoded_labels(&description, &column.values)
        } else {
            Vec::new()
        };
        columns.push(ModelColumn {
            name: column.name.clone(),
            column_type: column.column_type.clone(),
            description,
            synonyms: config
                .map(|config| config.synonyms().to_vec())
                .unwrap_or_default(),
            format_assistance,
            entity_matching,
            values: column.values.clone(),
            labels,
            measure: table.is_measure(&column.name),
        });
    }
    columns
}

/// `Net Tonnage` → `net_tonnage`.
pub(crate) fn identifier_of(text: &str) -> String {
    let mut out = String::new();
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(&word.to_lowercase());
    }
    if out.is_empty() {
        "value".to_owned()
    } else {
        out
    }
}
