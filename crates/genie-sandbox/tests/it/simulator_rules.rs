//! Each rule of the Genie simulator (`docs/sandbox-genie.md`), shown by flipping one
//! piece of metadata and watching the answer change. The schema is deliberately not
//! the retail fixture's: the rules name no fixture's tables or words.

use genie_core::space::SpaceConfig;
use genie_sandbox::engine::Engine;
use genie_sandbox::simulator::{Catalog, Draw, Reply, answer};
use serde_json::{Value, json};

const SCHEMA: &str = "\
CREATE SCHEMA fleet.ops;
CREATE TABLE fleet.ops.trk (trk_id INT, trk_nm STRING, dpt_cd STRING, cap_kg INT, sts STRING);
CREATE TABLE fleet.ops.trp (trp_id INT, trk_id INT, trp_dt DATE, dist_km DOUBLE, sts STRING);
INSERT INTO fleet.ops.trk VALUES
  (1, 'Atlas', 'NTH', 12000, 'ACT'), (2, 'Boreas', 'STH', 8000, 'ACT'), (3, 'Cygnus', 'NTH', 20000, 'RET');
INSERT INTO fleet.ops.trp VALUES
  (10, 1, DATE '2024-01-03', 420.5, 'ONTIME'), (11, 1, DATE '2024-02-11', 910.0, 'LATE'),
  (12, 2, DATE '2024-02-20', 130.0, 'ONTIME'), (13, 3, DATE '2024-03-05', 1210.0, 'CNCL'),
  (14, 2, DATE '2025-01-09', 75.0, 'LATE');
COMMENT ON COLUMN fleet.ops.trk.cap_kg IS 'Cap';
CREATE OR REPLACE FUNCTION fleet.ops.depot_mileage(p_depot STRING COMMENT 'Depot code', p_year INT)
  RETURNS TABLE (trk_nm STRING, km DOUBLE)
  COMMENT 'Distance driven by each truck of a depot in a year'
  RETURN SELECT k.trk_nm, SUM(t.dist_km) AS km
    FROM fleet.ops.trp AS t JOIN fleet.ops.trk AS k ON t.trk_id = k.trk_id
    WHERE k.dpt_cd = p_depot AND year(t.trp_dt) = p_year
    GROUP BY k.trk_nm;
";

struct Bench {
    engine: Engine,
    catalog: Catalog,
}

impl Bench {
    async fn new() -> Self {
        Self::with_schema(SCHEMA).await
    }

    async fn with_schema(schema: &str) -> Self {
        let engine = Engine::from_schema_sql(schema).await.expect("schema loads");
        let catalog = Catalog::load(&engine).await.expect("catalog loads");
        Self { engine, catalog }
    }

    fn reply(&self, space: &Value, question: &str, attempt: u64) -> Reply {
        let config = SpaceConfig::from_json(&space.to_string()).expect("space parses");
        answer(
            &self.catalog,
            &config,
            question,
            Draw {
                seed: 7,
                attempt,
                ..Draw::default()
            },
        )
    }

    /// The SQL answered, after checking it runs; `None` for a text reply.
    async fn sql(&self, space: &Value, question: &str) -> Option<String> {
        match self.reply(space, question, 0) {
            Reply::Query(query) => {
                self.engine
                    .query(&query.sql)
                    .await
                    .unwrap_or_else(|error| panic!("{question}: `{}` fails: {error}", query.sql));
                Some(query.sql)
            }
            Reply::Text(_) => None,
        }
    }

    /// The reasoning steps shown with a query answer (empty for text).
    fn steps(&self, space: &Value, question: &str) -> String {
        match self.reply(space, question, 0) {
            Reply::Query(query) => query
                .thoughts
                .iter()
                .map(|thought| thought.content.clone())
                .collect::<Vec<_>>()
                .join("\n"),
            Reply::Text(_) => String::new(),
        }
    }
}

const ID: &str = "01f0000000000000000000000000000";

fn id(n: u32) -> String {
    format!("{ID}{n}")
}

