//! One module per lever, each turning the request's evidence into [`Candidate`]s: the
//! patches a lever can offer, with what they should fix. Nothing here names a schema:
//! every rule reads the shape of the ground truth, the question's words and the
//! catalog.
//!
//! - [`uc_metadata`] (lever 1): value dictionaries and code labels, synonyms, table
//!   descriptions, exclusions, Unity Catalog comments.
//! - [`metric_views`] (lever 2): existing metric views added to the space, new ones
//!   for measures several failures share over one source.
//! - [`functions`] (lever 3): existing functions added, new table functions for a
//!   multi-step pattern several failures share.
//! - [`table_properties`] (levers 4 and 5): nothing the taxonomy maps there.
//! - [`space_instructions`] (lever 6): join specs, measure, filter and expression
//!   snippets, parameterised example SQL, text instructions.

pub(crate) mod functions;
pub(crate) mod metric_views;
pub(crate) mod space_instructions;
pub(crate) mod table_properties;
pub(crate) mod uc_metadata;

use std::collections::BTreeSet;

use genie_core::catalog::{CatalogSnapshot, CatalogTable};
use genie_core::patch::{Patch, PatchOp, Risk};
use genie_core::space::SpaceConfig;
use genie_core::taxonomy::FailureType;

use crate::config::Config;
use crate::evidence::Corpus;
use crate::words::{code_abbreviates, is_filler, name_abbreviates};

/// What every lever reads.
pub(crate) struct Context<'a> {
    /// The failing rows, read.
    pub(crate) corpus: &'a Corpus,
    /// The space (without benchmarks).
    pub(crate) space: &'a SpaceConfig,
    /// The Unity Catalog metadata.
    pub(crate) catalog: &'a CatalogSnapshot,
    /// The optimizer's settings.
    pub(crate) config: &'a Config,
}

/// Patches offered together (a metric view and its addition to the space), kept or
/// dropped as one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Candidate {
    /// The patches, in order.
    pub(crate) patches: Vec<Patch>,
    /// Whether it names a concept (a synonym, a description, a snippet, a join) rather
    /// than quoting a question's shape (an example, an instruction).
    pub(crate) concept: bool,
    /// Its kind's rank within the lever: lower first.
    pub(crate) kind: u8,
}

impl Candidate {
    /// The questions it should fix.
    pub(crate) fn fixes(&self) -> BTreeSet<&str> {
        self.patches
            .iter()
            .flat_map(|patch| patch.fixes.iter().map(String::as_str))
            .collect()
    }
}

/// The evidence a patch is drawn from: which rows, through which finding.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sources(Vec<(String, FailureType)>);

impl Sources {
    /// Adds a row and the failure type it was read through.
    pub(crate) fn add(&mut self, id: &str, failure_type: FailureType) {
        let entry = (id.to_owned(), failure_type);
        if !self.0.contains(&entry) {
            self.0.push(entry);
        }
    }

    /// The question ids, sorted.
    pub(crate) fn ids(&self) -> Vec<String> {
        let ids: BTreeSet<&String> = self.0.iter().map(|(id, _)| id).collect();
        ids.into_iter().cloned().collect()
    }
}

