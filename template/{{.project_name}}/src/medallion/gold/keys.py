"""Deterministic surrogate keys (the unknown member's key, -1, is in medallion.gold.columns).

A key is xxhash64 over the natural key parts (and, for SCD2, the version's valid_from),
masked to a non-negative BIGINT. It depends only on the data, so it is the same on both
engines, after recomputation and after a full refresh; -1 is never produced and stays
reserved for the unknown member.
"""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F

_POSITIVE_MASK = 0x7FFFFFFFFFFFFFFF


def key_part(name: str, spark_type: str) -> Column:
    """A key part as time-zone independent text (timestamps as epoch microseconds)."""
    column = F.col(name)
    return F.unix_micros(column) if spark_type.startswith("timestamp") else column


def surrogate_key(*parts: Column) -> Column:
    """A non-negative BIGINT hash of `parts`, each cast to string and NULL-safe."""
    tagged = [F.coalesce(p.cast("string"), F.lit("\u0000null")) for p in parts]
    return F.xxhash64(*tagged).bitwiseAND(F.lit(_POSITIVE_MASK))