/// The two tables, with `trk`/`trp` column configs and instructions given.
#[expect(
    clippy::needless_pass_by_value,
    reason = "callers build each part inline with `json!`"
)]
fn space(trk_columns: Value, trp_columns: Value, instructions: Value) -> Value {
    json!({
        "version": 2,
        "data_sources": {"tables": [
            {"identifier": "fleet.ops.trk", "description": ["Trucks: one row per truck"], "column_configs": trk_columns},
            {"identifier": "fleet.ops.trp", "description": ["Trips: one row per trip"], "column_configs": trp_columns}
        ]},
        "instructions": instructions
    })
}

fn bare() -> Value {
    space(json!([]), json!([]), json!({}))
}

const JOIN: fn() -> Value = || {
    json!([{"id": id(9), "left": {"identifier": "fleet.ops.trp", "alias": "t"},
            "right": {"identifier": "fleet.ops.trk", "alias": "k"},
            "sql": ["`t`.`trk_id` = `k`.`trk_id`", "--rt=FROM_RELATIONSHIP_TYPE_MANY_TO_ONE--"]}])
};

#[tokio::test]
async fn example_sql_is_reused_and_parameters_come_from_the_question() {
    let bench = Bench::new().await;
    let plain = json!({"example_question_sqls": [{"id": id(1),
        "question": ["How far have our trucks driven altogether?"],
        "sql": ["SELECT SUM(dist_km) AS km FROM fleet.ops.trp"]}]});
    let with_example = space(json!([]), json!([]), plain);
    assert_eq!(
        bench
            .sql(&with_example, "How far have our trucks driven altogether?")
            .await
            .as_deref(),
        Some("SELECT SUM(dist_km) AS km FROM fleet.ops.trp")
    );
    assert_ne!(
        bench
            .sql(&bare(), "How far have our trucks driven altogether?")
            .await
            .as_deref(),
        Some("SELECT SUM(dist_km) AS km FROM fleet.ops.trp")
    );
    let parameterised = space(
        json!([{"column_name": "dpt_cd", "enable_format_assistance": true}]),
        json!([]),
        json!({"example_question_sqls": [{"id": id(2),
            "question": ["How many trucks does a depot have?"],
            "sql": ["SELECT COUNT(*) FROM fleet.ops.trk WHERE dpt_cd = :depot"],
            "parameters": [{"name": "depot", "type_hint": "STRING", "default_value": {"values": ["STH"]}}]}]}),
    );
    let Reply::Query(query) =
        bench.reply(&parameterised, "How many trucks does depot NTH have?", 0)
    else {
        panic!("expected a query");
    };
    assert_eq!(
        query.sql,
        "SELECT COUNT(*) FROM fleet.ops.trk WHERE dpt_cd = 'NTH'"
    );
    assert_eq!(query.trusted_asset.as_deref(), Some(id(2).as_str()));
    assert_eq!(query.parameters[0].value, "NTH");
}

#[tokio::test]
async fn synonyms_descriptions_and_exclusion_decide_the_column() {
    let bench = Bench::new().await;
    let question = "What is the total mileage?";
    assert!(
        bench
            .steps(&bare(), question)
            .contains("Guess that \"mileage\"")
    );
    let synonym = space(
        json!([]),
        json!([{"column_name": "dist_km", "synonyms": ["mileage"]}]),
        json!({}),
    );
    assert!(
        bench
            .sql(&synonym, question)
            .await
            .unwrap()
            .contains("SUM(`trp`.`dist_km`)")
    );
    let hidden = space(
        json!([]),
        json!([{"column_name": "dist_km", "synonyms": ["mileage"], "exclude": true}]),
        json!({}),
    );
    assert!(
        !bench
            .sql(&hidden, question)
            .await
            .unwrap_or_default()
            .contains("dist_km")
    );

    // The UC comment "Cap" says little; a space description wins over it.
    let question = "What is the average payload capacity of our trucks?";
    assert!(
        bench
            .steps(&bare(), question)
            .contains("Guess that \"payload capacity\"")
    );
    let described = space(
        json!([{"column_name": "cap_kg", "description": ["Payload capacity in kilograms"]}]),
        json!([]),
        json!({}),
    );
    assert!(
        bench
            .sql(&described, question)
            .await
            .unwrap()
            .contains("AVG(`trk`.`cap_kg`)")
    );
    assert!(!bench.steps(&described, question).contains("Guess"));
}