impl Context<'_> {
    /// A patch from `sources`, its lever the op's and its cluster the one most of the
    /// sources are in.
    pub(crate) fn patch(
        &self,
        op: PatchOp,
        risk: Risk,
        rationale: String,
        sources: &Sources,
    ) -> Patch {
        Patch {
            lever: op.natural_lever(),
            op,
            risk,
            rationale,
            fixes: sources.ids(),
            cluster: self.corpus.cluster_of(&sources.0),
        }
    }

    /// The space's name of the data source `identifier` names, if it is in the space.
    pub(crate) fn in_space(&self, identifier: &str) -> Option<String> {
        let key = key(identifier);
        self.space
            .all_data_sources()
            .find(|source| key_of(&source.identifier) == key)
            .map(|source| source.identifier.clone())
    }

    /// The catalog's table.
    pub(crate) fn table(&self, identifier: &str) -> Option<&CatalogTable> {
        self.catalog.table(identifier)
    }

    /// The catalog type of a column, upper case, when known.
    pub(crate) fn column_type(&self, table: &str, column: &str) -> Option<String> {
        self.table(table)
            .and_then(|table| table.column(column))
            .map(|column| column.data_type.to_uppercase())
    }

    /// What the space or the catalog says about a column now.
    pub(crate) fn column_description(&self, table: &str, column: &str) -> String {
        let space = self
            .in_space(table)
            .and_then(|name| self.space.data_source(&name))
            .and_then(|source| {
                source
                    .column_configs()
                    .iter()
                    .find(|config| config.column_name.eq_ignore_ascii_case(column))
            })
            .map(genie_core::space::ColumnConfig::description_text)
            .unwrap_or_default();
        if !space.trim().is_empty() {
            return space.trim().to_owned();
        }
        self.table(table)
            .and_then(|table| table.column(column))
            .and_then(|column| column.comment.clone())
            .unwrap_or_default()
            .trim()
            .to_owned()
    }

    /// What the space or the catalog says about a table now.
    pub(crate) fn table_description(&self, table: &str) -> String {
        let space = self
            .in_space(table)
            .and_then(|name| self.space.data_source(&name))
            .map(genie_core::space::TableConfig::description_text)
            .unwrap_or_default();
        if !space.trim().is_empty() {
            return space.trim().to_owned();
        }
        self.table(table)
            .and_then(|table| table.comment.clone())
            .unwrap_or_default()
            .trim()
            .to_owned()
    }

    /// The column config of a column, if the space has one.
    pub(crate) fn column_config(
        &self,
        table: &str,
        column: &str,
    ) -> Option<&genie_core::space::ColumnConfig> {
        self.in_space(table)
            .and_then(|name| self.space.data_source(&name))
            .and_then(|source| {
                source
                    .column_configs()
                    .iter()
                    .find(|config| config.column_name.eq_ignore_ascii_case(column))
            })
    }

    /// Whether a column is its table's key: the catalog's first column, named like an
    /// id or key.
    pub(crate) fn is_key(&self, table: &str, column: &str) -> bool {
        self.table(table)
            .and_then(|table| table.columns.first())
            .is_some_and(|first| {
                let name = first.name.to_lowercase();
                name.eq_ignore_ascii_case(column)
                    && (name == "id"
                        || name.ends_with("_id")
                        || name.ends_with("id")
                        || name.ends_with("_key"))
            })
    }

    /// Whether the catalog types a column as text (unknown types count as text when
    /// the column is compared with quoted values).
    pub(crate) fn is_text(&self, table: &str, column: &str) -> bool {
        self.column_type(table, column).is_none_or(|kind| {
            kind.starts_with("STRING") || kind.starts_with("VARCHAR") || kind.starts_with("CHAR")
        })
    }
}

/// The lower-case dotted key of an identifier.
pub(crate) fn key(identifier: &str) -> String {
    key_of(identifier)
}

fn key_of(identifier: &str) -> String {
    genie_core::sql::name_parts(identifier)
        .iter()
        .map(|part| part.to_lowercase())
        .collect::<Vec<_>>()
        .join(".")
}

/// The question words that label the stored value `code` of a column: a word (or a
/// few words) the code abbreviates, among the words that name nothing else of the
/// query (`explained`).
pub(crate) fn label_for(
    code: &str,
    words: &[String],
    explained: &BTreeSet<String>,
) -> Option<String> {
    let free: Vec<(usize, &String)> = words
        .iter()
        .enumerate()
        .filter(|(_, word)| !is_filler(word) && !explained.contains(*word))
        .collect();
    for (_, word) in &free {
        if code_abbreviates(code, &[word.as_str()]) {
            return Some((*word).clone());
        }
    }
    for window in words.windows(2).chain(words.windows(3)) {
        let phrase: Vec<&str> = window.iter().map(String::as_str).collect();
        if phrase.iter().all(|word| !is_filler(word)) && code_abbreviates(code, &phrase) {
            return Some(phrase.join(" "));
        }
    }
    None
}

/// The question words a query's tables and columns already name (`orders` for a
/// table `ord_hdr`).
pub(crate) fn explained_words(words: &[String], names: &[&str]) -> BTreeSet<String> {
    words
        .iter()
        .filter(|word| names.iter().any(|name| name_abbreviates(name, word)))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_come_from_words_no_name_explains() {
        let words = crate::words::words("How many customers are gold loyalty members?");
        let explained = explained_words(&words, &["cust_dim", "loy_sts"]);
        assert!(explained.contains("customers") && explained.contains("loyalty"));
        assert_eq!(label_for("G", &words, &explained).as_deref(), Some("gold"));
        assert_eq!(label_for("X", &words, &explained), None);
        let words = crate::words::words("Revenue of West Coast stores");
        assert_eq!(
            label_for("WC", &words, &BTreeSet::new()).as_deref(),
            Some("west coast")
        );
    }
}
