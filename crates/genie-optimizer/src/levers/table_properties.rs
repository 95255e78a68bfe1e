//! Levers 4 and 5: table properties of monitoring and ML tables.
//!
//! A `set_table_property` patch tags a table for what it is (a Lakehouse Monitoring
//! profile or drift table, an inference or feature table), so Genie reads it as that
//! kind of table. The failure taxonomy maps no failure type to either lever
//! ([`FailureType::levers`](genie_core::taxonomy::FailureType::levers)), so no failure
//! can justify such a property: these levers always answer nothing, with the reason.

use genie_core::taxonomy::{FailureType, Lever};

/// Why `lever` (4 or 5) has nothing to offer.
pub(crate) fn nothing(lever: Lever) -> String {
    let mapped = FailureType::ALL.iter().any(|failure| {
        [
            genie_core::benchmark::AssetType::Table,
            genie_core::benchmark::AssetType::MetricView,
            genie_core::benchmark::AssetType::Function,
        ]
        .iter()
        .any(|asset| failure.levers(*asset).contains(&lever))
    });
    if mapped {
        format!("no failing question maps to {lever}")
    } else {
        format!(
            "the failure taxonomy maps no failure type to {lever}: table properties are \
             proposed only where a failure calls for them"
        )
    }
}
