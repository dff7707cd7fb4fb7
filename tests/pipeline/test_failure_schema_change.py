"""A local metastore that refuses a table's new columns is named as a schema change, with the
table, the spec key that shapes it and the fix (not a bare 'spark-pipelines exited')."""

from __future__ import annotations

from medallion.tooling.local import failure as failures

MERGE = (
    "pyspark.errors.exceptions.connect.UnknownException: (org.apache.spark.sql.pipelines.graph."
    "DatasetManager$TableMaterializationException) org.apache.spark.SparkException: "
    '[CANNOT_MERGE_INCOMPATIBLE_DATA_TYPE] Failed to merge incompatible data types "INT" and "BIGINT".'
)
ALTER = (
    "org.apache.hadoop.hive.ql.metadata.HiveException: Unable to alter table. The following columns "
    "have types incompatible with the existing columns in their respective positions :"
)


def test_a_refused_type_change_names_the_spec_key_and_the_fix() -> None:
    lines = ["2026-12-06 12:00:00: Flow spark_catalog.default.silver_orders has FAILED.", MERGE]
    found = failures.schema_change(failures.flow_failed(["silver_orders"], lines), lines)
    assert found.kind == "schema_change" and found.table == "silver_orders"
    assert (
        "sources.orders.columns changed" in found.cause
        and "CANNOT_MERGE_INCOMPATIBLE_DATA_TYPE" in found.cause
    )
    assert "--select silver_orders+ --full-refresh" in found.fix and ".medallion/metastore_db" in found.fix


def test_a_refused_gold_column_points_at_the_gold_section() -> None:
    lines = ["Flow 'spark_catalog.default.fact_sales' has FAILED.", ALTER]
    found = failures.schema_change(failures.flow_failed(["fact_sales"], lines), lines)
    assert found.kind == "schema_change" and "(gold changed)" in found.cause


def test_other_failures_are_left_as_they_are() -> None:
    lines = ["Flow 'spark_catalog.default.bronze_orders' has FAILED.", "java.lang.RuntimeException: boom"]
    original = failures.flow_failed(["bronze_orders"], lines)
    assert failures.schema_change(original, lines) is original