#[tokio::test]
async fn literals_need_format_assistance_or_entity_matching() {
    let bench = Bench::new().await;
    let late = "How many late trips were there?";
    assert!(bench.sql(&bare(), late).await.unwrap().contains("= 'late'"));
    let sampled = space(
        json!([]),
        json!([{"column_name": "sts", "enable_format_assistance": true}]),
        json!({}),
    );
    assert!(
        bench
            .sql(&sampled, late)
            .await
            .unwrap()
            .contains("`trp`.`sts` = 'LATE'")
    );

    // Label to code: only entity matching maps "cancelled" to CNCL.
    let cancelled = "How many trips were cancelled?";
    assert!(
        !bench
            .sql(&sampled, cancelled)
            .await
            .unwrap()
            .contains("'CNCL'")
    );
    let matched = space(
        json!([]),
        json!([{"column_name": "sts", "enable_format_assistance": true, "enable_entity_matching": true}]),
        json!({}),
    );
    assert!(
        bench
            .sql(&matched, cancelled)
            .await
            .unwrap()
            .contains("`trp`.`sts` = 'CNCL'")
    );
    // A description decoding the codes feeds the value dictionary.
    let decoded = space(
        json!([]),
        json!([{"column_name": "sts", "description": ["Trip status: ONTIME = on schedule, LATE = delayed, CNCL = called off"],
                "enable_format_assistance": true, "enable_entity_matching": true}]),
        json!({}),
    );
    assert!(
        bench
            .sql(&decoded, "How many trips were delayed?")
            .await
            .unwrap()
            .contains("'LATE'")
    );
}

#[tokio::test]
async fn joins_come_only_from_join_specs() {
    let bench = Bench::new().await;
    let question = "What is the total distance by depot?";
    let distance = json!([{"column_name": "dist_km", "synonyms": ["distance"]}]);
    let without = space(json!([]), distance.clone(), json!({}));
    let sql = bench.sql(&without, question).await.unwrap_or_default();
    assert!(!sql.contains("JOIN") && !sql.contains("dpt_cd"), "{sql}");
    assert!(
        bench
            .steps(&without, question)
            .contains("no join spec relates")
    );
    let with = space(json!([]), distance, json!({"join_specs": JOIN()}));
    let sql = bench.sql(&with, question).await.unwrap();
    assert!(
        sql.contains("JOIN `fleet`.`ops`.`trk` AS `trk` ON `trp`.`trk_id` = `trk`.`trk_id`"),
        "{sql}"
    );
    assert!(sql.contains("GROUP BY `trk`.`dpt_cd`"), "{sql}");
}

#[tokio::test]
async fn snippets_define_measures_filters_and_expressions() {
    let bench = Bench::new().await;
    let snippets = json!({
        "join_specs": JOIN(),
        "sql_snippets": {
            "measures": [{"id": id(3), "alias": "ton_km", "display_name": "Haul", "sql": ["SUM(trp.dist_km * trk.cap_kg / 1000)"], "synonyms": ["tonne kilometres"]}],
            "filters": [{"id": id(4), "display_name": "long trips", "sql": ["trp.dist_km > 500"]}],
            "expressions": [{"id": id(5), "alias": "trip_month", "display_name": "Trip Month", "sql": ["MONTH(trp.trp_dt)"]}]
        }
    });
    let with = space(json!([]), json!([]), snippets);
    let haul = bench
        .sql(&with, "What was our total haul in 2024?")
        .await
        .unwrap();
    assert!(
        haul.contains("SUM(`trp`.`dist_km` * `trk`.`cap_kg` / 1000)") && haul.contains("JOIN"),
        "{haul}"
    );
    assert!(
        !bench
            .sql(&bare(), "What was our total haul in 2024?")
            .await
            .unwrap_or_default()
            .contains("/ 1000")
    );
    let long = bench
        .sql(&with, "How many long trips were there?")
        .await
        .unwrap();
    assert!(long.contains("`trp`.`dist_km` > 500"), "{long}");
    assert!(
        !bench
            .sql(&bare(), "How many long trips were there?")
            .await
            .unwrap()
            .contains("> 500")
    );
    let monthly = bench
        .sql(&with, "How many trips were there per trip month?")
        .await
        .unwrap();
    assert!(
        monthly.contains("GROUP BY MONTH(`trp`.`trp_dt`)"),
        "{monthly}"
    );
}

