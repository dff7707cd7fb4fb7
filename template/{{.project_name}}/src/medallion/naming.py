"""Table names, all in the pipeline's one target schema (see the project README)."""

from __future__ import annotations

from medallion.spec.model import Spec


def bronze_table(source: str) -> str:
    return f"bronze_{source}"


def typed_view(source: str) -> str:
    return f"typed_{source}"


def history_table(source: str) -> str:
    return f"silver_{source}_history"


def quarantine_table(source: str) -> str:
    return f"quarantine_{source}"


def silver_table(source: str) -> str:
    return f"silver_{source}"


def dimension_table(name: str) -> str:
    return f"dim_{name}"


def changes_view(table: str) -> str:
    """Databricks: the change rows an AUTO CDC flow reads into `table` (a temporary view)."""
    return f"changes_{table}"


def versions_table(dimension: str) -> str:
    """Databricks: the AUTO CDC SCD type 2 table an SCD2 dimension is built from."""
    return f"dim_{dimension}_versions"


DATE_DIMENSION = "dim_date"


def fact_table(name: str) -> str:
    return f"fact_{name}"


def aggregate_table(name: str) -> str:
    return f"agg_{name}"


QUALITY_METRICS = "quality_metrics"
"""The pipeline's own data-quality figures (medallion.gold.quality): the dashboard and alerts read it."""


def event_log_table(pipeline_name: str) -> str:
    return f"{pipeline_name}_event_log"


def expected_tables(spec: Spec) -> dict[str, str]:
    """Every table a successful update leaves behind, mapped to its layer."""
    tables: dict[str, str] = {}
    for source in spec.source_names:
        tables[bronze_table(source)] = "bronze"
        tables[history_table(source)] = "silver_history"
        tables[quarantine_table(source)] = "quarantine"
        tables[silver_table(source)] = "silver"
    for dimension in spec.gold.dimensions:
        tables[dimension_table(dimension.name)] = "gold"
    if spec.gold.date_dimension:
        tables[DATE_DIMENSION] = "gold"
    for fact in spec.gold.facts:
        tables[fact_table(fact.name)] = "gold"
    for aggregate in spec.gold.aggregates:
        tables[aggregate_table(aggregate.name)] = "gold"
    tables[QUALITY_METRICS] = "quality"
    return tables
