//! The simulator on schemas unlike the retail fixture's (people and departments; shop
//! orders, items and products), with plain column names, join specs and format
//! assistance only: common questions get the same answer as a hand-written query.
//! Nothing here is tuned to the retail words.

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
    check(&engine, &catalog, &space, &cases).await;
}

/// Asks every question and compares Genie's result with the expected query's.
async fn check(engine: &Engine, catalog: &Catalog, space: &SpaceConfig, cases: &[(&str, String)]) {
    let mut wrong = Vec::new();
    for (question, expected_sql) in cases {
        let expected = engine
            .query(expected_sql)
            .await
            .expect("the expected SQL runs");
        let sql = match answer(catalog, space, question, Draw::default()) {
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

const SHOP: &str = "\
CREATE SCHEMA shop.sales;
CREATE TABLE shop.sales.customers (customer_id INT, name STRING, country STRING, segment STRING);
CREATE TABLE shop.sales.orders (order_id INT, customer_id INT, order_date DATE, status STRING, total_amount DECIMAL(10,2));
CREATE TABLE shop.sales.order_items (order_id INT, product_id INT, quantity INT, price DECIMAL(10,2));
CREATE TABLE shop.sales.products (product_id INT, product_name STRING, category STRING);
INSERT INTO shop.sales.customers VALUES (1, 'Acme', 'Germany', 'Enterprise'), (2, 'Bolt', 'France', 'SMB'), (3, 'Cora', 'Germany', 'SMB');
INSERT INTO shop.sales.orders VALUES (10, 1, DATE '2024-01-05', 'shipped', 100.00), (11, 2, DATE '2024-02-05', 'cancelled', 50.00),
  (12, 3, DATE '2024-02-20', 'shipped', 75.00), (13, 1, DATE '2025-01-02', 'pending', 20.00);
INSERT INTO shop.sales.order_items VALUES (10, 100, 2, 25.00), (10, 101, 1, 50.00), (11, 100, 1, 50.00), (12, 102, 4, 25.00), (13, 101, 1, 20.00);
INSERT INTO shop.sales.products VALUES (100, 'Widget', 'Tools'), (101, 'Gadget', 'Electronics'), (102, 'Doohickey', 'Tools');
";

fn shop_space() -> SpaceConfig {
    let sampled = |column: &str| json!({"column_name": column, "enable_format_assistance": true});
    let join = |id: u32, left: &str, right: &str, on: &str| {
        json!({"id": format!("01f0000000000000000000000000000{id}"),
               "left": {"identifier": left}, "right": {"identifier": right}, "sql": [on]})
    };
    SpaceConfig::from_json(
        &json!({"version": 2,
            "data_sources": {"tables": [
                {"identifier": "shop.sales.customers", "column_configs": [sampled("country"), sampled("segment")]},
                {"identifier": "shop.sales.order_items"},
                {"identifier": "shop.sales.orders", "column_configs": [sampled("status")]},
                {"identifier": "shop.sales.products", "column_configs": [sampled("category")]}]},
            "instructions": {"join_specs": [
                join(1, "shop.sales.orders", "shop.sales.customers", "orders.customer_id = customers.customer_id"),
                join(2, "shop.sales.order_items", "shop.sales.orders", "order_items.order_id = orders.order_id"),
                join(3, "shop.sales.order_items", "shop.sales.products", "order_items.product_id = products.product_id")]}})
        .to_string(),
    )
    .expect("the space parses")
}

#[tokio::test]
async fn common_questions_on_a_shop_schema_get_the_right_answer() {
    let engine = Engine::from_schema_sql(SHOP).await.expect("schema loads");
    let catalog = Catalog::load(&engine).await.expect("catalog loads");
    let items =
        "FROM shop.sales.order_items i JOIN shop.sales.products p ON i.product_id = p.product_id";
    let orders =
        "FROM shop.sales.orders o JOIN shop.sales.customers c ON o.customer_id = c.customer_id";
    let cases = [
        (
            "What was the total order amount in 2024?",
            "SELECT SUM(total_amount) FROM shop.sales.orders WHERE year(order_date) = 2024".to_owned(),
        ),
        (
            "Top 2 products by quantity sold",
            format!("SELECT p.product_name, SUM(i.quantity) AS q {items} GROUP BY p.product_name ORDER BY q DESC LIMIT 2"),
        ),
        (
            "How many orders were shipped?",
            "SELECT COUNT(*) FROM shop.sales.orders WHERE status = 'shipped'".to_owned(),
        ),
        (
            "Monthly order count in 2024",
            "SELECT month(order_date), COUNT(*) FROM shop.sales.orders WHERE year(order_date) = 2024 GROUP BY 1".to_owned(),
        ),
        (
            "Which country has the most customers?",
            "SELECT country, COUNT(*) AS n FROM shop.sales.customers GROUP BY country ORDER BY n DESC LIMIT 1".to_owned(),
        ),
        (
            "Average order amount by customer segment",
            format!("SELECT c.segment, AVG(o.total_amount) {orders} GROUP BY c.segment"),
        ),
        (
            "How many customers are from Germany?",
            "SELECT COUNT(*) FROM shop.sales.customers WHERE country = 'Germany'".to_owned(),
        ),
        (
            "What is the total quantity sold per category?",
            format!("SELECT p.category, SUM(i.quantity) {items} GROUP BY p.category"),
        ),
        (
            "Show the total amount of cancelled orders",
            "SELECT SUM(total_amount) FROM shop.sales.orders WHERE status = 'cancelled'".to_owned(),
        ),
        (
            "How many orders did each customer place?",
            format!("SELECT c.name, COUNT(*) {orders} GROUP BY c.name"),
        ),
        (
            "What is the average price of Tools products?",
            format!("SELECT AVG(i.price) {items} WHERE p.category = 'Tools'"),
        ),
        (
            "Count of orders by status",
            "SELECT status, COUNT(*) FROM shop.sales.orders GROUP BY status".to_owned(),
        ),
    ];
    check(&engine, &catalog, &shop_space(), &cases).await;
}