#[tokio::test]
async fn text_instructions_of_the_documented_forms_are_obeyed() {
    let bench = Bench::new().await;
    let rules = |text: &str| {
        space(
            json!([]),
            json!([]),
            json!({"text_instructions": [{"id": id(6), "content": [text]}]}),
        )
    };
    let means = rules("\"long haul\" means trp.dist_km > 800.");
    assert!(
        bench
            .sql(&means, "How many long haul trips were there?")
            .await
            .unwrap()
            .contains("`trp`.`dist_km` > 800")
    );
    let refers = rules("Mileage refers to trp.dist_km.");
    assert!(
        bench
            .sql(&refers, "What is the total mileage?")
            .await
            .unwrap()
            .contains("SUM(`trp`.`dist_km`)")
    );
    let use_table = rules("Use fleet.ops.trk for vehicles and fleet.");
    assert!(
        bench
            .sql(&use_table, "How many vehicles do we have?")
            .await
            .unwrap()
            .contains("FROM `fleet`.`ops`.`trk`")
    );
    assert!(
        !bench
            .sql(&bare(), "How many vehicles do we have?")
            .await
            .unwrap_or_default()
            .contains("`trk`")
    );
}

#[tokio::test]
async fn ties_are_drawn_per_attempt_until_metadata_breaks_them() {
    let bench = Bench::new().await;
    // Both tables have a `sts` column: "status" is ambiguous.
    let question = "How many rows are there by status?";
    let sqls = |space: &Value| -> std::collections::BTreeSet<String> {
        (0..12)
            .map(|attempt| match bench.reply(space, question, attempt) {
                Reply::Query(query) => query.sql,
                Reply::Text(text) => text.content,
            })
            .collect()
    };
    assert!(sqls(&bare()).len() > 1, "{:?}", sqls(&bare()));
    let broken = space(
        json!([{"column_name": "sts", "exclude": true}]),
        json!([]),
        json!({}),
    );
    assert_eq!(sqls(&broken).len(), 1);
    // Same seed and attempt: the same answer.
    assert_eq!(
        bench.reply(&bare(), question, 3),
        bench.reply(&bare(), question, 3)
    );
}

#[tokio::test]
async fn questions_that_map_nowhere_get_a_text_answer() {
    let bench = Bench::new().await;
    assert_eq!(
        bench
            .sql(&bare(), "What's the weather like in Lisbon?")
            .await,
        None
    );
}

#[tokio::test]
async fn listed_table_functions_are_called_with_arguments_from_the_question() {
    let bench = Bench::new().await;
    let question = "What distance did each truck of depot 'NTH' drive in 2024?";
    let unlisted = bench.sql(&bare(), question).await.unwrap_or_default();
    assert!(!unlisted.contains("depot_mileage"), "{unlisted}");
    let listed = space(
        json!([]),
        json!([]),
        json!({"sql_functions": [{"id": id(7), "identifier": "fleet.ops.depot_mileage"}]}),
    );
    let Reply::Query(query) = bench.reply(&listed, question, 0) else {
        panic!("expected a query");
    };
    assert_eq!(
        query.sql,
        "SELECT * FROM `fleet`.`ops`.`depot_mileage`('NTH', 2024)"
    );
    assert_eq!(query.trusted_asset.as_deref(), Some(id(7).as_str()));
    let result = bench.engine.query(&query.sql).await.expect("the call runs");
    assert_eq!(result.rows.len(), 2, "{result:?}");
    // A question the signature does not cover is read as usual.
    let other = bench
        .sql(&listed, "How many trucks are there?")
        .await
        .unwrap();
    assert!(!other.contains("depot_mileage"), "{other}");
    // Words the comment shares are not enough: the question must name the function's
    // subject (a word of its name).
    let unnamed = bench
        .sql(
            &listed,
            "What distance did each truck drive in 2024 for 'NTH'?",
        )
        .await
        .unwrap_or_default();
    assert!(!unnamed.contains("depot_mileage"), "{unnamed}");
}

