"""Dimension builders: SCD1 from silver_<t>, SCD2 from silver_<t>_history, plus the unknown member."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from medallion.gold.columns import (
    END_OF_TIME,
    IS_CURRENT,
    START_OF_TIME,
    UNKNOWN_KEY,
    VALID_FROM,
    VALID_TO,
    dimension_columns,
    key_column,
)
from medallion.gold.frames import latest_first, one_per, typed, unknown_member
from medallion.gold.keys import key_part, surrogate_key
from medallion.gold.scd2 import scd2_versions
from medallion.spec.model import Dimension, Spec


def scd1_dimension(spec: Spec, dim: Dimension, current: DataFrame) -> DataFrame:
    """One row per natural key (latest by sequence_by), keyed by a hash of the natural key."""
    sequence_by = spec.source(dim.source).sequence_by
    rows = current
    for column in dim.key:
        rows = rows.where(F.col(column).isNotNull())
    columns = [*dim.key, *dim.attributes]
    latest = one_per(rows, dim.key, latest_first(sequence_by, columns), columns)
    keyed = latest.select(surrogate_key(*_natural(spec, dim)).alias(key_column(dim.name)), "*")
    return _with_unknown(spec, dim, keyed)


def scd2_dimension(spec: Spec, dim: Dimension, history: DataFrame, order_by: str | None = None) -> DataFrame:
    """One row per version, keyed by a hash of the natural key and valid_from. `history` holds
    change rows ordered by the source's sequence_by, or by `order_by` when given (on Databricks:
    one row per AUTO CDC version, at its start)."""
    sequence_by = order_by or spec.source(dim.source).sequence_by
    if sequence_by is None:
        raise ValueError(f"dim_{dim.name} is SCD2 but {dim.source} has no sequence_by")
    versions = scd2_versions(history, dim.key, dim.attributes, dim.track, sequence_by)
    key = surrogate_key(*_natural(spec, dim), key_part(VALID_FROM, "timestamp"))
    return _with_unknown(spec, dim, versions.select(key.alias(key_column(dim.name)), "*"))


def build_dimension(
    spec: Spec, dim: Dimension, current: DataFrame, history: DataFrame, order_by: str | None = None
) -> DataFrame:
    """The dimension as declared: SCD1 reads `current`, SCD2 reads `history` (see scd2_dimension)."""
    if dim.scd == 2:
        return scd2_dimension(spec, dim, history, order_by)
    return scd1_dimension(spec, dim, current)


def _natural(spec: Spec, dim: Dimension) -> list[Column]:
    source = spec.source(dim.source)
    return [key_part(c, source.column(c).type) for c in dim.key]


def _with_unknown(spec: Spec, dim: Dimension, keyed: DataFrame) -> DataFrame:
    columns = dimension_columns(dim, spec.source(dim.source))
    values: dict[str, object] = {key_column(dim.name): UNKNOWN_KEY, **dict.fromkeys(dim.key)}
    if dim.scd == 2:
        values.update({VALID_FROM: START_OF_TIME, VALID_TO: END_OF_TIME, IS_CURRENT: True})
    unknown = unknown_member(keyed.sparkSession, columns, values)
    return typed(keyed, columns).unionByName(unknown)
