//! Property tests of [`answer`](super::answer): whatever the question, the simulator
//! answers without panicking, and its SQL is one read-only statement that parses in
//! Databricks' dialect — through every rule, over a space that exercises all of them.

use genie_core::result::ColumnType;
use genie_core::space::SpaceConfig;
use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::json;

use super::{Catalog, CatalogColumn, CatalogTable, Draw, Reply, answer};

fn column(name: &str, column_type: ColumnType, values: &[&str]) -> CatalogColumn {
    CatalogColumn {
        name: name.to_owned(),
        column_type,
        comment: None,
        values: values.iter().map(|v| (*v).to_owned()).collect(),
    }
}

fn catalog() -> Catalog {
    Catalog::from_tables(vec![
        CatalogTable {
            name: "w.h.bin_loc".to_owned(),
            comment: Some("Bins: one row per bin".to_owned()),
            columns: vec![
                column("bin_id", ColumnType::Int, &[]),
                column("zn_cd", ColumnType::String, &["A1", "B2", "CLD"]),
                column("cap_u", ColumnType::Int, &[]),
                column("actv", ColumnType::Boolean, &[]),
            ],
            measures: Vec::new(),
        },
        CatalogTable {
            name: "w.h.pick_evt".to_owned(),
            comment: None,
            columns: vec![
                column("evt_id", ColumnType::Long, &[]),
                column("bin_id", ColumnType::Int, &[]),
                column("evt_ts", ColumnType::Timestamp, &[]),
                column("evt_dt", ColumnType::Date, &[]),
                column(
                    "qty",
                    ColumnType::Decimal {
                        precision: 10,
                        scale: 2,
                    },
                    &[],
                ),
                column("sts", ColumnType::String, &["OK", "ERR", "LST"]),
            ],
            measures: Vec::new(),
        },
    ])
}

fn space() -> SpaceConfig {
    let id = |n: u32| format!("01f00000000000000000000000000{n:03}");
    SpaceConfig::from_json(
        &json!({
            "version": 2,
            "data_sources": {"tables": [
                {"identifier": "w.h.bin_loc", "column_configs": [
                    {"column_name": "zn_cd", "description": ["Zone code: A1 = aisle one, CLD = cold room"],
                     "synonyms": ["zone"], "enable_format_assistance": true, "enable_entity_matching": true}]},
                {"identifier": "w.h.pick_evt", "description": ["Picks: one row per pick"], "column_configs": [
                    {"column_name": "sts", "enable_entity_matching": true},
                    {"column_name": "qty", "synonyms": ["units", "quantity"]}]}
            ]},
            "instructions": {
                "text_instructions": [{"id": id(1), "content": ["\"big pick\" means pick_evt.qty > 10. Use w.h.bin_loc for storage. Capacity refers to bin_loc.cap_u."]}],
                "example_question_sqls": [{"id": id(2), "question": ["How many picks in zone :zone?"],
                    "sql": ["SELECT COUNT(*) FROM w.h.pick_evt p JOIN w.h.bin_loc b ON p.bin_id = b.bin_id WHERE b.zn_cd = :zone"],
                    "parameters": [{"name": "zone", "type_hint": "STRING"}]}],
                "join_specs": [{"id": id(3), "left": {"identifier": "w.h.pick_evt", "alias": "p"},
                    "right": {"identifier": "w.h.bin_loc", "alias": "b"}, "sql": ["`p`.`bin_id` = `b`.`bin_id`"]}],
                "sql_snippets": {
                    "filters": [{"id": id(4), "display_name": "failed picks", "sql": ["pick_evt.sts = 'ERR'"]}],
                    "expressions": [{"id": id(5), "alias": "pick_month", "display_name": "Pick Month", "sql": ["MONTH(pick_evt.evt_dt)"]}],
                    "measures": [{"id": id(6), "alias": "fill", "display_name": "Fill Rate", "sql": ["SUM(pick_evt.qty) / SUM(bin_loc.cap_u)"]}]
                }
            }
        })
        .to_string(),
    )
    .expect("the test space parses")
}