#[tokio::test]
async fn periods_relative_to_today_run_on_the_engine() {
    let bench = Bench::new().await;
    for (question, fragment) in [
        (
            "How many trips were there last month?",
            "month(current_date()) - 1",
        ),
        (
            "How many trips were there this year?",
            "year(current_date()) - 0",
        ),
        (
            "How many trips in the last 2 weeks?",
            "date_sub(current_date(), 14)",
        ),
        (
            "How many trips in the past 3 months?",
            "add_months(current_date(), -3)",
        ),
        ("How many trips year to date?", "<= current_date()"),
        ("How many trips yesterday?", "date_sub(current_date(), 1)"),
    ] {
        let sql = bench.sql(&bare(), question).await.unwrap();
        assert!(sql.contains(fragment), "{question}\n{sql}");
        assert!(sql.contains("`trp`.`trp_dt`"), "{question}\n{sql}");
    }
}

#[tokio::test]
async fn numeric_comparisons_filter_the_named_or_a_plausible_column() {
    let bench = Bench::new().await;
    let distance = space(
        json!([]),
        json!([{"column_name": "dist_km", "synonyms": ["distance"]}]),
        json!({}),
    );
    let named = bench
        .sql(&distance, "How many trips had a distance of more than 500?")
        .await
        .unwrap();
    assert!(named.contains("`trp`.`dist_km` > 500"), "{named}");
    assert!(
        bench
            .steps(&distance, "How many trips had a distance of more than 500?")
            .contains("Keep rows where `dist_km` > 500")
    );
    let guessed = "How many trucks can carry at least 10,000?";
    let sql = bench.sql(&bare(), guessed).await.unwrap();
    assert!(sql.contains("`trk`.`cap_kg` >= 10000"), "{sql}");
    assert!(
        bench
            .steps(&bare(), guessed)
            .contains("Guess that the comparison")
    );
}

#[tokio::test]
async fn aggregate_words_choose_the_function() {
    let bench = Bench::new().await;
    let distance = space(
        json!([]),
        json!([{"column_name": "dist_km", "synonyms": ["distance"]}]),
        json!({}),
    );
    for (question, function) in [
        ("What is the total distance?", "SUM(`trp`.`dist_km`)"),
        ("What is the average distance?", "AVG(`trp`.`dist_km`)"),
        ("What is the median distance?", "MEDIAN(`trp`.`dist_km`)"),
        ("What is the maximum distance?", "MAX(`trp`.`dist_km`)"),
        ("What is the minimum distance?", "MIN(`trp`.`dist_km`)"),
    ] {
        let sql = bench.sql(&distance, question).await.unwrap();
        assert!(sql.contains(function), "{question}\n{sql}");
    }
}

