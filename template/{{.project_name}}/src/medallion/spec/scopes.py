"""The columns each spec fragment runs on, from the spec alone (no pyspark import).

- Rules filter `typed_<t>` and, on Databricks, are expectations on `silver_<t>_history`: the
  columns both have are the spec's columns plus the audit columns.
- Measures are computed on `silver_<t>`: the same columns.
- Aggregates read gold tables and silver tables; their columns mirror medallion.gold.columns
  (tests/spec checks they agree).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from medallion.spec.fragments import Scope
from medallion.spec.model import Dimension, Fact, Gold, SourceTable
from medallion.vocabulary import AUDIT_TYPES

DATE_DIMENSION_COLUMNS = {
    "date_key": "int",
    "date": "date",
    "year": "int",
    "quarter": "int",
    "month": "int",
    "month_name": "string",
    "year_month": "string",
    "day": "int",
    "day_of_week": "int",
    "day_name": "string",
    "day_of_year": "int",
    "week_of_year": "int",
    "is_weekend": "boolean",
}


def silver_columns(source: SourceTable) -> dict[str, str]:
    """silver_<t>_history and silver_<t>: the spec's columns, then the audit columns."""
    return {**{c.name: c.type for c in source.columns}, **AUDIT_TYPES}


def rule_scope(source: SourceTable) -> Scope:
    return Scope(f"silver_{source.name}_history", silver_columns(source) if source.columns else {})


def measure_scope(source: SourceTable) -> Scope:
    return Scope(f"silver_{source.name}", silver_columns(source) if source.columns else {})


def _types(source: SourceTable, names: Iterable[str]) -> dict[str, str]:
    known = {c.name: c.type for c in source.columns}
    return {n: known.get(n, "string") for n in names}


def dimension_columns(dim: Dimension, source: SourceTable) -> dict[str, str]:
    columns = {f"{dim.name}_key": "bigint", **_types(source, [*dim.key, *dim.attributes])}
    if dim.scd == 2:
        columns |= {"valid_from": "timestamp", "valid_to": "timestamp", "is_current": "boolean"}
    return columns


def fact_columns(fact: Fact, source: SourceTable) -> dict[str, str]:
    columns = _types(source, fact.grain)
    columns |= {f"{link.role}_key": "bigint" for link in fact.links}
    if fact.event_time:
        columns["date_key"] = "int"
        if fact.event_time not in fact.grain:
            columns |= _types(source, [fact.event_time])
    columns |= _types(source, [c for c in fact.attributes if c not in fact.grain and c != fact.event_time])
    columns |= {m.name: m.type for m in fact.measures}
    return columns


def aggregate_tables(gold: Gold, sources: Mapping[str, SourceTable]) -> dict[str, dict[str, str] | None]:
    """Every table an aggregate may read -> its columns (None: not known from the spec)."""
    tables: dict[str, dict[str, str] | None] = {
        f"silver_{name}": (silver_columns(s) if s.columns else None) for name, s in sources.items()
    }
    for dim in gold.dimensions:
        source = sources[dim.source]
        tables[f"dim_{dim.name}"] = dimension_columns(dim, source) if source.columns else None
    for fact in gold.facts:
        source = sources[fact.source]
        tables[f"fact_{fact.name}"] = fact_columns(fact, source) if source.columns else None
    if gold.date_dimension:
        tables["dim_date"] = dict(DATE_DIMENSION_COLUMNS)
    for aggregate in gold.aggregates:
        tables[f"agg_{aggregate.name}"] = None
    return tables
