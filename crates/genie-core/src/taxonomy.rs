//! The failure taxonomy and the levers that fix each failure type (DESIGN §6).
//!
//! A failing evaluation row carries one [`FailureType`]; the optimizer clusters rows
//! by it and asks [`FailureType::levers`] which metadata lever to pull. The mapping is
//! data, here in one place, so the judges that name failures and the optimizer that
//! fixes them cannot drift apart.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a Genie answer was wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FailureType {
    /// Genie used the wrong column for a term the question used.
    WrongColumn,
    /// The user's word for a column is not a name, synonym or description of it.
    MissingSynonym,
    /// Genie read from the wrong table.
    WrongTable,
    /// Genie used a table where a metric view or function should serve (or the reverse).
    AssetRoutingError,
    /// A literal in the question was not mapped to the stored value (`'California'` vs `'CA'`).
    UnknownFilterValue,
    /// A filter is missing or wrong for a reason other than an unmapped literal.
    WrongFilter,
    /// The measure was computed with the wrong aggregation or formula.
    WrongAggregation,
    /// A business measure has no definition Genie could use.
    MissingMeasure,
    /// Rows were grouped at the wrong grain.
    WrongGrouping,
    /// Ordering or limit (top-N) differs.
    WrongOrderOrLimit,
    /// Genie did not join a table the question needs.
    MissingJoin,
    /// Genie joined on the wrong keys or with the wrong join type.
    WrongJoin,
    /// Multi-step logic (ratios of aggregates, period comparisons, nested ranking).
    ComplexPattern,
    /// Genie answered with text only, or asked for clarification.
    NoSqlGenerated,
    /// Genie answered a different question.
    MisreadIntent,
    /// Genie's SQL does not parse or fails to run.
    SqlError,
    /// Genie produced something other than one read-only query; it was never run.
    UnsafeSql,
    /// The same question gets different SQL or results across attempts.
    RepeatabilityIssue,
    /// The ground truth itself looks wrong (the arbiter sided with Genie).
    GroundTruthSuspect,
}

impl FailureType {
    /// Every failure type, in taxonomy order.
    pub const ALL: [Self; 19] = [
        Self::WrongColumn,
        Self::MissingSynonym,
        Self::WrongTable,
        Self::AssetRoutingError,
        Self::UnknownFilterValue,
        Self::WrongFilter,
        Self::WrongAggregation,
        Self::MissingMeasure,
        Self::WrongGrouping,
        Self::WrongOrderOrLimit,
        Self::MissingJoin,
        Self::WrongJoin,
        Self::ComplexPattern,
        Self::NoSqlGenerated,
        Self::MisreadIntent,
        Self::SqlError,
        Self::UnsafeSql,
        Self::RepeatabilityIssue,
        Self::GroundTruthSuspect,
    ];

    /// The snake-case name used in files and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WrongColumn => "wrong_column",
            Self::MissingSynonym => "missing_synonym",
            Self::WrongTable => "wrong_table",
            Self::AssetRoutingError => "asset_routing_error",
            Self::UnknownFilterValue => "unknown_filter_value",
            Self::WrongFilter => "wrong_filter",
            Self::WrongAggregation => "wrong_aggregation",
            Self::MissingMeasure => "missing_measure",
            Self::WrongGrouping => "wrong_grouping",
            Self::WrongOrderOrLimit => "wrong_order_or_limit",
            Self::MissingJoin => "missing_join",
            Self::WrongJoin => "wrong_join",
            Self::ComplexPattern => "complex_pattern",
            Self::NoSqlGenerated => "no_sql_generated",
            Self::MisreadIntent => "misread_intent",
            Self::SqlError => "sql_error",
            Self::UnsafeSql => "unsafe_sql",
            Self::RepeatabilityIssue => "repeatability_issue",
            Self::GroundTruthSuspect => "ground_truth_suspect",
        }
    }

    /// The levers that can fix this failure, most direct first. Empty when no
    /// metadata patch applies: a suspect ground truth is a benchmark correction, and
    /// unsafe SQL is Genie's own fault that only an instruction can discourage.
    ///
    /// `asset` says what kind of asset the question was about; it decides between
    /// lever 1 and lever 6 for repeatability (DESIGN §6).
    pub fn levers(self, asset: crate::benchmark::AssetType) -> &'static [Lever] {
        use Lever::{Functions, MetricViews, SpaceInstructions, UcMetadata};
        match self {
            Self::WrongColumn | Self::MissingSynonym | Self::UnknownFilterValue => &[UcMetadata],
            Self::WrongTable | Self::AssetRoutingError => &[UcMetadata, MetricViews, Functions],
            Self::WrongAggregation | Self::MissingMeasure => &[MetricViews, SpaceInstructions],
            Self::WrongFilter | Self::WrongGrouping | Self::WrongOrderOrLimit => {
                &[SpaceInstructions, UcMetadata]
            }
            Self::MissingJoin | Self::WrongJoin => &[SpaceInstructions],
            Self::ComplexPattern => &[Functions, SpaceInstructions],
            Self::NoSqlGenerated | Self::MisreadIntent | Self::SqlError | Self::UnsafeSql => {
                &[SpaceInstructions]
            }
            Self::RepeatabilityIssue => match asset {
                crate::benchmark::AssetType::Function => &[SpaceInstructions],
                crate::benchmark::AssetType::Table | crate::benchmark::AssetType::MetricView => {
                    &[UcMetadata]
                }
            },
            Self::GroundTruthSuspect => &[],
        }
    }
}

