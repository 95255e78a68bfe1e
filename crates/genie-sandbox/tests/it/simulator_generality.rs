//! The simulator on a schema unlike the retail fixture's (people and departments, plain
//! column names, one join spec, format assistance on one column): common questions get
//! the same answer as a hand-written query. Nothing here is tuned to the retail words.

use genie_core::compare::{ComparisonOptions, compare_results};
use genie_core::space::SpaceConfig;
use genie_sandbox::engine::Engine;
use genie_sandbox::simulator::{Catalog, Draw, Reply, answer};
use serde_json::json;

const SCHEMA: &str = "\
CREATE SCHEMA hr.core;
CREATE TABLE hr.core.employees (employee_id INT, full_name STRING, department_id INT, hire_date DATE, salary DECIMAL(10,2), job_title STRING, is_remote BOOLEAN);
CREATE TABLE hr.core.departments (department_id INT, department_name STRING, location STRING);
INSERT INTO hr.core.departments VALUES (1, 'Sales', 'Boston'), (2, 'Engineering', 'Austin'), (3, 'Finance', 'Boston');
INSERT INTO hr.core.employees VALUES
  (1, 'Ann Lee', 1, DATE '2023-02-01', 70000, 'Account Executive', false),
  (2, 'Bo Chan', 2, DATE '2022-05-10', 120000, 'Engineer', true),
  (3, 'Cy Dorn', 2, DATE '2023-07-01', 110000, 'Engineer', false),
  (4, 'Di Eck', 3, DATE '2021-01-15', 90000, 'Analyst', true),
  (5, 'Ed Fox', 1, DATE '2024-03-03', 65000, 'Account Executive', false);
";

fn space() -> SpaceConfig {
    SpaceConfig::from_json(
        &json!({"version": 2,
            "data_sources": {"tables": [
                {"identifier": "hr.core.departments",
                 "column_configs": [{"column_name": "department_name", "enable_format_assistance": true}]},
                {"identifier": "hr.core.employees"}]},
            "instructions": {"join_specs": [{"id": "01f00000000000000000000000000001",
                "left": {"identifier": "hr.core.employees"}, "right": {"identifier": "hr.core.departments"},
                "sql": ["employees.department_id = departments.department_id"]}]}})
        .to_string(),
    )
    .expect("the space parses")
}

#[tokio::test]
async fn common_questions_on_another_schema_get_the_right_answer() {
    let engine = Engine::from_schema_sql(SCHEMA).await.expect("schema loads");
    let catalog = Catalog::load(&engine).await.expect("catalog loads");
    let space = space();
    let join =
        "FROM hr.core.employees e JOIN hr.core.departments d ON e.department_id = d.department_id";
    let cases = [
        (
            "What is the average salary by department?",
            format!("SELECT d.department_name, AVG(e.salary) {join} GROUP BY d.department_name"),
        ),
        (
            "How many employees were hired in 2023?",
            "SELECT COUNT(*) FROM hr.core.employees WHERE year(hire_date) = 2023".to_owned(),
        ),
        (
            "Which department has the most employees?",
            format!(
                "SELECT d.department_name, COUNT(*) AS n {join} GROUP BY d.department_name ORDER BY n DESC LIMIT 1"
            ),
        ),
        (
            "How many employees work in Engineering?",
            format!("SELECT COUNT(*) {join} WHERE d.department_name = 'Engineering'"),
        ),
        (
            "What is the total salary per location?",
            format!("SELECT d.location, SUM(e.salary) {join} GROUP BY d.location"),
        ),
        (
            "How many employees earn more than 100,000?",
            "SELECT COUNT(*) FROM hr.core.employees WHERE salary > 100000".to_owned(),
        ),
        (
            "What is the median salary in Engineering?",
            format!("SELECT MEDIAN(e.salary) {join} WHERE d.department_name = 'Engineering'"),
        ),
        (
            "How many employees are not remote?",
            "SELECT COUNT(*) FROM hr.core.employees WHERE NOT is_remote".to_owned(),
        ),
        (
            "Show the number of employees by job title",
            "SELECT job_title, COUNT(*) FROM hr.core.employees GROUP BY job_title".to_owned(),
        ),
        (
            "What percentage of employees are remote?",
            "SELECT AVG(CASE WHEN is_remote THEN 1.0 ELSE 0.0 END) FROM hr.core.employees"
                .to_owned(),
        ),
        (
            "How many employees were hired each year?",
            "SELECT year(hire_date), COUNT(*) FROM hr.core.employees GROUP BY year(hire_date)"
                .to_owned(),
        ),
    ];
    let mut wrong = Vec::new();
    for (question, expected_sql) in cases {
        let expected = engine
            .query(&expected_sql)
            .await
            .expect("the expected SQL runs");
        let sql = match answer(&catalog, &space, question, Draw::default()) {
            Reply::Query(query) => query.sql,
            Reply::Text(text) => {
                wrong.push(format!("{question}: text `{}`", text.content));
                continue;
            }
        };
        let actual = engine
            .query(&sql)
            .await
            .unwrap_or_else(|error| panic!("{question}: `{sql}` fails: {error}"));
        let options = ComparisonOptions {
            order_matters: expected_sql.contains("LIMIT"),
            ..ComparisonOptions::default()
        };
        if !compare_results(&expected, &actual, &options).equal {
            wrong.push(format!("{question}:\n{sql}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}
