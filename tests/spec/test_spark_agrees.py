"""Spark's own parser and analyser agree with `medallion validate` (tier `spark`).

What validate refuses, Spark fails on too (so no refusal is invented), and what validate
accepts in the retail spec, Spark runs: rules compiled as the pipeline compiles them, measures,
and the aggregate over tables with the columns validate assumes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medallion import rules
from medallion.spec import load_spec, scopes, trace
from medallion.spec.fragments import render_aggregate
from medallion.spec.spark_functions import FUNCTIONS, SPARK_VERSION
from tests.spec.test_compile_checks import ACCEPTED_RULES, with_rule

ROWS = (
    "SELECT 2 AS quantity, 'placed' AS status, TIMESTAMP'2024-01-01 00:00:00' AS order_ts, "
    "CAST(2 AS DECIMAL(12,2)) AS discount, CAST(3 AS DECIMAL(12,2)) AS unit_price"
)
ORDER_ROW = (
    ROWS + ", 'c1' AS customer_id, 'p1' AS product_id, 'o1' AS order_id, 1 AS line_number, "
    "TIMESTAMP'2024-01-02 00:00:00' AS updated_at, CAST(NULL AS STRING) AS _rescued_data, "
    "current_timestamp() AS _ingested_at, 'f' AS _source_file, 'u' AS _update_id"
)

# rules validate refuses (tests/spec/test_bad_specs.py) that Spark fails on as well
REFUSED = [
    "discount <= 1 -- cap",
    "discount <= quantity * * unit_price",
    "discount <= 1; DROP TABLE x",
    "discount + 1",
    "discont <= 1",
    "sum(quantity) > 0",
    "row_number() OVER (ORDER BY quantity) = 1",
    "lenght(status) > 0",
    "status = 'placed",
    "status > 5",
    "quantity = 'one'",
    "order_ts > 'next week'",
    "status IN (1, 2)",
    "quantity IN (1, 'a')",
    "status RLIKE '([a-z]+'",
    "`quantity` >= 'one'",
    "array_contains(status, 'x') = false",
    "size(status) > 0",
    "quantity.amount > 0",
]


@pytest.mark.parametrize("text", REFUSED)
def test_spark_fails_on_what_validate_refuses(spark: Any, text: str) -> None:
    rows = spark.sql(ROWS)
    with pytest.raises(Exception):  # noqa: B017 - parse, analysis or cast errors alike
        rows.where(rules.compile_rule(text)).collect()


@pytest.mark.parametrize("text", ACCEPTED_RULES)
def test_spark_runs_rules_validate_accepts(spark: Any, text: str) -> None:
    spark.sql(ORDER_ROW).where(rules.compile_rule(text)).collect()


def test_spark_runs_what_validate_accepts(spark: Any, default_project: Path) -> None:
    spec = load_spec(default_project / "medallion.yml")
    orders = spec.source("orders")
    rows = spark.sql(ORDER_ROW)
    assert rows.where(rules.all_pass(orders.row_rules)).count() == 1
    rows.selectExpr(rules.errors_array(orders.row_rules)).collect()
    (sales,) = spec.gold.facts
    rows.selectExpr(*(m.expr for m in sales.measures)).collect()
    tables = scopes.aggregate_tables(spec.gold, {s.name: s for s in spec.sources})
    for name, columns in tables.items():
        if columns is not None:
            ddl = ", ".join(f"`{c}` {t}" for c, t in columns.items())
            spark.createDataFrame([], ddl).createOrReplaceTempView(name)
    (aggregate,) = spec.gold.aggregates
    assert "revenue" in spark.sql(render_aggregate(aggregate.sql or "")).columns


def test_function_list_is_this_sparks(spark: Any) -> None:
    if spark.version != SPARK_VERSION:
        pytest.skip(f"the list is from Spark {SPARK_VERSION}, this is {spark.version}")
    names = {r[0] for r in spark.sql("SHOW SYSTEM FUNCTIONS").collect() if r[0].replace("_", "").isalnum()}
    assert names == FUNCTIONS


@pytest.mark.parametrize(
    "bad", ["discont <= 1", "lenght(status) > 0", "quantity >= 'one'", "discount + 1", "status > 5"]
)
def test_spark_errors_are_traced_to_the_rule_key(spark: Any, default_project: Path, bad: str) -> None:
    """A rule that reached Spark unvalidated: Spark's own message, with the table's other rules
    in it, is traced to the one rule's key."""
    spec = with_rule(default_project, bad)
    orders = spec.source("orders")
    with pytest.raises(Exception) as caught:  # whatever Spark raises
        spark.sql(ORDER_ROW).selectExpr(rules.errors_array(orders.row_rules)).collect()
    found = trace.locate(spec, str(caught.value), "silver_orders_history")
    assert found and found[0].key == "sources.orders.expectations[5].rule", (str(caught.value)[:600], found)