impl fmt::Display for FailureType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A lever: one family of metadata the optimizer can change, tried in order 1 → 6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum Lever {
    /// 1 — table and column descriptions, synonyms, example values, value dictionaries
    /// (space-level column configs, or UC comments and tags).
    UcMetadata,
    /// 2 — metric views with governed measures.
    MetricViews,
    /// 3 — table-valued SQL functions (trusted assets).
    Functions,
    /// 4 — monitoring tables' properties.
    MonitoringTables,
    /// 5 — ML (inference, feature) tables' properties.
    MlTables,
    /// 6 — the space's own instructions: text instruction, example SQL, join specs, SQL
    /// snippets and sample questions.
    SpaceInstructions,
}

impl Lever {
    /// Every lever in the order the loop tries them.
    pub const ALL: [Self; 6] = [
        Self::UcMetadata,
        Self::MetricViews,
        Self::Functions,
        Self::MonitoringTables,
        Self::MlTables,
        Self::SpaceInstructions,
    ];

    /// The lever's number, 1–6 (the session state's `lever_audit` keys).
    pub fn number(self) -> u8 {
        match self {
            Self::UcMetadata => 1,
            Self::MetricViews => 2,
            Self::Functions => 3,
            Self::MonitoringTables => 4,
            Self::MlTables => 5,
            Self::SpaceInstructions => 6,
        }
    }

    /// The lever with number `number`, if there is one.
    pub fn from_number(number: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|lever| lever.number() == number)
    }

    /// A short human name.
    pub fn name(self) -> &'static str {
        match self {
            Self::UcMetadata => "tables & columns metadata",
            Self::MetricViews => "metric views",
            Self::Functions => "SQL functions",
            Self::MonitoringTables => "monitoring tables",
            Self::MlTables => "ML tables",
            Self::SpaceInstructions => "space instructions",
        }
    }
}

impl From<Lever> for u8 {
    fn from(lever: Lever) -> Self {
        lever.number()
    }
}

impl TryFrom<u8> for Lever {
    type Error = String;

    fn try_from(number: u8) -> Result<Self, Self::Error> {
        Self::from_number(number).ok_or_else(|| format!("no lever `{number}`: levers are 1 to 6"))
    }
}

impl fmt::Display for Lever {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "lever {} ({})", self.number(), self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::benchmark::AssetType;

    #[test]
    fn names_round_trip_through_serde() {
        for failure in FailureType::ALL {
            let json = serde_json::to_string(&failure).unwrap();
            assert_eq!(json, format!("\"{}\"", failure.as_str()));
            assert_eq!(serde_json::from_str::<FailureType>(&json).unwrap(), failure);
        }
    }

    #[test]
    fn design_mapping_holds() {
        let first = |failure: FailureType| failure.levers(AssetType::Table).first().copied();
        assert_eq!(first(FailureType::MissingSynonym), Some(Lever::UcMetadata));
        assert_eq!(
            first(FailureType::UnknownFilterValue),
            Some(Lever::UcMetadata)
        );
        assert_eq!(first(FailureType::MissingMeasure), Some(Lever::MetricViews));
        assert_eq!(
            first(FailureType::MissingJoin),
            Some(Lever::SpaceInstructions)
        );
        assert_eq!(first(FailureType::ComplexPattern), Some(Lever::Functions));
        assert_eq!(
            first(FailureType::MisreadIntent),
            Some(Lever::SpaceInstructions)
        );
        assert_eq!(first(FailureType::GroundTruthSuspect), None);
        assert_eq!(
            FailureType::RepeatabilityIssue.levers(AssetType::Function),
            &[Lever::SpaceInstructions]
        );
        assert_eq!(
            FailureType::RepeatabilityIssue.levers(AssetType::MetricView),
            &[Lever::UcMetadata]
        );
    }

    #[test]
    fn levers_serialize_as_numbers() {
        assert_eq!(
            serde_json::to_string(&Lever::SpaceInstructions).unwrap(),
            "6"
        );
        assert_eq!(
            serde_json::from_str::<Lever>("2").unwrap(),
            Lever::MetricViews
        );
        assert!(serde_json::from_str::<Lever>("7").is_err());
        assert_eq!(Lever::from_number(3), Some(Lever::Functions));
    }
}