/// With several date columns, a period goes on the one the question names, else the
/// one the metadata says periods use; with neither, the draw picks.
#[tokio::test]
async fn periods_use_the_date_column_the_question_or_the_metadata_names() {
    let bench = Bench::with_schema(
        "CREATE SCHEMA fleet.ops;
         CREATE TABLE fleet.ops.shp (shp_id INT, bkg_dt DATE, dlvr_dt DATE, wt_kg DOUBLE);
         INSERT INTO fleet.ops.shp VALUES (1, DATE '2024-12-30', DATE '2025-01-04', 10.0),
           (2, DATE '2024-03-01', DATE '2024-03-02', 5.0);",
    )
    .await;
    let space = |instruction: Option<&str>| {
        let mut space = json!({
            "version": 2,
            "data_sources": {"tables": [{"identifier": "fleet.ops.shp",
                "description": ["Shipments: one row per shipment"]}]},
        });
        if let Some(text) = instruction {
            space["instructions"] =
                json!({"text_instructions": [{"id": id(6), "content": [text]}]});
        }
        space
    };
    let column = |sql: &str| {
        ["bkg_dt", "dlvr_dt"]
            .into_iter()
            .find(|name| sql.contains(&format!("`shp`.`{name}` BETWEEN")))
            .map(str::to_owned)
    };
    let question = "How many shipments were there in 2024?";
    for (instruction, expected) in [
        ("Shipments are dated by shp.bkg_dt.", "bkg_dt"),
        ("Shipments are dated by shp.dlvr_dt.", "dlvr_dt"),
    ] {
        let sql = bench
            .sql(&space(Some(instruction)), question)
            .await
            .unwrap();
        assert_eq!(
            column(&sql).as_deref(),
            Some(expected),
            "{instruction}\n{sql}"
        );
    }
    // The question's own words win over the instruction ("delivered" for `dlvr_dt`).
    let sql = bench
        .sql(
            &space(Some("Shipments are dated by shp.bkg_dt.")),
            "How many shipments were delivered in 2024?",
        )
        .await
        .unwrap();
    assert_eq!(column(&sql).as_deref(), Some("dlvr_dt"), "{sql}");
    // A clause that mentions a column without saying periods use it does not count.
    let sql = bench
        .sql(
            &space(Some(
                "The loan period ends at shp.dlvr_dt; shp.bkg_dt is when it was booked.",
            )),
            question,
        )
        .await
        .unwrap();
    assert!(column(&sql).is_some(), "{sql}");
}

/// A non-parameterised example answers the question it states, not the same question
/// about another year: with another year it is not reused.
#[tokio::test]
async fn a_plain_example_is_reused_only_with_its_own_literals() {
    let bench = Bench::new().await;
    let sql = "SELECT SUM(dist_km) AS km FROM fleet.ops.trp WHERE year(trp_dt) = 2024";
    let with_example = space(
        json!([]),
        json!([]),
        json!({"example_question_sqls": [{"id": id(1),
            "question": ["How far did our trucks drive in 2024?"],
            "sql": [sql]}]}),
    );
    assert_eq!(
        bench
            .sql(&with_example, "How far did our trucks drive in 2024?")
            .await
            .as_deref(),
        Some(sql)
    );
    let other_year = bench
        .sql(&with_example, "How far did our trucks drive in 2025?")
        .await;
    assert_ne!(other_year.as_deref(), Some(sql));
    assert!(!other_year.unwrap_or_default().contains("2024"));
}

/// A key that a join spec links to another table is shown by that table's name.
#[tokio::test]
async fn grouping_by_a_linking_key_shows_the_linked_name() {
    let bench = Bench::new().await;
    let joined = json!({
        "version": 2,
        "data_sources": {"tables": [
            {"identifier": "fleet.ops.trk", "description": ["Trucks: one row per truck"],
             "column_configs": [{"column_name": "trk_nm", "description": ["Truck name"]}]},
            {"identifier": "fleet.ops.trp", "description": ["Trips: one row per trip"],
             "column_configs": [{"column_name": "trk_id", "synonyms": ["truck"]}]}
        ]},
        "instructions": {"join_specs": JOIN()}
    });
    let sql = bench
        .sql(&joined, "total distance per truck")
        .await
        .unwrap();
    assert!(sql.contains("GROUP BY `trk`.`trk_nm`"), "{sql}");
    let unjoined = json!({
        "version": 2,
        "data_sources": {"tables": [
            {"identifier": "fleet.ops.trp", "description": ["Trips: one row per trip"],
             "column_configs": [{"column_name": "trk_id", "synonyms": ["truck"]}]}
        ]}
    });
    let sql = bench
        .sql(&unjoined, "total distance per truck")
        .await
        .unwrap();
    assert!(sql.contains("GROUP BY `trp`.`trk_id`"), "{sql}");
}

