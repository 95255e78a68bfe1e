//! Extraction of [`SqlFacts`] from a query, for the judges and the optimizer.

mod collector;
mod expression;
mod names;
mod predicate;
mod scope;

use super::error::SqlError;
use super::facts::SqlFacts;
use super::sanitize::{SanitizedSql, sanitize};
use collector::{Collector, Role};

/// The structural facts of `sql`, which must be one read-only query (see
/// [`sanitize()`]).
pub fn extract(sql: &str) -> Result<SqlFacts, SqlError> {
    Ok(extract_from(&sanitize(sql)?))
}

/// The structural facts of an admitted query.
pub fn extract_from(sanitized: &SanitizedSql) -> SqlFacts {
    let mut collector = Collector::default();
    collector.query(sanitized.query(), None, Role::OUTERMOST);
    collector.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Extracts the facts of `sql` and compares them with the snapshot `name`.
    fn check(name: &str, sql: &str) {
        let facts = extract(sql).unwrap_or_else(|error| panic!("`{name}` was refused: {error}"));
        insta::assert_json_snapshot!(name, facts);
    }

    #[test]
    fn refuses_what_sanitize_refuses() {
        assert_eq!(
            extract("DELETE FROM t"),
            Err(SqlError::NotReadOnly {
                statement: "DELETE".to_owned()
            })
        );
    }

    #[test]
    fn single_table_aggregate() {
        check(
            "single_table_aggregate",
            "SELECT region, SUM(amount) AS total_revenue, COUNT(*) AS orders
             FROM main.sales.orders
             WHERE status = 'COMPLETED'
             GROUP BY region
             ORDER BY total_revenue DESC",
        );
    }

    #[test]
    fn inner_join_with_aliases() {
        check(
            "inner_join_with_aliases",
            "SELECT c.customer_name, SUM(o.amount) AS revenue
             FROM main.sales.orders o
             JOIN main.sales.customers AS c ON o.customer_id = c.customer_id
             WHERE c.country = 'DE'
             GROUP BY c.customer_name",
        );
    }

    #[test]
    fn left_join_and_multi_table() {
        check(
            "left_join_and_multi_table",
            "SELECT p.category, s.store_name, COALESCE(SUM(o.amount), 0) AS revenue
             FROM main.sales.products p
             LEFT JOIN main.sales.order_items oi ON oi.product_id = p.product_id
             LEFT OUTER JOIN main.sales.orders o ON o.order_id = oi.order_id AND o.status <> 'CANCELLED'
             INNER JOIN main.sales.stores s ON s.store_id = o.store_id
             GROUP BY p.category, s.store_name",
        );
    }

    #[test]
    fn cte_referencing_another_cte() {
        check(
            "cte_referencing_another_cte",
            "WITH monthly AS (
               SELECT date_trunc('MONTH', order_date) AS month, SUM(amount) AS revenue
               FROM main.sales.orders
               GROUP BY 1
             ),
             growth AS (
               SELECT month, revenue, revenue - LAG(revenue) OVER (ORDER BY month) AS change
               FROM monthly
             )
             SELECT month, revenue, change FROM growth WHERE change IS NOT NULL ORDER BY month",
        );
    }

    #[test]
    fn window_rank_partitioned() {
        check(
            "window_rank_partitioned",
            "SELECT region, product_id, revenue,
                    RANK() OVER (PARTITION BY region ORDER BY revenue DESC) AS revenue_rank,
                    ROW_NUMBER() OVER (PARTITION BY region ORDER BY product_id) AS row_number
             FROM main.sales.product_revenue",
        );
    }

    #[test]
    fn qualify_top_per_group() {
        check(
            "qualify_top_per_group",
            "SELECT customer_id, order_id, order_date
             FROM main.sales.orders
             QUALIFY ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY order_date DESC) = 1",
        );
    }

    #[test]
    fn backticked_names_with_spaces() {
        check(
            "backticked_names_with_spaces",
            "SELECT `Order ID`, `Customer Name`, `Net Amount`
             FROM `main`.`sales`.`Order Details` AS od
             WHERE od.`Net Amount` > 100",
        );
    }

    #[test]
    fn metric_view_measures() {
        check(
            "metric_view_measures",
            "SELECT region, MEASURE(total_revenue) AS revenue, MEASURE(`order count`)
             FROM main.sales.sales_metrics
             WHERE order_year = 2024
             GROUP BY ALL",
        );
    }

    #[test]
    fn date_range_between() {
        check(
            "date_range_between",
            "SELECT SUM(amount) AS revenue
             FROM main.sales.orders
             WHERE order_date BETWEEN DATE '2024-01-01' AND DATE '2024-03-31'",
        );
    }

    #[test]
    fn in_list_and_like() {
        check(
            "in_list_and_like",
            "SELECT product_name, category
             FROM main.sales.products
             WHERE category IN ('Electronics', 'Toys', 'Books')
               AND product_name LIKE '%Pro%'
               AND discontinued NOT IN (1)",
        );
    }

    #[test]
    fn having_with_count_distinct() {
        check(
            "having_with_count_distinct",
            "SELECT store_id, COUNT(DISTINCT customer_id) AS customers
             FROM main.sales.orders
             GROUP BY store_id
             HAVING COUNT(DISTINCT customer_id) >= 50 AND SUM(amount) > 10000",
        );
    }

    #[test]
    fn case_when_buckets() {
        check(
            "case_when_buckets",
            "SELECT CASE WHEN amount >= 1000 THEN 'large'
                         WHEN amount >= 100 THEN 'medium'
                         ELSE 'small' END AS size_bucket,
                    COUNT(*) AS orders
             FROM main.sales.orders
             GROUP BY size_bucket
             ORDER BY 2 DESC",
        );
    }

    #[test]
    fn subquery_in_from() {
        check(
            "subquery_in_from",
            "SELECT t.region, AVG(t.customer_total) AS avg_customer_revenue
             FROM (
               SELECT region, customer_id, SUM(amount) AS customer_total
               FROM main.sales.orders
               GROUP BY region, customer_id
             ) AS t
             GROUP BY t.region",
        );
    }

    #[test]
    fn subquery_in_where() {
        check(
            "subquery_in_where",
            "SELECT customer_name
             FROM main.sales.customers c
             WHERE c.customer_id IN (
               SELECT o.customer_id FROM main.sales.orders o WHERE o.amount > 500
             )
             AND EXISTS (SELECT 1 FROM main.sales.returns r WHERE r.customer_id = c.customer_id)",
        );
    }

    #[test]
    fn union_all_of_channels() {
        check(
            "union_all_of_channels",
            "SELECT 'online' AS channel, SUM(amount) AS revenue FROM main.sales.web_orders
             UNION ALL
             SELECT 'store' AS channel, SUM(amount) AS revenue FROM main.sales.store_orders
             ORDER BY revenue DESC",
        );
    }

    #[test]
    fn date_trunc_and_interval() {
        check(
            "date_trunc_and_interval",
            "SELECT date_trunc('WEEK', order_date) AS week, SUM(amount) AS revenue
             FROM main.sales.orders
             WHERE order_date >= current_date() - INTERVAL 90 DAYS
             GROUP BY date_trunc('WEEK', order_date)
             ORDER BY week",
        );
    }

    #[test]
    fn ratio_of_sums() {
        check(
            "ratio_of_sums",
            "SELECT region, SUM(gross_margin) / SUM(amount) AS margin_rate,
                    try_divide(SUM(returned_amount), SUM(amount)) AS return_rate
             FROM main.sales.orders
             GROUP BY region",
        );
    }

    #[test]
    fn top_n_with_limit() {
        check(
            "top_n_with_limit",
            "SELECT p.product_name, SUM(oi.quantity) AS units
             FROM main.sales.order_items oi
             JOIN main.sales.products p USING (product_id)
             GROUP BY p.product_name
             ORDER BY units DESC
             LIMIT 10;",
        );
    }

    #[test]
    fn table_valued_function() {
        check(
            "table_valued_function",
            "SELECT tc.customer_id, tc.revenue
             FROM main.sales.top_customers(10, 'EMEA') AS tc
             JOIN main.sales.customers c ON c.customer_id = tc.customer_id",
        );
    }

    #[test]
    fn parameter_markers() {
        check(
            "parameter_markers",
            "SELECT order_id, amount
             FROM main.sales.orders
             WHERE region = :region AND order_date >= :start_date AND amount > -5",
        );
    }

    #[test]
    fn comments_and_distinct() {
        check(
            "comments_and_distinct",
            "-- distinct regions with orders
             SELECT DISTINCT o.region /* region code */
             FROM main.sales.orders o -- every order
             WHERE o.region IS NOT NULL;",
        );
    }

    #[test]
    fn or_predicate_and_ilike() {
        check(
            "or_predicate_and_ilike",
            "SELECT name FROM main.crm.accounts
             WHERE (segment = 'SMB' OR segment = 'MID') AND name ILIKE 'acme%'",
        );
    }

    #[test]
    fn count_if_percentile_and_filter() {
        check(
            "count_if_percentile_and_filter",
            "SELECT COUNT_IF(is_late) AS late_orders,
                    PERCENTILE_APPROX(delivery_days, 0.9) AS p90_days,
                    MEDIAN(delivery_days) AS median_days,
                    COUNT(*) FILTER (WHERE channel = 'web') AS web_orders
             FROM main.logistics.shipments",
        );
    }

    #[test]
    fn running_total_and_lag() {
        check(
            "running_total_and_lag",
            "SELECT order_date, daily_revenue,
                    SUM(daily_revenue) OVER (ORDER BY order_date ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running_total,
                    LAG(daily_revenue, 7) OVER (PARTITION BY store_id ORDER BY order_date) AS last_week
             FROM main.sales.daily_store_revenue",
        );
    }

    #[test]
    fn cross_join_and_unqualified_ambiguity() {
        check(
            "cross_join_and_unqualified_ambiguity",
            "SELECT d.calendar_date, s.store_id, amount
             FROM main.sales.dim_date d CROSS JOIN main.sales.stores s
             WHERE d.calendar_date >= '2024-01-01'",
        );
    }

    #[test]
    fn values_with_cast() {
        check(
            "values_with_cast",
            "SELECT region, CAST(target AS DECIMAL(18, 2)) AS target, t.amount::DOUBLE AS amount
             FROM (VALUES ('EMEA', 100), ('APAC', 200)) AS targets(region, target)
             JOIN main.sales.region_totals t USING (region)",
        );
    }

    #[test]
    fn lateral_alias_and_struct_field() {
        check(
            "lateral_alias_and_struct_field",
            "SELECT c.address.city AS city, COUNT(*) AS customers, customers * 2 AS doubled
             FROM main.crm.customers c
             WHERE c.address.country = 'FR'
             GROUP BY c.address.city",
        );
    }

    #[test]
    fn unusual_queries_are_read_without_panicking() {
        let queries = [
            "VALUES (1, 'a'), (2, 'b')",
            "(SELECT a FROM t ORDER BY a LIMIT 3)",
            "SELECT * FROM t ORDER BY ALL DESC LIMIT 5",
            "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT n FROM r",
            "SELECT * FROM (SELECT region, amount FROM sales) PIVOT (SUM(amount) FOR region IN ('EMEA', 'APAC'))",
            "SELECT item FROM orders LATERAL VIEW explode(items) exploded AS item",
            "SELECT a.x FROM (a JOIN b ON a.k = b.k) JOIN c ON c.k = a.k",
            "SELECT region, SUM(v) FROM t GROUP BY GROUPING SETS ((region), ())",
            "SELECT filter(xs, x -> x > limit_value) FROM t",
            "SELECT SUM(v) OVER w FROM t WINDOW w AS (PARTITION BY g ORDER BY d)",
            "SELECT * FROM main.sales.orders TIMESTAMP AS OF '2024-01-01'",
            "SELECT * FROM t TABLESAMPLE (10 PERCENT)",
            "SELECT t.* EXCEPT (secret), u.* FROM t, u WHERE t.id = u.id",
            "SELECT * FROM range(10) AS r(id) LEFT ANTI JOIN t ON t.id = r.id",
            "SELECT 1 WHERE NOT (a = 1 OR b = 2) AND x IS DISTINCT FROM y",
            "SELECT a FROM t WHERE a > ALL (SELECT b FROM u) AND c = ANY (SELECT d FROM v)",
            "SELECT count(*) FROM t1 NATURAL JOIN t2 FULL OUTER JOIN t3 ON true",
        ];
        for sql in queries {
            let facts = extract(sql).unwrap_or_else(|error| panic!("`{sql}`: {error}"));
            assert!(
                facts
                    .ctes
                    .iter()
                    .all(|cte| !facts.tables.iter().any(|table| &table.name == cte)),
                "a CTE listed as a table in `{sql}`"
            );
        }
        let recursive = extract(queries[3]).unwrap();
        assert_eq!(recursive.ctes, ["r"]);
        assert!(recursive.tables.is_empty());
        let parenthesized = extract(queries[1]).unwrap();
        assert_eq!(parenthesized.limit, Some(3));
        assert_eq!(parenthesized.output_columns, ["a"]);
        let lateral = extract(queries[5]).unwrap();
        assert_eq!(lateral.functions, ["EXPLODE"]);
        let nested = extract(queries[6]).unwrap();
        assert_eq!(nested.joins.len(), 2);
    }

    #[test]
    fn cte_shadowing_and_star_pass_through() {
        let facts = extract(
            "WITH orders AS (SELECT * FROM main.sales.orders WHERE status = 'OK')
             SELECT o.amount FROM orders o",
        )
        .unwrap();
        assert_eq!(facts.ctes, ["orders"]);
        assert_eq!(
            facts
                .tables
                .iter()
                .map(|table| table.name.as_str())
                .collect::<Vec<_>>(),
            ["main.sales.orders"]
        );
        // `o.amount` reaches the base table through the CTE's `*`.
        assert!(facts.columns.contains(&crate::sql::ColumnRef {
            table: Some("main.sales.orders".to_owned()),
            column: "amount".to_owned(),
        }));
    }
}
