"""The retail star from a hand-made silver layer: grain, lookups, orphans, totals, dates."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from pyspark.sql import functions as F

from medallion.tooling.local.gold_metrics import gold_metrics
from tests.gold.retail_data import EXPECTED_AMOUNT, EXPECTED_ORPHANS, ORDERS, retail_star


@pytest.fixture(scope="module")
def star(spark, retail_spec):
    return retail_star(spark, retail_spec)


def facts_by_line(star):
    return {(r["order_id"], r["line_number"]): r for r in star["fact_sales"].collect()}


def customer_version(star, valid_from: str) -> int:
    row = star["dim_customer"].where(F.col("valid_from") == F.lit(valid_from).cast("timestamp")).collect()
    return row[0]["customer_key"]


def test_every_fact_row_once(star):
    facts = star["fact_sales"]
    assert facts.count() == len(ORDERS) == facts.select("order_id", "line_number").distinct().count()


def test_scd2_lookup_takes_the_version_valid_at_event_time(star):
    rows = facts_by_line(star)
    assert rows[("o1", 1)]["customer_key"] == customer_version(star, "2024-01-01"), "before first: earliest"
    assert rows[("o1", 2)]["customer_key"] == customer_version(star, "2024-02-15")
    assert rows[("o2", 1)]["customer_key"] == customer_version(star, "2024-03-01"), "valid_from is inclusive"
    current_c2 = star["dim_customer"].where("customer_id = 'c2' AND is_current").collect()[0]["customer_key"]
    assert rows[("o6", 1)]["customer_key"] == current_c2, "NULL event time: current version"


def test_orphans_and_nulls_point_at_unknown(star):
    rows = facts_by_line(star)
    assert rows[("o3", 1)]["product_key"] == -1
    assert rows[("o4", 1)]["customer_key"] == -1 and rows[("o5", 1)]["customer_key"] == -1
    assert rows[("o6", 1)]["date_key"] == -1
    assert rows[("o1", 1)]["date_key"] == 20231201


def test_scd1_dimension_has_the_current_values(star):
    products = {r["product_id"]: r for r in star["dim_product"].collect()}
    assert products["p1"]["list_price"] == Decimal("12.00") and set(products) == {"p1", "p2", None}
    assert products[None]["product_key"] == -1 and products[None]["category"] == "unknown"


def test_measures_are_decimals_matching_silver_to_the_cent(star):
    types = dict(star["fact_sales"].dtypes)
    assert types["amount"] == "decimal(18,2)" and types["quantity"] == "decimal(18,0)"
    silver_amount = (
        star["silver_orders"]
        .select(F.sum(F.col("quantity") * F.col("unit_price") - F.coalesce("discount", F.lit(0))))
        .collect()[0][0]
    )
    gold_amount = star["fact_sales"].select(F.sum("amount")).collect()[0][0]
    assert gold_amount == silver_amount == EXPECTED_AMOUNT


def test_gold_metrics(spark, retail_spec, star):
    metrics = gold_metrics(spark, retail_spec, lambda name: star[name])
    sales = metrics["fact_sales"]
    assert sales["rows"] == len(ORDERS) and sales["orphans"] == EXPECTED_ORPHANS
    assert sales["measures"]["amount"] == str(EXPECTED_AMOUNT)
    assert sales["orphan_fraction"]["product"] == pytest.approx(1 / len(ORDERS))


def test_date_dimension_covers_the_fact_dates(star):
    dates = star["dim_date"]
    real = dates.where("date_key <> -1")
    assert real.count() == (date(2024, 5, 7) - date(2023, 12, 1)).days + 1
    assert dates.where("date_key = -1").count() == 1
    day = dates.where("date_key = 20240302").collect()[0]
    assert (day["year"], day["quarter"], day["month_name"], day["day_name"]) == (2024, 1, "March", "Saturday")
    assert (day["day_of_week"], day["is_weekend"], day["week_of_year"]) == (6, True, 9)
    fact_keys = {r[0] for r in star["fact_sales"].select("date_key").distinct().collect()}
    assert fact_keys <= {r[0] for r in dates.select("date_key").collect()}


def test_keys_identical_after_recomputation(spark, retail_spec, star):
    again = retail_star(spark, retail_spec)
    for table in ("dim_customer", "dim_product", "fact_sales"):
        assert sorted(map(tuple, again[table].collect())) == sorted(map(tuple, star[table].collect()))
    assert isinstance(star["dim_customer"].where("customer_key = -1").collect()[0]["valid_to"], datetime)