/// Reading noise: off, every attempt reads a phrase the same strongest way; on, the
/// runner-up reading wins on some attempts, and the metadata that widens the gap makes
/// that rarer.
#[tokio::test]
async fn reading_noise_lets_the_runner_up_win_sometimes() {
    let bench = Bench::new().await;
    let config = SpaceConfig::from_json(
        &space(
            json!([{"column_name": "cap_kg", "synonyms": ["load"]}]),
            json!([{"column_name": "dist_km", "description": ["Load"]}]),
            json!({}),
        )
        .to_string(),
    )
    .expect("space parses");
    let answers = |noise: f64| -> std::collections::BTreeSet<String> {
        (0..60)
            .filter_map(|attempt| {
                match answer(
                    &bench.catalog,
                    &config,
                    "What is the total load?",
                    Draw::with_noise(7, attempt, noise),
                ) {
                    Reply::Query(query) => Some(query.sql),
                    Reply::Text(_) => None,
                }
            })
            .collect()
    };
    assert_eq!(answers(0.0).len(), 1, "{:?}", answers(0.0));
    assert!(answers(1.0).len() > 1, "{:?}", answers(1.0));
}

/// "How many truck trips": of two tables named in a row the second (the head noun) is
/// counted; the first only qualifies it.
#[tokio::test]
async fn of_two_tables_in_a_row_the_head_noun_is_counted() {
    let bench = Bench::new().await;
    let joined = json!({
        "version": 2,
        "data_sources": {"tables": [
            {"identifier": "fleet.ops.trk", "description": ["Trucks: one row per truck"]},
            {"identifier": "fleet.ops.trp", "description": ["Trips: one row per trip"]}
        ]},
        "instructions": {"join_specs": JOIN()}
    });
    let sql = bench
        .sql(&joined, "How many truck trips are there?")
        .await
        .unwrap();
    assert!(sql.contains("AS `trp_count`"), "{sql}");
    let sql = bench
        .sql(&joined, "How many trucks are there?")
        .await
        .unwrap();
    assert!(sql.contains("AS `trk_count`"), "{sql}");
}

/// "How many trucks have a capacity above 10000": the compared column filters the
/// counted rows; it is not summed.
#[tokio::test]
async fn a_compared_column_of_a_count_is_a_condition_not_a_measure() {
    let bench = Bench::new().await;
    let named = space(
        json!([{"column_name": "cap_kg", "synonyms": ["capacity"]}]),
        json!([]),
        json!({}),
    );
    let sql = bench
        .sql(&named, "How many trucks have a capacity above 10000?")
        .await
        .unwrap();
    assert!(sql.contains("`trk`.`cap_kg` > 10000"), "{sql}");
    assert!(!sql.contains("SUM("), "{sql}");
    let sql = bench
        .sql(&named, "What is the total capacity of trucks above 10000?")
        .await
        .unwrap();
    assert!(sql.contains("SUM(`trk`.`cap_kg`)"), "{sql}");
}

