"""Bronze: one streaming table per source that keeps every record, with audit columns."""

from __future__ import annotations

from typing import Any

from medallion import naming, readers
from medallion.audit import stamp_columns
from medallion.context import PipelineContext
from medallion.spec.model import SourceTable

KAFKA_PROPERTIES = {"pipelines.reset.allowed": "false"}


def table_properties(ctx: PipelineContext, table: SourceTable) -> dict[str, str]:
    """Kafka cannot be replayed after a reset: forbid full refresh of its bronze on Databricks."""
    properties = {"quality": "bronze"}
    if ctx.is_databricks and table.source.type == "kafka":
        properties |= KAFKA_PROPERTIES
    return properties


def define_bronze_table(ctx: PipelineContext, table: SourceTable) -> None:
    """Register `bronze_<t>`: the raw stream plus `_ingested_at` and `_update_id`, nothing filtered."""
    raw_stream = readers.stream_builder(ctx, table)

    def query() -> Any:
        return raw_stream().selectExpr("*", *stamp_columns(ctx.settings.update_id))

    ctx.dp.table(
        name=naming.bronze_table(table.name),
        comment=table.description or f"Raw {table.name} records as received.",
        table_properties=table_properties(ctx, table),
    )(query)


def define_bronze(ctx: PipelineContext) -> None:
    """Register the bronze streaming table of every source in the spec."""
    for table in ctx.spec.sources:
        define_bronze_table(ctx, table)
