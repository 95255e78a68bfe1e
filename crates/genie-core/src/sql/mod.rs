//! SQL helpers on sqlparser's Databricks dialect: admission of untrusted SQL
//! ([`sanitize()`]), template variables ([`resolve_template`]), canonical text and
//! hashes ([`normalize()`], [`sql_hash`]), structural facts ([`extract()`]) and the
//! quoting of the statements we write ([`quote_name`], [`string_literal`]).

mod error;
mod extract;
mod facts;
mod normalize;
mod parse;
mod quote;
mod sanitize;
mod template;

pub use error::SqlError;
pub use extract::{extract, extract_from};
pub use facts::{
    Aggregate, ColumnRef, Filter, FilterClause, Join, JoinKind, OrderItem, SqlFacts, TableKind,
    TableRef,
};
pub use normalize::{normalize, sql_hash};
pub use quote::{dollar_quoted, name_parts, quote_identifier, quote_name, string_literal};
pub use sanitize::{SanitizedSql, sanitize};
pub use template::{TemplateVariables, resolve_template, template_variables};
