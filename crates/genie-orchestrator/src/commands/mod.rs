//! One module per top-level command.

pub(crate) mod compare;
pub(crate) mod evaluate;
pub(crate) mod lint;
pub(crate) mod report;
pub(crate) mod sandbox;
pub(crate) mod space;
