"""define_gold through a recording dp: options per engine, and every query run in a classic session."""

from __future__ import annotations

import inspect
from decimal import Decimal
from typing import cast

import pytest
from pyspark import pipelines

from medallion import naming
from medallion.context import PipelineContext, Settings
from medallion.gold import define_gold
from tests.gold.retail_data import EXPECTED_AMOUNT, ORDERS, PRODUCT_HISTORY, latest, retail_star
from tests.gold.test_scd2 import HISTORY
from tests.support.recording_dp import RecordingDP

AUTO_CDC_APIS = {"temporary_view", "create_streaming_table", "create_auto_cdc_flow"}


def oss_options(api: str) -> set[str]:
    return set(inspect.signature(getattr(pipelines, api)).parameters) - {"query_function"}


def declare(spark, spec, engine: str) -> RecordingDP:
    """Gold's declarations, each checked against the options the OSS function accepts: gold
    tables are materialized views; on Databricks SCD2 dimensions add their AUTO CDC versions."""
    dp = RecordingDP()
    settings = Settings(engine=engine, spec_path=str(spec.path), source_location="")  # type: ignore[arg-type]
    define_gold(PipelineContext(spark, dp, spec, settings))
    allowed = {"materialized_view"} | (AUTO_CDC_APIS if engine == "databricks" else set())
    for call in dp.calls:
        assert call.api in allowed, f"gold declares {call.api} on {engine}"
        unknown = set(call.kwargs) - oss_options(call.api)
        assert not unknown, f"pyspark.pipelines.{call.api} does not accept {unknown}"
    views = [c for c in dp.calls if c.api == "materialized_view"]
    assert len({c.name for c in views}) == len(views), "a gold table is declared twice"
    return dp


def test_databricks_scd2_dimension_reads_versions_kept_by_auto_cdc(spark, retail_spec):
    dp = declare(spark, retail_spec, "databricks")
    (table,) = [c for c in dp.calls if c.api == "create_streaming_table"]
    (flow,) = [c for c in dp.calls if c.api == "create_auto_cdc_flow"]
    assert table.name == flow.kwargs["target"] == "dim_customer_versions"
    assert table.kwargs["cluster_by"] == ["customer_id"]
    assert flow.kwargs == {
        "target": "dim_customer_versions",
        "source": "changes_dim_customer_versions",
        "keys": ["customer_id"],
        "sequence_by": "_sequence",
        "except_column_list": ["_sequence"],
        "stored_as_scd_type": 2,
        "track_history_column_list": ["name", "email", "country", "segment"],
    }
    assert dp.datasets["changes_dim_customer_versions"].api == "temporary_view"
    assert "dim_product_versions" not in dp.datasets  # SCD1 reads silver_products


def test_declares_every_gold_table(spark, retail_spec):
    dp = declare(spark, retail_spec, "local")
    gold = {t for t, layer in naming.expected_tables(retail_spec).items() if layer == "gold"}
    assert gold == {"dim_customer", "dim_product", "dim_date", "fact_sales", "agg_daily_sales"}
    assert set(dp.datasets) == gold | {naming.QUALITY_METRICS}


def test_databricks_gets_constraints_and_clustering(spark, retail_spec):
    fact = declare(spark, retail_spec, "databricks").datasets["fact_sales"].kwargs
    assert fact["cluster_by"] == ["date_key", "customer_key", "product_key"]
    schema = fact["schema"]
    assert (
        "CONSTRAINT `fk_fact_sales_customer_key` FOREIGN KEY (`customer_key`) REFERENCES `dim_customer`"
        in schema
    )
    assert "FOREIGN KEY (`date_key`) REFERENCES `dim_date` (`date_key`)" in schema
    assert (
        "`amount` DECIMAL(18,2) COMMENT 'Measure: quantity * unit_price - coalesce(discount, 0).'" in schema
    )
    dim = declare(spark, retail_spec, "databricks").datasets["dim_customer"].kwargs
    assert "CONSTRAINT `pk_dim_customer` PRIMARY KEY (`customer_key`)" in dim["schema"]
    assert "`customer_key` BIGINT NOT NULL COMMENT" in dim["schema"]
    assert "`customer_id` STRING COMMENT 'Natural key from the shop system.'" in dim["schema"]
    assert dim["comment"].startswith("Customers with their history")


def test_databricks_role_keys_reference_the_dimension_key(spark, library_spec):
    fact = declare(spark, library_spec, "databricks").datasets["fact_loans"].kwargs
    assert (
        "FOREIGN KEY (`returned_to_key`) REFERENCES `dim_branch` (`branch_key`)" in fact["schema"]
        and "FOREIGN KEY (`branch_key`) REFERENCES `dim_branch` (`branch_key`)" in fact["schema"]
    )
    assert "`returned_to_key` BIGINT NOT NULL COMMENT 'Key of dim_branch as returned_to" in fact["schema"]


