//! The Unity Catalog side of a space: what `information_schema` says about the tables,
//! metric views and functions of the schemas a space reads from.
//!
//! A [`CatalogScope`] names what to read (whole schemas, and the tables whose
//! properties matter); [`CatalogScope::queries`] gives the statements, and
//! [`CatalogSnapshot::from_results`] parses their result sets — both pure, so the
//! parsing is tested on canned results. [`read_catalog`] runs the statements through
//! the [`Warehouse`](crate::ports::Warehouse) port. The optimizer reads the snapshot
//! as part of its metadata; [`apply_patch_set`](crate::patch::apply_patch_set) takes
//! the prior state of every Unity Catalog object a patch changes from it, to write the
//! exact inverse statement.

mod parse;
mod queries;
mod read;
mod snapshot;

pub use parse::{CatalogAnswer, CatalogError};
pub use queries::{CatalogQuery, CatalogScope, CatalogSource};
pub use read::read_catalog;
pub(crate) use snapshot::object_key;
pub use snapshot::{
    CatalogColumn, CatalogSnapshot, CatalogTable, Routine, RoutineColumn, RoutineParameter,
    UnavailableSource,
};
