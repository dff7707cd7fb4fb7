"""Silver-shaped test DataFrames built from a spec's column types."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pyspark.sql import DataFrame, SparkSession

from medallion.spec import Spec
from tests.gold.scd_reference import nulls_first

AUDIT = "_ingested_at timestamp, _source_file string, _rescued_data string"


def ts(text: str) -> datetime:
    """A timestamp from 'YYYY-MM-DD[ HH:MM]'."""
    return datetime.fromisoformat(text)


def silver(spark: SparkSession, spec: Spec, source: str, rows: Sequence[Mapping[str, Any]]) -> DataFrame:
    """A silver table of `source`: spec columns typed, plus the audit columns."""
    table = spec.source(source)
    ddl = ", ".join(f"{c.name} {c.type}" for c in table.columns) + ", " + AUDIT
    names = [*table.column_names, "_ingested_at", "_source_file", "_rescued_data"]
    data = [tuple(_value(row.get(n), n) for n in names) for row in rows]
    return spark.createDataFrame(data, ddl)


def _value(value: Any, name: str) -> Any:
    if isinstance(value, str) and name.endswith(("_at", "_ts")):
        return ts(value)
    if isinstance(value, float):
        return Decimal(str(value))
    return value


def as_dicts(frame: DataFrame, order: Sequence[str]) -> list[dict[str, Any]]:
    """Rows as dicts, sorted by `order` (NULLs first)."""
    rows = [r.asDict() for r in frame.collect()]
    return sorted(rows, key=lambda r: nulls_first([r[c] for c in order]))


__all__ = ["as_dicts", "date", "silver", "ts"]
