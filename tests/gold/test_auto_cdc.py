"""Databricks' AUTO CDC tables give the same silver and gold as the local window plan.

No workspace runs AUTO CDC here and the open-source engine cannot MERGE into local tables
(tests/pipeline/test_auto_cdc_local.py), so the flows are modelled by their documented rules
(https://docs.databricks.com/aws/en/ldp/developer/ldp-python-ref-apply-changes):
- SCD type 1 keeps, per key, the row with the greatest `sequence_by`;
- SCD type 2 orders each key's rows by `sequence_by`, opens a version when a column of
  `track_history_column_list` changes, updates the other columns of the open version in place,
  and records the version's range in `__START_AT` and `__END_AT` (the next version's start;
  NULL while current).
The sequence is the struct our change views compute, compared as Spark compares structs (field by
field, NULL lowest). Random dirty histories (re-sends, same-instant rows, NULL sequence values and
keys, ties in every audit column) must give the local plan's rows exactly, surrogate keys included.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pytest
from pyspark.sql import types as T

from medallion import auto_cdc, silver
from medallion.gold.dimensions import scd2_dimension
from medallion.spec import Spec
from tests.gold.frames import silver as silver_frame
from tests.gold.scd_reference import nulls_first

pytestmark = pytest.mark.spark


def random_customers(seed: int, rows: int = 500) -> list[dict[str, Any]]:
    """Few keys and instants, so re-sends, same-instant rows, NULLs and full ties are common."""
    rng = random.Random(seed)

    def maybe(values: Sequence[Any], none_share: float) -> Any:
        return None if rng.random() < none_share else rng.choice(values)

    return [
        {
            "customer_id": maybe([f"c{i}" for i in range(10)], 0.03),
            "name": maybe(["Ann", "Bob"], 0.1),
            "email": maybe(["a@x.com", "b@x.com"], 0.1),
            "country": maybe(["US", "FR"], 0.1),
            "segment": maybe(["consumer", "corporate"], 0.1),
            "updated_at": maybe([datetime(2024, 1, 1 + d) for d in range(8)], 0.05),
            "_ingested_at": rng.choice([datetime(2024, 3, 1, h) for h in range(3)]),
            "_source_file": maybe(["f1.json", "f2.json"], 0.1),
            "_rescued_data": maybe(['{"x":"1"}'], 0.8),
        }
        for _ in range(rows)
    ]


def with_update_id(frame: Any) -> Any:
    """The history's last audit column (which update wrote the row)."""
    return frame.selectExpr("*", "CAST(hash(_source_file) % 2 AS STRING) AS _update_id")


def rows_of(frame: Any) -> set[tuple[Any, ...]]:
    return {tuple(row) for row in frame.collect()}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scd1_keeps_the_row_the_local_plan_keeps(spark: Any, retail_spec: Spec, seed: int) -> None:
    table = retail_spec.source("customers")
    history = with_update_id(silver_frame(spark, retail_spec, "customers", random_customers(seed)))
    columns = silver.history_columns(table)
    changes = history.where(auto_cdc.key_present(table.primary_key)).selectExpr(
        "*", auto_cdc.latest_sequence(table, silver.row_hash(table))
    )
    by_key: dict[Any, Any] = {}
    for row in changes.selectExpr(*columns, auto_cdc.SEQUENCE).collect():
        best = by_key.get(row["customer_id"])
        if best is None or nulls_first(row[auto_cdc.SEQUENCE]) > nulls_first(best[auto_cdc.SEQUENCE]):
            by_key[row["customer_id"]] = row
    modelled = {tuple(row)[: len(columns)] for row in by_key.values()}
    local = rows_of(silver.latest_query(history, table))
    assert len(local) == 10 and modelled == local


def scd2_versions_table(spark: Any, changes: Any, key: Sequence[str], track: Sequence[str]) -> Any:
    """The documented SCD type 2 target of `changes` (rows with `_sequence`)."""
    by_key: dict[tuple[Any, ...], list[Any]] = {}
    for row in changes.collect():
        by_key.setdefault(tuple(row[k] for k in key), []).append(row)
    out = []
    for rows in by_key.values():
        versions: list[tuple[Any, Any]] = []  # (start, latest row of the version)
        for row in sorted(rows, key=lambda r: nulls_first(r[auto_cdc.SEQUENCE])):
            if versions and all(row[c] == versions[-1][1][c] for c in track):
                versions[-1] = (versions[-1][0], row)
            else:
                versions.append((row[auto_cdc.SEQUENCE], row))
        ends = [start for start, _ in versions[1:]] + [None]
        for (start, row), end in zip(versions, ends, strict=True):
            values = [row[c] for c in changes.columns if c != auto_cdc.SEQUENCE]
            out.append((*values, start, end))
    sequence_type = changes.schema[auto_cdc.SEQUENCE].dataType
    fields = [f for f in changes.schema.fields if f.name != auto_cdc.SEQUENCE]
    schema = T.StructType(
        [
            *fields,
            T.StructField(auto_cdc.START_AT, sequence_type),
            T.StructField(auto_cdc.END_AT, sequence_type),
        ]
    )
    return spark.createDataFrame(out, schema)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_scd2_versions_give_the_dimension_the_local_plan_gives(
    spark: Any, retail_spec: Spec, seed: int
) -> None:
    dim = next(d for d in retail_spec.gold.dimensions if d.name == "customer")
    source = retail_spec.source("customers")
    history = silver_frame(spark, retail_spec, "customers", random_customers(seed))
    changes = auto_cdc.version_changes(history, dim, source)
    versions = scd2_versions_table(spark, changes, dim.key, auto_cdc.tracked_columns(dim))
    events = auto_cdc.version_rows(versions, dim, "updated_at")
    on_databricks = rows_of(scd2_dimension(retail_spec, dim, events, auto_cdc.VERSION_START))
    local = rows_of(scd2_dimension(retail_spec, dim, history))
    assert len(local) > 30 and on_databricks == local


def test_a_same_instant_replacement_is_no_version(spark: Any, retail_spec: Spec) -> None:
    """A later file at the same updated_at replaces the row: one version, the newer values."""
    dim = next(d for d in retail_spec.gold.dimensions if d.name == "customer")
    base = {"customer_id": "c1", "name": "Ann", "email": "a@x.com", "country": "US", "segment": "consumer"}
    rows = [
        {**base, "updated_at": datetime(2024, 1, 1), "_ingested_at": datetime(2024, 1, 2)},
        {**base, "updated_at": datetime(2024, 1, 1), "_ingested_at": datetime(2024, 1, 3), "country": "FR"},
    ]
    history = silver_frame(spark, retail_spec, "customers", rows)
    changes = auto_cdc.version_changes(history, dim, retail_spec.source("customers"))
    versions = scd2_versions_table(spark, changes, dim.key, auto_cdc.tracked_columns(dim))
    assert versions.count() == 2  # AUTO CDC keeps the replaced version, zero-length
    events = auto_cdc.version_rows(versions, dim, "updated_at")
    assert [r["country"] for r in events.collect()] == ["FR"]
