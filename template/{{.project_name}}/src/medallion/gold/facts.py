"""Fact builder: the current silver rows at the declared grain, with surrogate-key lookups.

- SCD1 dimension: match on the natural key.
- SCD2 dimension: the version valid at the fact's event_time (valid_from <= t < valid_to).
  An event before the key's first version takes the earliest version (the entity
  existed, we just learnt of it later); a NULL event_time takes the current version.
- No match, or a NULL foreign key: the unknown member (-1), counted by gold_metrics.
- Measures are the spec's expressions (safe_divide allowed) cast to their declared (DECIMAL) types; a NULL
  expression stays NULL (write coalesce(...) in the spec to default it).
"""

from __future__ import annotations

from collections.abc import Mapping

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from medallion.gold.columns import (
    IS_CURRENT,
    START_OF_TIME,
    UNKNOWN_KEY,
    VALID_FROM,
    VALID_TO,
    fact_columns,
    key_column,
)
from medallion.gold.dates import date_key
from medallion.gold.frames import typed
from medallion.spec.model import Dimension, Fact, Spec
from medallion.sql import expand_safe_divide

EVENT = "__event_time"


def build_fact(spec: Spec, fact: Fact, current: DataFrame, dimensions: Mapping[str, DataFrame]) -> DataFrame:
    """One row per current silver row; `dimensions` maps each linked dimension to its gold table.

    Each role joins its own copy of the dimension, so one dimension can be played several
    times (origin and destination airport), each role with its own `<role>_key`.
    """
    dims = {d.name: d for d in spec.gold.dimensions}
    passthrough = list(
        dict.fromkeys([*fact.grain, *([fact.event_time] if fact.event_time else []), *fact.attributes])
    )
    event = F.col(fact.event_time).cast("timestamp") if fact.event_time else F.lit(None).cast("timestamp")
    foreign = [(_fk(link.role, i), c) for link in fact.links for i, c in enumerate(link.foreign_key)]
    rows = current.select(
        *passthrough,
        event.alias(EVENT),
        *(F.expr(expand_safe_divide(m.expr)).cast(m.type).alias(m.name) for m in fact.measures),
        *(F.col(c).alias(alias) for alias, c in foreign),
    )
    names = [*passthrough, EVENT, *(m.name for m in fact.measures), *(alias for alias, _ in foreign)]
    for link in fact.links:
        role, dim = link.role, dims[link.dimension]
        lookup = _lookup(dim, dimensions[dim.name], role)
        on = [F.col(_fk(role, i)) == F.col(_nk(role, i)) for i in range(len(link.foreign_key))]
        if dim.scd == 2:
            on.append(_valid_at(role, F.col(EVENT)))
        matched = F.coalesce(F.col(f"__{role}_key"), F.lit(UNKNOWN_KEY)).alias(key_column(role))
        rows = rows.join(lookup, on=_all(on), how="left").select(*names, matched)
        names.append(key_column(role))
    dated = date_key(F.col(EVENT), spec.gold.calendar).alias("date_key")
    keyed = rows.select("*", dated) if fact.event_time else rows
    return typed(keyed, fact_columns(fact, spec.source(fact.source)))


def _fk(role: str, index: int) -> str:
    return f"__fk_{role}_{index}"


def _nk(role: str, index: int) -> str:
    return f"__nk_{role}_{index}"


def _lookup(dim: Dimension, table: DataFrame, role: str) -> DataFrame:
    """The dimension's real members, columns prefixed by the role (and, for SCD2, the lookup interval)."""
    real = table.where(F.col(key_column(dim.name)) != UNKNOWN_KEY)
    columns = [F.col(key_column(dim.name)).alias(f"__{role}_key")]
    columns += [F.col(c).alias(_nk(role, i)) for i, c in enumerate(dim.key)]
    if dim.scd == 2:
        first = F.min(VALID_FROM).over(Window.partitionBy(*dim.key))
        start = F.when(F.col(VALID_FROM) == first, F.lit(START_OF_TIME).cast("timestamp")).otherwise(
            F.col(VALID_FROM)
        )
        columns += [
            start.alias(f"__{role}_from"),
            F.col(VALID_TO).alias(f"__{role}_to"),
            F.col(IS_CURRENT).alias(f"__{role}_current"),
        ]
    return real.select(*columns)


def _valid_at(role: str, event: Column) -> Column:
    inside = (event >= F.col(f"__{role}_from")) & (event < F.col(f"__{role}_to"))
    return inside | (event.isNull() & F.col(f"__{role}_current"))


def _all(conditions: list[Column]) -> Column:
    result = conditions[0]
    for condition in conditions[1:]:
        result = result & condition
    return result
