//! Catalogues of function and keyword names the extraction needs to know.

/// Functions whose first argument may be a date-part keyword (`MONTH`) that the
/// parser reads as an identifier.
pub(super) const UNIT_FUNCTIONS: &[&str] = &[
    "DATEADD",
    "DATEDIFF",
    "DATE_ADD",
    "DATE_DIFF",
    "TIMESTAMPADD",
    "TIMESTAMPDIFF",
    "TIMESTAMP_ADD",
    "TIMESTAMP_DIFF",
];

/// Date-part keywords, upper case, sorted.
pub(super) const DATE_PARTS: &[&str] = &[
    "DAY",
    "DAYOFYEAR",
    "DAYS",
    "HOUR",
    "HOURS",
    "MICROSECOND",
    "MICROSECONDS",
    "MILLISECOND",
    "MILLISECONDS",
    "MINUTE",
    "MINUTES",
    "MONTH",
    "MONTHS",
    "QUARTER",
    "QUARTERS",
    "SECOND",
    "SECONDS",
    "WEEK",
    "WEEKS",
    "YEAR",
    "YEARS",
];

/// Aggregate functions of Databricks SQL, upper case, sorted.
const AGGREGATE_FUNCTIONS: &[&str] = &[
    "ANY",
    "ANY_VALUE",
    "APPROX_COUNT_DISTINCT",
    "APPROX_PERCENTILE",
    "APPROX_TOP_K",
    "ARRAY_AGG",
    "AVG",
    "BITMAP_CONSTRUCT_AGG",
    "BITMAP_OR_AGG",
    "BIT_AND",
    "BIT_OR",
    "BIT_XOR",
    "BOOL_AND",
    "BOOL_OR",
    "COLLECT_LIST",
    "COLLECT_SET",
    "CORR",
    "COUNT",
    "COUNT_IF",
    "COUNT_MIN_SKETCH",
    "COVAR_POP",
    "COVAR_SAMP",
    "EVERY",
    "FIRST",
    "FIRST_VALUE",
    "HISTOGRAM_NUMERIC",
    "HLL_SKETCH_AGG",
    "HLL_UNION_AGG",
    "KURTOSIS",
    "LAST",
    "LAST_VALUE",
    "LISTAGG",
    "MAX",
    "MAX_BY",
    "MEAN",
    "MEDIAN",
    "MIN",
    "MIN_BY",
    "MODE",
    "PERCENTILE",
    "PERCENTILE_APPROX",
    "PERCENTILE_CONT",
    "PERCENTILE_DISC",
    "REGR_AVGX",
    "REGR_AVGY",
    "REGR_COUNT",
    "REGR_INTERCEPT",
    "REGR_R2",
    "REGR_SLOPE",
    "REGR_SXX",
    "REGR_SXY",
    "REGR_SYY",
    "SKEWNESS",
    "SOME",
    "STD",
    "STDDEV",
    "STDDEV_POP",
    "STDDEV_SAMP",
    "STRING_AGG",
    "SUM",
    "TRY_AVG",
    "TRY_SUM",
    "VARIANCE",
    "VAR_POP",
    "VAR_SAMP",
];

/// Whether `name` (upper case, unqualified) is an aggregate function.
pub(super) fn is_aggregate(name: &str) -> bool {
    AGGREGATE_FUNCTIONS.binary_search(&name).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogues_are_sorted() {
        for catalogue in [UNIT_FUNCTIONS, DATE_PARTS, AGGREGATE_FUNCTIONS] {
            assert!(catalogue.windows(2).all(|pair| pair[0] < pair[1]));
        }
        assert!(is_aggregate("COUNT_IF") && is_aggregate("VAR_SAMP") && !is_aggregate("UPPER"));
    }
}