def test_local_gets_comments_but_no_constraints_or_clustering(spark, retail_spec):
    for options in (d.kwargs for d in declare(spark, retail_spec, "local").datasets.values()):
        assert "cluster_by" not in options and options["comment"]
        assert "CONSTRAINT" not in options.get("schema", "")


@pytest.fixture(scope="module")
def built(spark, retail_spec):
    """Run every declared query in order over silver temp views; keep the results as temp views."""
    from tests.gold.frames import silver

    customers = silver(spark, retail_spec, "customers", HISTORY)
    products = silver(spark, retail_spec, "products", PRODUCT_HISTORY)
    views = {
        "silver_customers_history": customers,
        "silver_customers": latest(customers, ["customer_id"]),
        "silver_products_history": products,
        "silver_products": latest(products, ["product_id"]),
        "silver_orders": silver(spark, retail_spec, "orders", ORDERS),
    }
    for name, frame in views.items():
        frame.createOrReplaceTempView(name)
    results = {}
    for name, dataset in declare(spark, retail_spec, "local").datasets.items():
        if name == naming.QUALITY_METRICS:
            continue  # it reads bronze and quarantine too: tests/pipeline/test_quality_views.py runs it
        assert dataset.func is not None, name
        results[name] = dataset.func().cache()
        results[name].createOrReplaceTempView(name)
    return results


def test_queries_match_the_pure_builders(spark, retail_spec, built):
    direct = retail_star(spark, retail_spec)
    for table in ("dim_customer", "dim_product", "dim_date", "fact_sales"):
        assert sorted(map(tuple, built[table].collect())) == sorted(map(tuple, direct[table].collect()))


def test_aggregate_totals_and_safe_ratio(built):
    rows = built["agg_daily_sales"].collect()
    not_cancelled = EXPECTED_AMOUNT - Decimal("36.00")
    assert sum(r["revenue"] for r in rows) == not_cancelled
    assert all(r["avg_unit_price"] is None or r["avg_unit_price"] > 0 for r in rows)


def test_inferred_schema_equals_declared_schema(spark, retail_spec, built):
    """The engines refuse a `schema=` whose types or nullability differ from the query's."""
    from pyspark.sql.types import StructType

    def shape(schema: StructType) -> list[tuple[str, str, bool]]:
        return [(f.name, f.dataType.simpleString(), f.nullable) for f in schema.fields]

    for name, dataset in declare(spark, retail_spec, "local").datasets.items():
        if "schema" in dataset.kwargs and name in built:  # quality_metrics: test_quality_views.py
            declared = cast(StructType, StructType.fromDDL(dataset.kwargs["schema"]))
            assert shape(built[name].schema) == shape(declared), name


def analytics_results(spark) -> list[list[dict]]:
    """Every example query of sql/analytics.sql, run over the retail star, as rows of dicts."""
    from tests.gold.conftest import TEMPLATE_PROJECT

    text = (TEMPLATE_PROJECT / "sql" / "analytics.sql").read_text()
    code = "\n".join(line for line in text.splitlines() if not line.startswith("--"))
    statements = [s for s in code.split(";") if s.strip()]
    assert len(statements) == 7
    return [[row.asDict() for row in spark.sql(statement).collect()] for statement in statements]


def test_analytics_sql_answers_on_the_star(spark, built):
    """The answers, worked out by hand from ORDERS (amount = quantity * unit_price - discount):
    o1/1 c1 20.00 (before c1's first version: consumer), o1/2 c1 4.50 (corporate since 02-15),
    o2/1 c1 36.00 cancelled (corporate, FR), o3/1 c2 7.25 orphan product (a Sunday), o4/1 cX
    47.00 orphan customer, o5/1 NULL customer 10.00, o6/1 c2 5.00 with no date."""
    monthly, at_order, current, weekend, unknown, movers, top = analytics_results(spark)
    assert sum(r["revenue"] for r in monthly) == Decimal("93.75"), "every line but the cancelled one"
    may_books = next(r for r in monthly if r["year_month"] == "2024-05" and r["category"] == "books")
    assert (may_books["revenue"], may_books["units"]) == (Decimal("47.00"), 4)
    assert {r["segment_at_order"]: (r["revenue"], r["order_lines"]) for r in at_order} == {
        "consumer": (Decimal("32.25"), 3),
        "corporate": (Decimal("40.50"), 2),
        "unknown": (Decimal("57.00"), 2),
    }
    assert {r["current_segment"]: r["revenue"] for r in current} == {
        "corporate": Decimal("60.50"),
        "consumer": Decimal("12.25"),
        None: Decimal("57.00"),
    }
    assert next(r["revenue"] for r in weekend if r["is_weekend"] is True) == Decimal("7.25")
    assert unknown == [{"unknown_customer": 2, "unknown_product": 1, "unknown_date": 1, "fact_rows": 7}]
    assert {(r["customer_id"], r["country"]) for r in movers} == {("c1", "US"), ("c1", "FR")}
    assert [r["product_id"] for r in top][:1] == ["p1"] and len(top) <= 10