const WORDS: &[&str] = &[
    "how",
    "many",
    "much",
    "total",
    "average",
    "top",
    "3",
    "10",
    "by",
    "per",
    "each",
    "zone",
    "zones",
    "picks",
    "pick",
    "units",
    "quantity",
    "fill",
    "rate",
    "share",
    "of",
    "failed",
    "big",
    "capacity",
    "storage",
    "bins",
    "in",
    "2024",
    "Q2",
    "2025-01-05",
    "March",
    "first",
    "half",
    "month",
    "over",
    "weekends",
    "not",
    "without",
    "any",
    "most",
    "common",
    "which",
    "who",
    "best-selling",
    "cold",
    "room",
    "aisle",
    "lost",
    "'A1'",
    "\"B2\"",
    "?",
    ",",
    "the",
    "what",
    "was",
    "is",
    "change",
    "between",
    "and",
    "daily",
    "by",
    "rows",
    "status",
    "':'",
];

proptest! {
    #![proptest_config(Config { cases: 400, failure_persistence: None, ..Config::default() })]

    #[test]
    fn any_question_gets_an_answer_and_only_read_only_sql(
        words in proptest::collection::vec(proptest::sample::select(WORDS), 0..14),
        attempt in 0_u64..4,
    ) {
        let question = words.join(" ");
        let reply = answer(&catalog(), &space(), &question, Draw { seed: 3, attempt, ..Draw::default() });
        if let Reply::Query(query) = reply {
            prop_assert!(
                genie_core::sql::sanitize(&query.sql).is_ok(),
                "{question:?} gave SQL that is not one read-only query:\n{}",
                query.sql
            );
        }
    }

    #[test]
    fn arbitrary_text_never_panics(question in "\\PC{0,80}") {
        let _ = answer(&catalog(), &space(), &question, Draw::default());
    }
}

#[test]
fn the_test_space_exercises_every_rule() {
    let sql = |question: &str| match answer(&catalog(), &space(), question, Draw::default()) {
        Reply::Query(query) => query.sql,
        Reply::Text(text) => panic!("{question}: {}", text.content),
    };
    let cases = [
        ("How many picks in zone 'A1'?", "b.zn_cd = 'A1'"),
        (
            "What is the fill rate by zone?",
            "SUM(`pick_evt`.`qty`) / SUM(`bin_loc`.`cap_u`)",
        ),
        (
            "How many failed picks were there?",
            "(`pick_evt`.`sts` = 'ERR')",
        ),
        (
            "How many big pick events happened?",
            "`pick_evt`.`qty` > 10",
        ),
        (
            "Total units per pick month",
            "GROUP BY MONTH(`pick_evt`.`evt_dt`)",
        ),
        (
            "How many picks were in the cold room?",
            "`bin_loc`.`zn_cd` = 'CLD'",
        ),
        ("How many picks were lost?", "`pick_evt`.`sts` = 'LST'"),
        (
            "What is the total capacity of storage bins?",
            "SUM(`bin_loc`.`cap_u`)",
        ),
        (
            "How many picks happened in the last 30 days?",
            "BETWEEN date_sub(current_date(), 30) AND current_date()",
        ),
        (
            "Total units over the past 6 months",
            "BETWEEN add_months(current_date(), -6) AND current_date()",
        ),
        (
            "What is the median quantity of picks?",
            "MEDIAN(`pick_evt`.`qty`)",
        ),
        // An unknown word inside a grouping is neither a value nor a measure.
        (
            "Total units for each physical zone",
            "GROUP BY `bin_loc`.`zn_cd`",
        ),
    ];
    for (question, fragment) in cases {
        let answered = sql(question);
        assert!(answered.contains(fragment), "{question}\n{answered}");
        assert!(!answered.contains("physical"), "{question}\n{answered}");
        assert!(genie_core::sql::sanitize(&answered).is_ok(), "{answered}");
    }
}
