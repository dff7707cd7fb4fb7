-- Example analytic queries over the retail star schema (dim_customer SCD2, dim_product SCD1,
-- dim_date, fact_sales, agg_daily_sales). Run them in the pipeline's catalog and schema
-- (`USE CATALOG ...; USE SCHEMA ...;`, or in a SQL editor with that default), or locally
-- with `spark-sql` against `.medallion/`. Unknown members (key -1) keep orphan rows in totals.

-- 1. Revenue by month and product category (cancelled lines excluded).
SELECT d.year_month, p.category, SUM(f.amount) AS revenue, SUM(f.quantity) AS units,
       try_divide(SUM(f.amount), SUM(f.quantity)) AS avg_unit_price
FROM fact_sales f
JOIN dim_date d ON f.date_key = d.date_key
JOIN dim_product p ON f.product_key = p.product_key
WHERE f.status <> 'cancelled'
GROUP BY d.year_month, p.category
ORDER BY d.year_month, revenue DESC;

-- 2. Revenue by the customer's segment AT THE TIME of the order (SCD2 point-in-time)...
SELECT c.segment AS segment_at_order, SUM(f.amount) AS revenue, COUNT(*) AS order_lines
FROM fact_sales f
JOIN dim_customer c ON f.customer_key = c.customer_key
GROUP BY c.segment
ORDER BY revenue DESC;

-- 3. ...versus by the customer's CURRENT segment (join on the natural key, current version).
SELECT cur.segment AS current_segment, SUM(f.amount) AS revenue
FROM fact_sales f
JOIN dim_customer c ON f.customer_key = c.customer_key
LEFT JOIN dim_customer cur ON cur.customer_id = c.customer_id AND cur.is_current
GROUP BY cur.segment
ORDER BY revenue DESC;

-- 4. Weekday versus weekend sales, from the pre-aggregated daily table.
SELECT d.is_weekend, SUM(a.revenue) AS revenue, SUM(a.order_lines) AS order_lines
FROM agg_daily_sales a
JOIN dim_date d ON a.date_key = d.date_key
GROUP BY d.is_weekend;

-- 5. Data quality in the star: fact rows pointing at an unknown member, per dimension.
SELECT SUM(CASE WHEN customer_key = -1 THEN 1 ELSE 0 END) AS unknown_customer,
       SUM(CASE WHEN product_key = -1 THEN 1 ELSE 0 END) AS unknown_product,
       SUM(CASE WHEN date_key = -1 THEN 1 ELSE 0 END) AS unknown_date,
       COUNT(*) AS fact_rows
FROM fact_sales;

-- 6. Customers whose country changed, with each version's validity interval.
SELECT customer_id, country, segment, valid_from, valid_to, is_current
FROM dim_customer
WHERE customer_id IN (
  SELECT customer_id FROM dim_customer WHERE customer_key <> -1
  GROUP BY customer_id HAVING COUNT(DISTINCT country) > 1
)
ORDER BY customer_id, valid_from;

-- 7. Top 10 products by revenue over the last 30 days of data.
SELECT p.product_id, p.name, p.category, SUM(f.amount) AS revenue
FROM fact_sales f
JOIN dim_product p ON f.product_key = p.product_key
JOIN dim_date d ON f.date_key = d.date_key
WHERE d.date > (SELECT date_sub(MAX(date), 30) FROM dim_date)
GROUP BY p.product_id, p.name, p.category
ORDER BY revenue DESC
LIMIT 10;
