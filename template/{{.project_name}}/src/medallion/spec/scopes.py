"""The columns each spec fragment runs on, from the spec alone (no pyspark import).

- Rules filter `typed_<t>` and, on Databricks, are expectations on `silver_<t>_history`: the
  columns both have are the spec's columns plus the audit columns.
- Measures are computed on `silver_<t>`: the same columns.
- Aggregates read gold tables (their columns: medallion.gold.columns, as the pipeline builds
  them) and silver tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from medallion import naming
from medallion.gold.columns import DATE_COLUMNS, GoldColumn, dimension_columns, fact_columns
from medallion.spec.fragments import Scope
from medallion.spec.model import Column, Gold, SourceTable
from medallion.vocabulary import AUDIT_TYPES


def silver_columns(source: SourceTable) -> dict[str, str]:
    """silver_<t>_history and silver_<t>: the spec's columns, then the audit columns."""
    return _with_audit(source.columns)


def _with_audit(columns: Sequence[Column]) -> dict[str, str]:
    return {**{c.name: c.type for c in columns}, **AUDIT_TYPES}


def history_scope(table: str, columns: Sequence[Column]) -> Scope:
    """Rules run on silver_<table>_history (no columns declared: not known from the spec)."""
    return Scope(naming.history_table(table), _with_audit(columns) if columns else {})


def rule_scope(source: SourceTable) -> Scope:
    return history_scope(source.name, source.columns)


def measure_scope(source: SourceTable) -> Scope:
    return Scope(naming.silver_table(source.name), silver_columns(source) if source.columns else {})


def _types(columns: Iterable[GoldColumn]) -> dict[str, str]:
    return {c.name: c.type for c in columns}


def aggregate_tables(gold: Gold, sources: Mapping[str, SourceTable]) -> dict[str, dict[str, str] | None]:
    """Every table an aggregate may read -> its columns (None: not known from the spec)."""
    tables: dict[str, dict[str, str] | None] = {
        naming.silver_table(name): (silver_columns(s) if s.columns else None) for name, s in sources.items()
    }
    for dim in gold.dimensions:
        source = sources[dim.source]
        tables[naming.dimension_table(dim.name)] = (
            _types(dimension_columns(dim, source)) if source.columns else None
        )
    for fact in gold.facts:
        source = sources[fact.source]
        tables[naming.fact_table(fact.name)] = _types(fact_columns(fact, source)) if source.columns else None
    if gold.date_dimension:
        tables[naming.DATE_DIMENSION] = _types(DATE_COLUMNS)
    for aggregate in gold.aggregates:
        tables[naming.aggregate_table(aggregate.name)] = None
    return tables