#[tokio::test]
async fn text_definitions_advise_and_conflicting_definitions_are_drawn() {
    let bench = Bench::new().await;
    let question = "What was our total haul?";
    let haul_synonym = json!([{"column_name": "dist_km", "synonyms": ["haul"]}]);
    let measure = json!([{"id": id(3), "alias": "haul", "display_name": "Haul", "sql": ["SUM(trp.dist_km * trk.cap_kg / 1000)"]}]);
    let text = |content: &str| json!([{"id": id(6), "content": [content]}]);
    // A text definition is weaker than a column synonym…
    let advised = space(
        json!([]),
        haul_synonym.clone(),
        json!({"join_specs": JOIN(), "text_instructions": text("\"haul\" means SUM(trp.dist_km * trk.cap_kg / 1000).")}),
    );
    let sql = bench.sql(&advised, question).await.unwrap();
    assert!(
        sql.contains("SUM(`trp`.`dist_km`)") && !sql.contains("/ 1000"),
        "{sql}"
    );
    // …while the same definition as a measure snippet wins over it.
    let defined = space(
        json!([]),
        haul_synonym,
        json!({"join_specs": JOIN(), "sql_snippets": {"measures": measure.clone()}}),
    );
    let sql = bench.sql(&defined, question).await.unwrap();
    assert!(sql.contains("/ 1000"), "{sql}");
    // Two definitions of one term with different SQL: the draw decides, whatever
    // their sources.
    let answers = |space: &Value| -> std::collections::BTreeSet<String> {
        (0..16)
            .map(|attempt| match bench.reply(space, question, attempt) {
                Reply::Query(query) => query.sql,
                Reply::Text(text) => text.content,
            })
            .collect()
    };
    let single = space(
        json!([]),
        json!([]),
        json!({"join_specs": JOIN(), "sql_snippets": {"measures": measure.clone()}}),
    );
    assert_eq!(answers(&single).len(), 1);
    let conflicting = space(
        json!([]),
        json!([]),
        json!({"join_specs": JOIN(), "sql_snippets": {"measures": measure},
               "text_instructions": text("\"haul\" means SUM(trp.dist_km).")}),
    );
    let drawn = answers(&conflicting);
    assert_eq!(drawn.len(), 2, "{drawn:?}");
}

#[tokio::test]
async fn a_close_plain_example_guides_the_reading_to_its_tables() {
    let bench = Bench::new().await;
    // Both tables have a `sts` column: "status" alone is a tie the draw settles.
    let question = "How many rows are there by status in 2025?";
    let answers = |space: &Value| -> std::collections::BTreeSet<String> {
        (0..12)
            .map(|attempt| match bench.reply(space, question, attempt) {
                Reply::Query(query) => query.sql,
                Reply::Text(text) => text.content,
            })
            .collect()
    };
    assert!(answers(&bare()).len() > 1);
    let guided = space(
        json!([]),
        json!([]),
        json!({"example_question_sqls": [{"id": id(1),
            "question": ["How many rows are there by status in 2024?"],
            "sql": ["SELECT sts, COUNT(*) AS n FROM fleet.ops.trp WHERE year(trp_dt) = 2024 GROUP BY sts"]}]}),
    );
    let read = answers(&guided);
    assert_eq!(read.len(), 1, "{read:?}");
    let sql = read.first().unwrap();
    assert!(sql.contains("`trp`.`sts`") && sql.contains("2025"), "{sql}");
}

#[tokio::test]
async fn metadata_beyond_the_context_budget_is_read_weaker() {
    let bench = Bench::new().await;
    let question = "What was our total haul?";
    let with_trips_description = |description: String| {
        json!({
            "version": 2,
            "data_sources": {"tables": [
                {"identifier": "fleet.ops.trk", "description": ["Trucks: one row per truck"],
                 "column_configs": [{"column_name": "cap_kg", "synonyms": ["haul"]}]},
                {"identifier": "fleet.ops.trp", "description": [description]}
            ]},
            "instructions": {"join_specs": JOIN(), "sql_snippets": {"measures": [
                {"id": id(3), "alias": "haul", "display_name": "Haul", "sql": ["SUM(trp.dist_km * trk.cap_kg / 1000)"]}]}}
        })
    };
    // Within the budget the snippet outranks the synonym…
    let short = bench
        .sql(
            &with_trips_description("Trips: one row per trip".to_owned()),
            question,
        )
        .await
        .unwrap();
    assert!(short.contains("/ 1000"), "{short}");
    // …but read after 40,000 characters of table descriptions it no longer does.
    let long = bench
        .sql(
            &with_trips_description(format!(
                "Trips: one row per trip. {}",
                "Every trip is logged by the driver. ".repeat(1200)
            )),
            question,
        )
        .await
        .unwrap();
    assert!(
        long.contains("SUM(`trk`.`cap_kg`)") && !long.contains("/ 1000"),
        "{long}"
    );
}
